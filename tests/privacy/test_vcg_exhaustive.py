"""Mechanism 7.1's exhaustive checks: sufficient statistics vs plain profile enumeration."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from solver.privacy import vcg
from solver.privacy import vcg_exhaustive as ve
from solver.privacy.model import PrivacyBound


@pytest.mark.parametrize("nO, M, R, eps", [(2, 1, 5, 0.5), (3, 2, 6, 1.0), (4, 1, 4, 2.0),
                                           (4, 3, 4, 1.0)])
def test_distribution_grid_equals_direct_summation(nO, M, R, eps):
    D, tail, grid = ve.distribution_grid(nO, M, eps, R)
    rng = np.random.default_rng(nO * 10 + M)
    W = rng.integers(0, R + 1, (25, nO))
    p, tail2, _ = vcg.distribution(W, eps, M)
    assert np.max(np.abs(D[grid.index(W)] - p)) <= 1e-14
    assert tail == tail2
    ok = grid.realisable()
    assert np.all(np.isfinite(D[ok])) and np.all(np.isnan(D[~ok]))
    assert np.allclose(D[ok].sum(axis=1), 1.0, atol=1e-12)


def test_no_outcome_permutation_symmetry():
    """The tie-break o/|O| favours the last outcome, so permuting outcomes is no symmetry."""
    p, _, outs = vcg.distribution(np.array([0.0, 0.0]), 1.0, 1)
    p1 = p[0][outs.outcome() == 1].sum()
    assert p1 > 0.5 + 1e-3


@pytest.mark.parametrize("nO, M", [(2, 2), (3, 1), (3, 2)])
def test_shift_invariance(nO, M):
    """Adding c·1 to W_-i, to the true type or to the lie leaves every gain unchanged."""
    F = PrivacyBound("log", 0.3)
    W = np.arange(nO, dtype=float)
    r1 = ve_gains = vcg.verify_others(W, 1.0, M, F)
    r2 = vcg.verify_others(W + 3, 1.0, M, F)
    assert np.allclose(r1["gains"], r2["gains"], atol=1e-13)
    types = r1["types"]
    index = {tuple(t): k for k, t in enumerate(types.astype(int))}
    g = ve_gains["gains"]
    for a, t in itertools.product(range(len(types)), repeat=2):
        if types[a].max() < M and types[t].max() < M:
            a1, t1 = index[tuple(types[a].astype(int) + 1)], index[tuple(types[t].astype(int) + 1)]
            assert g[a1, t] == pytest.approx(g[a, t], abs=1e-13)
            assert g[a, t1] == pytest.approx(g[a, t], abs=1e-13)


def _plain(nO: int, M: int, n: int, eps: float, F: PrivacyBound) -> dict:
    """Every profile θ_-i of n-1 players, every type and lie: the existing per-profile path."""
    types = vcg.all_types(nO, M)
    cls = types - types.min(axis=1, keepdims=True)
    worst = {"gain": -math.inf, "7.3": 0.0, "7.4": 0.0, "same_class_gain": 0.0}
    cache: dict[tuple, tuple] = {}
    classes = set()
    count = 0
    for prof in itertools.product(range(len(types)), repeat=n - 1):
        Wo = types[list(prof)].sum(axis=0) if prof else np.zeros(nO)
        classes.add(tuple((Wo - Wo.min()).astype(int)))
        key = tuple(Wo)
        if key not in cache:
            r = vcg.verify_others(Wo, eps, M, F, types)
            eu = np.einsum("tj,atj->at", r["prob"], r["util"])
            g = r["gains"]
            w = {"gain": -math.inf, "7.3": 0.0, "7.4": 0.0, "same_class_gain": 0.0}
            for a, t in itertools.product(range(len(types)), repeat=2):
                if a == t:
                    continue
                if np.array_equal(cls[a], cls[t]):
                    w["same_class_gain"] = max(w["same_class_gain"], abs(g[a, t]))
                    continue
                w["gain"] = max(w["gain"], g[a, t])
                diff, pid = vcg.coupled(Wo, types[a], types[t], eps, M)
                w["7.3"] = max(w["7.3"], diff / (nO * (eu[a, a] - eu[a, t])))
                w["7.4"] = max(w["7.4"], pid / (2 * M * math.exp(eps / nO) * diff))
            cache[key] = tuple(w.values())
        for k, v in zip(worst, cache[key], strict=True):
            worst[k] = max(worst[k], v)
        count += len(types) * (len(types) - 1)
    worst["cases"] = count
    worst["classes"] = len(classes)
    return worst


@pytest.mark.parametrize("nO, M, n", [(2, 1, 4), (2, 2, 3), (3, 1, 3), (4, 1, 2)])
def test_sufficient_statistic_equals_plain_enumeration(nO, M, n):
    eps = 1.0
    kappa = 1 / (2 * eps * nO * (1 + 2 * M * math.exp(eps / nO)))
    bounds = {"at": PrivacyBound("log", kappa), "above": PrivacyBound("log", 40 * kappa)}
    res = ve.exhaustive(nO, M, n, eps, bounds, exact_budget=10_000)
    for m in range(2, n + 1):
        row = res.per_n[m]
        for k, F in bounds.items():
            plain = _plain(nO, M, m, eps, F)
            assert plain["same_class_gain"] <= 1e-12        # shift-class lies gain exactly 0
            got = row[f"gain_{k}"]
            assert got["proven_max"]
            assert got["worst_exact"] == pytest.approx(plain["gain"], abs=1e-12)
            assert got["upper_bound"] >= plain["gain"] - 1e-12
        assert row["lemma_7.3"] == pytest.approx(plain["7.3"], rel=1e-9)
        assert row["lemma_7.4"] == pytest.approx(plain["7.4"], rel=1e-9)
        assert row["W_classes"] == plain["classes"]         # every class is realisable
        assert row["profile_cases"] == plain["cases"]
    assert res.per_n[n]["gain_at"]["upper_bound"] <= 0 < res.per_n[n]["gain_above"]["worst_exact"]


@pytest.mark.parametrize("nO, M, n", [(2, 2, 4), (3, 2, 3), (4, 1, 3)])
def test_dp_levels_equal_per_profile_path(nO, M, n):
    r = ve.dp_levels(nO, M, n, 0.7)
    for Wo, lr in zip(r["W_others"], r["log_ratio"], strict=True):
        direct = vcg.verify_others(Wo.astype(float), 0.7, M, PrivacyBound("log", 0.0))
        assert np.max(np.abs(direct["log_ratio"] - lr)) <= 1e-12
    assert r["log_ratio"].max() <= 0.7 * (1 + 1e-9)


def test_budget_exhaustion_is_reported():
    nO, M = 3, 2
    res = ve.exhaustive(nO, M, 4, 1.0, {"at": PrivacyBound("log", 0.02)}, exact_budget=2)
    row = res.per_n[4]["gain_at"]
    assert not row["proven_max"] and row["classes_evaluated_exactly"] == 2
    assert row["worst_exact"] <= row["upper_bound"]
