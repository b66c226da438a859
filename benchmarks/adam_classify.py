"""The race the product must win: Adam on a 10-class problem, sinapse vs scikit-learn vs PyTorch.

Data: ``make_classification(n_samples=20000, n_features=64, n_informative=32,
n_classes=10, random_state=0)``, split 80/20 with ``train_test_split(random_state=0)``,
standardised with a ``StandardScaler`` fitted on the training part. Network 64-128-64-10,
ReLU hidden layers, softmax output with cross-entropy; Adam (learning rate 1e-3, betas
0.9/0.999, eps 1e-8), shuffled mini-batches of 200, 10 epochs, no regularisation.

Contestants, each in its own process (this script with ``--worker NAME``), repeated in
interleaved rounds (round 1: A B C D E, round 2: B C D E A, ...):

* ``sinapse-f64`` / ``sinapse-f32``: ``sinapse.train(net, X, D, loss="cross_entropy",
  optimizer="adam", ...)`` on one-hot targets;
* ``sklearn`` (float64) and ``sklearn-f32`` (float32 data, which MLPClassifier keeps):
  ``MLPClassifier(hidden_layer_sizes=(128, 64), solver="adam", alpha=0, ...)``
  (float64; its ConvergenceWarning after 10 epochs is silenced);
* ``torch-f32`` / ``torch-f64``: a plain PyTorch loop (``nn.Sequential``,
  ``CrossEntropyLoss``, ``torch.optim.Adam``, ``randperm`` batches of 200), if importable.

Seconds per epoch: the median of epochs 2..10 inside each run (sinapse: ``history.time``;
torch: timed around each epoch; scikit-learn: time stamps of its ``verbose`` line per
epoch), then the median over rounds; ratios are taken within each round, then the
median over rounds. The wall clock of the whole
training call / 10 is shown too (set-up, first-call allocations and sinapse's initial
full-data loss included; torch's one-off import of ``torch._dynamo`` by the first
``torch.optim.Adam``, 2-3 s, is paid before the clock starts): what a user waits for.

Every library runs with the same number of threads (``--threads``, default 1, see
``_common``; set through the environment of each worker and enforced with threadpoolctl
and ``torch.set_num_threads``).

``--profile`` runs sinapse's training once in this process under cProfile, and times
each part of one Adam step (gradient, update, shuffle) against the floor.

Run: ``.venv/bin/python benchmarks/adam_classify.py [--quick] [--rounds 3] [--threads N]``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import time
import warnings

from _common import (
    DEFAULT_THREADS,
    WORKER_FLAG,
    emit,
    header,
    limit_threads,
    med,
    run_worker,
    table,
)

EPOCHS = 10
BATCH = 200
LR = 1e-3
CONTESTANTS = ("sinapse-f64", "sinapse-f32", "sklearn", "sklearn-f32", "torch-f32", "torch-f64")


# --- the data (made inside every worker, outside the timed region) --------------------------
def data():
    import numpy as np
    from sklearn.datasets import make_classification
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    X, y = make_classification(
        n_samples=20000, n_features=64, n_informative=32, n_classes=10, random_state=0
    )
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=0)
    scaler = StandardScaler().fit(Xtr)
    Xtr, Xte = scaler.transform(Xtr), scaler.transform(Xte)
    return np.ascontiguousarray(Xtr), np.ascontiguousarray(Xte), ytr, yte


# --- contestants -------------------------------------------------------------------------
def run_sinapse(dtype_name: str, profiler=None) -> dict:
    import numpy as np

    import sinapse

    dtype = np.dtype(dtype_name)
    Xtr, Xte, ytr, yte = data()
    Xtr, Xte = Xtr.astype(dtype), Xte.astype(dtype)
    D = np.eye(10, dtype=dtype)[ytr]
    net = sinapse.MLP(
        [64, 128, 64, 10],
        activation="relu",
        output_activation="softmax",
        init="fan_in",  # the same U(±1/sqrt(fan_in)) initialisation as the torch contestant
        seed=0,
        dtype=dtype,
    )
    stamps = Stamps()
    if profiler is not None:
        profiler.enable()
    stamps.start()
    h = sinapse.train(
        net,
        Xtr,
        D,
        loss="cross_entropy",
        optimizer="adam",
        learning_rate=LR,
        epochs=EPOCHS,
        batch_size=BATCH,
        shuffle=True,
        seed=0,
        progress=False,
        callbacks=[lambda epoch, history, theta: stamps.epoch_end()],
    )
    stamps.stop()
    if profiler is not None:
        profiler.disable()
    acc = float((net.predict(Xte).argmax(axis=1) == yte).mean())
    return {
        **stamps.result(),
        "loss": float(h.loss[-1]),
        "acc": acc,
        "stop": h.stop.reason if h.stop is not None else "?",
    }


class Stamps:
    """Wall and CPU clocks at the start, at the end of every epoch and at the end of a run.

    Per-epoch times are the intervals between consecutive epoch ends (epochs 2..10: the
    first epoch's start is not visible inside scikit-learn). CPU time is
    ``time.process_time`` (all threads of the process): with one thread it is the time
    the run was really on a core, which a busy neighbour does not inflate.
    """

    def __init__(self) -> None:
        self.ends: list[tuple[float, float]] = []

    def start(self) -> None:
        self.t0 = (time.perf_counter(), time.process_time())

    def epoch_end(self) -> None:
        self.ends.append((time.perf_counter(), time.process_time()))

    def stop(self) -> None:
        self.t1 = (time.perf_counter(), time.process_time())

    def result(self) -> dict:
        from statistics import median

        walls = [b[0] - a[0] for a, b in zip(self.ends, self.ends[1:], strict=False)]
        cpus = [b[1] - a[1] for a, b in zip(self.ends, self.ends[1:], strict=False)]
        return {
            "epochs": len(self.ends),
            "wall": self.t1[0] - self.t0[0],
            "cpu": self.t1[1] - self.t0[1],
            "epoch_wall": median(walls),
            "epoch_cpu": median(cpus),
        }


class _VerboseStamps(io.StringIO):
    """A stdout that stamps the end of an epoch when scikit-learn's verbose MLP reports it."""

    def __init__(self, stamps: Stamps) -> None:
        super().__init__()
        self.stamps = stamps

    def write(self, s: str) -> int:
        if s.startswith("Iteration "):
            self.stamps.epoch_end()
        return super().write(s)


def run_sklearn(dtype_name: str = "float64") -> dict:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    Xtr, Xte, ytr, yte = data()
    Xtr, Xte = Xtr.astype(dtype_name), Xte.astype(dtype_name)  # MLPClassifier keeps float32
    clf = MLPClassifier(
        hidden_layer_sizes=(128, 64),
        activation="relu",
        solver="adam",
        alpha=0,
        batch_size=BATCH,
        learning_rate_init=LR,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        max_iter=EPOCHS,
        shuffle=True,
        random_state=0,
        tol=0,
        n_iter_no_change=10**9,
    )
    clf.set_params(verbose=True)  # one "Iteration k, loss = ..." line per epoch, stamped
    stamps = Stamps()
    with warnings.catch_warnings(), contextlib.redirect_stdout(_VerboseStamps(stamps)):
        warnings.simplefilter("ignore", ConvergenceWarning)
        stamps.start()
        clf.fit(Xtr, ytr)
        stamps.stop()
    return {
        **stamps.result(),
        "loss": float(clf.loss_curve_[-1]),
        "acc": float(clf.score(Xte, yte)),
    }


def run_torch(dtype_name: str) -> dict:
    import torch
    from torch import nn

    Xtr, Xte, ytr, yte = data()
    dtype = getattr(torch, dtype_name)
    torch.manual_seed(0)
    X = torch.from_numpy(Xtr).to(dtype)
    y = torch.from_numpy(ytr)
    Xt = torch.from_numpy(Xte).to(dtype)
    # torch.optim.Adam's first construction imports torch._dynamo (2-3 s here): an import
    # cost, not training, so pay it before the clock starts
    warm = nn.Linear(2, 1)
    torch.optim.Adam(warm.parameters()).step()
    stamps = Stamps()
    stamps.start()
    model = nn.Sequential(
        nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10)
    ).to(dtype)
    opt = torch.optim.Adam(model.parameters(), lr=LR, betas=(0.9, 0.999), eps=1e-8)
    lossf = nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(0)
    n = X.shape[0]
    loss = float("nan")
    for _ in range(EPOCHS):
        perm = torch.randperm(n, generator=gen)
        total = 0.0
        for start in range(0, n, BATCH):
            idx = perm[start : start + BATCH]
            opt.zero_grad()
            batch_loss = lossf(model(X[idx]), y[idx])
            batch_loss.backward()
            opt.step()
            total += batch_loss.item() * len(idx)
        loss = total / n
        stamps.epoch_end()
    stamps.stop()
    with torch.no_grad():
        acc = float((model(Xt).argmax(dim=1).numpy() == yte).mean())
    return {**stamps.result(), "loss": loss, "acc": acc}


