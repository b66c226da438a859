"""Prove a backpropagated gradient right with finite differences.

Each weight ``θ_i`` is moved by ``±h`` and ``±2h`` and the five-point central difference

    dJ/dθ_i ≈ (J(θ - 2h e_i) - 8 J(θ - h e_i) + 8 J(θ + h e_i) - J(θ + 2h e_i)) / (12 h)

(truncation error ``O(h⁴)``) is compared with backpropagation, layer by layer. The
report gives, for ``W^m`` and ``b^m``, the worst relative error
``max_i |g_i - fd_i| / max(max_i |g_i|, max_i |fd_i|)`` — relative to the layer's
largest gradient entry, so an entry that is zero (a dead ReLU) is not divided by zero.

Finite differences cannot resolve a gradient much smaller than their rounding noise,
about ``ε·|J| / h`` (``ε`` the machine epsilon): a saturated network whose gradient is
1e-11 while ``J`` is 1 fails the check whatever backpropagation does. The report
estimates that noise and says so when a failing layer lies below what the differences
can resolve, instead of letting a correct gradient look wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._checks import check_data
from .backprop import Workspace, _resolve, forward_into, value_and_grad_into, value_into
from .losses import Loss
from .network import MLP

Array = np.ndarray


@dataclass
class GradcheckReport:
    """Per-layer worst relative errors between backpropagation and finite differences."""

    layers: list[dict[str, float]]  # per layer m: {"W": err, "b": err}
    grad: Array  # backpropagation
    numeric: Array  # finite differences
    tolerance: float
    kinks: int = 0  # ReLU/leaky-ReLU/ELU activations the steps may push across u = 0
    noise: float = 0.0  # estimated rounding noise of one finite-difference entry
    unresolved: list[int] = field(default_factory=list)  # failing layers below the noise

    @property
    def max_error(self) -> float:
        return max(max(d.values()) for d in self.layers)

    @property
    def passed(self) -> bool:
        return self.max_error <= self.tolerance

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        rows = ["gradient check (5-point central differences)",
                f"  {'layer':<7}{'W^m rel. error':>16}{'b^m rel. error':>16}"]
        for m, d in enumerate(self.layers, start=1):
            rows.append(f"  m={m:<5}{d['W']:>16.2e}{d['b']:>16.2e}")
        verdict = "PASSED" if self.passed else "FAILED"
        rows.append(f"  worst {self.max_error:.2e} (tolerance {self.tolerance:.0e}): {verdict}")
        if self.unresolved and not self.passed:
            layers = ", ".join(f"m={m}" for m in self.unresolved)
            rows.append(f"  note: the gradient of layer(s) {layers} is too small for finite "
                        f"differences to check to {self.tolerance:.0e} (their rounding noise "
                        f"is ~{self.noise:.1e}): inconclusive there, not necessarily wrong. "
                        f"Saturated units or a fitted network do this; check at another theta.")
        if self.kinks:
            rows.append(f"  note: {self.kinks} ReLU/ELU activation(s) lie within a step of u = 0, "
                        f"where f' (ReLU) or f'' (ELU) jumps; finite differences are "
                        f"inexact there.")
        return "\n".join(rows)


def _rel_error(g: Array, fd: Array) -> float:
    if g.size == 0:
        return 0.0
    scale = max(float(np.abs(g).max()), float(np.abs(fd).max()))
    diff = float(np.abs(g - fd).max())
    return diff / scale if scale > 0 else diff


def gradcheck(net: MLP, X: object, D: object, loss: str | Loss = "mse",
              theta: Array | None = None, h: float | None = None,
              tolerance: float | None = None) -> GradcheckReport:
    """Compare the backpropagated gradient at ``theta`` with finite differences.

    Parameters
    ----------
    h : step; default ``1e-4`` in float64 and ``1e-2`` in float32 (scaled by ``max(1, |θ_i|)``).
    tolerance : pass mark for the worst relative error; default 1e-7 (float64), 1e-2 (float32).

    >>> import numpy as np; from sinapse import MLP, gradcheck
    >>> rep = gradcheck(MLP([2, 3, 1], seed=0), np.eye(2), [[1.0], [0.0]])
    >>> rep.passed
    True
    """
    loss_, th = _resolve(net, loss, theta)
    Xa, Da = check_data(X, D, net.n_inputs, net.n_outputs, net.dtype, "gradcheck")
    f64 = net.dtype == np.float64
    h = (1e-4 if f64 else 1e-2) if h is None else h
    tolerance = (1e-7 if f64 else 1e-2) if tolerance is None else tolerance
    J0, g = value_and_grad_into(net, Xa, Da, loss_, th.copy())
    g = g.copy()
    numeric = np.empty_like(g)
    work = th.copy()
    for i in range(th.size):
        step = h * max(1.0, abs(float(th[i])))
        J = []
        for k in (-2, -1, 1, 2):
            work[i] = th[i] + k * step
            J.append(value_into(net, Xa, Da, loss_, work))
        work[i] = th[i]
        # grouped as differences, so equal values give exactly 0 (a dead ReLU layer)
        numeric[i] = ((J[0] - J[3]) + 8.0 * (J[2] - J[1])) / (12.0 * step)
    kinks = _count_kinks(net, Xa, th, 2.0 * h * max(1.0, float(np.abs(th).max())))
    layers = [{"W": _rel_error(g[sw], numeric[sw]), "b": _rel_error(g[sb], numeric[sb])}
              for sw, sb in net.layer_slices()]
    # the stencil's weights sum to 18/12; J itself carries ~sqrt(P) roundings of size eps|J|
    noise = 1.5 * np.finfo(net.dtype).eps * abs(J0) * np.sqrt(th.size) / h
    unresolved = [m for m, ((sw, sb), d) in enumerate(zip(net.layer_slices(), layers,
                                                             strict=True), start=1)
                  if max(d.values()) > tolerance
                  and max(np.abs(g[sw]).max(), np.abs(g[sb]).max()) * tolerance < noise]
    return GradcheckReport(layers=layers, grad=g, numeric=numeric, tolerance=tolerance,
                           kinks=kinks, noise=float(noise), unresolved=unresolved)


# f' jumps at u = 0 (ReLU, leaky ReLU), or f'' does (ELU): differences across it are inexact
_NONSMOOTH = ("relu", "leaky_relu", "elu")


def _count_kinks(net: MLP, X: Array, theta: Array, max_step: float) -> int:
    """How many activations of ReLU-type units the finite differences may push across 0.

    Moving one weight of layer ``k`` by at most ``max_step`` moves ``u^k`` by at most
    ``max_step · max(1, max|y^{k-1}|)``, and a change of ``u^{k-1}`` reaches ``u^k`` scaled
    by at most ``‖W^k‖_∞`` (every ``|f'| <= 1`` here): the radius is the larger of the two.
    """
    ws = Workspace(net, X.shape[0])
    forward_into(net, X, theta, ws)
    kinks, radius = 0, 0.0
    for m, ((W, _), act) in enumerate(zip(net.views(theta), net.activations, strict=True),
                                      start=1):
        own = max_step * max(1.0, float(np.abs(ws.Y[m - 1]).max()))
        radius = max(own, radius * float(np.abs(W).sum(axis=1).max()))
        if act.name in _NONSMOOTH:
            kinks += int((np.abs(ws.U[m]) <= radius).sum())
    return kinks
