"""Every first-order optimizer against an independent reference, step by step.

Two references, both fed the same fixed sequence of gradients (and losses):

* a textbook version of the published algorithm, written here in a few lines without
  library code, compared to 1e-12 relative over 30 steps;
* ``torch.optim`` (float64, gradients set through ``p.grad``), compared to 1e-10, when
  torch is installed (marked ``torch``).

gda/gdx (MATLAB ``traingda``/``traingdx``) and the Rprop variants other than iRprop⁻ have
no torch counterpart: their textbook transcription is the reference.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sinapse import optim

N_STEPS = 30
P = 8

_rng = np.random.default_rng(20240611)
THETA0 = _rng.standard_normal(P)
# gradients over three orders of magnitude, with sign changes and some exact zeros
GRADS = _rng.standard_normal((N_STEPS, P)) * 10.0 ** _rng.uniform(-2, 1, size=P)
GRADS[_rng.random((N_STEPS, P)) < 0.08] = 0.0
LOSSES = 1.0 + _rng.random(N_STEPS)  # goes up and down: both branches of iRprop+


class SequenceObjective:
    """A fake objective handing out the k-th (J, ∇J) of a fixed sequence at its k-th call."""

    def __init__(self, losses: np.ndarray, grads: np.ndarray) -> None:
        self.losses, self.grads, self.k = losses, grads, 0

    def value_and_grad(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        g = self.grads[self.k].copy()
        g.flags.writeable = False  # as sinapse.Objective: the optimizer may not write in it
        J, self.k = float(self.losses[self.k]), self.k + 1
        return J, g

    def value(self, theta: np.ndarray) -> float:
        raise AssertionError("a first-order optimizer asked for J alone")


def run(opt: optim.Optimizer, lr_at: dict[int, float] | None = None) -> np.ndarray:
    """The path θ_1..θ_N of ``opt`` on the fixed sequence; ``lr_at`` overrides α by step."""
    obj = SequenceObjective(LOSSES, GRADS)
    theta = THETA0.copy()
    state = opt.init(theta)
    path = []
    for k in range(N_STEPS):
        if lr_at and k in lr_at:
            state["learning_rate"] = lr_at[k]
        theta, state, _ = opt.step(obj, theta, state)
        path.append(theta.copy())
    return np.array(path)


def assert_path_close(ours: np.ndarray, ref: np.ndarray, rtol: float) -> None:
    np.testing.assert_allclose(ours, ref, rtol=rtol, atol=rtol * np.abs(ref).max())


# --- textbook versions, from the published algorithms ------------------------------------

def tb_heavy_ball(lr, mu, wd=0.0):
    """Polyak (1964), classic form: Δθ ← μ Δθ − α (g + λθ); θ ← θ + Δθ."""
    theta, step, path = THETA0.copy(), np.zeros(P), []
    for g in GRADS:
        step = mu * step - lr * (g + wd * theta)
        theta = theta + step
        path.append(theta)
    return np.array(path)


def tb_nesterov(lr, mu, wd=0.0):
    """Bengio, Boulanger-Lewandowski, Pascanu (2013), eq. (7): NAG at the look-ahead point."""
    theta, v, path = THETA0.copy(), np.zeros(P), []
    for g in GRADS:
        d = g + wd * theta
        theta = theta + mu * mu * v - (1 + mu) * lr * d
        v = mu * v - lr * d
        path.append(theta)
    return np.array(path)


def tb_adagrad(lr, eps, lr_decay=0.0, G0=0.0, wd=0.0):
    """Duchi, Hazan, Singer (2011), diagonal AdaGrad; torch's lr_decay schedule."""
    theta, G, path = THETA0.copy(), np.full(P, G0), []
    for t, g in enumerate(GRADS, start=1):
        d = g + wd * theta
        G = G + d**2
        theta = theta - lr / (1 + (t - 1) * lr_decay) * d / (np.sqrt(G) + eps)
        path.append(theta)
    return np.array(path)


