"""Initial weights: each initialiser fills one layer's ``W^m`` (``N_m × N_{m-1}``) and ``b^m``.

=============  =============================================================================
name           rule (fan_in = N_{m-1}, fan_out = N_m)
=============  =============================================================================
normal         w, b ~ N(0, 1) — the lecture's "standard normal" example
uniform        w, b ~ U(-1, 1) — MATLAB's ``rands``
glorot         w ~ U(-a, a), a = sqrt(6/(fan_in + fan_out)); b = 0 (Glorot & Bengio 2010)
he             w ~ N(0, 2/fan_in); b = 0 (He et al. 2015), for the ReLU family
fan_in         w, b ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)) — PyTorch's ``nn.Linear`` default
nguyen_widrow  hidden layers: rows of w scaled to norm 0.7·N_m^(1/fan_in), b ~ U(-β, β);
               output layer U(-0.5, 0.5) (Nguyen & Widrow 1990)
=============  =============================================================================
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Array = np.ndarray
Initializer = Callable[[np.random.Generator, Array, Array, bool], None]


def normal(rng: np.random.Generator, W: Array, b: Array, is_output: bool) -> None:
    W[...] = rng.standard_normal(W.shape)
    b[...] = rng.standard_normal(b.shape)


def uniform(rng: np.random.Generator, W: Array, b: Array, is_output: bool) -> None:
    W[...] = rng.uniform(-1.0, 1.0, W.shape)
    b[...] = rng.uniform(-1.0, 1.0, b.shape)


def glorot(rng: np.random.Generator, W: Array, b: Array, is_output: bool) -> None:
    fan_out, fan_in = W.shape
    a = np.sqrt(6.0 / (fan_in + fan_out))
    W[...] = rng.uniform(-a, a, W.shape)
    b[...] = 0.0


def he(rng: np.random.Generator, W: Array, b: Array, is_output: bool) -> None:
    fan_in = W.shape[1]
    W[...] = rng.standard_normal(W.shape) * np.sqrt(2.0 / fan_in)
    b[...] = 0.0


def fan_in(rng: np.random.Generator, W: Array, b: Array, is_output: bool) -> None:
    a = 1.0 / np.sqrt(W.shape[1])
    W[...] = rng.uniform(-a, a, W.shape)
    b[...] = rng.uniform(-a, a, b.shape)


def nguyen_widrow(rng: np.random.Generator, W: Array, b: Array, is_output: bool) -> None:
    if is_output:
        W[...] = rng.uniform(-0.5, 0.5, W.shape)
        b[...] = rng.uniform(-0.5, 0.5, b.shape)
        return
    n_hidden, fan_in = W.shape
    beta = 0.7 * n_hidden ** (1.0 / fan_in)
    w = rng.uniform(-0.5, 0.5, W.shape)
    norms = np.linalg.norm(w, axis=1, keepdims=True)
    W[...] = beta * w / np.maximum(norms, np.finfo(float).tiny)
    b[...] = rng.uniform(-beta, beta, b.shape)


INITIALIZERS: dict[str, Initializer] = {
    "normal": normal,
    "uniform": uniform,
    "glorot": glorot,
    "he": he,
    "fan_in": fan_in,
    "nguyen_widrow": nguyen_widrow,
}
ALIASES = {"xavier": "glorot", "kaiming": "he", "pytorch": "fan_in", "torch": "fan_in",
           "initnw": "nguyen_widrow", "nw": "nguyen_widrow"}


def get_initializer(name: str | Initializer) -> Initializer:
    """Return the initialiser called ``name``, or ``name`` itself when it is callable."""
    if callable(name):
        return name
    if not isinstance(name, str):
        raise TypeError(f"init must be a name (str) or a callable; got {type(name).__name__}.")
    key = ALIASES.get(name.lower(), name.lower())
    if key not in INITIALIZERS:
        known = ", ".join(INITIALIZERS)
        raise ValueError(f"Unknown initialiser {name!r}; choose one of: {known}.")
    return INITIALIZERS[key]


def as_generator(seed: int | np.random.Generator | None) -> np.random.Generator:
    """A NumPy Generator from an int seed, a Generator (returned as is), or None."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or (isinstance(seed, int | np.integer) and not isinstance(seed, bool)):
        return np.random.default_rng(seed)
    raise TypeError(f"seed must be an int, a numpy Generator or None; got {seed!r}.")
