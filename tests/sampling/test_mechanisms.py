"""Baseline and CE Mechanisms (Sections 4.1, 4.2, 4.3, 5.1, 5.2)."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from solver.errors import InstanceError
from solver.io import load_instance
from solver.problems import SolveOptions
from solver.sampling import MechanismInstance
from solver.sampling import mechanisms as M
from solver.sampling import utility as U
from solver.sampling.claims_mechanisms import SEC43_DEMANDS, section43_sellers

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data" / "sampling"


# ------------------------------------------------------------------ Section 4.3
@pytest.mark.parametrize("mech,dist,paper", [("baseline", "ordering", 10.00),
                                              ("baseline", "independent", 10.00),
                                              ("ce", "ordering", 6.53),
                                              ("ce", "independent", 9.96),
                                              ("ce-risk-seeking", "ordering", 6.53)])
def test_section43_prices(mech: str, dist: str, paper: float) -> None:
    costs, us = section43_sellers()
    res = M.run_truthful(mech, costs, us, SEC43_DEMANDS, dist)
    assert round(res.price, 2) == paper
    assert res.excluded == 0 and not res.sampled[0].any()


def test_section43_structure_and_tie_reading() -> None:
    costs, us = section43_sellers()
    res = M.run_truthful("ce", costs, us, SEC43_DEMANDS, "ordering")
    averse = np.arange(1, 501)
    assert res.reduced[averse].all() and not res.reduced[501:].any()
    # every risk-averse seller is his own threshold: the tie r_hat == r_bar decides the price
    assert np.allclose(res.thresholds[averse], res.r_hat[averse], atol=1e-12)
    assert res.price == pytest.approx((500 * res.r_hat[1] + 500 * 350.0) / 35000, abs=1e-12)
    # reading "<" instead of "<=" would give the Baseline price
    strict = res.r_hat < res.thresholds
    assert not strict.any()
    # reduced payment r_bar + c_i(k - w) with c_i = 0 is a sure payment
    assert np.allclose(res.payments[1], res.thresholds[1])
    # per-seller price per data point: E[pi_i] / w
    assert res.price_per_data_point[1] == pytest.approx(res.r_hat[1] / 35.0)
    assert res.price_per_data_point[600] == pytest.approx(10.0)
    assert np.isnan(res.price_per_data_point[0])


# ------------------------------------------------------------- threshold rule
def brute_threshold(pool: np.ndarray, big_pi: float) -> float:
    best, val = -np.inf, 1e-12 * max(1.0, abs(big_pi))
    for r in np.sort(pool):
        v = np.sum(pool <= r) * (big_pi - r)
        if v > val:
            best, val = r, v
    return best


def test_thresholds_match_brute_force() -> None:
    rng = np.random.default_rng(7)
    for _ in range(300):
        n = int(rng.integers(1, 12))
        r = rng.integers(0, 8, size=n).astype(float)  # many ties
        big_pi = float(rng.integers(0, 9))
        got = M.thresholds_excluding_self(r, r, big_pi)
        for i in range(n):
            assert got[i] == brute_threshold(np.delete(r, i), big_pi)
        assert M.thresholds_excluding_self(r, np.array([np.nan]), big_pi)[0] == \
            brute_threshold(r, big_pi)


# -------------------------------------------------------------- truthfulness
GRID = np.arange(0.0, 12.01, 0.5)


def small_market() -> tuple[np.ndarray, list[U.Utility], list[int]]:
    costs = np.array([1.0, 3.0, 5.0, 2.0, 4.0])
    us = [U.cara(0.3), U.linear(), U.cara(0.1), U.crra(0.5, 100.0), U.cara(1.0)]
    return costs, us, [2, 3, 1]


@pytest.mark.parametrize("mech", ["baseline", "ce"])
def test_no_profitable_misreport(mech: str) -> None:
    costs, us, d = small_market()
    for i in range(costs.size):
        dev = M.best_misreport(mech, costs, us, d, i, GRID, np.linspace(-40, 80, 13))
        assert dev.gain <= 1e-9, (i, dev)
        assert dev.min_truthful_value >= -1e-9


def test_search_catches_baseline_that_pays_the_maximum(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Baseline that does not discard j-hat lets a seller raise c^max: must be caught."""
    real = M.baseline_linear

    def broken(reports, demands, p):  # type: ignore[no-untyped-def]
        res = real(reports, demands, p)
        sampled = np.ones_like(res.sampled)
        return M.MechanismResult(res.mechanism, res.p, res.demands, res.pi_max,
                                 np.tile(res.pi_max, (sampled.shape[0], 1)), sampled,
                                 res.reduced, res.thresholds, res.r_hat, None)
    monkeypatch.setattr(M, "baseline_linear", broken)
    costs, us, d = small_market()
    dev = M.best_misreport("baseline", costs, us, d, 2, GRID)  # the maximum reporter
    assert dev.gain > 1.0 and dev.best_report > costs[2]


