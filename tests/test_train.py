"""The training loop: every stop reason, validation, divergence, schedules, checkpoints."""

from __future__ import annotations

import math

import numpy as np
import pytest

import sinapse
from sinapse import schedules
from sinapse.optim import available

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_D = np.array([[0.0], [1.0], [1.0], [0.0]])


def xor_net(seed: int = 5) -> sinapse.MLP:
    return sinapse.MLP([2, 2, 1], activation="tanh", output_activation="logistic",
                       init="nguyen_widrow", seed=seed)


def regression(n: int = 120, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2, 2, (n, 1))
    return X, np.sin(X) + 0.05 * rng.standard_normal((n, 1))


def test_full_batch_history_is_exact_and_monotone_for_small_steps():
    net = xor_net()
    h = sinapse.train(net, XOR_X, XOR_D, optimizer="gd", learning_rate=0.5, epochs=30,
                      progress=False)
    assert h.epoch == list(range(31))
    assert h.stop.reason == "max_epochs"
    # history.loss[k] is J at the weights after epoch k: recompute the last one independently
    J, _ = sinapse.value_and_grad(net, XOR_X, XOR_D, loss="mse")
    assert h.loss[-1] == J
    assert all(b < a for a, b in zip(h.loss, h.loss[1:], strict=False))
    # gradient descent steps are w - a g: replay them by hand
    replay = xor_net()
    theta = replay.theta.copy()
    for _ in range(30):
        _, g = sinapse.value_and_grad(replay, XOR_X, XOR_D, theta=theta)
        theta = theta - 0.5 * g
    np.testing.assert_array_equal(net.theta, theta)
    assert h.n_g[-1] == 31  # one J+grad pass per epoch plus the starting point


def test_stop_goal():
    h = sinapse.train(xor_net(), XOR_X, XOR_D, optimizer="gd", learning_rate=2.0, epochs=5000,
                      goal=1e-3, progress=False)
    assert h.stop.reason == "goal"
    assert h.loss[-1] <= 1e-3 < h.loss[-2]
    assert "goal" in str(h.stop) and h.stop.values["goal"] == 1e-3


def test_stop_min_grad():
    h = sinapse.train(xor_net(), XOR_X, XOR_D, optimizer="gd", learning_rate=2.0, epochs=5000,
                      min_grad=1e-2, progress=False)
    assert h.stop.reason == "min_grad"
    assert h.grad_norm[-1] < 1e-2 <= h.grad_norm[-2]


def test_stop_time_limit():
    X, D = regression(2000)
    net = sinapse.MLP([1, 30, 1], seed=0)
    h = sinapse.train(net, X, D, optimizer="gd", learning_rate=0.05, epochs=10**7,
                      time_limit=0.2, progress=False)
    assert h.stop.reason == "time"
    assert 0.2 <= h.stop.values["time"] < 5.0 and h.time[-1] <= h.stop.values["time"]
    assert h.epochs < 10**7


def test_stop_max_fail_keeps_best_validation_weights():
    rng = np.random.default_rng(1)
    X = rng.uniform(-1, 1, (30, 1))
    D = X**2 + 0.3 * rng.standard_normal((30, 1))  # noisy: a big net overfits
    Xv = rng.uniform(-1, 1, (30, 1))
    Dv = Xv**2
    net = sinapse.MLP([1, 40, 1], seed=0)
    h = sinapse.train(net, X, D, optimizer="gd", learning_rate=0.3, epochs=20000,
                      validation=(Xv, Dv), max_fail=6, progress=False)
    assert h.stop.reason == "max_fail"
    best = int(np.argmin(h.val_loss))
    assert h.best_epoch == best == h.epochs - 6
    Jv, _ = sinapse.value_and_grad(net, Xv, Dv)
    assert Jv == min(h.val_loss)  # the weights kept are the best-validation ones


