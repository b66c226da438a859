"""The ``sinapse`` command.

::

    sinapse optimizers                                  # the registry, with defaults
    sinapse train --data xor --hidden 2 --activation tanh --output-activation logistic \\
                  --optimizer gd --learning-rate 2 --epochs 2000 --goal 1e-3 --seed 5
    sinapse train --data table.csv --outputs 1 --hidden 10 --optimizer adam --json
    sinapse gradcheck --data sine --hidden 5,5 --activation softplus

``--data`` is a built-in set (xor, sine) or a CSV whose last ``--outputs`` columns are the
desired outputs. Errors are printed as one line and exit with status 2.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Sequence

import numpy as np

from . import datasets
from .gradient_check import gradcheck
from .network import MLP
from .optim import available, get_optimizer
from .train import train


def _ints(text: str) -> list[int]:
    try:
        return [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers like 10,5; "
                                         f"got {text!r}") from None


def _load(args: argparse.Namespace) -> tuple[np.ndarray, np.ndarray]:
    if args.data in datasets.BUILTIN:
        return datasets.BUILTIN[args.data]()
    return datasets.load_csv(args.data, n_outputs=args.outputs)


def _network(args: argparse.Namespace, X: np.ndarray, D: np.ndarray) -> MLP:
    return MLP([X.shape[1], *args.hidden, D.shape[1]], activation=args.activation,
               output_activation=args.output_activation, init=args.init, seed=args.seed,
               dtype=np.float32 if args.float32 else np.float64)


def _add_model_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", required=True, help="xor, sine, or a CSV file")
    p.add_argument("--outputs", type=int, default=1, help="output columns at the end of the CSV")
    p.add_argument("--hidden", type=_ints, default=[10], help="hidden widths, e.g. 10,5")
    p.add_argument("--activation", default="tanh")
    p.add_argument("--output-activation", default="identity")
    p.add_argument("--loss", default="mse")
    p.add_argument("--init", default="glorot")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--float32", action="store_true", help="train in float32")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sinapse", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("optimizers", help="list the optimizers and their default hyperparameters")

    t = sub.add_parser("train", help="train an MLP and say why it stopped")
    _add_model_args(t)
    t.add_argument("--optimizer", default="adam", choices=available())
    t.add_argument("--learning-rate", type=float, default=None)
    t.add_argument("--epochs", type=int, default=100)
    t.add_argument("--batch-size", type=int, default=None)
    t.add_argument("--goal", type=float, default=None)
    t.add_argument("--min-grad", type=float, default=None)
    t.add_argument("--max-fail", type=int, default=None)
    t.add_argument("--validation-fraction", type=float, default=None)
    t.add_argument("--time-limit", type=float, default=None)
    t.add_argument("--schedule", default=None)
    t.add_argument("--checkpoint", default=None)
    t.add_argument("--checkpoint-every", type=int, default=1)
    t.add_argument("--resume", default=None)
    t.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None)
    t.add_argument("--json", action="store_true", help="print the result as JSON")

    g = sub.add_parser("gradcheck", help="compare backpropagation with finite differences")
    _add_model_args(g)
    return parser


def _cmd_optimizers() -> int:
    for name in available():
        opt = get_optimizer(name)
        params = ", ".join(f"{f.name}={getattr(opt, f.name)!r}" for f in dataclasses.fields(opt))
        print(f"{name:<10} {type(opt).__name__}({params})")
    return 0


def _cmd_train(args: argparse.Namespace) -> int:
    X, D = _load(args)
    net = _network(args, X, D)
    hyper = {} if args.learning_rate is None else {"learning_rate": args.learning_rate}
    history = train(net, X, D, loss=args.loss, optimizer=args.optimizer, epochs=args.epochs,
                    batch_size=args.batch_size, goal=args.goal, min_grad=args.min_grad,
                    max_fail=args.max_fail, validation_fraction=args.validation_fraction,
                    time_limit=args.time_limit, schedule=args.schedule, seed=args.seed,
                    checkpoint=args.checkpoint, checkpoint_every=args.checkpoint_every,
                    resume=args.resume, progress=args.progress, **hyper)
    stop = history.stop
    if args.json:
        print(json.dumps({"stop": {"reason": stop.reason, "epoch": stop.epoch,
                                   "message": stop.message, "values": stop.values},
                          "epochs": history.epochs, "loss": _finite(history.loss[-1]),
                          "val_loss": _finite(history.val_loss[-1]), "n_params": net.n_params},
                         allow_nan=False))
    else:
        print(net.summary())
        print(history)
    return 0


def _finite(v: float) -> float | None:
    """JSON has no NaN: a missing number is null."""
    return v if np.isfinite(v) else None


def _cmd_gradcheck(args: argparse.Namespace) -> int:
    X, D = _load(args)
    report = gradcheck(_network(args, X, D), X, D, loss=args.loss)
    print(report)
    return 0 if report.passed else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``sinapse`` command; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "optimizers":
            return _cmd_optimizers()
        if args.command == "train":
            return _cmd_train(args)
        return _cmd_gradcheck(args)
    except (ValueError, TypeError, FileNotFoundError) as err:
        print(f"sinapse: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
