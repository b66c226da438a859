"""sinapse: train neural networks the way the textbook explains it.

>>> import numpy as np, sinapse
>>> net = sinapse.MLP([2, 2, 1], activation="tanh", seed=0)
>>> J, grad = sinapse.value_and_grad(net, np.eye(2), [[1.0], [0.0]])
>>> grad.shape == net.theta.shape
True
"""

from . import activations, backprop, datasets, init, losses, optim, schedules
from .backprop import backward, forward, value_and_grad
from .gradient_check import GradcheckReport, gradcheck
from .history import History, StopReason
from .network import MLP, Layer
from .objective import Objective
from .train import train

__version__ = "0.1.0"

__all__ = [
    "MLP",
    "GradcheckReport",
    "History",
    "Layer",
    "Objective",
    "StopReason",
    "__version__",
    "activations",
    "backprop",
    "backward",
    "datasets",
    "forward",
    "gradcheck",
    "init",
    "losses",
    "optim",
    "schedules",
    "train",
    "value_and_grad",
]
