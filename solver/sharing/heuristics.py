"""Greedy and local-search heuristics over sharing profiles (no guarantee; re-derived;
see docs/sharing.md).

Leakage is not submodular across users (re-derived), and the platform payoff is a
difference of set functions, so neither heuristic has an approximation guarantee; the
benchmark measures their gap against the exact optimum.
"""

from __future__ import annotations

import time

import numpy as np

from .. import budget
from .enumeration import SearchResult
from .objectives import ProfileObjective, evaluate

__all__ = ["greedy", "local_search"]


def greedy(sigma: np.ndarray, obj: ProfileObjective, noise: float = 1.0) -> SearchResult:
    """Forward greedy from the users every optimum may contain (Lemma 3 analogue).

    Starts at ``obj.fix_in_mask()`` and adds the user with the largest improvement while
    some addition improves the value.
    """
    t0 = time.perf_counter()
    cur = obj.fix_in_mask().copy()
    val = evaluate(sigma, cur, obj, noise)
    evals = 1
    while True:
        budget.check_deadline("running greedy over sharing profiles")
        best_gain, best_j = 0.0, -1
        for j in np.flatnonzero(~cur):
            cur[j] = True
            w = evaluate(sigma, cur, obj, noise)
            evals += 1
            cur[j] = False
            if w - val > best_gain + 1e-12:
                best_gain, best_j = w - val, int(j)
        if best_j < 0:
            break
        cur[best_j] = True
        val += best_gain
    val = evaluate(sigma, cur, obj, noise)
    return SearchResult(val, cur, "heuristic:greedy", status="approximate", nodes=evals,
                        seconds=time.perf_counter() - t0)


def local_search(sigma: np.ndarray, obj: ProfileObjective, noise: float = 1.0,
                 start: np.ndarray | None = None, swaps: bool = True) -> SearchResult:
    """Best-improvement local search over all 1-flips and (if ``swaps``) all 2-flips.

    2-flips include swaps and joint additions of two users: buying two correlated users can
    pay only jointly (their data lower each other's prices), which 1-flips cannot see.
    Starts from ``start`` (default: the greedy profile) and stops at a local optimum.
    """
    t0 = time.perf_counter()
    n = sigma.shape[0]
    cur = greedy(sigma, obj, noise).profile if start is None else np.asarray(start, bool).copy()
    val = evaluate(sigma, cur, obj, noise)
    evals = 1
    improved = True
    while improved:
        budget.check_deadline("running local search over sharing profiles")
        improved = False
        best = (val + 1e-12, None)
        moves: list[tuple[int, ...]] = [(j,) for j in range(n)]
        if swaps:
            moves += [(i, j) for i in range(n) for j in range(i + 1, n)]
        for mv in moves:
            cand = cur.copy()
            cand[list(mv)] = ~cand[list(mv)]
            w = evaluate(sigma, cand, obj, noise)
            evals += 1
            if w > best[0]:
                best = (w, cand)
        if best[1] is not None:
            val, cur = best[0], best[1]
            improved = True
    return SearchResult(evaluate(sigma, cur, obj, noise), cur, "heuristic:local-search",
                        status="approximate", nodes=evals, seconds=time.perf_counter() - t0)
