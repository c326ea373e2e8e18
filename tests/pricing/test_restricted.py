"""Issue #15 item 1: the restricted top-size MILP incumbent (solver.pricing.restricted)."""

from __future__ import annotations

import numpy as np
import pytest

from solver.opt import Solution
from solver.pricing import restricted
from solver.pricing.envy_free import (
    brute_force_revenue,
    curve_revenue,
    ef_revenue,
    merge_identical_buyers,
)
from solver.pricing.families import random_valuations
from solver.pricing.restricted import lp_sizes, restricted_revenue


def test_every_size_allowed_is_the_optimum():
    for seed in range(3):
        V = random_valuations(np.random.default_rng(seed), 6, 5)
        T, w, _ = merge_identical_buyers(V)
        got = restricted_revenue(T, w, np.arange(1, 6))
        assert got is not None and got.status == "optimal"
        assert got.revenue == pytest.approx(brute_force_revenue(V)[0], abs=1e-9)


def test_a_few_sizes_bracket_the_restricted_and_the_full_optimum():
    rng = np.random.default_rng(4)
    for kind in ("uniform", "estimation", "coarse"):
        V = random_valuations(rng, 6, 6, kind)
        T, w, _ = merge_identical_buyers(V)
        sizes = np.array([4, 6])
        got = restricted_revenue(T, w, sizes)
        only = brute_force_revenue(V[:, [0, 4, 6]])[0]         # the menus over 4 and 6
        opt = ef_revenue(V).objective
        assert only - 1e-9 <= got.revenue <= opt + 1e-9, kind
        # the revenue is the curve's under the buyers' own choices (eq. 4-5)
        assert got.revenue == curve_revenue(T, got.curve, weights=w)


def test_the_solvers_objective_is_never_trusted(monkeypatch):
    V = random_valuations(np.random.default_rng(1), 5, 4)
    T, w, _ = merge_identical_buyers(V)
    true = restricted_revenue(T, w, np.array([3, 4]))
    real = restricted.solve

    def lying(*a, **k):
        s = real(*a, **k)
        return Solution(s.status, s.x, 1e9, 1e9, 0.0, s.backend, s.seconds)

    monkeypatch.setattr(restricted, "solve", lying)
    got = restricted_revenue(T, w, np.array([3, 4]))
    assert got.revenue == pytest.approx(true.revenue, abs=1e-12) and got.revenue < 10

    def nothing(*a, **k):
        return Solution("time_limit", None, float("nan"), float("nan"), float("inf"), "x", 0.0)

    monkeypatch.setattr(restricted, "solve", nothing)
    assert restricted_revenue(T, w, np.array([3, 4])) is None


def test_lp_sizes_keep_the_largest_size_and_the_most_sold():
    mass = np.array([5.0, 0.0, 3.0, 0.1, 2.0, 0.5])
    assert lp_sizes(mass, 3).tolist() == [2, 4, 5]
    assert lp_sizes(mass, 1).tolist() == [5]
    assert lp_sizes(np.array([1.0]), 3).size == 0
