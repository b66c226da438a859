"""The MLP: theta and its views, seeds, copies, predict, summary, initialisers; the forward
and backward passes checked against the lecture's identities; Objective and workspaces."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from _reference import REF_DF, REF_F
from sinapse import MLP, Layer, Objective, value_and_grad
from sinapse.backprop import backward, forward

# --- an independent forward pass and mse backpropagation, in plain NumPy ---------------
HIDDEN = ["identity", "logistic", "tanh", "relu", "leaky_relu", "elu", "softplus"]


def ref_unpack(sizes, theta):
    """``[(W^m, b^m)]`` from the documented layout W^1 (row-major), b^1, W^2, b^2, …"""
    out, k = [], 0
    for n_in, n_out in itertools.pairwise(sizes):
        W = np.asarray(theta[k:k + n_out * n_in], dtype=np.float64).reshape(n_out, n_in)
        k += n_out * n_in
        out.append((W, np.asarray(theta[k:k + n_out], dtype=np.float64)))
        k += n_out
    assert k == len(theta)
    return out


def ref_forward(net, X, theta=None):
    theta = net.theta if theta is None else theta
    U, Y = [None], [np.asarray(X, dtype=np.float64)]
    for (W, b), act in zip(ref_unpack(net.layer_sizes, theta), net.activations, strict=True):
        U.append(Y[-1] @ W.T + b)
        Y.append(REF_F[act.name](U[-1]))
    return U, Y


def ref_mse_value_and_grad(net, X, D, theta=None):
    """The lecture's backpropagation for the mse, written out: delta^M, the recursion and
    the gradients, packed in theta's layout."""
    theta = net.theta if theta is None else theta
    U, Y = ref_forward(net, X, theta)
    Ws = ref_unpack(net.layer_sizes, theta)
    names = [a.name for a in net.activations]
    M = len(Ws)
    N, N_M = D.shape
    J = np.sum((D - Y[M]) ** 2) / (N * N_M)
    delta = -2.0 / (N * N_M) * (D - Y[M]) * REF_DF[names[-1]](U[M])
    blocks = []
    for m in range(M, 0, -1):
        blocks[:0] = [(delta.T @ Y[m - 1]).ravel(), delta.sum(axis=0)]
        if m > 1:
            delta = REF_DF[names[m - 2]](U[m - 1]) * (delta @ Ws[m - 1][0])
    return J, np.concatenate(blocks)


def sample(net, n, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, net.n_inputs)), rng.standard_normal((n, net.n_outputs))


# --- shapes and parameter count -----------------------------------------------------------
def test_the_lectures_2_2_1_network():
    net = MLP([2, 2, 1])
    assert net.layer_sizes == (2, 2, 1)
    assert (net.n_inputs, net.n_outputs, net.n_layers, net.n_params) == (2, 1, 2, 9)
    assert [layer.W.shape for layer in net.layers] == [(2, 2), (1, 2)]
    assert [layer.b.shape for layer in net.layers] == [(2,), (1,)]
    assert [layer.m for layer in net.layers] == [1, 2]
    assert [layer.shape for layer in net.layers] == [(2, 2), (1, 2)]
    assert net.theta.shape == (9,) and net.theta.dtype == np.float64
    assert net.theta.flags.c_contiguous
    assert all(isinstance(layer, Layer) for layer in net.layers)
    assert [a.name for a in net.activations] == ["tanh", "identity"]  # the defaults


@given(st.lists(st.integers(1, 12), min_size=2, max_size=6))
def test_parameter_count(sizes):
    net = MLP(sizes, seed=0)
    expected = sum(n * (n_prev + 1) for n_prev, n in itertools.pairwise(sizes))
    assert net.n_params == expected == net.theta.size
    assert net.n_layers == len(sizes) - 1
    for layer, n_prev, n in zip(net.layers, sizes[:-1], sizes[1:], strict=True):
        assert layer.W.shape == (n, n_prev) and layer.b.shape == (n,)


