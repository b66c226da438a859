"""Backpropagation against finite differences over the whole grid.

loss × output activation × hidden activation × output width (1 and > 1) × depth (1 to 3
hidden layers); hypothesis draws the layer sizes, the number of samples, the initialiser
and the seed. Three independent witnesses:

* ``sinapse.gradcheck`` (five-point central differences inside the library);
* a central-difference check written here, on a loss and forward pass written here in
  plain NumPy/SciPy (so a bug shared by the library's forward pass and its gradcheck
  cannot hide);
* PyTorch autograd on the same weights (when torch is installed).

ReLU-type units have a kink at ``u = 0`` where ``J`` has no derivative; the tests use
``init="normal"``/``"uniform"`` (non-zero biases) and skip, with ``assume``, the rare draw
in which a finite-difference step would move some unit across its kink. They also skip
draws too ill-conditioned for any finite difference to reach 1e-7 (a block of the gradient
far below the round-off in J; see ``conditioning``): about one draw in eight.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.special as sp
from hypothesis import HealthCheck, assume, given, settings, target
from hypothesis import strategies as st

import sinapse
from _reference import LOSS_IDS, LOSS_OUTPUTS, REF_F
from sinapse import MLP, gradcheck, value_and_grad
from sinapse.losses import Loss, get_loss

HIDDEN = ["identity", "logistic", "tanh", "relu", "leaky_relu", "elu", "softplus"]
SMOOTH_HIDDEN = ["identity", "logistic", "tanh", "elu", "softplus"]
KINKED = ("relu", "leaky_relu")  # f' jumps at 0: what gradcheck counts as kinks
# ELU's f'' jumps at 0: finite differences across it are only O(h) accurate, enough to
# exceed 1e-7, so the tests keep ELU units off 0 too
NONSMOOTH = (*KINKED, "elu")
H64 = 1e-4  # the library's default finite-difference step in float64
TOL64 = 1e-7


# --- an independent forward pass and loss, in plain NumPy / SciPy ----------------------


def ref_unpack(sizes, theta):
    """``[(W^m, b^m)]`` from the documented layout W^1 (row-major), b^1, W^2, b^2, …"""
    out, k = [], 0
    for n_in, n_out in itertools.pairwise(sizes):
        W = theta[k:k + n_out * n_in].reshape(n_out, n_in)
        k += n_out * n_in
        b = theta[k:k + n_out]
        k += n_out
        out.append((W, b))
    assert k == len(theta)
    return out


def ref_forward(sizes, acts, theta, X):
    """``(U, Y)`` lists indexed by m (U[0] is None, Y[0] is X)."""
    U, Y = [None], [X]
    for (W, b), name in zip(ref_unpack(sizes, theta), acts, strict=True):
        U.append(Y[-1] @ W.T + b)
        Y.append(REF_F[name](U[-1]))
    return U, Y


def ref_loss(loss, U, Y, D):
    N, N_M = D.shape
    if loss == "mse":
        return float(np.sum((D - Y) ** 2) / (N * N_M))
    if loss == "sse":
        return float(np.sum((D - Y) ** 2))
    if loss == "binary_cross_entropy":
        return float(-np.sum(D * sp.log_expit(U) + (1 - D) * sp.log_expit(-U)) / N)
    if loss == "cross_entropy":
        return float(-np.sum(D * sp.log_softmax(U, axis=1)) / N)
    raise AssertionError(loss)


def ref_J(net, loss, theta, X, D):
    acts = [a.name for a in net.activations]
    U, Y = ref_forward(net.layer_sizes, acts, theta, X)
    return ref_loss(loss, U[-1], Y[-1], D)


def roundoff_scale(net, loss, X, D):
    """The size of the terms whose rounding sets the noise of a finite difference of J.

    Not |J| itself: the squared errors round y and d before subtracting them, so J carries
    an error of order eps·Σ|y - d|·(|y| + |d|) (times the loss's normalisation), far more
    than eps·J when the fit is good; for the cross-entropies, the rounding of the logits
    themselves (eps·|u^M|) enters J, so Σ|u^M|/N bounds it.
    """
    acts = [a.name for a in net.activations]
    theta = np.asarray(net.theta, dtype=np.float64)
    U, Y = ref_forward(net.layer_sizes, acts, theta, X)
    y, u = Y[-1], U[-1]
    N, N_M = D.shape
    if loss in ("mse", "sse"):
        terms = np.sum(np.abs(y - D) * (np.abs(y) + np.abs(D) + 1.0))
        return terms / (N * N_M) if loss == "mse" else terms
    return abs(ref_loss(loss, u, y, D)) + np.abs(u).sum() / N


def rel_error(g, fd):
    """The library's measure: max |g - fd| over the larger of max |g| and max |fd|."""
    scale = max(np.abs(g).max(), np.abs(fd).max())
    diff = np.abs(g - fd).max()
    return diff / scale if scale > 0 else diff


def has_dead_relu_layer(net, X):
    """True if every unit of some ReLU layer is off for every sample: the gradient of that
    layer and all below it is then exactly zero, which conditioning() would skip anyway;
    test_dead_relu_layer_passes_the_check covers that case on purpose."""
    acts = [a.name for a in net.activations]
    U, _ = ref_forward(net.layer_sizes, acts, np.asarray(net.theta, np.float64), X)
    return any((U[m] <= 0).all() for m, a in enumerate(acts, start=1) if a == "relu")


def crosses_kink(net, X, h=H64):
    """True if a gradcheck step (±h, ±2h, each scaled by max(1, |θ_i|)) changes the sign
    of some ReLU-type or ELU activation — or one already sits exactly on its kink."""
    acts = [a.name for a in net.activations]
    kinked = [m for m, a in enumerate(acts, start=1) if a in NONSMOOTH]
    if not kinked:
        return False
    theta = np.array(net.theta, dtype=np.float64)

    def pattern(th):
        U, _ = ref_forward(net.layer_sizes, acts, th, X)
        return [np.sign(U[m]) for m in kinked]

    base = pattern(theta)
    if any((s == 0).any() for s in base):
        return True
    work = theta.copy()
    for i in range(theta.size):
        step = h * max(1.0, abs(theta[i]))
        for k in (-2, -1, 1, 2):
            work[i] = theta[i] + k * step
            if any((a != b).any() for a, b in zip(base, pattern(work), strict=True)):
                return True
        work[i] = theta[i]
    return False


def conditioning(report, J, net):
    """Smallest block scale (max |dJ/dθ| over one W^m or b^m, by finite differences)
    relative to ``J`` (a ``roundoff_scale``).

    Finite differences of J carry round-off of about 1.5·eps·J/h, and gradcheck divides
    each block's error by that block's own largest entry: a block whose whole gradient is
    a tiny fraction of J (a saturated output unit, a nearly dead layer) fails on round-off
    alone, whatever backpropagation does. The scale is taken from the *numeric* gradient
    so that a backpropagation bug that shrinks a block cannot hide behind this filter.
    """
    scales = [min(np.abs(report.numeric[sw]).max(), np.abs(report.numeric[sb]).max())
              for sw, sb in net.layer_slices()]
    return min(scales) / max(abs(J), np.finfo(np.float64).tiny)


# --- hypothesis: architectures, data and seeds ------------------------------------------
@st.composite
def cases(draw, loss, wide, max_depth=3, max_width=5, max_in=4, max_n=12):
    """``(layer_sizes, n_samples, init, seed)`` for one cell of the grid."""
    depth = draw(st.integers(1, max_depth))
    n_in = draw(st.integers(1, max_in))
    hidden = draw(st.lists(st.integers(1, max_width), min_size=depth, max_size=depth))
    if loss == "cross_entropy":  # softmax over one output is constant: use 2 as "narrow"
        n_out = draw(st.integers(3, 4)) if wide else 2
    else:
        n_out = draw(st.integers(2, 4)) if wide else 1
    n = draw(st.integers(1, max_n))
    init = draw(st.sampled_from(["normal", "uniform"]))
    seed = draw(st.integers(0, 2**32 - 1))
    return [n_in, *hidden, n_out], n, init, seed


def build(case, hidden, output, make_data, loss, dtype=np.float64):
    sizes, n, init, seed = case
    net = MLP(sizes, activation=hidden, output_activation=output, init=init, seed=seed,
              dtype=dtype)
    X, D = make_data(loss, n, sizes[0], sizes[-1], np.random.default_rng(seed + 1))
    return net, X, D


def check_cell(loss, output, hidden, case, make_data):
    net, X, D = build(case, hidden, output, make_data, loss)
    if hidden in NONSMOOTH:
        assume(not has_dead_relu_layer(net, X))
        assume(not crosses_kink(net, X))
    report = gradcheck(net, X, D, loss=loss)
    assume(report.kinks == 0)
    # round-off bound 1.5·eps/h / 3e-3 ≈ 1e-8, a tenth of the tolerance (see conditioning)
    assume(conditioning(report, roundoff_scale(net, loss, X, D), net) >= 3e-3)
    target(report.max_error, label="worst relative error")
    assert report.tolerance == TOL64
    assert report.max_error <= TOL64, f"{net!r}\n{report}"
    assert report.passed and bool(report)
    # the report's gradient is the one value_and_grad returns
    _, g = value_and_grad(net, X, D, loss=loss)
    np.testing.assert_array_equal(report.grad, g)
    assert len(report.layers) == net.n_layers


WIDTH_IDS = ["N_M=1", "N_M>1"]


@pytest.mark.parametrize("wide", [False, True], ids=WIDTH_IDS)
@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize(("loss", "output"), LOSS_OUTPUTS, ids=LOSS_IDS)
@settings(max_examples=10, suppress_health_check=[HealthCheck.filter_too_much])
@given(data=st.data())
def test_backprop_matches_finite_differences(loss, output, hidden, wide, data, make_data):
    case = data.draw(cases(loss, wide), label="case")
    check_cell(loss, output, hidden, case, make_data)


@pytest.mark.slow
@pytest.mark.parametrize("wide", [False, True], ids=WIDTH_IDS)
@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize(("loss", "output"), LOSS_OUTPUTS, ids=LOSS_IDS)
@settings(max_examples=120, suppress_health_check=[HealthCheck.filter_too_much])
@given(data=st.data())
def test_backprop_matches_finite_differences_sweep(loss, output, hidden, wide, data, make_data):
    case = data.draw(cases(loss, wide, max_width=9, max_in=6, max_n=40), label="case")
    check_cell(loss, output, hidden, case, make_data)


@pytest.mark.parametrize("depth", [1, 2, 3])
@pytest.mark.parametrize(("loss", "output"), LOSS_OUTPUTS, ids=LOSS_IDS)
def test_every_depth_with_mixed_hidden_activations(loss, output, depth, make_data):
    """Each depth explicitly (hypothesis picks depths at random), mixing activations."""
    hidden = ["softplus", "tanh", "elu"][:depth]
    n_out = 3
    net = MLP([3, *[4] * depth, n_out], activation=hidden, output_activation=output,
              init="normal", seed=depth)
    X, D = make_data(loss, 7, 3, n_out, np.random.default_rng(100 + depth))
    report = gradcheck(net, X, D, loss=loss)
    # an ELU unit within a step of 0 is reported (f'' jumps there) but stays accurate enough
    assert report.kinks == 0 or "elu" in hidden
    assert report.max_error <= TOL64, str(report)


# --- an independent central-difference check --------------------------------------------
@pytest.mark.parametrize("hidden", ["tanh", "logistic", "elu", "softplus", "leaky_relu"])
@pytest.mark.parametrize(("loss", "output"), LOSS_OUTPUTS, ids=LOSS_IDS)
@settings(max_examples=4, suppress_health_check=[HealthCheck.filter_too_much])
@given(data=st.data())
def test_gradient_matches_independent_central_differences(loss, output, hidden, data,
                                                          make_data):
    """J and its finite differences computed entirely in this file (own forward pass, own
    loss formulas, own stencil) against the library's value_and_grad."""
    case = data.draw(cases(loss, wide=True), label="case")
    net, X, D = build(case, hidden, output, make_data, loss)
    if hidden in NONSMOOTH:
        assume(not crosses_kink(net, X, h=1e-4))
    theta = net.theta.copy()
    J, g = value_and_grad(net, X, D, loss=loss)
    assert J == pytest.approx(ref_J(net, loss, theta, X, D), rel=1e-12, abs=1e-300)

    h = 1e-4  # 4th-order stencil: truncation ~h^4, round-off ~eps·J/h
    fd = np.empty_like(theta)
    for i in range(theta.size):
        Jk = []
        for k in (-2, -1, 1, 2):
            t = theta.copy()
            t[i] += k * h
            Jk.append(ref_J(net, loss, t, X, D))
        fd[i] = (Jk[0] - 8 * Jk[1] + 8 * Jk[2] - Jk[3]) / (12 * h)
    # round-off of this stencil is about 1.5·eps·J/h = 3e-12·J: skip draws whose whole
    # gradient is too small for 1e-7 to be meaningful
    assume(np.abs(fd).max() >= 1e-3 * roundoff_scale(net, loss, X, D))
    assert rel_error(g, fd) <= TOL64
    # and the network was not touched
    np.testing.assert_array_equal(net.theta, theta)


def test_independent_check_on_a_fixed_network():
    """The 2-2-1 logistic network of the lecture, J and gradient by hand-written code."""
    net = MLP([2, 2, 1], activation="logistic", output_activation="logistic", init="uniform",
              seed=7)
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    D = np.array([[0.0], [1.0], [1.0], [0.0]])
    theta = net.theta.copy()
    J, g = value_and_grad(net, X, D)
    fd = np.array([
        (ref_J(net, "mse", theta + 1e-6 * e, X, D) - ref_J(net, "mse", theta - 1e-6 * e, X, D))
        / 2e-6
        for e in np.eye(theta.size)
    ])
    assert J == pytest.approx(ref_J(net, "mse", theta, X, D), rel=1e-14)
    np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-9)


