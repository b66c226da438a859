"""Shared helpers for the benchmarks: thread control, interleaved timing, subprocesses, tables.

The machines the benchmarks run on are shared and noisy (the same measurement moved up
to 2x between rounds; see ``shared/PERFORMANCE.md``), so every benchmark here

* runs all contestants in the same session, **interleaved** (round 1: A, B, C; round 2:
  B, C, A; ...), so a slow spell hits every contestant alike;
* reports the **median** over rounds, and **ratios** between contestants measured in the
  same run (absolute milliseconds are printed too, but only ratios compare across runs);
* pins every library to the **same thread count** (``--threads``, default
  ``DEFAULT_THREADS = 1``). Workers get ``OPENBLAS_NUM_THREADS``, ``OMP_NUM_THREADS``,
  ``MKL_NUM_THREADS`` in their environment before NumPy, SciPy or PyTorch are imported;
  in every process ``threadpoolctl`` (all BLAS and OpenMP pools, NumPy's and SciPy's
  separate OpenBLAS included) and ``torch.set_num_threads`` enforce it.

Why one thread by default: on the shared 2-vCPU machines a 2-thread BLAS pool collapses
whenever a neighbour takes a core (the same 8 products went from 0.35 ms to 4.7 ms, an
epoch from 0.06 s to 1.3 s), so 2-thread numbers are only meaningful on an idle
machine; and the race's 200-row products are too small to gain much from a second
thread. ``--threads 2`` measures what a user gets by default on an idle machine.

Call ``set_thread_env`` before importing NumPy (it only touches ``os.environ``).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from statistics import median
from typing import Any

THREAD_VARS = (
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
)
WORKER_FLAG = "--worker"
DEFAULT_THREADS = 1  # see the module docstring


# --- threads ---------------------------------------------------------------------------
def default_threads() -> int:
    """Cores this process may run on (what NumPy's OpenBLAS and PyTorch use by default)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def set_thread_env(n: int) -> None:
    """Ask every BLAS / OpenMP pool for ``n`` threads; effective only before their import."""
    for var in THREAD_VARS:
        os.environ[var] = str(n)


def limit_threads(n: int) -> Any:
    """Enforce ``n`` threads in the already imported pools; returns the threadpoolctl limiter.

    Keep the returned object alive for as long as the limit should hold.
    """
    limiter = None
    try:
        from threadpoolctl import threadpool_limits

        limiter = threadpool_limits(limits=n)
    except ImportError:  # the environment variables set by set_thread_env still hold
        pass
    if "torch" in sys.modules:
        torch = sys.modules["torch"]
        torch.set_num_threads(n)
    return limiter


def thread_report() -> str:
    """One line: each loaded thread pool and its size (for the benchmark header)."""
    parts = []
    try:
        from threadpoolctl import threadpool_info

        for p in threadpool_info():
            parts.append(f"{p['internal_api']}({p['prefix']})={p['num_threads']}")
    except ImportError:
        parts.append("threadpoolctl not installed")
    if "torch" in sys.modules:
        parts.append(f"torch={sys.modules['torch'].get_num_threads()}")
    return ", ".join(parts)


# --- timing ----------------------------------------------------------------------------
def calibrate(fn: Callable[[], Any], target_s: float = 0.02, max_number: int = 10_000) -> int:
    """How many calls of ``fn`` take about ``target_s`` seconds (at least 1)."""
    fn()
    t0 = time.perf_counter()
    fn()
    once = max(time.perf_counter() - t0, 1e-7)
    return int(min(max_number, max(1, round(target_s / once))))


def interleaved(
    cases: dict[str, Callable[[], Any]],
    rounds: int = 31,
    target_s: float = 0.005,
    warmup: int = 3,
) -> dict[str, list[float]]:
    """Seconds per call of every case, one sample per round, the cases interleaved.

    Each case is called ``warmup`` times first (workspace allocation, caches), then
    ``rounds`` times in turn, the order rotated every round; each sample is the mean
    of a calibrated number of back-to-back calls lasting about ``target_s`` (short
    samples, many rounds: every case sees the same mix of quiet and busy moments).
    """
    names = list(cases)
    for name in names:
        for _ in range(warmup):
            cases[name]()
    numbers = {name: calibrate(cases[name], target_s) for name in names}
    samples: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            fn, n = cases[name], numbers[name]
            t0 = time.perf_counter()
            for _ in range(n):
                fn()
            samples[name].append((time.perf_counter() - t0) / n)
    return samples


def med(xs: Sequence[float]) -> float:
    return float(median(xs))


def round_ratios(samples: dict[str, list[float]], ref: str) -> dict[str, float]:
    """Median over rounds of ``case / ref`` taken within each round.

    On a shared machine the load drifts over seconds; a ratio of two samples taken in
    the same round (milliseconds apart) cancels most of that drift, a ratio of two
    medians does not.
    """
    return {
        name: med([a / b for a, b in zip(s, samples[ref], strict=True)])
        for name, s in samples.items()
    }


# --- subprocesses ----------------------------------------------------------------------
def run_worker(script: str, args: Sequence[str], threads: int, timeout: float = 600.0) -> dict:
    """Run ``python script --worker args...`` in a fresh process; returns its JSON result.

    The worker prints one JSON object on its last line of stdout. The thread variables
    are set in its environment so every pool starts with ``threads`` threads.
    """
    env = dict(os.environ)
    for var in THREAD_VARS:
        env[var] = str(threads)
    env.setdefault("PYTHONWARNINGS", "ignore")
    cmd = [sys.executable, script, WORKER_FLAG, *args, "--threads", str(threads)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(
            f"worker {' '.join(args)} failed with code {proc.returncode}:\n{proc.stderr[-3000:]}"
        )
    last = proc.stdout.strip().splitlines()[-1]
    return json.loads(last)


def emit(result: dict) -> None:
    """What a worker prints: its result as one JSON line."""
    print(json.dumps(result), flush=True)


# --- reporting -------------------------------------------------------------------------
def versions() -> dict[str, str]:
    """Versions of Python and of every library a benchmark may race."""
    out = {"python": platform.python_version()}
    for mod in ("numpy", "scipy", "sklearn", "torch", "sinapse"):
        try:
            out[mod] = __import__(mod).__version__
        except ImportError:
            out[mod] = "not installed"
    return out


def machine() -> str:
    """CPU model and the number of cores this process may use."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{model}, {default_threads()} cores usable"


def header(title: str, threads: int) -> str:
    v = versions()
    libs = ", ".join(f"{k} {val}" for k, val in v.items())
    return (
        f"## {title}\n\n{time.strftime('%Y-%m-%d %H:%M')} on {machine()}; {threads} thread(s) "
        f"for every library.\n{libs}\n"
    )


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], floatfmt: str = ".3g") -> str:
    """A Markdown table; floats formatted with ``floatfmt``, everything else with ``str``."""

    def cell(v: Any) -> str:
        if isinstance(v, float):
            return format(v, floatfmt)
        return str(v)

    body = [[cell(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in body)) for i, h in enumerate(headers)]
    lines = [
        "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |",
        "|" + "|".join("-" * (w + 2) for w in widths) + "|",
    ]
    for r in body:
        lines.append("| " + " | ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) + " |")
    return "\n".join(lines)
