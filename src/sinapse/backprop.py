"""Forward pass and backpropagation of sensitivities, in the lecture's batch form.

Samples are rows. With ``Y[0] = X``, for ``m = 1..M``::

    U[m] = Y[m-1] W^mᵀ + b^m          Y[m] = f^m(U[m])

The sensitivities ``deltas[m] = dJ/dU[m]`` (shape ``(N, N_m)``) start at the output,

    deltas[M]   = -2/(N·N_M) (D - Y[M]) ⊙ f'^M(U[M])        (mse; see ``losses``)

and run backwards by the recursion, the row-batch form of
``δ^{m-1} = F'^{m-1}(u^{m-1}) (W^m)ᵀ δ^m``::

    deltas[m-1] = f'^{m-1}(U[m-1]) ⊙ (deltas[m] W^m)

Every weight gradient is a sensitivity times an input of its node::

    dJ/dW^m = deltas[m]ᵀ Y[m-1]          dJ/db^m = Σ_rows deltas[m]

Lists are indexed by the lecture's ``m``: ``U[0]`` and ``deltas[0]`` are ``None``.

Two ways in:

* ``forward``, ``backward`` and ``value_and_grad`` check their input and return arrays
  the caller owns — for looking at, printing and testing.
* ``forward_into`` and ``value_and_grad_into`` are the hot path: no checks, and every
  intermediate lives in a ``Workspace`` made once per batch size and overwritten by the
  next call (fresh memory is expensive on our machines; see ``shared/PERFORMANCE.md``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._checks import as_matrix, check_data, check_width
from .losses import Loss, get_loss
from .network import MLP

Array = np.ndarray
_ONES_MAX_ROWS = 4096


class Workspace:
    """Preallocated buffers for one batch size: ``U``, ``Y``, ``deltas`` and ``f'`` scratch."""

    def __init__(self, net: MLP, n_rows: int) -> None:
        dt = net.dtype
        self.n_rows = n_rows
        self.U: list[Array | None] = [None]
        self.Y: list[Array | None] = [None]  # Y[0] is set to X on every forward pass
        self.deltas: list[Array | None] = [None]
        self.scratch: list[Array | None] = [None]
        # Σ_rows delta as ones @ delta: a BLAS product beats NumPy's axis-0 sum on short
        # batches; on tall ones the sum is as fast and needs no buffer
        self.ones = np.ones(n_rows, dtype=dt) if n_rows <= _ONES_MAX_ROWS else None
        for n, layer in zip(net.layer_sizes[1:], net.layers, strict=True):
            U = np.empty((n_rows, n), dtype=dt)
            self.U.append(U)
            # an identity layer's output is its activation: no copy, no buffer
            ident = layer.activation.name == "identity"
            self.Y.append(U if ident else np.empty((n_rows, n), dtype=dt))
            self.deltas.append(np.empty((n_rows, n), dtype=dt))
            self.scratch.append(np.empty((n_rows, n), dtype=dt))


# --- hot path ------------------------------------------------------------------------
def forward_into(net: MLP, X: Array, theta: Array, ws: Workspace,
                 views: list[tuple[Array, Array]] | None = None) -> Array:
    """Forward pass at ``theta`` into ``ws``; returns ``Y[M]`` (a workspace buffer)."""
    ws.Y[0] = X
    views = net.views(theta) if views is None else views
    for m, ((W, b), layer) in enumerate(zip(views, net.layers, strict=True), start=1):
        U = ws.U[m]
        np.matmul(ws.Y[m - 1], W.T, out=U)
        U += b
        if ws.Y[m] is not U:
            layer.activation.f(U, ws.Y[m])
    return ws.Y[-1]


def backward_into(net: MLP, D: Array, loss: Loss, theta: Array, ws: Workspace, grad: Array,
                  views: list[tuple[Array, Array]] | None = None) -> float:
    """Backpropagate from a completed ``forward_into``; fills ``grad`` and ``ws.deltas``.

    Returns ``J``. The caller guarantees the loss fits the output activation.
    """
    M = net.n_layers
    acts = net.activations
    J = loss.value_and_delta(ws.Y[M], ws.U[M], D, acts[-1], ws.deltas[M], ws.scratch[M])
    Ws = net.views(theta) if views is None else views
    gs = net.views(grad)
    for m in range(M, 0, -1):
        delta = ws.deltas[m]
        gW, gb = gs[m - 1]
        np.matmul(delta.T, ws.Y[m - 1], out=gW)   # dJ/dW^m = deltas[m]ᵀ Y[m-1]
        if ws.ones is not None:                   # dJ/db^m = Σ_rows deltas[m]
            np.matmul(ws.ones, delta, out=gb)
        else:
            np.sum(delta, axis=0, out=gb)
        if m > 1:
            prev = ws.deltas[m - 1]
            np.matmul(delta, Ws[m - 1][0], out=prev)  # deltas[m] W^m
            act = acts[m - 2]
            if act.name != "identity":
                prev *= act.df(ws.U[m - 1], ws.Y[m - 1], ws.scratch[m - 1])  # ⊙ f'(U[m-1])
    return J


def value_and_grad_into(net: MLP, X: Array, D: Array, loss: Loss, theta: Array,
                        grad: Array | None = None) -> tuple[float, Array]:
    """``(J, dJ/dtheta)`` without checks, using the network's cached workspace."""
    ws = net.workspace(X.shape[0])
    if grad is None:
        grad = np.empty_like(theta)
    views = net.views(theta)
    forward_into(net, X, theta, ws, views)
    J = backward_into(net, D, loss, theta, ws, grad, views)
    return J, grad