# --- float32 ---------------------------------------------------------------------------
@pytest.mark.parametrize("hidden", SMOOTH_HIDDEN)
@pytest.mark.parametrize(("loss", "output"), LOSS_OUTPUTS, ids=LOSS_IDS)
@settings(max_examples=6, suppress_health_check=[HealthCheck.filter_too_much])
@given(data=st.data())
def test_float32_gradcheck_with_float32_defaults(loss, output, hidden, data, make_data):
    """float32 with its defaults (h = 1e-2, tolerance 1e-2); U(-1, 1) weights keep the
    step h·max(1, |θ|) small, and ill-conditioned draws (round-off ~1.5·eps32·|J|/h) are
    skipped as in float64."""
    sizes, n, _, seed = data.draw(cases(loss, wide=data.draw(st.booleans(), label="wide")),
                                  label="case")
    net, X, D = build((sizes, n, "uniform", seed), hidden, output, make_data, loss,
                      dtype=np.float32)
    if hidden == "elu":
        assume(not crosses_kink(net, X, h=1e-2))
    report = gradcheck(net, X, D, loss=loss)
    assume(conditioning(report, roundoff_scale(net, loss, X, D), net) >= 3e-3)
    assert report.tolerance == 1e-2
    assert report.grad.dtype == np.float32
    assert report.max_error <= 1e-2, f"{net!r}\n{report}"
    assert report.passed


