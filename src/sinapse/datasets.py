"""Small built-in data sets, made on the spot (nothing is downloaded).

* ``xor()`` — the lecture's two-class logic-level figure: four corners of the unit square.
* ``sine(n=41)`` — ``d = 1 + sin(π x / 4)`` on ``x ∈ [-2, 2]``, MATLAB's classic ``trainlm``
  example (``p = -2:0.1:2``).
* ``load_csv(path, n_outputs)`` — numbers in a CSV file, the last ``n_outputs`` columns
  being the desired outputs.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

Array = np.ndarray


def xor() -> tuple[Array, Array]:
    """Inputs ``X`` (4 × 2) and desired outputs ``D`` (4 × 1) of x1 XOR x2."""
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    D = np.array([[0.0], [1.0], [1.0], [0.0]])
    return X, D


def sine(n: int = 41) -> tuple[Array, Array]:
    """``n`` points of ``1 + sin(π x / 4)`` on ``[-2, 2]`` as columns ``X``, ``D``."""
    x = np.linspace(-2.0, 2.0, n).reshape(-1, 1)
    return x, 1.0 + np.sin(np.pi * x / 4.0)


def load_csv(path: str | Path, n_outputs: int = 1, delimiter: str = ",") -> tuple[Array, Array]:
    """Read a numeric CSV (a header row is skipped when it is not numeric)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"load_csv: no file at {str(path)!r}.")
    text = path.read_text().splitlines()
    skip = 0
    if text:
        try:
            [float(v) for v in text[0].split(delimiter)]
        except ValueError:
            skip = 1
    try:
        data = np.loadtxt(path, delimiter=delimiter, skiprows=skip, ndmin=2)
    except ValueError as err:
        raise ValueError(f"load_csv: {str(path)!r} is not a numeric table ({err}).") from None
    if data.shape[1] <= n_outputs:
        raise ValueError(f"load_csv: {str(path)!r} has {data.shape[1]} columns; it needs the "
                         f"inputs and then {n_outputs} output column(s).")
    return data[:, :-n_outputs], data[:, -n_outputs:]


BUILTIN = {"xor": xor, "sine": sine}
