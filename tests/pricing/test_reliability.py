"""Issue #11 for ``pricing``: each reproducer, scale invariance, the a-posteriori check,
bounded resources and the raw-array ``v(0)`` convention (issue #12)."""

from __future__ import annotations

import json
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

import solver.pricing.envy_free as ef
from solver.budget import limits
from solver.errors import InstanceError, SizeLimitError
from solver.opt.result import Solution
from solver.pricing import PricingInstance
from solver.pricing.approx import grid_dp, k_types_enumeration, local_search
from solver.pricing.envy_free import (
    brute_force_revenue,
    curve_revenue,
    ef_revenue,
    is_envy_free,
    optimal_prices,
    purchases,
)
from solver.pricing.evaluate import check_answer
from solver.pricing.families import random_valuations
from solver.pricing.mechanism import build_mechanism
from solver.pricing.profit import algorithm1, profit_opt
from solver.pricing.tolerances import REVENUE
from tests.contract import DOWN_SCALES, check_contract, close, run_solve, scaled

DATA = Path(__file__).resolve().parents[2] / "data" / "pricing"
SMALL = json.loads((DATA / "small_revenue.json").read_text())
PROFIT = json.loads((DATA / "small_profit.json").read_text())
U30 = json.loads((DATA / "uniform_30x30.json").read_text())
#: rev^OPT of uniform_30x30.json (HiGHS, CBC and the scaled runs agree to 1e-13).
U30_OPT = 27.477967927531303


# ----------------------------------------------------------------------------- reproducers
def test_small_revenue_times_1e6_is_not_zero():
    out = check_contract(run_solve(scaled(SMALL, 1e-6, ["valuations"])))
    assert out.rc == 0 and out.status == "optimal"
    assert close(out.objective, 2.2e-6)
    assert out.result["bound"] >= out.objective * (1 - 1e-9)


def test_uniform30_times_1e6_on_highs():
    out = check_contract(run_solve(scaled(U30, 1e-6, ["valuations"]), "--backend", "highs"))
    assert out.rc == 0 and out.status == "optimal"
    assert close(out.objective, U30_OPT * 1e-6)
    assert out.result["bound"] >= out.objective * (1 - 1e-9)


def test_uniform30_times_1e9_on_cbc_has_no_traceback():
    out = check_contract(run_solve(scaled(U30, 1e-9, ["valuations"]), "--backend", "pulp:CBC"))
    assert out.rc == 0 and out.status == "optimal"
    assert close(out.objective, U30_OPT * 1e-9)


def test_unpriceable_optimal_point_is_an_error_not_a_traceback(monkeypatch):
    # the old RuntimeError("no envy-free scheme"): a backend's "optimal" point whose
    # assignment no prices implement now gives status error with a message
    V = np.array([[0, .1, 1.0], [0, .5, .6]])
    x = np.array([0, 1, 0, 0, 0, 1, 1.0, 0.6])             # negative cycle (see test_envy_free)

    def fake(problem, backend="auto", time_limit=None, options=None):
        return Solution("optimal", x, 1.6, 1.6, 0.0, "fake", 0.0, None, "")

    monkeypatch.setattr(ef, "solve", fake)
    r = ef.ef_revenue(V, merge=False)
    assert r.status == "error" and "repricing failed" in r.message
    assert is_envy_free(V, r.sizes, r.prices)               # still a valid (fallback) scheme


def test_300x300_is_refused_before_building():
    rng = np.random.default_rng(3)
    V = np.round(np.sort(rng.random((300, 300)), axis=1), 9)
    inst = {"problem": "pricing", "valuations": V.tolist(), "supply": 300}
    tracemalloc.start()
    t = time.perf_counter()
    out = check_contract(run_solve(inst, "--time-limit", "10"))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert out.rc == 2
    line = out.stderr.strip()
    assert line.startswith("error: valuations:") and "GiB" in line and "--method" in line
    assert time.perf_counter() - t < 10 and peak < 300e6


