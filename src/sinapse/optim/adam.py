"""Adam and its family, as settings of one kernel: Adam, AdamW, NAdam, AMSGrad, Adamax.

The kernel, at step ``t = 1, 2, …`` (``d`` the gradient, ``λ`` = weight_decay)::

    d = ∇J + λθ                                (L2; AdamW instead: θ ← (1 − αλ) θ first)
    m ← β1 m + (1 − β1) d                      first moment
    v ← β2 v + (1 − β2) d ⊙ d                  second moment
    r = √(v / (1 − β2ᵗ)) + ε                   Adam, NAdam
    r = √(v̄ / (1 − β2ᵗ)) + ε,  v̄ ← max(v̄, v)   AMSGrad (torch's bias-corrected form)
    r = u ← max(β2 u, |d| + ε)                 Adamax (no bias correction of u)
    θ ← θ − α / (1 − β1ᵗ) · m / r              Adam, AdamW, AMSGrad, Adamax
    θ ← θ − α [(1 − μ_t)/(1 − Π_t) d + μ_{t+1}/(1 − Π_t μ_{t+1}) m] / r     NAdam

with NAdam's momentum schedule ``μ_t = β1 (1 − ½ · 0.96^(t ψ))``, ``Π_t = μ_1 ⋯ μ_t``
(ψ = momentum_decay). Every variant matches ``torch.optim`` step by step (ε outside the
root of the *bias-corrected* ``v``, as in Kingma & Ba's Algorithm 1 and torch;
TensorFlow's "ε̂" form adds ε to the uncorrected root instead).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from .base import Array, FirstOrder, State


def adam_kernel(g: Array, theta: Array, state: State, *, learning_rate: float, beta1: float,
                beta2: float, eps: float, weight_decay: float, decoupled: bool,
                second_moment: str, momentum_decay: float | None) -> Array:
    """One step of the Adam family (module docstring); updates ``state`` in place.

    ``second_moment`` is ``"mean"`` (Adam), ``"max"`` (AMSGrad) or ``"inf"`` (Adamax);
    ``momentum_decay`` not None makes it NAdam. Returns the new ``θ`` (``theta.dtype``).
    """
    t = int(state["t"]) + 1
    lr, d = learning_rate, g
    if weight_decay != 0 and not decoupled:
        d = np.multiply(theta, weight_decay)
        d += g
    out = np.empty_like(theta)      # the new θ; until then the one scratch buffer
    m = state["m"]
    m *= beta1
    np.multiply(d, 1.0 - beta1, out=out)
    m += out
    if second_moment == "inf":      # r = u = max(β2 u, |d| + ε)
        u = state["u"]
        u *= beta2
        np.abs(d, out=out)
        out += eps
        np.maximum(u, out, out=u)
        np.copyto(out, u)
    else:                           # r = √(v / (1 − β2ᵗ)) + ε, v or its running max
        v = state["v"]
        v *= beta2
        np.multiply(d, d, out=out)
        out *= 1.0 - beta2
        v += out
        if second_moment == "max":
            np.maximum(state["v_max"], v, out=state["v_max"])
            v = state["v_max"]
        np.divide(v, 1.0 - beta2**t, out=out)
        np.sqrt(out, out=out)
        out += eps
    if momentum_decay is None:      # θ − α/(1 − β1ᵗ) · m / r
        np.divide(m, out, out=out)
        out *= -lr / (1.0 - beta1**t)
    else:                           # NAdam: θ − [c_g d + c_m m] / r
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (t * momentum_decay))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
        state["mu_product"] = prod = float(state["mu_product"]) * mu
        m_term = np.divide(m, out)
        m_term *= -lr * mu_next / (1.0 - prod * mu_next)
        np.divide(d, out, out=out)
        out *= -lr * (1.0 - mu) / (1.0 - prod)
        out += m_term
    if decoupled and weight_decay != 0:
        out += theta * (1.0 - lr * weight_decay)
    else:
        out += theta
    return out


@dataclass(frozen=True)
class _AdamFamily(FirstOrder):
    """Hyperparameters shared by the family and the wiring to ``adam_kernel`` (abstract)."""

    learning_rate: float = 0.001
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    weight_decay: float = 0.0

    decoupled: ClassVar[bool] = False
    second_moment: ClassVar[str] = "mean"

    def _validate(self) -> None:
        self._check_positive("learning_rate")
        self._check_interval("beta1", 0, 1)
        self._check_interval("beta2", 0, 1)
        self._check_positive("eps", allow_zero=True)
        self._check_positive("weight_decay", allow_zero=True)

    def _momentum_decay(self) -> float | None:
        return None

    def init(self, theta: Array) -> State:
        state: State = {"t": 0, "learning_rate": float(self.learning_rate),
                        "m": np.zeros_like(theta)}
        state["u" if self.second_moment == "inf" else "v"] = np.zeros_like(theta)
        if self.second_moment == "max":
            state["v_max"] = np.zeros_like(theta)
        if self._momentum_decay() is not None:
            state["mu_product"] = 1.0
        return state

    def update(self, g: Array, theta: Array, state: State) -> tuple[Array, dict[str, float]]:
        lr = float(state["learning_rate"])
        theta_new = adam_kernel(
            g, theta, state, learning_rate=lr, beta1=float(self.beta1),
            beta2=float(self.beta2), eps=float(self.eps),
            weight_decay=float(self.weight_decay), decoupled=self.decoupled,
            second_moment=self.second_moment, momentum_decay=self._momentum_decay())
        return theta_new, {"learning_rate": lr}


@dataclass(frozen=True)
class Adam(_AdamFamily):
    """Adam: momentum on the gradient, divided by the root of its running mean square.

    ``θ ← θ − α m̂ / (√v̂ + ε)`` with bias-corrected moments ``m̂ = m/(1 − β1ᵗ)``,
    ``v̂ = v/(1 − β2ᵗ)`` (module docstring).

    Parameters (paper and torch defaults)
    -------------------------------------
    learning_rate : α > 0 (0.001).   beta1 : β1 in [0, 1) (0.9).
    beta2 : β2 in [0, 1) (0.999).   eps : ε ≥ 0 (1e-8), outside the root.
    weight_decay : λ ≥ 0 (0), L2 added to the gradient (torch ``Adam``; see AdamW).

    Example
    -------
    >>> import numpy as np
    >>> from sinapse.optim import Adam
    >>> opt = Adam(learning_rate=0.1); state = opt.init(np.zeros(2))
    >>> opt.update(np.array([3.0, -0.5]), np.zeros(2), state)[0]   # step 1 moves ±α
    array([-0.1,  0.1])

    Reference: D. P. Kingma, J. Ba, "Adam: a method for stochastic optimization",
    ICLR 2015, Algorithm 1; ``torch.optim.Adam``.
    """

    name = "adam"


@dataclass(frozen=True)
class AdamW(_AdamFamily):
    """AdamW: Adam with decoupled weight decay, ``θ ← (1 − αλ) θ`` before the Adam step.

    Parameters: as ``Adam``, but ``weight_decay`` λ ≥ 0 defaults to 0.01 (torch) and
    shrinks the weights directly instead of entering ``m`` and ``v``.

    Differs from Loshchilov & Hutter's Algorithm 2, which decays by ``η_t λ θ`` with a
    schedule multiplier ``η_t`` independent of α; torch (and we) multiply λ by the
    current learning rate α, so this λ is the paper's λ/α when ``η_t = 1``.

    Example
    -------
    >>> import numpy as np
    >>> from sinapse.optim import AdamW
    >>> opt = AdamW(learning_rate=0.1, weight_decay=0.5); state = opt.init(np.ones(1))
    >>> opt.update(np.array([1.0]), np.ones(1), state)[0]   # 0.95·1 − 0.1
    array([0.85])

    Reference: I. Loshchilov, F. Hutter, "Decoupled weight decay regularization",
    ICLR 2019, Algorithm 2; ``torch.optim.AdamW``.
    """

    name = "adamw"
    weight_decay: float = 0.01
    decoupled: ClassVar[bool] = True


@dataclass(frozen=True)
class NAdam(_AdamFamily):
    """NAdam: Adam with Nesterov momentum and Dozat's warming momentum schedule μ_t.

    Parameters (Dozat's and torch's defaults)
    -----------------------------------------
    learning_rate : α > 0 (0.002, as in Dozat (2016) and ``torch.optim.NAdam``).
    beta1, beta2, eps : as Adam.   weight_decay : λ ≥ 0 (0), L2 added to the gradient.
    momentum_decay : ψ ≥ 0 (0.004), the schedule ``μ_t = β1 (1 − ½·0.96^(tψ))``
        (Dozat's ``0.96^(t/250)``); ψ = 0 gives a constant ``μ = β1/2``.

    Example
    -------
    >>> import numpy as np
    >>> from sinapse.optim import NAdam
    >>> opt = NAdam(); state = opt.init(np.zeros(1))
    >>> opt.update(np.array([1.0]), np.zeros(1), state)[0].round(7)   # μ₁ ≈ μ₂ ≈ 0.45
    array([-0.0021129])

    (step 1 is ``−α (1 + 0.1 μ₂ / (1 − μ₁μ₂))``: the gradient term plus the look-ahead
    momentum term)

    Reference: T. Dozat, "Incorporating Nesterov momentum into Adam", ICLR 2016
    workshop, Algorithm 2; ``torch.optim.NAdam`` (whose form this is).
    """

    name = "nadam"
    learning_rate: float = 0.002
    momentum_decay: float = 0.004

    def _validate(self) -> None:
        super()._validate()
        self._check_positive("momentum_decay", allow_zero=True)

    def _momentum_decay(self) -> float | None:
        return float(self.momentum_decay)


@dataclass(frozen=True)
class AMSGrad(_AdamFamily):
    """AMSGrad: Adam whose denominator never shrinks, ``v̄ ← max(v̄, v)``.

    Parameters: as ``Adam`` (same defaults).

    Follows ``torch.optim.Adam(amsgrad=True)``: ``θ ← θ − α m̂ / (√(v̄/(1 − β2ᵗ)) + ε)``,
    the running maximum of the *uncorrected* ``v`` then divided by the current bias
    correction. Reddi et al.'s Algorithm 2 has no bias correction and no ε:
    ``θ ← θ − α_t m / √v̄``.

    Example
    -------
    >>> import numpy as np
    >>> from sinapse.optim import AMSGrad
    >>> opt = AMSGrad(learning_rate=0.1); state = opt.init(np.zeros(1))
    >>> opt.update(np.array([2.0]), np.zeros(1), state)[0]
    array([-0.1])

    Reference: S. J. Reddi, S. Kale, S. Kumar, "On the convergence of Adam and beyond",
    ICLR 2018, Algorithm 2; ``torch.optim.Adam(amsgrad=True)``.
    """

    name = "amsgrad"
    second_moment: ClassVar[str] = "max"


@dataclass(frozen=True)
class Adamax(_AdamFamily):
    """Adamax: Adam with the infinity norm, ``u ← max(β2 u, |d| + ε)``, ``θ ← θ − α m̂ / u``.

    Parameters (paper and torch defaults)
    -------------------------------------
    learning_rate : α > 0 (0.002).   beta1, beta2 : as Adam.   weight_decay : L2 (0).
    eps : ε ≥ 0 (1e-8), inside the max as torch has it (the paper has none).

    Example
    -------
    >>> import numpy as np
    >>> from sinapse.optim import Adamax
    >>> opt = Adamax(learning_rate=0.1, eps=0.0); state = opt.init(np.zeros(1))
    >>> opt.update(np.array([2.0]), np.zeros(1), state)[0]   # m̂ = 2, u = 2
    array([-0.1])

    Reference: Kingma & Ba (2015), section 7.1, Algorithm 2; ``torch.optim.Adamax``.
    """

    name = "adamax"
    learning_rate: float = 0.002
    second_moment: ClassVar[str] = "inf"
