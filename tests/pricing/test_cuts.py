"""Issue #15 item 1: the S1/TH/SD cuts are valid, and the cut rounds' bound is certified."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.sparse as sp

from solver.errors import InstanceError
from solver.opt import LinearProgram, get_backend
from solver.opt.lazy import (
    Cuts,
    _certified_bound,
    _load,
    _set_time_limit,
    solve_cutting_planes,
)
from solver.pricing.bounds import root_bound
from solver.pricing.cuts import (
    FAMILIES,
    _rows,
    cut_bound,
    cut_model,
    scheme_point,
    separate_family,
)
from solver.pricing.envy_free import brute_force_revenue, merge_identical_buyers, optimal_prices
from solver.pricing.families import random_valuations

TOL = 1e-9


def envy_free_points(V: np.ndarray) -> tuple[object, list[np.ndarray]]:
    """The cut model of ``V`` and the LP point of every implementable assignment (priced by
    optimal_prices: the integer points an envy-free IR scheme gives)."""
    T, w, _ = merge_identical_buyers(V)
    model = cut_model(T, w)
    nt, n = T.shape
    pts = []
    for sizes in itertools.product(range(n), repeat=nt):
        p, ok = optimal_prices(T, np.array(sizes))
        if ok:
            pts.append(scheme_point(model, np.array(sizes), p))
    return model, pts


def random_lp_point(model, rng: np.random.Generator) -> np.ndarray:
    """A random point of the LP's domain (assignment rows hold; boxes respected)."""
    ub = model.lp.ub
    x = rng.random(ub.shape[0]) ** 3 * ub
    a, b = model.split(x)
    s = (a + b).sum(axis=1, keepdims=True)
    return np.concatenate([(a / s).reshape(-1), (b / s).reshape(-1)])


def cut_rows(model, rng: np.random.Generator, families=FAMILIES, points: int = 6):
    """Rows of every family as the separation builds them, at random fractional points."""
    P = model.jj.shape[0]
    out = []
    for _ in range(points):
        x = random_lp_point(model, rng)
        for f in families:
            _, where = separate_family(model, x, f)
            out.append(_rows(model, x, f, np.arange(P), where))
    return sp.vstack(out).tocsr()


@pytest.fixture(scope="module")
def small_instances() -> list[tuple[object, list[np.ndarray]]]:
    rng = np.random.default_rng(15)
    cases = []
    for i in range(40):
        B, N = ((4, 3), (3, 4), (5, 2))[i % 3]
        kind = ("uniform", "coarse", "estimation")[i % 3]
        cases.append(envy_free_points(random_valuations(rng, B, N, kind)))
    return cases


def test_every_cut_holds_at_every_envy_free_integer_point(small_instances):
    points = 0
    rng = np.random.default_rng(3)
    for model, pts in small_instances:
        X = np.array(pts)
        points += X.shape[0]
        # the whole family at once: the separation maximises over every t and S
        for f in FAMILIES:
            worst = max(float(separate_family(model, x, f)[0].max()) for x in pts)
            assert worst <= TOL, (f, worst)
        # and the rows the LP actually gets
        A = cut_rows(model, rng)
        assert float((A @ X.T).max()) <= TOL
    assert points >= 1000          # 40 instances, every implementable assignment


def test_a_reversed_threshold_cut_is_caught(small_instances):
    rng = np.random.default_rng(3)
    caught = 0
    for model, pts in small_instances:
        X = np.array(pts)
        wrong = -cut_rows(model, rng, families=("th",))        # TH with ">=" reversed
        caught += int(float((wrong @ X.T).max()) > TOL)
    assert caught >= 30


def test_separated_rows_have_the_separated_violation():
    V = random_valuations(np.random.default_rng(8), 7, 9)
    T, w, _ = merge_identical_buyers(V)
    model = cut_model(T, w)
    x = random_lp_point(model, np.random.default_rng(1))
    P = model.jj.shape[0]
    for f in FAMILIES:
        viol, where = separate_family(model, x, f)
        A = _rows(model, x, f, np.arange(P), where)
        assert np.allclose(A @ x, viol, atol=1e-12), f
    # SD's complement form is the same row on the LP (the assignment rows hold)
    viol, where = separate_family(model, x, "sd")
    assert viol.max() > 0


