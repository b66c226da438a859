"""Resilient backpropagation: a step size per weight, moved by the *sign* of the gradient.

Each weight ``i`` keeps its own step size ``Δ_i``, grown while its derivative keeps its sign
and shrunk when the sign flips (a minimum was jumped over). With ``s = sign(g_i · g_i⁻)``
(``g⁻`` the derivative remembered from the previous step)::

    s > 0:  Δ_i ← min(η⁺ Δ_i, Δ_max)
    s < 0:  Δ_i ← max(η⁻ Δ_i, Δ_min)
    s = 0:  Δ_i unchanged

and then, per variant (Igel & Hüsken 2000 name all four)::

    "rprop-"   θ_i ← θ_i − sign(g_i) Δ_i                                 (all i)
    "irprop-"  s < 0: g_i ← 0 (no move now);  θ_i ← θ_i − sign(g_i) Δ_i
    "rprop+"   s < 0: θ_i ← θ_i − Δθ_i⁻ (undo the last move), g_i ← 0
               else:  Δθ_i = −sign(g_i) Δ_i,  θ_i ← θ_i + Δθ_i
    "irprop+"  as "rprop+", but undo only if J went up: J(θ) > J(θ⁻)

``g⁻ ← g`` after the step (with the zeros written above), so the step after a sign flip
has ``s = 0`` and moves with the reduced ``Δ_i`` and no further change to it.

Which is which elsewhere: ``torch.optim.Rprop`` is iRprop⁻ (it zeroes the derivative on a
sign change; its ``lr`` is Δ₀, ``etas`` (η⁻, η⁺), ``step_sizes`` (Δ_min, Δ_max)); MATLAB
``trainrp`` is Rprop⁻ (no zeroing, no backtracking, no Δ_min); Riedmiller & Braun's
original is Rprop⁺.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .base import Array, ObjectiveLike, Optimizer, State, StepInfo

VARIANTS = ("rprop-", "rprop+", "irprop-", "irprop+")


@dataclass(frozen=True)
class Rprop(Optimizer):
    """Resilient backpropagation (Rprop), in the variant ``variant``.

    Parameters
    ----------
    variant : one of "rprop-", "rprop+", "irprop-", "irprop+" (default "irprop-", the
        variant of ``torch.optim.Rprop``, and Igel & Hüsken's recommended simple one).
    delta0 : Δ₀, the initial step size of every weight (0.07, MATLAB ``trainrp``'s
        ``delta0``; Riedmiller & Braun use 0.1, torch's ``lr`` is 0.01).
    eta_minus : η⁻ in (0, 1) (0.5).   eta_plus : η⁺ > 1 (1.2) — all sources agree.
    delta_min : Δ_min ≥ 0 (1e-6, Riedmiller & Braun and torch; MATLAB has none).
    delta_max : Δ_max (50, all three sources). Needs ``Δ_min ≤ Δ₀ ≤ Δ_max``.

    The step uses ``J`` and ``∇J`` at ``θ`` only (``n_g = 1``): iRprop⁺ compares that
    ``J`` with the one kept in ``state["prev_loss"]`` from the previous step. No learning
    rate: ``state`` has no ``"learning_rate"``, so a learning-rate schedule leaves Rprop
    alone. ``extras``: ``mean_step_size`` (the mean of Δ after the update) and
    ``n_reverted`` (weights whose last move was undone).

    Example
    -------
    >>> import numpy as np
    >>> from sinapse import MLP, Objective
    >>> from sinapse.optim import Rprop
    >>> net = MLP([2, 2, 1], seed=0); obj = Objective(net, np.eye(2), [[1.0], [0.0]])
    >>> opt = Rprop(variant="irprop+"); state = opt.init(net.theta)
    >>> theta, state, info = opt.step(obj, net.theta, state)
    >>> np.abs(theta - net.theta).round(12)         # the first step moves each weight ±Δ₀
    array([0.07, 0.07, 0.07, 0.07, 0.07, 0.07, 0.07, 0.07, 0.07])

    References
    ----------
    M. Riedmiller, H. Braun, "A direct adaptive method for faster backpropagation
    learning: the RPROP algorithm", IEEE ICNN 1993. — C. Igel, M. Hüsken, "Improving the
    Rprop learning algorithm", NC 2000 (Figs. 1–4: Rprop⁺, Rprop⁻, iRprop⁺, iRprop⁻).
    """

    name = "rprop"
    variant: str = "irprop-"
    delta0: float = 0.07
    eta_minus: float = 0.5
    eta_plus: float = 1.2
    delta_min: float = 1e-6
    delta_max: float = 50.0

    def _validate(self) -> None:
        if self.variant not in VARIANTS:
            raise self._error(f"variant must be one of {', '.join(map(repr, VARIANTS))}; "
                              f"got {self.variant!r}.")
        for name in ("delta0", "delta_max", "eta_minus", "eta_plus"):
            self._check_positive(name)
        self._check_positive("delta_min", allow_zero=True)
        if not 0 < self.eta_minus < 1:
            raise self._error(f"eta_minus must be in (0, 1); got {self.eta_minus!r}.")
        if not self.eta_plus > 1:
            raise self._error(f"eta_plus must be > 1; got {self.eta_plus!r}.")
        if not self.delta_min <= self.delta_max:
            raise self._error(f"delta_min must not exceed delta_max; got {self.delta_min!r} > "
                              f"{self.delta_max!r}.")
        if not self.delta_min <= self.delta0 <= self.delta_max:
            raise self._error(f"delta0 must lie in [delta_min, delta_max] = "
                              f"[{self.delta_min:g}, {self.delta_max:g}]; got {self.delta0!r}.")

    def init(self, theta: Array) -> State:
        state: State = {"t": 0, "step_size": np.full_like(theta, self.delta0),
                        "prev_grad": np.zeros_like(theta)}
        if self.variant.endswith("+"):
            state["prev_change"] = np.zeros_like(theta)
        if self.variant == "irprop+":
            state["prev_loss"] = np.nan
        return state

    def step(self, objective: ObjectiveLike, theta: Array, state: State
             ) -> tuple[Array, State, StepInfo]:
        J, g = objective.value_and_grad(theta)
        theta_new, n_reverted = self._update(g, J, theta, state)
        state["t"] = state["t"] + 1
        delta = state["step_size"]
        info = StepInfo(loss=J, grad_norm=float(np.linalg.norm(g)), n_g=1,
                        extras={"mean_step_size": float(np.mean(delta)) if delta.size else 0.0,
                                "n_reverted": float(n_reverted)})
        return theta_new, state, info

    def _update(self, g: Array, J: float, theta: Array, state: State) -> tuple[Array, int]:
        delta, g_prev = state["step_size"], state["prev_grad"]
        out = np.empty_like(theta)                  # the new θ; scratch until then
        np.multiply(g, g_prev, out=out)             # sign of g · g⁻
        same, flipped = out > 0, out < 0
        np.multiply(delta, self.eta_plus, out=delta, where=same)
        np.multiply(delta, self.eta_minus, out=delta, where=flipped)
        np.clip(delta, self.delta_min, self.delta_max, out=delta)
        np.copyto(g_prev, g)                        # g⁻ ← g, forgotten where the sign
        if self.variant != "rprop-":                # flipped (all but Rprop-)
            g_prev[flipped] = 0
        np.sign(g_prev, out=out)
        out *= delta
        np.negative(out, out=out)                   # Δθ = −sign(g) Δ
        n_reverted = 0
        if self.variant.endswith("+"):
            undo = flipped
            if self.variant == "irprop+":
                undo = flipped & bool(J > float(state["prev_loss"]))
                state["prev_loss"] = float(J)
            prev_change = state["prev_change"]
            np.negative(prev_change, out=out, where=undo)   # θ_i ← θ_i − Δθ_i⁻
            n_reverted = int(np.count_nonzero(undo))
            np.copyto(prev_change, out)
        out += theta
        return out, n_reverted
