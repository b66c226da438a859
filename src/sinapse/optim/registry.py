"""One registry maps names to optimizers: the training loop, estimators, CLI and tests read it.

Adding an optimizer is adding one line to ``_REGISTRY``; the contract tests in
``tests/test_optim_contract.py`` then cover it.
"""

from __future__ import annotations

from typing import Any

from .adam import Adam, Adamax, AdamW, AMSGrad, NAdam
from .adaptive import Adadelta, Adagrad, RMSprop
from .base import Optimizer
from .gda import AdaptiveGradientDescent, AdaptiveMomentumGradientDescent
from .gradient_descent import GradientDescent
from .momentum import Momentum, Nesterov
from .rprop import Rprop

_REGISTRY: dict[str, type[Optimizer]] = {
    cls.name: cls
    for cls in (
        GradientDescent,
        Momentum,
        Nesterov,
        AdaptiveGradientDescent,
        AdaptiveMomentumGradientDescent,
        Adagrad,
        RMSprop,
        Adadelta,
        Adam,
        AdamW,
        NAdam,
        AMSGrad,
        Adamax,
        Rprop,
    )
}


def available() -> list[str]:
    """Registry names of every optimizer."""
    return sorted(_REGISTRY)


def get_optimizer(spec: str | Optimizer, **hyperparameters: Any) -> Optimizer:
    """An optimizer from its registry name (with hyperparameters) or an instance as is.

    >>> get_optimizer("gd", learning_rate=0.5)
    GradientDescent(learning_rate=0.5)
    """
    if isinstance(spec, Optimizer):
        if hyperparameters:
            raise ValueError(f"get_optimizer: hyperparameters {sorted(hyperparameters)} given "
                             f"with an optimizer instance; set them on the instance instead.")
        return spec
    if not isinstance(spec, str):
        raise TypeError(f"optimizer must be a registry name or an Optimizer; got {spec!r}.")
    cls = _REGISTRY.get(spec.lower())
    if cls is None:
        raise ValueError(f"Unknown optimizer {spec!r}; choose one of: {', '.join(available())}.")
    try:
        return cls(**hyperparameters)
    except TypeError as err:
        import dataclasses

        names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
        raise TypeError(f"{cls.__name__}: {err}. Its hyperparameters are: {', '.join(names)}."
                        ) from None
