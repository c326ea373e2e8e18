"""Profit OPT (eq. 1, 3) and Algorithm 1.

``OPT = max_N rev^OPT(N) - c_1 N`` (eq. 3: the cheapest contributor collects everything).

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

    Candidates are visited in decreasing order of ``U(N) - c_1 N``; a candidate is skipped
    when ``min(U(N), rev^OPT(N')) - c_1 N`` (``N'`` the smallest solved size ``>= N``) cannot
    beat the incumbent, and the search stops once ``U(N) - c_1 N`` cannot.  ``N = 0``
    (profit 0) is included, as eq. 3 maximises over all of ``N``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..opt.result import relative_gap
from .envy_free import RevenueResult, curve_revenue, ef_revenue, purchases
from .tolerances import FEAS

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


def search_bound(V: np.ndarray, c1: float) -> int:
    """Algorithm 1's range ``floor(|B| / c_1)``, capped by the valuations' largest ``N``."""
    B, n = V.shape
    if c1 <= 0:
        return n - 1
    return int(min(n - 1, np.floor(B / c1 + FEAS)))


def algorithm1(V: np.ndarray, c1: float, A: OIPAlgorithm) -> dict:
    """Algorithm 1 as written (section 2.2).

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
    best = None
    profits = {}
    for N in range(1, search_bound(V, c1) + 1):
        Vn = V[:, :N + 1]
        q = np.asarray(A(Vn), dtype=float)
        m = purchases(Vn, q)
        prof = float(q[m].sum()) - c1 * N
        profits[N] = prof
        if best is None or prof > best["profit"] + FEAS:
            best = {"N": N, "sizes": m, "prices": q[m], "curve": q, "profit": prof}
    if best is None:  # no N in range: collect nothing
        best = {"N": 0, "sizes": np.zeros(V.shape[0], int), "prices": np.zeros(V.shape[0]),
                "curve": np.zeros(1), "profit": 0.0}
    best["profits"] = profits
    return best


def exact_oip(backend: str = "auto", time_limit: float | None = None) -> OIPAlgorithm:
    """The exact MILP as an ordered-item pricing algorithm ``A`` (its Lemma 1 curve)."""
    def A(Vn: np.ndarray) -> np.ndarray:
        return ef_revenue(Vn, backend=backend, time_limit=time_limit).curve
    return A


def profit_opt(V: np.ndarray, c1: float, backend: str = "auto",
               time_limit: float | None = None, method: str = "fast") -> ProfitResult:
    """OPT (eq. 3) with the supply ``N`` attaining it.

    ``method="fast"``: best-first search (module docstring); ``"algorithm1"``: every ``N`` in
    Algorithm 1's range with the exact MILP.  ``time_limit`` is a total budget; a
    time-limited inner solve makes the result ``time_limit`` with a valid bound.
    """
    t0 = time.perf_counter()
    V = np.asarray(V, dtype=float)
    hi = search_bound(V, c1)
    Ns = np.arange(0, hi + 1)
    U = V[:, Ns].sum(axis=0)
    solved: dict[int, RevenueResult] = {}
    limited = False
    best_N, best_val, best_res = 0, 0.0, None
    extra_bound = 0.0
    if method == "fast":
        order = [int(N) for N in Ns[np.argsort(-(U - c1 * Ns), kind="stable")]]
    elif method == "algorithm1":
        order = [int(N) for N in Ns]
    else:
        raise ValueError(f"unknown method {method!r}")
    backend_name = backend
    for N in order:
        if N == 0:
            continue
        ub = U[N] - c1 * N
        if method == "fast":
            if ub <= best_val + FEAS:
                break
            above = [solved[k].objective for k in solved if k >= N
                     and solved[k].status == "optimal"]
            if above and min(above) - c1 * N <= best_val + FEAS:
                continue
        left = None if time_limit is None else max(0.01, time_limit - (time.perf_counter() - t0))
        res = ef_revenue(V[:, :N + 1], backend=backend, time_limit=left)
        backend_name = res.backend
        solved[N] = res
        if res.status != "optimal":
            limited = True
            extra_bound = max(extra_bound, res.bound - c1 * N)
        val = res.objective - c1 * N
        if val > best_val + FEAS:
            best_N, best_val, best_res = N, val, res
    bound = max(best_val, extra_bound)
    status = "time_limit" if limited else "optimal"
    return ProfitResult(status, best_val, bound,
                        relative_gap(best_val, bound) if limited else 0.0, best_N, best_res,
                        backend_name, time.perf_counter() - t0, len(solved),
                        {k: v.objective - c1 * k for k, v in sorted(solved.items())})


def profit_of_curve(V: np.ndarray, q: np.ndarray, c1: float) -> float:
    """``rev-bar(N, q) - c_1 N`` for a curve of length ``N + 1``."""
    return curve_revenue(V[:, :len(q)], q) - c1 * (len(q) - 1)
