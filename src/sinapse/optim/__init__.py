"""Optimizers: every one steps on the flat weight vector ``theta``.

``get_optimizer(name, **hyperparameters)`` builds one from the registry; ``available()``
lists the names.
"""

from .adam import Adam, Adamax, AdamW, AMSGrad, NAdam
from .adaptive import Adadelta, Adagrad, RMSprop
from .base import FirstOrder, Optimizer, State, StepInfo
from .gda import AdaptiveGradientDescent, AdaptiveMomentumGradientDescent
from .gradient_descent import GradientDescent
from .momentum import Momentum, Nesterov
from .registry import available, get_optimizer
from .rprop import Rprop

__all__ = [
    "AMSGrad",
    "Adadelta",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "AdaptiveGradientDescent",
    "AdaptiveMomentumGradientDescent",
    "FirstOrder",
    "GradientDescent",
    "Momentum",
    "NAdam",
    "Nesterov",
    "Optimizer",
    "RMSprop",
    "Rprop",
    "State",
    "StepInfo",
    "available",
    "get_optimizer",
]
