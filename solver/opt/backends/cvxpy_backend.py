"""cvxpy, with any solver it has installed (``cvxpy:CLARABEL``, ``cvxpy:HIGHS``, ...).

cvxpy gives an independent modelling path (its own canonicalisation) and interior-point
solvers (CLARABEL), which makes it a useful second opinion on HiGHS.  It is also the
library's quadratic-programming backend.
"""

from __future__ import annotations

import functools
import time
import warnings

import numpy as np
import scipy.sparse as sp

from ...tolerances import MIP_GAP, TIME_LIMIT_FRACTION
from ..problem import LinearProgram
from ..result import Solution, minimised_bound, relative_gap
from .base import Backend

#: Interior-point tolerances asked of CLARABEL (absolute gap, relative gap, feasibility).
IPM_TOL = 1e-9
#: Solvers known to handle integer variables, when cvxpy has them installed.
MIP_SOLVERS = ("HIGHS", "SCIP", "GUROBI", "CPLEX", "MOSEK", "GLPK_MI", "CBC", "XPRESS", "COPT")
#: Solvers known to handle convex QPs.
QP_SOLVERS = ("CLARABEL", "HIGHS", "PIQP", "PROXQP", "ECOS", "MOSEK", "GUROBI")
#: Preference order for a plain LP (interior point first: an independent algorithm).
LP_SOLVERS = ("CLARABEL", "HIGHS", "ECOS", "SCIPY", "GLPK")
#: First-order solvers (SCS, OSQP) are deliberately not listed: their answers are approximate
#: and carry no optimality certificate (OSQP also crashed the interpreter on LPs with
#: numpy 2.4).  A named request for one is refused; this guard is for custom lists.
APPROXIMATE = ("SCS", "OSQP")


@functools.cache
def _installed() -> tuple[str, ...]:
    """cvxpy's installed solvers, looked up once per process: ``cp.installed_solvers()``
    probes every solver's import (~7 ms a call, measured at 58 % of a small sampling solve,
    which asks it several times per backend choice)."""
    try:
        import cvxpy as cp
    except ImportError:  # pragma: no cover - cvxpy is a core dependency
        return ()
    return tuple(cp.installed_solvers())


def _solver_options(solver: str, problem: LinearProgram, time_limit: float | None) -> dict:
    """Keyword arguments for ``Problem.solve``: the time limit, and for MIPs the library's gap
    (solver defaults, e.g. HiGHS' 1e-4, are too loose for a result labelled optimal)."""
    gap = MIP_GAP if problem.is_mip else None
    t = None if time_limit is None else float(time_limit)
    if solver == "CLARABEL":
        # Interior point to 1e-9 (defaults 1e-8) on the scaled model, so that its optimum
        # agrees with the simplex backends' to 1e-7 relative.
        opts = {"tol_gap_abs": IPM_TOL, "tol_gap_rel": IPM_TOL, "tol_feas": IPM_TOL}
        return {**opts, **({"time_limit": t} if t is not None else {})}
    if solver == "HIGHS" and problem.is_mip:
        out = {"mip_rel_gap": gap, "mip_abs_gap": gap}
        return {**out, **({"time_limit": t} if t is not None else {})}
    if solver == "SCIP":
        params = {"limits/time": t, "limits/gap": gap}
        params = {k: v for k, v in params.items() if v is not None}
        return {"scip_params": params} if params else {}
    names: tuple[str | None, str | None] = {
        "HIGHS": ("time_limit", "mip_rel_gap"), "CLARABEL": ("time_limit", None),
        "GUROBI": ("TimeLimit", "MIPGap")}.get(solver, (None, None))
    pairs = ((names[0], t), (names[1], gap))
    return {k: v for k, v in pairs if k is not None and v is not None}


def _stopped_bound(prob, solver: str, problem: LinearProgram) -> float:
    """Best bound of a stopped MILP in the model's sense; ``nan`` where the solver gives none.

    Only HiGHS reports one through cvxpy (``mip_dual_bound`` in ``extra_stats``).
    """
    info = getattr(prob.solver_stats, "extra_stats", None)
    return minimised_bound(getattr(info, "mip_dual_bound", None) if solver == "HIGHS"
                           else None, problem)


