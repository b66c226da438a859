"""Error (loss, cost) functions ``J`` and the output sensitivity ``delta^M = dJ/du^M``.

Samples are rows: ``Y``, ``U`` and ``D`` have shape ``(N, N_M)``.

=====================  ==============================================  =========================
name                   J                                               delta^M
=====================  ==============================================  =========================
mse                    1/(N·N_M) Σ (d - y)²   (the lecture's)          -2/(N·N_M) (D - Y) ⊙ f'(U)
sse                    Σ (d - y)²   (MATLAB's ``sse``)                 -2 (D - Y) ⊙ f'(U)
binary_cross_entropy   -1/N Σ [d log y + (1-d) log(1-y)], logistic y   (Y - D)/N
cross_entropy          -1/N Σ d log y, softmax y                       (Y - D)/N
=====================  ==============================================  =========================

The cross-entropies are fused with their output activation: ``J`` is computed from
``U``, never as ``log(y)``, so it never takes ``log(0)``; and as a sum of non-negative
terms, ``(1-d)·softplus(u) + d·softplus(-u)`` and ``d·(max u - u + log1p(Σ_others e^{u-max}))``,
so a confident, correct prediction keeps full relative precision (``J = 9.36e-14`` at
``u = 30``, not a cancelled difference of two numbers near 30). ``cross_entropy`` takes any
non-negative ``D`` (one-hot, soft or multi-hot labels): its sensitivity is
``(Y·Σ_j d_j - D)/N``, which is ``(Y - D)/N`` when every row of ``D`` sums to 1.
They are averaged over samples and summed over outputs, as scikit-learn's ``log_loss``;
``mse`` averages over outputs too, as the lecture does (scikit-learn's MLP halves the
squared error instead, ``1/(2N) Σ``; PyTorch's ``MSELoss`` matches ours).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .activations import Activation

Array = np.ndarray
# value_and_delta(Y, U, D, act, delta_out, scratch) -> J, with delta^M written to delta_out
ValueAndDelta = Callable[[Array, Array, Array, Activation, Array, Array], float]
# value(Y, U, D, scratch, scratch2) -> J; the two scratch buffers have the shape of Y
Value = Callable[[Array, Array, Array, Array, Array], float]


@dataclass(frozen=True)
class Loss:
    """A loss: its value, its output sensitivity, and the output activations it fits."""

    name: str
    value: Value
    value_and_delta: ValueAndDelta
    outputs: tuple[str, ...] | None  # output activations it needs; None = any elementwise
    least_squares: bool  # J is a (scaled) sum of squared residuals y - d
    mean: bool = True  # J averages over samples (so a batch's J is comparable to the whole)

    def check_output(self, act: Activation) -> None:
        """Raise ValueError when this loss does not fit the output activation ``act``."""
        if self.outputs is None:
            if not act.elementwise:
                raise ValueError(
                    f"The {self.name} loss does not fit a {act.name} output layer; use "
                    f"loss='cross_entropy' with softmax, or an elementwise output "
                    f"activation (identity, logistic, tanh, ...) with {self.name}."
                )
        elif act.name not in self.outputs:
            raise ValueError(
                f"The {self.name} loss needs a {' or '.join(self.outputs)} output layer; "
                f"got output_activation={act.name!r}. Build the network with "
                f"output_activation={self.outputs[0]!r}, or choose loss='mse'."
            )

    def __repr__(self) -> str:
        return f"Loss({self.name!r})"


# --- squared errors ------------------------------------------------------------------
def _squared(scale: Callable[[Array], float]) -> tuple[Value, ValueAndDelta]:
    def value(Y: Array, U: Array, D: Array, scratch: Array, scratch2: Array) -> float:
        np.subtract(Y, D, out=scratch)
        return float(np.vdot(scratch, scratch)) * scale(Y)

    def value_and_delta(
        Y: Array, U: Array, D: Array, act: Activation, out: Array, scratch: Array
    ) -> float:
        c = scale(Y)
        np.subtract(Y, D, out=out)  # -(D - Y)
        J = float(np.vdot(out, out)) * c
        out *= 2.0 * c
        if act.name != "identity":
            out *= act.df(U, Y, scratch)
        return J

    return value, value_and_delta


_mse = _squared(lambda Y: 1.0 / Y.size)
_sse = _squared(lambda Y: 1.0)


# --- binary cross-entropy with logistic outputs ----------------------------------------
def _bce_value(Y: Array, U: Array, D: Array, s1: Array, s2: Array) -> float:
    # -[d log y + (1-d) log(1-y)] = (1-d)·softplus(u) + d·softplus(-u)   for y = logistic(u),
    # summed term by term: every term is >= 0, so nothing cancels
    np.logaddexp(0.0, U, out=s2)
    np.multiply(D, s2, out=s1)
    s2 -= s1  # (1 - d)·softplus(u), exact 0 where d = 1
    np.negative(U, out=s1)
    np.logaddexp(0.0, s1, out=s1)
    s1 *= D
    s2 += s1
    return float(s2.sum()) / Y.shape[0]


def _bce_value_and_delta(
    Y: Array, U: Array, D: Array, act: Activation, out: Array, scratch: Array
) -> float:
    J = _bce_value(Y, U, D, scratch, out)
    np.subtract(Y, D, out=out)
    out *= 1.0 / Y.shape[0]
    return J


# --- categorical cross-entropy with softmax outputs ------------------------------------
def _row_sums(A: Array) -> Array:
    """Σ_j A[n, j] as one matrix-vector product (NumPy's axis-1 reduction is slower)."""
    return A @ np.ones(A.shape[1], dtype=A.dtype)


def _ce_value(Y: Array, U: Array, D: Array, s1: Array, s2: Array) -> float:
    # -log y_j = lse - u_j = (max u - u_j) + log1p(Σ_{k != argmax} e^{u_k - max u}):
    # non-negative terms, and log1p keeps the precision of a confident prediction.
    # With y = softmax(u): e^{u_k - max u} = y_k / y_argmax, so no exp is needed.
    rows = np.arange(U.shape[0])
    top = U.argmax(axis=1)
    umax = U[rows, top]
    np.copyto(s1, Y)
    s1[rows, top] = 0.0
    log_z = np.log1p(_row_sums(s1) / Y[rows, top])
    np.subtract(umax[:, None], U, out=s2)
    s2 += log_z[:, None]
    return float(np.vdot(D, s2)) / U.shape[0]


def _ce_value_and_delta(
    Y: Array, U: Array, D: Array, act: Activation, out: Array, scratch: Array
) -> float:
    J = _ce_value(Y, U, D, scratch, out)
    # dJ/du = (Y·Σ_j d_j - D)/N; Σ_j d_j = 1 for one-hot or normalised soft labels
    np.multiply(Y, _row_sums(D)[:, None], out=out)
    out -= D
    out *= 1.0 / Y.shape[0]
    return J


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        Loss("mse", *_mse, outputs=None, least_squares=True),
        Loss("sse", *_sse, outputs=None, least_squares=True, mean=False),
        Loss("binary_cross_entropy", _bce_value, _bce_value_and_delta,
             outputs=("logistic",), least_squares=False),
        Loss("cross_entropy", _ce_value, _ce_value_and_delta,
             outputs=("softmax",), least_squares=False),
    )
}
ALIASES = {"bce": "binary_cross_entropy", "log_loss": "cross_entropy", "ce": "cross_entropy",
           "crossentropy": "cross_entropy"}


def get_loss(name: str | Loss) -> Loss:
    """Return the loss called ``name``: mse, sse, binary_cross_entropy or cross_entropy."""
    if isinstance(name, Loss):
        return name
    if not isinstance(name, str):
        raise TypeError(f"loss must be a name (str); got {type(name).__name__}.")
    key = ALIASES.get(name.lower(), name.lower())
    if key not in LOSSES:
        raise ValueError(f"Unknown loss {name!r}; choose one of: {', '.join(LOSSES)}.")
    return LOSSES[key]
