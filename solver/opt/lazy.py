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

:func:`solve_cutting_planes` is its sibling for cuts that are *separated*, not listed: a
callback returns the rows that the current point violates (a cut family too large to write
down, e.g. one row per subset), which are added and re-solved from the previous basis in
rounds; rows that have been slack with a zero dual for a few rounds are deleted again (a
smaller LP re-solves faster; a deleted row can be separated again).  Every round's bound is
the weak-duality bound of that round's LP, so every round's bound is valid for the problem
whenever every separated row is valid for it; the reported bound is the smallest of them.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from .certificate import dual_bound
from .problem import LinearProgram

__all__ = ["CutResult", "CutRound", "Cuts", "LazyResult", "solve_cutting_planes",
           "solve_lazy_lp"]

#: Violation (in the units of the rows) below which a lazy row counts as satisfied.
LAZY_TOL = 1e-9
#: A separated row counts as slack when its activity is below its right-hand side by more
#: than this (relative to ``1 + |rhs|``) ...
ROW_SLACK = 1e-9
#: ... and its dual is at most this (relative to ``1 + max |c|``).
ZERO_DUAL = 1e-12
#: Largest dual infeasibility (:func:`~solver.opt.certificate.dual_bound`, relative) of the
#: sign-projected duals behind a cutting-plane round's bound for the bound to count.
CUT_DUAL = 1e-9


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


def _set_time_limit(h: Any, seconds: float) -> None:
    """Give the next ``h.run()`` ``seconds``: HiGHS compares ``time_limit`` with its run
    clock, which accumulates over the runs of one ``Highs`` object (a limit of ``left``
    seconds stopped the 19th round of a 40 s cut loop after 1.6 s), so the limit is that
    clock plus ``seconds``."""
    h.setOptionValue("time_limit", float(h.getRunTime()) + float(seconds))


def _resolve(h: Any, t0: float, time_limit: float | None) -> tuple[int, str]:
    """One (warm-started) re-solve of ``h`` within what is left of ``time_limit`` since
    ``t0``: ``(1 if it ran else 0, "" if optimal else the status)`` -- ``"time_limit"``
    (none left, or HiGHS stopped on it), ``"infeasible"`` or ``"error"``."""
    import highspy

    if time_limit is not None:
        left = time_limit - (time.perf_counter() - t0)
        if left <= 0:
            return 0, "time_limit"
        _set_time_limit(h, left)
    h.run()
    ms = h.getModelStatus()
    if ms == highspy.HighsModelStatus.kOptimal:
        return 1, ""
    return 1, {highspy.HighsModelStatus.kInfeasible: "infeasible",
               highspy.HighsModelStatus.kTimeLimit: "time_limit"}.get(ms, "error")


def _load(problem: LinearProgram) -> Any:
    """A quiet ``highspy.Highs`` holding ``problem``'s LP relaxation: the ``<=`` rows first,
    then the equality rows."""
    import highspy

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
    return h


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
    if problem.is_quadratic:
        raise ValueError("solve_lazy_lp takes linear programs only")
    t0 = time.perf_counter()
    A_lazy = sp.csr_matrix(A_lazy)
    b_lazy = np.asarray(b_lazy, dtype=float)
    h = _load(problem)
    m_ub, m_eq = problem.A_ub.shape[0], problem.A_eq.shape[0]
    added = np.zeros(0, dtype=int) if initial is None else np.unique(np.asarray(initial, int))
    if added.size:
        _add_rows(h, A_lazy[added], b_lazy[added])
    in_model = np.zeros(A_lazy.shape[0], dtype=bool)
    in_model[added] = True
    status, rounds, x, viol_max = "iteration_limit", 0, None, np.inf
    while rounds < max_rounds:
        ran, failed = _resolve(h, t0, time_limit)
        rounds += ran
        if failed:
            status = failed
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


# ----------------------------------------------------------------------------- separated cuts
@dataclass
class Cuts:
    """Rows ``A x <= b`` returned by a separation callback of :func:`solve_cutting_planes`.

    Attributes
    ----------
    A, b
        The rows, over all the problem's variables.
    removable
        Whether the rows may be deleted again once slack (cuts); ``False`` for rows of the
        model itself that are only generated lazily (they stay once added).
    """

    A: sp.spmatrix
    b: np.ndarray
    removable: bool = True


#: A separation callback: the current point to the violated rows, or ``None`` when the
#: point violates none of the families it separates.
Separation = Callable[[np.ndarray], "Cuts | None"]