def test_deadline_covers_model_building(monkeypatch):
    # the deadline has passed before the model is built: no backend call, a valid incumbent
    def never(*a, **k):
        raise AssertionError("the backend must not be called after the deadline")

    monkeypatch.setattr(ef, "solve", never)
    V = random_valuations(np.random.default_rng(5), 30, 30, "uniform")
    with limits(time_limit=1e-9):
        time.sleep(0.001)
        r = ef_revenue(V)
    assert r.status == "time_limit" and r.bound >= r.objective > 0
    assert is_envy_free(V, r.sizes, r.prices)


def test_pricing_overhead_of_a_time_limited_100x100_solve(monkeypatch):
    # the backend is a stand-in that uses exactly the time it is given and finds nothing:
    # what is left is pricing's own building, incumbents and repricing
    seen = {}

    def slow(problem, backend="auto", time_limit=None, options=None):
        seen["limit"] = time_limit
        time.sleep(max(0.0, time_limit))
        return Solution("time_limit", None, float("nan"), float("nan"), float("inf"), "slow",
                        time_limit, None, "stopped")

    monkeypatch.setattr(ef, "solve", slow)
    inst = PricingInstance.from_dict(json.loads((DATA / "uniform_100x100.json").read_text()))
    t = time.perf_counter()
    r = ef_revenue(inst.V, time_limit=2.0)
    elapsed = time.perf_counter() - t
    assert r.status == "time_limit" and r.objective > 90 and r.bound >= r.objective
    assert seen["limit"] <= 2.0 and elapsed <= 2.0 + 0.5


def test_100000_identical_buyers_stay_linear():
    row = np.concatenate([[0.0], np.sort(np.random.default_rng(2).random(10))])
    V = np.tile(row, (100_000, 1))
    tracemalloc.start()
    r = ef_revenue(V)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    best = max(100_000 * row[m] for m in range(11))          # one type: sell at v(m*) to all
    assert r.status == "optimal" and close(r.objective, best, 1e-9)
    assert peak < 200e6                                       # a B x B matrix would be 80 GB
    p, ok = optimal_prices(V, r.sizes)
    assert ok and is_envy_free(V, r.sizes, p)


def test_identical_buyers_through_the_cli():
    row = [0.1, 0.3, 0.35, 0.9]
    out = check_contract(run_solve({"problem": "pricing", "valuations": [row] * 20_000,
                                    "supply": 4}))
    assert out.rc == 0 and close(out.objective, 20_000 * 0.9)


# ----------------------------------------------------------------------------- v(0) (issue #12)
def test_raw_rows_without_v0_are_refused_or_taken_explicitly():
    rows = np.array(SMALL["valuations"])                  # v_j(1..N), as in the file
    with pytest.raises(InstanceError, match="from_one") as e:
        ef_revenue(rows)                                   # returned optimal 1.2 before
    assert e.value.field == "V[0][0]"
    assert ef_revenue(rows, from_one=True).objective == pytest.approx(2.2, abs=REVENUE)
    V = np.concatenate([np.zeros((3, 1)), rows], axis=1)
    assert ef_revenue(V).objective == pytest.approx(2.2, abs=REVENUE)


@pytest.mark.parametrize("call", [
    lambda R: brute_force_revenue(R),
    lambda R: profit_opt(R, 0.05),
    lambda R: algorithm1(R, 0.05, lambda Vn: np.zeros(Vn.shape[1])),
    lambda R: grid_dp(R, 0.1),
    lambda R: k_types_enumeration(R, 0.1),
    lambda R: local_search(R),
    lambda R: build_mechanism(R, (0.01, 0.02), 1.0),
    lambda R: purchases(R, np.zeros(R.shape[1])),
    lambda R: curve_revenue(R, np.zeros(R.shape[1])),
    lambda R: optimal_prices(R, np.zeros(R.shape[0], int)),
    lambda R: is_envy_free(R, np.zeros(R.shape[0], int), np.zeros(R.shape[0])),
    lambda R: ef.single_price_revenue(R),
    lambda R: ef.pairwise_milp(R),
    lambda R: ef.curve_milp(R),
], ids=["brute", "profit_opt", "algorithm1", "grid", "ktypes", "local", "mechanism",
        "purchases", "curve_revenue", "optimal_prices", "is_envy_free", "single_price",
        "pairwise_milp", "curve_milp"])
