"""Issue #15 items 1-3: the time-limited answer for large instances (cut bound + incumbents)."""

from __future__ import annotations

import time

import numpy as np
import pytest

from solver import budget
from solver.pricing import bounds
from solver.pricing import envy_free as ef
from solver.pricing.bounds import bound_and_incumbent, root_bound
from solver.pricing.cuts import cut_bound
from solver.pricing.envy_free import (
    curve_revenue,
    ef_revenue,
    is_envy_free,
    merge_identical_buyers,
)
from solver.pricing.families import random_valuations


@pytest.mark.parametrize("kind", ["uniform", "estimation"])
def test_bound_and_incumbent_scale_exactly(kind):
    V = random_valuations(np.random.default_rng(1), 20, 20, kind)
    T, w, _ = merge_identical_buyers(V)
    ref = bound_and_incumbent(T, w, stall=None)        # cuts until none is violated
    assert ref.cuts.status in ("optimal", "target")
    assert max(ref.incumbents.values()) == ref.objective
    if kind == "uniform":       # 16.3555 = OPT (pairwise MILP); single price: 15.79
        assert ref.source.startswith("restricted MILP") and ref.objective > 16.35
    for k in (-6, 6):
        s = 10.0 ** k
        got = bound_and_incumbent(T * s, w, stall=None)
        assert got.bound / s == pytest.approx(ref.bound, rel=1e-12)
        assert got.objective / s == pytest.approx(ref.objective, rel=1e-12)
        assert cut_bound(V * s, stall=None).bound / s == pytest.approx(ref.cuts.bound,
                                                                       rel=1e-12)


def test_bound_and_incumbent_bracket_the_optimum():
    V = random_valuations(np.random.default_rng(1), 30, 8)
    opt = ef_revenue(V).objective                       # the pairwise MILP proves it
    T, w, _ = merge_identical_buyers(V)
    g = bound_and_incumbent(T, w)
    assert g.objective <= opt + 1e-9 <= g.bound + 2e-9
    assert g.bound <= root_bound(V).bound + 1e-9
    assert g.objective == curve_revenue(T, g.curve, weights=w)
    assert max(g.incumbents.values()) == g.objective


def large(monkeypatch):
    """Make 30 types 'large' (the thresholds are 80 types and 10 s) and forbid the full MILP."""
    monkeypatch.setattr(bounds, "CUTS_MIN_TYPES", 20)
    monkeypatch.setattr(bounds, "ROOT_MIN_TYPES", 20)
    monkeypatch.setattr(bounds, "ROOT_MIN_SECONDS", 1.0)

    def no_milp(*a, **k):
        raise AssertionError("the full MILP ran")

    monkeypatch.setattr(ef, "solve", no_milp)


def test_large_time_limited_instances_take_the_cut_path(monkeypatch):
    V = random_valuations(np.random.default_rng(1), 30, 8)
    opt = ef_revenue(V).objective
    large(monkeypatch)
    t = time.perf_counter()
    r = ef_revenue(V, time_limit=4.0)
    elapsed = time.perf_counter() - t
    assert elapsed <= 4.0 + 0.5
    assert r.status == "time_limit" and r.backend == "highs" and "cuts" in r.message
    assert r.objective <= opt + 1e-9 <= r.bound + 2e-9
    assert r.gap == pytest.approx((r.bound - r.objective) / r.objective, rel=1e-12)
    assert r.extra["cut_rounds"] > 0 and r.extra["root_bound"] == r.bound
    assert r.objective == pytest.approx(float(r.prices.sum()), rel=1e-12)
    assert is_envy_free(V, r.sizes, r.prices)
    assert r.curve_revenue >= r.objective - 1e-9
    # the caller's deadline bounds everything
    with budget.limits(time_limit=2.0):
        t = time.perf_counter()
        r = ef_revenue(V)
        assert time.perf_counter() - t <= 2.0 + 0.5 and r.status == "time_limit"


def test_small_or_untimed_instances_keep_the_milp_path():
    V = random_valuations(np.random.default_rng(1), 30, 8)
    r = ef_revenue(V, time_limit=30.0)                 # 30 < CUTS_MIN_TYPES types
    assert r.status == "optimal" and r.extra["cut_rounds"] is None
    assert r.extra["root_bound"] is None               # 30 < ROOT_MIN_TYPES


def test_the_full_milp_runs_in_the_time_left_after_the_cuts(monkeypatch):
    V = random_valuations(np.random.default_rng(1), 30, 8)
    opt = ef_revenue(V).objective
    monkeypatch.setattr(bounds, "CUTS_MIN_TYPES", 20)
    monkeypatch.setattr(bounds, "ROOT_MIN_TYPES", 20)
    monkeypatch.setattr(bounds, "ROOT_MIN_SECONDS", 1.0)
    monkeypatch.setattr(bounds, "MILP_AFTER_CUTS_SECONDS", 1.0)
    r = ef_revenue(V, time_limit=20.0)
    assert r.status == "optimal" and r.objective == pytest.approx(opt, abs=1e-9)
    assert r.extra["cut_rounds"] > 0 and "full MILP" in r.extra["incumbents"]
