"""Shared test helpers: data that fits each loss, and the hypothesis profile.

Keep this file generic: fixtures used by one test module belong in that module.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import settings

# deadline=None: timings on the shared 2-core CI machines are too noisy for per-example
# deadlines. Tests that need a different budget say so with their own @settings.
settings.register_profile("ci", deadline=None, max_examples=25, print_blob=True)
settings.register_profile("thorough", deadline=None, max_examples=500, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def _make_data(loss: str, n: int, n_in: int, n_out: int, rng: np.random.Generator
               ) -> tuple[np.ndarray, np.ndarray]:
    """Inputs ``X`` (n × n_in, standard normal) and desired outputs ``D`` (n × n_out).

    ``D`` suits the loss: one-hot rows for cross_entropy, 0/1 entries for
    binary_cross_entropy, standard normal reals for mse and sse.
    """
    X = rng.standard_normal((n, n_in))
    if loss == "cross_entropy":
        D = np.eye(n_out)[rng.integers(0, n_out, size=n)]
    elif loss == "binary_cross_entropy":
        D = rng.integers(0, 2, size=(n, n_out)).astype(np.float64)
    elif loss in ("mse", "sse"):
        D = rng.standard_normal((n, n_out))
    else:
        raise ValueError(f"make_data: no data recipe for loss {loss!r}.")
    return X, D


@pytest.fixture(scope="session")
def make_data():
    """``make_data(loss, n, n_in, n_out, rng) -> (X, D)``; session-scoped, so it also
    works inside hypothesis tests."""
    return _make_data


@pytest.fixture
def rng() -> np.random.Generator:
    """A fresh, fixed-seed generator for each test."""
    return np.random.default_rng(20240531)
