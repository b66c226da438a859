"""Optimizers: every one steps on the flat weight vector ``theta``.

``get_optimizer(name, **hyperparameters)`` builds one from the registry; ``available()``
lists the names.
"""

from .base import FirstOrder, Optimizer, State, StepInfo
from .gradient_descent import GradientDescent
from .registry import available, get_optimizer

__all__ = [
    "FirstOrder",
    "GradientDescent",
    "Optimizer",
    "State",
    "StepInfo",
    "available",
    "get_optimizer",
]