@dataclass
class CutRound:
    """One round of :func:`solve_cutting_planes`: after the LP re-solve.

    Attributes
    ----------
    round, seconds, cpu_seconds
        Round number (1 = first solve) and the wall and CPU seconds since the start.
    bound
        The certified bound of this round's LP (``nan`` if its duals failed the check).
    objective
        This round's LP optimum as HiGHS reports it.
    rows, added, removed
        Separated rows in the LP when it was solved, rows added and deleted after it.
    """

    round: int
    seconds: float
    cpu_seconds: float
    bound: float
    objective: float
    rows: int
    added: int = 0
    removed: int = 0


@dataclass
class CutResult:
    """Outcome of :func:`solve_cutting_planes`.

    Attributes
    ----------
    status
        ``"optimal"`` (the last point violates no separated family: the bound is the LP
        optimum over all of their rows), ``"stalled"`` (the bound improved by less than the
        stall tolerance), ``"target"`` (the bound reached the target), ``"time_limit"``,
        ``"iteration_limit"`` (rounds), ``"infeasible"`` or ``"error"``.  All but the last
        two carry a valid ``bound``.
    bound
        The smallest certified round bound (an upper bound for ``max``, a lower bound for
        ``min``); ``nan`` when no round was certified.
    dual_infeasibility
        Of the raw duals behind ``bound`` (the sign projection removes it, see
        :func:`solve_cutting_planes`).
    x
        The point of the round behind ``bound``.
    rounds, seconds, cpu_seconds, history
        Re-solves, wall and CPU seconds, and one :class:`CutRound` per solve.
    rows, added
        Separated rows in the final LP, and added over all rounds.
    """

    status: str
    bound: float
    objective: float
    dual_infeasibility: float
    x: np.ndarray | None
    rounds: int
    seconds: float
    cpu_seconds: float
    rows: int
    added: int
    history: list[CutRound] = field(default_factory=list)


def _certified_bound(problem: LinearProgram, rows: sp.csr_matrix, rhs: np.ndarray,
                     x: np.ndarray, rd: np.ndarray, m_ub: int, m_eq: int
                     ) -> tuple[float, float, float]:
    """Weak-duality bound of ``problem`` plus ``rows`` from HiGHS's row duals ``rd``.

    The duals of the ``<=`` rows are first projected onto their sign cone (``>= 0`` for
    ``max``, ``<= 0`` for ``min``), so the Lagrangian bound of
    :func:`~solver.opt.certificate.dual_bound` is valid for *any* duals when every
    variable is boxed; returns ``(bound, infeasibility of the projected duals (non-zero only
    on unbounded columns), infeasibility of the raw duals)``.
    """
    sgn = 1.0 if problem.sense == "max" else -1.0
    ub = np.concatenate([rd[:m_ub], rd[m_ub + m_eq:]])
    eq = rd[m_ub:m_ub + m_eq]
    model = LinearProgram(c=problem.c, A_ub=sp.vstack([problem.A_ub, rows]).tocsr(),
                          b_ub=np.concatenate([problem.b_ub, rhs]), A_eq=problem.A_eq,
                          b_eq=problem.b_eq, lb=problem.lb, ub=problem.ub, sense=problem.sense)
    _, raw = dual_bound(model, x, {"ub": ub, "eq": eq})
    bound, infeas = dual_bound(model, x, {"ub": sgn * np.maximum(sgn * ub, 0.0), "eq": eq})
    return bound, infeas, raw


