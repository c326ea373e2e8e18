"""rev^OPT(N) (eq. 2): MILPs against enumeration, backends, Lemma 1, time limits."""

import numpy as np
import pytest

from solver.opt import available_backends, solve
from solver.pricing.envy_free import (
    brute_force_revenue,
    curve_milp,
    curve_revenue,
    ef_revenue,
    is_envy_free,
    lemma1_curve,
    optimal_prices,
    pairwise_milp,
    purchases,
)
from solver.pricing.families import random_valuations
from solver.pricing.tolerances import REVENUE
from solver.tolerances import BACKEND_AGREEMENT

FAMS = ("uniform", "coarse", "estimation", "types2")


def test_hand_instance_value():
    # two buyers, N = 2: v_1 = (0, .5, .5), v_2 = (0, .2, 1).  Selling size 1 at .5 to buyer 1
    # and size 2 to buyer 2 at p with 1 - p >= .2 - .5 (ok) and .5 - .5 >= .5 - p: p = 1 -> 1.5
    V = np.array([[0, .5, .5], [0, .2, 1.0]])
    r = ef_revenue(V)
    assert r.objective == pytest.approx(1.5, abs=REVENUE)
    assert brute_force_revenue(V)[0] == pytest.approx(1.5, abs=1e-12)
    assert r.sizes.tolist() == [2, 2] or r.sizes.tolist() == [1, 2]
    assert curve_revenue(V, r.curve) >= 1.5 - REVENUE


@pytest.mark.parametrize("seed", range(12))
def test_milps_match_enumeration(seed):
    rng = np.random.default_rng(seed)
    V = random_valuations(rng, int(rng.integers(1, 5)), int(rng.integers(1, 5)),
                          FAMS[seed % 4])
    brute, _, _ = brute_force_revenue(V)
    for f in ("pairwise", "curve"):
        r = ef_revenue(V, formulation=f)
        assert r.status == "optimal"
        assert r.objective == pytest.approx(brute, abs=REVENUE), f
        assert is_envy_free(V, r.sizes, r.prices)
        assert r.curve_revenue >= r.objective - REVENUE       # Lemma 1 curve


@pytest.mark.parametrize("seed", range(3))
def test_backends_agree(seed):
    rng = np.random.default_rng(100 + seed)
    V = random_valuations(rng, 4, 5, FAMS[seed])
    for lp in (pairwise_milp(V), curve_milp(V)):
        names = available_backends(lp)
        assert "highs" in names and len(names) >= 2
        vals = {b: solve(lp, backend=b).certify().objective for b in names}
        ref = vals["highs"]
        for b, v in vals.items():
            assert v == pytest.approx(ref, abs=BACKEND_AGREEMENT * max(1, abs(ref))), (b, vals)


def test_purchases_tie_break_takes_largest_size():
    V = np.array([[0.0, 0.5, 0.7]])
    q = np.array([0.0, 0.3, 0.5])          # utilities 0, .2, .2: tie -> size 2
    assert purchases(V, q).tolist() == [2]
    q = np.array([0.0, 0.3, 0.5 + 1e-6])   # strict -> size 1
    assert purchases(V, q).tolist() == [1]


def test_optimal_prices_detects_infeasible_assignment():
    V = np.array([[0, .5, .5], [0, .2, 1.0]])
    # buyer 2 gets less than buyer 1 although it values more data more: still feasible?
    p, ok = optimal_prices(V, np.array([2, 1]))
    # buyer 1 at size 2 pays p1 <= .5, buyer 2 at size 1 pays p2 <= .2 and
    # EF of buyer 2: .2 - p2 >= 1 - p1  -> p1 >= .8 + p2 > .5: infeasible
    assert not ok
    p, ok = optimal_prices(V, np.array([1, 2]))
    assert ok and p.tolist() == pytest.approx([0.5, 1.0])


