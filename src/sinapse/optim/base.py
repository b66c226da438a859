"""The optimizer interface: frozen hyperparameters, explicit state, one step at a time.

::

    state = optimizer.init(theta)
    theta, state, info = optimizer.step(objective, theta, state)

``state`` is a plain ``dict`` of NumPy arrays and numbers, so a checkpoint writes it with
``numpy.savez`` (no pickle) and a resumed run reads it back bit for bit. ``step`` returns
a *new* ``theta`` and never writes into the one it was given.

Every optimizer keeps its current learning rate in ``state["learning_rate"]`` (when it
has one), so schedules change it between epochs without rebuilding the optimizer.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

import numpy as np

Array = np.ndarray
State = dict[str, Any]


class ObjectiveLike(Protocol):
    def value(self, theta: Array) -> float: ...

    def value_and_grad(self, theta: Array) -> tuple[float, Array]: ...


@dataclass(frozen=True)
class StepInfo:
    """What one step did.

    ``loss`` and ``grad_norm`` are at the point the step started from. ``n_f``/``n_g``
    count the objective evaluations the step used (``J`` alone / ``J`` with ``∇J``).
    ``accepted`` is False when the step was rejected and ``theta`` left as it was.
    ``extras`` carries method-specific numbers (learning rate, mu, step size …).
    """

    loss: float
    grad_norm: float
    n_f: int = 0
    n_g: int = 1
    accepted: bool = True
    extras: dict[str, float] = field(default_factory=dict)


class Optimizer(ABC):
    """Base of every optimizer (abstract: subclass it once, never subclass a concrete one).

    Subclasses are frozen dataclasses whose fields are the hyperparameters. They set
    ``name`` (the registry key) and implement ``init`` and ``step``; ``_validate`` checks
    the hyperparameters when the optimizer is made.
    """

    name: ClassVar[str] = ""
    needs: ClassVar[tuple[str, ...]] = ()  # objective capabilities beyond value_and_grad

    def __post_init__(self) -> None:
        self._validate()

    def _validate(self) -> None:  # noqa: B027  (optional hook, not abstract)
        """Raise ValueError, in the house format, for an invalid hyperparameter."""

    @abstractmethod
    def init(self, theta: Array) -> State:
        """The optimizer's initial state for starting point ``theta``."""

    @abstractmethod
    def step(self, objective: ObjectiveLike, theta: Array, state: State
             ) -> tuple[Array, State, StepInfo]:
        """One update: returns the new ``theta``, the state and a ``StepInfo``."""

    def hyperparameters(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}  # type: ignore[arg-type]

    def _error(self, message: str) -> ValueError:
        return ValueError(f"{type(self).__name__}: {message}")

    # --- shared checks, one format: "Adam: beta1 must be in [0, 1); got 1.0." --------
    def _check_positive(self, name: str, allow_zero: bool = False) -> None:
        v = getattr(self, name)
        ok = _is_real(v) and (v >= 0 if allow_zero else v > 0) and np.isfinite(v)
        if not ok:
            bound = ">= 0" if allow_zero else "> 0"
            raise self._error(f"{name} must be a finite number {bound}; got {v!r}.")

    def _check_interval(self, name: str, lo: float, hi: float, closed_hi: bool = False) -> None:
        v = getattr(self, name)
        if not (_is_real(v) and lo <= v and (v <= hi if closed_hi else v < hi)):
            raise self._error(f"{name} must be in [{lo:g}, {hi:g}{']' if closed_hi else ')'}; "
                              f"got {v!r}.")


def _is_real(v: object) -> bool:
    return isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool)


class FirstOrder(Optimizer):
    """An optimizer that takes ``∇J`` at ``theta`` and maps it to a new ``theta``.

    Subclasses implement ``update(g, theta, state) -> (theta_new, extras)``, may mutate
    the arrays in ``state`` (they belong to the optimizer), and must not write into ``g``
    or ``theta``.
    """

    def step(self, objective: ObjectiveLike, theta: Array, state: State
             ) -> tuple[Array, State, StepInfo]:
        J, g = objective.value_and_grad(theta)
        gnorm = float(np.linalg.norm(g))
        theta_new, extras = self.update(g, theta, state)
        state["t"] = state.get("t", 0) + 1
        return theta_new, state, StepInfo(loss=J, grad_norm=gnorm, n_g=1, extras=extras)

    @abstractmethod
    def update(self, g: Array, theta: Array, state: State) -> tuple[Array, dict[str, float]]:
        """The new ``theta`` from gradient ``g``, and the extras to report."""
