"""A certified upper bound on rev^OPT(N) at scale, and the time-limited answer for large
instances.

The LP relaxation of the pairwise MILP [CCK25, eq. (2)] (:func:`~solver.pricing.envy_free.
pairwise_milp`) has ``B (B - 1)`` envy-free rows, most of them slack at the optimum.
:func:`root_bound` starts from the IRB rows and the assignment rows only and adds an EFB row
when the current LP point violates it (:func:`solver.opt.lazy.solve_lazy_lp`, the ``highs``
backend's row generation with warm starts): the final LP has the full LP's optimum, and the
reported bound is the weak-duality bound of its duals (zero on the rows never added), whose
dual feasibility is checked (:data:`~solver.pricing.tolerances.ROOT_DUAL`), not the solver's
word.  The LP is the optimal *lottery* menu, so its gap to rev^OPT is the value of
randomisation (docs/pricing.md).

:func:`bound_and_incumbent` is what a time-limited ``ef_revenue`` runs on instances with at
least :data:`CUTS_MIN_TYPES` buyer types, where the pairwise MILP cannot finish in time: the
root strengthened by valid cuts (:func:`solver.pricing.cuts.cut_bound`) for the bound, and
the best of the single price, local search and a MILP restricted to the few sizes the cut
LP sells most of (:mod:`solver.pricing.restricted`) for the incumbent, each re-evaluated by
:func:`~solver.pricing.envy_free.curve_revenue`; all within the caller's deadline.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..budget import remaining_time
from ..errors import InstanceError
from ..opt import get_backend
from .envy_free import (
    as_valuations,
    curve_revenue,
    merge_identical_buyers,
    model_values,
    pairwise_milp,
    single_price_revenue,
    value_scale,
)
from .tolerances import CHECK, CUT_STALL, ROOT_DUAL

if TYPE_CHECKING:  # pragma: no cover - typing only (cuts.py imports this module)
    from .cuts import CutBound

__all__ = ["GapResult", "RootBound", "bound_and_incumbent", "root_bound"]

#: Most violated EFB rows added per round, per buyer type (measured at uniform 100 x 100:
#: 3,756 of 9,900 rows in 11 rounds, against 6,662 rows when every violated row is added).
ROWS_PER_ROUND = 5
#: ``ef_revenue`` under a time limit computes the root bound first (a third of the budget)
#: from this many buyer types on, where the MILP may not finish its own root in time.
ROOT_MIN_TYPES = 40
#: ... and only with at least this many seconds left (below, building a second model costs
#: more than the bound can gain).
ROOT_MIN_SECONDS = 10.0
#: From this many buyer types on, a time-limited ``ef_revenue`` (``highs``) runs
#: :func:`bound_and_incumbent` (cut rounds, restricted MILP) before the full MILP, which then
#: gets only what is left.  Below it the MILP keeps the whole budget: it proves eq. 11
#: instances up to B = N = 44 in 60 s (49.3 s, load 1.0; at 47 and 50 it stops at 2.4 % and
#: 0.66 %, and the cut path would not prove them either); at B = N = 60 (seed 60, 60 s) the
#: cut path first gave gaps of 1.11 % (uniform) and 2.96 % (eq. 11) against 1.57 % and 3.07 %.
CUTS_MIN_TYPES = 60
#: Share of the time left that the cut rounds may use (they stop earlier when they stall).
CUT_SHARE = 0.75
#: After :func:`bound_and_incumbent`, ``ef_revenue`` still runs the full pairwise MILP when at
#: least this many seconds are left and the cut rounds stopped early (stalled): its
#: incumbent and bound are kept when better (at eq. 11 60 x 60 its incumbent was 0.85 % above
#: the restricted MILP's).  After cut rounds stopped by their time share it is not run: at
#: uniform 100 x 100 its 10 s found no incumbent and took the CLI run to 60.1 s.
MILP_AFTER_CUTS_SECONDS = 10.0
#: Sizes of the restricted MILP (those the cut LP sells most of, always with N).
RESTRICTED_SIZES = 3
#: Time kept back for building the answer: this share of the budget, at least
#: :data:`RESERVE_SECONDS`.
RESERVE_SHARE = 0.03
RESERVE_SECONDS = 0.5


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


def _types(V: np.ndarray, weights: np.ndarray | None, from_one: bool
           ) -> tuple[np.ndarray, np.ndarray]:
    """Validated types and weights: ``V`` merged, or ``V``'s rows as types with ``weights``."""
    V = as_valuations(V, from_one=from_one)
    if weights is None:
        T, w, _ = merge_identical_buyers(V)
        return T, w
    w = np.asarray(weights, dtype=float)
    if w.shape != (V.shape[0],) or not np.all(np.isfinite(w)) or np.any(w < 0):
        raise InstanceError("weights", f"must be {V.shape[0]} finite counts >= 0 (one per "
                            f"row of V), got shape {w.shape}")
    return V, w


