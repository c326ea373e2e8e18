"""Issue #15 item 1: the row-generated pairwise LP root bound (solver.opt.lazy)."""

from __future__ import annotations

import numpy as np
import pytest

from solver.opt import get_backend, solve
from solver.pricing.bounds import root_bound
from solver.pricing.envy_free import brute_force_revenue, pairwise_milp
from solver.pricing.families import random_valuations


@pytest.mark.parametrize("kind,B", [("uniform", 12), ("coarse", 10), ("estimation", 15)])
def test_root_bound_equals_the_full_lp(kind, B):
    V = random_valuations(np.random.default_rng(B), B, B, kind)
    full = solve(pairwise_milp(V / V.max()).relaxed(), backend="highs")
    r = root_bound(V)
    assert r.status == "optimal" and r.dual_infeasibility <= 1e-9
    assert abs(r.bound - full.objective * V.max()) <= 1e-7 * max(1.0, r.bound)
    assert r.rows_added <= r.rows_total


def test_root_bound_is_valid_and_scale_invariant():
    V = random_valuations(np.random.default_rng(4), 6, 5)
    opt = brute_force_revenue(V)[0]
    r = root_bound(V)
    assert r.bound >= opt - 1e-9
    big = root_bound(V * 1e6)
    assert abs(big.bound - 1e6 * r.bound) <= 1e-9 * 1e6 * r.bound


def test_lazy_rows_are_a_highs_capability():
    assert get_backend("highs").supports_lazy_rows


def test_stopped_row_generation_keeps_a_valid_bound():
    V = random_valuations(np.random.default_rng(7), 25, 25)
    full = root_bound(V)
    early = root_bound(V, time_limit=1e-9)
    if early.status != "error":
        assert early.bound >= full.bound - 1e-7 * full.bound
