"""Profit OPT (eq. 3): fast search against Algorithm 1 and brute force."""

import numpy as np
import pytest

from solver.pricing.envy_free import brute_force_revenue, ef_revenue
from solver.pricing.families import random_valuations
from solver.pricing.profit import algorithm1, exact_oip, profit_opt, search_bound
from solver.pricing.tolerances import REVENUE


@pytest.mark.parametrize("seed", range(10))
def test_fast_equals_algorithm1(seed):
    rng = np.random.default_rng(seed)
    V = random_valuations(rng, int(rng.integers(1, 5)), int(rng.integers(1, 12)),
                          ("uniform", "coarse", "estimation", "types2")[seed % 4])
    c1 = float(rng.uniform(0.02, 0.4))
    f = profit_opt(V, c1)
    a = profit_opt(V, c1, method="algorithm1")
    alg = algorithm1(V, c1, exact_oip())
    assert f.status == a.status == "optimal"
    assert f.objective == pytest.approx(a.objective, abs=REVENUE)
    assert f.objective == pytest.approx(max(alg["profit"], 0.0), abs=REVENUE)
    assert f.n_solves <= a.n_solves


@pytest.mark.parametrize("seed", range(4))
def test_profit_matches_enumeration(seed):
    rng = np.random.default_rng(50 + seed)
    V = random_valuations(rng, 3, 4, "uniform")
    c1 = 0.15
    best = max([0.0] + [brute_force_revenue(V[:, :N + 1])[0] - c1 * N for N in range(1, 5)])
    assert profit_opt(V, c1).objective == pytest.approx(best, abs=REVENUE)


@pytest.mark.parametrize("seed", range(4))
def test_revenue_monotone_and_irb_bounded(seed):
    rng = np.random.default_rng(80 + seed)
    V = random_valuations(rng, 4, 8, ("uniform", "estimation", "coarse", "types2")[seed])
    revs = np.array([ef_revenue(V[:, :N + 1]).objective for N in range(9)])
    assert np.all(np.diff(revs) >= -REVENUE)
    assert np.all(revs <= V.sum(axis=0) + REVENUE)


def test_search_bound():
    V = np.zeros((3, 11))
    assert search_bound(V, 0.5) == 6 and search_bound(V, 0.0) == 10 and search_bound(V, 0.2) == 10