# --- PyTorch autograd as a third witness ------------------------------------------------
@pytest.mark.torch
@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize(("loss", "output"), LOSS_OUTPUTS, ids=LOSS_IDS)
def test_gradient_matches_torch_autograd(loss, output, hidden, make_data):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    t_act = {
        "identity": lambda u: u, "logistic": torch.sigmoid, "tanh": torch.tanh,
        "relu": torch.relu, "leaky_relu": lambda u: F.leaky_relu(u, 0.01),
        "elu": lambda u: F.elu(u, 1.0), "softplus": lambda u: torch.logaddexp(u, 0 * u),
        "softmax": lambda u: torch.softmax(u, dim=1),
    }
    sizes = [3, 5, 4, 3]
    net = MLP(sizes, activation=hidden, output_activation=output, init="normal", seed=11)
    X, D = make_data(loss, 9, 3, 3, np.random.default_rng(12))
    assert not crosses_kink(net, X)
    J, g = value_and_grad(net, X, D, loss=loss)

    theta = torch.tensor(net.theta, dtype=torch.float64, requires_grad=True)
    y = torch.from_numpy(X)
    Dt = torch.from_numpy(D)
    acts = [a.name for a in net.activations]
    u = None
    for (W, b), name in zip(ref_unpack(sizes, theta), acts, strict=True):
        u = y @ W.T + b
        y = t_act[name](u)
    if loss == "mse":
        Jt = F.mse_loss(y, Dt)
    elif loss == "sse":
        Jt = F.mse_loss(y, Dt, reduction="sum")
    elif loss == "binary_cross_entropy":
        Jt = F.binary_cross_entropy_with_logits(u, Dt, reduction="sum") / D.shape[0]
    else:
        Jt = F.cross_entropy(u, Dt)  # probability targets, mean over samples
    Jt.backward()
    assert J == pytest.approx(Jt.item(), rel=1e-12)
    np.testing.assert_allclose(g, theta.grad.numpy(), rtol=1e-10, atol=1e-13)


