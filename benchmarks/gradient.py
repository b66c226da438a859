"""One gradient of a 64-128-64-10 ReLU / softmax cross-entropy network, against its floor.

THE FLOOR is the matrix products a forward + backward pass cannot avoid, as plain
preallocated ``np.matmul(..., out=...)`` calls with the exact shapes: forward
``Y[m-1] @ W^m.T`` (3 products), backward ``deltas[m].T @ Y[m-1]`` (3 weight gradients)
and ``deltas[m] @ W^m`` (2 propagations). Everything else a pass does (bias, ReLU,
softmax, loss, bias gradients, Python) is measured as a ratio to it.

Contestants, each timed at N = 200 and N = 20 000 rows, float64 and float32:

* ``sinapse hot``: ``Objective(net, X, D, "cross_entropy").value_and_grad(theta)``, the
  call the training loop makes, with ``theta`` alternating between two vectors so the
  objective's one-point cache never answers;
* ``sinapse into``: ``backprop.value_and_grad_into(net, X, D, loss, theta, grad)``, the
  engine without the objective around it;
* ``sinapse checked``: the public ``sinapse.value_and_grad(net, X, D, "cross_entropy")``,
  which validates ``X`` and ``D`` on every call;
* ``numpy naive``: forward + backward written the way people usually write it in NumPy,
  with fresh temporaries (``X @ W.T + b``, ``np.maximum``, ...);
* ``torch``: PyTorch autograd (``F.linear``, ``relu``, ``F.cross_entropy``, ``backward``),
  when torch is importable, in the same dtype.

Every library gets the same number of threads (``--threads``, default 1, see ``_common``;
enforced with threadpoolctl and ``torch.set_num_threads``). The first calls (workspace
allocation) are warm-up and not timed. The cases run in interleaved rounds; times are
medians over rounds and every ratio is taken within a round, then the median over rounds.
Before timing, the sinapse, NumPy and PyTorch gradients are checked to agree.

``--profile`` adds where sinapse spends its time beyond the floor: a copy of
``backprop.value_and_grad_into`` with a clock around every step, run interleaved with the
real pass (so caches are as the real pass leaves them), summed by kind of step; and
candidate replacements for the costly elementwise steps, each timed alone.

Run: ``.venv/bin/python benchmarks/gradient.py [--quick] [--profile] [--threads N]``.
"""

from __future__ import annotations

import argparse
import collections
import sys
import time

import numpy as np
from _common import (
    DEFAULT_THREADS,
    header,
    interleaved,
    limit_threads,
    med,
    round_ratios,
    table,
)

import sinapse
from sinapse.backprop import value_and_grad_into
from sinapse.losses import get_loss

SIZES = (64, 128, 64, 10)
ROWS = (200, 20_000)


# --- the problem ---------------------------------------------------------------------------
def problem(n_rows: int, dtype: type, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_rows, SIZES[0])).astype(dtype)
    labels = rng.integers(0, SIZES[-1], n_rows)
    D = np.eye(SIZES[-1], dtype=dtype)[labels]
    net = sinapse.MLP(
        list(SIZES),
        activation="relu",
        output_activation="softmax",
        init="glorot",
        seed=0,
        dtype=dtype,
    )
    return net, X, D, labels


# --- the floor: the 8 matrix products alone ------------------------------------------------
def make_floor(net, X):
    """The pass's 8 products into preallocated buffers, on views of a theta vector."""
    n, dt = X.shape[0], X.dtype
    theta = net.theta.copy()
    Ws = [W for W, _ in net.views(theta)]
    grad = np.empty_like(theta)
    gWs = [gW for gW, _ in net.views(grad)]
    rng = np.random.default_rng(1)
    Y = [X] + [np.empty((n, k), dtype=dt) for k in SIZES[1:]]
    deltas = [None] + [(rng.standard_normal((n, k)) * 1e-3).astype(dt) for k in SIZES[1:]]
    M = len(SIZES) - 1

    def floor():
        for m in range(1, M + 1):
            np.matmul(Y[m - 1], Ws[m - 1].T, out=Y[m])
        for m in range(M, 0, -1):
            np.matmul(deltas[m].T, Y[m - 1], out=gWs[m - 1])
            if m > 1:
                np.matmul(deltas[m], Ws[m - 1], out=deltas[m - 1])

    return floor