def solve_cutting_planes(problem: LinearProgram, separate: Separation, *,
                         time_limit: float | None = None, max_rounds: int = 10_000,
                         stall_tol: float | None = None, stall_rounds: int = 3,
                         target: float | None = None, max_age: int = 2,
                         dual_tol: float = CUT_DUAL) -> CutResult:
    """LP relaxation of ``problem`` tightened by separated rows, in warm-started rounds.

    Each round solves the LP (dual simplex from the previous basis after ``addRows``),
    certifies its bound, deletes the removable rows that have been slack with a zero dual
    for ``max_age`` consecutive rounds, and asks ``separate`` for the rows the point
    violates; it stops when there are none, or on a stopping rule below.

    Certificate.  A round's bound is the weak-duality bound of its LP
    (:func:`~solver.opt.certificate.dual_bound`) from HiGHS's duals projected onto their
    sign cone (a wrong-signed dual of a ``<=`` row is set to 0), so with every variable
    boxed it is valid whatever the duals' accuracy; the projected duals' feasibility is
    checked (``dual_tol``: non-zero only through unbounded columns) and a round that fails
    has no bound.  Whenever every row ``separate`` returns is valid for the problem, every
    round's bound is a valid bound of the problem; the smallest is reported (normally the
    last: deleting slack rows can raise a later round's bound slightly).

    Parameters
    ----------
    problem
        The base model (integrality ignored; ``Q`` must be absent).
    separate
        Callback ``x -> Cuts | None`` (:data:`Separation`).
    time_limit
        Seconds for everything (HiGHS gets what is left in each round).
    max_rounds
        Most LP solves.
    stall_tol, stall_rounds
        Stop (status ``"stalled"``) when the bound improved by less than ``stall_tol``
        times ``max(1, |bound|)`` per round on average over the last ``stall_rounds``
        certified rounds (``None``: never); only rounds after the last non-removable rows
        were added count (those are the model's own rows, still being generated).
    target
        Stop (status ``"target"``) once the bound is at or past it (e.g. an incumbent).
    max_age
        Rounds a removable row may stay slack with a zero dual before it is deleted.
    dual_tol
        See Certificate.

    Returns
    -------
    CutResult
    """
    if problem.is_quadratic:
        raise ValueError("solve_cutting_planes takes linear programs only")
    t0, c0 = time.perf_counter(), time.process_time()
    n = problem.n_vars
    sgn = 1.0 if problem.sense == "max" else -1.0
    h = _load(problem)
    m_ub, m_eq = problem.A_ub.shape[0], problem.A_eq.shape[0]
    base = m_ub + m_eq
    cscale = 1.0 + float(np.max(np.abs(problem.c), initial=0.0))
    rows = sp.csr_matrix((0, n))
    rhs = np.zeros(0)
    removable = np.zeros(0, dtype=bool)
    age = np.zeros(0, dtype=int)
    history: list[CutRound] = []
    best, best_x, best_inf, obj = float("nan"), None, float("inf"), float("nan")
    status, added_total, rounds = "iteration_limit", 0, 0
    fixed = 0          # the stall rule counts the rounds after the last non-removable rows
    while rounds < max_rounds:
        ran, failed = _resolve(h, t0, time_limit)
        rounds += ran
        if failed:
            status = failed
            break
        sol = h.getSolution()
        x = np.asarray(sol.col_value)
        obj = float(h.getInfo().objective_function_value)
        bound = float("nan")
        rd = np.asarray(sol.row_dual) if sol.dual_valid else None
        if rd is not None:
            b, infeas, raw = _certified_bound(problem, rows, rhs, x, rd, m_ub, m_eq)
            if np.isfinite(b) and infeas <= dual_tol:
                bound = b
                if not np.isfinite(best) or sgn * (best - b) > 0:
                    best, best_x, best_inf = b, x, raw
        history.append(CutRound(rounds, time.perf_counter() - t0, time.process_time() - c0,
                                bound, obj, rows.shape[0]))
        if target is not None and np.isfinite(best) and sgn * (best - target) <= 0:
            status = "target"
            break
        if stall_tol is not None:
            done = [r.bound for r in history[fixed:] if np.isfinite(r.bound)]
            if len(done) > stall_rounds:
                gain = sgn * (done[-stall_rounds - 1] - min(done[-stall_rounds:],
                                                           key=lambda v: sgn * v))
                if gain < stall_tol * stall_rounds * max(1.0, abs(best)):
                    status = "stalled"
                    break
        # delete removable rows slack with a zero dual for max_age rounds
        if rows.shape[0] and rd is not None:
            act = np.asarray(sol.row_value)[base:]
            slack = (rhs - act > ROW_SLACK * (1.0 + np.abs(rhs))) \
                & (np.abs(rd[base:]) <= ZERO_DUAL * cscale)
            age = np.where(slack & removable, age + 1, 0)
            drop = np.flatnonzero(age >= max_age)
            if drop.size:
                h.deleteRows(int(drop.size), (base + drop).astype(np.int32))
                keep = np.ones(rows.shape[0], dtype=bool)
                keep[drop] = False
                rows, rhs, removable, age = rows[keep], rhs[keep], removable[keep], age[keep]
                history[-1].removed = int(drop.size)
        cuts = separate(x)
        if cuts is None or cuts.A.shape[0] == 0:
            status = "optimal"
            break
        A = sp.csr_matrix(cuts.A)
        b_new = np.asarray(cuts.b, dtype=float)
        _add_rows(h, A, b_new)
        rows = sp.vstack([rows, A]).tocsr()
        rhs = np.concatenate([rhs, b_new])
        removable = np.concatenate([removable, np.full(A.shape[0], bool(cuts.removable))])
        age = np.concatenate([age, np.zeros(A.shape[0], dtype=int)])
        added_total += A.shape[0]
        history[-1].added = int(A.shape[0])
        if not cuts.removable:
            fixed = len(history)
    if not np.isfinite(best) and status not in ("infeasible", "time_limit"):
        status = "error"
    return CutResult(status, best, obj, best_inf, best_x, rounds, time.perf_counter() - t0,
                     time.process_time() - c0, int(rows.shape[0]), added_total, history)