@pytest.mark.parametrize("seed", range(5))
def test_lemma1_curve_dominates_scheme(seed):
    rng = np.random.default_rng(200 + seed)
    V = random_valuations(rng, 5, 6, FAMS[seed % 4])
    for _ in range(10):
        m = rng.integers(0, 7, 5)
        p, ok = optimal_prices(V, m)
        if ok:
            assert is_envy_free(V, m, p)
            q = lemma1_curve(m, p, 6)
            assert q[0] == 0 and np.all(np.diff(q) >= 0)
            assert curve_revenue(V, q) >= p.sum() - REVENUE


def test_time_limit_reports_bound_and_gap():
    rng = np.random.default_rng(7)
    V = random_valuations(rng, 40, 40, "uniform")
    r = ef_revenue(V, backend="highs", time_limit=0.3)
    assert r.status == "time_limit"
    assert np.isfinite(r.objective) and np.isfinite(r.bound)
    assert r.bound >= r.objective - REVENUE
    assert r.gap > 0
    assert is_envy_free(V, r.sizes, r.prices)          # the incumbent is a valid scheme


def test_unimplementable_assignment_is_never_priced(monkeypatch):
    # Regression: a backend point whose assignment no prices make envy-free (PuLP handed back
    # CBC's fractional LP point at a time limit) was reported with the point's own prices: a
    # revenue with no envy-free scheme behind it.  Buyer 0 values size 2 far more than size 1,
    # buyer 1 hardly cares; the point gives buyer 0 size 1 and buyer 1 size 2 (a negative
    # cycle: p0 - p1 <= -0.9 and p1 - p0 <= 0.1) with prices (1, 0.6), more than rev^OPT = 1.5.
    import solver.pricing.envy_free as ef
    from solver.opt.result import Solution

    V = np.array([[0, .1, 1.0], [0, .5, .6]])
    x = np.array([0, 1, 0, 0, 0, 1, 1.0, 0.6])             # pairwise order: x (B*(N+1)), p

    def fake_solve(problem, backend="auto", time_limit=None, options=None):
        return Solution("time_limit", x, 1.6, 1.6, 0.0, "fake", 0.0, None, "stopped")

    monkeypatch.setattr(ef, "solve", fake_solve)
    r = ef.ef_revenue(V, merge=False)
    brute, _, _ = brute_force_revenue(V)
    assert r.status == "time_limit"
    assert is_envy_free(V, r.sizes, r.prices)
    assert r.objective == pytest.approx(r.prices.sum(), abs=REVENUE)
    assert r.objective <= brute + REVENUE


def test_merge_identical_buyers_is_exact():
    # duplicated rows: the weighted type MILPs must equal enumeration over all buyers
    rng = np.random.default_rng(41)
    for t in range(16):
        B, N = int(rng.integers(2, 6)), int(rng.integers(1, 5))
        base = random_valuations(rng, int(rng.integers(1, 3)), N, FAMS[t % 4])
        V = base[rng.integers(0, base.shape[0], B)]
        brute, _, _ = brute_force_revenue(V)
        for f in ("pairwise", "curve"):
            r = ef_revenue(V, formulation=f)
            assert r.objective == pytest.approx(brute, abs=REVENUE), (t, f)
            assert is_envy_free(V, r.sizes, r.prices)
            _, inv = np.unique(V, axis=0, return_inverse=True)
            for k in np.unique(inv):                      # identical buyers share a size
                assert len(set(r.sizes[inv.reshape(-1) == k].tolist())) == 1
        r0 = ef_revenue(V, merge=False)
        assert r0.objective == pytest.approx(brute, abs=REVENUE)


def test_options_pass_through_to_backend(capfd):
    rng = np.random.default_rng(43)
    V = random_valuations(rng, 3, 4, "uniform")
    brute, _, _ = brute_force_revenue(V)
    r = ef_revenue(V, backend="highs", options={"presolve": False, "disp": True})
    assert r.status == "optimal" and r.objective == pytest.approx(brute, abs=REVENUE)
    assert "HiGHS" in capfd.readouterr().out         # disp=True reached the solver
