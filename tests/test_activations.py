"""Activations: f against independent formulas, f' and f'' against closed forms and finite
differences, behaviour at large |u|, softmax, and the name registry."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.special as sp

from _reference import REF_DF
from sinapse.activations import ACTIVATIONS, ELU_ALPHA, LEAKY_SLOPE, Activation, get_activation

ELEMENTWISE = ["identity", "logistic", "tanh", "relu", "leaky_relu", "elu", "softplus"]
KINK_IN_F1 = {"relu", "leaky_relu"}  # f' jumps at u = 0
KINK_IN_F2 = {"relu", "leaky_relu", "elu"}  # f'' jumps at u = 0

# --- independent formulas (NumPy / SciPy, written without the library) -----------------
F = {
    "identity": lambda u: u.copy(),
    "logistic": sp.expit,
    "tanh": np.tanh,
    "relu": lambda u: np.where(u > 0, u, 0.0),
    "leaky_relu": lambda u: np.where(u > 0, u, 0.01 * u),
    "elu": lambda u: np.where(u > 0, u, np.exp(np.minimum(u, 0.0)) - 1.0),
    "softplus": lambda u: np.maximum(u, 0.0) + np.log1p(np.exp(-np.abs(u))),
}
D2F = {
    "identity": lambda u: np.zeros_like(u),
    "logistic": lambda u: sp.expit(u) * sp.expit(-u) * (sp.expit(-u) - sp.expit(u)),
    "tanh": lambda u: -2.0 * np.tanh(u) / np.cosh(u) ** 2,
    "relu": lambda u: np.zeros_like(u),
    "leaky_relu": lambda u: np.zeros_like(u),
    "elu": lambda u: np.where(u > 0, 0.0, np.exp(np.minimum(u, 0.0))),
    "softplus": lambda u: sp.expit(u) * sp.expit(-u),
}

# a grid in [-12, 12] that avoids the kink at 0 by at least 1e-3 ...
GRID = np.linspace(-12.0, 12.0, 240)  # even count: 0 is not on it
GRID = GRID[np.abs(GRID) > 1e-3]
# ... plus points near and far
POINTS = np.concatenate([GRID, [-50.0, -30.0, -1e-7, 1e-7, 30.0, 50.0]])


def f(act, u):
    return act.f(u, np.empty_like(u))


def df(act, u):
    return act.df(u, f(act, u), np.empty_like(u))


def d2f(act, u):
    return act.d2f(u, f(act, u), np.empty_like(u))


@pytest.fixture(params=ELEMENTWISE)
def name(request):
    return request.param


def test_constants_are_the_documented_ones():
    assert LEAKY_SLOPE == 0.01
    assert ELU_ALPHA == 1.0


def test_f_matches_independent_formula(name):
    act = get_activation(name)
    np.testing.assert_allclose(f(act, POINTS), F[name](POINTS), rtol=1e-13, atol=1e-15)


def test_first_derivative_matches_closed_form(name):
    act = get_activation(name)
    np.testing.assert_allclose(df(act, POINTS), REF_DF[name](POINTS), rtol=1e-12, atol=1e-15)


def test_second_derivative_matches_closed_form(name):
    act = get_activation(name)
    np.testing.assert_allclose(d2f(act, POINTS), D2F[name](POINTS), rtol=1e-12, atol=1e-15)


def test_first_derivative_matches_central_differences_of_f(name):
    act = get_activation(name)
    h = 1e-6
    u = GRID  # at least 1e-3 from the kinks
    fd = (f(act, u + h) - f(act, u - h)) / (2 * h)
    # truncation h²·f'''/6 ~ 1e-12, round-off eps·|f|/h ~ 1e-9
    np.testing.assert_allclose(df(act, u), fd, rtol=1e-7, atol=1e-8)


def test_second_derivative_matches_central_differences_of_first(name):
    act = get_activation(name)
    h = 1e-6
    u = GRID
    fd = (df(act, u + h) - df(act, u - h)) / (2 * h)
    np.testing.assert_allclose(d2f(act, u), fd, rtol=1e-7, atol=1e-8)


def test_lecture_derivatives_in_terms_of_the_output():
    """The lecture's f' = f(1 - f) for logistic and f' = 1 - f² for tanh, exactly."""
    u = np.linspace(-6, 6, 25)
    lo, ta = get_activation("logistic"), get_activation("tanh")
    y = f(lo, u)
    np.testing.assert_array_equal(df(lo, u), y * (1 - y))
    t = f(ta, u)
    np.testing.assert_array_equal(df(ta, u), 1 - t * t)


