"""``J`` over a data set or a batch, as a function of ``theta``.

The optimizers see only this: ``value(theta)`` and ``value_and_grad(theta)``. The last
point with a gradient and the last point with a value alone are cached separately, so a
training loop that looks at ``J`` and ``∇J`` before a step and an optimizer that then asks
for them again pay for one pass, not two; and a trial point that a step rejects (gda,
line searches) does not evict the gradient at the point the step started from.

Returned gradients are read-only arrays: an optimizer that wants to scale one makes its
own copy, so the cache can never be corrupted.
"""

from __future__ import annotations

import numpy as np

from ._checks import check_data
from .backprop import _resolve, value_and_grad_into, value_into
from .losses import Loss
from .network import MLP

Array = np.ndarray


class Objective:
    """``J(theta)`` of network ``net`` on inputs ``X`` and desired outputs ``D``.

    >>> import numpy as np; from sinapse import MLP, Objective
    >>> net = MLP([2, 2, 1], seed=0)
    >>> obj = Objective(net, np.eye(2), [[1.0], [0.0]], loss="mse")
    >>> J, g = obj.value_and_grad(net.theta)
    >>> obj.value(net.theta) == J, obj.n_grad
    (True, 1)
    """

    def __init__(self, net: MLP, X: object, D: object, loss: str | Loss = "mse") -> None:
        self.loss, _ = _resolve(net, loss, None)
        self.X, self.D = check_data(X, D, net.n_inputs, net.n_outputs, net.dtype, "Objective")
        self.net = net
        self._reset()
        self._cache = True

    @classmethod
    def trusted(cls, net: MLP, X: Array, D: Array, loss: Loss, cache: bool = True) -> Objective:
        """An objective over data already checked (contiguous, finite, of ``net.dtype``).

        ``cache=False`` (a mini-batch asked once per step) skips remembering the last point.
        """
        obj = object.__new__(cls)
        obj.net, obj.X, obj.D, obj.loss = net, X, D, loss
        obj._reset()
        obj._cache = cache
        return obj

    def _reset(self) -> None:
        self.n_value = 0  # forward passes for J alone
        self.n_grad = 0  # forward + backward passes
        # the cached points are kept as bytes: one copy, and a memcmp that stops at the
        # first differing byte (bitwise equality: -0.0 and 0.0 count as different points)
        self._key: bytes | None = None  # last point with a gradient
        self._J: float = np.nan
        self._g: Array | None = None
        self._key_v: bytes | None = None  # last point with a value alone
        self._J_v: float = np.nan

    @property
    def n_samples(self) -> int:
        return self.X.shape[0]

    def value(self, theta: Array) -> float:
        """``J(theta)``."""
        key = theta.tobytes() if self._cache else None
        if key is not None:
            if key == self._key:
                return self._J
            if key == self._key_v:
                return self._J_v
        self.n_value += 1
        J = value_into(self.net, self.X, self.D, self.loss, theta)
        if key is not None:
            self._key_v, self._J_v = key, J
        return J

    def value_and_grad(self, theta: Array) -> tuple[float, Array]:
        """``(J(theta), ∇J(theta))``; the gradient is read-only and has ``theta``'s layout."""
        key = theta.tobytes() if self._cache else None
        if key is not None and key == self._key:
            return self._J, self._g
        self.n_grad += 1
        J, g = value_and_grad_into(self.net, self.X, self.D, self.loss, theta)
        g.flags.writeable = False
        if key is not None:
            self._key, self._J, self._g = key, J, g
        return J, g

    def __repr__(self) -> str:
        return (f"Objective({self.loss.name}, N={self.n_samples}, P={self.net.n_params}, "
                f"evaluations: {self.n_value} J, {self.n_grad} J+∇J)")