def test_validation_fraction_is_reproducible_and_disjoint():
    X, D = regression(100)
    h1 = sinapse.train(sinapse.MLP([1, 5, 1], seed=0), X, D, optimizer="gd", epochs=3,
                       validation_fraction=0.2, seed=7, progress=False)
    h2 = sinapse.train(sinapse.MLP([1, 5, 1], seed=0), X, D, optimizer="gd", epochs=3,
                       validation_fraction=0.2, seed=7, progress=False)
    assert h1.val_loss == h2.val_loss and not math.isnan(h1.val_loss[0])
    assert h1.loss[0] != h1.val_loss[0]


def test_divergence_restores_last_finite_weights_and_says_why():
    X, D = regression(50)
    net = sinapse.MLP([1, 10, 1], activation="relu", seed=0)
    h = sinapse.train(net, X * 1e3, D * 1e3, optimizer="gd", learning_rate=10.0, epochs=200,
                      progress=False)
    assert h.stop.reason == "diverged"
    assert "smaller learning rate" in str(h.stop)
    assert np.isfinite(net.theta).all()
    J, _ = sinapse.value_and_grad(net, X * 1e3, D * 1e3)
    assert math.isfinite(J)
    assert h.stop.epoch == h.epochs


def test_divergence_in_mini_batches():
    X, D = regression(64)
    net = sinapse.MLP([1, 10, 1], activation="relu", seed=0)
    h = sinapse.train(net, X * 1e3, D * 1e3, optimizer="gd", learning_rate=10.0, epochs=50,
                      batch_size=8, progress=False)
    assert h.stop.reason == "diverged" and "batch" in str(h.stop)
    assert np.isfinite(net.theta).all()


def test_interrupt_returns_history_so_far():
    def ctrl_c(epoch, history, theta):
        if epoch == 7:
            raise KeyboardInterrupt

    net = xor_net()
    h = sinapse.train(net, XOR_X, XOR_D, optimizer="gd", learning_rate=1.0, epochs=100,
                      callbacks=[ctrl_c], progress=False)
    assert h.stop.reason == "interrupted"
    assert h.epochs == 7 and len(h.loss) == 8
    J, _ = sinapse.value_and_grad(net, XOR_X, XOR_D)
    assert J == h.loss[-1]


def test_callback_can_stop():
    h = sinapse.train(xor_net(), XOR_X, XOR_D, optimizer="gd", epochs=100, progress=False,
                      callbacks=[lambda e, hist, th: e >= 4])
    assert h.stop.reason == "callback" and h.epochs == 4


def test_keep_theta_records_the_path():
    net = xor_net()
    h = sinapse.train(net, XOR_X, XOR_D, optimizer="gd", epochs=5, keep_theta=True,
                      progress=False)
    path = h.arrays()["thetas"]
    assert path.shape == (5, net.n_params)
    np.testing.assert_array_equal(path[-1], net.theta)


def test_mini_batch_is_reproducible_and_covers_every_sample():
    X, D = regression(100)
    runs = []
    for _ in range(2):
        net = sinapse.MLP([1, 8, 1], seed=0)
        h = sinapse.train(net, X, D, optimizer="gd", learning_rate=0.1, epochs=5,
                          batch_size=16, seed=3, progress=False)
        runs.append((net.theta.copy(), h.loss))
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    assert runs[0][1] == runs[1][1]
    # 100 samples in batches of 16: 7 steps an epoch, 5 epochs, plus the starting point
    assert h.n_g[-1] == 1 + 7 * 5
    other = sinapse.MLP([1, 8, 1], seed=0)
    sinapse.train(other, X, D, optimizer="gd", learning_rate=0.1, epochs=5, batch_size=16,
                  seed=4, progress=False)
    assert not np.array_equal(other.theta, runs[0][0])


def test_stochastic_without_shuffle_matches_hand_loop():
    X, D = regression(10)
    net = sinapse.MLP([1, 3, 1], seed=0)
    ref = net.copy()
    sinapse.train(net, X, D, optimizer="gd", learning_rate=0.05, epochs=2, batch_size=1,
                  shuffle=False, progress=False)
    theta = ref.theta.copy()
    for _ in range(2):
        for i in range(10):
            _, g = sinapse.value_and_grad(ref, X[i:i + 1], D[i:i + 1], theta=theta)
            theta = theta - 0.05 * g
    np.testing.assert_array_equal(net.theta, theta)


