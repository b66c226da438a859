"""The training loop: epochs, batches, stopping rules, validation, checkpoints, history.

Each epoch the optimizer steps once on the whole training set (``batch_size=None``,
batch training, as MATLAB's ``train``), or once per batch of a shuffled pass over it
(mini-batch; ``batch_size=1`` is stochastic gradient descent). Before every epoch the
loop checks, in this order: the goal (``loss <= goal``), the minimum gradient
(``grad_norm < min_grad``), the time limit and the epoch budget; after it, divergence,
validation failures and the callbacks. Whatever ends the run, ``History.stop`` says why.

Nothing is lost: a NaN or inf stops the run and restores the last weights with a finite
loss; Ctrl-C returns the history so far; with validation data the weights with the best
validation loss are kept (as MATLAB does); checkpoints are written atomically and a run
resumed from one ends bit-identical to one that was never interrupted.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from ._checks import check_data, check_positive_int
from .backprop import _resolve, value_and_grad_chunked, value_chunked
from .checkpoint import load_checkpoint, save_checkpoint
from .history import History, StopReason
from .losses import Loss
from .network import MLP
from .objective import Objective
from .optim import Optimizer, get_optimizer
from .schedules import Schedule, get_schedule

Array = np.ndarray
Callback = Callable[[int, History, Array], Any]


@dataclass
class _Run:
    """The mutable bookkeeping of one run (saved in checkpoints)."""

    theta: Array
    state: dict[str, Any]
    sched_state: dict[str, Any]
    rng: np.random.Generator
    history: History
    epoch: int = 0
    fails: int = 0
    best_val: float = math.inf
    best_theta: Array | None = None
    n_f: int = 0
    n_g: int = 0
    elapsed0: float = 0.0


def _split(X: Array, D: Array, fraction: float, seed_seq: np.random.SeedSequence
           ) -> tuple[Array, Array, Array, Array]:
    n = X.shape[0]
    n_val = round(n * fraction)
    if not 0 < n_val < n:
        raise ValueError(f"train: validation_fraction={fraction} leaves {n_val} of {n} samples "
                         f"for validation; it must leave at least one sample on each side.")
    perm = np.random.default_rng(seed_seq).permutation(n)
    v, t = np.sort(perm[:n_val]), np.sort(perm[n_val:])
    return X[t], D[t], X[v], D[v]


def train(
    net: MLP,
    X: object,
    D: object,
    loss: str | Loss = "mse",
    optimizer: str | Optimizer = "adam",
    epochs: int = 100,
    batch_size: int | None = None,
    shuffle: bool = True,
    validation: tuple[object, object] | None = None,
    validation_fraction: float | None = None,
    goal: float | None = None,
    min_grad: float | None = None,
    max_fail: int | None = None,
    time_limit: float | None = None,
    schedule: str | Schedule | None = None,
    seed: int | None = None,
    callbacks: Sequence[Callback] = (),
    progress: bool | None = None,
    keep_theta: bool = False,
    checkpoint: str | None = None,
    checkpoint_every: int = 1,
    resume: str | None = None,
    **hyperparameters: Any,
) -> History:
    """Train ``net`` in place on inputs ``X`` and desired outputs ``D``; returns the ``History``.

    Parameters
    ----------
    loss : mse (the lecture's), sse, binary_cross_entropy or cross_entropy.
    optimizer : a registry name (``sinapse.optim.available()``) or an Optimizer; extra
        keyword arguments (``learning_rate=0.1``, ``beta1=…``) go to the named optimizer.
    epochs : the largest number of epochs (``max_epochs`` stop).
    batch_size : None for full-batch training; ``k`` for shuffled mini-batches of ``k``.
    validation / validation_fraction : held-out ``(Xv, Dv)``, or a fraction of ``X``
        drawn with ``seed``. Enables ``max_fail`` and keeps the best-validation weights.
    goal : stop when the training loss is ``<= goal``.
    min_grad : stop when the gradient norm is ``< min_grad``.
    max_fail : stop after this many epochs in a row without a better validation loss.
    time_limit : stop after this many seconds.
    schedule : learning-rate schedule (``sinapse.schedules``), applied each epoch.
    seed : makes shuffling and the validation split reproducible.
    callbacks : ``cb(epoch, history, theta)`` after each epoch; returning True stops.
    progress : a progress bar; default only when stderr is a terminal.
    keep_theta : keep ``theta`` after every epoch in ``history.thetas`` (optimizer paths).
    checkpoint, checkpoint_every : write a checkpoint every ``k`` epochs (and at the end).
    resume : continue the run saved in this checkpoint, up to ``epochs`` in total.

    Example
    -------
    >>> import numpy as np, sinapse
    >>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float); D = np.array([0, 1, 1, 0.])
    >>> net = sinapse.MLP([2, 2, 1], activation="tanh", seed=3)
    >>> h = sinapse.train(net, X, D, optimizer="gd", learning_rate=0.5, epochs=20, progress=False)
    >>> h.stop.reason, len(h.loss)
    ('max_epochs', 21)
    """
    where = "train"
    loss_, _ = _resolve(net, loss, None)
    X_, D_ = check_data(X, D, net.n_inputs, net.n_outputs, net.dtype, where)
    opt = get_optimizer(optimizer, **hyperparameters)
    epochs = check_positive_int(epochs, "epochs", where, minimum=0)
    sched = get_schedule(schedule)
    if schedule is not None and "learning_rate" not in opt.init(net.theta.copy()):
        raise ValueError(f"{where}: {type(opt).__name__} has no learning rate to schedule; "
                         f"drop schedule={schedule!r}.")
    seeds = np.random.SeedSequence(seed).spawn(2)  # [validation split, shuffling]
    if validation is not None and validation_fraction is not None:
        raise ValueError(f"{where}: give validation=(Xv, Dv) or validation_fraction, not both.")
    if validation is not None:
        if not (isinstance(validation, tuple | list) and len(validation) == 2):
            raise ValueError(f"{where}: validation must be a pair (Xv, Dv); got {validation!r}.")
        Xv, Dv = check_data(*validation, net.n_inputs, net.n_outputs, net.dtype,
                            f"{where} (validation)")
    elif validation_fraction is not None:
        if not 0 < validation_fraction < 1:
            raise ValueError(f"{where}: validation_fraction must be in (0, 1); "
                             f"got {validation_fraction!r}.")
        X_, D_, Xv, Dv = _split(X_, D_, validation_fraction, seeds[0])
    else:
        Xv = Dv = None
    n = X_.shape[0]
    if batch_size is not None:
        batch_size = check_positive_int(batch_size, "batch_size", where)
        if batch_size > n:
            raise ValueError(f"{where}: batch_size={batch_size} is larger than the {n} training "
                             f"samples; use batch_size=None for full-batch training.")
    if max_fail is not None:
        max_fail = check_positive_int(max_fail, "max_fail", where)
        if Xv is None:
            raise ValueError(f"{where}: max_fail needs validation data; pass validation=(Xv, Dv) "
                             f"or validation_fraction=0.15.")
    for name, v in (("goal", goal), ("min_grad", min_grad), ("time_limit", time_limit)):
        if v is not None and not (isinstance(v, int | float) and v >= 0):
            raise ValueError(f"{where}: {name} must be a number >= 0; got {v!r}.")
    checkpoint_every = check_positive_int(checkpoint_every, "checkpoint_every", where)

    full = Objective.trusted(net, X_, D_, loss_)
    run = _start(net, opt, sched, seeds[1], full, Xv, Dv, loss_, epochs, resume, batch_size)
    run.history.optimizer = type(opt).__name__
    loop = _Loop(net, opt, sched, loss_, full, Xv, Dv, batch_size, shuffle, run,
                 scheduled=schedule is not None)
    show = sys.stderr.isatty() if progress is None else progress
    bar = tqdm(total=epochs, initial=run.epoch, disable=not show, unit="epoch",
               desc=type(opt).__name__, leave=False, file=sys.stderr)
    t0 = time.perf_counter() - run.elapsed0
    saved = run.epoch if resume is not None else -1
    try:
        stop = None
        while stop is None:
            stop = loop.check_before(goal, min_grad, time_limit, epochs, t0)
            if stop is not None:
                if checkpoint and saved != run.epoch:  # the final state, whatever the period
                    _save(checkpoint, net, opt, run)
                break
            stop = loop.epoch_step(t0)
            if stop is None:
                stop = loop.check_after(max_fail, callbacks)
            if keep_theta:
                run.history.thetas.append(run.theta)
            bar.update(1)
            bar.set_postfix(loss=f"{run.history.loss[-1]:.4g}", refresh=False)
            if checkpoint and (run.epoch % checkpoint_every == 0 or stop is not None):
                _save(checkpoint, net, opt, run)
                saved = run.epoch
    except KeyboardInterrupt:
        stop = StopReason("interrupted", run.epoch,
                          f"interrupted by the user after epoch {run.epoch}; the history so far "
                          f"and the {'best' if Xv is not None else 'last'} weights were kept.")
    finally:
        bar.close()
    return loop.finish(stop)


def _start(net: MLP, opt: Optimizer, sched: Schedule, shuffle_seed: np.random.SeedSequence,
           full: Objective, Xv: Array | None, Dv: Array | None, loss: Loss, epochs: int,
           resume: str | None, batch_size: int | None) -> _Run:
    if resume is not None:
        return _restore(resume, net, opt, sched)
    theta = net.theta.copy()
    run = _Run(theta=theta, state=opt.init(theta), sched_state=sched.init(),
               rng=np.random.default_rng(shuffle_seed), history=History())
    if "t_max" in run.sched_state and run.sched_state["t_max"] == 0:
        run.sched_state["t_max"] = epochs
    if batch_size is None:
        J, g = full.value_and_grad(theta)  # cached: the first step reuses it
    else:  # batch by batch, so no buffers the size of the whole training set are made
        J, g = value_and_grad_chunked(net, full.X, full.D, loss, theta, batch_size)
    if not math.isfinite(J):
        raise ValueError(f"train: the initial loss is {J}; check the scale of X and D or "
                         f"re-initialise the network.")
    val = value_chunked(net, Xv, Dv, loss, theta, batch_size or Xv.shape[0]) \
        if Xv is not None else math.nan
    if Xv is not None:
        run.best_val, run.best_theta = val, theta
    run.history.append(epoch=0, loss=J, val_loss=val, grad_norm=float(np.linalg.norm(g)),
                       learning_rate=float(run.state.get("learning_rate", math.nan)), time=0.0,
                       n_f=0, n_g=1)
    run.n_g = 1
    return run


class _Loop:
    """One epoch at a time, with the stop checks around it."""

    def __init__(self, net: MLP, opt: Optimizer, sched: Schedule, loss: Loss, full: Objective,
                 Xv: Array | None, Dv: Array | None, batch_size: int | None, shuffle: bool,
                 run: _Run, scheduled: bool) -> None:
        self.net, self.opt, self.sched, self.loss, self.full = net, opt, sched, loss, full
        self.Xv, self.Dv, self.batch_size, self.shuffle, self.run = Xv, Dv, batch_size, shuffle, run
        # a schedule sets the rate each epoch; without one the optimizer owns it (gda adapts it)
        self.base_lr = getattr(opt, "learning_rate", None) if scheduled else None
        self.last_good = run.theta
        if batch_size is not None:  # shuffled copies live in buffers made once
            self.Xs, self.Ds = np.empty_like(full.X), np.empty_like(full.D)

    def check_before(self, goal: float | None, min_grad: float | None,
                     time_limit: float | None, epochs: int, t0: float) -> StopReason | None:
        h, e = self.run.history, self.run.epoch
        J, gn = h.loss[-1], h.grad_norm[-1]
        if goal is not None and J <= goal:
            return StopReason("goal", e, f"performance goal met: loss {J:.6g} <= goal {goal:g} "
                              f"after {e} epochs.", {"loss": J, "goal": goal})
        if min_grad is not None and gn < min_grad:
            return StopReason("min_grad", e, f"minimum gradient reached: |grad J| = {gn:.3g} < "
                              f"{min_grad:g} after {e} epochs.",
                              {"grad_norm": gn, "min_grad": min_grad})
        elapsed = time.perf_counter() - t0
        if time_limit is not None and elapsed >= time_limit:
            return StopReason("time", e, f"time limit reached: {elapsed:.3g} s >= {time_limit:g} "
                              f"s after {e} epochs.", {"time": elapsed, "time_limit": time_limit})
        if e >= epochs:
            return StopReason("max_epochs", e, f"maximum number of epochs reached ({epochs}).",
                              {"epochs": epochs})
        return None

    def epoch_step(self, t0: float) -> StopReason | None:
        run = self.run
        if self.base_lr is not None and "learning_rate" in run.state:
            metric = run.history.val_loss[-1] if self.Xv is not None else run.history.loss[-1]
            run.state["learning_rate"] = self.sched.rate(run.epoch, float(self.base_lr),
                                                         run.sched_state, metric)
        # overflow on the way to a NaN is expected of a diverging step: it is detected
        # below and reported as the "diverged" stop, not as a stream of warnings
        with np.errstate(over="ignore", invalid="ignore"):
            stop = self._full_batch_epoch() if self.batch_size is None else self._mini_batch_epoch()
        run.epoch += 1
        val = (value_chunked(self.net, self.Xv, self.Dv, self.loss, run.theta,
                             self.batch_size or self.Xv.shape[0])
               if self.Xv is not None else math.nan)
        h = run.history
        h.append(epoch=run.epoch, loss=self._J, val_loss=val, grad_norm=self._gn,
                 learning_rate=float(run.state.get("learning_rate", math.nan)),
                 time=time.perf_counter() - t0, n_f=run.n_f, n_g=run.n_g)
        return stop

    def _diverged(self, where: str) -> StopReason:
        run = self.run
        run.theta = self.last_good
        lr = run.state.get("learning_rate")
        hint = (f"; try a smaller learning rate than {lr:g}" if lr is not None
                else "; try smaller steps or rescale X and D")
        return StopReason("diverged", run.epoch + 1,
                          f"diverged: the loss became NaN or infinite at {where} of epoch "
                          f"{run.epoch + 1}; the last finite weights were restored{hint}.",
                          {"learning_rate": lr})

    def _full_batch_epoch(self) -> StopReason | None:
        run, full = self.run, self.full
        f0, g0 = full.n_value, full.n_grad
        theta, run.state, info = self.opt.step(full, run.theta, run.state)
        J, g = (full.value_and_grad(theta) if np.isfinite(theta).all() else (math.nan, None))
        run.n_f += full.n_value - f0
        run.n_g += full.n_grad - g0
        if not math.isfinite(J):
            self._J, self._gn = info.loss, info.grad_norm
            return self._diverged("the step")
        run.theta, self.last_good = theta, theta
        self._J, self._gn = J, float(np.linalg.norm(g))
        return None

    def _mini_batch_epoch(self) -> StopReason | None:
        run, full, bs = self.run, self.full, self.batch_size
        n = full.X.shape[0]
        if self.shuffle:
            perm = run.rng.permutation(n)
            # mode="clip" (safe for a permutation) lets NumPy write straight into the buffers
            np.take(full.X, perm, axis=0, out=self.Xs, mode="clip")
            np.take(full.D, perm, axis=0, out=self.Ds, mode="clip")
            Xs, Ds = self.Xs, self.Ds
        else:
            Xs, Ds = full.X, full.D
        losses = norms = 0.0
        theta = run.theta
        for k, start in enumerate(range(0, n, bs)):
            stop = min(start + bs, n)
            batch = Objective.trusted(self.net, Xs[start:stop], Ds[start:stop], self.loss,
                                      cache=False)
            new, run.state, info = self.opt.step(batch, theta, run.state)
            run.n_f += batch.n_value
            run.n_g += batch.n_grad
            if not math.isfinite(info.loss):
                self._J, self._gn = math.nan, math.nan
                run.theta = theta
                return self._diverged(f"batch {k + 1}")
            self.last_good = theta
            w = (stop - start) / n
            losses += w * info.loss
            norms += w * info.grad_norm
            theta = new
        if not np.isfinite(theta).all():
            self._J, self._gn = losses, norms
            return self._diverged("the last batch")
        run.theta = theta
        self._J, self._gn = losses, norms
        return None

    def check_after(self, max_fail: int | None, callbacks: Sequence[Callback]
                    ) -> StopReason | None:
        run, h = self.run, self.run.history
        if self.Xv is not None:
            val = h.val_loss[-1]
            if val < run.best_val:
                run.best_val, run.best_theta, run.fails = val, run.theta, 0
                h.best_epoch = run.epoch
            else:
                run.fails += 1
            if max_fail is not None and run.fails >= max_fail:
                return StopReason("max_fail", run.epoch,
                                  f"validation stop: the validation loss did not improve for "
                                  f"{run.fails} epochs in a row; weights from epoch "
                                  f"{h.best_epoch} (validation loss {run.best_val:.6g}) kept.",
                                  {"max_fail": max_fail, "best_epoch": h.best_epoch})
        for cb in callbacks:
            if cb(run.epoch, h, run.theta) is True:
                return StopReason("callback", run.epoch,
                                  f"stopped by callback {getattr(cb, '__name__', cb)!r} "
                                  f"after epoch {run.epoch}.")
        return None

    def finish(self, stop: StopReason) -> History:
        run, h = self.run, self.run.history
        keep = run.best_theta if (self.Xv is not None and run.best_theta is not None) else run.theta
        if self.Xv is None:
            h.best_epoch = run.epoch
        elif stop.reason == "diverged":
            stop.message = stop.message.replace(
                "the last finite weights were restored",
                f"the weights with the best validation loss (epoch {h.best_epoch}) were kept")
        self.net.theta = keep
        h.stop = stop
        return h


# --- checkpoints -----------------------------------------------------------------------
def _save(path: str, net: MLP, opt: Optimizer, run: _Run) -> None:
    h = run.history
    arrays = {"theta": run.theta}
    if run.best_theta is not None:
        arrays["best_theta"] = run.best_theta
    for name in History.NUMERIC:
        arrays[f"history/{name}"] = np.asarray(getattr(h, name))
    if h.thetas:
        arrays["history/thetas"] = np.stack(h.thetas)
    header = {
        "epoch": run.epoch, "fails": run.fails, "best_val": run.best_val,
        "best_epoch": h.best_epoch, "n_f": run.n_f, "n_g": run.n_g,
        "elapsed": h.time[-1] if h.time else 0.0,
        "rng": run.rng.bit_generator.state, "optimizer": opt.name,
        "hyperparameters": {k: v for k, v in opt.hyperparameters().items()
                            if isinstance(v, int | float | str | bool | None)},
        "layer_sizes": list(net.layer_sizes), "dtype": str(net.dtype),
    }
    save_checkpoint(path, header=header, arrays=arrays,
                    states={"opt": run.state, "sched": run.sched_state})


def _restore(path: str, net: MLP, opt: Optimizer, sched: Schedule) -> _Run:
    header, arrays, states = load_checkpoint(path, ("opt", "sched"))
    if header["layer_sizes"] != list(net.layer_sizes) or header["dtype"] != str(net.dtype):
        raise ValueError(f"resume: the checkpoint is for a {header['layer_sizes']} "
                         f"{header['dtype']} network; this one is {list(net.layer_sizes)} "
                         f"{net.dtype}.")
    if header["optimizer"] != opt.name:
        raise ValueError(f"resume: the checkpoint was written by optimizer "
                         f"{header['optimizer']!r}; this run uses {opt.name!r}. Resume with the "
                         f"same optimizer.")
    h = History()
    for name in History.NUMERIC:
        getattr(h, name).extend(arrays[f"history/{name}"].tolist())
    if "history/thetas" in arrays:
        h.thetas.extend(arrays["history/thetas"])
    h.best_epoch = header["best_epoch"]
    rng = np.random.default_rng()
    rng.bit_generator.state = header["rng"]
    return _Run(theta=arrays["theta"], state=states["opt"], sched_state=states["sched"], rng=rng,
                history=h, epoch=header["epoch"], fails=header["fails"],
                best_val=header["best_val"], best_theta=arrays.get("best_theta"),
                n_f=header["n_f"], n_g=header["n_g"], elapsed0=header["elapsed"])
