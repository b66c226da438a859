"""The lecture's 2-2-1 worked example, every intermediate number checked.

Logistic activations in both layers, x = [1.0, 0.5], d = 1.0, J = e² (N = N_M = 1):

    W^1 = [[0.5, -0.4], [0.3, 0.8]]   b^1 = [0.1, -0.2]
    W^2 = [[0.7, -0.6]]               b^2 = [0.2]
"""

from __future__ import annotations

import importlib.util
import pathlib

import numpy as np
import pytest

import sinapse
from sinapse.backprop import backward, forward

_path = pathlib.Path(__file__).parents[1] / "examples" / "worked_example_221.py"
_spec = importlib.util.spec_from_file_location("worked_example_221", _path)
example = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(example)

X = np.array([[1.0, 0.5]])
D = np.array([[1.0]])


@pytest.fixture
def passes():
    net = example.lecture_network()
    fp = forward(net, X)
    return net, fp, backward(net, fp, D, loss="mse")


def test_forward_numbers(passes):
    _, fp, _ = passes
    # u^1 = W^1 x + b^1 = [0.5·1 - 0.4·0.5 + 0.1, 0.3·1 + 0.8·0.5 - 0.2] = [0.4, 0.5]
    np.testing.assert_allclose(fp.U[1][0], [0.4, 0.5], rtol=0, atol=1e-15)
    # y^1 = logistic(u^1) = [0.598687660112452, 0.6224593312018546]
    np.testing.assert_allclose(fp.Y[1][0], [0.598687660112452, 0.6224593312018546], rtol=1e-15)
    # u^2 = 0.7·0.598687660 - 0.6·0.622459331 + 0.2 = 0.24560576335760365
    np.testing.assert_allclose(fp.U[2][0, 0], 0.24560576335760365, rtol=1e-14)
    # y^2 = logistic(u^2) = 0.5610946356359897
    np.testing.assert_allclose(fp.Y[2][0, 0], 0.5610946356359897, rtol=1e-15)


def test_error_and_sensitivities(passes):
    _, fp, bp = passes
    e = D - fp.output
    # e = d - y^2 = 0.4389053643640103 ;  J = e² = 0.19263791886750464
    np.testing.assert_allclose(e[0, 0], 0.4389053643640103, rtol=1e-14)
    np.testing.assert_allclose(bp.J, 0.19263791886750464, rtol=1e-14)
    # f'^2(u^2) = y^2 (1 - y^2) = 0.24626744549650564
    # delta^2 = -2 e f'^2 = -2 · 0.438905364 · 0.246267445 = -0.2161762057932757
    np.testing.assert_allclose(bp.deltas[2][0, 0], -0.2161762057932757, rtol=1e-14)
    # F'^1(u^1) = diag(0.24026074574152914, 0.2350037122015945)
    # delta^1 = [0.7 · 0.240260746, -0.6 · 0.235003712] · delta^2
    #         = [-0.03635705949082668, 0.030481326510645376]
    np.testing.assert_allclose(bp.deltas[1][0], [-0.03635705949082668, 0.030481326510645376],
                               rtol=1e-13)


def test_node1_gradient_backprop_equals_chain_rule(passes):
    net, _, bp = passes
    (gW1, gb1), _ = net.views(bp.grad)
    by_backprop = np.array([gW1[0, 0], gW1[0, 1], gb1[0]])
    # delta_1^1 [x1, x2, 1] = [-0.03635705949082668, -0.01817852974541334, -0.03635705949082668]
    expected = [-0.03635705949082668, -0.01817852974541334, -0.03635705949082668]
    np.testing.assert_allclose(by_backprop, expected, rtol=1e-13)
    by_chain = example.chain_rule_gradient_node1(net, X[0], 1.0)
    np.testing.assert_allclose(by_backprop, by_chain, rtol=1e-14)


def test_whole_gradient_by_finite_differences(passes):
    net, _, bp = passes
    report = sinapse.gradcheck(net, X, D, loss="mse")
    assert report.passed, str(report)
    np.testing.assert_allclose(report.grad, bp.grad, rtol=0, atol=0)
    assert report.max_error < 1e-9


def test_example_script_prints_agreement(capsys):
    example.main()
    out = capsys.readouterr().out
    assert "they agree" in out
    assert "-0.216176206" in out  # delta^2
    assert "PASSED" in out