def worker(name: str, threads: int) -> None:
    if name.startswith("torch"):
        import torch  # noqa: F401  (so limit_threads sets its pool too)
    import numpy  # noqa: F401
    import sklearn  # noqa: F401

    limiter = limit_threads(threads)  # noqa: F841  (holds the limit)
    if name.startswith("sinapse"):
        result = run_sinapse("float64" if name.endswith("f64") else "float32")
    elif name.startswith("sklearn"):
        result = run_sklearn("float32" if name.endswith("f32") else "float64")
    else:
        result = run_torch("float64" if name.endswith("f64") else "float32")
    result["name"] = name
    emit(result)


def profile_sinapse(dtype_name: str, threads: int, top: int = 22) -> None:
    """cProfile of one sinapse training run (in this process), sorted by own time."""
    import cProfile
    import pstats

    import numpy  # noqa: F401

    limiter = limit_threads(threads)  # noqa: F841  (holds the limit)
    prof = cProfile.Profile()
    res = run_sinapse(dtype_name, profiler=prof)
    print(f"### cProfile of sinapse.train, {dtype_name}: {res['epoch_wall']:.4f} s/epoch\n")
    pstats.Stats(prof).sort_stats("tottime").print_stats(top)


def loop_breakdown(dtype_name: str, threads: int, rounds: int = 9) -> None:
    """Per-batch cost of each part of one sinapse Adam step, against one epoch in the loop."""
    import numpy as np
    from _common import interleaved
    from gradient import make_floor

    import sinapse
    from sinapse.backprop import value_and_grad_into
    from sinapse.losses import get_loss
    from sinapse.optim import get_optimizer

    limiter = limit_threads(threads)  # noqa: F841  (holds the limit)
    dtype = np.dtype(dtype_name)
    Xtr, _, ytr, _ = data()
    X, D = Xtr.astype(dtype), np.eye(10, dtype=dtype)[ytr]
    Xs, Ds = np.empty_like(X), np.empty_like(D)
    n_batches = -(-X.shape[0] // BATCH)
    net = sinapse.MLP(
        [64, 128, 64, 10], activation="relu", output_activation="softmax", seed=0, dtype=dtype
    )
    loss = get_loss("cross_entropy")
    Xb, Db = X[:BATCH], D[:BATCH]
    theta = net.theta.copy()
    grad = np.empty_like(theta)
    opt = get_optimizer("adam", learning_rate=LR)
    state = opt.init(theta)
    _, g = value_and_grad_into(net, Xb, Db, loss, theta, grad)
    perm = np.random.default_rng(0).permutation(X.shape[0])

    def full_step():  # what _mini_batch_epoch does per batch
        batch = sinapse.Objective.trusted(net, Xb, Db, loss)
        opt.step(batch, theta, state)

    cases = {
        "floor: the 8 matrix products (N=200)": make_floor(net, Xb),
        "gradient: value_and_grad_into (N=200)": lambda: value_and_grad_into(
            net, Xb, Db, loss, theta, grad
        ),
        "Adam update (opt.update)": lambda: opt.update(g, theta, state),
        "np.linalg.norm(g) (FirstOrder.step)": lambda: np.linalg.norm(g),
        "whole step: Objective.trusted + opt.step": full_step,
        "shuffle: np.take(X, perm, out=) / n_batches": lambda: (
            np.take(X, perm, axis=0, out=Xs),
            np.take(D, perm, axis=0, out=Ds),
        ),
        "shuffle with mode='clip' / n_batches": lambda: (
            np.take(X, perm, axis=0, out=Xs, mode="clip"),
            np.take(D, perm, axis=0, out=Ds, mode="clip"),
        ),
    }
    samples = interleaved(cases, rounds=rounds, target_s=0.01)
    per = {k: med(v) for k, v in samples.items()}
    for k in list(per):
        if k.startswith("shuffle"):
            per[k] /= n_batches
    rows = [[k, v * 1e6, v * n_batches * 1e3] for k, v in per.items()]
    print(f"\n### one Adam step of sinapse, {dtype_name}, batch {BATCH} ({n_batches} per epoch)\n")
    print(table(["part", "µs per batch", "ms per epoch"], rows, floatfmt=".1f"))
    print()


# --- the parent: rounds of workers, then the table ------------------------------------------
def adam_available() -> bool:
    import sinapse

    return "adam" in sinapse.optim.available()


def torch_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("torch") is not None


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(WORKER_FLAG, choices=CONTESTANTS, help=argparse.SUPPRESS)
    ap.add_argument("--threads", type=int, default=DEFAULT_THREADS)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="one round")
    ap.add_argument("--only", nargs="+", choices=CONTESTANTS, help="race only these")
    ap.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="MIN",
        help="poll up to MIN minutes for the 'adam' optimizer to be registered",
    )
    ap.add_argument("--profile", action="store_true", help="cProfile sinapse's loop and exit")
    args = ap.parse_args(argv)
    if args.worker:
        worker(args.worker, args.threads)
        return
    if args.profile:
        for dt in ("float64", "float32"):
            profile_sinapse(dt, args.threads)
            loop_breakdown(dt, args.threads)
        return
    deadline = time.monotonic() + 60 * args.wait
    while not adam_available():
        if time.monotonic() >= deadline:
            sys.exit("sinapse has no 'adam' optimizer registered (sinapse.optim.available()).")
        print("waiting for sinapse.optim 'adam' to be registered ...", flush=True)
        time.sleep(60)
        # a fresh interpreter each check: the registry is read at import
        import subprocess

        code = "import sinapse; print('adam' in sinapse.optim.available())"
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        if out.stdout.strip() == "True":
            break
    names = list(args.only or CONTESTANTS)
    if not torch_available():
        names = [n for n in names if not n.startswith("torch")]
    rounds = 1 if args.quick else args.rounds
    print(header("adam_classify: Adam, 64-128-64-10 ReLU + softmax CE", args.threads))
    print(
        f"make_classification 20000 x 64, 10 classes, 80/20 split; batch {BATCH}, lr {LR}, "
        f"{EPOCHS} epochs; {rounds} interleaved round(s), one process per run.\n",
        flush=True,
    )
    results: dict[str, list[dict]] = {n: [] for n in names}
    t_start = time.perf_counter()
    for r in range(rounds):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            res = run_worker(__file__, [name], args.threads)
            res["call"] = res["wall"] / res["epochs"]
            results[name].append(res)
            print(
                f"  round {r + 1}: {name:<12} {res['epoch_wall']:.4f} s/epoch, "
                f"{res['epoch_cpu']:.4f} s CPU/epoch, whole call / 10 {res['call']:.4f} s; "
                f"loss {res['loss']:.4f}, acc {res['acc']:.4f}",
                flush=True,
            )
    print(f"\n(total {time.perf_counter() - t_start:.0f} s)\n")
    metrics = [("epoch_wall", "s/epoch"), ("epoch_cpu", "CPU s/epoch"), ("call", "call/10 s")]
    if args.threads > 1:  # idle pool threads spin: CPU time is not work done any more
        del metrics[1]

    def typical(n: str, key: str) -> float:
        return med([x[key] for x in results[n]])

    def rr(a: str, b: str, key: str) -> float:
        """The ratio a/b within each round (runs seconds apart), median over rounds."""
        return med([x[key] / y[key] for x, y in zip(results[a], results[b], strict=True)])

    ref = "sinapse-f64" if "sinapse-f64" in results else None
    rows, heads = [], ["contestant"]
    for _, label in metrics:
        heads += [label, "/ sinapse-f64"]
    heads += ["final train loss", "test acc"]
    for n, rs in results.items():
        row: list = [n]
        for key, _ in metrics:
            row += [typical(n, key), f"{rr(n, ref, key):.2f}x" if ref else "-"]
        rows.append([*row, f"{rs[-1]['loss']:.4f}", f"{rs[-1]['acc']:.4f}"])
    print(table(heads, rows, floatfmt=".4f"))
    print(
        "\ns/epoch: wall clock, median over epochs 2-10 of a run, then over rounds. CPU "
        "s/epoch (with --threads 1 only): the same in process CPU time, less inflated by a "
        "busy neighbour. call/10: the whole training call / 10 (set-up, first-call costs and "
        "sinapse's epoch-0 full-data loss included). Ratios: within each round, then the "
        "median over rounds.\n"
    )
    pairs = [
        ("sklearn", "sinapse-f64", 2.0),
        ("sklearn", "sinapse-f32", 2.0),
        ("sklearn-f32", "sinapse-f32", 2.0),
        ("torch-f32", "sinapse-f64", 1.0),
        ("torch-f32", "sinapse-f32", 1.0),
        ("torch-f64", "sinapse-f64", 1.0),
    ]
    for a, b, want in pairs:
        if a in results and b in results:
            parts = []
            for key, label in metrics:
                ratio = rr(a, b, key)
                parts.append(f"{label} {ratio:.2f}x {'met' if ratio >= want else 'MISSED'}")
            print(f"target {a} / {b} >= {want:g}: " + "; ".join(parts))


if __name__ == "__main__":
    main()