# --- theta layout and views -----------------------------------------------------------
def test_theta_layout_is_W1_row_major_then_b1_then_W2_b2():
    net = MLP([2, 2, 1], seed=0)
    net.theta = np.arange(9.0)
    np.testing.assert_array_equal(net.layers[0].W, [[0, 1], [2, 3]])  # row i: node i's inputs
    np.testing.assert_array_equal(net.layers[0].b, [4, 5])
    np.testing.assert_array_equal(net.layers[1].W, [[6, 7]])
    np.testing.assert_array_equal(net.layers[1].b, [8])


@given(st.lists(st.integers(1, 6), min_size=2, max_size=5))
def test_views_and_slices_follow_the_layout(sizes):
    net = MLP(sizes, seed=0)
    net.theta = np.arange(net.n_params, dtype=float)
    ref = ref_unpack(sizes, np.arange(net.n_params, dtype=float))
    for layer, (W, b), (sw, sb), (vW, vb) in zip(net.layers, ref, net.layer_slices(),
                                                 net.views(net.theta), strict=True):
        np.testing.assert_array_equal(layer.W, W)
        np.testing.assert_array_equal(layer.b, b)
        np.testing.assert_array_equal(net.theta[sw], W.ravel())
        np.testing.assert_array_equal(net.theta[sb], b)
        assert np.shares_memory(vW, net.theta) and np.shares_memory(vb, net.theta)
    # views() of any vector with theta's layout (a gradient) are views of that vector
    g = np.zeros(net.n_params)
    for gW, gb in net.views(g):
        gW += 1.0
        gb += 2.0
    assert set(np.unique(g)) == {1.0, 2.0}


def test_writing_through_a_layer_changes_theta_and_back():
    net = MLP([2, 3, 2], seed=0)
    for layer in net.layers:
        assert np.shares_memory(layer.W, net.theta) and np.shares_memory(layer.b, net.theta)
    net.layers[0].W[1, 0] = 7.5  # W^1 is 3×2: entry (1, 0) is theta[2]
    assert net.theta[2] == 7.5
    net.layers[1].b[...] = [-1.0, -2.0]  # b^2: the last two entries
    np.testing.assert_array_equal(net.theta[-2:], [-1.0, -2.0])
    net.theta[6] = 3.25  # b^1[0] follows W^1 (6 entries)
    assert net.layers[0].b[0] == 3.25
    net.theta[...] = 0.0
    assert not net.layers[1].W.any()


def test_setting_theta_copies_in_place_and_keeps_views_valid():
    net = MLP([2, 3, 1], seed=0)
    theta_obj, W1 = net.theta, net.layers[0].W
    v = np.linspace(-1, 1, net.n_params)
    net.theta = v
    assert net.theta is theta_obj  # the same array, overwritten
    np.testing.assert_array_equal(net.theta, v)
    v[0] = 99.0  # the network holds a copy
    assert net.theta[0] == -1.0
    assert net.layers[0].W is W1 and W1[0, 0] == -1.0  # old views see the new values
    net.theta = list(range(net.n_params))  # any array-like, cast to the dtype
    assert net.theta.dtype == np.float64 and net.theta[5] == 5.0
    np.testing.assert_array_equal(net.predict([[1.0, 2.0]]),
                                  ref_forward(net, [[1.0, 2.0]])[1][-1])


def test_setting_theta_of_a_float32_network_casts():
    net = MLP([2, 2, 1], seed=0, dtype=np.float32)
    net.theta = np.full(9, 0.1, dtype=np.float64)
    assert net.theta.dtype == np.float32
    np.testing.assert_array_equal(net.theta, np.float32(0.1))


