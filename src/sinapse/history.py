"""What a training run recorded, and why it stopped.

Stop reasons are data: ``History.stop.reason`` is one of the codes below (for programs),
``str(History.stop)`` says it in words (for people), and ``History.stop.values`` holds the
numbers behind it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

REASONS = ("goal", "min_grad", "max_epochs", "time", "max_fail", "diverged", "interrupted",
           "callback")


@dataclass
class StopReason:
    """Why training ended: a machine-readable ``reason``, the ``epoch`` and the numbers."""

    reason: str
    epoch: int
    message: str
    values: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.message


@dataclass
class History:
    """Per-epoch record of a run. Entry 0 is the starting point, entry ``k`` after epoch ``k``.

    ``loss`` is the training loss: exact over the whole training set for full-batch
    training; for mini-batches, the mean of the batch losses met during the epoch (what
    scikit-learn reports), since an exact value would cost one more pass. ``grad_norm``
    likewise (mean of batch gradient norms). ``val_loss`` is always exact (NaN without
    validation data). ``n_f``/``n_g`` count the objective evaluations so far, in passes
    over a batch: ``J`` alone / ``J`` with ``∇J``.
    """

    epoch: list[int] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    grad_norm: list[float] = field(default_factory=list)
    learning_rate: list[float] = field(default_factory=list)
    time: list[float] = field(default_factory=list)
    n_f: list[int] = field(default_factory=list)
    n_g: list[int] = field(default_factory=list)
    thetas: list[np.ndarray] = field(default_factory=list)
    stop: StopReason | None = None
    best_epoch: int = 0  # epoch whose weights were kept (best validation loss, else the last)
    optimizer: str = ""

    NUMERIC = ("epoch", "loss", "val_loss", "grad_norm", "learning_rate", "time", "n_f", "n_g")

    def append(self, **row: Any) -> None:
        for name in self.NUMERIC:
            getattr(self, name).append(row[name])

    def __len__(self) -> int:
        return len(self.epoch)

    @property
    def epochs(self) -> int:
        """Epochs trained (the starting point is not one)."""
        return self.epoch[-1] if self.epoch else 0

    @property
    def final_loss(self) -> float:
        return self.loss[-1] if self.loss else float("nan")

    def arrays(self) -> dict[str, np.ndarray]:
        """The numeric columns as NumPy arrays (``thetas`` stacked when kept)."""
        out = {name: np.asarray(getattr(self, name)) for name in self.NUMERIC}
        if self.thetas:
            out["thetas"] = np.stack(self.thetas)
        return out

    def __str__(self) -> str:
        if not self.epoch:
            return "History(empty)"
        lines = [f"{self.optimizer or 'training'}: {self.epochs} epochs, "
                 f"loss {self.loss[0]:.6g} -> {self.final_loss:.6g}"]
        if not np.isnan(self.val_loss[-1]):
            lines.append(f"  validation loss {self.val_loss[-1]:.6g} "
                         f"(best at epoch {self.best_epoch})")
        if self.stop is not None:
            lines.append(f"  stopped: {self.stop}")
        return "\n".join(lines)