# --- the peers -----------------------------------------------------------------------------
def numpy_naive(params, X, D):
    """Forward + backward as usually written: fresh arrays everywhere, grads in a list."""
    (W1, b1), (W2, b2), (W3, b3) = params
    n = X.shape[0]
    U1 = X @ W1.T + b1
    Y1 = np.maximum(U1, 0)
    U2 = Y1 @ W2.T + b2
    Y2 = np.maximum(U2, 0)
    U3 = Y2 @ W3.T + b3
    Z = U3 - U3.max(axis=1, keepdims=True)
    E = np.exp(Z)
    S = E.sum(axis=1, keepdims=True)
    P = E / S
    J = -np.sum(D * (Z - np.log(S))) / n
    d3 = (P - D) / n
    gW3, gb3 = d3.T @ Y2, d3.sum(axis=0)
    d2 = (d3 @ W3) * (U2 > 0)
    gW2, gb2 = d2.T @ Y1, d2.sum(axis=0)
    d1 = (d2 @ W2) * (U1 > 0)
    gW1, gb1 = d1.T @ X, d1.sum(axis=0)
    return J, [gW1, gb1, gW2, gb2, gW3, gb3]


def torch_case(net, X, labels):
    """PyTorch autograd on the same weights; None when torch is not importable."""
    try:
        import torch
        import torch.nn.functional as F
    except ImportError:
        return None, None
    Xt = torch.from_numpy(X)
    yt = torch.from_numpy(labels)
    params = []
    for W, b in net.views(net.theta.copy()):
        params += [torch.tensor(W, requires_grad=True), torch.tensor(b, requires_grad=True)]
    W1, b1, W2, b2, W3, b3 = params

    def step():
        for p in params:
            p.grad = None  # what optimizer.zero_grad() does by default
        h = F.relu(F.linear(Xt, W1, b1))
        h = F.relu(F.linear(h, W2, b2))
        loss = F.cross_entropy(F.linear(h, W3, b3), yt)
        loss.backward()
        return loss.item()

    def grad_vector():
        step()
        return np.concatenate([p.grad.numpy().ravel() for p in params])

    return step, grad_vector


# --- timing --------------------------------------------------------------------------------
def bench(n_rows: int, dtype: type, rounds: int, use_torch: bool) -> dict[str, float]:
    net, X, D, labels = problem(n_rows, dtype)
    loss = get_loss("cross_entropy")
    obj = sinapse.Objective(net, X, D, loss="cross_entropy")
    rng = np.random.default_rng(2)
    thetas = [
        net.theta.copy(),
        net.theta + (1e-6 * rng.standard_normal(net.n_params)).astype(dtype),
    ]
    grad = np.empty_like(thetas[0])
    k_hot, k_into = [0], [0]  # one counter each: a shared one would let the cache answer

    def hot():
        k_hot[0] ^= 1
        return obj.value_and_grad(thetas[k_hot[0]])

    def into():
        k_into[0] ^= 1
        return value_and_grad_into(net, X, D, loss, thetas[k_into[0]], grad)

    def checked():
        return sinapse.value_and_grad(net, X, D, loss="cross_entropy")

    params = [(W.copy(), b.copy()) for W, b in net.views(net.theta)]

    def naive():
        return numpy_naive(params, X, D)

    cases = {
        "floor": make_floor(net, X),
        "sinapse hot": hot,
        "sinapse into": into,
        "sinapse checked": checked,
        "numpy naive": naive,
    }
    t_step, t_grad = torch_case(net, X, labels) if use_torch else (None, None)
    if t_step is not None:
        cases["torch"] = t_step
    # sanity: every contestant computes the same gradient
    J, g = sinapse.value_and_grad(net, X, D, loss="cross_entropy")
    Jn, gn = numpy_naive(params, X, D)
    tol = 1e-10 if dtype == np.float64 else 1e-4
    gn_flat = np.concatenate([a.ravel() for a in gn])
    scale = np.abs(gn_flat).max()
    assert abs(J - Jn) <= tol * abs(Jn) + tol, (J, Jn)
    assert np.abs(g - gn_flat).max() <= tol * scale, "sinapse and numpy gradients differ"
    if t_grad is not None:
        assert np.abs(t_grad() - gn_flat).max() <= 10 * tol * scale, "torch gradient differs"
    samples = interleaved(cases, rounds=rounds)
    assert obj.n_grad >= rounds, "the objective's cache answered: the hot path was not timed"
    return {
        "ms": {name: 1e3 * med(s) for name, s in samples.items()},
        "ratio": round_ratios(samples, "floor"),
    }


CONTESTANTS = ("floor", "sinapse hot", "sinapse into", "sinapse checked", "numpy naive", "torch")