@pytest.mark.parametrize("name, expected", [
    ("constant", [0.1, 0.1, 0.1, 0.1, 0.1]),
    (schedules.Step(step_size=2, gamma=0.5), [0.1, 0.1, 0.05, 0.05, 0.025]),
    (schedules.Exponential(gamma=0.5), [0.1, 0.05, 0.025, 0.0125, 0.00625]),
    (schedules.InverseScaling(power_t=1.0), [0.1, 0.05, 0.1 / 3, 0.025, 0.02]),
    (schedules.Cosine(t_max=4), [0.1, 0.1 * (1 + math.cos(math.pi / 4)) / 2, 0.05,
                                 0.1 * (1 + math.cos(3 * math.pi / 4)) / 2, 0.0]),
])
def test_schedules_set_the_learning_rate_each_epoch(name, expected):
    h = sinapse.train(xor_net(), XOR_X, XOR_D, optimizer="gd", learning_rate=0.1, epochs=5,
                      schedule=name, progress=False)
    np.testing.assert_allclose(h.learning_rate[1:], expected, rtol=1e-14)


def test_reduce_on_plateau_cuts_the_rate_when_the_loss_stalls():
    sched = schedules.ReduceOnPlateau(factor=0.5, patience=2)
    state = sched.init()
    rates = [sched.rate(k, 1.0, state, m) for k, m in enumerate([5, 4, 4, 4, 4, 4, 4, 4])]
    assert rates == [1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25]
    state = sched.init()  # an improvement resets the count of bad epochs
    rates = [sched.rate(k, 1.0, state, m) for k, m in enumerate([5, 4, 4, 3, 3, 3, 2])]
    assert rates == [1.0] * 7


def test_bad_schedule_and_hyperparameters():
    with pytest.raises(ValueError, match="Unknown learning-rate schedule 'warp'"):
        sinapse.train(xor_net(), XOR_X, XOR_D, optimizer="gd", schedule="warp")
    with pytest.raises(ValueError, match=r"Step: gamma must be in \(0, 1\]"):
        schedules.Step(gamma=2.0)


# --- bad input ---------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, error, pattern", [
    ({"batch_size": 5}, ValueError, r"batch_size=5 is larger than the 4 training samples"),
    ({"batch_size": 0}, ValueError, r"batch_size must be an integer >= 1"),
    ({"optimizer": "warp"}, ValueError, r"Unknown optimizer 'warp'; choose one of: .*gd"),
    ({"learning_rate": -1.0}, ValueError, r"GradientDescent: learning_rate must be .*> 0"),
    ({"validation": (np.ones((3, 3)), np.ones((3, 1)))}, ValueError,
     r"train \(validation\): X has 3 columns but the network has 2 inputs"),
    ({"validation_fraction": 1.5}, ValueError, r"validation_fraction must be in \(0, 1\)"),
    ({"validation_fraction": 0.01}, ValueError, r"leaves 0 of 4 samples for validation"),
    ({"max_fail": 3}, ValueError, r"max_fail needs validation data"),
    ({"goal": -1}, ValueError, r"goal must be a number >= 0"),
    ({"epochs": -1}, ValueError, r"epochs must be an integer >= 0"),
    ({"nonsense": 1}, TypeError, r"GradientDescent: .*nonsense.*Its hyperparameters are"),
    ({"loss": "cross_entropy"}, ValueError, r"cross_entropy loss needs a softmax output"),
])
def test_train_rejects_bad_arguments(kwargs, error, pattern):
    args = {"optimizer": "gd", "progress": False, **kwargs}
    with pytest.raises(error, match=pattern):
        sinapse.train(xor_net(), XOR_X, XOR_D, **args)


