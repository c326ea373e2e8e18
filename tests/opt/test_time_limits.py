"""Honoured limits: every backend returns within its time limit plus 2 s.

A backend that does not honour limits on its own (PuLP builds in Python before CBC's clock
starts; cvxpy's HiGHS QP path ignores the limit) runs a time-limited solve in a worker
process that is killed past the limit (solver.opt.backends.isolation); the deadline of
:func:`solver.budget.limits` covers model building too.
"""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from solver import budget
from solver.errors import InstanceError
from solver.opt import LinearProgram, available_backends, solve
from solver.tolerances import KILL_GRACE

ROOT = Path(__file__).resolve().parents[2]
isolation = importlib.import_module("solver.opt.backends.isolation")


@pytest.mark.parametrize("bad", [-1, 0, float("nan"), float("inf"), True, "5"])
def test_time_limit_must_be_positive_and_finite(bad):
    lp = LinearProgram(c=[1.0], ub=1.0, sense="max")
    with pytest.raises(InstanceError, match="time_limit"):
        solve(lp, "highs", time_limit=bad)
    with pytest.raises(InstanceError):
        with budget.limits(time_limit=bad):
            pass


SLOW_WORKER = """
import pickle, sys, time
pickle.load(sys.stdin.buffer)
time.sleep(120)          # a solver that never looks at its clock
"""


@pytest.mark.parametrize("backend", ["pulp:CBC", "cvxpy:HIGHS"])
def test_a_solver_that_overruns_is_killed_within_two_seconds(monkeypatch, backend):
    if backend not in available_backends():
        pytest.skip(f"{backend} not installed")
    monkeypatch.setattr(isolation, "WORKER", [sys.executable, "-c", SLOW_WORKER])
    lp = LinearProgram(c=[1, 1], A_ub=[[1, 1]], b_ub=[1], ub=1, integrality=1, sense="max")
    t0 = time.perf_counter()
    got = solve(lp, backend, time_limit=1.0)
    elapsed = time.perf_counter() - t0
    assert got.status == "time_limit" and got.x is None
    assert elapsed <= 1.0 + 2.0, elapsed
    assert elapsed >= 1.0 + KILL_GRACE - 0.5


def test_the_budget_deadline_caps_every_solve():
    lp = LinearProgram(c=[1.0], ub=1.0, sense="max")
    with budget.limits(time_limit=0.05):
        time.sleep(0.1)                # model building used the whole limit
        got = solve(lp, "highs", time_limit=100)
        assert got.status == "time_limit"
        with pytest.raises(Exception, match="time limit reached"):
            budget.check_deadline("building the model")
    assert solve(lp, "highs").status == "optimal"


def _hard_milp(n: int = 60, seed: int = 0) -> LinearProgram:
    """A random multi-knapsack MILP that no backend proves within a second."""
    rng = np.random.default_rng(seed)
    A = rng.integers(20, 100, size=(5, n)).astype(float)
    return LinearProgram(c=rng.integers(20, 100, n).astype(float), A_ub=A,
                         b_ub=A.sum(axis=1) / 3, ub=1, integrality=1, sense="max")


@pytest.mark.parametrize("backend", [b for b in ("highs", "pulp:CBC", "pulp:HiGHS",
                                                 "cvxpy:HIGHS", "portfolio")
                                     if b in available_backends()])
def test_real_backends_return_within_the_limit_plus_two_seconds(backend):
    lp = _hard_milp()
    t0 = time.perf_counter()
    got = solve(lp, backend, time_limit=2.0)
    elapsed = time.perf_counter() - t0
    assert elapsed <= 2.0 + 2.0, (backend, elapsed)
    assert got.status in ("time_limit", "optimal")
    if got.status == "time_limit" and got.x is not None:
        assert lp.scaled_violation(got.x) <= 1e-6


@pytest.mark.slow
@pytest.mark.parametrize("backend", [b for b in ("highs", "pulp:CBC", "pulp:HiGHS",
                                                 "cvxpy:HIGHS", "portfolio")
                                     if b in available_backends()])
def test_the_100x100_pricing_file_answers_within_seven_seconds(backend):
    # issue #11: `--time-limit 5` on data/pricing/uniform_100x100.json (2.0e6 non-zeros)
    # returns within 7 s on every backend (in-process here: the interpreter's own start-up,
    # ~0.6 s, is outside; from a shell 6.2-6.9 s wall were measured at load 2-3)
    from tests.contract import check_contract, run_solve

    t0 = time.perf_counter()
    out = check_contract(run_solve(ROOT / "data/pricing/uniform_100x100.json",
                                   "--backend", backend, "--time-limit", "5"))
    elapsed = time.perf_counter() - t0
    assert elapsed <= 7.0, (backend, elapsed)
    assert out.rc == 1 and out.status == "time_limit"
    assert out.result["bound"] >= out.result["objective"] > 0