def report(results: dict, dtype_name: str) -> str:
    """Rows: contestants; per N the median ms and the median per-round ratio to the floor."""
    rows = []
    for name in CONTESTANTS:
        row = [name]
        for r in results.values():
            if name in r["ms"]:
                row += [r["ms"][name], f"{r['ratio'][name]:.2f}x"]
            else:
                row += ["-", "-"]
        rows.append(row)
    heads = [dtype_name]
    for n_rows in results:
        heads += [f"N={n_rows:,} ms", "/ floor"]
    return table(heads, rows)


# --- profile: the pass split into its steps --------------------------------------------------
def instrumented_pass(net, X, D, loss, theta, grad, T: dict[str, float]) -> float:
    """A copy of ``backprop.value_and_grad_into`` (and the CE loss) with a clock per step.

    Adds each step's seconds to ``T``; keep it in step with ``src/sinapse/backprop.py``.
    """
    pc = time.perf_counter
    t = pc()
    ws = net.workspace(X.shape[0])
    ws.Y[0] = X
    Ws, gs = net.views(theta), net.views(grad)
    acts, M = net.activations, net.n_layers
    t1 = pc()
    T["python: workspace + views"] += t1 - t
    t = t1
    for m in range(1, M + 1):
        W, b = Ws[m - 1]
        U = ws.U[m]
        np.matmul(ws.Y[m - 1], W.T, out=U)
        t1 = pc()
        T[f"matmul: fwd {m} Y[{m - 1}] W.T"] += t1 - t
        t = t1
        U += b
        t1 = pc()
        T[f"bias: fwd {m} U += b"] += t1 - t
        t = t1
        if ws.Y[m] is not U:
            acts[m - 1].f(U, ws.Y[m])
            t1 = pc()
            T[f"{acts[m - 1].name}: fwd {m} f(U)"] += t1 - t
            t = t1
    J = loss.value_and_delta(ws.Y[M], ws.U[M], D, acts[-1], ws.deltas[M], ws.scratch[M])
    t1 = pc()
    T["loss: value_and_delta (J, delta M)"] += t1 - t
    t = t1
    for m in range(M, 0, -1):
        delta = ws.deltas[m]
        gW, gb = gs[m - 1]
        np.matmul(delta.T, ws.Y[m - 1], out=gW)
        t1 = pc()
        T[f"matmul: bwd {m} delta.T Y[{m - 1}]"] += t1 - t
        t = t1
        if ws.ones is not None:
            np.matmul(ws.ones, delta, out=gb)
        else:
            np.sum(delta, axis=0, out=gb)
        t1 = pc()
        T[f"gb: bwd {m} sum of delta rows"] += t1 - t
        t = t1
        if m > 1:
            prev = ws.deltas[m - 1]
            np.matmul(delta, Ws[m - 1][0], out=prev)
            t1 = pc()
            T[f"matmul: bwd {m} delta W"] += t1 - t
            t = t1
            prev *= acts[m - 2].df(ws.U[m - 1], ws.Y[m - 1], ws.scratch[m - 1])
            t1 = pc()
            T[f"{acts[m - 2].name} df: bwd {m} delta *= f'(U)"] += t1 - t
            t = t1
    return J


def profile(n_rows: int, rounds: int) -> tuple[dict[str, float], dict[str, float]]:
    """Seconds per step of sinapse's float64 pass, in context, and of candidate replacements.

    The instrumented copy of the pass runs interleaved with the real pass and the floor,
    so the steps are timed with the caches as the real pass leaves them.
    """
    net, X, D, _ = problem(n_rows, np.float64)
    loss = get_loss("cross_entropy")
    theta = net.theta.copy()
    grad = np.empty_like(theta)
    floor = make_floor(net, X)
    J_real, g_real = value_and_grad_into(net, X, D, loss, theta, grad)
    g_real = g_real.copy()
    T: dict[str, float] = collections.defaultdict(float)
    J_copy = instrumented_pass(net, X, D, loss, theta, grad, T)
    if not (J_copy == J_real and np.array_equal(grad, g_real)):
        print(
            "WARNING: the instrumented copy no longer reproduces backprop.value_and_grad_into "
            "bit for bit; update instrumented_pass() (the profile below is of the copy).",
            file=sys.stderr,
        )
    reps = max(3, round(0.4 / max(floor_time(floor), 1e-6) / rounds))
    T.clear()
    whole = floor_t = 0.0
    n = 0
    pc = time.perf_counter
    for _ in range(rounds):
        for _ in range(reps):
            instrumented_pass(net, X, D, loss, theta, grad, T)
            t = pc()
            value_and_grad_into(net, X, D, loss, theta, grad)
            t1 = pc()
            floor()
            floor_t += pc() - t1
            whole += t1 - t
            n += 1
    steps = {k: v / n for k, v in T.items()}
    steps[WHOLE] = whole / n
    steps[FLOOR] = floor_t / n
    return steps, alternatives(net, X, D, loss, theta, grad, rounds)


