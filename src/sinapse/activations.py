"""Activation functions ``f``, their derivatives ``f'`` and second derivatives ``f''``.

Every function writes into a caller-owned buffer (``out=``) so the training loop never
allocates fresh memory on the hot path. ``f'`` and ``f''`` receive both the activation
``u`` and the output ``y = f(u)``: the lecture's logistic and tanh derivatives are cheaper
in terms of ``y`` (``f' = y(1 - y)``, ``f' = 1 - y²``).

Softmax is a vector function of a whole row; it is allowed only on the output layer and
only with the cross-entropy loss, which fuses it (``delta^M = (Y - D)/N``), so it has no
elementwise ``f'``.

Example
-------
>>> import numpy as np
>>> from sinapse.activations import get_activation
>>> act = get_activation("tanh")
>>> u = np.array([0.0, 1.0]); y = np.empty(2); d = np.empty(2)
>>> act.df(u, act.f(u, y), d).round(4)
array([1.  , 0.42])
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.special import expit

Array = np.ndarray
Fn = Callable[[Array, Array], Array]  # f(u, out) -> out
DFn = Callable[[Array, Array, Array], Array]  # f'(u, y, out) -> out

LEAKY_SLOPE = 0.01  # slope of leaky ReLU for u < 0 (PyTorch's and Keras' default)
ELU_ALPHA = 1.0  # ELU's alpha (Clevert et al. 2016)


@dataclass(frozen=True)
class Activation:
    """An activation function with its first and second derivatives.

    ``f(u, out)``, ``df(u, y, out)`` and ``d2f(u, y, out)`` each fill ``out`` (same shape
    as ``u``) and return it. ``elementwise`` is False only for softmax.
    """

    name: str
    f: Fn
    df: DFn | None
    d2f: DFn | None
    elementwise: bool = True

    def __repr__(self) -> str:
        return f"Activation({self.name!r})"


# --- identity: f = u, f' = 1, f'' = 0 --------------------------------------------------
def _identity(u: Array, out: Array) -> Array:
    if out is not u:
        np.copyto(out, u)
    return out


def _ones(u: Array, y: Array, out: Array) -> Array:
    out.fill(1.0)
    return out


def _zeros(u: Array, y: Array, out: Array) -> Array:
    out.fill(0.0)
    return out


# --- logistic: f = 1/(1+e^-u), f' = f(1-f), f'' = f'(1-2f) ------------------------------
def _logistic(u: Array, out: Array) -> Array:
    # SciPy's expit: no overflow, and full relative precision in the left tail (u << 0)
    return expit(u, out=out)


def _logistic_d1(u: Array, y: Array, out: Array) -> Array:
    np.subtract(1.0, y, out=out)
    out *= y
    return out


def _logistic_d2(u: Array, y: Array, out: Array) -> Array:
    # f'' = f(1-f)(1-2f)
    np.multiply(y, -2.0, out=out)
    out += 1.0
    out *= y
    out *= 1.0 - y
    return out


# --- tanh: f' = 1 - f², f'' = -2 f (1 - f²) ---------------------------------------------
def _tanh(u: Array, out: Array) -> Array:
    return np.tanh(u, out=out)


def _tanh_d1(u: Array, y: Array, out: Array) -> Array:
    np.multiply(y, y, out=out)
    np.subtract(1.0, out, out=out)
    return out


def _tanh_d2(u: Array, y: Array, out: Array) -> Array:
    _tanh_d1(u, y, out)
    out *= y
    out *= -2.0
    return out


# --- ReLU: f = max(0, u), f' = [u > 0], f'' = 0 -----------------------------------------
def _relu(u: Array, out: Array) -> Array:
    return np.maximum(u, 0.0, out=out)


def _relu_d1(u: Array, y: Array, out: Array) -> Array:
    return np.greater(u, 0.0, out=out, casting="unsafe")


# --- leaky ReLU: f = u (u > 0), a·u otherwise --------------------------------------------
def _leaky(u: Array, out: Array) -> Array:
    np.multiply(u, LEAKY_SLOPE, out=out)
    return np.maximum(u, out, out=out)


def _leaky_d1(u: Array, y: Array, out: Array) -> Array:
    np.greater(u, 0.0, out=out, casting="unsafe")  # 1 or 0
    out *= 1.0 - LEAKY_SLOPE
    out += LEAKY_SLOPE
    return out


# --- ELU: f = u (u > 0), alpha (e^u - 1) otherwise; f' = 1 or f + alpha; f'' = 0 or f + alpha
def _elu(u: Array, out: Array) -> Array:
    np.minimum(u, 0.0, out=out)
    np.expm1(out, out=out)
    out *= ELU_ALPHA
    np.copyto(out, u, where=u > 0.0)
    return out


def _elu_d1(u: Array, y: Array, out: Array) -> Array:
    np.add(y, ELU_ALPHA, out=out)
    np.copyto(out, 1.0, where=u > 0.0)
    return out


def _elu_d2(u: Array, y: Array, out: Array) -> Array:
    np.add(y, ELU_ALPHA, out=out)
    np.copyto(out, 0.0, where=u > 0.0)
    return out


# --- softplus: f = log(1 + e^u), f' = logistic(u), f'' = logistic(u)(1 - logistic(u)) ---
def _softplus(u: Array, out: Array) -> Array:
    return np.logaddexp(0.0, u, out=out)


def _softplus_d1(u: Array, y: Array, out: Array) -> Array:
    return _logistic(u, out)


def _softplus_d2(u: Array, y: Array, out: Array) -> Array:
    _logistic(u, out)
    out *= 1.0 - out
    return out


# --- softmax (row-wise, output layer only) ----------------------------------------------
def _softmax(u: Array, out: Array) -> Array:
    # row max by argmax + gather and row sums by a product with ones: NumPy's axis-1
    # reductions over narrow rows cost several times more
    rows = np.arange(u.shape[0])
    np.subtract(u, u[rows, u.argmax(axis=1)][:, None], out=out)
    np.exp(out, out=out)
    out /= (out @ np.ones(out.shape[1], dtype=out.dtype))[:, None]
    return out


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("identity", _identity, _ones, _zeros),
        Activation("logistic", _logistic, _logistic_d1, _logistic_d2),
        Activation("tanh", _tanh, _tanh_d1, _tanh_d2),
        Activation("relu", _relu, _relu_d1, _zeros),
        Activation("leaky_relu", _leaky, _leaky_d1, _zeros),
        Activation("elu", _elu, _elu_d1, _elu_d2),
        Activation("softplus", _softplus, _softplus_d1, _softplus_d2),
        Activation("softmax", _softmax, None, None, elementwise=False),
    )
}
ALIASES = {"linear": "identity", "purelin": "identity", "sigmoid": "logistic",
           "logsig": "logistic", "tansig": "tanh"}


def get_activation(name: str | Activation) -> Activation:
    """Return the activation called ``name`` (or ``name`` itself if already one).

    Accepted names: identity, logistic, tanh, relu, leaky_relu, elu, softplus, softmax,
    and the aliases linear/purelin, sigmoid/logsig, tansig (MATLAB's names).
    """
    if isinstance(name, Activation):
        return name
    if not isinstance(name, str):
        raise TypeError(f"activation must be a name (str); got {type(name).__name__}.")
    key = ALIASES.get(name.lower(), name.lower())
    if key not in ACTIVATIONS:
        known = ", ".join(sorted(ACTIVATIONS))
        raise ValueError(f"Unknown activation {name!r}; choose one of: {known}.")
    return ACTIVATIONS[key]
