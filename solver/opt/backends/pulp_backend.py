"""PuLP with CBC (bundled) or HiGHS (through highspy): ``pulp:CBC``, ``pulp:HiGHS``.

PuLP builds the model row by row in Python, so it is the slowest to set up; its value is an
independent branch-and-bound code (CBC) for cross-checking MILPs.
"""

from __future__ import annotations

import time
import warnings

import numpy as np

from ...tolerances import MIP_GAP
from ..problem import LinearProgram
from ..result import Solution, relative_gap
from .base import Backend

_SOLVER_CLASSES = {"CBC": "PULP_CBC_CMD", "HiGHS": "HiGHS", "GLPK": "GLPK_CMD"}


class PulpBackend(Backend):
    """PuLP with a named solver (``"CBC"`` by default).

    Status comes from PuLP's ``sol_status`` (not ``status``), which separates a proven
    optimum from an integer-feasible incumbent at the time limit.  PuLP does not expose the
    best bound, so a time-limited solve reports ``bound = nan``.
    """

    supports_integer = True
    supports_quadratic = False
    gives_bound = False

    def __init__(self, solver: str = "CBC") -> None:
        if solver not in _SOLVER_CLASSES:
            raise ValueError(f"unknown PuLP solver {solver!r}; known: {sorted(_SOLVER_CLASSES)}")
        self.solver = solver
        self.name = f"pulp:{solver}"

    def _make(self, time_limit: float | None, options: dict | None = None):
        import pulp

        # PuLP 3.x deprecates the bundled-CBC class for 4.0 (pinned below 4 in pyproject).
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"pulp\..*")
        cls = getattr(pulp, _SOLVER_CLASSES[self.solver])
        kw = {"msg": False}
        if time_limit is not None:
            kw["timeLimit"] = float(time_limit)
        if self.solver in ("CBC", "HiGHS"):
            kw["gapRel"] = MIP_GAP  # HiGHS' own default (1e-4) is too loose for "optimal"
        kw.update(options or {})
        return cls(**kw)

    def is_installed(self) -> bool:
        try:
            return bool(self._make(None).available())
        except Exception:
            return False

    def solve(self, problem: LinearProgram, time_limit: float | None = None,
              options: dict | None = None) -> Solution:
        import pulp

        p = problem
        n = p.n_vars
        prob = pulp.LpProblem("m", pulp.LpMinimize if p.sense == "min" else pulp.LpMaximize)
        xs = []
        for j in range(n):
            lo = None if not np.isfinite(p.lb[j]) else float(p.lb[j])
            hi = None if not np.isfinite(p.ub[j]) else float(p.ub[j])
            cat = pulp.LpInteger if p.integrality[j] else pulp.LpContinuous
            xs.append(prob.add_variable(f"x{j}", lowBound=lo, upBound=hi, cat=cat))
        prob += pulp.LpAffineExpression(
            [(xs[j], float(p.c[j])) for j in np.flatnonzero(p.c)]) + float(p.offset)
        names_ub, names_eq = [], []
        for A, b, kind, names in ((p.A_ub, p.b_ub, "u", names_ub), (p.A_eq, p.b_eq, "e", names_eq)):
            A = A.tocsr()
            for i in range(A.shape[0]):
                lo, hi = A.indptr[i], A.indptr[i + 1]
                row = zip(A.indices[lo:hi], A.data[lo:hi], strict=True)
                expr = pulp.LpAffineExpression([(xs[j], float(v)) for j, v in row])
                nm = f"{kind}{i}"
                prob += (expr <= float(b[i]) if kind == "u" else expr == float(b[i])), nm
                names.append(nm)
        t0 = time.perf_counter()
        try:
            prob.solve(self._make(time_limit, options))
        except Exception as exc:
            return Solution("error", None, float("nan"), float("nan"), float("inf"), self.name,
                            time.perf_counter() - t0, None, f"{type(exc).__name__}: {exc}")
        secs = time.perf_counter() - t0
        ss = prob.sol_status
        vals = [v.varValue for v in xs]
        xv = None if any(v is None for v in vals) else np.asarray(vals, dtype=float)
        objv = p.objective_value(xv) if xv is not None else float("nan")
        if ss == pulp.LpSolutionOptimal and prob.status == pulp.LpStatusOptimal:
            duals = None
            if not p.is_mip:
                get = prob.get_constraint_by_name
                duals = {
                    "ub": np.array([get(nm).pi or 0.0 for nm in names_ub]),
                    "eq": np.array([get(nm).pi or 0.0 for nm in names_eq]),
                }
            return Solution("optimal", xv, objv, objv, 0.0, self.name, secs, duals,
                            pulp.LpStatus[prob.status])
        if ss == pulp.LpSolutionIntegerFeasible or (
                time_limit is not None and secs >= 0.95 * time_limit):
            return Solution("time_limit", xv, objv, float("nan"), relative_gap(objv, float("nan")),
                            self.name, secs, None, pulp.LpStatus[prob.status])
        if ss == pulp.LpSolutionInfeasible or prob.status == pulp.LpStatusInfeasible:
            return Solution("infeasible", None, float("nan"), float("nan"), float("inf"),
                            self.name, secs, None, pulp.LpStatus[prob.status])
        if ss == pulp.LpSolutionUnbounded or prob.status == pulp.LpStatusUnbounded:
            return Solution("unbounded", None, float("nan"), float("nan"), float("inf"),
                            self.name, secs, None, pulp.LpStatus[prob.status])
        return Solution("error", xv, objv, float("nan"), float("inf"), self.name, secs, None,
                        pulp.LpStatus[prob.status])