def root_bound(V: np.ndarray, *, weights: np.ndarray | None = None,
               time_limit: float | None = None, from_one: bool = False) -> RootBound:
    """The pairwise LP bound on rev^OPT(N) by row generation (module docstring).

    Parameters
    ----------
    V
        Valuations ``(B, N + 1)`` with ``V[:, 0] = 0`` (or rows ``v_j(1..N)`` with
        ``from_one=True``); identical buyers are merged (exact).
    weights
        Numbers of identical buyers each row stands for (the rows are then types and are
        not merged again: merging types again would drop their weights).
    time_limit
        Seconds for the row generation (the bound stays valid when it stops early).

    Returns
    -------
    RootBound
        Scale-invariant: the LP is built on ``V / max |v|`` and the bound scaled back.
    """
    T, w = _types(V, weights, from_one)
    scale = value_scale(T)
    nt = T.shape[0]
    if scale == 0:
        return RootBound("optimal", 0.0, 0, nt * (nt - 1), 0, 0.0, 0.0)
    Tn = model_values(T, scale)
    lp = pairwise_milp(Tn, w).relaxed()
    A = lp.A_ub.tocsr()
    from ..opt.problem import LinearProgram

    base = LinearProgram(c=lp.c, A_ub=A[:nt], b_ub=lp.b_ub[:nt], A_eq=lp.A_eq, b_eq=lp.b_eq,
                         lb=lp.lb, ub=lp.ub, sense="max")
    highs: Any = get_backend("highs")       # the capability is the highs backend's own
    r = highs.solve_lazy(base, A[nt:], lp.b_ub[nt:], time_limit=time_limit,
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


@dataclass
class GapResult:
    """The answer of :func:`bound_and_incumbent`.

    Attributes
    ----------
    bound
        Certified upper bound on rev^OPT(N) (``nan`` if the cut LP failed; then the caller
        falls back on IRB, ``sum_j v_j(N)``).
    objective, curve, source
        The best incumbent: ``curve_revenue(T, curve)`` and what found it.
    incumbents
        Revenue of every incumbent tried, by source.
    cuts
        The :class:`~solver.pricing.cuts.CutBound` (rounds, history), or ``None``.
    seconds, cpu_seconds
        Wall and CPU seconds.
    """

    bound: float
    objective: float
    curve: np.ndarray
    source: str
    incumbents: dict = field(default_factory=dict)
    cuts: CutBound | None = None
    seconds: float = 0.0
    cpu_seconds: float = 0.0

    @property
    def cuts_timed_out(self) -> bool:
        """Whether the cut rounds used all of their share of the time (the bound was still
        improving), rather than stalling, meeting the incumbent or running out of cuts."""
        return self.cuts is not None and self.cuts.status == "time_limit"

    @property
    def message(self) -> str:
        """One line for ``RevenueResult.message``: where the bound and incumbent came from."""
        c = self.cuts
        how = "no cut LP" if c is None else (
            f"pairwise LP root {c.root:.10g} + TH/SD/S1 cuts, {c.rounds} rounds ({c.status})")
        return (f"time limit ({CUTS_MIN_TYPES} or more buyer types): bound from the {how}; "
                f"incumbent from the {self.source}")


def bound_and_incumbent(T: np.ndarray, w: np.ndarray | None = None, *,
                        curve: np.ndarray | None = None,
                        time_limit: float | None = None,
                        stall: float | None = CUT_STALL) -> GapResult:
    """Certified bound and best incumbent for rev^OPT(N) within a time limit (module doc).

    Steps, each within what is left of ``time_limit`` and of the caller's deadline
    (:func:`solver.budget.remaining_time`), minus a reserve for building the answer:

    1. the incumbent ``curve`` passed in (the caller's single price and local search), else
       the best single price;
    2. :func:`~solver.pricing.cuts.cut_bound` for at most :data:`CUT_SHARE` of the time,
       stopping early once it stalls or meets the incumbent;
    3. the pairwise MILP restricted to the :data:`RESTRICTED_SIZES` sizes the cut LP sells
       most of (:func:`~solver.pricing.restricted.restricted_revenue`);
    4. local search from the best curve so far.

    Every incumbent's revenue is recomputed by :func:`~solver.pricing.envy_free.
    curve_revenue`; the best one is returned.

    Parameters
    ----------
    T, w
        Types' valuations ``(nt, N + 1)`` with ``T[:, 0] = 0`` and their weights (default
        one buyer each; rows are not merged).
    curve
        A feasible curve to start from.
    time_limit
        Seconds for everything (``None``: the deadline only; with neither, the cut rounds
        run until they stall).
    stall
        The cut rounds' stall tolerance (:func:`~solver.pricing.cuts.cut_bound`; ``None``:
        until no cut is violated, which makes the bound exactly scale-invariant).
    """
    from .approx import local_search
    from .cuts import cut_bound
    from .restricted import Incumbent, lp_sizes, restricted_revenue

    t0, c0 = time.perf_counter(), time.process_time()
    T, w = _types(T, w, False)
    total = remaining_time(time_limit)
    reserve = 0.0 if total is None else max(RESERVE_SECONDS, RESERVE_SHARE * total)

    def left() -> float | None:
        t = remaining_time(None if total is None else total - (time.perf_counter() - t0))
        return None if t is None else t - reserve

    if curve is None:
        _, curve = single_price_revenue(T, w)
    curve = np.asarray(curve, dtype=float)
    best = Incumbent(curve_revenue(T, curve, weights=w), curve, "single price / local search")
    tried = {best.source: best.revenue}
    cuts = None
    budget = left()
    if budget is None or budget > 0:
        cuts = cut_bound(T, weights=w, time_limit=None if budget is None else CUT_SHARE * budget,
                         target=best.revenue * (1.0 + CHECK), stall=stall)
    bound = cuts.bound if cuts is not None else float("nan")
    budget = left()
    if cuts is not None and cuts.x is not None and cuts.model is not None \
            and (budget is None or budget > 0):
        sizes = lp_sizes(cuts.model.size_mass(cuts.x), RESTRICTED_SIZES)
        got = restricted_revenue(T, w, sizes, time_limit=budget)
        if got is not None:
            tried[got.source] = got.revenue
            if got.revenue > best.revenue:
                best = got
    budget = left()
    if budget is None or budget > 0:
        q = local_search(T, q0=best.curve, weights=w, time_budget=budget)
        r = curve_revenue(T, q, weights=w)
        tried["local search from the best"] = r
        if r > best.revenue:
            best = Incumbent(r, q, f"local search from the {best.source}")
    return GapResult(float(bound), float(best.revenue), best.curve, best.source, tried, cuts,
                     time.perf_counter() - t0, time.process_time() - c0)
