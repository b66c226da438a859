"""Losses: values against independent formulas, scikit-learn and PyTorch; the lecture's MSE
normalisation; output sensitivities delta^M; extreme logits; loss/output mismatches."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.special as sp
from sklearn.metrics import log_loss, mean_squared_error

from _reference import LOSS_IDS, LOSS_OUTPUTS
from sinapse import MLP, Objective, gradcheck, value_and_grad
from sinapse.activations import get_activation
from sinapse.backprop import backward, forward
from sinapse.losses import LOSSES, Loss, get_loss


def outputs(output, U):
    act = get_activation(output)
    return act, act.f(U, np.empty_like(U))


def value(loss, output, U, D):
    _, Y = outputs(output, U)
    return get_loss(loss).value(Y, U, D, np.empty_like(U), np.empty_like(U))


def value_and_delta(loss, output, U, D):
    act, Y = outputs(output, U)
    delta = np.full_like(U, np.nan)
    J = get_loss(loss).value_and_delta(Y, U, D, act, delta, np.empty_like(U))
    return J, delta


def reference(loss, output, U, D):
    """J from textbook formulas, written here."""
    N, N_M = D.shape
    Y = {"identity": U, "logistic": sp.expit(U), "tanh": np.tanh(U),
         "softmax": np.exp(U) / np.exp(U).sum(axis=1, keepdims=True)}[output]
    if loss == "mse":
        return np.sum((D - Y) ** 2) / (N * N_M)
    if loss == "sse":
        return np.sum((D - Y) ** 2)
    if loss == "binary_cross_entropy":
        return -np.sum(D * np.log(Y) + (1 - D) * np.log(1 - Y)) / N
    return -np.sum(D * np.log(Y)) / N


def data(loss, make_data, n=9, n_out=3, seed=0):
    """Output activations U (moderate, so the textbook formulas are accurate) and D."""
    rng = np.random.default_rng(seed)
    _, D = make_data(loss, n, 1, n_out, rng)
    return 2.0 * rng.standard_normal((n, n_out)), D


# --- values -----------------------------------------------------------------------------
def test_mse_has_the_lectures_normalisation():
    """J = 1/(N·N_M) Σ_n Σ_j (d_j(n) - y_j(n))², worked by hand."""
    U = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    D = np.array([[0.0, 2.0], [3.0, 1.0], [5.0, 8.0]])
    # residuals d - y: [-1, 0], [0, -3], [0, 2]; squares sum to 1 + 9 + 4 = 14
    assert value("mse", "identity", U, D) == pytest.approx(14 / 6, rel=1e-15)  # N=3, N_M=2
    assert value("sse", "identity", U, D) == 14.0
    # the same numbers through a network whose output is its input (W = I, b = 0)
    net = MLP([2, 2], output_activation="identity", seed=0)
    net.theta = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    assert value_and_grad(net, U, D, loss="mse")[0] == pytest.approx(14 / 6, rel=1e-15)
    assert value_and_grad(net, U, D, loss="sse")[0] == pytest.approx(14.0, rel=1e-15)


@pytest.mark.parametrize("shape", [(1, 1), (7, 1), (1, 5), (6, 4)])
def test_mse_is_sse_over_n_times_outputs(shape, rng):
    U, D = rng.standard_normal(shape), rng.standard_normal(shape)
    N, N_M = shape
    sse = value("sse", "tanh", U, D)
    assert value("mse", "tanh", U, D) == pytest.approx(sse / (N * N_M), rel=1e-14)


@pytest.mark.parametrize(("loss", "output"), LOSS_OUTPUTS, ids=LOSS_IDS)
@pytest.mark.parametrize("n_out", [1, 3])
def test_value_matches_the_textbook_formula(loss, output, n_out, make_data):
    if loss == "cross_entropy" and n_out == 1:
        n_out = 2
    U, D = data(loss, make_data, n_out=n_out)
    J = value(loss, output, U, D)
    assert isinstance(J, float)
    assert J == pytest.approx(reference(loss, output, U, D), rel=1e-12)
    # value_and_delta returns the same J
    assert value_and_delta(loss, output, U, D)[0] == J


def test_mse_matches_scikit_learn(make_data):
    U, D = data("mse", make_data, n=11, n_out=3)
    Y = sp.expit(U)
    assert value("mse", "logistic", U, D) == pytest.approx(mean_squared_error(D, Y), rel=1e-13)


def test_cross_entropy_matches_scikit_learn_log_loss(make_data):
    U, D = data("cross_entropy", make_data, n=20, n_out=4)
    Y = sp.softmax(U, axis=1)
    expected = log_loss(D.argmax(axis=1), Y, labels=[0, 1, 2, 3])
    assert value("cross_entropy", "softmax", U, D) == pytest.approx(expected, rel=1e-12)


def test_binary_cross_entropy_is_log_loss_summed_over_output_columns(make_data):
    U, D = data("binary_cross_entropy", make_data, n=20, n_out=3)
    Y = sp.expit(U)
    expected = sum(log_loss(D[:, j], Y[:, j], labels=[0, 1]) for j in range(3))
    assert value("binary_cross_entropy", "logistic", U, D) == pytest.approx(expected, rel=1e-12)


def test_soft_targets(rng):
    """Targets that are probabilities, not labels: the formulas still hold."""
    U = rng.standard_normal((8, 3))
    D_bce = rng.uniform(0, 1, (8, 3))
    D_ce = rng.dirichlet(np.ones(3), size=8)  # rows sum to 1
    for loss, output, D in (("binary_cross_entropy", "logistic", D_bce),
                            ("cross_entropy", "softmax", D_ce)):
        assert value(loss, output, U, D) == pytest.approx(reference(loss, output, U, D),
                                                          rel=1e-12)


# --- PyTorch as a reference ---------------------------------------------------------------
@pytest.mark.torch
@pytest.mark.parametrize(("loss", "output"), LOSS_OUTPUTS, ids=LOSS_IDS)
def test_value_and_delta_match_torch(loss, output, make_data):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    U, D = data(loss, make_data, n=10, n_out=3, seed=3)
    J, delta = value_and_delta(loss, output, U, D)
    u = torch.tensor(U, requires_grad=True)
    d = torch.from_numpy(D)
    y = {"identity": lambda t: t, "logistic": torch.sigmoid, "tanh": torch.tanh,
         "softmax": lambda t: torch.softmax(t, dim=1)}[output](u)
    if loss == "mse":
        Jt = F.mse_loss(y, d)  # PyTorch's MSELoss matches the lecture's normalisation
    elif loss == "sse":
        Jt = F.mse_loss(y, d, reduction="sum")
    elif loss == "binary_cross_entropy":
        Jt = F.binary_cross_entropy_with_logits(u, d, reduction="sum") / D.shape[0]
    else:
        Jt = F.cross_entropy(u, d.argmax(dim=1))
        assert Jt.item() == pytest.approx(F.cross_entropy(u, d).item(), rel=1e-14)
    Jt.backward()
    assert J == pytest.approx(Jt.item(), rel=1e-13)
    np.testing.assert_allclose(delta, u.grad.numpy(), rtol=1e-12, atol=1e-16)


# --- output sensitivities delta^M ---------------------------------------------------------
DF = {"identity": lambda U: np.ones_like(U), "logistic": lambda U: sp.expit(U) * sp.expit(-U),
      "tanh": lambda U: 1 / np.cosh(U) ** 2}


@pytest.mark.parametrize(("loss", "output"), LOSS_OUTPUTS, ids=LOSS_IDS)
def test_output_sensitivity_formula(loss, output, make_data):
    """delta^M = -2/(N·N_M) (D - Y) ⊙ f'(U) (mse), -2 (D - Y) ⊙ f'(U) (sse),
    (Y - D)/N (the cross-entropies, fused with their output activation)."""
    U, D = data(loss, make_data, n=7, n_out=3, seed=1)
    N, N_M = D.shape
    _, delta = value_and_delta(loss, output, U, D)
    if loss in ("mse", "sse"):
        Y = {"identity": U, "logistic": sp.expit(U), "tanh": np.tanh(U)}[output]
        scale = 2.0 / (N * N_M) if loss == "mse" else 2.0
        expected = -scale * (D - Y) * DF[output](U)
    else:
        Y = sp.expit(U) if loss == "binary_cross_entropy" else sp.softmax(U, axis=1)
        expected = (Y - D) / N
    np.testing.assert_allclose(delta, expected, rtol=1e-12, atol=1e-17)


@pytest.mark.parametrize(("loss", "output"), LOSS_OUTPUTS, ids=LOSS_IDS)
def test_output_sensitivity_is_dJ_dU_by_central_differences(loss, output, make_data):
    U, D = data(loss, make_data, n=5, n_out=3, seed=2)
    _, delta = value_and_delta(loss, output, U, D)
    h = 1e-6
    fd = np.empty_like(U)
    for idx in np.ndindex(U.shape):
        Up, Um = U.copy(), U.copy()
        Up[idx] += h
        Um[idx] -= h
        fd[idx] = (value(loss, output, Up, D) - value(loss, output, Um, D)) / (2 * h)
    np.testing.assert_allclose(delta, fd, rtol=1e-6, atol=1e-9 * np.abs(delta).max())


def test_float32_keeps_float32(make_data):
    for loss, output in LOSS_OUTPUTS:
        U, D = data(loss, make_data, n=4, n_out=3)
        U32, D32 = U.astype(np.float32), D.astype(np.float32)
        J, delta = value_and_delta(loss, output, U32, D32)
        assert delta.dtype == np.float32
        assert J == pytest.approx(reference(loss, output, U, D), rel=1e-5)


# --- extreme logits ------------------------------------------------------------------------
def test_cross_entropy_is_exact_for_extreme_logits():
    U = np.array([[1e4, 0.0, -1e4], [-1e4, 1e4, 0.0], [0.0, 0.0, 1e4]])
    D = np.array([[0.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        J, delta = value_and_delta("cross_entropy", "softmax", U, D)
    # per row: logsumexp(u) - u_true = 2e4, 0, 1e4
    assert J == 1e4
    np.testing.assert_array_equal(delta, (np.array([[1.0, 0, 0], [0, 1, 0], [0, 0, 1]]) - D) / 3)


def test_cross_entropy_through_a_network_with_extreme_logits():
    net = MLP([3, 3], output_activation="softmax", seed=0)
    net.theta = np.concatenate([np.eye(3).ravel(), np.zeros(3)])  # u^1 = x
    X = np.array([[1e4, 0.0, -1e4], [-1e4, 1e4, 0.0]])
    D = np.array([[0.0, 0.0, 1.0], [0.0, 1.0, 0.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        J, g = value_and_grad(net, X, D, loss="cross_entropy")
    assert J == 1e4  # (2e4 + 0) / 2
    assert np.isfinite(g).all()


def test_binary_cross_entropy_is_exact_for_extreme_logits():
    U = np.array([[1e4], [-1e4], [1e4], [-1e4]])
    D = np.array([[0.0], [1.0], [1.0], [0.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        J, delta = value_and_delta("binary_cross_entropy", "logistic", U, D)
    assert J == 5e3  # (1e4 + 1e4 + 0 + 0) / 4
    np.testing.assert_array_equal(delta, [[0.25], [-0.25], [0.0], [0.0]])


@pytest.mark.parametrize(("loss", "output", "U", "D"), [
    ("binary_cross_entropy", "logistic", [[30.0]], [[1.0]]),
    ("cross_entropy", "softmax", [[30.0, 0.0]], [[1.0, 0.0]]),
], ids=["bce", "ce"])
def test_confident_correct_predictions_keep_relative_precision(loss, output, U, D):
    """Regression: J was computed as Σ softplus(u) - Σ d·u (and Σ d·lse - Σ d·u), a
    difference of numbers near |u|: J(u = 30) came out 1.3 % off, and 0.0 for u >= 37."""
    J = value(loss, output, np.array(U), np.array(D))
    assert J == pytest.approx(np.log1p(np.exp(-30.0)), rel=1e-12, abs=0)


def test_cross_entropy_gradient_is_right_when_rows_do_not_sum_to_one():
    """Regression: delta^M was (Y - D)/N, dJ/dU only when every row of D sums to 1; the
    value accepts any D, so multi-hot or all-zero rows got a wrong gradient. For
    J = -1/N Σ d log softmax(u), dJ/du = (Y·Σ_j d_j - D)/N."""
    U = np.array([[0.5, -1.0, 2.0], [1.0, 0.0, -0.5], [0.0, 3.0, 1.0]])
    D = np.array([[1.0, 1.0, 0.0], [0.0, 0.0, 0.0], [0.2, 0.3, 0.1]])
    J, delta = value_and_delta("cross_entropy", "softmax", U, D)
    Y = sp.softmax(U, axis=1)
    assert J == pytest.approx(reference("cross_entropy", "softmax", U, D), rel=1e-13)
    np.testing.assert_allclose(delta, (Y * D.sum(axis=1, keepdims=True) - D) / 3, rtol=1e-13,
                               atol=1e-17)
    net = MLP([3, 3], output_activation="softmax", seed=0)
    net.theta = np.concatenate([np.eye(3).ravel(), np.zeros(3)])  # u^1 = x
    report = gradcheck(net, U, D, loss="cross_entropy")
    assert report.passed, str(report)


# --- loss / output-activation mismatches -----------------------------------------------
MISMATCHES = [
    ("cross_entropy", "identity", r"The cross_entropy loss needs a softmax output layer; "
                                  r"got output_activation='identity'\. Build the network "
                                  r"with output_activation='softmax'"),
    ("cross_entropy", "logistic", r"cross_entropy loss needs a softmax output layer"),
    ("binary_cross_entropy", "tanh", r"The binary_cross_entropy loss needs a logistic output "
                                     r"layer; got output_activation='tanh'"),
    ("binary_cross_entropy", "identity", r"binary_cross_entropy loss needs a logistic"),
    ("binary_cross_entropy", "softmax", r"binary_cross_entropy loss needs a logistic"),
    ("mse", "softmax", r"The mse loss does not fit a softmax output layer; use "
                       r"loss='cross_entropy' with softmax"),
    ("sse", "softmax", r"The sse loss does not fit a softmax output layer"),
]


@pytest.mark.parametrize(("loss", "output", "message"), MISMATCHES,
                         ids=[f"{a}-{b}" for a, b, _ in MISMATCHES])
def test_loss_that_does_not_fit_the_output_activation(loss, output, message):
    with pytest.raises(ValueError, match=message):
        get_loss(loss).check_output(get_activation(output))
    net = MLP([2, 3, 2], output_activation=output, seed=0)
    X, D = np.ones((4, 2)), np.full((4, 2), 0.5)
    with pytest.raises(ValueError, match=message):
        value_and_grad(net, X, D, loss=loss)
    with pytest.raises(ValueError, match=message):
        Objective(net, X, D, loss=loss)
    with pytest.raises(ValueError, match=message):
        gradcheck(net, X, D, loss=loss)
    if output != "softmax":  # forward() of a softmax network: see test_network
        with pytest.raises(ValueError, match=message):
            backward(net, forward(net, X), D, loss=loss)


@pytest.mark.parametrize(("loss", "output"), LOSS_OUTPUTS, ids=LOSS_IDS)
def test_fitting_pairs_are_accepted(loss, output):
    get_loss(loss).check_output(get_activation(output))  # raises on a mismatch
    assert get_loss(loss).outputs is None or output in get_loss(loss).outputs


@pytest.mark.parametrize("output", ["relu", "elu", "softplus", "leaky_relu"])
def test_squared_errors_fit_any_elementwise_output(output):
    for loss in ("mse", "sse"):
        get_loss(loss).check_output(get_activation(output))


# --- registry -------------------------------------------------------------------------------
@pytest.mark.parametrize(("alias", "canonical"), [
    ("bce", "binary_cross_entropy"), ("log_loss", "cross_entropy"), ("ce", "cross_entropy"),
    ("crossentropy", "cross_entropy"), ("MSE", "mse"), ("SSE", "sse"),
])
def test_loss_aliases(alias, canonical):
    assert get_loss(alias) is LOSSES[canonical]


def test_loss_registry():
    assert list(LOSSES) == ["mse", "sse", "binary_cross_entropy", "cross_entropy"]
    assert {k for k, v in LOSSES.items() if v.least_squares} == {"mse", "sse"}
    for name, loss in LOSSES.items():
        assert loss.name == name and get_loss(loss) is loss
        assert repr(loss) == f"Loss({name!r})"
    assert isinstance(get_loss("mse"), Loss)


def test_unknown_loss_lists_the_known_names():
    with pytest.raises(ValueError, match=r"Unknown loss 'hinge'; choose one of: mse, sse, "
                                         r"binary_cross_entropy, cross_entropy\."):
        get_loss("hinge")


def test_loss_name_must_be_a_string():
    with pytest.raises(TypeError, match=r"loss must be a name \(str\); got float"):
        get_loss(1.0)
