"""A-posteriori checks of a backend's answer: never trust a solver's word alone.

:func:`check` runs on the *scaled* model of :mod:`solver.opt.scaling` (objective and rows of
order one), so every tolerance below is relative to the data's scale.  Before a result may
keep status ``optimal`` it must pass:

1. **point**: the point satisfies every row, bound and integrality within
   :data:`~solver.tolerances.CERT_FEASIBILITY` (scaled violation);
2. **objective**: the objective the backend reported (where it reports one) equals the
   objective recomputed from the point, within :data:`~solver.tolerances.CERT_OBJECTIVE`;
3. **bound**: the best bound lies on the right side of the objective (``>=`` for a
   maximisation, ``<=`` for a minimisation) and the relative gap is at most
   :data:`~solver.tolerances.CERT_GAP`;
4. **duals** (LPs and convex QPs whose backend returns duals): the duals are dual feasible
   and the dual objective (:func:`dual_bound`, a valid bound by weak duality) is within
   :data:`~solver.tolerances.CERT_GAP` of the objective.

A failed check turns ``optimal`` into ``error`` (exit 1) with a message naming it; a
``time_limit`` result whose bound lies on the wrong side loses the bound.  What ran is
recorded in ``Solution.extra["checks"]``.
"""

from __future__ import annotations

import numpy as np

from ..tolerances import CERT_FEASIBILITY, CERT_GAP, CERT_OBJECTIVE
from .problem import LinearProgram
from .result import Solution, relative_gap


def dual_bound(p: LinearProgram, x: np.ndarray,
               duals: dict[str, np.ndarray]) -> tuple[float, float]:
    """Weak-duality bound from ``duals`` and the dual infeasibility of those duals.

    Duals are sensitivities of the objective in the problem's own sense (the convention of
    :class:`~solver.opt.result.Solution`).  Work in the minimisation ``min f(x)`` with
    ``f = sign * objective``.  For a convex ``f`` and any ``x̄``, ``f(x) >= f(x̄) +
    g.(x - x̄)`` with ``g = ∇f(x̄)``, so the Lagrangian dual of that linear minorant bounds the
    optimum from below:

        L = f(x̄) - g.x̄ + b_ub.y_ub + b_eq.y_eq + sum_j min over [lb_j, ub_j] of d_j x_j,
        d = g - A_ub^T y_ub - A_eq^T y_eq,   y_ub <= 0.

    Dual infeasibility is the largest of ``max(y_ub, 0)`` and ``|d_j|`` on a side where
    ``x_j`` is unbounded, relative to ``1 + |g|``; such a ``d_j`` is dropped from ``L``
    (treated as 0), which the returned infeasibility makes visible.

    Returns
    -------
    (bound, infeasibility)
        The bound in the problem's own sense (a lower bound for ``min``, an upper bound for
        ``max``), and the dual infeasibility.
    """
    sign = 1.0 if p.sense == "min" else -1.0
    yu = sign * np.asarray(duals.get("ub", np.zeros(0)), dtype=float).reshape(-1)
    ye = sign * np.asarray(duals.get("eq", np.zeros(0)), dtype=float).reshape(-1)
    if yu.shape[0] != p.A_ub.shape[0] or ye.shape[0] != p.A_eq.shape[0]:
        return float("nan"), float("inf")
    g = sign * p.c
    fx = sign * (p.objective_value(x) - p.offset)
    if p.is_quadratic:
        g = g + sign * (p.Q @ x)
    d = g - p.A_ub.T @ yu - p.A_eq.T @ ye
    scale = 1.0 + float(np.max(np.abs(g), initial=0.0))
    infeas = float(np.max(yu, initial=0.0)) / scale
    pos, neg = d > 0, d < 0
    bad = (pos & ~np.isfinite(p.lb)) | (neg & ~np.isfinite(p.ub))
    if bad.any():
        infeas = max(infeas, float(np.max(np.abs(d[bad]))) / scale)
    d = np.where(bad, 0.0, d)
    lbf = np.where(np.isfinite(p.lb), p.lb, 0.0)
    ubf = np.where(np.isfinite(p.ub), p.ub, 0.0)
    box = float(np.sum(np.where(d > 0, d * lbf, d * ubf)))
    L = fx - float(g @ x) + float(p.b_ub @ yu) + float(p.b_eq @ ye) + box
    return sign * L + p.offset, infeas


def check(p: LinearProgram, sol: Solution, reported_objective: float | None = None) -> Solution:
    """Check ``sol`` against the scaled model ``p`` (module docstring); return the verdict."""
    checks: dict[str, object] = {}
    failures: list[str] = []
    if sol.status not in ("optimal", "time_limit") or sol.x is None:
        return sol
    x = np.asarray(sol.x, dtype=float)
    viol = p.scaled_violation(x)
    checks["point_violation"] = viol
    if viol > CERT_FEASIBILITY:
        failures.append(f"the point violates the model by {viol:.3g} (scaled; allowed "
                        f"{CERT_FEASIBILITY:g})")
    obj = p.objective_value(x)
    if reported_objective is not None and np.isfinite(reported_objective):
        err = abs(reported_objective - obj) / max(1.0, abs(obj))
        checks["objective_error"] = err
        if err > CERT_OBJECTIVE:
            failures.append(f"the reported objective {reported_objective:.10g} differs from "
                            f"the point's {obj:.10g} (relative {err:.3g})")
    bound = sol.bound
    sign = 1.0 if p.sense == "max" else -1.0
    if np.isfinite(bound):
        wrong = sign * (obj - bound) / max(1.0, abs(obj))
        checks["bound_side"] = wrong
        if wrong > CERT_GAP:
            failures.append(f"the bound {bound:.10g} is on the wrong side of the objective "
                            f"{obj:.10g} for a {'maximisation' if sign > 0 else 'minimisation'}")
    gap = relative_gap(obj, bound)
    if sol.status == "optimal":
        checks["gap"] = gap
        if gap > CERT_GAP:
            failures.append(f"status optimal with a relative gap of {gap:.3g} (bound "
                            f"{bound:.10g}, objective {obj:.10g})")
        if sol.duals is not None and not p.is_mip:
            dbound, dinf = dual_bound(p, x, sol.duals)
            dgap = relative_gap(obj, dbound)
            checks["dual_infeasibility"] = dinf
            checks["duality_gap"] = dgap
            if dinf > CERT_FEASIBILITY or dgap > CERT_GAP:
                failures.append(f"the duals do not certify the objective (dual "
                                f"infeasibility {dinf:.3g}, duality gap {dgap:.3g})")
    extra = {**sol.extra, "checks": checks}
    if not failures:
        return Solution(sol.status, sol.x, obj, bound, gap if sol.status == "optimal"
                        else sol.gap, sol.backend, sol.seconds, sol.duals, sol.message, extra)
    why = "; ".join(failures)
    extra["check_failed"] = why
    if sol.status == "optimal":
        return Solution("error", sol.x, obj, bound, gap, sol.backend, sol.seconds, sol.duals,
                        f"certificate check failed: {why} ({sol.message})", extra)
    # time_limit: a wrong-side bound is dropped; a violating point is screened elsewhere
    bad_bound = any("wrong side" in f for f in failures)
    nb = float("nan") if bad_bound else bound
    return Solution(sol.status, sol.x, obj, nb, relative_gap(obj, nb), sol.backend,
                    sol.seconds, None, f"{sol.message} ({why})", extra)
