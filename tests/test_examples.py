"""The examples that `make demo` runs do what they print."""

from __future__ import annotations

import importlib.util
import pathlib

import numpy as np


def _load(name: str):
    path = pathlib.Path(__file__).parents[1] / "examples" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_xor_demo_restarts_until_solved(capsys):
    demo = _load("xor_demo")
    history = demo.main()
    out = capsys.readouterr().out
    assert "stuck in a local minimum" in out  # the lecture's point: restarts are needed
    assert "4/4 correct" in out and "delta^1 =" in out
    assert history.stop.reason == "goal" and history.loss[-1] <= 1e-3
    assert np.all(np.diff(history.loss) < 0)  # plain GD with a small enough step descends