def value_into(net: MLP, X: Array, D: Array, loss: Loss, theta: Array) -> float:
    """``J`` alone, without checks."""
    ws = net.workspace(X.shape[0])
    Y = forward_into(net, X, theta, ws)
    return loss.value(Y, ws.U[-1], D, ws.scratch[-1], ws.deltas[-1])


def value_chunked(net: MLP, X: Array, D: Array, loss: Loss, theta: Array, rows: int) -> float:
    """``J`` over all of ``X`` computed ``rows`` rows at a time (no full-size buffers)."""
    return _chunked(net, X, D, loss, theta, rows, grad=None)


def value_and_grad_chunked(net: MLP, X: Array, D: Array, loss: Loss, theta: Array, rows: int
                           ) -> tuple[float, Array]:
    """``(J, ∇J)`` over all of ``X``, ``rows`` rows at a time, combined exactly."""
    grad = np.zeros_like(theta)
    return _chunked(net, X, D, loss, theta, rows, grad=grad), grad


def _chunked(net: MLP, X: Array, D: Array, loss: Loss, theta: Array, rows: int,
             grad: Array | None) -> float:
    n = X.shape[0]
    if n <= rows:
        if grad is None:
            return value_into(net, X, D, loss, theta)
        J, _ = value_and_grad_into(net, X, D, loss, theta, grad)
        return J
    J = 0.0
    g = None if grad is None else np.empty_like(theta)
    for start in range(0, n, rows):
        stop = min(start + rows, n)
        w = (stop - start) / n if loss.mean else 1.0  # a mean over the whole is a weighted mean
        if g is None:
            J += w * value_into(net, X[start:stop], D[start:stop], loss, theta)
        else:
            Jc, _ = value_and_grad_into(net, X[start:stop], D[start:stop], loss, theta, g)
            J += w * Jc
            grad += w * g if w != 1.0 else g
    return J


# --- checked, caller-owned results ---------------------------------------------------
@dataclass
class ForwardPass:
    """Every activation ``U[m]`` and output ``Y[m]`` (``U[0]`` is None, ``Y[0]`` is X)."""

    U: list[Array | None]
    Y: list[Array]

    @property
    def output(self) -> Array:
        return self.Y[-1]


@dataclass
class BackwardPass:
    """``J``, the flat gradient, and every sensitivity ``deltas[m]`` (``deltas[0]`` is None)."""

    J: float
    grad: Array
    deltas: list[Array | None]


def _resolve(net: MLP, loss: str | Loss, theta: Array | None) -> tuple[Loss, Array]:
    loss_ = get_loss(loss)
    loss_.check_output(net.activations[-1])
    return loss_, _theta(net, theta)


def _theta(net: MLP, theta: Array | None) -> Array:
    if theta is None:
        return net.theta
    th = np.asarray(theta, dtype=net.dtype)
    if th.shape != (net.n_params,):
        raise ValueError(f"theta must be a vector of {net.n_params} weights; got shape {th.shape}.")
    return th


def forward(net: MLP, X: object, theta: Array | None = None) -> ForwardPass:
    """The forward pass, keeping every ``U[m]`` and ``Y[m]`` (fresh arrays you own).

    >>> import numpy as np; from sinapse import MLP; from sinapse.backprop import forward
    >>> fp = forward(MLP([2, 3, 1], seed=0), np.ones((4, 2)))
    >>> [u.shape for u in fp.U[1:]]
    [(4, 3), (4, 1)]
    """
    Xa = as_matrix(X, "X", "forward", net.dtype)
    check_width(Xa, net.n_inputs, "X", "inputs", "forward")
    th = _theta(net, theta)
    ws = Workspace(net, Xa.shape[0])
    forward_into(net, Xa, th, ws)
    return ForwardPass(U=ws.U, Y=ws.Y)  # a fresh workspace: the caller owns its arrays


def backward(net: MLP, fp: ForwardPass, D: object, loss: str | Loss = "mse",
             theta: Array | None = None) -> BackwardPass:
    """Backpropagate the sensitivities of a ``forward`` result; returns ``J``, gradient, deltas."""
    loss_, th = _resolve(net, loss, theta)
    Xa = fp.Y[0]
    _, Da = check_data(Xa, D, net.n_inputs, net.n_outputs, net.dtype, "backward")
    ws = Workspace(net, Xa.shape[0])
    ws.U, ws.Y = fp.U, fp.Y
    grad = np.empty(net.n_params, dtype=net.dtype)
    J = backward_into(net, Da, loss_, th, ws, grad)
    return BackwardPass(J=J, grad=grad, deltas=ws.deltas)


def value_and_grad(net: MLP, X: object, D: object, loss: str | Loss = "mse",
                   theta: Array | None = None) -> tuple[float, Array]:
    """``(J, gradient)`` at ``theta`` (default ``net.theta``); the gradient has theta's layout.

    >>> import numpy as np; from sinapse import MLP, value_and_grad
    >>> J, g = value_and_grad(MLP([2, 2, 1], seed=0), np.eye(2), [[1.0], [0.0]])
    >>> g.shape
    (9,)
    """
    loss_, th = _resolve(net, loss, theta)
    Xa, Da = check_data(X, D, net.n_inputs, net.n_outputs, net.dtype, "value_and_grad")
    return value_and_grad_into(net, Xa, Da, loss_, th)
