"""Issue #15 item 2: the exact single-crossing DP against brute force and the MILP."""

from __future__ import annotations

import time

import numpy as np
import pytest

import solver.pricing.single_crossing as sc
from solver.errors import InstanceError
from solver.pricing import PricingInstance, solve
from solver.pricing.envy_free import (
    brute_force_revenue,
    ef_revenue,
    is_envy_free,
    merge_identical_buyers,
)
from solver.pricing.evaluate import check_answer
from solver.pricing.profit import profit_opt
from solver.pricing.single_crossing import dp_revenue, is_single_crossing, single_crossing_order
from solver.pricing.tolerances import REVENUE
from solver.pricing.valuations import valuation_curve
from tests.contract import check_contract, run_solve


def _v0(rows: np.ndarray) -> np.ndarray:
    return np.concatenate([np.zeros((rows.shape[0], 1)), rows], axis=1)


def _sc_family(rng: np.random.Generator, kind: int, B: int, N: int) -> np.ndarray:
    """Random single-crossing valuations (coarse grids: many ties and flat steps)."""
    if kind == 0:                            # theta_j g(m), ties in theta and flat g
        g = np.sort(rng.integers(0, 4, N)) / 3.0
        rows = (rng.integers(0, 4, B) / 3.0)[:, None] * g[None, :]
    elif kind == 1:                          # co-monotone increment columns, shuffled
        inc = np.sort(rng.integers(0, 3, (B, N)), axis=0) / 6.0
        rows = np.cumsum(inc, axis=1)
    elif kind == 2:                          # identical rows (one type)
        rows = np.tile(np.cumsum(rng.integers(0, 2, N)) / N, (B, 1))
    else:                                    # continuous theta_j g(m)
        g = np.sort(rng.random(N))
        rows = rng.random(B)[:, None] * g[None, :]
    rows = rows[rng.permutation(B)]
    return _v0(rows / max(1.0, rows.max()))


@pytest.mark.parametrize("seed", range(6))
def test_dp_equals_brute_force_and_milp(seed):
    rng = np.random.default_rng(seed)
    for t in range(24):
        B, N = int(rng.integers(1, 6)), int(rng.integers(1, 6))
        V = _sc_family(rng, t % 4, B, N)
        assert is_single_crossing(V)
        r = ef_revenue(V)
        assert r.method == "dp" and r.status == "optimal"
        assert r.backend in ("exact:dp", "exact:zero-valuations")
        bf = brute_force_revenue(V)[0]
        milp = ef_revenue(V, formulation="pairwise", backend="highs")
        assert milp.method == "pairwise"
        assert abs(r.objective - bf) <= REVENUE * max(1.0, bf), (V, r.objective, bf)
        assert abs(r.objective - milp.objective) <= REVENUE * max(1.0, bf)
        assert is_envy_free(V, r.sizes, r.prices)
        assert abs(r.prices.sum() - r.objective) <= 1e-12 * max(1.0, bf)
        assert r.curve_revenue >= r.objective - 1e-9       # Lemma 1 (eq. 4 tie rule)
        T, w, _ = merge_identical_buyers(V)
        assert abs(dp_revenue(T, w)[0] - bf) <= REVENUE * max(1.0, bf)


def test_flat_and_zero_rows():
    V = _v0(np.array([[0.0, 0.0, 0.0], [0.0, 0.5, 0.5], [0.0, 0.5, 0.5], [0.2, 0.7, 0.7]]))
    r = ef_revenue(V)
    assert r.method == "dp" and abs(r.objective - brute_force_revenue(V)[0]) < 1e-12


def test_non_single_crossing_never_takes_the_dp(monkeypatch):
    V = _v0(np.array([[0.6, 0.6, 0.6], [0.1, 0.2, 1.0]]))  # crossing twice
    assert single_crossing_order(V) is None
    monkeypatch.setattr(sc, "dp_revenue", lambda *a, **k: pytest.fail("DP on a non-SC V"))
    r = ef_revenue(V)
    assert r.method == "pairwise" and r.status == "optimal"
    assert abs(r.objective - brute_force_revenue(V)[0]) < 1e-9
    rng = np.random.default_rng(5)
    for _ in range(20):
        W = _v0(np.sort(rng.random((4, 4)), axis=1))
        if single_crossing_order(W) is None:
            assert ef_revenue(W).method == "pairwise"