def test_train_rejects_bad_data():
    with pytest.raises(ValueError, match="X has 4 rows but D has 3"):
        sinapse.train(xor_net(), XOR_X, XOR_D[:3], optimizer="gd")
    bad = XOR_X.copy()
    bad[2, 1] = np.nan
    with pytest.raises(ValueError, match=r"X contains 1 NaN value\(s\), the first at .*\(2, 1\)"):
        sinapse.train(xor_net(), bad, XOR_D, optimizer="gd")


def test_progress_bar_can_be_forced(capsys):
    sinapse.train(xor_net(), XOR_X, XOR_D, optimizer="gd", epochs=3, progress=True)
    assert "epoch" in capsys.readouterr().err
    sinapse.train(xor_net(), XOR_X, XOR_D, optimizer="gd", epochs=3, progress=False)
    assert capsys.readouterr().err == ""


# --- checkpoints and resume --------------------------------------------------------------
def _stop_at(epoch_to_stop):
    def cb(epoch, history, theta):
        if epoch == epoch_to_stop:
            raise KeyboardInterrupt
    return cb


@pytest.mark.parametrize("name", available())
@pytest.mark.parametrize("batch_size", [None, 16])
def test_resume_is_bit_identical(tmp_path, name, batch_size):
    X, D = regression(64)
    common = dict(loss="mse", optimizer=name, epochs=12, batch_size=batch_size, seed=11,
                  validation_fraction=0.25, progress=False)
    ref_net = sinapse.MLP([1, 6, 1], seed=2)
    ref = sinapse.train(ref_net, X, D, **common)

    ckpt = tmp_path / "run.npz"
    net = sinapse.MLP([1, 6, 1], seed=2)
    first = sinapse.train(net, X, D, checkpoint=str(ckpt), checkpoint_every=5,
                          callbacks=[_stop_at(7)], **common)
    assert first.stop.reason == "interrupted" and ckpt.exists()
    # resume from the checkpoint of epoch 5 with a fresh network object
    again = sinapse.MLP([1, 6, 1], seed=99)
    h = sinapse.train(again, X, D, resume=str(ckpt), **common)
    np.testing.assert_array_equal(again.theta, ref_net.theta)
    assert h.loss == ref.loss and h.val_loss == ref.val_loss
    np.testing.assert_array_equal(h.learning_rate, ref.learning_rate)  # NaN where none
    assert h.stop.reason == ref.stop.reason and h.epochs == ref.epochs == 12


def test_checkpoint_is_not_a_pickle_and_rejects_mismatches(tmp_path):
    ckpt = tmp_path / "c.npz"
    sinapse.train(xor_net(), XOR_X, XOR_D, optimizer="gd", epochs=3, checkpoint=str(ckpt),
                  progress=False)
    with np.load(ckpt, allow_pickle=False) as data:  # loads without pickle
        assert "theta" in data.files and "opt/learning_rate" not in data.files
    assert not list(tmp_path.glob("*.tmp"))  # the atomic write left no temporary behind
    with pytest.raises(ValueError, match=r"checkpoint is for a \[2, 2, 1\]"):
        sinapse.train(sinapse.MLP([2, 3, 1]), XOR_X, XOR_D, optimizer="gd", resume=str(ckpt))
    with pytest.raises(FileNotFoundError, match="no checkpoint at"):
        sinapse.train(xor_net(), XOR_X, XOR_D, optimizer="gd", resume=str(tmp_path / "x.npz"))
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="is not a sinapse checkpoint"):
        sinapse.train(xor_net(), XOR_X, XOR_D, optimizer="gd", resume=str(junk))


def test_history_summary_in_words():
    h = sinapse.train(xor_net(), XOR_X, XOR_D, optimizer="gd", epochs=3, progress=False)
    text = str(h)
    assert "GradientDescent: 3 epochs" in text and "maximum number of epochs" in text


@pytest.mark.parametrize("loss, output", [("mse", "identity"), ("sse", "tanh"),
                                          ("cross_entropy", "softmax")])