def tb_rmsprop(lr, rho, eps, momentum=0.0, centered=False, wd=0.0):
    """Tieleman & Hinton (2012); centered as Graves (2013); ε outside the root (torch)."""
    theta, s, m, b, path = THETA0.copy(), np.zeros(P), np.zeros(P), np.zeros(P), []
    for g in GRADS:
        d = g + wd * theta
        s = rho * s + (1 - rho) * d**2
        m = rho * m + (1 - rho) * d
        rms = np.sqrt(s - m**2 if centered else s) + eps
        if momentum > 0:
            b = momentum * b + d / rms
            theta = theta - lr * b
        else:
            theta = theta - lr * d / rms
        path.append(theta)
    return np.array(path)


def tb_adadelta(lr, rho, eps, wd=0.0):
    """Zeiler (2012), Algorithm 1, with a learning rate α multiplying Δx (torch)."""
    theta, Eg2, Edx2, path = THETA0.copy(), np.zeros(P), np.zeros(P), []
    for g in GRADS:
        d = g + wd * theta
        Eg2 = rho * Eg2 + (1 - rho) * d**2
        dx = -np.sqrt(Edx2 + eps) / np.sqrt(Eg2 + eps) * d
        Edx2 = rho * Edx2 + (1 - rho) * dx**2
        theta = theta + lr * dx
        path.append(theta)
    return np.array(path)


def tb_adam(lr, b1, b2, eps, wd=0.0):
    """Kingma & Ba (2015), Algorithm 1 (L2 weight decay in the gradient, as torch Adam)."""
    theta, m, v, path = THETA0.copy(), np.zeros(P), np.zeros(P), []
    for t, g in enumerate(GRADS, start=1):
        d = g + wd * theta
        m = b1 * m + (1 - b1) * d
        v = b2 * v + (1 - b2) * d**2
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
        path.append(theta)
    return np.array(path)


