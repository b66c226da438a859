"""Every registered optimizer trains the XOR network and a small regression through train().

Registry-driven: a new optimizer is covered as soon as it is registered; it needs a line in
HYPERPARAMETERS only when its defaults are not suited to these tiny full-batch problems.
"""

from __future__ import annotations

import numpy as np
import pytest

import sinapse
from sinapse.optim import available

X_XOR, D_XOR = sinapse.datasets.xor()
_rng = np.random.default_rng(0)
X_REG = _rng.uniform(-2, 2, (80, 1))
D_REG = np.sin(X_REG)

# learning rates for 4 and 80 samples trained full batch (the defaults suit mini-batches)
HYPERPARAMETERS = {
    "gd": ({"learning_rate": 2.0}, {"learning_rate": 0.2}),
    "momentum": ({"learning_rate": 0.5}, {"learning_rate": 0.05}),
    "nesterov": ({"learning_rate": 0.5}, {"learning_rate": 0.05}),
    "gda": ({"learning_rate": 0.5}, {"learning_rate": 0.5}),
    "gdx": ({"learning_rate": 0.5}, {"learning_rate": 0.5}),
    "adagrad": ({"learning_rate": 0.3}, {"learning_rate": 0.3}),
    "rmsprop": ({"learning_rate": 0.01}, {"learning_rate": 0.01}),
    "adadelta": ({"learning_rate": 1.0}, {"learning_rate": 1.0}),
    "adam": ({"learning_rate": 0.05}, {"learning_rate": 0.05}),
    "adamw": ({"learning_rate": 0.05, "weight_decay": 0.0},
              {"learning_rate": 0.05, "weight_decay": 0.0}),
    "nadam": ({"learning_rate": 0.05}, {"learning_rate": 0.05}),
    "amsgrad": ({"learning_rate": 0.05}, {"learning_rate": 0.05}),
    "adamax": ({"learning_rate": 0.05}, {"learning_rate": 0.05}),
    "rprop": ({}, {}),
}


@pytest.mark.parametrize("name", available())
def test_trains_xor(name):
    hp = HYPERPARAMETERS.get(name, ({}, {}))[0]
    net = sinapse.MLP([2, 2, 1], activation="tanh", output_activation="logistic",
                      init="nguyen_widrow", seed=5)
    h = sinapse.train(net, X_XOR, D_XOR, optimizer=name, epochs=3000, goal=1e-3,
                      progress=False, **hp)
    assert h.stop.reason == "goal", f"{name}: {h.stop}"
    Y = net.predict(X_XOR)[:, 0]
    np.testing.assert_array_equal(Y > 0.5, D_XOR[:, 0] > 0.5)


@pytest.mark.parametrize("name", available())
def test_fits_a_small_regression(name):
    hp = HYPERPARAMETERS.get(name, ({}, {}))[1]
    net = sinapse.MLP([1, 10, 1], activation="tanh", seed=0)
    h = sinapse.train(net, X_REG, D_REG, optimizer=name, epochs=1000, progress=False, **hp)
    assert h.stop.reason == "max_epochs", f"{name}: {h.stop}"
    # from J = 0.14 at the start to below 1/50 of it: the sine is fitted
    assert h.loss[-1] < h.loss[0] / 50, f"{name}: J {h.loss[0]:.3g} -> {h.loss[-1]:.3g}"


@pytest.mark.parametrize("name", available())
def test_trains_in_mini_batches(name):
    hp = dict(HYPERPARAMETERS.get(name, ({}, {}))[1])
    net = sinapse.MLP([1, 10, 1], activation="tanh", seed=0)
    h = sinapse.train(net, X_REG, D_REG, optimizer=name, epochs=150, batch_size=16, seed=0,
                      progress=False, **hp)
    J, _ = sinapse.value_and_grad(net, X_REG, D_REG)
    assert h.stop.reason == "max_epochs"
    assert J < h.loss[0] / 5, f"{name}: J {h.loss[0]:.3g} -> {J:.3g}"
