"""Training checkpoints: NumPy arrays plus one JSON header in a ``.npz`` file, never pickle.

A checkpoint is written atomically: into a temporary file beside the target, flushed to
disk, then renamed over it, so a crash mid-write leaves the previous checkpoint intact.
It holds everything a resumed run needs to continue bit for bit: ``theta``, the
optimizer's state, the schedule's state, the random generator's state, the epoch, the
counters of early stopping and the history so far.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

FORMAT = "sinapse-checkpoint"
VERSION = 1


def _flatten_state(prefix: str, state: dict[str, Any], arrays: dict[str, np.ndarray],
                   scalars: dict[str, Any]) -> None:
    for key, value in state.items():
        if isinstance(value, np.ndarray):
            arrays[f"{prefix}/{key}"] = value
        elif isinstance(value, bool | int | float | str | np.integer | np.floating | np.bool_):
            scalars[f"{prefix}/{key}"] = value.item() if isinstance(value, np.generic) else value
        else:
            raise TypeError(f"checkpoint: state entry {prefix}/{key} is a {type(value).__name__};"
                            f" only NumPy arrays and numbers can be saved.")


def _unflatten_state(prefix: str, arrays: dict[str, np.ndarray], scalars: dict[str, Any]
                     ) -> dict[str, Any]:
    state: dict[str, Any] = {}
    head = prefix + "/"
    for key, value in arrays.items():
        if key.startswith(head):
            state[key[len(head):]] = value
    for key, value in scalars.items():
        if key.startswith(head):
            state[key[len(head):]] = value
    return state


def save_checkpoint(path: str | os.PathLike, *, header: dict[str, Any],
                    arrays: dict[str, np.ndarray], states: dict[str, dict[str, Any]]) -> Path:
    """Write a checkpoint atomically; ``states`` maps a prefix to a state dict."""
    path = Path(path)
    all_arrays = dict(arrays)
    scalars: dict[str, Any] = {}
    for prefix, state in states.items():
        _flatten_state(prefix, state, all_arrays, scalars)
    meta = {"format": FORMAT, "version": VERSION, **header, "scalars": scalars}
    all_arrays["__header__"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **all_arrays)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load_checkpoint(path: str | os.PathLike, states: tuple[str, ...]
                    ) -> tuple[dict[str, Any], dict[str, np.ndarray], dict[str, dict[str, Any]]]:
    """Read a checkpoint: ``(header, arrays, {prefix: state})``. Never unpickles anything."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"resume: no checkpoint at {str(path)!r}.")
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
    except (ValueError, OSError) as err:
        raise ValueError(f"resume: {str(path)!r} is not a sinapse checkpoint ({err}).") from None
    raw = arrays.pop("__header__", None)
    header = json.loads(bytes(raw).decode()) if raw is not None else {}
    if header.get("format") != FORMAT:
        raise ValueError(f"resume: {str(path)!r} is not a sinapse checkpoint.")
    if header.get("version", 0) > VERSION:
        raise ValueError(f"resume: {str(path)!r} was written by a newer sinapse "
                         f"(format {header['version']}); upgrade to read it.")
    scalars = header.pop("scalars", {})
    out_states = {p: _unflatten_state(p, arrays, scalars) for p in states}
    plain = {k: v for k, v in arrays.items() if "/" not in k or k.startswith("history/")}
    return header, plain, out_states
