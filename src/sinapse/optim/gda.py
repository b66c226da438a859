"""Gradient descent with an adaptive learning rate, as MATLAB's ``traingda``/``traingdx``.

Each step is tried, ``J`` is evaluated at the trial point, and the learning rate reacts::

    Δθ = μ Δθ_prev − (1 − μ) α ∇J(θ)          (μ = momentum; μ = 0 for "gda")
    θ' = θ + Δθ,   J' = J(θ')
    if J' > max_perf_inc · J:   reject: θ stays, α ← lr_dec · α, momentum restarts
    elif J' < J:                accept θ', α ← lr_inc · α
    else:                       accept θ', α unchanged

A *restart* (the first step, and every step after a rejection) uses ``Δθ_prev = −α ∇J``,
so the step taken is the plain gradient step ``Δθ = −α ∇J``.

Which ``traingdx`` formula
--------------------------
MATLAB's documentation prints ``dX = mc*dXprev + lr*mc*dperf/dX``. Its source
(``traingdx.m``, Neural Network Toolbox 4 (2002) through the R2010-era rewrite) computes
``dX = mc*dX + (1-mc)*lr*gX`` with ``gX = −∂perf/∂X`` (it then adds ``dX`` to ``X``), and
on rejection sets ``dX = lr*gX`` with the already reduced ``lr``; it starts from
``dX = lr*gX``. We implement the source, which is the printed ``traingdm`` rule
``dX = mc*dXprev + lr*(1−mc)*dperf/dX`` with the descent sign made explicit; the printed
``traingdx`` line (``lr*mc``) is a documentation typo: it would scale the gradient by
``mc`` and agree with nothing MATLAB runs. Note the restart is *not* ``Δθ_prev = 0``
(that would make the retried step ``(1 − μ)`` times too short): it is ``Δθ_prev = −α∇J``,
as MATLAB's ``dX = lr*gX``, which gives the same step as Hagan et al.'s rule of setting
the momentum coefficient to zero for the step after a rejection. Our restart reads ``α``
when the step is taken, so a schedule that changes ``state["learning_rate"]`` in between
is honoured.

Costs: each step uses one ``J`` + ``∇J`` at ``θ`` and one ``J`` at ``θ'`` (``n_g=1``,
``n_f=1``). A non-finite ``J'`` is rejected like a too large one.

Reference: MathWorks, Deep Learning Toolbox, ``traingda`` and ``traingdx``; M. T. Hagan,
H. B. Demuth, M. H. Beale, *Neural Network Design*, 2nd ed. (2014), ch. 12, "Variable
learning rate backpropagation" (VLBP), where ``max_perf_inc`` is 1 + ζ, ``lr_dec`` ρ and
``lr_inc`` η.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .base import Array, ObjectiveLike, Optimizer, State, StepInfo, _is_real


@dataclass(frozen=True)
class _AdaptiveLearningRate(Optimizer):
    """The shared step of ``"gda"`` and ``"gdx"`` (abstract: not in the registry)."""

    learning_rate: float = 0.01
    lr_inc: float = 1.05
    lr_dec: float = 0.7
    max_perf_inc: float = 1.04

    def _validate(self) -> None:
        self._check_positive("learning_rate")
        for name in ("lr_inc", "max_perf_inc"):
            v = getattr(self, name)
            if not (_is_real(v) and 1 <= v < np.inf):
                raise self._error(f"{name} must be a finite number >= 1; got {v!r}.")
        if not (_is_real(self.lr_dec) and 0 < self.lr_dec < 1):
            raise self._error(f"lr_dec must be in (0, 1); got {self.lr_dec!r}.")

    def _mu(self) -> float:
        return 0.0

    def init(self, theta: Array) -> State:
        return {"t": 0, "learning_rate": float(self.learning_rate),
                "delta": np.zeros_like(theta), "restart": True}

    def step(self, objective: ObjectiveLike, theta: Array, state: State
             ) -> tuple[Array, State, StepInfo]:
        J, g = objective.value_and_grad(theta)
        lr, mu = float(state["learning_rate"]), self._mu()
        delta = state["delta"]
        theta_new = np.empty_like(theta)
        if state["restart"] or mu == 0:
            np.multiply(g, -lr, out=delta)
        else:                                        # Δθ = μ Δθ_prev − (1 − μ) α ∇J
            delta *= mu
            np.multiply(g, (1.0 - mu) * lr, out=theta_new)
            delta -= theta_new
        np.add(theta, delta, out=theta_new)
        J_new = objective.value(theta_new)
        accepted = bool(J_new <= float(self.max_perf_inc) * J)   # False for NaN too
        if accepted:
            if J_new < J:
                state["learning_rate"] = lr * float(self.lr_inc)
            state["restart"] = False
        else:
            state["learning_rate"] = lr * float(self.lr_dec)
            state["restart"] = True
            theta_new = theta.copy()
        state["t"] = state["t"] + 1
        info = StepInfo(loss=J, grad_norm=float(np.linalg.norm(g)), n_f=1, n_g=1,
                        accepted=accepted, extras={"learning_rate": lr, "trial_loss": J_new})
        return theta_new, state, info


@dataclass(frozen=True)
class AdaptiveGradientDescent(_AdaptiveLearningRate):
    """Gradient descent with an adaptive learning rate (MATLAB ``traingda``).

    ``θ' = θ − α ∇J``; reject (``α ← lr_dec·α``) when ``J(θ') > max_perf_inc · J(θ)``,
    accept otherwise, and grow ``α ← lr_inc·α`` when ``J`` went down. See the module
    docstring for the full rule.

    Parameters (MATLAB ``traingda`` defaults)
    -----------------------------------------
    learning_rate : α > 0, the initial learning rate (0.01).
    lr_inc : ≥ 1, growth factor after a step that lowered ``J`` (1.05).
    lr_dec : in (0, 1), shrink factor after a rejected step (0.7).
    max_perf_inc : ≥ 1, the largest ratio ``J'/J`` still accepted (1.04).

    ``StepInfo.accepted`` is False for a rejected step (``θ`` returned unchanged);
    ``extras`` has the learning rate used and ``trial_loss`` = ``J(θ')``.

    Example
    -------
    >>> import numpy as np
    >>> from sinapse import MLP, Objective
    >>> from sinapse.optim import AdaptiveGradientDescent
    >>> net = MLP([2, 2, 1], seed=0); obj = Objective(net, np.eye(2), [[1.0], [0.0]])
    >>> opt = AdaptiveGradientDescent(learning_rate=0.1); state = opt.init(net.theta)
    >>> theta, state, info = opt.step(obj, net.theta, state)
    >>> info.accepted, state["learning_rate"]          # J went down: α grew by 5 %
    (True, 0.10500000000000001)
    """

    name = "gda"


@dataclass(frozen=True)
class AdaptiveMomentumGradientDescent(_AdaptiveLearningRate):
    """Momentum and an adaptive learning rate (MATLAB ``traingdx``).

    ``Δθ = μ Δθ_prev − (1 − μ) α ∇J`` (MATLAB's source; see the module docstring for
    why not the documented ``lr*mc`` line), then the accept/reject rule of ``"gda"``. After
    a rejection the momentum restarts from ``Δθ_prev = −α∇J``, so the retry is a plain
    gradient step with the reduced ``α``.

    Parameters (MATLAB ``traingdx`` defaults)
    -----------------------------------------
    learning_rate : α > 0 (0.01).
    momentum : μ in [0, 1), MATLAB's ``mc`` (0.9).
    lr_inc : ≥ 1 (1.05).   lr_dec : in (0, 1) (0.7).   max_perf_inc : ≥ 1 (1.04).

    Differs from ``"momentum"``: the new gradient is weighted by ``(1 − μ)`` (an
    exponential average of steps), and the velocity holds steps, not gradients.

    Example
    -------
    >>> import numpy as np
    >>> from sinapse import MLP, Objective
    >>> from sinapse.optim import AdaptiveMomentumGradientDescent
    >>> net = MLP([2, 2, 1], seed=0); obj = Objective(net, np.eye(2), [[1.0], [0.0]])
    >>> opt = AdaptiveMomentumGradientDescent(); state = opt.init(net.theta)
    >>> theta, state, info = opt.step(obj, net.theta, state)
    >>> bool(info.accepted and obj.value(theta) < info.loss)
    True
    """

    name = "gdx"
    momentum: float = 0.9

    def _validate(self) -> None:
        super()._validate()
        self._check_interval("momentum", 0, 1)

    def _mu(self) -> float:
        return float(self.momentum)
