"""The optimisation interface: every installed backend agrees, statuses map faithfully."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from solver.errors import BackendUnavailableError, NotCertifiedError
from solver.opt import LinearProgram, available_backends, solve
from solver.tolerances import BACKEND_AGREEMENT


def random_lp(seed: int, n: int = 8, m: int = 6) -> LinearProgram:
    """A bounded feasible LP: max c x, A x <= b, 0 <= x <= 5, with A, b, c >= 0."""
    rng = np.random.default_rng(seed)
    A = rng.integers(0, 6, size=(m, n)).astype(float)
    b = rng.integers(5, 30, size=m).astype(float)
    c = rng.integers(1, 10, size=n).astype(float)
    return LinearProgram(c=c, A_ub=sp.csr_matrix(A), b_ub=b, ub=5.0, sense="max")


def random_milp(seed: int, n: int = 10, m: int = 5) -> LinearProgram:
    lp = random_lp(seed, n, m)
    integ = np.zeros(n, dtype=bool)
    integ[: n // 2] = True
    return LinearProgram(c=lp.c, A_ub=lp.A_ub, b_ub=lp.b_ub, ub=lp.ub, integrality=integ,
                         sense="max")


def equality_lp() -> LinearProgram:
    # min x0 + 2 x1 + 3 x2  s.t.  x0 + x1 + x2 = 1,  x1 - x2 <= 0.2, free x2 lower bound -1
    return LinearProgram(c=[1, 2, 3], A_eq=[[1, 1, 1]], b_eq=[1], A_ub=[[0, 1, -1]],
                         b_ub=[0.2], lb=[0, 0, -1], ub=[np.inf, np.inf, 2])


LP_MODELS = [random_lp(s) for s in range(4)] + [equality_lp()]
MILP_MODELS = [random_milp(s) for s in range(4)]


@pytest.mark.parametrize("k", range(len(LP_MODELS)))
def test_lp_backends_agree(k):
    lp = LP_MODELS[k]
    names = available_backends(lp)
    assert {"highs", "pulp:CBC", "cvxpy:CLARABEL"} <= set(names)
    ref = solve(lp, "highs").certify()
    for name in names:
        sol = solve(lp, name).certify()
        assert abs(sol.objective - ref.objective) <= BACKEND_AGREEMENT * max(1, abs(ref.objective))
        assert lp.max_violation(sol.x) <= 1e-6
        assert sol.backend.startswith(name.split(":")[0])


@pytest.mark.parametrize("k", range(len(MILP_MODELS)))
def test_milp_backends_agree(k):
    lp = MILP_MODELS[k]
    names = available_backends(lp)
    assert "cvxpy:CLARABEL" not in names  # CLARABEL has no integer support
    ref = solve(lp, "highs").certify()
    assert ref.gap <= 1e-9
    for name in names:
        sol = solve(lp, name).certify()
        assert abs(sol.objective - ref.objective) <= BACKEND_AGREEMENT * max(1, abs(ref.objective))
        assert lp.max_violation(sol.x) <= 1e-6
    # the relaxation is a valid bound
    assert solve(lp.relaxed(), "highs").objective >= ref.objective - 1e-9


def test_lp_duals_agree_and_are_sensitivities():
    lp = equality_lp()
    base = solve(lp, "highs").certify()
    eps = 1e-4
    bumped = LinearProgram(c=lp.c, A_eq=lp.A_eq, b_eq=lp.b_eq + eps, A_ub=lp.A_ub, b_ub=lp.b_ub,
                           lb=lp.lb, ub=lp.ub)
    fd = (solve(bumped, "highs").objective - base.objective) / eps
    assert base.duals["eq"][0] == pytest.approx(fd, abs=1e-6)
    for name in available_backends(lp):
        sol = solve(lp, name)
        if sol.duals is None:
            continue
        np.testing.assert_allclose(sol.duals["eq"], base.duals["eq"], atol=1e-5)
        np.testing.assert_allclose(sol.duals["ub"], base.duals["ub"], atol=1e-5)


def test_max_sense_duals_sign():
    lp = LinearProgram(c=[1, 2], A_ub=[[1, 1], [1, 3]], b_ub=[4, 6], sense="max")
    sol = solve(lp, "highs").certify()
    assert sol.objective == pytest.approx(5.0)
    np.testing.assert_allclose(sol.duals["ub"], [0.5, 0.5], atol=1e-9)


def hard_knapsack(n: int = 60) -> LinearProgram:
    rng = np.random.default_rng(7)
    w = rng.integers(1000, 2000, size=(25, n))
    v = w.sum(axis=0) + rng.integers(0, 50, size=n)
    return LinearProgram(c=v, A_ub=w, b_ub=w.sum(axis=1) // 2, ub=1, integrality=1, sense="max")


def test_time_limit_is_never_optimal():
    lp = hard_knapsack()
    sol = solve(lp, "highs", time_limit=0.02)
    assert sol.status == "time_limit"
    assert sol.x is None or lp.max_violation(sol.x) <= 1e-6
    if sol.x is not None:
        # the bound is a valid upper bound for a maximisation, so the gap is non-negative
        assert sol.bound >= sol.objective - 1e-9
        assert sol.gap > 0
    with pytest.raises(NotCertifiedError):
        sol.certify()
    cbc = solve(lp, "pulp:CBC", time_limit=0.05)
    assert cbc.status in ("time_limit", "optimal")
    if cbc.status == "time_limit":
        with pytest.raises(NotCertifiedError):
            cbc.certify()


def test_infeasible_and_unbounded():
    infeas = LinearProgram(c=[1], A_ub=[[1]], b_ub=[-1])  # x >= 0 and x <= -1
    unb = LinearProgram(c=[-1], lb=[0], ub=[np.inf])
    for name in available_backends(infeas):
        assert solve(infeas, name).status == "infeasible", name
    assert solve(unb, "highs").status == "unbounded"
    assert solve(unb, "cvxpy:CLARABEL").status in ("unbounded", "infeasible", "error")
    with pytest.raises(NotCertifiedError):
        solve(infeas, "highs").certify()


def test_quadratic_goes_to_cvxpy_and_is_refused_by_others():
    # min (x-1)^2 + (y-2)^2 = 0.5 x'(2I)x - 2x - 4y + 5 subject to x + y <= 1
    qp = LinearProgram(c=[-2, -4], Q=2 * np.eye(2), A_ub=[[1, 1]], b_ub=[1], lb=-np.inf,
                       offset=5.0)
    names = available_backends(qp)
    assert "highs" not in names and "pulp:CBC" not in names
    assert "cvxpy:CLARABEL" in names
    sol = solve(qp).certify()
    assert sol.objective == pytest.approx(2.0, abs=1e-6)  # projection onto x+y=1 is (0, 1)
    np.testing.assert_allclose(sol.x, [0, 1], atol=1e-5)
    with pytest.raises(BackendUnavailableError, match="quadratic"):
        solve(qp, "highs")


def test_unknown_backend_error_names_alternatives():
    lp = LP_MODELS[0]
    with pytest.raises(BackendUnavailableError, match="available: highs"):
        solve(lp, "gurobi-nonexistent")


def test_problem_validation():
    with pytest.raises(ValueError, match="columns"):
        LinearProgram(c=[1, 2], A_ub=[[1, 2, 3]], b_ub=[1])
    with pytest.raises(ValueError, match="lower bound"):
        LinearProgram(c=[1], lb=[2], ub=[1])
    with pytest.raises(ValueError, match="NaN"):
        LinearProgram(c=[np.nan])


def test_certificate_is_json_ready():
    sol = solve(LP_MODELS[0], "highs")
    cert = sol.certificate()
    assert set(cert) == {"status", "objective", "bound", "gap", "backend", "seconds"}
    assert cert["status"] == "optimal" and cert["gap"] == 0.0