# --- the report -----------------------------------------------------------------------
def kinked_relu_net(activation="relu"):
    """1-1-1 network whose hidden unit has u = 0 exactly for the input x = 0."""
    net = MLP([1, 1, 1], activation=activation, init="normal", seed=0)
    net.theta = [1.0, 0.0, 2.0, 0.5]  # W^1, b^1, W^2, b^2
    return net


@pytest.mark.parametrize("activation", KINKED)
def test_unit_on_its_kink_is_reported(activation):
    net = kinked_relu_net(activation)
    report = gradcheck(net, [[0.0]], [[1.0]])
    assert report.kinks == 1
    # backprop takes f'(0) from one side; finite differences average both sides, so
    # dJ/db^1 disagrees by half the jump in slope
    assert not report.passed
    assert report.layers[0]["b"] > 0.1
    text = str(report)
    assert "1 ReLU/ELU activation(s) lie within a step of u = 0" in text
    assert "FAILED" in text


def test_no_kink_reported_for_smooth_or_well_placed_units():
    net = kinked_relu_net()
    assert gradcheck(net, [[0.5]], [[1.0]]).kinks == 0
    assert gradcheck(net, [[-0.5]], [[1.0]]).kinks == 0
    smooth = kinked_relu_net("softplus")
    assert gradcheck(smooth, [[0.0]], [[1.0]]).kinks == 0  # softplus is smooth: never counted