class CvxpyBackend(Backend):
    """cvxpy with a named solver, or the best installed one for the model when ``solver=None``."""

    supports_integer = True
    supports_quadratic = True
    gives_bound = False
    #: cvxpy canonicalises in Python, and HiGHS' QP solver ignores the time limit.
    honours_time_limit = False

    def __init__(self, solver: str | None = None) -> None:
        self.solver = solver
        self.name = "cvxpy" if solver is None else f"cvxpy:{solver}"
        self.gives_bound = solver == "HIGHS"     # the only one whose bound cvxpy passes on
        # capability flags per solver (listed by `solver list --json`)
        self.supports_integer = solver is None or solver in MIP_SOLVERS
        self.supports_quadratic = solver is None or solver in QP_SOLVERS

    def is_installed(self) -> bool:
        inst = _installed()
        return bool(inst) if self.solver is None else self.solver in inst

    def _pick(self, problem: LinearProgram) -> str | None:
        inst = _installed()
        if self.solver is not None:
            return self.solver if self.solver in inst else None
        prefs: tuple[str, ...]
        if problem.is_mip:
            prefs = MIP_SOLVERS
        else:
            prefs = QP_SOLVERS if problem.is_quadratic else LP_SOLVERS
        return next((s for s in prefs if s in inst), None)

    def can_solve(self, problem: LinearProgram) -> bool:
        if not super().can_solve(problem):
            return False
        s = self._pick(problem)
        if s is None:
            return False
        if problem.is_mip and s not in MIP_SOLVERS:
            return False
        if problem.is_quadratic and s not in QP_SOLVERS:
            return False
        return True

    def why_not(self, problem: LinearProgram) -> str:
        base = super().why_not(problem)
        if base:
            return base
        s = self._pick(problem)
        if s is None:
            return "no suitable cvxpy solver installed"
        if problem.is_mip and s not in MIP_SOLVERS:
            return f"cvxpy solver {s} does not support integer variables"
        if problem.is_quadratic and s not in QP_SOLVERS:
            return f"cvxpy solver {s} does not support a quadratic objective"
        return ""

    def solve(self, problem: LinearProgram, time_limit: float | None = None,
              options: dict | None = None) -> Solution:
        import cvxpy as cp

        solver = self._pick(problem)
        if solver is None:
            return Solution.failed(self.name, 0.0, "no suitable cvxpy solver installed")
        name = f"cvxpy:{solver}"
        p = problem
        n = p.n_vars
        idx_int = np.flatnonzero(p.integrality)
        idx_con = np.flatnonzero(~p.integrality)
        parts = []
        # cvxpy marks integrality per Variable; scatter a continuous and an integer block
        # into one vector with sparse selection matrices.
        if idx_con.size:
            xc = cp.Variable(idx_con.size)
            Pc = sp.csr_matrix((np.ones(idx_con.size), (idx_con, np.arange(idx_con.size))),
                               shape=(n, idx_con.size))
            parts.append(Pc @ xc)
        if idx_int.size:
            xi = cp.Variable(idx_int.size, integer=True)
            Pi = sp.csr_matrix((np.ones(idx_int.size), (idx_int, np.arange(idx_int.size))),
                               shape=(n, idx_int.size))
            parts.append(Pi @ xi)
        x = parts[0] if len(parts) == 1 else parts[0] + parts[1]
        cons = []
        ub_con = eq_con = None
        if p.A_ub.shape[0]:
            ub_con = p.A_ub @ x <= p.b_ub
            cons.append(ub_con)
        if p.A_eq.shape[0]:
            eq_con = p.A_eq @ x == p.b_eq
            cons.append(eq_con)
        fin_lb = np.isfinite(p.lb)
        fin_ub = np.isfinite(p.ub)
        if fin_lb.any():
            cons.append(x[np.flatnonzero(fin_lb)] >= p.lb[fin_lb])
        if fin_ub.any():
            cons.append(x[np.flatnonzero(fin_ub)] <= p.ub[fin_ub])
        obj = p.c @ x
        if p.is_quadratic:
            assert p.Q is not None
            Q = p.Q if p.sense == "min" else -p.Q
            Qs = 0.5 * (Q + Q.T)
            obj_q = 0.5 * cp.quad_form(x, cp.psd_wrap(Qs))
            obj = obj + obj_q if p.sense == "min" else obj - obj_q
        prob = cp.Problem(cp.Minimize(obj) if p.sense == "min" else cp.Maximize(obj), cons)
        t0 = time.perf_counter()
        try:
            kwargs = _solver_options(solver, problem, time_limit)
            with warnings.catch_warnings():
                # cvxpy warns "may be inaccurate" for a stopped solve; the status says so
                warnings.filterwarnings("ignore", message="Solution may be inaccurate")
                prob.solve(solver=solver, **{**kwargs, **(options or {})})
        except Exception as exc:  # cvxpy raises SolverError on solver crashes
            return Solution.failed(name, time.perf_counter() - t0, f"{type(exc).__name__}: {exc}")
        secs = time.perf_counter() - t0
        st = prob.status
        xv = None if x.value is None else np.asarray(x.value, dtype=float).reshape(-1)
        if xv is not None and idx_int.size:
            xv[idx_int] = np.round(xv[idx_int])
        objv = p.objective_value(xv) if xv is not None else float("nan")
        if st == cp.OPTIMAL and solver not in APPROXIMATE:
            duals = None
            if not p.is_mip:
                duals = {
                    "ub": -np.asarray(ub_con.dual_value).reshape(-1) if ub_con is not None
                    else np.zeros(0),
                    "eq": -np.asarray(eq_con.dual_value).reshape(-1) if eq_con is not None
                    else np.zeros(0),
                }
                if p.sense == "max":
                    duals = {k: -v for k, v in duals.items()}
            reported = (float(prob.value) + p.offset if prob.value is not None
                        else float("nan"))
            return Solution("optimal", xv, objv, objv, 0.0, name, secs, duals, st,
                            {"solver_objective": reported})
        if st in (cp.INFEASIBLE, cp.INFEASIBLE_INACCURATE):
            return Solution.failed(name, secs, st, status="infeasible")
        if st in (cp.UNBOUNDED, cp.UNBOUNDED_INACCURATE):
            return Solution.failed(name, secs, st, status="unbounded")
        stopped = time_limit is not None and secs >= TIME_LIMIT_FRACTION * time_limit
        if st == cp.USER_LIMIT or stopped:
            bound = _stopped_bound(prob, solver, p)
            return Solution("time_limit", xv, objv, bound, relative_gap(objv, bound),
                            name, secs, None, st)
        # OPTIMAL_INACCURATE, or an approximate first-order solver: a value, not a proof.
        return Solution("error", xv, objv, float("nan"), float("inf"), name, secs, None,
                        f"{st} (not proven optimal)")