def test_cut_bound_is_valid_and_no_weaker_than_the_root():
    rng = np.random.default_rng(5)
    for kind in ("uniform", "coarse", "estimation"):
        V = random_valuations(rng, 6, 5, kind)
        opt = brute_force_revenue(V)[0]
        cb = cut_bound(V, stall=None)
        rb = root_bound(V)
        assert cb.status == "optimal" and cb.dual_infeasibility <= 1e-9
        assert opt - 1e-9 <= cb.bound <= rb.bound + 1e-9 * rb.bound, kind
        assert abs(cb.root - rb.bound) <= 1e-7 * rb.bound


def test_cuts_close_part_of_the_root_gap():
    V = random_valuations(np.random.default_rng(0), 20, 20)
    cb = cut_bound(V, stall=None)
    rb = root_bound(V)
    opt = 17.839760927071246            # ef_revenue(V): optimal (pairwise MILP, 7 s)
    assert cb.status == "optimal"
    assert opt - 1e-9 <= cb.bound <= rb.bound - 0.4 * (rb.bound - opt)
    assert cb.counts["th"] > 0 and cb.counts["sd"] > 0
    bounds = [h[3] for h in cb.history if np.isfinite(h[3])]
    assert min(bounds) == pytest.approx(cb.bound, rel=1e-12)


def test_weights_are_types_counts():
    V = random_valuations(np.random.default_rng(2), 6, 6)
    Vd = np.concatenate([V, V[:2]])                 # two buyers twice
    T, w, _ = merge_identical_buyers(Vd)
    for f in (root_bound, cut_bound):
        merged = f(Vd).bound
        assert f(T, weights=w).bound == pytest.approx(merged, rel=1e-9)
        assert f(T).bound < merged - 1e-6          # the weights matter


def test_bad_families_and_weights_are_input_errors():
    V = random_valuations(np.random.default_rng(2), 4, 4)
    with pytest.raises(InstanceError):
        cut_bound(V, families=("ef",))
    with pytest.raises(InstanceError):
        cut_bound(V, weights=np.ones(3))
    model = cut_model(V)
    with pytest.raises(InstanceError):
        separate_family(model, np.zeros(model.lp.n_vars), "nosuch")


# ----------------------------------------------------------------------------- the engine
def toy():
    """max x + y + z on [0, 1]^3 with cuts x + y <= 1, y + z <= 1, x + z <= 1 separated."""
    lp = LinearProgram(c=np.ones(3), lb=np.zeros(3), ub=np.ones(3), sense="max")
    rows = np.array([[1.0, 1, 0], [0, 1, 1], [1, 0, 1]])

    def separate(x):
        bad = rows @ x > 1 + 1e-9
        return Cuts(sp.csr_matrix(rows[bad]), np.ones(int(bad.sum()))) if bad.any() else None

    return lp, separate


def test_cutting_planes_reach_the_closure_with_a_certified_bound():
    lp, separate = toy()
    r = get_backend("highs").solve_cuts(lp, separate)
    assert get_backend("highs").supports_cutting_planes
    assert r.status == "optimal" and r.bound == pytest.approx(1.5, abs=1e-9)
    assert r.rounds >= 2 and r.added >= 3 and len(r.history) == r.rounds


def test_any_duals_give_a_valid_bound_after_the_sign_projection():
    lp, _ = toy()
    rows = sp.csr_matrix(np.array([[1.0, 1, 0], [0, 1, 1], [1, 0, 1]]))
    rng = np.random.default_rng(0)
    for _ in range(50):
        x = rng.random(3)
        rd = rng.normal(size=3)                     # garbage duals, any sign
        bound, infeas, raw = _certified_bound(lp, rows, np.ones(3), x, rd, 0, 0)
        assert bound >= 1.5 - 1e-12 and infeas == 0.0
        if (rd < 0).any():
            assert raw > 0


def test_stall_and_target_stop_the_rounds():
    V = random_valuations(np.random.default_rng(0), 20, 20)
    full = cut_bound(V, stall=None)
    early = cut_bound(V, target=full.root)          # met as soon as the cuts start
    assert early.status == "target" and early.rounds < full.rounds
    assert early.bound >= full.bound - 1e-9
    lp, separate = toy()
    r = solve_cutting_planes(lp, separate, time_limit=1e-9)
    assert r.status == "time_limit" and not np.isfinite(r.bound)


def test_each_round_gets_the_time_left_on_highs_cumulative_clock():
    lp, _ = toy()
    h = _load(lp)
    for _ in range(3):
        h.run()
    _set_time_limit(h, 2.0)            # HiGHS compares time_limit with its run clock
    assert h.getOptionValue("time_limit")[1] == pytest.approx(h.getRunTime() + 2.0, abs=0.01)
