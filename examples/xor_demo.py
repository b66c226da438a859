"""XOR with the lecture's 2-2-1 network, trained by plain batch gradient descent.

The lecture's two-class logic-level figure: class 0 (logic level 0) and class 1 (logic
level 1) at the corners of the unit square, not linearly separable, so one hidden layer
of two nodes is needed. We train ``w(k+1) = w(k) - α ∇J(w(k))`` on the lecture's MSE and
print the loss falling, the learned truth table and the final sensitivities ``delta^m``.

Run: ``python examples/xor_demo.py``
"""

from __future__ import annotations

import numpy as np

import sinapse
from sinapse.backprop import backward, forward

X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
D = np.array([[0.0], [1.0], [1.0], [0.0]])


def fit(seed: int, epochs: int) -> tuple[sinapse.MLP, sinapse.History]:
    net = sinapse.MLP([2, 2, 1], activation="tanh", output_activation="logistic",
                      init="nguyen_widrow", seed=seed)
    history = sinapse.train(net, X, D, loss="mse", optimizer="gd", learning_rate=2.0,
                            epochs=epochs, goal=1e-3, progress=False)
    return net, history


def solved(net: sinapse.MLP) -> bool:
    return bool(((net.predict(X)[:, 0] > 0.5) == (D[:, 0] > 0.5)).all())


def main(epochs: int = 2000, max_restarts: int = 20) -> sinapse.History:
    print("Batch gradient descent (alpha = 2.0) on XOR, 2-2-1 tanh/logistic network.")
    print("The error surface is not convex: from some initial weights the descent sinks into")
    print("a local minimum, so we restart from new random weights, as the lecture suggests.\n")
    for seed in range(max_restarts):
        net, history = fit(seed, epochs)
        ok = solved(net)
        print(f"  start {seed:>2}: J = {history.final_loss:.6f} after {history.epochs:>4} epochs"
              f" -> {'solved' if ok else 'stuck in a local minimum'}")
        if ok:
            break
    print()
    print(net.summary(), "\n")
    print("the loss falling:")
    marks = sorted({0, 1, 10, 50, 100, 200, 300, 400, 500, history.epochs} & set(history.epoch))
    for k in marks:
        print(f"  epoch {k:>5}   J = {history.loss[k]:.6f}   |grad J| = {history.grad_norm[k]:.2e}")
    print(f"stopped: {history.stop}\n")

    Y = net.predict(X)
    print("learned truth table (x1 XOR x2):")
    print("   x1  x2 | d | y        | class")
    for x, d, y in zip(X, D[:, 0], Y[:, 0], strict=True):
        print(f"   {x[0]:.0f}   {x[1]:.0f}  | {d:.0f} | {y:.6f} | {int(y > 0.5)}")
    correct = int(((Y[:, 0] > 0.5) == (D[:, 0] > 0.5)).sum())
    print(f"{correct}/4 correct\n")

    bp = backward(net, forward(net, X), D, loss="mse")
    print("final sensitivities (rows: the four samples):")
    for m in (2, 1):
        rows = np.array2string(bp.deltas[m], formatter={"float_kind": "{: .3e}".format})
        rows = rows.replace("\n", "\n" + " " * 12)
        print(f"  delta^{m} = {rows}")
    return history


if __name__ == "__main__":
    main()