def test_kink_crossed_by_a_scaled_step_is_reported():
    """Regression: kinks were counted within |u| <= 4h only, but a step of
    h·max(1, |θ_i|) moves u by that times |y_j|, so crossings went unreported."""
    net = MLP([1, 1, 1], activation="relu", init="normal", seed=0)
    # u = 10·1 - 9.99995 = 5e-5 > 4h = 4e-5, but the b^1 step is 1e-5·9.99995 ≈ 1e-4
    net.theta = [1.0, -9.99995, 1.0, 0.0]
    report = gradcheck(net, [[10.0]], [[1.0]])
    assert report.max_error > 0.1  # the finite differences did cross the kink ...
    assert report.kinks > 0  # ... so the report should say so


def test_dead_relu_layer_passes_the_check():
    """Regression: the stencil J0 - 8·J1 + 8·J2 - J3 rounds to ~1e-11 (not 0) for four
    equal J, and the error is relative to the block's own largest entry, so a dead ReLU
    layer (gradient exactly 0) read as relative error 1.0."""
    net = MLP([1, 1, 1], activation="relu", init="normal", seed=0)
    net.theta = [0.3, -0.5, -0.9, -0.97]  # u^1 = 0.3·x - 0.5 < 0 for x = 0.35: unit dead
    X, D = [[0.34558419]], [[0.34558419]]
    report = gradcheck(net, X, D)
    np.testing.assert_array_equal(report.grad[:3], 0.0)  # backprop: exactly right
    assert report.kinks == 0
    assert report.passed, str(report)


