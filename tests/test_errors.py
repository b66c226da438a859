"""Bad input gets a clear error: what is wrong, what was received, how to fix it.

Each message is matched on its key words; data errors name the entry point first
("value_and_grad: X has 4 rows but D has 3; they must match ...").
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from sinapse import MLP, Objective, gradcheck, value_and_grad
from sinapse.backprop import backward, forward

ENTRY_POINTS = ["value_and_grad", "Objective", "gradcheck"]


def call(where, net, X, D):
    if where == "value_and_grad":
        return value_and_grad(net, X, D)
    if where == "Objective":
        return Objective(net, X, D)
    if where == "gradcheck":
        return gradcheck(net, X, D)
    raise AssertionError(where)


@pytest.fixture
def net():
    return MLP([2, 3, 1], seed=0)  # 13 weights


def good_data(n=4):
    rng = np.random.default_rng(0)
    return rng.standard_normal((n, 2)), rng.standard_normal((n, 1))


def test_good_data_is_accepted(net):
    for where in ENTRY_POINTS:
        call(where, net, *good_data())  # the baseline the failures below depart from


# --- shapes ---------------------------------------------------------------------------
@pytest.mark.parametrize("where", ENTRY_POINTS)
def test_row_counts_differ(net, where):
    X, D = good_data()
    with pytest.raises(ValueError, match=rf"^{where}: X has 4 rows but D has 3; they must "
                                         r"match \(one row per sample\)\.$"):
        call(where, net, X, D[:3])


@pytest.mark.parametrize("where", ENTRY_POINTS)
def test_wrong_column_counts(net, where):
    X, D = good_data()
    with pytest.raises(ValueError, match=rf"^{where}: X has 3 columns but the network has 2 "
                                         r"inputs; they must match\.$"):
        call(where, net, np.ones((4, 3)), D)
    with pytest.raises(ValueError, match=rf"^{where}: D has 2 columns but the network has 1 "
                                         r"outputs; they must match\.$"):
        call(where, net, X, np.ones((4, 2)))


def test_wrong_column_counts_in_predict_and_forward(net):
    with pytest.raises(ValueError, match=r"^MLP\.predict: X has 5 columns but the network has "
                                         r"2 inputs"):
        net.predict(np.ones((3, 5)))
    with pytest.raises(ValueError, match=r"^forward: X has 1 columns but the network has 2"):
        forward(net, np.ones((3, 1)))
    fp = forward(net, np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"^backward: D has 3 columns but the network has 1 "
                                         r"outputs"):
        backward(net, fp, np.ones((3, 3)))
    with pytest.raises(ValueError, match=r"^backward: X has 3 rows but D has 2"):
        backward(net, fp, np.ones((2, 1)))


@pytest.mark.parametrize("where", ENTRY_POINTS)
def test_one_dimensional_X_suggests_a_reshape(net, where):
    _, D = good_data()
    with pytest.raises(ValueError, match=rf"^{where}: X must be 2-D with samples in rows; got "
                                         r"shape \(4,\)\. Use X\.reshape\(-1, 1\) for a "
                                         r"single column\.$"):
        call(where, net, np.ones(4), D)


def test_one_dimensional_input_to_predict(net):
    with pytest.raises(ValueError, match=r"X must be 2-D .* got shape \(2,\)\. "
                                         r"Use X\.reshape\(-1, 1\)"):
        net.predict(np.array([0.5, 0.5]))


def test_one_dimensional_targets_only_for_a_single_output():
    wide = MLP([2, 3, 2], seed=0)
    with pytest.raises(ValueError, match=r"D must be 2-D with samples in rows; got shape "
                                         r"\(4,\)\. Use D\.reshape\(-1, 1\)"):
        value_and_grad(wide, np.ones((4, 2)), np.ones(4))


def test_three_dimensional_input(net):
    with pytest.raises(ValueError, match=r"X must be 2-D with samples in rows; got shape "
                                         r"\(2, 2, 2\)\.$"):
        net.predict(np.ones((2, 2, 2)))


def test_ragged_lists(net):
    with pytest.raises(ValueError, match=r"^MLP\.predict: X is not a rectangular numeric "
                                         r"array"):
        net.predict([[1.0, 2.0], [3.0]])


# --- values ---------------------------------------------------------------------------
@pytest.mark.parametrize("where", ENTRY_POINTS)
def test_nan_in_X_names_the_index(net, where):
    X, D = good_data()
    X[2, 1] = np.nan
    with pytest.raises(ValueError, match=rf"^{where}: X contains 1 NaN value\(s\), the first "
                                         r"at index \(2, 1\); remove or impute them"):
        call(where, net, X, D)


@pytest.mark.parametrize("where", ENTRY_POINTS)
@pytest.mark.parametrize("bad", [np.inf, -np.inf])
def test_infinite_target_names_the_index(net, where, bad):
    X, D = good_data()
    D[3, 0] = bad
    with pytest.raises(ValueError, match=rf"^{where}: D contains 1 infinite value\(s\), the "
                                         r"first at index \(3, 0\)"):
        call(where, net, X, D)


def test_nan_and_infinite_are_counted_separately(net):
    X, D = good_data()
    X[1, 0] = np.inf
    X[2, 1] = np.nan
    X[3, 0] = np.nan
    with pytest.raises(ValueError, match=r"X contains 2 NaN, 1 infinite value\(s\), the first "
                                         r"at index \(1, 0\)"):
        value_and_grad(net, X, D)


def test_nan_in_predict_and_forward(net):
    X = np.ones((3, 2))
    X[0, 0] = np.nan
    with pytest.raises(ValueError, match=r"^MLP\.predict: X contains 1 NaN .* \(0, 0\)"):
        net.predict(X)
    with pytest.raises(ValueError, match=r"^forward: X contains 1 NaN"):
        forward(net, X)


@pytest.mark.parametrize("where", ENTRY_POINTS)
def test_empty_arrays(net, where):
    with pytest.raises(ValueError, match=rf"^{where}: X is empty \(shape \(0, 2\)\); it needs "
                                         r"at least one row and column\.$"):
        call(where, net, np.empty((0, 2)), np.empty((0, 1)))
    with pytest.raises(ValueError, match=rf"^{where}: D is empty \(shape \(3, 0\)\)"):
        call(where, net, np.ones((3, 2)), np.empty((3, 0)))


def test_empty_input_to_predict(net):
    with pytest.raises(ValueError, match=r"X is empty \(shape \(3, 0\)\)"):
        net.predict(np.empty((3, 0)))
    with pytest.raises(ValueError, match=r"X is empty \(shape \(0, 2\)\)"):
        net.predict(np.empty((0, 2)))


# --- dtypes ---------------------------------------------------------------------------
@pytest.mark.parametrize("where", ENTRY_POINTS)
def test_text_inputs_are_a_type_error(net, where):
    _, D = good_data(1)
    with pytest.raises(TypeError, match=rf"^{where}: X must hold real numbers; got dtype <U1\. "
                                        r"Convert it first, e\.g\. X\.astype\(float\) after "
                                        r"encoding the text labels\.$"):
        call(where, net, np.array([["a", "b"]]), D)
    with pytest.raises(TypeError, match=r"D must hold real numbers; got dtype <U3"):
        call(where, net, np.ones((1, 2)), np.array([["cat"]]))


def test_object_and_complex_inputs_are_type_errors(net):
    with pytest.raises(TypeError, match=r"X must hold real numbers; got dtype object"):
        value_and_grad(net, np.array([[1.0, None]], dtype=object), [[1.0]])
    with pytest.raises(TypeError, match=r"X must hold real numbers; got dtype complex128\. "
                                        r"Convert it first, e\.g\. X\.astype\(float\)\.$"):
        net.predict(np.ones((2, 2), dtype=complex))


def test_integer_and_boolean_data_are_converted(net):
    J_int, _ = value_and_grad(net, np.array([[1, 0], [0, 1]]), np.array([[1], [0]]))
    J_float, _ = value_and_grad(net, [[1.0, 0.0], [0.0, 1.0]], [[1.0], [0.0]])
    assert J_int == J_float
    np.testing.assert_array_equal(net.predict(np.array([[True, False]])),
                                  net.predict([[1.0, 0.0]]))


@pytest.mark.parametrize("dtype", [np.float16, np.int64, int, np.complex128, np.uint8])
def test_unsupported_network_dtype(dtype):
    name = np.dtype(dtype).name
    with pytest.raises(TypeError, match=rf"^MLP: dtype must be float64 or float32; got "
                                        rf"{name}\.$"):
        MLP([2, 2, 1], dtype=dtype)


# --- names ----------------------------------------------------------------------------
def test_unknown_activation_names():
    known = r"choose one of: elu, identity, leaky_relu, logistic, relu, softmax, softplus, tanh"
    with pytest.raises(ValueError, match=rf"^Unknown activation 'swish'; {known}\.$"):
        MLP([2, 3, 1], activation="swish")
    with pytest.raises(ValueError, match=r"^Unknown activation 'sigmod'"):
        MLP([2, 3, 1], output_activation="sigmod")
    with pytest.raises(ValueError, match=r"^Unknown activation 'gelu'"):
        MLP([2, 3, 3, 1], activation=["tanh", "gelu"])


def test_unknown_loss_name(net):
    X, D = good_data()
    for entry in (lambda: value_and_grad(net, X, D, loss="hinge"),
                  lambda: Objective(net, X, D, loss="hinge"),
                  lambda: gradcheck(net, X, D, loss="hinge")):
        with pytest.raises(ValueError, match=r"^Unknown loss 'hinge'; choose one of: mse, "
                                             r"sse, binary_cross_entropy, cross_entropy\.$"):
            entry()


def test_unknown_initialiser_name():
    with pytest.raises(ValueError, match=r"^Unknown initialiser 'zeros'; choose one of: "
                                         r"normal, uniform, glorot, he, fan_in, nguyen_widrow\.$"):
        MLP([2, 3, 1], init="zeros")


def test_names_of_the_wrong_type():
    with pytest.raises(TypeError, match=r"init must be a name \(str\) or a callable; got int"):
        MLP([2, 3, 1], init=3)
    with pytest.raises(TypeError, match=r"activation must be a name \(str\); got int"):
        MLP([2, 3, 1], output_activation=3)
    with pytest.raises(TypeError, match=r"loss must be a name \(str\); got NoneType"):
        value_and_grad(MLP([2, 3, 1], seed=0), *good_data(), loss=None)


def test_activation_of_the_wrong_type_names_the_argument():
    """Regression: activation=3 used to fail inside list(3) ("'int' object is not
    iterable"), without naming the argument."""
    with pytest.raises(TypeError, match=r"^MLP: activation must be a name like 'tanh' or a "
                                        r"list of names, one per hidden layer; got 3\.$"):
        MLP([2, 3, 1], activation=3)


@pytest.mark.parametrize(("sizes", "activation", "layer"), [
    ([2, 3, 1], "softmax", 1),
    ([2, 3, 4, 1], ["tanh", "softmax"], 2),
])
def test_softmax_in_a_hidden_layer(sizes, activation, layer):
    with pytest.raises(ValueError, match=rf"^MLP: softmax is allowed only on the output layer; "
                                         rf"hidden layer {layer} asked for it\. Use tanh or "
                                         r"relu there\.$"):
        MLP(sizes, activation=activation)


def test_loss_that_does_not_fit_the_output_activation():
    net = MLP([2, 3, 1], output_activation="identity", seed=0)
    with pytest.raises(ValueError, match=r"^The cross_entropy loss needs a softmax output "
                                         r"layer; got output_activation='identity'\. Build the "
                                         r"network with output_activation='softmax', or "
                                         r"choose loss='mse'\.$"):
        value_and_grad(net, *good_data(), loss="cross_entropy")


def test_activation_list_of_the_wrong_length():
    with pytest.raises(ValueError, match=r"^MLP: activation lists 1 names but the network has "
                                         r"2 hidden layers; give one name or one per hidden "
                                         r"layer\.$"):
        MLP([2, 3, 3, 1], activation=["tanh"])
    with pytest.raises(ValueError, match=r"activation lists 2 names but the network has 0 "
                                         r"hidden layers"):
        MLP([2, 1], activation=["tanh", "relu"])


# --- layer sizes ----------------------------------------------------------------------
@pytest.mark.parametrize("sizes", [[2], [], (5,)])
def test_layer_sizes_too_short(sizes):
    with pytest.raises(ValueError, match=r"^MLP: layer_sizes needs the input width and at least "
                                         rf"one layer, e\.g\. \[2, 2, 1\]; got "
                                         rf"{re.escape(repr(list(sizes)))}\.$"):
        MLP(sizes)


@pytest.mark.parametrize(("bad", "shown"), [
    (0, "0"), (-1, "-1"), (2.5, "2.5"), (2.0, "2.0"), ("3", "'3'"), (True, "True"),
    (None, "None"),
])
def test_layer_sizes_must_be_positive_integers(bad, shown):
    with pytest.raises(ValueError, match=rf"^MLP: every layer size must be an integer >= 1; "
                                         rf"got {re.escape(shown)}\.$"):
        MLP([2, bad, 1])


def test_numpy_integer_layer_sizes_are_fine():
    net = MLP(np.array([2, 3, 1]), seed=0)
    assert net.layer_sizes == (2, 3, 1) and all(type(n) is int for n in net.layer_sizes)


@pytest.mark.parametrize("bad", ["221", 3, None])
def test_layer_sizes_must_be_a_list(bad):
    with pytest.raises(TypeError, match=rf"^MLP: layer_sizes must be a list of ints like "
                                        rf"\[2, 2, 1\]; got {re.escape(repr(bad))}\.$"):
        MLP(bad)


# --- theta, seeds, initialisers -------------------------------------------------------
@pytest.mark.parametrize("shape", [(5,), (14,), (13, 1), (1, 13), ()])
def test_setting_theta_with_the_wrong_shape(net, shape):
    before = net.theta.copy()
    with pytest.raises(ValueError, match=rf"^MLP\.theta: expected a vector of 13 weights; "
                                         rf"got shape {re.escape(str(shape))}\.$"):
        net.theta = np.ones(shape)
    np.testing.assert_array_equal(net.theta, before)  # nothing was written


def test_setting_theta_with_text(net):
    with pytest.raises(TypeError, match=r"^MLP\.theta: weights must be real numbers; got "
                                        r"dtype <U1\.$"):
        net.theta = np.array(["a"] * 13)


def test_evaluating_at_a_theta_of_the_wrong_shape(net):
    X, D = good_data()
    with pytest.raises(ValueError, match=r"^theta must be a vector of 13 weights; got shape "
                                         r"\(3,\)\.$"):
        value_and_grad(net, X, D, theta=np.ones(3))
    with pytest.raises(ValueError, match=r"theta must be a vector of 13 weights"):
        forward(net, X, theta=np.ones((13, 1)))
    with pytest.raises(ValueError, match=r"theta must be a vector of 13 weights"):
        gradcheck(net, X, D, theta=np.ones(12))


@pytest.mark.parametrize("seed", [1.5, "7", True, [1, 2]])
def test_bad_seed(seed):
    with pytest.raises(TypeError, match=r"^seed must be an int, a numpy Generator or None; "
                                        rf"got {re.escape(repr(seed))}\.$"):
        MLP([2, 3, 1], seed=seed)


def test_initialiser_that_produces_non_finite_weights():
    def broken(rng, W, b, is_output):
        W[...] = np.nan
        b[...] = 0.0

    with pytest.raises(ValueError, match=r"^MLP: the initialiser produced non-finite "
                                         r"weights\.$"):
        MLP([2, 3, 1], init=broken)
