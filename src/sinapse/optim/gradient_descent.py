"""Gradient descent, the lecture's first-order update.

    w(k+1) = w(k) - α ∇J(w(k))

Batch, stochastic or mini-batch is not a property of the optimizer but of the objective
it is handed: the full data set, one sample, or a batch (``train(batch_size=…)``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .base import Array, FirstOrder, State


@dataclass(frozen=True)
class GradientDescent(FirstOrder):
    """Plain gradient descent: ``theta ← theta - learning_rate · ∇J(theta)``.

    Parameters
    ----------
    learning_rate : α > 0 (MATLAB ``traingd``'s ``lr`` default is 0.01).

    Example
    -------
    >>> import numpy as np
    >>> from sinapse import MLP, Objective
    >>> from sinapse.optim import GradientDescent
    >>> net = MLP([2, 2, 1], seed=0); obj = Objective(net, np.eye(2), [[1.0], [0.0]])
    >>> opt = GradientDescent(learning_rate=0.1); state = opt.init(net.theta)
    >>> theta, state, info = opt.step(obj, net.theta, state)
    >>> bool(obj.value(theta) < info.loss)
    True
    """

    name = "gd"
    learning_rate: float = 0.01

    def _validate(self) -> None:
        self._check_positive("learning_rate")

    def init(self, theta: Array) -> State:
        return {"t": 0, "learning_rate": float(self.learning_rate)}

    def update(self, g: Array, theta: Array, state: State) -> tuple[Array, dict[str, float]]:
        lr = state["learning_rate"]
        theta_new = np.multiply(g, -lr, dtype=theta.dtype)
        theta_new += theta
        return theta_new, {"learning_rate": lr}
