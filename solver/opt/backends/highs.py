"""HiGHS through ``scipy.optimize.linprog`` (LPs, with duals) and ``scipy.optimize.milp``."""

from __future__ import annotations

import time
import warnings

import numpy as np
import scipy.optimize as so

from ...tolerances import MIP_GAP
from ..problem import LinearProgram
from ..result import Solution, minimised_bound, relative_gap
from .base import Backend


class HighsScipy(Backend):
    """scipy's bundled HiGHS: LP via ``linprog(method="highs")``, MILP via ``milp``.

    A time-limited MILP returns its incumbent (if any) with HiGHS's dual bound
    (``mip_dual_bound``) and status ``"time_limit"``.
    """

    name = "highs"
    supports_integer = True
    supports_quadratic = False
    gives_bound = True
    #: HiGHS overran a 4.3 s limit by 0.5-2.4 s on the 2.0e6-non-zero 100 x 100 pricing MILP
    #: (load 1-4 on 2 cores): about 1 s per 1e6 non-zeros.
    overrun_per_nonzero = 1e-6
    #: Row generation with warm starts (:func:`solver.opt.lazy.solve_lazy_lp`, highspy).
    supports_lazy_rows = True

    def solve_lazy(self, problem: LinearProgram, A_lazy, b_lazy, **kwargs):  # noqa: ANN001
        """LP relaxation of ``problem`` with lazy rows ``A_lazy x <= b_lazy`` added when
        violated (:func:`solver.opt.lazy.solve_lazy_lp`; ``kwargs`` are its options)."""
        from ..lazy import solve_lazy_lp

        return solve_lazy_lp(problem, A_lazy, b_lazy, **kwargs)

    #: Separated cutting planes with warm starts and slack-row deletion
    #: (:func:`solver.opt.lazy.solve_cutting_planes`, highspy).
    supports_cutting_planes = True

    def solve_cuts(self, problem: LinearProgram, separate, **kwargs):  # noqa: ANN001
        """LP relaxation of ``problem`` tightened in rounds by the rows ``separate(x)``
        returns (:func:`solver.opt.lazy.solve_cutting_planes`; ``kwargs`` are its options),
        with a certified bound per round."""
        from ..lazy import solve_cutting_planes

        return solve_cutting_planes(problem, separate, **kwargs)

    def is_installed(self) -> bool:  # scipy is a core dependency
        return True

    def solve(self, problem: LinearProgram, time_limit: float | None = None,
              options: dict | None = None) -> Solution:
        sign = -1.0 if problem.sense == "max" else 1.0
        c = sign * problem.c
        t0 = time.perf_counter()
        if problem.is_mip:
            return self._milp(problem, c, sign, time_limit, t0, options or {})
        return self._lp(problem, c, sign, time_limit, t0, options or {})

    def _lp(self, p: LinearProgram, c, sign, time_limit, t0, extra: dict) -> Solution:
        opts = {"presolve": True, **extra}
        if time_limit is not None:
            opts["time_limit"] = float(time_limit)
        res = so.linprog(
            c,
            A_ub=p.A_ub if p.A_ub.shape[0] else None,
            b_ub=p.b_ub if p.A_ub.shape[0] else None,
            A_eq=p.A_eq if p.A_eq.shape[0] else None,
            b_eq=p.b_eq if p.A_eq.shape[0] else None,
            bounds=np.column_stack([p.lb, p.ub]),
            method="highs",
            options=opts,
        )
        secs = time.perf_counter() - t0
        status = {0: "optimal", 1: "time_limit", 2: "infeasible", 3: "unbounded"}.get(
            res.status, "error")
        x = res.x if res.x is not None else None
        if status == "optimal":
            obj = p.objective_value(x)
            duals = {
                "ub": sign * np.asarray(res.ineqlin.marginals) if p.A_ub.shape[0] else np.zeros(0),
                "eq": sign * np.asarray(res.eqlin.marginals) if p.A_eq.shape[0] else np.zeros(0),
            }
            return Solution("optimal", x, obj, obj, 0.0, self.name, secs, duals, res.message,
                            {"solver_objective": p.offset + sign * float(res.fun)})
        obj = p.objective_value(x) if x is not None else float("nan")
        return Solution(status, x, obj, float("nan"), float("inf"), self.name, secs, None,
                        res.message)

    def _milp(self, p: LinearProgram, c, sign, time_limit, t0, extra: dict) -> Solution:
        cons = []
        if p.A_ub.shape[0]:
            cons.append(so.LinearConstraint(p.A_ub, -np.inf, p.b_ub))
        if p.A_eq.shape[0]:
            cons.append(so.LinearConstraint(p.A_eq, p.b_eq, p.b_eq))
        # mip_abs_gap is not one of scipy's names; scipy passes it to HiGHS verbatim (with a
        # warning, silenced below).  On the scaled model (objective ~1) it is relative too.
        opts: dict = {"mip_rel_gap": MIP_GAP, "mip_abs_gap": MIP_GAP, "presolve": True,
                      **extra}
        if time_limit is not None:
            opts["time_limit"] = float(time_limit)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Unrecognized options detected")
            res = so.milp(
                c,
                constraints=cons or None,
                integrality=p.integrality.astype(int),
                bounds=so.Bounds(p.lb, p.ub),
                options=opts,
            )
        secs = time.perf_counter() - t0
        x = None if res.x is None else np.asarray(res.x)
        if x is not None:
            x = np.where(p.integrality, np.round(x), x)
        obj = p.objective_value(x) if x is not None else float("nan")
        bound = minimised_bound(getattr(res, "mip_dual_bound", None), p)
        if res.status == 0:
            bound = bound if np.isfinite(bound) else obj
            gap = relative_gap(obj, bound)
            return Solution("optimal", x, obj, bound, gap, self.name, secs, None, res.message,
                            {"solver_objective": p.offset + sign * float(res.fun)})
        if res.status == 1:
            return Solution("time_limit", x, obj, bound, relative_gap(obj, bound), self.name,
                            secs, None, res.message)
        status = {2: "infeasible", 3: "unbounded"}.get(res.status, "error")
        return Solution(status, x, obj, bound, float("inf"), self.name, secs, None, res.message)