def tb_adamw(lr, b1, b2, eps, wd):
    """Loshchilov & Hutter (2019), Algorithm 2 with η_t = 1 and their λ = α · weight_decay."""
    theta, m, v, path = THETA0.copy(), np.zeros(P), np.zeros(P), []
    for t, g in enumerate(GRADS, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        theta = theta - (lr * m_hat / (np.sqrt(v_hat) + eps) + lr * wd * theta)
        path.append(theta)
    return np.array(path)


def tb_amsgrad(lr, b1, b2, eps):
    """Reddi, Kale, Kumar (2018), Algorithm 2, with torch's bias corrections and ε."""
    theta, m, v, v_max, path = THETA0.copy(), np.zeros(P), np.zeros(P), np.zeros(P), []
    for t, g in enumerate(GRADS, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        v_max = np.maximum(v_max, v)
        theta = theta - lr / (1 - b1**t) * m / (np.sqrt(v_max / (1 - b2**t)) + eps)
        path.append(theta)
    return np.array(path)


def tb_nadam(lr, b1, b2, eps, psi):
    """Dozat (2016), Algorithm 2 with the schedule μ_t = β1 (1 − ½ 0.96^(tψ))."""
    theta, m, v, path = THETA0.copy(), np.zeros(P), np.zeros(P), []
    mus = [b1 * (1 - 0.5 * 0.96 ** (t * psi)) for t in range(1, N_STEPS + 2)]  # μ_1..μ_{N+1}
    for t, g in enumerate(GRADS, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        g_hat = g / (1 - math.prod(mus[:t]))
        m_hat = m / (1 - math.prod(mus[: t + 1]))
        m_bar = (1 - mus[t - 1]) * g_hat + mus[t] * m_hat
        theta = theta - lr * m_bar / (np.sqrt(v / (1 - b2**t)) + eps)
        path.append(theta)
    return np.array(path)


def tb_adamax(lr, b1, b2, eps):
    """Kingma & Ba (2015), Algorithm 2 (AdaMax), with torch's ε inside the max."""
    theta, m, u, path = THETA0.copy(), np.zeros(P), np.zeros(P), []
    for t, g in enumerate(GRADS, start=1):
        m = b1 * m + (1 - b1) * g
        u = np.maximum(b2 * u, np.abs(g) + eps)
        theta = theta - lr / (1 - b1**t) * m / u
        path.append(theta)
    return np.array(path)


def tb_rprop(variant, delta0, eta_minus, eta_plus, delta_min, delta_max):
    """Igel & Hüsken (2000), Figs. 1–4, transcribed weight by weight (no vectorisation)."""
    w, path = list(THETA0), []
    Delta, g_prev, dw_prev, E_prev = [delta0] * P, [0.0] * P, [0.0] * P, math.inf
    for E, grad in zip(LOSSES, GRADS, strict=True):
        for i in range(P):
            g = float(grad[i])
            if g_prev[i] * g > 0:
                Delta[i] = min(Delta[i] * eta_plus, delta_max)
            elif g_prev[i] * g < 0:
                Delta[i] = max(Delta[i] * eta_minus, delta_min)
                if variant == "rprop+" or (variant == "irprop+" and E > E_prev):
                    w[i] -= dw_prev[i]  # weight-backtracking
                if variant != "rprop-":
                    g_prev[i] = 0.0
                    continue
            dw_prev[i] = -np.sign(g) * Delta[i]
            w[i] += dw_prev[i]
            g_prev[i] = g
        E_prev = E
        path.append(list(w))
    return np.array(path)


TEXTBOOK = {
    "momentum": (optim.Momentum(learning_rate=0.02, momentum=0.9), tb_heavy_ball(0.02, 0.9)),
    "momentum-wd": (optim.Momentum(learning_rate=0.05, momentum=0.5, weight_decay=0.1),
                    tb_heavy_ball(0.05, 0.5, wd=0.1)),
    "nesterov": (optim.Nesterov(learning_rate=0.02, momentum=0.9), tb_nesterov(0.02, 0.9)),
    "nesterov-wd": (optim.Nesterov(learning_rate=0.05, momentum=0.7, weight_decay=0.1),
                    tb_nesterov(0.05, 0.7, wd=0.1)),
    "adagrad": (optim.Adagrad(), tb_adagrad(0.01, 1e-10)),
    "adagrad-all": (optim.Adagrad(learning_rate=0.1, lr_decay=0.05, eps=1e-3,
                                  initial_accumulator_value=0.2, weight_decay=0.01),
                    tb_adagrad(0.1, 1e-3, lr_decay=0.05, G0=0.2, wd=0.01)),
    "rmsprop": (optim.RMSprop(), tb_rmsprop(0.01, 0.99, 1e-8)),
    "rmsprop-centered": (optim.RMSprop(rho=0.9, centered=True), tb_rmsprop(0.01, 0.9, 1e-8,
                                                                           centered=True)),
    "rmsprop-momentum": (optim.RMSprop(momentum=0.8, weight_decay=0.01),
                         tb_rmsprop(0.01, 0.99, 1e-8, momentum=0.8, wd=0.01)),
    "rmsprop-centered-momentum": (optim.RMSprop(rho=0.9, momentum=0.5, centered=True),
                                  tb_rmsprop(0.01, 0.9, 1e-8, momentum=0.5, centered=True)),
    "adadelta": (optim.Adadelta(), tb_adadelta(1.0, 0.9, 1e-6)),
    "adadelta-wd": (optim.Adadelta(learning_rate=0.5, rho=0.95, eps=1e-4, weight_decay=0.1),
                    tb_adadelta(0.5, 0.95, 1e-4, wd=0.1)),
    "adam": (optim.Adam(), tb_adam(0.001, 0.9, 0.999, 1e-8)),
    "adam-wd": (optim.Adam(learning_rate=0.05, beta1=0.8, beta2=0.99, eps=1e-6,
                           weight_decay=0.1), tb_adam(0.05, 0.8, 0.99, 1e-6, wd=0.1)),
    "adamw": (optim.AdamW(learning_rate=0.05, weight_decay=0.1),
              tb_adamw(0.05, 0.9, 0.999, 1e-8, 0.1)),
    "amsgrad": (optim.AMSGrad(learning_rate=0.05, beta2=0.9), tb_amsgrad(0.05, 0.9, 0.9, 1e-8)),
    "nadam": (optim.NAdam(), tb_nadam(0.002, 0.9, 0.999, 1e-8, 0.004)),
    "nadam-fast-schedule": (optim.NAdam(learning_rate=0.05, momentum_decay=0.5),
                            tb_nadam(0.05, 0.9, 0.999, 1e-8, 0.5)),
    "adamax": (optim.Adamax(), tb_adamax(0.002, 0.9, 0.999, 1e-8)),
    "adamax-betas": (optim.Adamax(learning_rate=0.05, beta1=0.5, beta2=0.8),
                     tb_adamax(0.05, 0.5, 0.8, 1e-8)),
}
for _variant in ("rprop-", "rprop+", "irprop-", "irprop+"):
    TEXTBOOK[_variant] = (optim.Rprop(variant=_variant),
                          tb_rprop(_variant, 0.07, 0.5, 1.2, 1e-6, 50.0))
    TEXTBOOK[_variant + "-tight"] = (
        optim.Rprop(variant=_variant, delta0=0.5, eta_minus=0.3, eta_plus=1.5,
                    delta_min=0.1, delta_max=1.0),
        tb_rprop(_variant, 0.5, 0.3, 1.5, 0.1, 1.0))


@pytest.mark.parametrize("case", sorted(TEXTBOOK))
def test_matches_textbook(case):
    opt, reference = TEXTBOOK[case]
    assert_path_close(run(opt), reference, rtol=1e-12)


def _first_order_names() -> set[str]:
    """Registered optimizers that step from ∇J alone (second-order ones are tested elsewhere)."""
    return {n for n in optim.available() if isinstance(optim.get_optimizer(n), optim.FirstOrder)}


def test_every_registered_first_order_optimizer_has_a_textbook_case():
    covered = {opt.name for opt, _ in TEXTBOOK.values()} | {"gd"}  # gd: the contract tests
    assert _first_order_names() <= covered


def test_the_rprop_variants_take_different_paths():
    paths = {v: run(optim.Rprop(variant=v)) for v in ("rprop-", "rprop+", "irprop-", "irprop+")}
    names = sorted(paths)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            assert not np.allclose(paths[a], paths[b]), (a, b)


# --- gda / gdx: MATLAB traingda.m and traingdx.m transcribed -----------------------------

_A = np.array([1.0, 4.0, 9.0, 0.5])
_C = np.array([0.5, -1.0, 0.25, 2.0])


def f_quartic(x):
    return float(np.sum(_A * (x - _C) ** 2) + 0.1 * np.sum(x**4))


def grad_quartic(x):
    return 2 * _A * (x - _C) + 0.4 * x**3


class FunctionObjective:
    def __init__(self, f, grad):
        self.f, self.grad, self.n_value, self.n_grad = f, grad, 0, 0

    def value(self, theta):
        self.n_value += 1
        return self.f(theta)

    def value_and_grad(self, theta):
        self.n_grad += 1
        g = self.grad(theta)
        g.flags.writeable = False
        return self.f(theta), g


def tb_traingdx(x0, n, lr, mc, lr_inc=1.05, lr_dec=0.7, max_perf_inc=1.04):
    """MATLAB traingdx.m (NN Toolbox 4, 2002), main loop; mc = 0 is traingda.m."""
    X = x0.copy()
    perf, gX = f_quartic(X), -grad_quartic(X)
    dX = lr * gX
    path, accepted = [], []
    for _epoch in range(n):
        dX = mc * dX + (1 - mc) * lr * gX
        X2 = X + dX
        perf2 = f_quartic(X2)
        if perf2 / perf > max_perf_inc:
            lr = lr * lr_dec
            dX = lr * gX
            accepted.append(False)
        else:
            if perf2 < perf:
                lr = lr * lr_inc
            X, perf, gX = X2, perf2, -grad_quartic(X2)
            accepted.append(True)
        path.append(X.copy())
    return np.array(path), accepted


@pytest.mark.parametrize(("opt", "mc"), [
    (optim.AdaptiveGradientDescent(learning_rate=0.05), 0.0),
    (optim.AdaptiveGradientDescent(learning_rate=0.05, lr_inc=1.3, lr_dec=0.5,
                                   max_perf_inc=1.1), 0.0),
    (optim.AdaptiveMomentumGradientDescent(learning_rate=0.05), 0.9),
    (optim.AdaptiveMomentumGradientDescent(learning_rate=0.1, momentum=0.5, lr_inc=1.2), 0.5),
], ids=["gda", "gda-params", "gdx", "gdx-params"])
def test_gda_gdx_match_matlab_transcription(opt, mc):
    x0 = np.array([2.0, 1.5, -1.0, 0.0])
    hp = opt.hyperparameters()
    ref, ref_accepted = tb_traingdx(x0, 60, hp["learning_rate"], mc, hp["lr_inc"],
                                    hp["lr_dec"], hp["max_perf_inc"])
    obj = FunctionObjective(f_quartic, grad_quartic)
    theta, state, path, accepted = x0.copy(), opt.init(x0), [], []
    for _ in range(60):
        theta, state, info = opt.step(obj, theta, state)
        path.append(theta.copy())
        accepted.append(info.accepted)
        assert (info.n_f, info.n_g) == (1, 1)
    assert accepted == ref_accepted
    assert False in accepted and True in accepted  # both branches ran
    assert_path_close(np.array(path), ref, rtol=1e-12)


def test_gdx_rejection_restarts_with_a_plain_gradient_step():
    opt = optim.AdaptiveMomentumGradientDescent(learning_rate=0.05)
    obj = FunctionObjective(f_quartic, grad_quartic)
    theta, state = np.array([2.0, 1.5, -1.0, 0.0]), None
    state = opt.init(theta)
    for _ in range(60):
        before = theta
        theta, state, info = opt.step(obj, theta, state)
        if not info.accepted:
            np.testing.assert_array_equal(theta, before)
            lr = state["learning_rate"]  # already reduced by lr_dec
            theta2, state, _ = opt.step(obj, theta, state)
            np.testing.assert_allclose(theta2, theta - lr * grad_quartic(theta), rtol=1e-14)
            return
    pytest.fail("no step was rejected")


# --- torch.optim --------------------------------------------------------------------------

def _torch_cases(torch):
    o, t = optim, torch.optim
    kw = {"foreach": False}
    return {
        "momentum": (o.Momentum(learning_rate=0.02), lambda p: t.SGD(p, lr=0.02, momentum=0.9,
                                                                     **kw)),
        "momentum-dampening-wd": (
            o.Momentum(learning_rate=0.05, momentum=0.8, dampening=0.3, weight_decay=0.01),
            lambda p: t.SGD(p, lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.01, **kw)),
        "nesterov": (o.Nesterov(learning_rate=0.05, momentum=0.7, weight_decay=0.01),
                     lambda p: t.SGD(p, lr=0.05, momentum=0.7, weight_decay=0.01,
                                     nesterov=True, **kw)),
        "adagrad": (o.Adagrad(), lambda p: t.Adagrad(p, **kw)),
        "adagrad-all": (o.Adagrad(learning_rate=0.1, lr_decay=0.05, weight_decay=0.01,
                                  initial_accumulator_value=0.2, eps=1e-3),
                        lambda p: t.Adagrad(p, lr=0.1, lr_decay=0.05, weight_decay=0.01,
                                            initial_accumulator_value=0.2, eps=1e-3, **kw)),
        "rmsprop": (o.RMSprop(), lambda p: t.RMSprop(p, **kw)),
        "rmsprop-centered": (o.RMSprop(rho=0.9, centered=True),
                             lambda p: t.RMSprop(p, alpha=0.9, centered=True, **kw)),
        "rmsprop-momentum": (o.RMSprop(momentum=0.8, weight_decay=0.01),
                             lambda p: t.RMSprop(p, momentum=0.8, weight_decay=0.01, **kw)),
        "rmsprop-centered-momentum": (
            o.RMSprop(rho=0.9, momentum=0.5, centered=True),
            lambda p: t.RMSprop(p, alpha=0.9, momentum=0.5, centered=True, **kw)),
        "adadelta": (o.Adadelta(), lambda p: t.Adadelta(p, **kw)),
        "adadelta-wd": (o.Adadelta(learning_rate=0.5, rho=0.95, eps=1e-4, weight_decay=0.1),
                        lambda p: t.Adadelta(p, lr=0.5, rho=0.95, eps=1e-4, weight_decay=0.1,
                                             **kw)),
        "adam": (o.Adam(), lambda p: t.Adam(p, **kw)),
        "adam-wd": (o.Adam(learning_rate=0.05, beta1=0.8, beta2=0.99, eps=1e-6,
                           weight_decay=0.1),
                    lambda p: t.Adam(p, lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1,
                                     **kw)),
        "adamw": (o.AdamW(learning_rate=0.05), lambda p: t.AdamW(p, lr=0.05, **kw)),
        "adamw-wd": (o.AdamW(learning_rate=0.05, weight_decay=0.3),
                     lambda p: t.AdamW(p, lr=0.05, weight_decay=0.3, **kw)),
        "nadam": (o.NAdam(), lambda p: t.NAdam(p, **kw)),
        "nadam-wd": (o.NAdam(learning_rate=0.05, momentum_decay=0.5, weight_decay=0.1),
                     lambda p: t.NAdam(p, lr=0.05, momentum_decay=0.5, weight_decay=0.1,
                                       **kw)),
        "amsgrad": (o.AMSGrad(learning_rate=0.05, beta2=0.9),
                    lambda p: t.Adam(p, lr=0.05, betas=(0.9, 0.9), amsgrad=True, **kw)),
        "amsgrad-wd": (o.AMSGrad(weight_decay=0.1),
                       lambda p: t.Adam(p, weight_decay=0.1, amsgrad=True, **kw)),
        "adamax": (o.Adamax(), lambda p: t.Adamax(p, **kw)),
        "adamax-wd": (o.Adamax(learning_rate=0.05, beta1=0.5, beta2=0.8, weight_decay=0.1),
                      lambda p: t.Adamax(p, lr=0.05, betas=(0.5, 0.8), weight_decay=0.1,
                                         **kw)),
        "rprop": (o.Rprop(), lambda p: t.Rprop(p, lr=0.07, **kw)),
        "rprop-torch-defaults": (o.Rprop(delta0=0.01),
                                 lambda p: t.Rprop(p, lr=0.01, etas=(0.5, 1.2),
                                                   step_sizes=(1e-6, 50), **kw)),
        "rprop-tight": (o.Rprop(delta0=0.5, eta_minus=0.3, eta_plus=1.5, delta_min=0.1,
                                delta_max=1.0),
                        lambda p: t.Rprop(p, lr=0.5, etas=(0.3, 1.5), step_sizes=(0.1, 1.0),
                                          **kw)),
    }


TORCH_CASES = ["momentum", "momentum-dampening-wd", "nesterov", "adagrad", "adagrad-all",
               "rmsprop", "rmsprop-centered", "rmsprop-momentum", "rmsprop-centered-momentum",
               "adadelta", "adadelta-wd", "adam", "adam-wd", "adamw", "adamw-wd", "nadam",
               "nadam-wd", "amsgrad", "amsgrad-wd", "adamax", "adamax-wd", "rprop",
               "rprop-torch-defaults", "rprop-tight"]


def run_torch(torch, make, lr_at=None):
    # float64 everywhere: torch keeps scalar state (step, NAdam's mu_product) in the
    # default dtype, float32 unless changed, which alone costs ~1e-8 relative
    default = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        p = torch.tensor(THETA0.copy(), dtype=torch.float64, requires_grad=True)
        opt = make([p])
        path = []
        for k, g in enumerate(GRADS):
            if lr_at and k in lr_at:
                opt.param_groups[0]["lr"] = lr_at[k]
            p.grad = torch.tensor(g, dtype=torch.float64)
            opt.step()
            path.append(p.detach().numpy().copy())
    finally:
        torch.set_default_dtype(default)
    return np.array(path)


@pytest.mark.torch
@pytest.mark.parametrize("case", TORCH_CASES)
def test_matches_torch(case):
    torch = pytest.importorskip("torch")
    ours, make = _torch_cases(torch)[case]
    assert_path_close(run(ours), run_torch(torch, make), rtol=1e-10)


@pytest.mark.torch
@pytest.mark.parametrize("case", ["momentum", "nesterov", "adagrad-all", "rmsprop-momentum",
                                  "adadelta", "adam", "adamw-wd", "nadam-wd", "amsgrad",
                                  "adamax"])
def test_learning_rate_is_read_from_state_like_a_torch_scheduler(case):
    torch = pytest.importorskip("torch")
    ours, make = _torch_cases(torch)[case]
    base = ours.learning_rate
    lr_at = {10: 0.5 * base, 20: 0.1 * base, 25: 2.0 * base}
    assert_path_close(run(ours, lr_at), run_torch(torch, make, lr_at), rtol=1e-10)


@pytest.mark.torch
def test_every_torch_counterpart_is_covered():
    torch = pytest.importorskip("torch")
    cases = _torch_cases(torch)
    assert set(cases) == set(TORCH_CASES)
    assert _first_order_names() - {"gd"} <= {opt.name for opt, _ in cases.values()}