def test_search_catches_threshold_that_counts_own_report(monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    """f instead of f_{-i} (own report counted) lets a seller inflate his threshold."""
    real = M.thresholds_excluding_self
    monkeypatch.setattr(M, "thresholds_excluding_self",
                        lambda pool, r_self, big_pi: np.array(
                            [real(pool, np.array([np.nan]), big_pi)[0]] * len(r_self)))
    costs = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 10.0])
    us = [U.cara(0.05)] * 3 + [U.linear()] * 3
    d = [2, 2]  # p(2) = 0.4, p(0) = 0.6: CE 5.83, Pi = 8; inflating e_i to 6.5 pays 6.5
    dev = M.best_misreport("ce", costs, us, d, 0, [0.0], np.linspace(0, 15, 61))
    assert dev.gain > 0.5 and 5.9 < dev.best_ce_report < 6.6
    monkeypatch.undo()
    assert M.best_misreport("ce", costs, us, d, 0, [0.0], np.linspace(0, 15, 61)).gain <= 1e-9


@pytest.mark.parametrize("mech", ["ce", "ce-risk-seeking"])
def test_true_maximum_risk_seeker_underreports(mech: str) -> None:
    """Proof of Theorem 4.3's case: c_i above everyone, risk-seeking, reports c = 0.

    He then looks like a zero-cost seller and receives the sure r_bar = 2.77 while bearing
    cost 10 per buyer: CE 2.77 + ln(0.25 + 0.75 e^-20) = 1.386 > 0 = truthful CE.  The
    variation (as read) does not change this outcome.
    """
    costs = np.array([10.0, 0.0, 0.0, 0.0, 9.0])
    us = [U.cara(-1.0), U.cara(0.5), U.cara(0.5), U.linear(), U.linear()]
    dev = M.best_misreport(mech, costs, us, [3, 3], 0, GRID, np.linspace(-60, 120, 19))
    assert dev.truthful_ce == pytest.approx(0.0, abs=1e-12)
    assert dev.best_report == 0.0
    assert dev.best_ce == pytest.approx(2.7718484 + np.log(0.25 + 0.75 * np.exp(-20.0)),
                                        abs=1e-6)


def test_risk_seeking_variation_deviation_reproduces() -> None:
    """The counterexample recorded in docs: ĵ-overreport with a low Step 2 report."""
    costs = np.array([1.0, 0.0, 7.0, 5.0])
    us = [U.linear(), U.cara(0.9972378364313189), U.linear(), U.cara(-0.70126488525666)]
    d = [1, 1]
    dev = M.best_misreport("ce-risk-seeking", costs, us, d, 3, [15.0], [-52.0])
    assert dev.gain > 6.0
    # the plain CE Mechanism never offers ĵ the reduced payment: no gain from this report
    assert M.best_misreport("ce", costs, us, d, 3, [15.0], [-52.0]).gain <= 1e-9


# --------------------------------------------------------------- general costs
def test_general_costs_linear_case_and_exclusions() -> None:
    rng = np.random.default_rng(3)
    for _ in range(20):
        n, m = 5, 3
        c = rng.integers(0, 6, size=n).astype(float)
        d = rng.integers(1, n + 1, size=m)
        mat = np.outer(c, np.arange(m + 1))
        p = M.sampling_distribution("ordering", n, d)
        res = M.baseline_general(mat, d, p)
        assert np.allclose(res.pi_max, c.max() * np.arange(m + 1))
        top = np.flatnonzero(c == c.max())
        if top.size == 1:  # the unique maximum is never sampled k >= 1 times
            assert not res.sampled[top[0], 1:].any()
        else:
            assert res.sampled.all()


def test_general_ce_truthful_on_concave_costs() -> None:
    costs = np.array([[0, 1, 2, 3], [0, 2, 3, 3.5], [0, 1.5, 2.5, 3], [0, 4, 4.5, 5]], float)
    us = [U.cara(0.5), U.linear(), U.crra(2.0, 10.0), U.cara(0.2)]
    d = [3, 2, 1]
    res = M.run_truthful("ce", costs, us, d)
    assert res.reduced[0] and not res.sampled[3, 1:].any()
    grid = [np.array([0.0, a, b, b + 0.5]) for a in (0.0, 1.0, 2.0, 4.0, 5.0)
            for b in (2.0, 3.0, 4.5)]
    for i in range(4):
        dev = M.best_misreport("ce", costs, us, d, i, grid, np.linspace(-20, 40, 7))
        assert dev.gain <= 1e-9
        assert dev.min_truthful_value >= -1e-9


def test_ce_total_never_exceeds_baseline() -> None:
    rng = np.random.default_rng(11)
    for _ in range(30):
        n = int(rng.integers(3, 40))
        d = rng.integers(1, n, size=4)
        costs = rng.uniform(0, 5, size=n)
        us = [U.cara(float(rng.uniform(-0.5, 0.5))) for _ in range(n)]
        for dist in ("ordering", "independent"):
            ce = M.run_truthful("ce", costs, us, d, dist)
            base = M.run_truthful("baseline", costs, us, d, dist)
            assert ce.price <= base.price + 1e-9
            assert base.price == pytest.approx(costs.max())