@pytest.mark.parametrize("kinked", sorted(KINK_IN_F1))
def test_derivative_at_the_kink_is_a_one_sided_derivative(kinked):
    act = get_activation(kinked)
    zero = np.zeros(1)
    left, right = REF_DF[kinked](np.array([-1.0]))[0], REF_DF[kinked](np.array([1.0]))[0]
    assert df(act, zero)[0] in (left, right)
    assert f(act, zero)[0] == 0.0
    assert d2f(act, zero)[0] == 0.0


def test_elu_is_continuously_differentiable_at_zero():
    act = get_activation("elu")
    u = np.array([-1e-12, 0.0, 1e-12])
    np.testing.assert_allclose(df(act, u), 1.0, rtol=1e-11)
    assert d2f(act, np.zeros(1))[0] in (0.0, 1.0)  # f'' jumps from 1 to 0


# --- large |u| ------------------------------------------------------------------------
LIMITS = {  # name: (f, f', f'') at u = -800 and at u = +800
    "identity": ((-800.0, 1.0, 0.0), (800.0, 1.0, 0.0)),
    "logistic": ((0.0, 0.0, 0.0), (1.0, 0.0, 0.0)),
    "tanh": ((-1.0, 0.0, 0.0), (1.0, 0.0, 0.0)),
    "relu": ((0.0, 0.0, 0.0), (800.0, 1.0, 0.0)),
    "leaky_relu": ((-8.0, 0.01, 0.0), (800.0, 1.0, 0.0)),
    "elu": ((-1.0, 0.0, 0.0), (800.0, 1.0, 0.0)),
    "softplus": ((0.0, 0.0, 0.0), (800.0, 1.0, 0.0)),
}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_large_inputs_give_finite_limits_without_warnings(name, dtype):
    """u = ±800 (overflow territory for exp): finite results, no overflow (warnings are
    errors in the test run, and errstate turns overflow/invalid into exceptions too)."""
    act = get_activation(name)
    u = np.array([-800.0, 800.0], dtype=dtype)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        y, d1, d2 = f(act, u), df(act, u), d2f(act, u)
    for arr in (y, d1, d2):
        assert arr.dtype == dtype
        assert np.isfinite(arr).all()
    expected = np.array(LIMITS[name], dtype=dtype).T  # rows f, f', f''; columns -800, +800
    rtol = 1e-6 if dtype == np.float32 else 1e-15
    np.testing.assert_allclose(np.stack([y, d1, d2]), expected, rtol=rtol, atol=1e-30)


def test_float32_matches_float64(name):
    act = get_activation(name)
    u64 = POINTS
    u32 = u64.astype(np.float32)
    for fn in (f, df, d2f):
        r32, r64 = fn(act, u32), fn(act, u32.astype(np.float64))
        assert r32.dtype == np.float32
        # f' = 1 - y² from a float32 y: absolute error ~eps32
        np.testing.assert_allclose(r32, r64, rtol=2e-6, atol=3e-7)


def test_functions_fill_the_buffer_and_leave_u_alone(name):
    act = get_activation(name)
    u = np.linspace(-3, 3, 12).reshape(3, 4)
    u0 = u.copy()
    out = np.full_like(u, np.nan)
    assert act.f(u, out) is out
    y = out.copy()
    out2 = np.full_like(u, np.nan)
    assert act.df(u, y, out2) is out2
    out3 = np.full_like(u, np.nan)
    assert act.d2f(u, y, out3) is out3
    np.testing.assert_array_equal(u, u0)
    for arr in (out, out2, out3):
        assert np.isfinite(arr).all()


