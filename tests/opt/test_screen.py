"""A backend's point is a solution only if it satisfies the model; stopped MILPs keep a bound.

Regression: when CBC stopped on its time limit before finding an integer solution, PuLP read
the fractional LP relaxation as an incumbent and the pricing layer reported the LP's value as
an achieved revenue.
"""

from __future__ import annotations

import numpy as np
import pytest

from solver.opt import LinearProgram, solve
from solver.opt.backends.pulp_backend import cbc_log_bound
from solver.opt.result import Solution
from solver.opt.solve import get_backend, screen_point
from solver.pricing.envy_free import pairwise_milp
from solver.pricing.families import random_valuations
from solver.tolerances import POINT_FEASIBILITY


def assignment_milp() -> LinearProgram:
    # max x0 + 2 x1 subject to x0 + x1 = 1, binaries: optimum x = (0, 1), value 2
    return LinearProgram(c=[1, 2], A_eq=[[1, 1]], b_eq=[1], ub=1, integrality=1, sense="max")


def sol(status: str, x, obj: float, bound: float = 2.5) -> Solution:
    return Solution(status, None if x is None else np.asarray(x, float), obj, bound, 0.1,
                    "fake", 0.0, None, "msg")


def test_fractional_incumbent_is_discarded_and_bound_kept():
    lp = assignment_milp()
    out = screen_point(lp, sol("time_limit", [0.5, 0.5], 1.5))
    assert out.status == "time_limit" and out.x is None and np.isnan(out.objective)
    assert out.bound == 2.5 and out.gap == np.inf
    assert "discarded" in out.message


def test_infeasible_optimal_point_becomes_error():
    lp = assignment_milp()
    out = screen_point(lp, sol("optimal", [1.0, 1.0], 3.0))   # violates x0 + x1 = 1
    assert out.status == "error" and out.x is None


def test_feasible_points_pass_unchanged():
    lp = assignment_milp()
    s = sol("time_limit", [1.0, 0.0], 1.0)
    assert screen_point(lp, s) is s
    s = sol("optimal", [0.0, 1.0 + 1e-9], 2.0)                 # solver tolerance
    assert screen_point(lp, s) is s
    s = sol("infeasible", [0.3, 0.3], np.nan)                  # only solutions are screened
    assert screen_point(lp, s) is s


def test_scaled_violation_accepts_large_coefficients():
    # 1e6 * x0 + 1e6 * x1 <= 1e6 at x = (0.5, 0.5 + 1e-9): absolute violation 1e-3, relative tiny
    lp = LinearProgram(c=[1, 1], A_ub=[[1e6, 1e6]], b_ub=[1e6], sense="max")
    x = np.array([0.5, 0.5 + 1e-9])
    assert lp.max_violation(x) > 1e-4
    assert lp.scaled_violation(x) <= POINT_FEASIBILITY
    assert lp.scaled_violation(np.array([0.5, 0.6])) > POINT_FEASIBILITY
    assert lp.scaled_violation(np.array([np.nan, 0.0])) == np.inf


def test_cbc_log_bound_sense_and_outward_rounding():
    log = ("Cbc0010I After 0 nodes, 1 on tree, -12.3 best solution, best possible -12.798309\n"
           "Cbc0005I Partial search - best objective -12.73 (best possible -12.79831), took 3\n")
    # the last value wins; a maximisation was run negated; one unit of the last digit outward
    assert cbc_log_bound(log, maximize=True) == pytest.approx(12.79831 + 1e-5)
    assert cbc_log_bound(log, maximize=False) == pytest.approx(-12.79831 - 1e-5)
    assert cbc_log_bound("best possible 4", maximize=True) == pytest.approx(-3.0)
    assert np.isnan(cbc_log_bound("Partial search - best objective 1e+50 (best possible 1e+50)",
                                  maximize=True))
    assert np.isnan(cbc_log_bound("Result - Stopped on time limit", maximize=False))


@pytest.mark.parametrize("backend, limits", [("pulp:CBC", {"options": {"maxNodes": 1}}),
                                             ("pulp:HiGHS", {"time_limit": 0.2}),
                                             ("cvxpy:HIGHS", {"time_limit": 0.2})])
def test_pulp_stopped_milp_reports_valid_bound(backend, limits):
    # a 16 x 16 pricing MILP: HiGHS proves it in about a second; CBC after one node and
    # HiGHS through PuLP or cvxpy after 0.2 s stop with an incumbent and a bound (measured).
    # An objective constant the solvers never see must be in the bound too (PuLP's bounds
    # missed it: 13.48 for a model whose incumbent was 113.29).
    V = random_valuations(np.random.default_rng(5), 16, 16, "uniform")
    m = pairwise_milp(V)
    lp = LinearProgram(c=m.c, A_ub=m.A_ub, b_ub=m.b_ub, A_eq=m.A_eq, b_eq=m.b_eq, lb=m.lb,
                       ub=m.ub, integrality=m.integrality, sense="max", offset=100.0)
    opt = solve(lp, "highs").certify().objective
    # the backend itself (solve() would run a 0.2 s limit in a worker killed before it starts)
    s = screen_point(lp, get_backend(backend).solve(lp, **limits))
    if s.status == "optimal":                   # a faster machine may finish: nothing to check
        assert s.objective == pytest.approx(opt, abs=1e-6)
        return
    assert s.status == "time_limit"
    assert np.isfinite(s.bound) and s.bound >= opt - 1e-9
    if s.x is not None:
        assert lp.scaled_violation(s.x) <= POINT_FEASIBILITY
        assert s.objective <= opt + 1e-9
