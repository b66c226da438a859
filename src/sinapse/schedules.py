"""Learning-rate schedules, applied by ``train`` at the start of every epoch.

A schedule maps the number of epochs already completed, ``k = 0, 1, …``, and the base
learning rate ``α₀`` (the optimizer's own ``learning_rate``) to the rate for the next
epoch. Like the optimizers, a schedule is frozen and keeps what it must remember in an
explicit ``dict`` state, so checkpoints save it without pickle.

===================  ===================================================================
name                 rate for epoch k + 1
===================  ===================================================================
constant             α₀
step                 α₀ · gamma^floor(k / step_size)             (torch ``StepLR``)
exponential          α₀ · gamma^k                                (torch ``ExponentialLR``)
inverse_scaling      α₀ / (k + 1)^power_t         (scikit-learn ``invscaling``, per epoch)
cosine               η_min + (α₀ - η_min)(1 + cos(π k / T)) / 2   (torch ``CosineAnnealingLR``)
reduce_on_plateau    α ← max(α · factor, min_lr) after ``patience`` epochs without a
                     relative improvement of ``threshold`` in the monitored loss
                     (validation loss when there is one)          (torch ``ReduceLROnPlateau``)
===================  ===================================================================
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

State = dict[str, Any]


class Schedule:
    """Base of the schedules: ``rate(k, base, state, metric) -> learning rate``."""

    name: ClassVar[str] = ""

    def init(self) -> State:
        return {}

    def rate(self, k: int, base: float, state: State, metric: float) -> float:
        """Rate for epoch ``k + 1`` given ``k`` completed epochs and the last monitored loss."""
        return base

    def _fail(self, message: str) -> ValueError:
        return ValueError(f"{type(self).__name__}: {message}")


@dataclass(frozen=True)
class Constant(Schedule):
    name = "constant"


@dataclass(frozen=True)
class Step(Schedule):
    name = "step"
    step_size: int = 10
    gamma: float = 0.1

    def __post_init__(self) -> None:
        if not (isinstance(self.step_size, int) and self.step_size >= 1):
            raise self._fail(f"step_size must be an integer >= 1; got {self.step_size!r}.")
        if not 0 < self.gamma <= 1:
            raise self._fail(f"gamma must be in (0, 1]; got {self.gamma!r}.")

    def rate(self, k: int, base: float, state: State, metric: float) -> float:
        return base * self.gamma ** (k // self.step_size)


@dataclass(frozen=True)
class Exponential(Schedule):
    name = "exponential"
    gamma: float = 0.95

    def __post_init__(self) -> None:
        if not 0 < self.gamma <= 1:
            raise self._fail(f"gamma must be in (0, 1]; got {self.gamma!r}.")

    def rate(self, k: int, base: float, state: State, metric: float) -> float:
        return base * self.gamma**k


@dataclass(frozen=True)
class InverseScaling(Schedule):
    name = "inverse_scaling"
    power_t: float = 0.5

    def __post_init__(self) -> None:
        if not self.power_t > 0:
            raise self._fail(f"power_t must be > 0; got {self.power_t!r}.")

    def rate(self, k: int, base: float, state: State, metric: float) -> float:
        return base / (k + 1) ** self.power_t


@dataclass(frozen=True)
class Cosine(Schedule):
    """Cosine annealing over ``t_max`` epochs (default: the run's ``epochs``)."""

    name = "cosine"
    t_max: int | None = None
    eta_min: float = 0.0

    def __post_init__(self) -> None:
        if self.t_max is not None and not (isinstance(self.t_max, int) and self.t_max >= 1):
            raise self._fail(f"t_max must be an integer >= 1 or None; got {self.t_max!r}.")
        if self.eta_min < 0:
            raise self._fail(f"eta_min must be >= 0; got {self.eta_min!r}.")

    def init(self) -> State:
        return {"t_max": 0 if self.t_max is None else self.t_max}

    def rate(self, k: int, base: float, state: State, metric: float) -> float:
        T = max(int(state["t_max"]), 1)
        return self.eta_min + (base - self.eta_min) * (1 + math.cos(math.pi * min(k, T) / T)) / 2


@dataclass(frozen=True)
class ReduceOnPlateau(Schedule):
    name = "reduce_on_plateau"
    factor: float = 0.1
    patience: int = 10
    threshold: float = 1e-4
    min_lr: float = 0.0

    def __post_init__(self) -> None:
        if not 0 < self.factor < 1:
            raise self._fail(f"factor must be in (0, 1); got {self.factor!r}.")
        if not (isinstance(self.patience, int) and self.patience >= 0):
            raise self._fail(f"patience must be an integer >= 0; got {self.patience!r}.")
        if self.threshold < 0 or self.min_lr < 0:
            raise self._fail("threshold and min_lr must be >= 0.")

    def init(self) -> State:
        return {"best": math.inf, "bad_epochs": 0, "scale": 1.0}

    def rate(self, k: int, base: float, state: State, metric: float) -> float:
        if math.isfinite(metric):
            if metric < state["best"] * (1 - self.threshold):
                state["best"], state["bad_epochs"] = metric, 0
            else:
                state["bad_epochs"] += 1
                if state["bad_epochs"] > self.patience:
                    state["scale"] *= self.factor
                    state["bad_epochs"] = 0
        return max(base * state["scale"], self.min_lr)


SCHEDULES: dict[str, type[Schedule]] = {
    cls.name: cls for cls in (Constant, Step, Exponential, InverseScaling, Cosine, ReduceOnPlateau)
}
_ALIASES = {"plateau": "reduce_on_plateau", "invscaling": "inverse_scaling"}


def get_schedule(spec: str | Schedule | None) -> Schedule:
    """A schedule from its name (default hyperparameters) or an instance; None is constant."""
    if spec is None:
        return Constant()
    if isinstance(spec, Schedule):
        return spec
    if isinstance(spec, str):
        key = _ALIASES.get(spec.lower(), spec.lower())
        if key in SCHEDULES:
            return SCHEDULES[key]()
    raise ValueError(f"Unknown learning-rate schedule {spec!r}; choose one of: "
                     f"{', '.join(SCHEDULES)}, or pass a sinapse.schedules instance.")
