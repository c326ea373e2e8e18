"""Mechanism 7.1: exact distribution vs brute-force noise enumeration, payments, verifier."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from solver.errors import InstanceError, SizeLimitError
from solver.privacy import VCGInstance, solve, vcg
from solver.privacy.model import PrivacyBound


def _brute(W: np.ndarray, eps: float, M: int, K: int) -> tuple[np.ndarray, float]:
    """Enumerate λ ∈ [-K, K]^|O| and apply steps (2)-(5) of Mechanism 7.1 literally."""
    nO = W.size
    t = eps / (M * nO)
    outs = vcg.Outputs.make(nO, M)
    index = {it: j for j, it in enumerate(outs.items)}
    p = np.zeros(len(outs.items))
    ks = np.arange(-K, K + 1)
    pk = vcg.lap_pmf(ks, t)
    for lam in itertools.product(range(2 * K + 1), repeat=nO):
        lam_v = ks[list(lam)]
        V = W + lam_v + np.arange(nO) / nO
        a = int(np.argmax(V))
        g = []
        for o in range(nO):
            d = V[a] - V[o]
            g.append(0 if o == a else (int(round(d - (a - o) / nO)) if d <= M else -1))
        p[index[(a, tuple(g))]] += np.prod(pk[list(lam)])
    return p, 1 - pk.sum() ** nO


@pytest.mark.parametrize("W, eps, M, K", [
    (np.array([2.0, 0.0]), 2.0, 1, 40),
    (np.array([1.0, 3.0, 2.0]), 3.0, 1, 22),
    (np.array([0.0, 1.0, 1.0]), 4.0, 2, 22),
])
def test_distribution_matches_brute_force(W, eps, M, K):
    p, tail, _ = vcg.distribution(W, eps, M)
    pb, dropped = _brute(W, eps, M, K)
    assert np.max(np.abs(p[0] - pb)) <= dropped + tail + 1e-12
    assert p.sum() == pytest.approx(1.0, abs=1e-12)


def test_payment_is_vcg_externality_without_noise():
    """With the noise removed the payment rule is the Clarke pivot payment (Eq. 5)."""
    types = np.array([[2.0, 0.0, 1.0], [0.0, 2.0, 1.0], [1.0, 0.0, 2.0]])
    W = types.sum(axis=0)
    nO, M = 3, 2
    V = W + np.arange(nO) / nO
    a = int(np.argmax(V))
    outs = vcg.Outputs.make(nO, M)
    g = tuple(0 if o == a else (int(round(V[a] - V[o] - (a - o) / nO))
                                if V[a] - V[o] <= M else -1) for o in range(nO))
    j = outs.items.index((a, g))
    pay = outs.payments(types)[:, j]
    for i in range(3):
        Wo = W - types[i] + np.arange(nO) / nO
        clarke = Wo.max() - Wo[a]
        assert pay[i] == pytest.approx(clarke) if (Wo.max() - Wo[a]) <= M else pay[i] <= M


def test_dp_and_truthful_at_theorem_condition():
    nO, M, eps = 2, 1, 1.0
    kappa = 1 / (2 * eps * nO * (1 + 2 * M * math.exp(eps / nO)))
    worst, dp = -math.inf, 0.0
    for Wo in vcg.others_vectors(3, nO, M):
        r = vcg.verify_others(Wo, eps, M, PrivacyBound("log", kappa))
        g = r["gains"].copy()
        np.fill_diagonal(g, -np.inf)
        worst = max(worst, float(g.max()))
        dp = max(dp, float(r["log_ratio"].max()))
    assert worst <= 1e-12 and dp <= eps + 1e-9


def test_coupled_probabilities_consistent_with_marginals():
    Wo = np.array([1.0, 0.0, 2.0])
    th, th2 = np.array([2.0, 0.0, 0.0]), np.array([0.0, 1.0, 2.0])
    diff, _ = vcg.coupled(Wo, th, th2, 1.5, 2)
    p1 = vcg.distribution(Wo + th, 1.5, 2)[0][0]
    p2 = vcg.distribution(Wo + th2, 1.5, 2)[0][0]
    outs = vcg.Outputs.make(3, 2).outcome()
    tv = 0.5 * np.abs(np.bincount(outs, p1) - np.bincount(outs, p2)).sum()
    assert tv <= diff + 1e-12 <= 1


@pytest.mark.parametrize("raw, field, exc", [
    ({"utilities": [[0, 4], [1, 1]], "epsilon": 1, "max_utility": 3}, "utilities[0][1]",
     InstanceError),
    ({"utilities": [[0, -1], [1, 1]], "epsilon": 1, "max_utility": 3}, "utilities[0][1]",
     InstanceError),
    ({"utilities": [[0, 1.5], [1, 1]], "epsilon": 1, "max_utility": 3}, "utilities[0][1]",
     InstanceError),
    ({"utilities": [[0, 1], [1, 1]], "epsilon": -0.1, "max_utility": 3}, "epsilon",
     InstanceError),
    ({"utilities": [[0] * 5, [1] * 5], "epsilon": 1, "max_utility": 3,
      "privacy_bound": {"kind": "log", "kappa": 1}}, "utilities", SizeLimitError),
])
def test_bad_input(raw, field, exc):
    with pytest.raises(exc) as e:
        VCGInstance.from_dict({"problem": "vcg", **raw})
    assert e.value.field == field


def test_solve_small():
    inst = VCGInstance.from_dict({"problem": "vcg", "utilities": [[2, 0], [0, 1], [1, 1]],
                                  "epsilon": 1.0, "max_utility": 2,
                                  "privacy_bound": {"kind": "log", "kappa": 0.01}})
    out = solve(inst)
    assert np.sum(out["outcome_distribution"]) == pytest.approx(1.0)
    assert out["expected_welfare"] <= out["optimal_welfare"]
    assert out["dp_level"] <= 1.0 + 1e-9 and out["truthful"]