def test_report_reads_as_a_table():
    net = MLP([2, 3, 2, 1], activation="tanh", init="normal", seed=3)
    X = np.random.default_rng(0).standard_normal((5, 2))
    D = np.random.default_rng(1).standard_normal((5, 1))
    report = gradcheck(net, X, D)
    lines = str(report).splitlines()
    assert lines[0] == "gradient check (5-point central differences)"
    assert lines[1].split() == ["layer", "W^m", "rel.", "error", "b^m", "rel.", "error"]
    assert len(lines) == 2 + net.n_layers + 1
    for m, (line, errs) in enumerate(zip(lines[2:-1], report.layers, strict=True), start=1):
        assert line.split() == [f"m={m}", f"{errs['W']:.2e}", f"{errs['b']:.2e}"]
    assert lines[-1].strip() == f"worst {report.max_error:.2e} (tolerance 1e-07): PASSED"
    assert report.max_error == max(max(d.values()) for d in report.layers)
    assert "kink" not in str(report)


def test_gradcheck_catches_a_wrong_gradient():
    """A loss whose delta^M is 1 % too large must fail the check (the check can fail)."""
    mse = get_loss("mse")

    def wrong_value_and_delta(Y, U, D, act, out, scratch):
        J = mse.value_and_delta(Y, U, D, act, out, scratch)
        out *= 1.01
        return J

    wrong = Loss("wrong_mse", mse.value, wrong_value_and_delta, outputs=None,
                 least_squares=True)
    net = MLP([2, 3, 1], activation="tanh", init="normal", seed=0)
    X = np.random.default_rng(0).standard_normal((6, 2))
    D = np.random.default_rng(1).standard_normal((6, 1))
    report = gradcheck(net, X, D, loss=wrong)
    assert not report.passed and not bool(report)
    assert report.max_error == pytest.approx(0.01 / 1.01, rel=1e-4)
    assert "FAILED" in str(report)
    np.testing.assert_allclose(report.grad, 1.01 * report.numeric, rtol=1e-7)


def test_gradcheck_at_another_theta_and_with_custom_step_and_tolerance():
    net = MLP([2, 3, 2], activation="softplus", output_activation="logistic", init="normal",
              seed=5)
    X = np.random.default_rng(2).standard_normal((4, 2))
    D = np.random.default_rng(3).integers(0, 2, (4, 2)).astype(float)
    before = net.theta.copy()
    other = before + 0.3
    report = gradcheck(net, X, D, loss="binary_cross_entropy", theta=other)
    np.testing.assert_array_equal(net.theta, before)
    _, g_other = value_and_grad(net, X, D, loss="binary_cross_entropy", theta=other)
    np.testing.assert_array_equal(report.grad, g_other)
    assert report.passed
    # a coarse step and a strict tolerance: the verdict follows the tolerance given
    coarse = gradcheck(net, X, D, loss="binary_cross_entropy", h=0.5, tolerance=1e-12)
    assert coarse.tolerance == 1e-12
    assert coarse.max_error > 1e-12 and not coarse.passed


def test_gradcheck_is_exported():
    assert sinapse.gradcheck is gradcheck
    assert isinstance(gradcheck(MLP([1, 1], seed=0), [[1.0]], [[0.0]]),
                      sinapse.GradcheckReport)


def test_a_gradient_below_the_finite_difference_noise_is_called_inconclusive():
    # deep tanh output saturated by N(0, 1) weights: |grad| ~ 5e-10 while J ~ 1
    rng = np.random.default_rng(0)
    net = MLP([3, 5, 5, 5, 1], activation="identity", output_activation="tanh",
              init="normal", seed=0)
    X, D = rng.standard_normal((8, 3)), rng.standard_normal((8, 1))
    report = gradcheck(net, X, D)
    assert 0 < np.abs(report.grad).max() < 1e-9
    assert not report.passed and report.unresolved  # the verdict stays strict
    assert "inconclusive there, not necessarily wrong" in str(report)
    # the same network at a healthy scale is resolved and passes
    net.theta = net.theta / 10.0
    healthy = gradcheck(net, X, D)
    assert healthy.passed and healthy.unresolved == [] and "inconclusive" not in str(healthy)
