"""Per-weight learning rates from the history of squared gradients: AdaGrad, RMSProp, Adadelta.

All three divide the gradient, weight by weight, by a root-mean-square of past gradients,
so weights with large gradients take smaller steps. They follow ``torch.optim`` exactly
(ε placement included), so they are checked against it step by step. In every one,
``d = ∇J + λθ`` (``λ = weight_decay``, L2 added to the gradient as torch does).

One name per quantity: the decay rate of the running average of squared gradients is
``rho`` in RMSProp and Adadelta (Zeiler's ρ; Keras's ``rho``; torch calls it ``alpha``
in RMSprop and ``rho`` in Adadelta; it plays the role Adam's ``beta2`` plays).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .base import Array, FirstOrder, State


def _l2(g: Array, theta: Array, weight_decay: float) -> Array:
    """``∇J + λθ``: L2 weight decay folded into the gradient (a new array when λ ≠ 0)."""
    if weight_decay == 0:
        return g
    d = np.multiply(theta, weight_decay)
    d += g
    return d


@dataclass(frozen=True)
class Adagrad(FirstOrder):
    """AdaGrad: the learning rate of each weight shrinks with its summed squared gradients.

    ::

        α_t = α / (1 + (t − 1) η)                (η = lr_decay; t = 1, 2, …)
        G  ← G + d ⊙ d                           (G₀ = initial_accumulator_value)
        θ  ← θ − α_t d / (√G + ε)

    Parameters (torch defaults)
    ---------------------------
    learning_rate : α > 0 (0.01).   lr_decay : η ≥ 0 (0).   weight_decay : λ ≥ 0 (0).
    eps : ε ≥ 0 (1e-10), added *outside* the square root, as torch does.
    initial_accumulator_value : G₀ ≥ 0 (0).

    This is Duchi et al.'s diagonal update ``θ − α (δ + √G)⁻¹ d`` with δ = ε, as torch
    has it. Keras differs: ``√(G + ε)``, and G₀ = 0.1 by default. ``extras``
    reports α, the base rate read from state (a schedule sets it; ``lr_decay`` then
    divides it by ``1 + (t − 1) η``).

    Example
    -------
    >>> import numpy as np
    >>> from sinapse.optim import Adagrad
    >>> opt = Adagrad(learning_rate=0.5, eps=0.0); state = opt.init(np.zeros(1))
    >>> opt.update(np.array([-4.0]), np.zeros(1), state)[0]   # 0.5 · 4/√16
    array([0.5])

    Reference: J. Duchi, E. Hazan, Y. Singer, "Adaptive subgradient methods for online
    learning and stochastic optimization", JMLR 12 (2011), eq. (1) and Fig. 1 (diagonal).
    """

    name = "adagrad"
    learning_rate: float = 0.01
    lr_decay: float = 0.0
    weight_decay: float = 0.0
    initial_accumulator_value: float = 0.0
    eps: float = 1e-10

    def _validate(self) -> None:
        self._check_positive("learning_rate")
        for name in ("lr_decay", "weight_decay", "initial_accumulator_value", "eps"):
            self._check_positive(name, allow_zero=True)

    def init(self, theta: Array) -> State:
        return {"t": 0, "learning_rate": float(self.learning_rate),
                "sum_sq": np.full_like(theta, self.initial_accumulator_value)}

    def update(self, g: Array, theta: Array, state: State) -> tuple[Array, dict[str, float]]:
        lr = float(state["learning_rate"])
        clr = lr / (1.0 + state["t"] * float(self.lr_decay))   # state["t"] = t − 1
        d = _l2(g, theta, float(self.weight_decay))
        G, out = state["sum_sq"], np.empty_like(theta)       # out: the new θ, scratch first
        np.multiply(d, d, out=out)
        G += out
        np.sqrt(G, out=out)
        out += float(self.eps)
        np.divide(d, out, out=out)
        out *= -clr
        out += theta
        return out, {"learning_rate": lr}


@dataclass(frozen=True)
class RMSprop(FirstOrder):
    """RMSProp: divide the gradient by a running root-mean-square of recent gradients.

    ::

        s ← ρ s + (1 − ρ) d ⊙ d
        centered:  m ← ρ m + (1 − ρ) d,   r = √(s − m ⊙ m) + ε      (else r = √s + ε)
        momentum μ > 0:  b ← μ b + d / r,  θ ← θ − α b               (else θ ← θ − α d / r)

    Parameters (torch defaults)
    ---------------------------
    learning_rate : α > 0 (0.01).
    rho : ρ in [0, 1) (0.99), torch's ``alpha``; Hinton's lecture and Keras use 0.9.
    eps : ε ≥ 0 (1e-8), added *outside* the root as in torch. TensorFlow/Keras add it
        inside (``√(s + ε)``); Graves (2013) uses ``√(s − m² + ε)``.
    momentum : μ in [0, 1) (0).   centered : bool (False), Graves's variant.
    weight_decay : λ ≥ 0 (0), L2 added to the gradient.

    Example
    -------
    >>> import numpy as np
    >>> from sinapse.optim import RMSprop
    >>> opt = RMSprop(learning_rate=0.1, rho=0.75, eps=0.0); state = opt.init(np.zeros(1))
    >>> opt.update(np.array([2.0]), np.zeros(1), state)[0]   # s = 0.25·4 = 1; −0.1·2/1
    array([-0.2])

    Reference: T. Tieleman, G. Hinton, Coursera "Neural Networks for Machine Learning",
    lecture 6.5 (2012); A. Graves, "Generating sequences with recurrent neural networks",
    arXiv:1308.0850, eqs. (38)–(41) (centered form).
    """

    name = "rmsprop"
    learning_rate: float = 0.01
    rho: float = 0.99
    eps: float = 1e-8
    momentum: float = 0.0
    centered: bool = False
    weight_decay: float = 0.0

    def _validate(self) -> None:
        self._check_positive("learning_rate")
        self._check_interval("rho", 0, 1)
        self._check_positive("eps", allow_zero=True)
        self._check_interval("momentum", 0, 1)
        self._check_positive("weight_decay", allow_zero=True)
        if not isinstance(self.centered, bool | np.bool_):
            raise self._error(f"centered must be True or False; got {self.centered!r}.")

    def init(self, theta: Array) -> State:
        state: State = {"t": 0, "learning_rate": float(self.learning_rate),
                        "square_avg": np.zeros_like(theta)}
        if self.centered:
            state["grad_avg"] = np.zeros_like(theta)
        if self.momentum > 0:
            state["momentum_buffer"] = np.zeros_like(theta)
        return state

    def update(self, g: Array, theta: Array, state: State) -> tuple[Array, dict[str, float]]:
        lr, rho = float(state["learning_rate"]), float(self.rho)
        d = _l2(g, theta, float(self.weight_decay))
        s, out = state["square_avg"], np.empty_like(theta)   # out: the new θ, scratch first
        s *= rho
        np.multiply(d, d, out=out)
        out *= 1.0 - rho
        s += out
        if self.centered:                                    # r = √(s − m²) + ε
            m = state["grad_avg"]
            m *= rho
            np.multiply(d, 1.0 - rho, out=out)
            m += out
            np.multiply(m, m, out=out)
            np.subtract(s, out, out=out)
            np.sqrt(out, out=out)
        else:                                                # r = √s + ε
            np.sqrt(s, out=out)
        out += float(self.eps)
        np.divide(d, out, out=out)                           # d / r
        if self.momentum > 0:
            b = state["momentum_buffer"]
            b *= float(self.momentum)
            b += out
            np.multiply(b, -lr, out=out)
        else:
            out *= -lr
        out += theta
        return out, {"learning_rate": lr}


@dataclass(frozen=True)
class Adadelta(FirstOrder):
    """Adadelta: the step's own running RMS replaces the learning rate's units.

    ::

        s ← ρ s + (1 − ρ) d ⊙ d
        Δ = √(u + ε) / √(s + ε) ⊙ d
        u ← ρ u + (1 − ρ) Δ ⊙ Δ
        θ ← θ − α Δ

    Parameters (torch defaults)
    ---------------------------
    learning_rate : α > 0 (1.0; Zeiler's algorithm has none, i.e. α = 1).
    rho : ρ in [0, 1) (0.9).   eps : ε > 0 (1e-6), inside both roots (Zeiler, torch).
    weight_decay : λ ≥ 0 (0), L2 added to the gradient.

    Zeiler reports ρ = 0.95, ε = 1e-6 for MNIST; torch's defaults are used here.

    Example
    -------
    >>> import numpy as np
    >>> from sinapse.optim import Adadelta
    >>> opt = Adadelta(); state = opt.init(np.zeros(1))
    >>> step = opt.update(np.array([1.0]), np.zeros(1), state)[0]
    >>> bool(np.isclose(step[0], -np.sqrt(1e-6 / (0.1 + 1e-6))))
    True

    Reference: M. D. Zeiler, "ADADELTA: an adaptive learning rate method",
    arXiv:1212.5701 (2012), Algorithm 1.
    """

    name = "adadelta"
    learning_rate: float = 1.0
    rho: float = 0.9
    eps: float = 1e-6
    weight_decay: float = 0.0

    def _validate(self) -> None:
        self._check_positive("learning_rate")
        self._check_interval("rho", 0, 1)
        self._check_positive("eps")
        self._check_positive("weight_decay", allow_zero=True)

    def init(self, theta: Array) -> State:
        return {"t": 0, "learning_rate": float(self.learning_rate),
                "square_avg": np.zeros_like(theta), "delta_avg": np.zeros_like(theta)}

    def update(self, g: Array, theta: Array, state: State) -> tuple[Array, dict[str, float]]:
        lr, rho, eps = float(state["learning_rate"]), float(self.rho), float(self.eps)
        d = _l2(g, theta, float(self.weight_decay))
        s, u, out = state["square_avg"], state["delta_avg"], np.empty_like(theta)
        s *= rho
        np.multiply(d, d, out=out)
        out *= 1.0 - rho
        s += out
        np.add(s, eps, out=out)
        np.sqrt(out, out=out)                                # √(s + ε)
        rms_delta = np.add(u, eps)
        np.sqrt(rms_delta, out=rms_delta)                    # √(u + ε)
        np.divide(rms_delta, out, out=out)
        out *= d                                             # Δ
        np.multiply(out, out, out=rms_delta)
        rms_delta *= 1.0 - rho
        u *= rho
        u += rms_delta
        out *= -lr
        out += theta
        return out, {"learning_rate": lr}
