"""The pricing problem's own evaluator: recompute a reported answer from its scheme and curve.

:func:`check_answer` is the a-posteriori check of ``solver solve`` for ``pricing`` (run by
:func:`solver.pricing.solve` and ``solver solve`` before a result leaves the library, and by
the fuzz tests on every exit-0 answer).  From the reported ``sizes``, ``prices`` and ``curve`` alone
it recomputes, with the instance's valuations:

* the scheme's revenue ``sum_j p_j`` (exact methods) and IRB/EFB of the scheme
  [CCK25, Section 2.1];
* the curve's revenue under the buyers' choices ([CCK25, eq. (4)] with the largest-size
  tie-break, eq. (5)), which must be at least the scheme's [CCK25, Lemma 1] and, for a
  proven optimum, equal to it (no scheme earns more than rev^OPT);
* an optimum is at least the best single posted price's revenue and at most the IRB bound
  ``sum_j v_j(N)``;
* the bound of a maximisation is not below the objective; ``profit = objective - c_1 N``.

Every comparison is relative: within ``CHECK * max(sum_j v_j(N), max |v|, c_1 N)``
(:data:`~solver.pricing.tolerances.CHECK`), IRB/EFB within ``(FEAS + TIE) * max |v|``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ..opt.result import WITH_POINT
from .envy_free import (
    _purchases,
    curve_revenue,
    is_envy_free,
    single_price_revenue,
    value_scale,
)
from .tolerances import CHECK, FEAS, TIE

if TYPE_CHECKING:  # pragma: no cover - typing only (problem.py imports this module)
    from .problem import PricingInstance

__all__ = ["check_answer"]


def _vector(out: Mapping[str, Any], key: str, length: int) -> np.ndarray | str:
    v = out.get(key)
    try:
        a = np.asarray(v, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        return f"{key} is not a list of numbers"
    if a.shape[0] != length or not np.all(np.isfinite(a)):
        return f"{key} must hold {length} finite numbers, got {a.shape[0]}"
    return a


def _num(out: Mapping[str, Any], key: str) -> float | None:
    v = out.get(key)
    if v is None or isinstance(v, bool) or not isinstance(v, int | float | np.number):
        return None
    return float(v)


def _scheme_checks(V: np.ndarray, out: Mapping[str, Any], exact: bool, revenue: float,
                   tol: float) -> str | None:
    """Checks of one revenue answer on valuations ``V`` (``B x (N + 1)``)."""
    B, n = V.shape
    vecs = {key: _vector(out, key, length)
            for key, length in (("sizes", B), ("prices", B), ("curve", n))}
    for v in vecs.values():
        if isinstance(v, str):
            return v
    sizes, prices, curve = (np.asarray(vecs[k]) for k in ("sizes", "prices", "curve"))
    if np.any(sizes != np.round(sizes)) or np.any(sizes < 0) or np.any(sizes > n - 1):
        return f"sizes must be integers in 0..{n - 1}"
    sizes = sizes.astype(int)
    if curve[0] != 0:
        return f"curve(0) must be 0, got {curve[0]}"
    scale = value_scale(V)
    rc = curve_revenue(V, curve)
    if exact:
        paid = float(prices.sum())
        if abs(paid - revenue) > tol:
            return f"the prices sum to {paid:.12g}, not the reported revenue {revenue:.12g}"
        if not is_envy_free(V, sizes, prices, tol=(FEAS + TIE) * scale):
            return "the reported scheme is not IRB/EFB (eq. 2)"
        if rc < revenue - tol:
            return (f"the curve earns {rc:.12g} under the buyers' choices (eq. 4-5), less "
                    f"than the scheme's {revenue:.12g} (Lemma 1)")
        if out.get("status") == "optimal" and rc > revenue + tol:
            return (f"the curve earns {rc:.12g} under the buyers' choices (eq. 4-5), more "
                    f"than the reported optimum {revenue:.12g}")
        reported = _num(out, "curve_revenue")
        if reported is not None and abs(reported - rc) > tol:
            return f"curve_revenue {reported:.12g} differs from the recomputed {rc:.12g}"
    else:
        if abs(rc - revenue) > tol:
            return (f"the curve earns {rc:.12g} under the buyers' choices (eq. 4-5), not the "
                    f"reported {revenue:.12g}")
        chosen = _purchases(V, curve, TIE * scale)
        if not np.array_equal(chosen, sizes) or np.any(np.abs(prices - curve[sizes]) > tol):
            return "sizes/prices are not the buyers' choices under the curve (eq. 4)"
    upper = float(V[:, -1].sum())
    if revenue > upper + tol:
        return f"revenue {revenue:.12g} exceeds the IRB bound sum_j v_j(N) = {upper:.12g}"
    if exact and out.get("status") == "optimal":
        single = single_price_revenue(V)[0]
        if revenue < single - tol:
            return (f"the reported optimum {revenue:.12g} is below the best single price's "
                    f"revenue {single:.12g}")
    return None


def check_answer(inst: PricingInstance, out: Mapping[str, Any]) -> str | None:
    """Recompute ``out`` (a ``pricing`` result dict) from its scheme; ``None`` if it holds.

    Parameters
    ----------
    inst
        The instance that was solved.
    out
        The JSON-ready result dict (what ``solver solve --json`` prints).

    Returns
    -------
    str or None
        The first failed check as a sentence, or ``None``.  Results with a status outside
        :data:`~solver.opt.result.WITH_POINT` and ``approximate`` (e.g. ``error``) are not
        checked.
    """
    status = out.get("status")
    if status not in (*WITH_POINT, "approximate"):
        return None
    exact = bool(out.get("exact", status != "approximate"))
    obj = _num(out, "objective")
    if obj is None or not np.isfinite(obj):
        return "the objective is not a finite number"
    V = inst.V
    scale = value_scale(V)
    if inst.supply is not None:
        N = inst.supply
        Vn = V[:, :N + 1]
        tol = CHECK * max(float(Vn[:, -1].sum()), scale)
        msg = _scheme_checks(Vn, out, exact, obj, tol)
        if msg:
            return msg
        prof = _num(out, "profit")
        if inst.costs and prof is not None:
            c1 = float(min(inst.costs))
            if abs(prof - (obj - c1 * N)) > CHECK * max(tol, c1 * N):
                return f"profit {prof:.12g} is not objective - c_1 N"
    else:
        got = out.get("supply")
        if isinstance(got, bool) or not isinstance(got, int | np.integer) \
                or not 0 <= got <= inst.N_max:
            return f"supply must be an integer in 0..{inst.N_max}, got {got!r}"
        N = int(got)
        Vn = V[:, :N + 1]
        c1 = float(min(inst.costs or (0.0,)))
        tol = CHECK * max(float(V[:, -1].sum()), scale, c1 * N)
        if exact:
            rev = _num(out, "revenue")
            if rev is None:
                return "revenue is missing"
            if abs(obj - (rev - c1 * N)) > tol:
                return f"objective {obj:.12g} is not revenue - c_1 N = {rev - c1 * N:.12g}"
        else:
            rev = _num(out, "algorithm1_profit")
            if rev is None:
                return "algorithm1_profit is missing"
            if abs(obj - max(rev, 0.0)) > tol:
                return f"objective {obj:.12g} is not max(algorithm1_profit, 0)"
            rev = rev + c1 * N
        if obj < -tol:
            return f"the profit {obj:.12g} is below that of N = 0 (profit 0)"
        if N >= 1:
            msg = _scheme_checks(Vn, out, exact, rev, tol)
            if msg:
                return msg
        elif abs(rev) > tol:
            return f"revenue {rev:.12g} with supply 0 (nothing to sell)"
    bound = _num(out, "bound")
    if status in WITH_POINT:
        if bound is None or not np.isfinite(bound):
            return "a certified result has no finite bound"
        if bound < obj - tol:
            return (f"the bound {bound:.12g} is below the objective {obj:.12g} of a "
                    "maximisation")
    return None