def test_every_array_entry_point_checks_v0(call):
    rows = np.array(SMALL["valuations"])
    with pytest.raises(InstanceError, match="v_j"):
        call(rows)


def test_curve_of_the_wrong_length_is_refused():
    V = np.concatenate([np.zeros((3, 1)), np.array(SMALL["valuations"])], axis=1)
    with pytest.raises(InstanceError, match="q"):
        purchases(V, np.zeros(4))


# ----------------------------------------------------------------------------- scale invariance
@pytest.mark.parametrize("name, fields", [("small_revenue", ["valuations"]),
                                          ("small_profit", ["valuations", "costs"])])
def test_scale_invariance(name, fields):
    base = json.loads((DATA / f"{name}.json").read_text())
    ref = check_contract(run_solve(base))
    assert ref.rc == 0
    for s in DOWN_SCALES:
        out = check_contract(run_solve(scaled(base, s, fields)))
        assert out.rc == 0 and out.status == ref.status, (s, out.result)
        assert close(out.objective, ref.objective * s), (s, out.objective, ref.objective)
        assert out.result.get("supply") == ref.result.get("supply")
    up = check_contract(run_solve(scaled(base, 1e6, fields)))      # valuations live in [0, 1]
    assert up.rc == 2 and "valuations[" in up.stderr


def test_tie_rule_and_envy_check_are_relative():
    V = random_valuations(np.random.default_rng(11), 6, 8, "coarse")   # many exact ties
    q = np.concatenate([[0.0], np.sort(np.random.default_rng(1).integers(0, 5, 8) / 4.0)])
    m = purchases(V, q)
    r = ef_revenue(V)
    for s in (1e-12, 1e-6, 1e6):
        assert np.array_equal(purchases(V * s, q * s), m)
        assert is_envy_free(V * s, r.sizes, r.prices * s)
        assert curve_revenue(V * s, q * s) == pytest.approx(curve_revenue(V, q) * s, rel=1e-12)


# ----------------------------------------------------------------------------- a-posteriori check
def _fake_solution(x_of, bound_factor=1.0):
    def fake(problem, backend="auto", time_limit=None, options=None):
        x = x_of(problem)
        obj = problem.objective_value(x)
        return Solution("optimal", x, obj, obj * bound_factor, 0.0, "fake", 0.0, None, "")
    return fake


def test_a_wrong_optimum_is_caught(monkeypatch):
    # a backend that claims the empty scheme (everyone size 0) is optimal
    def nothing(problem):
        n = len(SMALL["valuations"][0]) + 1
        x = np.zeros(problem.n_vars)
        x[0:3 * n:n] = 1.0
        return x

    monkeypatch.setattr(ef, "solve", _fake_solution(nothing))
    out = check_contract(run_solve(SMALL))
    assert out.rc == 1 and out.status == "error"
    assert "single price" in out.result["message"]


def test_a_bound_below_the_objective_is_caught(monkeypatch):
    real = ef.solve

    def low_bound(problem, backend="auto", time_limit=None, options=None):
        sol = real(problem, backend=backend, time_limit=time_limit, options=options)
        return Solution("optimal", sol.x, sol.objective, 0.5 * sol.objective, 0.0, "fake",
                        0.0, None, "")

    monkeypatch.setattr(ef, "solve", low_bound)
    out = check_contract(run_solve(SMALL))
    assert out.rc == 1 and out.status == "error" and "bound" in out.result["message"]


