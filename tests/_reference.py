"""Independent reference formulas shared by the tests: plain NumPy/SciPy, no sinapse code."""

from __future__ import annotations

import numpy as np
import scipy.special as sp

# every loss with the output activations it fits
LOSS_OUTPUTS = [
    ("mse", "identity"), ("mse", "logistic"), ("mse", "tanh"),
    ("sse", "identity"), ("sse", "logistic"), ("sse", "tanh"),
    ("binary_cross_entropy", "logistic"),
    ("cross_entropy", "softmax"),
]
LOSS_IDS = [f"{loss}-{out}" for loss, out in LOSS_OUTPUTS]

# f and f' of every activation
REF_F = {
    "identity": lambda u: u,
    "logistic": sp.expit,
    "tanh": np.tanh,
    "relu": lambda u: np.where(u > 0, u, 0.0),
    "leaky_relu": lambda u: np.where(u > 0, u, 0.01 * u),
    "elu": lambda u: np.where(u > 0, u, np.expm1(np.minimum(u, 0.0))),
    "softplus": lambda u: np.logaddexp(0.0, u),
    "softmax": lambda u: sp.softmax(u, axis=1),
}
REF_DF = {
    "identity": lambda u: np.ones_like(u),
    "logistic": lambda u: sp.expit(u) * sp.expit(-u),
    "tanh": lambda u: 1.0 / np.cosh(u) ** 2,
    "relu": lambda u: np.where(u > 0, 1.0, 0.0),
    "leaky_relu": lambda u: np.where(u > 0, 1.0, 0.01),
    "elu": lambda u: np.where(u > 0, 1.0, np.exp(np.minimum(u, 0.0))),
    "softplus": sp.expit,
}
