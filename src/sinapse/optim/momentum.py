"""Gradient descent with momentum: the heavy ball (Polyak 1964) and Nesterov's form.

Both keep a velocity ``v`` (one array shaped like ``theta``) and are written the way
PyTorch's ``torch.optim.SGD`` writes them, so the two can be checked against each other
step by step::

    d  = ∇J(θ) + λ θ                         (λ = weight_decay; L2 added to the gradient)
    v  = μ v + (1 − τ) d                     (μ = momentum, τ = dampening; v = d on step 1)
    θ ← θ − α v                              heavy ball           ("momentum")
    θ ← θ − α (d + μ v)                      Nesterov             ("nesterov")

The textbook heavy ball keeps the *step* instead, ``Δθ = μ Δθ − α ∇J``, ``θ ← θ + Δθ``.
With ``Δθ = −α v`` the two are the same sequence of points as long as ``α`` is constant;
they differ when ``α`` changes between steps (a schedule): here a new ``α`` rescales the
whole accumulated velocity at once, there it weights only the new gradient.

References
----------
B. T. Polyak, "Some methods of speeding up the convergence of iteration methods",
USSR Comput. Math. Math. Phys. 4(5), 1964. — I. Sutskever, J. Martens, G. Dahl,
G. Hinton, "On the importance of initialization and momentum in deep learning",
ICML 2013, eqs. (1)–(4) (Nesterov's accelerated gradient as a momentum method).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from .base import Array, FirstOrder, State


@dataclass(frozen=True)
class _Momentum(FirstOrder):
    """The shared kernel of ``Momentum`` and ``Nesterov`` (abstract: not in the registry)."""

    learning_rate: float = 0.01
    momentum: float = 0.9
    weight_decay: float = 0.0

    nesterov: ClassVar[bool] = False

    def _validate(self) -> None:
        self._check_positive("learning_rate")
        self._check_interval("momentum", 0, 1)
        self._check_positive("weight_decay", allow_zero=True)

    def init(self, theta: Array) -> State:
        return {"t": 0, "learning_rate": float(self.learning_rate),
                "velocity": np.zeros_like(theta)}

    def _dampening(self) -> float:
        return 0.0

    def update(self, g: Array, theta: Array, state: State) -> tuple[Array, dict[str, float]]:
        lr, mu, wd = float(state["learning_rate"]), float(self.momentum), float(self.weight_decay)
        out = np.empty_like(theta)                     # the new θ; scratch until then
        d = g                                          # L2 in the gradient, as torch does:
        if wd != 0:                                    # d = g + λθ
            d = np.multiply(theta, wd)
            d += g
        v = state["velocity"]
        if state["t"] == 0:                            # step 1: v = d (torch: no dampening)
            np.copyto(v, d)
        else:
            v *= mu
            tau = self._dampening()
            if tau == 0:
                v += d
            else:
                np.multiply(d, 1.0 - tau, out=out)
                v += out
        if self.nesterov:                              # direction d + μ v
            np.multiply(v, mu, out=out)
            out += d
            out *= -lr
        else:
            np.multiply(v, -lr, out=out)
        out += theta
        return out, {"learning_rate": lr}


@dataclass(frozen=True)
class Momentum(_Momentum):
    """Heavy-ball momentum: ``v ← μ v + (1 − τ) ∇J``, ``θ ← θ − α v``.

    Parameters
    ----------
    learning_rate : α > 0 (default 0.01, MATLAB ``traingdm``'s ``lr``; torch has 0.001).
    momentum : μ in [0, 1) (default 0.9, MATLAB ``traingdm``'s ``mc``).
    weight_decay : λ ≥ 0, L2 penalty added to the gradient: ``d = ∇J + λθ`` (torch).
    dampening : τ in [0, 1], scales the new gradient by ``1 − τ`` from step 2 on; the
        first step uses ``v = d`` undamped, exactly as ``torch.optim.SGD`` does.

    Differences: PyTorch's form (velocity of gradients, ``lr`` applied last) instead of
    the textbook's velocity of steps (see the module docstring). MATLAB ``traingdm`` uses
    ``Δθ = μ Δθ − (1 − μ) α ∇J`` (an average of steps, like dampening τ = μ here), which
    is not this optimizer; ``"gdx"`` implements that form with MATLAB's adaptive rate.

    Example
    -------
    >>> import numpy as np
    >>> from sinapse.optim import Momentum
    >>> opt = Momentum(learning_rate=0.1, momentum=0.5)
    >>> theta, state = np.array([1.0]), opt.init(np.array([1.0]))
    >>> theta = opt.update(np.array([1.0]), theta, state)[0]; state["t"] += 1
    >>> opt.update(np.array([1.0]), theta, state)[0]    # v = 0.5·1 + 1 = 1.5
    array([0.75])

    Reference: Polyak (1964); ``torch.optim.SGD(momentum=μ, dampening=τ)``.
    """

    name = "momentum"
    dampening: float = 0.0

    def _validate(self) -> None:
        super()._validate()
        self._check_interval("dampening", 0, 1, closed_hi=True)

    def _dampening(self) -> float:
        return float(self.dampening)


@dataclass(frozen=True)
class Nesterov(_Momentum):
    """Nesterov momentum in PyTorch's form: ``v ← μ v + ∇J``, ``θ ← θ − α (∇J + μ v)``.

    Parameters
    ----------
    learning_rate : α > 0 (default 0.01).
    momentum : μ in [0, 1) (default 0.9); μ = 0 is plain gradient descent.
    weight_decay : λ ≥ 0, L2 penalty added to the gradient (torch).

    The gradient is taken at ``θ`` itself, not at the look-ahead point ``θ + μΔθ`` of
    Sutskever et al. (2013); the two are the same method after the change of variables
    ``θ̃ = θ + μΔθ`` (Bengio, Boulanger-Lewandowski, Pascanu 2013), so a run reports
    the look-ahead iterates. Differs from ``torch.optim.SGD(nesterov=True)`` only in
    allowing μ = 0 (torch refuses it); no dampening, as torch requires.

    Example
    -------
    >>> import numpy as np
    >>> from sinapse.optim import Nesterov
    >>> opt = Nesterov(learning_rate=0.1, momentum=0.5)
    >>> theta, state = np.array([1.0]), opt.init(np.array([1.0]))
    >>> opt.update(np.array([1.0]), theta, state)[0]    # 1 − 0.1·(1 + 0.5·1)
    array([0.85])

    Reference: Y. Nesterov, "A method of solving a convex programming problem with
    convergence rate O(1/k²)", Soviet Math. Dokl. 27, 1983; Sutskever et al. (2013),
    eqs. (3)–(4); ``torch.optim.SGD(momentum=μ, nesterov=True)``.
    """

    name = "nesterov"
    nesterov: ClassVar[bool] = True