def test_check_answer_recomputes_the_reported_answer():
    inst = PricingInstance.from_dict(SMALL)
    good = ef_revenue(inst.V).as_dict() | {"exact": True}
    assert check_answer(inst, good) is None
    for key, value in (("objective", good["objective"] * (1 + 1e-5)),
                       ("prices", [p * 1.01 for p in good["prices"]]),
                       ("curve", [0.0] + [c * 0.5 for c in good["curve"][1:]]),
                       ("sizes", [0, 0, 0]), ("bound", good["objective"] * 0.9)):
        assert check_answer(inst, good | {key: value}) is not None, key
    approx = {"status": "approximate", "exact": False, "objective": 2.2, "bound": None,
              "sizes": [3, 4, 4], "prices": [0.6, 0.8, 0.8], "curve": [0, .6, .6, .6, .8]}
    assert check_answer(inst, approx) is None
    assert check_answer(inst, approx | {"objective": 2.3}) is not None


# ----------------------------------------------------------------------------- options
@pytest.mark.parametrize("args, field", [
    (("--method", "bogus"), "method"),
    (("--method", "grid", "--backend", "highs"), "backend"),
    (("--method", "brute", "--backend", "nosuch"), "backend"),
    (("--backend", "nosuch"), "backend"),
    (("--time-limit", "-1"), "time_limit"),
])
def test_bad_options_exit_2(args, field):
    out = check_contract(run_solve(SMALL, *args))
    assert out.rc == 2 and out.stderr.strip().startswith(f"error: {field}")


@pytest.mark.parametrize("method", ["grid", "ktypes", "local", "curve", "brute", "pairwise"])
def test_methods_run_clean(method):
    out = check_contract(run_solve(SMALL, "--method", method))
    assert out.rc == 0 and "Warning" not in out.stderr
    assert check_answer(PricingInstance.from_dict(SMALL), out.result) is None


def test_grid_refuses_a_tiny_epsilon():
    out = check_contract(run_solve(SMALL | {"epsilon": 1e-6}, "--method", "grid"))
    assert out.rc == 2 and "--method local" in out.stderr


def test_spec_profit_range_is_unit_free():
    spec = {"problem": "pricing", "sigma": 1.0, "costs": [0.25, 0.5],
            "valuations": [{"kind": "linear", "tolerance": 0.5, "value": 0.5}]}
    a = PricingInstance.from_dict(spec)
    b = PricingInstance.from_dict(scaled(spec, 1e-6, ["costs"]) | {"valuations": [
        {"kind": "linear", "tolerance": 0.5, "value": 0.5e-6}]})
    assert a.V.shape == b.V.shape == (1, 3)                   # floor(0.5 / 0.25) = 2
    with pytest.raises(SizeLimitError):
        PricingInstance.from_dict(spec | {"costs": [1e-6]})


def test_values_far_below_the_scale_do_not_break_the_milp():
    # HiGHS called this pairwise MILP infeasible when 5e-324 and 1e-300 reached it
    inst = {"problem": "pricing", "supply": 3,
            "valuations": [[1e-300, 1e-300, 1.0], [5e-324, 1e-200, 1e-100]]}
    for method in ("pairwise", "curve", "brute"):
        out = check_contract(run_solve(inst, "--method", method))
        assert out.rc == 0 and out.status == "optimal" and close(out.objective, 1.0), method


def test_size_class_repricing_matches_floyd_warshall():
    # optimal_prices works on one node per distinct size (O(B K)); the batched
    # Floyd-Warshall of the enumeration has one node per buyer: they must agree
    rng = np.random.default_rng(17)
    for t in range(60):
        B, N = int(rng.integers(1, 7)), int(rng.integers(1, 6))
        V = random_valuations(rng, B, N, ("uniform", "coarse", "types2")[t % 3])
        A = rng.integers(0, N + 1, (1, B))
        d, f = ef._shortest_path_prices(V, A)
        p, ok = optimal_prices(V, A[0])
        assert ok == bool(f[0]), (t, V, A)
        if ok:
            assert np.allclose(p, d[0], atol=1e-12), (t, p, d[0])