def floor_time(floor) -> float:
    t = time.perf_counter()
    floor()
    return time.perf_counter() - t


def alternatives(net, X, D, loss, theta, grad, rounds: int) -> dict[str, float]:
    """Candidate replacements for the costly elementwise steps, each timed alone."""
    n_rows = X.shape[0]
    value_and_grad_into(net, X, D, loss, theta, grad)  # fills the workspace
    ws = net.workspace(n_rows)
    Ws, gs = net.views(theta), net.views(grad)
    M = net.n_layers
    U, Y, dl, sc = ws.U, ws.Y, ws.deltas, ws.scratch
    alt: dict[str, object] = {}
    U1, Y1, d1 = U[1], Y[1], dl[1]
    mask = np.empty(U1.shape, dtype=bool)
    alt["relu df: now (greater->float, then *=)"] = lambda: (
        np.greater(U1, 0.0, out=sc[1], casting="unsafe"),
        np.multiply(d1, sc[1], out=d1),
    )
    alt["relu df: greater->bool buffer, multiply"] = lambda: (
        np.greater(U1, 0.0, out=mask),
        np.multiply(d1, mask, out=d1),
    )
    alt["relu df: copyto(delta, 0, where=U<=0)"] = lambda: (
        np.less_equal(U1, 0.0, out=mask),
        np.copyto(d1, 0.0, where=mask),
    )
    alt["relu f: maximum(U, 0, out=Y)"] = lambda: np.maximum(U1, 0.0, out=Y1)
    alt["relu f: in place on U (Y = U)"] = lambda: np.maximum(U1, 0.0, out=U1)
    alt["bias: U += b"] = lambda: np.add(U1, Ws[0][1], out=U1)
    ones = np.ones(n_rows)
    gb1 = gs[0][1]
    alt["gb: np.sum(delta, axis=0)"] = lambda: np.sum(d1, axis=0, out=gb1)
    alt["gb: ones @ delta (gemv)"] = lambda: np.matmul(ones, d1, out=gb1)
    UM, YM = U[M], Y[M]
    row = np.empty((n_rows, 1))
    rowv = row[:, 0]
    ones_k = np.ones((SIZES[-1], 1))

    def colmax():
        np.maximum(UM[:, 0], UM[:, 1], out=rowv)
        for j in range(2, UM.shape[1]):
            np.maximum(rowv, UM[:, j], out=rowv)

    alt["softmax: now (max, sub, exp, sum, div)"] = lambda: net.activations[-1].f(UM, YM)
    alt["softmax: U.max(axis=1) alone"] = lambda: UM.max(axis=1, keepdims=True)
    alt["softmax: row max as a loop over the 10 columns"] = colmax
    alt["softmax: E.sum(axis=1) alone"] = lambda: YM.sum(axis=1, keepdims=True)
    alt["softmax: row sum as E @ ones (gemv)"] = lambda: np.matmul(YM, ones_k, out=row)
    alt["softmax: exp alone"] = lambda: np.exp(UM, out=sc[M])

    def softmax_fast():
        colmax()
        np.subtract(UM, row, out=YM)
        np.exp(YM, out=YM)
        np.matmul(YM, ones_k, out=row)
        np.reciprocal(row, out=row)
        np.multiply(YM, row, out=YM)

    alt["softmax: column-loop max, sub, exp, gemv sum, * 1/sum"] = softmax_fast
    dM = dl[M]
    alt["loss: value_and_delta now (J and delta M)"] = lambda: loss.value_and_delta(
        YM, UM, D, net.activations[-1], dM, sc[M]
    )
    top = UM.argmax(axis=1)
    rows = np.arange(n_rows)
    alt["loss piece: U.argmax(axis=1)"] = lambda: UM.argmax(axis=1)
    alt["loss piece: np.arange(N)"] = lambda: np.arange(n_rows)
    alt["loss piece: gather U[rows, top]"] = lambda: UM[rows, top]
    alt["loss piece: scatter S[rows, top] = 0"] = lambda: sc[M].__setitem__((rows, top), 0.0)
    alt["loss piece: S.sum(axis=1)"] = lambda: sc[M].sum(axis=1)
    alt["loss piece: D.sum(axis=1, keepdims=True)"] = lambda: D.sum(axis=1, keepdims=True)
    alt["loss piece: one N x k elementwise pass (Y - D)"] = lambda: np.subtract(YM, D, out=dM)
    alt["loss piece: vdot(D, U)"] = lambda: np.vdot(D, UM)
    alt["J from the softmax's row max and sum: dot + vdot"] = lambda: rowv @ ones - np.vdot(D, UM)
    samples = interleaved(alt, rounds=rounds, warmup=2)
    return {k: med(v) for k, v in samples.items()}


