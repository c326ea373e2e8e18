"""Row generation for LPs with many rows: a capability of the ``highs`` backend.

:func:`solve_lazy_lp` solves the LP relaxation of ``problem`` (integrality ignored) subject
also to the *lazy* rows ``A_lazy x <= b_lazy``, adding a lazy row only when the current
point violates it, and re-solving from the previous basis (HiGHS's dual simplex warm start
after ``addRows``; ``highspy`` directly, since ``scipy.optimize.linprog`` cannot add rows).

Validity.  Dropping rows of a maximisation relaxes it, so every restricted optimum is an
upper bound of the full LP; the bound reported is not the solver's word but the weak-duality
bound :func:`solver.opt.certificate.dual_bound` of the final restricted LP's duals, extended
by 0 on the rows never added (``y = 0`` is a feasible dual for them), with its dual
infeasibility.  When the final point violates no lazy row (within ``tol``), it is optimal
for the full LP and the bound equals the full LP's optimum.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from .certificate import dual_bound
from .problem import LinearProgram

__all__ = ["LazyResult", "solve_lazy_lp"]

#: Violation (in the units of the rows) below which a lazy row counts as satisfied.
LAZY_TOL = 1e-9


@dataclass
class LazyResult:
    """Outcome of :func:`solve_lazy_lp`.

    Attributes
    ----------
    status
        ``"optimal"`` (no lazy row violated: the full LP's optimum), ``"time_limit"`` or
        ``"iteration_limit"`` (rows still violated: ``bound`` is valid, ``x`` may not be
        feasible for the full LP), ``"infeasible"`` / ``"error"``.
    bound
        The weak-duality bound of the final restricted LP (an upper bound for ``max``).
    objective
        The restricted LP's optimum as HiGHS reports it.
    dual_infeasibility
        Of the duals behind ``bound`` (relative, :func:`~solver.opt.certificate.dual_bound`).
    x
        The final point; ``rows_added``: indices of the lazy rows in the model;
        ``rounds``; ``seconds``; ``max_violation`` of the lazy rows at ``x``.
    """

    status: str
    bound: float
    objective: float
    dual_infeasibility: float
    x: np.ndarray | None
    rows_added: np.ndarray
    rounds: int
    seconds: float
    max_violation: float


def _quiet_highs() -> object:
    """A ``highspy.Highs`` whose construction prints nothing: the first one of a process
    writes a banner to file descriptor 1, which would corrupt ``solver solve --json``."""
    import highspy

    sys.stdout.flush()
    saved = os.dup(1)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    try:
        return highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(null)


def _add_rows(h: object, A: sp.csr_matrix, b: np.ndarray) -> None:
    A = sp.csr_matrix(A)
    h.addRows(A.shape[0], np.full(A.shape[0], -np.inf), np.asarray(b, dtype=float),  # type: ignore[attr-defined]
              A.nnz, A.indptr[:-1].astype(np.int32), A.indices.astype(np.int32),
              A.data.astype(float))


def solve_lazy_lp(problem: LinearProgram, A_lazy: sp.spmatrix, b_lazy: np.ndarray, *,
                  initial: np.ndarray | None = None, tol: float = LAZY_TOL,
                  per_round: int | None = None, max_rounds: int = 200,
                  time_limit: float | None = None) -> LazyResult:
    """LP relaxation of ``problem`` plus lazy rows ``A_lazy x <= b_lazy``, by row generation.

    Parameters
    ----------
    problem
        The base model (its integrality is ignored; ``Q`` must be absent).
    A_lazy, b_lazy
        The lazy rows (``<=`` rows over the same variables).
    initial
        Indices of lazy rows to add before the first solve.
    tol
        Violation below which a lazy row is satisfied.
    per_round
        Most violated rows added per round (default: all violated rows).
    max_rounds, time_limit
        Stop after that many re-solves or seconds (the bound stays valid).

    Returns
    -------
    LazyResult
        With the certified bound (module docstring).
    """
    import highspy

    if problem.is_quadratic:
        raise ValueError("solve_lazy_lp takes linear programs only")
    t0 = time.perf_counter()
    A_lazy = sp.csr_matrix(A_lazy)
    b_lazy = np.asarray(b_lazy, dtype=float)
    n = problem.n_vars
    h: Any = _quiet_highs()
    h.setOptionValue("output_flag", False)
    h.addVars(n, problem.lb.astype(float), problem.ub.astype(float))
    h.changeColsCost(n, np.arange(n, dtype=np.int32), problem.c.astype(float))
    if problem.sense == "max":
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    if problem.A_ub.shape[0]:
        _add_rows(h, problem.A_ub, problem.b_ub)
    if problem.A_eq.shape[0]:
        Aeq = sp.csr_matrix(problem.A_eq)
        h.addRows(Aeq.shape[0], problem.b_eq.astype(float), problem.b_eq.astype(float),
                  Aeq.nnz, Aeq.indptr[:-1].astype(np.int32), Aeq.indices.astype(np.int32),
                  Aeq.data.astype(float))
    m_ub, m_eq = problem.A_ub.shape[0], problem.A_eq.shape[0]
    added = np.zeros(0, dtype=int) if initial is None else np.unique(np.asarray(initial, int))
    if added.size:
        _add_rows(h, A_lazy[added], b_lazy[added])
    in_model = np.zeros(A_lazy.shape[0], dtype=bool)
    in_model[added] = True
    status, rounds, x, viol_max = "iteration_limit", 0, None, np.inf
    while rounds < max_rounds:
        if time_limit is not None:
            left = time_limit - (time.perf_counter() - t0)
            if left <= 0:
                status = "time_limit"
                break
            h.setOptionValue("time_limit", float(left))
        h.run()
        rounds += 1
        ms = h.getModelStatus()
        if ms == highspy.HighsModelStatus.kInfeasible:
            status = "infeasible"
            break
        if ms != highspy.HighsModelStatus.kOptimal:
            status = "time_limit" if ms == highspy.HighsModelStatus.kTimeLimit else "error"
            break
        x = np.asarray(h.getSolution().col_value)
        viol = A_lazy @ x - b_lazy
        viol[in_model] = -np.inf
        viol_max = float(viol.max(initial=-np.inf))
        new = np.flatnonzero(viol > tol)
        if new.size == 0:
            status = "optimal"
            viol_max = max(viol_max, 0.0) if np.isfinite(viol_max) else 0.0
            break
        if per_round is not None and new.size > per_round:
            new = new[np.argsort(-viol[new])[:per_round]]
        _add_rows(h, A_lazy[new], b_lazy[new])
        in_model[new] = True
        added = np.concatenate([added, new])
    sol = h.getSolution()
    obj = float(h.getInfo().objective_function_value)
    bound, infeas = float("nan"), float("inf")
    if x is not None and sol.dual_valid:
        rd = np.asarray(sol.row_dual)
        restricted = LinearProgram(
            c=problem.c, A_ub=sp.vstack([problem.A_ub, A_lazy[added]]).tocsr(),
            b_ub=np.concatenate([problem.b_ub, b_lazy[added]]), A_eq=problem.A_eq,
            b_eq=problem.b_eq, lb=problem.lb, ub=problem.ub, sense=problem.sense)
        # highspy's row duals are d(objective)/d(rhs) in the model's sense (the convention
        # of solver.opt.result.Solution): ub rows first, then eq rows, then the lazy rows
        duals = {"ub": np.concatenate([rd[:m_ub], rd[m_ub + m_eq:]]),
                 "eq": rd[m_ub:m_ub + m_eq]}
        xs = np.asarray(sol.col_value)
        bound, infeas = dual_bound(restricted, xs, duals)
    return LazyResult(status, bound, obj, infeas, x, added, rounds,
                      time.perf_counter() - t0, viol_max)
