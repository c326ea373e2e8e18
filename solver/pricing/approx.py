"""Approximation algorithms for ordered-item pricing that Algorithm 1 can take as ``A``.

[CCK25, Section 2.2, Table 1].  Valuations are rows ``v_j(0..N)`` with ``v_j(0) = 0``
(validated by :func:`~solver.pricing.envy_free.as_valuations`), also when ``weights`` are
given; ``epsilon`` is the price-grid step *relative to* ``max |v|``, in ``(0, 1]``.

All return a pricing curve ``q(0..N)``; its revenue is always evaluated with the paper's
buyer model (eq. 4-5), so the reported revenue is real, whatever the algorithm's internal
estimate.  All finish by *polishing*: for the assignment their curve induces, the exact best
IRB/EFB prices (:func:`~solver.pricing.envy_free.optimal_prices`) give a second candidate
curve (Lemma 1), and the better of the two is returned.  Identical buyers are merged first
(:func:`~solver.pricing.envy_free.merge_identical_buyers`: under a curve they choose alike),
and every tolerance and the price grid are relative to ``max |v|``, so scaling the
valuations scales the curve.

:func:`grid_dp` (price-grid epsilon dynamic programme, monotone valuations)
    Buyers sorted by ``v_j(N)`` (then by total value) are served sizes and grid prices
    (multiples of ``epsilon * max |v|``) that are non-decreasing along the order; the DP
    over states ``(m, price level)`` of the last served buyer enforces IRB and the two
    *adjacent* envy-freeness constraints.  For single-crossing valuations (increasing
    differences in that order) adjacent constraints imply all of them, so the DP is the
    optimum over grid schemes; otherwise it is a heuristic (three buyer orders are tried).
    Time ``O(B N^2 / epsilon^2)`` per order (numpy-vectorised).
:func:`k_types_enumeration` ([CCK25, Table 1], their reference [19]: ``K`` types)
    With ``K`` distinct valuation rows an optimal step curve needs at most ``K`` price steps
    (one per type) and, by Lemma 1, its last step may extend to ``N``; we enumerate every
    curve with ``K`` steps at sizes ``a_1 < ... < a_{K-1} < a_K = N`` and non-decreasing
    prices on the ``epsilon`` grid: ``O(N^{K-1} epsilon^{-K})`` curves (Table 1 states
    ``O~(N^K epsilon^{-K})``).  Refuses instances above ``max_menus`` curves.
:func:`local_search`
    Coordinate ascent on the curve from the best single price (a heuristic, no guarantee).
"""

from __future__ import annotations

import itertools
import time

import numpy as np

from ..budget import check_deadline
from ..errors import InstanceError, SizeLimitError
from . import resources
from .envy_free import (
    _check_weights,
    _purchases,
    _require_v0,
    as_valuations,
    curve_revenue,
    lemma1_curve,
    merge_identical_buyers,
    optimal_prices,
    single_price_revenue,
    value_scale,
)
from .tolerances import IMPROVE, TIE

#: Candidates of one local-search step whose estimated revenue is re-evaluated exactly.
VERIFY = 4
#: Entries of the candidates-by-buyers matrix of one local-search block.
BLOCK = 1_000_000


