"""The lecture's worked example: the gradient of hidden node 1's weights in a 2-2-1 MLP.

The slides leave the weights and the activation generic; we fix them so every number can
be printed and checked. Logistic activations in both layers (``f' = f(1 - f)``), one input
``x = [1.0, 0.5]`` with desired output ``d = 1.0``, and J the lecture's MSE (with N = 1
sample and N_M = 1 output, ``J = e²``)::

    W^1 = [[0.5, -0.4],      b^1 = [0.1, -0.2]
           [0.3,  0.8]]
    W^2 = [[0.7, -0.6]]      b^2 = [0.2]

Forward (the "direct" stage)::

    u^1 = W^1 x + b^1 = [0.4, 0.5]          y^1 = f(u^1) = [0.598687660, 0.622459331]
    u^2 = W^2 y^1 + b^2 = 0.245605763       y^2 = f(u^2) = 0.561094636
    e = d - y^2 = 0.438905364               J = e² = 0.192637919

Backward (the "reverse" stage)::

    delta^2 = -2 (d - y^2) f'^2(u^2) = -2 · 0.438905364 · 0.246267445 = -0.216176206
    delta^1 = F'^1(u^1) (W^2)ᵀ delta^2
            = [0.7 · 0.240260746, -0.6 · 0.235003712] · delta^2 = [-0.036357059, 0.030481327]

Gradient for hidden node 1 (``i = 1``, ``m = 1``): ``delta_1^1 · [x1, x2, 1]``::

    [dJ/dw_11^1, dJ/dw_12^1, dJ/db_1^1] = [-0.036357059, -0.018178530, -0.036357059]

and the slides' direct chain rule ``-2 (d - y^2) f'^2(u^2) w_11^2 f'^1(u_1^1) x_j`` gives
the same numbers. Run: ``python examples/worked_example_221.py``.
"""

from __future__ import annotations

import numpy as np

import sinapse
from sinapse.backprop import backward, forward


def lecture_network() -> sinapse.MLP:
    """The 2-2-1 network of the slides with the fixed weights above."""
    net = sinapse.MLP([2, 2, 1], activation="logistic", output_activation="logistic")
    net.layers[0].W[...] = [[0.5, -0.4], [0.3, 0.8]]
    net.layers[0].b[...] = [0.1, -0.2]
    net.layers[1].W[...] = [[0.7, -0.6]]
    net.layers[1].b[...] = [0.2]
    return net


def chain_rule_gradient_node1(net: sinapse.MLP, x: np.ndarray, d: float) -> np.ndarray:
    """The slides' direct chain-rule expression, written with scalars only."""
    W1, b1 = net.layers[0].W, net.layers[0].b
    W2, b2 = net.layers[1].W, net.layers[1].b
    f = lambda u: 1.0 / (1.0 + np.exp(-u))  # noqa: E731  (the lecture's logistic)
    u11 = W1[0, 0] * x[0] + W1[0, 1] * x[1] + b1[0]
    u12 = W1[1, 0] * x[0] + W1[1, 1] * x[1] + b1[1]
    y11, y12 = f(u11), f(u12)
    y21 = f(W2[0, 0] * y11 + W2[0, 1] * y12 + b2[0])
    common = -2.0 * (d - y21) * y21 * (1.0 - y21) * W2[0, 0] * y11 * (1.0 - y11)
    return np.array([common * x[0], common * x[1], common * 1.0])


def main() -> None:
    np.set_printoptions(precision=9, suppress=True)
    net = lecture_network()
    x, d = np.array([[1.0, 0.5]]), np.array([[1.0]])
    print("The lecture's 2-2-1 example (logistic activations, x = [1.0, 0.5], d = 1.0)")
    print(net.summary(), "\n")

    fp = forward(net, x)
    bp = backward(net, fp, d, loss="mse")
    e = d - fp.output
    print("forward:")
    print(f"  u^1 = {fp.U[1][0]}   y^1 = {fp.Y[1][0]}")
    print(f"  u^2 = {fp.U[2][0]}   y^2 = {fp.Y[2][0]}")
    print(f"  e = d - y^2 = {e[0]}   J = e^2 = {bp.J:.9f}")
    print("backward (sensitivities):")
    print(f"  delta^2 = -2 (d - y^2) f'(u^2)       = {bp.deltas[2][0]}")
    print(f"  delta^1 = F'(u^1) (W^2)^T delta^2    = {bp.deltas[1][0]}")

    (gW1, gb1), _ = net.views(bp.grad)
    by_backprop = np.array([gW1[0, 0], gW1[0, 1], gb1[0]])
    by_chain_rule = chain_rule_gradient_node1(net, x[0], float(d[0, 0]))
    print("gradient of hidden node 1's weights [dJ/dw_11, dJ/dw_12, dJ/db_1]:")
    print(f"  by backpropagation  delta_1^1 [x1, x2, 1] = {by_backprop}")
    print(f"  by the chain rule directly               = {by_chain_rule}")
    diff = float(np.max(np.abs(by_backprop - by_chain_rule)))
    print(f"  largest difference: {diff:.1e}  ->  {'they agree' if diff < 1e-12 else 'MISMATCH'}")
    print()
    print(sinapse.gradcheck(net, x, d, loss="mse"))


if __name__ == "__main__":
    main()