def test_chunked_evaluation_equals_the_whole(loss, output):
    from sinapse.backprop import value_and_grad_chunked, value_chunked
    from sinapse.losses import get_loss

    rng = np.random.default_rng(0)
    net = sinapse.MLP([3, 7, 4], activation="tanh", output_activation=output, seed=1)
    X = rng.standard_normal((103, 3))
    D = np.eye(4)[rng.integers(0, 4, 103)] if loss == "cross_entropy" else rng.random((103, 4))
    J, g = sinapse.value_and_grad(net, X, D, loss=loss)
    Jc, gc = value_and_grad_chunked(net, X, D, get_loss(loss), net.theta, rows=20)
    assert Jc == pytest.approx(J, rel=1e-13)
    np.testing.assert_allclose(gc, g, rtol=1e-12, atol=1e-15 * np.abs(g).max())
    Jv = value_chunked(net, X, D, get_loss(loss), net.theta, rows=20)
    assert Jv == pytest.approx(J, rel=1e-13)


def test_divergence_with_validation_keeps_the_best_validation_weights():
    X, D = regression(50)
    net = sinapse.MLP([1, 10, 1], activation="relu", seed=0)
    h = sinapse.train(net, X * 1e3, D * 1e3, optimizer="gd", learning_rate=10.0, epochs=200,
                      validation_fraction=0.2, seed=0, progress=False)
    assert h.stop.reason == "diverged"
    assert f"best validation loss (epoch {h.best_epoch}) were kept" in str(h.stop)
    assert np.isfinite(net.theta).all()


def test_the_final_state_is_checkpointed_whatever_the_period(tmp_path):
    ckpt = tmp_path / "end.npz"
    h = sinapse.train(xor_net(), XOR_X, XOR_D, optimizer="gd", epochs=7, checkpoint=str(ckpt),
                      checkpoint_every=5, progress=False)
    with np.load(ckpt, allow_pickle=False) as data:
        assert data["history/epoch"][-1] == h.epochs == 7
    # resuming a finished run changes nothing and says why it stopped
    net = xor_net(seed=0)
    again = sinapse.train(net, XOR_X, XOR_D, optimizer="gd", epochs=7, resume=str(ckpt),
                          progress=False)
    assert again.stop.reason == "max_epochs" and again.loss == h.loss


def test_reduce_on_plateau_through_train():
    # seed 0 sinks into XOR's local minimum: the loss stalls and the rate is cut
    net = sinapse.MLP([2, 2, 1], activation="tanh", output_activation="logistic",
                      init="nguyen_widrow", seed=0)
    h = sinapse.train(net, XOR_X, XOR_D, optimizer="gd", learning_rate=2.0, epochs=3000,
                      schedule=schedules.ReduceOnPlateau(factor=0.5, patience=20,
                                                         threshold=1e-3),
                      progress=False)
    rates = np.array(h.learning_rate[1:])
    assert rates[0] == 2.0 and rates[-1] < 2.0
    assert np.all(np.diff(rates) <= 0)  # only ever cut
    cuts = np.log2(2.0 / rates)  # every rate is 2.0 · 0.5^k
    np.testing.assert_array_equal(cuts, np.round(cuts))


@pytest.mark.parametrize("name", ["adam", "rprop", "gdx"])
def test_float32_training_stays_float32_and_resumes_bit_identically(tmp_path, name):
    X, D = regression(64)
    common = dict(optimizer=name, epochs=8, batch_size=16, seed=3, progress=False)
    ref = sinapse.MLP([1, 6, 1], seed=2, dtype=np.float32)
    h_ref = sinapse.train(ref, X, D, **common)
    assert ref.theta.dtype == np.float32 and h_ref.loss[-1] < h_ref.loss[0]
    ckpt = tmp_path / "f32.npz"
    net = sinapse.MLP([1, 6, 1], seed=2, dtype=np.float32)
    sinapse.train(net, X, D, checkpoint=str(ckpt), checkpoint_every=3,
                  callbacks=[_stop_at(4)], **common)
    again = sinapse.MLP([1, 6, 1], seed=0, dtype=np.float32)
    sinapse.train(again, X, D, resume=str(ckpt), **common)
    assert again.theta.dtype == np.float32
    np.testing.assert_array_equal(again.theta, ref.theta)
