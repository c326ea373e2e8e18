"""Issue #11 for ``sharing``: scale invariance, exit-2 ranges, budgets, a-posteriori check."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest

from solver import budget
from solver.problems import SolveOptions
from solver.sharing import problem
from solver.sharing.branch_bound import branch_and_bound
from solver.sharing.enumeration import SearchResult, enumerate_gray
from solver.sharing.objectives import platform_objective
from solver.sharing.problem import SharingInstance
from solver.sharing.problem import _cli_solve as solve
from solver.sharing.resources import NOISE_RATIO_MAX, NOISE_RATIO_MIN
from tests.contract import SCALES, check_contract, close, run_solve, scaled

parse = SharingInstance.from_dict

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data" / "sharing"


def load(name: str) -> dict:
    raw = json.loads((DATA / name).read_text())
    raw.setdefault("noise_variance", 1.0)
    return raw


def test_reproducer_huge_covariance_with_unit_noise_is_exit_2():
    # issue #11: covariance 1e300 I with the default unit noise gave "optimal", objective null
    out = check_contract(run_solve({"problem": "sharing", "covariance": [[1e300, 0], [0, 1e300]],
                                    "privacy_values": [0.5, 1.2]}))
    assert out.rc == 2 and "noise_variance" in out.stderr
    assert "scale it with the covariance" in out.stderr


def test_reproducer_huge_covariance_with_scaled_noise_is_solved():
    # the same instance with the noise in the same units: Σ = I, τ = 1 times 1e300; user 0
    # shares (leakage 1/2, price 1/4), payoff 1/4
    out = check_contract(run_solve({"problem": "sharing", "covariance": [[1e300, 0], [0, 1e300]],
                                    "privacy_values": [0.5, 1.2], "noise_variance": 1e300}))
    assert out.rc == 0 and out.status == "optimal"
    assert close(out.objective, 0.25e300)
    assert out.result["profile"] == [1, 0]


def test_payoffs_beyond_float_range_are_exit_2():
    out = check_contract(run_solve({"problem": "sharing", "covariance": [[1e308]],
                                    "privacy_values": [1e10], "noise_variance": 1e308}))
    assert out.rc == 2 and "privacy_values" in out.stderr


@pytest.mark.parametrize("name,method", [("two_users_too_much_data.json", "exhaustive"),
                                         ("random_n12.json", "exhaustive"),
                                         ("example_b1_n8_v2.json", "branch-and-bound"),
                                         ("random_n12.json", "greedy")])
def test_scale_invariance(name, method):
    """Covariance and noise variance in units of x² scale by s: leakage, prices, payoffs,
    surplus (the objective) scale by s to the first power; the privacy values are money per
    unit of leakage (the platform's own value is 1), so they do not scale, and the profiles
    and the status do not change."""
    raw = load(name)
    base = check_contract(run_solve(raw, "--method", method))
    assert base.rc == 0
    for s in SCALES:
        out = check_contract(run_solve(scaled(raw, s, ["covariance", "noise_variance"]),
                                       "--method", method))
        assert out.rc == 0 and out.status == base.status, (s, out.result)
        assert close(out.objective, s * base.objective), (s, out.objective, base.objective)
        assert close(out.result["first_best_surplus"], s * base.result["first_best_surplus"])
        assert out.result["profile"] == base.result["profile"], s
        assert out.result["first_best_profile"] == base.result["first_best_profile"], s


@pytest.mark.parametrize("s", [1e-12, 1e12])
def test_covariance_scaled_alone_leaves_the_model_range(s):
    """Scaling Σ but not τ changes the signal-to-noise ratio, not the units: past
    NOISE_RATIO_MIN / NOISE_RATIO_MAX it is refused, naming noise_variance."""
    raw = scaled(load("random_n12.json"), s, ["covariance"])
    out = check_contract(run_solve(raw))
    assert out.rc == 2 and "noise_variance" in out.stderr
    assert NOISE_RATIO_MIN < 1e-6 and NOISE_RATIO_MAX >= 1e6


def test_unknown_method_and_backend_are_exit_2():
    raw = load("two_users_too_much_data.json")
    out = check_contract(run_solve(raw, "--method", "bogus"))
    assert out.rc == 2 and "error: method:" in out.stderr
    for m in ("exhaustive", "branch-and-bound", "greedy"):
        out = check_contract(run_solve(raw, "--method", m, "--backend", "highs"))
        assert out.rc == 2 and "error: backend:" in out.stderr


def test_exhaustive_work_estimate_refuses_before_running():
    # 2^26 profiles: estimated 8.7e9 operations > the 5e9 budget; refused at once, naming
    # the field and the method that scales
    raw = {"problem": "sharing", "covariance": np.eye(26).tolist(), "privacy_values": [2.0] * 26}
    t0 = time.perf_counter()
    out = check_contract(run_solve(raw))
    assert out.rc == 2 and time.perf_counter() - t0 < 5
    assert "covariance" in out.stderr and "branch-and-bound" in out.stderr
    assert "operations" in out.stderr


def test_greedy_work_estimate_refuses_large_n():
    inst = parse({"problem": "sharing", "covariance": np.eye(300).tolist(),
                  "privacy_values": [2.0] * 300})
    with pytest.raises(Exception) as ei:
        solve(inst, SolveOptions(method="greedy"))
    assert getattr(ei.value, "field", None) == "covariance"
    assert "operations" in str(ei.value)


def test_branch_and_bound_node_budget_stops_with_a_bound():
    rng = np.random.default_rng(5)
    a = rng.normal(size=(16, 16))
    sig = a @ a.T / 16 + 0.05 * np.eye(16)
    v = rng.uniform(1, 3, 16)
    b = branch_and_bound(sig, platform_objective(v), max_nodes=10)
    assert b.status == "time_limit" and b.details["stopped_by"] == "node budget"
    assert b.nodes <= 10 and b.bound >= b.value - 1e-12
    opt = enumerate_gray(sig, [platform_objective(v)])[0].value
    assert b.bound >= opt - 1e-9 and opt >= b.value - 1e-9


def test_branch_and_bound_honours_the_budget_deadline():
    rng = np.random.default_rng(6)
    a = rng.normal(size=(30, 30))
    sig = a @ a.T / 30 + 0.05 * np.eye(30)
    v = rng.uniform(1, 3, 30)
    t0 = time.perf_counter()
    with budget.limits(time_limit=0.5):
        b = branch_and_bound(sig, platform_objective(v))
    assert time.perf_counter() - t0 < 3.0
    assert b.status == "time_limit" and b.details["stopped_by"] == "time limit"


def test_wrong_profile_from_the_search_is_caught(monkeypatch):
    """A search that returns a non-optimal profile labelled optimal: the single-flip check
    turns the result into status error (exit 1), never exit 0."""
    real = problem.enumerate_gray

    def wrong(sigma, objs, noise):
        out = real(sigma, objs, noise)
        n = sigma.shape[0]
        return [SearchResult(0.0, np.zeros(n, dtype=bool), r.method) for r in out]

    monkeypatch.setattr(problem, "enumerate_gray", wrong)
    out = check_contract(run_solve(load("example_b1_n8_v2.json")))
    assert out.rc == 1 and out.status == "error"
    assert "a-posteriori check failed" in out.result["message"]


def test_wrong_prices_are_caught(monkeypatch):
    real = problem.outcome

    def wrong(*a, **k):
        res = real(*a, **k)
        res["prices"] = res["prices"] * (1 + 1e-6)
        return res

    monkeypatch.setattr(problem, "outcome", wrong)
    out = check_contract(run_solve(load("two_users_too_much_data.json")))
    assert out.rc == 1 and out.status == "error" and "price" in out.result["message"]


def test_shipped_files_solve_without_notes():
    for f in sorted(DATA.glob("*.json")):
        method = "branch-and-bound" if "n40" in f.name else "exhaustive"
        out = check_contract(run_solve(f, "--method", method))
        assert out.rc == 0 and out.status == "optimal", f.name
        assert "notes" not in out.result, (f.name, out.result.get("notes"))
