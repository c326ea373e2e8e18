"""PuLP with CBC (bundled) or HiGHS (through highspy): ``pulp:CBC``, ``pulp:HiGHS``.

PuLP builds the model row by row in Python, so it is the slowest to set up; its value is an
independent branch-and-bound code (CBC) for cross-checking MILPs.
"""

from __future__ import annotations

import decimal
import os
import re
import tempfile
import time
import warnings
from typing import Any

import numpy as np

from ...tolerances import MIP_GAP, TIME_LIMIT_FRACTION
from ..problem import LinearProgram
from ..result import Solution, minimised_bound, relative_gap
from .base import Backend

_SOLVER_CLASSES = {"CBC": "PULP_CBC_CMD", "HiGHS": "HiGHS", "GLPK": "GLPK_CMD"}
_CBC_BEST_POSSIBLE = re.compile(r"best possible\s+([-+0-9.eE]+)")


def cbc_log_bound(log: str, maximize: bool) -> float:
    """The best bound in a CBC log, in the model's own sense, rounded outward.

    CBC minimises (a maximisation is run as ``-max``, i.e. on the negated objective) and
    prints its bound as ``best possible <v>`` in that internal sense, to a fixed number of
    digits.  The last such value is turned back to the model's sense and moved outward by
    one unit in its last printed digit, so the rounding never makes the bound invalid.
    The objective constant is not included (CBC never sees it).  Returns ``nan`` when the
    log has no bound (e.g. stopped before the root LP finished).
    """
    found = _CBC_BEST_POSSIBLE.findall(log)
    if not found:
        return float("nan")
    try:
        d = decimal.Decimal(found[-1])
    except decimal.InvalidOperation:
        return float("nan")
    v = float(d)
    if not np.isfinite(v) or abs(v) >= 1e49:     # CBC's "no bound" sentinel is 1e50
        return float("nan")
    ulp = 10.0 ** int(d.as_tuple().exponent)
    return -v + ulp if maximize else v - ulp


class PulpBackend(Backend):
    """PuLP with a named solver (``"CBC"`` by default).

    Status comes from PuLP's ``sol_status`` (not ``status``), which separates a proven
    optimum from an integer-feasible incumbent at the time limit.  PuLP does not expose the
    best bound of a stopped MILP, so it is read from the solver: CBC's log
    (:func:`cbc_log_bound`, written to a temporary file unless ``options`` name a
    ``logPath``) or HiGHS's ``mip_dual_bound``.  It is ``nan`` when the solver stopped before
    it had one.
    """

    supports_integer = True
    supports_quadratic = False
    gives_bound = True
    #: PuLP builds the model in Python before the solver's clock starts.
    honours_time_limit = False

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
        kw: dict[str, Any] = {"msg": False}
        if time_limit is not None:
            kw["timeLimit"] = float(time_limit)
        if self.solver in ("CBC", "HiGHS"):
            kw["gapRel"] = MIP_GAP  # HiGHS' own default (1e-4) is too loose for "optimal"
            kw["gapAbs"] = MIP_GAP  # on the scaled model (objective ~1), so relative too
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
        names_ub: list[str] = []
        names_eq: list[str] = []
        for A, b, kind, names in ((p.A_ub, p.b_ub, "u", names_ub), (p.A_eq, p.b_eq, "e", names_eq)):
            A = A.tocsr()
            for i in range(A.shape[0]):
                lo, hi = A.indptr[i], A.indptr[i + 1]
                row = zip(A.indices[lo:hi], A.data[lo:hi], strict=True)
                expr = pulp.LpAffineExpression([(xs[j], float(v)) for j, v in row])
                nm = f"{kind}{i}"
                prob += (expr <= float(b[i]) if kind == "u" else expr == float(b[i])), nm
                names.append(nm)
        options = dict(options or {})
        own_log = None
        if self.solver == "CBC" and p.is_mip and "logPath" not in options:
            fd, own_log = tempfile.mkstemp(prefix="solver-cbc-", suffix=".log")
            os.close(fd)
            options["logPath"] = own_log
        t0 = time.perf_counter()
        try:
            prob.solve(self._make(time_limit, options))
        except Exception as exc:
            return Solution.failed(self.name, time.perf_counter() - t0,
                                   f"{type(exc).__name__}: {exc}")
        finally:
            bound = self._stopped_bound(prob, options.get("logPath"), p)
            if own_log is not None:
                os.unlink(own_log)
        secs = time.perf_counter() - t0
        ss = prob.sol_status
        vals = [v.varValue for v in xs]
        xv = None if any(v is None for v in vals) else np.asarray(vals, dtype=float)
        objv = p.objective_value(xv) if xv is not None else float("nan")
        try:
            reported = float(pulp.value(prob.objective))
        except (TypeError, ValueError):
            reported = float("nan")
        if ss == pulp.LpSolutionOptimal and prob.status == pulp.LpStatusOptimal:
            duals = None
            if not p.is_mip:
                get = prob.get_constraint_by_name
                # PuLP's HiGHS interface hands a maximisation to HiGHS negated and returns
                # HiGHS's duals of that minimisation unchanged: their sign is flipped
                # (found by the dual check of solver.opt.certificate).
                flip = -1.0 if (self.solver == "HiGHS" and p.sense == "max") else 1.0
                duals = {
                    "ub": flip * np.array([get(nm).pi or 0.0 for nm in names_ub]),
                    "eq": flip * np.array([get(nm).pi or 0.0 for nm in names_eq]),
                }
            return Solution("optimal", xv, objv, objv, 0.0, self.name, secs, duals,
                            pulp.LpStatus[prob.status], {"solver_objective": reported})
        if ss == pulp.LpSolutionIntegerFeasible or (
                time_limit is not None and secs >= TIME_LIMIT_FRACTION * time_limit):
            return Solution("time_limit", xv, objv, bound, relative_gap(objv, bound),
                            self.name, secs, None, pulp.LpStatus[prob.status])
        if ss == pulp.LpSolutionInfeasible or prob.status == pulp.LpStatusInfeasible:
            return Solution.failed(self.name, secs, pulp.LpStatus[prob.status], status="infeasible")
        if ss == pulp.LpSolutionUnbounded or prob.status == pulp.LpStatusUnbounded:
            return Solution.failed(self.name, secs, pulp.LpStatus[prob.status], status="unbounded")
        return Solution("error", xv, objv, float("nan"), float("inf"), self.name, secs, None,
                        pulp.LpStatus[prob.status])

    def _stopped_bound(self, prob, log_path: str | None, problem: LinearProgram) -> float:
        """Best bound of a stopped MILP in the model's sense (``nan`` if the solver has none).

        Neither solver sees the objective constant (PuLP keeps it to itself), so it is
        added here.
        """
        if self.solver == "CBC" and log_path:
            try:
                with open(log_path, encoding="utf-8", errors="replace") as fh:
                    return cbc_log_bound(fh.read(), problem.sense == "max") + problem.offset
            except OSError:
                return float("nan")
        model = getattr(prob, "solverModel", None)
        if self.solver == "HiGHS" and model is not None:
            return minimised_bound(float(model.getInfo().mip_dual_bound), problem)
        return float("nan")
