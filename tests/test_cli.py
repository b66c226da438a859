"""The `sinapse` command: train, gradcheck, optimizers, and one-line errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sinapse import datasets
from sinapse.cli import main
from sinapse.optim import available


def test_optimizers_lists_the_registry(capsys):
    assert main(["optimizers"]) == 0
    out = capsys.readouterr().out
    for name in available():
        assert f"{name} " in out
    assert "learning_rate=" in out


def test_train_xor_reaches_the_goal(capsys):
    rc = main(["train", "--data", "xor", "--hidden", "2", "--activation", "tanh",
               "--output-activation", "logistic", "--init", "nguyen_widrow", "--optimizer", "gd",
               "--learning-rate", "2", "--epochs", "2000", "--goal", "1e-3", "--seed", "5",
               "--json"])
    assert rc == 0
    result = json.loads(capsys.readouterr().out)
    assert result["stop"]["reason"] == "goal"
    assert result["loss"] <= 1e-3 and result["val_loss"] is None and result["n_params"] == 9


def test_train_csv_with_validation_and_checkpoint(tmp_path, capsys):
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (60, 2))
    table = np.column_stack([X, X[:, 0] * X[:, 1]])
    path = tmp_path / "data.csv"
    np.savetxt(path, table, delimiter=",", header="x1,x2,y", comments="")
    ckpt = tmp_path / "run.npz"
    rc = main(["train", "--data", str(path), "--hidden", "6", "--optimizer", "gd",
               "--learning-rate", "0.2", "--epochs", "30", "--validation-fraction", "0.2",
               "--seed", "1", "--checkpoint", str(ckpt), "--no-progress"])
    assert rc == 0 and ckpt.exists()
    out = capsys.readouterr().out
    assert "MLP 2-6-1" in out and "validation loss" in out and "maximum number of epochs" in out


def test_gradcheck_command(capsys):
    assert main(["gradcheck", "--data", "sine", "--hidden", "4,3", "--activation", "softplus",
                 "--seed", "0"]) == 0
    assert "PASSED" in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [
    (["train", "--data", "missing.csv"], "no file at 'missing.csv'"),
    (["train", "--data", "xor", "--loss", "cross_entropy"], "needs a softmax output layer"),
    (["train", "--data", "xor", "--batch-size", "10", "--optimizer", "gd"],
     "batch_size=10 is larger than the 4 training samples"),
])
def test_errors_are_one_line_with_status_2(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("sinapse: error: ") and message in err and err.count("\n") == 1


def test_unknown_optimizer_is_rejected_by_the_parser(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["train", "--data", "xor", "--optimizer", "warp"])
    assert exc.value.code == 2
    assert "invalid choice: 'warp'" in capsys.readouterr().err


def test_builtin_data_sets():
    X, D = datasets.sine()
    assert X.shape == D.shape == (41, 1)
    np.testing.assert_allclose(D[:, 0], 1 + np.sin(np.pi * np.linspace(-2, 2, 41) / 4))
    X, D = datasets.xor()
    np.testing.assert_array_equal(D[:, 0], np.logical_xor(X[:, 0], X[:, 1]))


def test_load_csv_rejects_text_and_narrow_tables(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,x\n")
    with pytest.raises(ValueError, match="is not a numeric table"):
        datasets.load_csv(bad)
    narrow = tmp_path / "narrow.csv"
    narrow.write_text("1\n2\n")
    with pytest.raises(ValueError, match="needs the inputs and then 1 output"):
        datasets.load_csv(narrow)
