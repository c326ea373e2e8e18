"""Approximation algorithms against the exact MILP."""

import numpy as np
import pytest

from solver.errors import SizeLimitError
from solver.pricing.approx import grid_dp, k_types_enumeration, local_search
from solver.pricing.envy_free import curve_revenue, ef_revenue, single_price_revenue
from solver.pricing.families import random_valuations
from solver.pricing.tolerances import REVENUE


@pytest.mark.parametrize("seed", range(6))
def test_grid_dp_is_feasible(seed):
    # general monotone valuations: a heuristic, but its curve is real (eq. 4) and <= OPT
    rng = np.random.default_rng(seed)
    V = random_valuations(rng, 6, 8, ("uniform", "estimation", "coarse")[seed % 3])
    exact = ef_revenue(V).objective
    q = grid_dp(V, 0.05)
    assert q[0] == 0 and len(q) == 9 and np.all(np.diff(q) >= 0)
    r = curve_revenue(V, q)
    assert 0 < r <= exact + REVENUE


@pytest.mark.parametrize("seed", range(6))
def test_grid_dp_single_crossing_within_B_eps(seed):
    # v_j(m) = t_j sqrt(m / N): increasing differences in t, the DP's home ground
    rng = np.random.default_rng(40 + seed)
    t = np.sort(rng.random(6))
    V = t[:, None] * np.sqrt(np.arange(9) / 8)[None, :]
    exact = ef_revenue(V).objective
    r = curve_revenue(V, grid_dp(V, 0.05))
    assert exact - 6 * 0.05 - REVENUE <= r <= exact + REVENUE


def test_grid_dp_exact_on_grid_single_crossing():
    # v_j(m) = t_j * m / 4 with t on the grid: single crossing, optimum reachable on the grid
    t = np.array([0.25, 0.5, 1.0])
    V = t[:, None] * np.arange(5)[None, :] / 4
    exact = ef_revenue(V).objective
    assert curve_revenue(V, grid_dp(V, 0.0625)) == pytest.approx(exact, abs=REVENUE)


@pytest.mark.parametrize("seed", range(4))
def test_k_types(seed):
    rng = np.random.default_rng(10 + seed)
    V = random_valuations(rng, 8, 10, "types2")
    exact = ef_revenue(V).objective
    r = curve_revenue(V, k_types_enumeration(V, 0.02))
    assert exact - 8 * 0.02 - REVENUE <= r <= exact + REVENUE


def test_k_types_refuses_many_types():
    rng = np.random.default_rng(0)
    V = random_valuations(rng, 12, 40, "uniform")
    with pytest.raises(SizeLimitError):
        k_types_enumeration(V, 0.01)


@pytest.mark.parametrize("seed", range(4))
def test_local_search_between_single_price_and_opt(seed):
    rng = np.random.default_rng(70 + seed)
    V = random_valuations(rng, 7, 9, ("uniform", "coarse", "estimation", "types2")[seed])
    r = curve_revenue(V, local_search(V))
    assert single_price_revenue(V)[0] - REVENUE <= r <= ef_revenue(V).objective + REVENUE