# --------------------------------------------------------------------- the CLI
def test_cli_section43() -> None:
    out = subprocess.run([sys.executable, "-m", "solver.cli", "solve",
                          str(DATA / "mech_section43.json"), "--json"],
                         capture_output=True, text=True, cwd=ROOT, check=False)
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout)
    assert res["status"] == "optimal" and res["backend"] == "exact:closed-form"
    assert round(res["objective"], 2) == 6.53
    assert len(res["expected_payments"]) == 1001
    assert res["payment_functions"][res["payment_of"][1]][0] == pytest.approx(107.3334, abs=1e-3)
    assert res["price_per_data_point"][0] is None


@pytest.mark.parametrize("name,price", [("mech_section43_independent.json", 9.96),
                                        ("mech_section43_baseline.json", 10.0),
                                        ("mech_figure2a.json", 6.53)])
def test_data_files(name: str, price: float) -> None:
    spec, inst = load_instance(DATA / name)
    res = spec.solve(inst, SolveOptions())
    assert round(res["objective"], 2) == price


def base_instance() -> dict:
    return {"problem": "sampling-mechanism", "sellers": 3, "demands": [1, 2],
            "mechanism": "ce", "reports": [1.0, 2.0, 3.0], "utilities": {"kind": "linear"}}


@pytest.mark.parametrize("patch,field", [
    ({"sellers": 1}, "sellers"),
    ({"demands": [1, 3]}, "demands[1]"),
    ({"demands": [1, -1]}, "demands[1]"),
    ({"reports": [1.0, float("nan"), 3.0]}, "reports[1]"),
    ({"reports": [1.0, -2.0, 3.0]}, "reports[1]"),
    ({"reports": [1.0, 2.0]}, "reports"),
    ({"mechanism": "vcg"}, "mechanism"),
    ({"distribution": "bundled"}, "distribution"),
    ({"distribution": [0.5, 0.5]}, "distribution"),
    ({"distribution": [0.2, 0.3, 0.4]}, "distribution"),
    ({"distribution": [0.5, 0.0, 0.5]}, "distribution"),  # mean 1 != 3/2 (Lemma 4.2)
    ({"utilities": [{"kind": "linear"}]}, "utilities"),
    ({"utilities": [{"kind": "linear"}, {"kind": "cara"}, {"kind": "linear"}]},
     "utilities[1].a"),
    ({"ce_reports": [1.0, 2.0]}, "ce_reports"),
    ({"demand": [1]}, "demand"),
    ({"costs": [[1, 2], [1, 2], [1, 2]]}, "reports"),
])
def test_bad_input(patch: dict, field: str) -> None:
    raw = base_instance()
    raw.update(patch)
    with pytest.raises(InstanceError) as e:
        MechanismInstance.from_dict(raw)
    assert e.value.field == field


@pytest.mark.parametrize("costs,field", [
    ([[1, 2], [2, 1], [1, 2]], "costs[1][1]"),  # not non-decreasing
    ([[1, 2], [1, 2]], "costs"),
    ([[1, 2, 3], [1, 2, 3], [1, 2, 3]], "costs[0]"),
    ([[1, 2], [1, None], [1, 2]], "costs[1][1]"),
])
def test_bad_general_costs(costs: list, field: str) -> None:
    raw = base_instance()
    del raw["reports"]
    raw["costs"] = costs
    with pytest.raises(InstanceError) as e:
        MechanismInstance.from_dict(raw)
    assert e.value.field == field


def test_missing_utilities_and_risk_seeking_general() -> None:
    raw = base_instance()
    del raw["utilities"]
    with pytest.raises(InstanceError) as e:
        MechanismInstance.from_dict(raw)
    assert e.value.field == "utilities"
    raw["mechanism"] = "baseline"
    assert MechanismInstance.from_dict(raw).mechanism == "baseline"
    raw = base_instance()
    del raw["reports"]
    raw.update(costs=[[1, 2], [1, 3], [2, 2]], mechanism="ce-risk-seeking")
    with pytest.raises(InstanceError) as e:
        MechanismInstance.from_dict(raw)
    assert e.value.field == "mechanism"


def test_general_ce_reduces_to_linear_ce_on_linear_costs() -> None:
    """Section 5.2 on c_i(k) = c_i k gives Section 4.2's payments (same p, unique maximum)."""
    rng = np.random.default_rng(5)
    for _ in range(25):
        n, m = int(rng.integers(3, 9)), int(rng.integers(1, 5))
        d = rng.integers(1, n, size=m)
        c = rng.permutation(np.linspace(0, 9, n))  # distinct: a unique maximum
        us = [U.cara(float(a)) for a in rng.uniform(-0.3, 0.8, size=n)]
        p = M.sampling_distribution("ordering", n - 1, d)
        lin = M.run_truthful("ce", c, us, d, p)
        gen = M.run_truthful("ce", np.outer(c, np.arange(m + 1)), us, d, p)
        assert np.allclose(lin.payments, gen.payments, atol=1e-9)
        assert np.array_equal(lin.sampled[:, 1:], gen.sampled[:, 1:])  # k = 0 pays 0 anyway
        assert np.array_equal(lin.reduced, gen.reduced)
