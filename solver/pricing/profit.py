"""Profit OPT [CCK25, eq. (1), (3)] and [CCK25, Algorithm 1].

``OPT = max_N rev^OPT(N) - c_1 N`` (eq. (3): the cheapest contributor collects everything).
``c_1`` is the cheapest contributor's cost *per data point* (not a total), ``>= 0``;
valuations are rows ``v_j(0..N)`` with ``v_j(0) = 0`` (validated).

Two searches over ``N``:

:func:`algorithm1`
    Algorithm 1 as written: for ``N = 1, ..., floor(|B| / c_1)`` run an ordered-item pricing
    algorithm ``A`` and keep the best ``rev-bar(N, q_N) - c_1 N``.  The range is also capped
    by the largest ``N`` the valuations define.
:func:`profit_opt` (``method="fast"``)
    Exact best-first search that solves far fewer MILPs.  It relies on two facts, both proved
    here and tested in ``tests/pricing``:

    1. *Monotonicity*: ``rev^OPT(N) <= rev^OPT(N')`` for ``N <= N'`` (``EF(N) ⊆ EF(N')``).
    2. *IRB bound*: ``rev^OPT(N) <= U(N) = sum_j v_j(N)`` (``p_j <= v_j(m_j) <= v_j(N)``).

    For ``N`` in an interval ``(a, b)`` whose right end is solved,
    ``profit(N) <= min(rev^OPT(b), U(N)) - c_1 N``; intervals whose bound cannot beat the
    incumbent are pruned, others are split (see :func:`profit_opt`).  When revenue saturates
    this needs ``O(log N)`` MILPs instead of Algorithm 1's ``|B| / c_1``.  ``N = 0``
    (profit 0) is included, as eq. 3 maximises over all of ``N``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..budget import check_deadline, remaining_time
from ..errors import InstanceError, TimeLimitReached
from .envy_free import (
    RevenueResult,
    as_valuations,
    curve_revenue,
    ef_revenue,
    purchases,
    revenue_gap,
    value_scale,
)
from .tolerances import FEAS

#: Slack of the count ``|B| / c_1`` when it is floored (a ratio of two given numbers).
RANGE_SLACK = 1e-9

OIPAlgorithm = Callable[[np.ndarray], np.ndarray]


@dataclass
class ProfitResult:
    """Profit optimum with certificate and the chosen supply ``N``."""

    status: str
    objective: float
    bound: float
    gap: float
    supply: int
    revenue: RevenueResult | None
    backend: str
    seconds: float
    n_solves: int
    table: dict[int, float] = field(default_factory=dict)
    message: str = ""
    formulation: str = ""


def _check_cost(c1: float) -> float:
    """``c1`` as a float, refused unless a finite cost per data point ``>= 0``."""
    if isinstance(c1, bool) or not isinstance(c1, int | float | np.integer | np.floating) \
            or not np.isfinite(c1) or c1 < 0:
        raise InstanceError("c1", f"must be a finite cost per data point >= 0 (the cheapest "
                            f"contributor's), got {c1!r}")
    return float(c1)


def search_bound(V: np.ndarray, c1: float) -> int:
    """Algorithm 1's range ``floor(|B| / c_1)``, capped by the valuations' largest ``N``."""
    B, n = V.shape
    if c1 <= 0:
        return n - 1
    return int(min(n - 1, np.floor(B / c1 + RANGE_SLACK)))


def profit_range(V: np.ndarray, c1: float) -> int:
    """Largest ``N`` that can be profitable: ``rev^OPT(N) <= sum_j v_j(N) <= U = sum_j
    v_j(N_max)``, so ``profit(N) < 0 = profit(0)`` for ``N > U / c_1``.

    Free of the data's units (``U / c_1`` is a ratio of two money amounts), unlike
    Algorithm 1's ``|B| / c_1`` (which assumes values in ``[0, 1]``); capped by both.
    """
    hi = search_bound(V, c1)
    if c1 <= 0:
        return hi
    U = float(V[:, -1].sum())
    return int(min(hi, np.floor(U / c1 * (1.0 + RANGE_SLACK))))


def algorithm1(V: np.ndarray, c1: float, A: OIPAlgorithm) -> dict:
    """Algorithm 1 as written [CCK25, Section 2.2, Algorithm 1].

    Parameters
    ----------
    V
        Valuations ``(B, N_max + 1)``.
    c1
        Cheapest contributor's cost.
    A
        Ordered-item pricing algorithm: ``A(V[:, :N+1]) -> q`` (curve of length ``N + 1``).

    Returns
    -------
    dict
        ``N``: ``N^+``; ``sizes``: ``m_j^+``; ``prices``: ``q_j^+``; ``curve``: ``q_{N^+}``;
        ``profit``: ``sum_j q_j^+ - c_1 N^+``; ``profits``: ``profit_N`` for every ``N``.
    """
    c1 = _check_cost(c1)
    V = as_valuations(V)
    tol = FEAS * value_scale(V)
    best = None
    profits = {}
    for N in range(1, search_bound(V, c1) + 1):
        check_deadline("running Algorithm 1")
        Vn = V[:, :N + 1]
        q = np.asarray(A(Vn), dtype=float)
        m = purchases(Vn, q)
        prof = float(q[m].sum()) - c1 * N
        profits[N] = prof
        if best is None or prof > best["profit"] + tol:
            best = {"N": N, "sizes": m, "prices": q[m], "curve": q, "profit": prof}
    if best is None:  # no N in range: collect nothing
        best = {"N": 0, "sizes": np.zeros(V.shape[0], int), "prices": np.zeros(V.shape[0]),
                "curve": np.zeros(1), "profit": 0.0}
    best["profits"] = profits
    return best


def exact_oip(backend: str = "auto", time_limit: float | None = None) -> OIPAlgorithm:
    """The exact rev^OPT(N) as an ordered-item pricing algorithm ``A`` (its Lemma 1 curve):
    the single-crossing DP where it applies, else the MILP (``ef_revenue``'s ``"auto"``)."""
    def A(Vn: np.ndarray) -> np.ndarray:
        return ef_revenue(Vn, backend=backend, time_limit=time_limit).curve
    return A


def profit_opt(V: np.ndarray, c1: float, backend: str = "auto",
               time_limit: float | None = None, method: str = "fast",
               formulation: str = "auto") -> ProfitResult:
    """OPT [CCK25, eq. (3)] with the supply ``N`` attaining it.

    ``method="fast"``: interval branch-and-bound over ``N`` (module docstring) on
    ``N <= U / c_1`` (:func:`profit_range`): solve the largest ``N`` first; an open interval
    ``(a, b)`` with ``rev^OPT(b)`` known is pruned when
    ``max_{a<N<b} min(rev^OPT(b), U(N)) - c_1 N`` cannot beat the incumbent, else it is split
    at the middle of the sizes that still could.  ``"algorithm1"``: every ``N`` in Algorithm
    1's range with the exact MILP.  ``time_limit`` is a total budget (model building
    included, capped by the deadline of :mod:`solver.budget`): when it runs out the search
    stops, and the sizes it did not settle enter the bound through ``U(N) - c_1 N`` (or the
    interval bound), so the result is ``time_limit`` with a valid bound.  An inner solve that
    ends in ``error`` makes the result ``error`` (its message in :attr:`ProfitResult.message`).

    ``formulation`` is that of :func:`~solver.pricing.envy_free.ef_revenue` for every inner
    rev^OPT(N): the default ``"auto"`` runs the single-crossing DP at every ``N`` where it
    applies (:mod:`solver.pricing.single_crossing`), the MILP elsewhere;
    :attr:`ProfitResult.formulation` names what ran (``"dp+pairwise"`` if both did).
    """
    from ..budget import limits

    if method not in ("algorithm1", "fast"):
        raise InstanceError("method", f"must be fast or algorithm1, got {method!r}")
    t0 = time.perf_counter()
    c1 = _check_cost(c1)
    V = as_valuations(V)
    scale = value_scale(V)
    tol = FEAS * scale
    hi = search_bound(V, c1) if method == "algorithm1" else profit_range(V, c1)
    U = V.sum(axis=0)[:hi + 1]
    solved: dict[int, RevenueResult] = {}
    state: dict[str, Any] = {"best_N": 0, "best": 0.0, "res": None, "limited": False,
                             "extra": 0.0, "backend": backend, "error": ""}
    ran: set[str] = set()

    def out_of_time() -> bool:
        left = remaining_time()
        if left is not None and left <= 0:
            state["limited"] = True
            return True
        return False

    def run(N: int) -> float:
        res = ef_revenue(V[:, :N + 1], backend=backend, formulation=formulation)
        solved[N] = res
        state["backend"] = res.backend
        ran.add(res.method)
        if res.status == "error":
            state["error"] = state["error"] or f"N = {N}: {res.message}"
            return float(U[N])
        if res.status != "optimal":
            state["limited"] = True
            state["extra"] = max(state["extra"], res.bound - c1 * N)
        val = res.objective - c1 * N
        if val > state["best"] + tol:
            state.update(best_N=N, best=val, res=res)
        # an upper bound on rev^OPT(N) usable for smaller sizes
        return res.bound if res.status != "optimal" else res.objective

    with limits(time_limit=time_limit):
        try:
            if method == "algorithm1":
                for N in range(1, hi + 1):
                    if out_of_time():
                        rest = np.arange(N, hi + 1)
                        state["extra"] = max(state["extra"], float(np.max(U[rest] - c1 * rest)))
                        break
                    run(N)
            elif hi >= 1:
                stack = [(0, hi, run(hi))]
                while stack:
                    a, b, rev_b = stack.pop()
                    if b - a < 2:
                        continue
                    Ns = np.arange(a + 1, b)
                    ub = np.minimum(rev_b, U[Ns]) - c1 * Ns
                    live = Ns[ub > state["best"] + tol]
                    if live.size == 0:
                        continue
                    if out_of_time():
                        state["extra"] = max([state["extra"], float(ub.max())] + [
                            float(np.max(np.minimum(r, U[a2 + 1:b2]) - c1 * np.arange(a2 + 1, b2)))
                            for a2, b2, r in stack if b2 - a2 >= 2])
                        break
                    mid = int(live[len(live) // 2])
                    rev_mid = run(mid)
                    stack.append((mid, b, rev_b))
                    stack.append((a, mid, rev_mid))
        except TimeLimitReached:
            state["limited"] = True
            state["extra"] = max(state["extra"], float(np.max(U - c1 * np.arange(hi + 1))))
    best = state["best"]
    bound = max(best, state["extra"])
    status = "error" if state["error"] else "time_limit" if state["limited"] else "optimal"
    return ProfitResult(status, best, bound if status != "error" else float("nan"),
                        revenue_gap(best, bound, scale) if status != "optimal" else 0.0,
                        state["best_N"], state["res"], state["backend"],
                        time.perf_counter() - t0, len(solved),
                        {k: v.objective - c1 * k for k, v in sorted(solved.items())},
                        message=state["error"],
                        formulation="+".join(sorted(ran)) if ran else formulation)


def profit_of_curve(V: np.ndarray, q: np.ndarray, c1: float) -> float:
    """``rev-bar(N, q) - c_1 N`` for a curve of length ``N + 1``."""
    return curve_revenue(V[:, :len(q)], q) - c1 * (len(q) - 1)