# --- seeds and copies ----------------------------------------------------------------
@pytest.mark.parametrize("init", ["normal", "uniform", "glorot", "he", "fan_in", "nguyen_widrow"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_same_seed_same_theta_different_seed_different_theta(init, dtype):
    sizes = [3, 5, 4, 2]
    a = MLP(sizes, init=init, seed=123, dtype=dtype)
    b = MLP(sizes, init=init, seed=123, dtype=dtype)
    c = MLP(sizes, init=init, seed=124, dtype=dtype)
    np.testing.assert_array_equal(a.theta, b.theta)
    assert a.theta.tobytes() == b.theta.tobytes()  # bit-identical
    assert not np.array_equal(a.theta, c.theta)
    # numpy integers, Generators, and re-initialising
    np.testing.assert_array_equal(MLP(sizes, init=init, seed=np.int64(123), dtype=dtype).theta,
                                  a.theta)
    g1 = MLP(sizes, init=init, seed=np.random.default_rng(123), dtype=dtype)
    np.testing.assert_array_equal(g1.theta, a.theta)
    assert c.initialize(123) is c
    np.testing.assert_array_equal(c.theta, a.theta)


def test_no_seed_gives_fresh_weights():
    assert not np.array_equal(MLP([4, 8, 1]).theta, MLP([4, 8, 1]).theta)


def test_copy_is_independent():
    net = MLP([2, 4, 3], activation="relu", output_activation="softmax", init="he", seed=1)
    X = np.random.default_rng(0).standard_normal((5, 2))
    y0 = net.predict(X)
    twin = net.copy()
    assert twin is not net and twin.theta is not net.theta
    np.testing.assert_array_equal(twin.theta, net.theta)
    np.testing.assert_array_equal(twin.predict(X), y0)
    assert twin.layer_sizes == net.layer_sizes and twin.activations == net.activations
    assert repr(twin) == repr(net)
    for lt in twin.layers:
        assert np.shares_memory(lt.W, twin.theta) and not np.shares_memory(lt.W, net.theta)
    twin.theta = twin.theta * 2.0
    twin.layers[0].b[...] = 5.0
    np.testing.assert_array_equal(net.predict(X), y0)  # untouched, workspaces included
    assert not np.allclose(twin.predict(X), y0)
    net.theta = np.zeros(net.n_params)
    assert twin.theta.any()


# --- predict against a hand-written forward pass ------------------------------------------
@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("output", ["identity", "logistic", "tanh", "softmax", "relu"])
def test_predict_matches_a_hand_written_forward_pass(hidden, output):
    net = MLP([3, 5, 4, 3], activation=hidden, output_activation=output, init="normal",
              seed=2)
    X = np.random.default_rng(3).standard_normal((7, 3))
    Y = net.predict(X)
    assert Y.shape == (7, 3) and Y.dtype == np.float64
    np.testing.assert_allclose(Y, ref_forward(net, X)[1][-1], rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("output", ["identity", "logistic", "softmax"])
def test_predict_in_float32(hidden, output):
    net = MLP([3, 6, 2], activation=hidden, output_activation=output, init="uniform", seed=4,
              dtype=np.float32)
    X = np.random.default_rng(5).standard_normal((9, 3))
    Y = net.predict(X)
    assert Y.dtype == np.float32
    expected = ref_forward(net, X.astype(np.float32))[1][-1]  # float64 math on the same θ
    np.testing.assert_allclose(Y, expected, rtol=1e-5, atol=1e-6)


def test_predict_accepts_lists_and_ints_and_returns_a_fresh_array():
    net = MLP([2, 3, 1], seed=0)
    a = net.predict([[1, 2], [3, 4]])
    np.testing.assert_array_equal(a, net.predict(np.array([[1.0, 2.0], [3.0, 4.0]])))
    a[...] = 0.0
    assert net.predict([[1, 2], [3, 4]]).any()  # the caller's copy, not a workspace buffer
    b = net.predict([[1, 2], [3, 4]])
    net.predict([[5, 6], [7, 8]])  # same batch size: must not overwrite b
    np.testing.assert_array_equal(b, net.predict([[1, 2], [3, 4]]))


def test_per_layer_activations():
    net = MLP([2, 3, 4, 1], activation=["relu", "tansig"], output_activation="logsig",
              init="normal", seed=6)
    assert [layer.activation.name for layer in net.layers] == ["relu", "tanh", "logistic"]
    assert repr(net) == ("MLP([2, 3, 4, 1], activation=['relu', 'tanh'], "
                         "output_activation='logistic', n_params=30)")
    X = np.random.default_rng(0).standard_normal((4, 2))
    np.testing.assert_allclose(net.predict(X), ref_forward(net, X)[1][-1], rtol=1e-13)
    one = MLP([2, 3, 1], activation=("elu",), seed=0)  # a one-name sequence
    assert one.layers[0].activation.name == "elu"
    no_hidden = MLP([3, 2], activation="relu", output_activation="logistic", seed=0)
    assert [a.name for a in no_hidden.activations] == ["logistic"]


def test_summary_and_repr():
    net = MLP([2, 2, 1], seed=0)
    lines = net.summary().splitlines()
    assert lines[0] == "MLP 2-2-1  (float64, init=glorot)"
    assert lines[1].split() == ["layer", "W^m", "b^m", "f^m", "params"]
    assert lines[2].split() == ["m=1", "2×2", "2", "tanh", "6"]
    assert lines[3].split() == ["m=2", "1×2", "1", "identity", "3"]
    assert lines[4].strip() == "total parameters P = 9"
    assert len(lines) == 5
    big = MLP([4, 10, 3], activation="relu", output_activation="softmax", init="he", seed=0,
              dtype=np.float32)
    text = big.summary()
    assert "MLP 4-10-3  (float32, init=he)" in text
    assert "total parameters P = 83" in text
    assert repr(net) == ("MLP([2, 2, 1], activation='tanh', output_activation='identity', "
                         "n_params=9)")
    assert repr(net.layers[0]) == "Layer(m=1, W: 2×2, b: 2, f=tanh)"


# --- initialisers ------------------------------------------------------------------------
BIG = [400, 500, 300]  # 200 000 weights in W^1, 150 000 in W^2


def stats_close(a, mean, std, rel):
    assert abs(a.mean() - mean) < 5 * std / np.sqrt(a.size)
    assert a.std() == pytest.approx(std, rel=rel)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_normal_init(dtype):
    net = MLP(BIG, init="normal", seed=0, dtype=dtype)
    for layer in net.layers:
        assert np.isfinite(layer.W).all() and layer.W.dtype == dtype
        stats_close(layer.W, 0.0, 1.0, 0.01)
        stats_close(layer.b, 0.0, 1.0, 0.15)


def test_uniform_init():
    net = MLP(BIG, init="uniform", seed=0)
    for layer in net.layers:
        for a in (layer.W, layer.b):
            assert a.min() >= -1.0 and a.max() <= 1.0
        assert layer.W.min() < -0.999 and layer.W.max() > 0.999
        stats_close(layer.W, 0.0, 1 / np.sqrt(3), 0.01)


@pytest.mark.parametrize("name", ["glorot", "xavier"])
def test_glorot_init(name):
    net = MLP(BIG, init=name, seed=0)
    for layer in net.layers:
        fan_out, fan_in = layer.W.shape
        bound = np.sqrt(6.0 / (fan_in + fan_out))
        assert np.abs(layer.W).max() <= bound
        assert np.abs(layer.W).max() > 0.999 * bound
        stats_close(layer.W, 0.0, bound / np.sqrt(3), 0.01)
        np.testing.assert_array_equal(layer.b, 0.0)


@pytest.mark.parametrize("name", ["he", "kaiming"])
def test_he_init(name):
    net = MLP(BIG, init=name, seed=0)
    for layer in net.layers:
        stats_close(layer.W, 0.0, np.sqrt(2.0 / layer.W.shape[1]), 0.01)
        np.testing.assert_array_equal(layer.b, 0.0)


@pytest.mark.parametrize("name", ["fan_in", "pytorch", "torch"])
def test_fan_in_init_is_pytorchs_linear_default(name):
    net = MLP([40, 300, 1], init=name, seed=0)
    W, b = net.layers[0].W, net.layers[0].b
    bound = 1 / np.sqrt(40)
    assert np.abs(W).max() <= bound and np.abs(b).max() <= bound
    assert np.abs(W).max() > 0.99 * bound and np.abs(b).max() > 0.9 * bound
    stats_close(W, 0.0, bound / np.sqrt(3.0), 0.01)  # the std of U(-a, a) is a/sqrt(3)


@pytest.mark.parametrize("name", ["nguyen_widrow", "initnw", "nw"])
def test_nguyen_widrow_init(name):
    net = MLP([3, 20, 5, 2], init=name, seed=0)
    for layer in net.layers[:-1]:
        n_hidden, fan_in = layer.W.shape
        beta = 0.7 * n_hidden ** (1.0 / fan_in)
        np.testing.assert_allclose(np.linalg.norm(layer.W, axis=1), beta, rtol=1e-12)
        assert np.abs(layer.b).max() <= beta
    assert np.abs(net.layers[0].b).max() > 0.5 * 0.7 * 20 ** (1 / 3)  # spread over (-β, β)
    out = net.layers[-1]
    assert np.abs(out.W).max() <= 0.5 and np.abs(out.b).max() <= 0.5
    assert np.isfinite(net.theta).all()


def test_custom_initialiser_callable():
    calls = []

    def constant(rng, W, b, is_output):
        calls.append((W.shape, is_output))
        W[...] = 0.5
        b[...] = -0.25

    net = MLP([2, 3, 1], init=constant, seed=0)
    assert calls == [((3, 2), False), ((1, 3), True)]
    np.testing.assert_array_equal(net.layers[0].W, 0.5)
    np.testing.assert_array_equal(net.theta[-1], -0.25)
    assert "init=constant" in net.summary()


# --- forward and backward: the lecture's identities -------------------------------------
def test_forward_keeps_every_activation_and_output():
    net = MLP([3, 4, 5, 2], activation=["tanh", "relu"], output_activation="logistic",
              init="normal", seed=0)
    X = np.random.default_rng(1).standard_normal((6, 3))
    fp = forward(net, X)
    assert fp.U[0] is None
    np.testing.assert_array_equal(fp.Y[0], X)
    assert [u.shape for u in fp.U[1:]] == [(6, 4), (6, 5), (6, 2)]
    assert [y.shape for y in fp.Y] == [(6, 3), (6, 4), (6, 5), (6, 2)]
    for m, layer in enumerate(net.layers, start=1):
        # u^m = W^m y^{m-1} + b^m, samples in rows;  y^m = f^m(u^m)
        np.testing.assert_allclose(fp.U[m], fp.Y[m - 1] @ layer.W.T + layer.b, rtol=1e-14)
        np.testing.assert_allclose(fp.Y[m], REF_F[layer.activation.name](fp.U[m]), rtol=1e-14)
    np.testing.assert_array_equal(fp.output, fp.Y[-1])
    np.testing.assert_array_equal(fp.output, net.predict(X))


def test_forward_results_belong_to_the_caller():
    net = MLP([2, 3, 1], seed=0)
    X1, X2 = np.ones((4, 2)), -np.ones((4, 2))
    fp1 = forward(net, X1)
    kept = [u.copy() for u in fp1.U[1:]]
    forward(net, X2)
    net.predict(X2)
    value_and_grad(net, X2, np.zeros((4, 1)))
    for u, k in zip(fp1.U[1:], kept, strict=True):
        np.testing.assert_array_equal(u, k)


def test_forward_at_another_theta():
    net = MLP([2, 3, 1], seed=0)
    other = net.theta + 1.0
    before = net.theta.copy()
    fp = forward(net, np.ones((2, 2)), theta=other)
    np.testing.assert_array_equal(net.theta, before)
    np.testing.assert_allclose(fp.output, ref_forward(net, np.ones((2, 2)), other)[1][-1],
                               rtol=1e-14)


def test_forward_and_backward_work_for_a_softmax_classifier():
    """Regression: forward() validated theta through the mse loss, which rejects softmax
    outputs, so no classifier could be passed through forward()/backward()."""
    net = MLP([2, 3, 3], output_activation="softmax", seed=0)
    X = np.random.default_rng(0).standard_normal((4, 2))
    D = np.eye(3)[[0, 1, 2, 0]]
    fp = forward(net, X)
    np.testing.assert_allclose(fp.output.sum(axis=1), 1.0)
    bp = backward(net, fp, D, loss="cross_entropy")
    np.testing.assert_allclose(bp.deltas[2], (fp.output - D) / 4, rtol=1e-14)


@pytest.mark.parametrize(("loss", "output"), [
    ("mse", "identity"), ("mse", "logistic"), ("mse", "tanh"), ("sse", "tanh"),
    ("binary_cross_entropy", "logistic"),
])
def test_backward_satisfies_the_lectures_equations(loss, output):
    hidden = ["tanh", "logistic", "softplus"]
    net = MLP([3, 5, 4, 3, 2], activation=hidden, output_activation=output, init="normal",
              seed=7)
    rng = np.random.default_rng(8)
    X = rng.standard_normal((6, 3))
    D = rng.integers(0, 2, (6, 2)).astype(float) if loss != "mse" else rng.standard_normal((6, 2))
    fp = forward(net, X)
    bp = backward(net, fp, D, loss=loss)
    N, N_M, M = 6, 2, net.n_layers
    U, Y, deltas = fp.U, fp.Y, bp.deltas

    assert deltas[0] is None
    assert [d.shape for d in deltas[1:]] == [(6, 5), (6, 4), (6, 3), (6, 2)]
    # output sensitivity
    if loss == "mse":
        expected = -2.0 / (N * N_M) * (D - Y[M]) * REF_DF[output](U[M])
    elif loss == "sse":
        expected = -2.0 * (D - Y[M]) * REF_DF[output](U[M])
    else:
        expected = (Y[M] - D) / N
    np.testing.assert_allclose(deltas[M], expected, rtol=1e-13, atol=1e-17)
    # recursion: deltas[m-1] = f'(U[m-1]) ⊙ (deltas[m] W^m)
    for m in range(M, 1, -1):
        f1 = REF_DF[hidden[m - 2]](U[m - 1])
        np.testing.assert_allclose(deltas[m - 1], f1 * (deltas[m] @ net.layers[m - 1].W),
                                   rtol=1e-12, atol=1e-17)
    # gradients: dJ/dW^m = deltas[m]ᵀ Y[m-1], dJ/db^m = Σ_rows deltas[m]
    for m, (sw, sb) in enumerate(net.layer_slices(), start=1):
        np.testing.assert_allclose(bp.grad[sw], (deltas[m].T @ Y[m - 1]).ravel(), rtol=1e-13,
                                   atol=1e-17)
        np.testing.assert_allclose(bp.grad[sb], deltas[m].sum(axis=0), rtol=1e-13, atol=1e-17)
    # and the same J and gradient as value_and_grad
    J, g = value_and_grad(net, X, D, loss=loss)
    assert bp.J == J
    np.testing.assert_array_equal(bp.grad, g)


@pytest.mark.parametrize("hidden", HIDDEN)
def test_gradient_matches_a_hand_written_backpropagation(hidden):
    net = MLP([3, 6, 4, 2], activation=hidden, output_activation="tanh", init="normal",
              seed=9)
    X, D = sample(net, 8, seed=10)
    J, g = value_and_grad(net, X, D)
    J_ref, g_ref = ref_mse_value_and_grad(net, X, D)
    assert J == pytest.approx(J_ref, rel=1e-13)
    np.testing.assert_allclose(g, g_ref, rtol=1e-11, atol=1e-15)


def test_value_and_grad_at_another_theta_leaves_the_network_alone():
    net = MLP([2, 4, 1], activation="logistic", init="normal", seed=0)
    X, D = sample(net, 5)
    before = net.theta.copy()
    other = np.random.default_rng(1).standard_normal(net.n_params)
    J, g = value_and_grad(net, X, D, theta=other)
    np.testing.assert_array_equal(net.theta, before)
    J_ref, g_ref = ref_mse_value_and_grad(net, X, D, theta=other)
    assert J == pytest.approx(J_ref, rel=1e-13)
    np.testing.assert_allclose(g, g_ref, rtol=1e-11, atol=1e-15)
    # and at net.theta (the default) the result is different
    assert value_and_grad(net, X, D)[0] != J


def test_workspace_reuse_never_leaks_stale_data():
    """Many batch sizes (more than the workspaces kept), revisited with new data."""
    net = MLP([3, 5, 2], activation="relu", output_activation="identity", init="normal",
              seed=0)
    results = []
    for rnd, n in enumerate([7, 3, 7, 1, 2, 4, 5, 6, 3, 7, 1]):
        X, D = sample(net, n, seed=100 + rnd)
        J, g = value_and_grad(net, X, D)
        J_ref, g_ref = ref_mse_value_and_grad(net, X, D)
        assert J == pytest.approx(J_ref, rel=1e-13)
        np.testing.assert_allclose(g, g_ref, rtol=1e-11, atol=1e-15)
        np.testing.assert_allclose(net.predict(X), ref_forward(net, X)[1][-1], rtol=1e-13)
        results.append((g, g.copy()))
    for g, kept in results:  # returned gradients are fresh arrays, never overwritten later
        np.testing.assert_array_equal(g, kept)


def test_float32_value_and_grad():
    net = MLP([3, 4, 2], activation="tanh", init="uniform", seed=0, dtype=np.float32)
    X, D = sample(net, 6)
    J, g = value_and_grad(net, X, D)
    assert g.dtype == np.float32 and isinstance(J, float)
    J_ref, g_ref = ref_mse_value_and_grad(net, X.astype(np.float32), D.astype(np.float32))
    assert J == pytest.approx(J_ref, rel=1e-5)
    np.testing.assert_allclose(g, g_ref, rtol=1e-4, atol=1e-6)


def test_single_output_accepts_1d_targets():
    net = MLP([2, 3, 1], seed=0)
    X = np.random.default_rng(0).standard_normal((5, 2))
    d = np.arange(5.0)
    J1, g1 = value_and_grad(net, X, d)
    J2, g2 = value_and_grad(net, X, d.reshape(-1, 1))
    assert J1 == J2
    np.testing.assert_array_equal(g1, g2)


# --- Objective ------------------------------------------------------------------------
def test_objective_caches_the_last_point():
    net = MLP([2, 3, 1], activation="tanh", init="normal", seed=0)
    X, D = sample(net, 6)
    obj = Objective(net, X, D, loss="mse")
    assert obj.n_samples == 6 and (obj.n_value, obj.n_grad) == (0, 0)
    th = net.theta.copy()
    J1, g1 = obj.value_and_grad(th)
    J2, g2 = obj.value_and_grad(th.copy())  # equal values hit the cache
    assert (obj.n_value, obj.n_grad) == (0, 1)
    assert J2 == J1 and g2 is g1
    assert obj.value(th) == J1 and obj.n_value == 0
    J_ref, g_ref = ref_mse_value_and_grad(net, X, D)
    assert J1 == pytest.approx(J_ref, rel=1e-13)
    np.testing.assert_allclose(g1, g_ref, rtol=1e-11, atol=1e-15)

    th2 = th + 0.1
    J3 = obj.value(th2)
    assert obj.value(th2) == J3 and (obj.n_value, obj.n_grad) == (1, 1)
    J4, g4 = obj.value_and_grad(th2)  # value alone cached no gradient
    assert J4 == J3 and (obj.n_value, obj.n_grad) == (1, 2)
    J5, g5 = value_and_grad(net, X, D, theta=th2)
    assert J4 == J5
    np.testing.assert_array_equal(g4, g5)
    np.testing.assert_array_equal(net.theta, th)  # the objective never moves net.theta
    assert repr(obj) == "Objective(mse, N=6, P=13, evaluations: 1 J, 2 J+∇J)"


def test_objective_gradients_are_read_only_and_survive_in_place_changes_of_theta():
    net = MLP([2, 3, 1], seed=0)
    X, D = sample(net, 4)
    obj = Objective(net, X, D)
    th = net.theta.copy()
    J, g = obj.value_and_grad(th)
    assert not g.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        g[0] = 1.0
    g_kept = g.copy()
    th[0] += 0.5  # the caller changes its array in place: the cache must notice
    J_new, g_new = obj.value_and_grad(th)
    assert obj.n_grad == 2 and J_new != J
    np.testing.assert_array_equal(g, g_kept)  # the first result is untouched
    assert not np.array_equal(g_new, g_kept)


def test_objective_copies_and_checks_the_data():
    net = MLP([2, 3, 1], seed=0)
    X, D = sample(net, 4)
    obj = Objective(net, X.tolist(), D[:, 0])  # lists and 1-D targets are accepted
    assert obj.X.shape == (4, 2) and obj.D.shape == (4, 1)
    J, _ = obj.value_and_grad(net.theta)
    assert J == pytest.approx(value_and_grad(net, X, D)[0], rel=1e-15)