# --- softmax --------------------------------------------------------------------------
def softmax(u):
    return get_activation("softmax").f(u, np.empty_like(u))


def test_softmax_matches_scipy_and_rows_sum_to_one():
    u = np.random.default_rng(0).standard_normal((50, 7)) * 5
    y = softmax(u)
    np.testing.assert_allclose(y, sp.softmax(u, axis=1), rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(y.sum(axis=1), 1.0, rtol=1e-15 * 8)
    assert (y > 0).all()


def test_softmax_is_shift_invariant_and_stable_for_huge_inputs():
    u = np.random.default_rng(1).standard_normal((4, 3))
    np.testing.assert_allclose(softmax(u + 700.0), softmax(u), rtol=1e-12)
    huge = np.array([[1e4, 0.0, -1e4],
                     [1e300, 1e300, -1e300],
                     [-800.0, -800.0, -800.0],
                     [800.0, 800.0 + np.log(3.0), -np.inf]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        y = softmax(huge)
    expected = np.array([[1.0, 0.0, 0.0], [0.5, 0.5, 0.0], [1 / 3, 1 / 3, 1 / 3],
                         [0.25, 0.75, 0.0]])
    np.testing.assert_allclose(y, expected, rtol=1e-13, atol=0)
    np.testing.assert_allclose(y.sum(axis=1), 1.0, rtol=1e-15)


def test_softmax_float32_huge_inputs():
    u = np.array([[1e30, 0.0], [-1e30, 1e30]], dtype=np.float32)
    with np.errstate(over="raise", invalid="raise"):
        y = softmax(u)
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y, [[1.0, 0.0], [0.0, 1.0]])


def test_softmax_is_output_only():
    act = get_activation("softmax")
    assert act.elementwise is False
    assert act.df is None and act.d2f is None
    assert all(ACTIVATIONS[n].elementwise for n in ELEMENTWISE)


# --- registry -------------------------------------------------------------------------
@pytest.mark.parametrize(("alias", "canonical"), [
    ("sigmoid", "logistic"), ("logsig", "logistic"), ("tansig", "tanh"),
    ("linear", "identity"), ("purelin", "identity"),
    ("TANH", "tanh"), ("Sigmoid", "logistic"), ("ReLU", "relu"),
])
def test_aliases(alias, canonical):
    assert get_activation(alias) is ACTIVATIONS[canonical]
    assert get_activation(alias).name == canonical


def test_registry_holds_every_documented_activation():
    assert set(ACTIVATIONS) == {*ELEMENTWISE, "softmax"}
    for key, act in ACTIVATIONS.items():
        assert act.name == key
        assert get_activation(key) is act
        assert repr(act) == f"Activation({key!r})"


def test_an_activation_object_passes_through():
    act = ACTIVATIONS["elu"]
    assert get_activation(act) is act
    custom = Activation("cube", lambda u, out: np.power(u, 3, out=out), None, None)
    assert get_activation(custom) is custom


def test_unknown_activation_lists_the_known_names():
    with pytest.raises(ValueError, match=r"Unknown activation 'swish'; choose one of: ") as exc:
        get_activation("swish")
    for known in [*ELEMENTWISE, "softmax"]:
        assert known in str(exc.value)


def test_activation_name_must_be_a_string():
    with pytest.raises(TypeError, match=r"activation must be a name \(str\); got int"):
        get_activation(3)


def test_logistic_keeps_relative_precision_in_the_left_tail():
    """Regression: 0.5·(1 + tanh(u/2)) cancels for u << 0 (logistic(-40) gave 0.0)."""
    u = np.array([-20.0, -30.0, -40.0, -100.0])
    np.testing.assert_allclose(f(get_activation("logistic"), u), sp.expit(u), rtol=1e-12)
