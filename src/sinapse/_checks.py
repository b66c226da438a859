"""Input validation with one message format: what is wrong, what was received, how to fix."""

from __future__ import annotations

import numbers

import numpy as np

Array = np.ndarray


def as_matrix(A: object, name: str, where: str, dtype: np.dtype, allow_1d: bool = False) -> Array:
    """``A`` as a finite 2-D array of ``dtype`` (a view when it already is one).

    ``allow_1d`` turns a 1-D array into one column (targets of a single-output network).
    """
    if isinstance(A, np.ndarray):
        arr = A
    else:
        try:
            arr = np.asarray(A)
        except (ValueError, TypeError) as err:  # ragged nested lists
            raise ValueError(
                f"{where}: {name} is not a rectangular numeric array ({err})."
            ) from None
    kind = arr.dtype.kind
    if kind not in "biuf":
        raise TypeError(
            f"{where}: {name} must hold real numbers; got dtype {arr.dtype}. "
            f"Convert it first, e.g. {name}.astype(float)"
            + (" after encoding the text labels." if kind in "USO" else ".")
        )
    if arr.ndim == 1 and allow_1d:
        arr = arr.reshape(-1, 1)
    if arr.ndim != 2:
        hint = f" Use {name}.reshape(-1, 1) for a single column." if arr.ndim == 1 else ""
        raise ValueError(
            f"{where}: {name} must be 2-D with samples in rows; got shape {arr.shape}.{hint}"
        )
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(
            f"{where}: {name} is empty (shape {arr.shape}); it needs at least one row and column."
        )
    arr = np.ascontiguousarray(arr, dtype=dtype)
    check_finite(arr, name, where)
    return arr


def check_finite(arr: Array, name: str, where: str) -> None:
    """Raise ValueError naming the first NaN or infinite entry of ``arr``."""
    if np.isfinite(arr).all():
        return
    bad = ~np.isfinite(arr)
    n_nan = int(np.isnan(arr).sum())
    n_inf = int(bad.sum()) - n_nan
    first = tuple(int(i) for i in np.argwhere(bad)[0])
    what = ", ".join(
        s for s in (f"{n_nan} NaN" if n_nan else "", f"{n_inf} infinite" if n_inf else "") if s
    )
    raise ValueError(
        f"{where}: {name} contains {what} value(s), the first at index {first}; "
        f"remove or impute them before training."
    )


def check_data(X: object, D: object, n_in: int, n_out: int, dtype: np.dtype, where: str
               ) -> tuple[Array, Array]:
    """Validate inputs ``X`` (N × n_in) and desired outputs ``D`` (N × n_out)."""
    Xa = as_matrix(X, "X", where, dtype)
    Da = as_matrix(D, "D", where, dtype, allow_1d=n_out == 1)
    if Xa.shape[0] != Da.shape[0]:
        raise ValueError(
            f"{where}: X has {Xa.shape[0]} rows but D has {Da.shape[0]}; they must match "
            f"(one row per sample)."
        )
    check_width(Xa, n_in, "X", "inputs", where)
    check_width(Da, n_out, "D", "outputs", where)
    return Xa, Da


def check_width(A: Array, n: int, name: str, what: str, where: str) -> None:
    if A.shape[1] != n:
        raise ValueError(
            f"{where}: {name} has {A.shape[1]} columns but the network has {n} {what}; "
            f"they must match."
        )


def check_positive_int(value: object, name: str, where: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{where}: {name} must be an integer >= {minimum}; got {value!r}.")
    return int(value)