WHOLE = "= the whole pass (value_and_grad_into)"
FLOOR = "= the floor (8 products)"


def report_profile(steps: dict[int, dict[str, float]]) -> str:
    ns = list(steps)
    names = [k for k in steps[ns[0]] if not k.startswith("=")]
    total = {n: sum(steps[n][k] for k in names) for n in ns}
    rows = []

    def add(label: str, per_n: dict[int, float]) -> None:
        row = [label]
        for n in ns:
            row += [per_n[n] * 1e6, f"{100 * per_n[n] / total[n]:.1f}%"]
        rows.append(row)

    kinds = sorted({k.split(":")[0] for k in names}, key=lambda k: (k == "matmul", k))
    for kind in kinds:
        add(
            f"{kind} (total)",
            {n: sum(v for k, v in steps[n].items() if k.split(":")[0] == kind) for n in ns},
        )
    add(
        "everything but matmul",
        {n: sum(steps[n][k] for k in names if not k.startswith("matmul")) for n in ns},
    )
    add("instrumented copy, total", total)
    add(WHOLE, {n: steps[n][WHOLE] for n in ns})
    add(FLOOR, {n: steps[n][FLOOR] for n in ns})
    heads = ["by kind (float64)"]
    for n in ns:
        heads += [f"N={n:,} µs", "% of pass"]
    by_kind = table(heads, rows)
    rows = []
    for name in names:
        add(name, {n: steps[n][name] for n in ns})
    heads[0] = "step (float64)"
    return by_kind + "\n\n" + table(heads, rows)


def report_alternatives(alts: dict[int, dict[str, float]]) -> str:
    ns = list(alts)
    rows = [[name] + [alts[n][name] * 1e6 for n in ns] for name in alts[ns[0]]]
    return table(["candidate (float64)"] + [f"N={n:,} µs" for n in ns], rows)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", type=int, default=DEFAULT_THREADS)
    ap.add_argument("--rounds", type=int, default=31)
    ap.add_argument("--quick", action="store_true", help="7 rounds")
    ap.add_argument("--profile", action="store_true", help="also split the pass into steps")
    ap.add_argument("--no-torch", action="store_true")
    args = ap.parse_args(argv)
    rounds = 7 if args.quick else args.rounds
    use_torch = not args.no_torch
    if use_torch:
        try:
            import torch  # noqa: F401  (imported before the thread limit is set)
        except ImportError:
            use_torch = False
    limiter = limit_threads(args.threads)  # noqa: F841  (holds the limit)
    print(header("gradient: value_and_grad vs the matrix-product floor", args.threads))
    print(
        f"network {'-'.join(map(str, SIZES))} ReLU, softmax + cross-entropy; "
        f"{rounds} interleaved rounds. ms: median over rounds; / floor: median over rounds "
        f"of (contestant / floor) within each round.\n"
    )
    all_results = {}
    for dtype, name in ((np.float64, "float64"), (np.float32, "float32")):
        results = {n: bench(n, dtype, rounds, use_torch) for n in ROWS}
        all_results[name] = results
        print(report(results, name), "\n", flush=True)
    r64 = all_results["float64"]
    for n in ROWS:
        ratio = r64[n]["ratio"]["sinapse hot"]
        verdict = "met" if ratio <= 1.5 else "MISSED"
        print(f"target sinapse hot <= 1.5x floor (float64, N={n:,}): {ratio:.2f}x -> {verdict}")
    if args.profile:
        steps, alts = {}, {}
        for n in ROWS:
            steps[n], alts[n] = profile(n, rounds)
        print("\n### where the float64 pass spends its time (copy of the pass, a clock per step)\n")
        print(report_profile(steps))
        print("\n### candidate replacements (each timed alone, same buffers)\n")
        print(report_alternatives(alts))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