def _types(V: np.ndarray, weights: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Validated types and weights (merged when no weights are given)."""
    if weights is not None:
        T = _require_v0(V)
        w = _check_weights(T, weights)
        assert w is not None
        return T, w
    T, w, _ = merge_identical_buyers(as_valuations(V))
    return T, w


def _check_epsilon(epsilon: float) -> float:
    """``epsilon`` in ``(0, 1]`` (the grid step relative to ``max |v|``), else InstanceError."""
    if isinstance(epsilon, bool) or not isinstance(epsilon, int | float | np.floating) \
            or not 0 < float(epsilon) <= 1:
        raise InstanceError("epsilon", f"must be in (0, 1] (the price-grid step relative to "
                            f"max |v|), got {epsilon!r}")
    return float(epsilon)


def _polish(V: np.ndarray, q: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Better of ``q`` and the Lemma 1 curve of the exact prices for ``q``'s assignment."""
    sizes = _purchases(V, q, TIE * value_scale(V))
    p, ok = optimal_prices(V, sizes)
    if ok:
        q2 = lemma1_curve(sizes, p, V.shape[1] - 1)
        if curve_revenue(V, q2, weights=w) > curve_revenue(V, q, weights=w):
            return q2
    return q


def grid_dp(V: np.ndarray, epsilon: float = 0.05, *,
            weights: np.ndarray | None = None) -> np.ndarray:
    """Price-grid epsilon DP (module docstring).  Returns a curve ``q(0..N)``.

    The chain DP is run for three buyer orders (by ``v_j(N)``, by ``sum_m v_j(m)``, by
    ``v_j(ceil(N/2))``, ties broken by the others) and the best curve under eq. 4 is kept.
    ``weights`` (then the rows of ``V`` are types: only their ``v_j(0) = 0`` column and the
    weights' shape are checked) counts identical buyers; without it, identical rows are
    merged.
    """
    epsilon = _check_epsilon(epsilon)
    T, w = _types(V, weights)
    n = T.shape[1]
    resources.check_grid(T.shape[0], n, epsilon)
    a, s, h = T[:, -1], T.sum(axis=1), T[:, (n - 1 + 1) // 2]
    best, best_q = -1.0, None
    for order in (np.lexsort((s, a)), np.lexsort((a, s)), np.lexsort((s, a, h))):
        q = _chain_dp(T, w, epsilon, order)
        r = curve_revenue(T, q, weights=w)
        if r > best:
            best, best_q = r, q
    assert best_q is not None                     # revenue >= 0 > -1: the first order wins
    return best_q


def _chain_dp(V: np.ndarray, w: np.ndarray, epsilon: float, order: np.ndarray) -> np.ndarray:
    """One run of the chain DP for a fixed buyer order."""
    B, n = V.shape
    scale = value_scale(V)
    tie = TIE * scale
    L = int(resources.grid_levels(epsilon)) - 1
    grid = epsilon * scale * np.arange(L + 1)
    NEG = -np.inf
    # state value: best revenue with the last served buyer at (m, level)
    prev = np.full((n, L + 1), NEG)
    prev[0, 0] = 0.0
    vprev = np.zeros(n)                     # virtual buyer 0 values nothing
    back = []
    dl = grid[:, None] - grid[None, :]      # dl[l, l'] = p(l) - p(l')
    for j in order:
        check_deadline("running the grid DP")
        v = V[j]
        cur = np.full((n, L + 1), NEG)
        arg = np.zeros((n, L + 1), dtype=np.int64)
        for m in range(n):
            # previous states (m' <= m, l' <= l)
            dv_new = v[m] - v[:m + 1]           # v_j(m) - v_j(m')
            dv_old = vprev[m] - vprev[:m + 1]   # v_{prev}(m) - v_{prev}(m')
            ok = ((dl[None, :, :] <= dv_new[:, None, None] + tie)
                  & (dl[None, :, :] >= dv_old[:, None, None] - tie)
                  & (dl[None, :, :] >= -tie))
            ok &= (grid <= v[m] + tie)[None, :, None]          # IRB of buyer j
            cand = np.where(ok, prev[:m + 1, None, :], NEG)    # (m', l, l')
            flat = cand.transpose(1, 0, 2).reshape(L + 1, -1)   # (l, m' * l')
            k = np.argmax(flat, axis=1)
            cur[m] = flat[np.arange(L + 1), k] + w[j] * grid
            arg[m] = k
        back.append(arg)
        prev, vprev = cur, v
    # backtrack
    m, lvl = (int(i) for i in np.unravel_index(int(np.argmax(prev)), prev.shape))
    sizes = np.zeros(B, dtype=int)
    prices = np.zeros(B)
    for t in range(B - 1, -1, -1):
        j = order[t]
        sizes[j], prices[j] = m, grid[lvl]
        k = back[t][m, lvl]
        m, lvl = divmod(int(k), L + 1)
    q = lemma1_curve(sizes, prices, n - 1)
    return _polish(V, q, w)


def k_types_enumeration(V: np.ndarray, epsilon: float = 0.05,
                        max_menus: int = 20_000_000) -> np.ndarray:
    """Enumeration of step curves for ``K`` buyer types ([CCK25, Table 1]; module docstring).

    Returns a curve ``q(0..N)``; refuses more than ``max_menus`` curves
    (:class:`~solver.errors.SizeLimitError`).
    """
    epsilon = _check_epsilon(epsilon)
    V = as_valuations(V)
    B, n = V.shape
    N = n - 1
    types, counts = np.unique(V, axis=0, return_counts=True)
    K = len(types)
    scale = value_scale(V)
    tie = TIE * scale
    Lf = resources.grid_levels(epsilon) - 1
    # counts in floats first: an exact integer product could be astronomically large
    resources.check_ktypes(K, n, epsilon)
    L = int(Lf)
    grid = epsilon * scale * np.arange(L + 1)
    n_size = 1
    for i in range(K - 1):
        n_size = n_size * max(N - 1 - i, 1) // (i + 1)
    n_price = 1
    for i in range(K):
        n_price = n_price * (L + 1 + i) // (i + 1)
    if n_size * n_price > max_menus:
        raise SizeLimitError("valuations", f"{K} buyer types need ~{n_size * n_price:.3g} "
                             f"curves (> {max_menus})", "grid_dp or the exact MILP")
    # non-decreasing price vectors (P, K) on the grid
    P = np.array(list(itertools.combinations_with_replacement(range(L + 1), K)), dtype=int)
    Pv = grid[P]
    best, best_q = -1.0, np.zeros(n)
    step = IMPROVE * scale
    for cut in itertools.combinations(range(1, N), K - 1):
        a = np.array(cut + (N,), dtype=int)                 # step right ends
        U = types[:, a][None, :, :] - Pv[:, None, :]        # (P, T, K) utilities
        umax = U.max(axis=2)
        # largest item within tie of the max (eq. 4); outside option if umax < 0
        ok = U >= umax[:, :, None] - tie
        pick = K - 1 - np.argmax(ok[:, :, ::-1], axis=2)     # (P, T)
        paid = np.take_along_axis(Pv, pick, axis=1)          # (P, T)
        paid = np.where(umax >= -tie, paid, 0.0)
        rev = paid @ counts
        i = int(np.argmax(rev))
        if rev[i] > best + step:
            best = float(rev[i])
            q = np.zeros(n)
            lo = 0
            for k in range(K):
                q[lo + 1:a[k] + 1] = Pv[i, k]
                lo = a[k]
            best_q = q
    return _polish(types, best_q, counts.astype(float))


def _step_estimates(V: np.ndarray, w: np.ndarray, q: np.ndarray, m: int, cands: np.ndarray,
                    tie: float) -> np.ndarray:
    """Estimated eq. 5 revenue of ``q`` with ``q(m)`` replaced by each candidate.

    With the other prices fixed, a buyer takes ``m`` iff its utility there beats her best
    elsewhere by more than ``tie``, or is within ``tie`` of it and ``m`` is the larger size;
    otherwise she keeps her best other choice.  Exact except within ``tie`` of a change of
    choice (the caller re-evaluates the best candidates exactly).  ``O(C B)``.
    """
    util = V - q[None, :]
    util[:, m] = -np.inf
    bo = util.max(axis=1)
    ok = util >= (bo - tie)[:, None]
    choice = V.shape[1] - 1 - np.argmax(ok[:, ::-1], axis=1)
    pay = q[choice]
    a = V[:, m]
    larger = m > choice
    out = np.empty(cands.shape[0])
    rows = max(1, BLOCK // max(1, V.shape[0]))
    for s in range(0, cands.shape[0], rows):
        c = cands[s:s + rows, None]
        D = a[None, :] - c
        take = (D > bo + tie) | ((D >= bo - tie) & larger)
        out[s:s + rows] = np.where(take, c, pay[None, :]) @ w
    return out


def local_search(V: np.ndarray, q0: np.ndarray | None = None, sweeps: int = 3, *,
                 weights: np.ndarray | None = None,
                 time_budget: float | None = None) -> np.ndarray:
    """Coordinate ascent on the curve: a fast heuristic without guarantee.

    Starting from ``q0`` (default: the best single price for the whole dataset), each sweep
    visits ``m = N, ..., 1`` and tries for ``q(m)`` every price that makes some buyer
    indifferent between ``m`` and her current choice (``v_j(m) - u_j``; at most
    ``LOCAL_CANDIDATES`` of them, evenly spaced in order).  The candidates' revenues are
    estimated together in ``O(B)`` each (:func:`_step_estimates`) and the best few are
    re-evaluated with eq. 5 exactly; the best exact improvement is kept.
    ``O(sweeps N B (N + min(B, LOCAL_CANDIDATES)))`` per run.  Used as the fallback
    incumbent of a time-limited MILP and benchmarked as a baseline.

    Parameters
    ----------
    weights
        Multiplicities of identical buyers (then the rows of ``V`` are the types: only their
        ``v_j(0) = 0`` column and the weights' shape are checked); without it identical rows
        are merged first.
    time_budget
        Seconds; the search stops (keeping its best curve) when they are used up.
    """
    T, w = _types(V, weights)
    B, n = T.shape
    scale = value_scale(T)
    tie = TIE * scale
    step = IMPROVE * scale
    stop = None if time_budget is None else time.monotonic() + time_budget
    q = (single_price_revenue(T, w)[1] if q0 is None
         else np.asarray(q0, dtype=float).copy())
    best = curve_revenue(T, q, weights=w)
    for _ in range(sweeps):
        improved = False
        for m in range(n - 1, 0, -1):
            if stop is not None and time.monotonic() > stop:
                return _polish(T, q, w)
            u = (T - q[None, :]).max(axis=1)
            cands = np.unique(np.maximum(T[:, m] - u, 0.0))
            if cands.shape[0] > resources.LOCAL_CANDIDATES:
                pick = np.linspace(0, cands.shape[0] - 1, resources.LOCAL_CANDIDATES)
                cands = cands[np.unique(np.round(pick).astype(int))]
            est = _step_estimates(T, w, q, m, cands, tie)
            for i in np.argsort(-est, kind="stable")[:VERIFY]:
                if est[i] <= best + step:
                    break
                trial = q.copy()
                trial[m] = cands[i]
                r = curve_revenue(T, trial, weights=w)
                if r > best + step:
                    best, q, improved = r, trial, True
                    break
        if not improved:
            break
    return _polish(T, q, w)
