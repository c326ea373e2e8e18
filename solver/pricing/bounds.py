"""A certified upper bound on rev^OPT(N) at scale: the row-generated pairwise LP root.

The LP relaxation of the pairwise MILP [CCK25, eq. (2)] (:func:`~solver.pricing.envy_free.
pairwise_milp`) has ``B (B - 1)`` envy-free rows, most of them slack at the optimum.
:func:`root_bound` starts from the IRB rows and the assignment rows only and adds an EFB row
when the current LP point violates it (:func:`solver.opt.lazy.solve_lazy_lp`, the ``highs``
backend's row generation with warm starts): the final LP has the full LP's optimum, and the
reported bound is the weak-duality bound of its duals (zero on the rows never added), whose
dual feasibility is checked (:data:`~solver.pricing.tolerances.ROOT_DUAL`), not the solver's
word.  The LP is the optimal *lottery* menu, so its gap to rev^OPT is the value of
randomisation (docs/pricing.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..opt import get_backend
from .envy_free import as_valuations, merge_identical_buyers, pairwise_milp, value_scale
from .tolerances import MODEL_ZERO, ROOT_DUAL

__all__ = ["RootBound", "root_bound"]

#: Most violated EFB rows added per round, per buyer type (measured at uniform 100 x 100:
#: 3,756 of 9,900 rows in 11 rounds, against 6,662 rows when every violated row is added).
ROWS_PER_ROUND = 5
#: ``ef_revenue`` under a time limit computes the root bound first (a third of the budget)
#: from this many buyer types on, where the MILP may not finish its own root in time.
ROOT_MIN_TYPES = 40
#: ... and only with at least this many seconds left (below, building a second model costs
#: more than the bound can gain).
ROOT_MIN_SECONDS = 10.0


@dataclass
class RootBound:
    """The certified root bound.

    Attributes
    ----------
    status
        ``"optimal"`` (the full pairwise LP's optimum), ``"time_limit"`` /
        ``"iteration_limit"`` (rows still violated; the bound is valid but weaker) or
        ``"error"`` (no dual-feasible bound: ``bound`` is ``nan``).
    bound
        Upper bound on rev^OPT(N), in the valuations' units.
    rows_added, rows_total
        EFB rows in the final LP and in the full LP.
    rounds, seconds, dual_infeasibility
        Re-solves, wall time, and the relative dual infeasibility behind ``bound``.
    """

    status: str
    bound: float
    rows_added: int
    rows_total: int
    rounds: int
    seconds: float
    dual_infeasibility: float


def root_bound(V: np.ndarray, *, time_limit: float | None = None,
               from_one: bool = False) -> RootBound:
    """The pairwise LP bound on rev^OPT(N) by row generation (module docstring).

    Parameters
    ----------
    V
        Valuations ``(B, N + 1)`` with ``V[:, 0] = 0`` (or rows ``v_j(1..N)`` with
        ``from_one=True``); identical buyers are merged (exact).
    time_limit
        Seconds for the row generation (the bound stays valid when it stops early).

    Returns
    -------
    RootBound
        Scale-invariant: the LP is built on ``V / max |v|`` and the bound scaled back.
    """
    V = as_valuations(V, from_one=from_one)
    T, w, _ = merge_identical_buyers(V)
    scale = value_scale(T)
    nt = T.shape[0]
    if scale == 0:
        return RootBound("optimal", 0.0, 0, nt * (nt - 1), 0, 0.0, 0.0)
    Tn = T / scale
    Tn[Tn < MODEL_ZERO] = 0.0
    lp = pairwise_milp(Tn, w).relaxed()
    A = lp.A_ub.tocsr()
    from ..opt.problem import LinearProgram

    base = LinearProgram(c=lp.c, A_ub=A[:nt], b_ub=lp.b_ub[:nt], A_eq=lp.A_eq, b_eq=lp.b_eq,
                         lb=lp.lb, ub=lp.ub, sense="max")
    r = get_backend("highs").solve_lazy(base, A[nt:], lp.b_ub[nt:], time_limit=time_limit,
                                        per_round=ROWS_PER_ROUND * nt)
    status, bound = r.status, r.bound * scale
    if not np.isfinite(r.bound) or not r.dual_infeasibility <= ROOT_DUAL:
        status, bound = "error", float("nan")
    elif status == "infeasible":
        status, bound = "error", float("nan")
    # IRB caps every bound at sum_j w_j v_j(N)
    if np.isfinite(bound):
        bound = min(bound, float(w @ T[:, -1]))
    return RootBound(status, float(bound), int(r.rows_added.size), nt * (nt - 1), r.rounds,
                     r.seconds, float(r.dual_infeasibility))