def test_detection_is_order_free_and_uses_the_tolerance():
    rng = np.random.default_rng(1)
    V = _sc_family(rng, 3, 30, 20)
    order = single_crossing_order(V)
    D = np.diff(V[order], axis=1)
    assert np.all(np.diff(D, axis=0) >= 0)
    # the top buyer's increments exceed the next one's except one that falls by `fall`
    D = np.diff(V[order], axis=1)
    for fall, ok in ((1e-6, False), (1e-15, True)):
        D2 = D.copy()
        D2[-1] = D2[-2] + 1e-3
        D2[-1, 4] = D2[-2, 4] - fall
        W = _v0(np.cumsum(np.maximum(D2, 0.0), axis=1))
        assert is_single_crossing(W) is ok
        if not ok:
            assert ef_revenue(W).method == "pairwise"
    # rounding noise far below the tolerance is accepted
    noisy = V + np.where(V > 0, 1e-15 * rng.random(V.shape), 0.0)
    noisy = np.maximum.accumulate(noisy, axis=1)
    assert is_single_crossing(noisy)


def test_forced_dp_is_refused_with_the_rule():
    inst = PricingInstance(valuations=[[0.6, 0.6, 0.6], [0.1, 0.2, 1.0]], supply=3)
    with pytest.raises(InstanceError, match="single-crossing"):
        solve(inst, method="dp")
    out = check_contract(run_solve(inst.to_dict(), "--method", "dp"))
    assert out.rc == 2 and "non-decreasing in j" in out.stderr
    out = check_contract(run_solve(inst.to_dict(), "--method", "dp", "--backend", "highs"))
    assert out.rc == 2 and "backend" in out.stderr


def test_auto_reports_the_method_and_passes_the_checks():
    rows = np.outer([0.2, 0.5, 0.5, 0.9], np.linspace(0.1, 1.0, 6))
    inst = PricingInstance(valuations=rows, supply=6)
    res = solve(inst).to_dict()
    assert res["method"] == "dp" and res["status"] == "optimal" and res["gap"] == 0.0
    assert check_answer(inst, res) is None
    assert abs(res["objective"] - brute_force_revenue(inst.V)[0]) < 1e-12
    forced = solve(inst, method="dp").to_dict()
    assert forced["objective"] == res["objective"]
    milp = solve(inst, method="milp").to_dict()
    assert milp["method"] == "pairwise"
    assert abs(milp["objective"] - res["objective"]) < 1e-7
    other = PricingInstance(valuations=[[0.6, 0.6, 0.6], [0.1, 0.2, 1.0]], supply=3)
    assert solve(other).to_dict()["method"] == "pairwise"


@pytest.mark.parametrize("k", [-6, 0, 6])
def test_dp_is_scale_invariant(k):
    rng = np.random.default_rng(3)
    V = _sc_family(rng, 3, 12, 9)
    a, b = ef_revenue(V), ef_revenue(V * 10.0 ** k)
    assert b.method == "dp"
    assert abs(b.objective - a.objective * 10.0 ** k) <= 1e-12 * 10.0 ** k * a.objective
    assert np.array_equal(a.sizes, b.sizes)


@pytest.mark.parametrize("kind", ["step", "linear", "quadratic"])
def test_eq11_families(kind):
    # one kind and one tolerance, different values a: v_j = a_j g(m), single-crossing
    rows = [valuation_curve(kind, 40, 1.0, 0.4, a)[1:] for a in (0.3, 0.5, 0.5, 0.9)]
    assert is_single_crossing(_v0(np.array(rows)))
    # different tolerances cross
    rows = [valuation_curve(kind, 40, 1.0, tau, 0.8)[1:] for tau in (0.1, 0.9)]
    assert not is_single_crossing(_v0(np.array(rows)))


def test_profit_with_the_dp_equals_the_milp():
    rows = np.array([valuation_curve("linear", 25, 1.0, 0.3, a)[1:]
                     for a in (0.4, 0.6, 0.7, 0.95)])
    V = _v0(rows)
    for c1 in (0.005, 0.02, 0.08):
        a = profit_opt(V, c1)
        b = profit_opt(V, c1, formulation="pairwise")
        assert a.formulation == "dp" and b.formulation == "pairwise"
        assert a.status == b.status == "optimal"
        assert abs(a.objective - b.objective) <= REVENUE
        assert a.supply == b.supply or abs(a.objective - b.objective) <= 1e-9


def test_dp_is_fast_at_scale():
    rng = np.random.default_rng(0)
    g = np.sort(rng.random(300))
    V = _v0(rng.random(300)[:, None] * g[None, :])
    t = time.process_time()
    r = ef_revenue(V)
    assert r.method == "dp" and r.status == "optimal"
    assert time.process_time() - t < 5.0
