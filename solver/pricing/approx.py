"""Approximation algorithms for ordered-item pricing that Algorithm 1 can take as ``A``.

Both return a pricing curve ``q(0..N)``; its revenue is always evaluated with the paper's
buyer model (eq. 4-5), so the reported revenue is real, whatever the algorithm's internal
estimate.  Both finish by *polishing*: for the assignment their curve induces, the exact best
IRB/EFB prices (:func:`~solver.pricing.envy_free.optimal_prices`) give a second candidate
curve (Lemma 1), and the better of the two is returned.

:func:`grid_dp` (price-grid epsilon dynamic programme, monotone valuations)
    Buyers sorted by ``v_j(N)`` (then by total value) are served sizes and grid prices
    (multiples of ``epsilon``) that are non-decreasing along the order; the DP over states
    ``(m, price level)`` of the last served buyer enforces IRB and the two *adjacent*
    envy-freeness constraints.  For single-crossing valuations (increasing differences in
    that order) adjacent constraints imply all of them, so the DP is the optimum over grid
    schemes; otherwise it is a heuristic (three buyer orders are tried).  Time
    ``O(B N^2 / epsilon^2)`` per order (numpy-vectorised).
:func:`k_types_enumeration` (Chen et al. [19] in Table 1: monotone valuations, ``K`` types)
    With ``K`` distinct valuation rows an optimal step curve needs at most ``K`` price steps
    (one per type) and, by Lemma 1, its last step may extend to ``N``; we enumerate every
    curve with ``K`` steps at sizes ``a_1 < ... < a_{K-1} < a_K = N`` and non-decreasing
    prices on the ``epsilon`` grid: ``O(N^{K-1} epsilon^{-K})`` curves (Table 1 states
    ``O~(N^K epsilon^{-K})``).  Refuses instances above ``max_menus`` curves.
"""

from __future__ import annotations

import itertools

import numpy as np

from ..errors import SizeLimitError
from .envy_free import curve_revenue, lemma1_curve, optimal_prices, purchases
from .tolerances import TIE


def _polish(V: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Better of ``q`` and the Lemma 1 curve of the exact prices for ``q``'s assignment."""
    sizes = purchases(V, q)
    p, ok = optimal_prices(V, sizes)
    if ok:
        q2 = lemma1_curve(sizes, p, V.shape[1] - 1)
        if curve_revenue(V, q2) > curve_revenue(V, q):
            return q2
    return q


def grid_dp(V: np.ndarray, epsilon: float = 0.05) -> np.ndarray:
    """Price-grid epsilon DP (module docstring).  Returns a curve ``q(0..N)``.

    The chain DP is run for three buyer orders (by ``v_j(N)``, by ``sum_m v_j(m)``, by
    ``v_j(ceil(N/2))``, ties broken by the others) and the best curve under eq. 4 is kept.
    """
    V = np.asarray(V, dtype=float)
    n = V.shape[1]
    a, s, h = V[:, -1], V.sum(axis=1), V[:, (n - 1 + 1) // 2]
    best, best_q = -1.0, None
    for order in (np.lexsort((s, a)), np.lexsort((a, s)), np.lexsort((s, a, h))):
        q = _chain_dp(V, epsilon, order)
        r = curve_revenue(V, q)
        if r > best:
            best, best_q = r, q
    return best_q


def _chain_dp(V: np.ndarray, epsilon: float, order: np.ndarray) -> np.ndarray:
    """One run of the chain DP for a fixed buyer order."""
    B, n = V.shape
    L = int(np.floor(1.0 / epsilon + 1e-12))
    grid = epsilon * np.arange(L + 1)
    NEG = -np.inf
    # state value: best revenue with the last served buyer at (m, level)
    prev = np.full((n, L + 1), NEG)
    prev[0, 0] = 0.0
    vprev = np.zeros(n)                     # virtual buyer 0 values nothing
    back = []
    dl = grid[:, None] - grid[None, :]      # dl[l, l'] = p(l) - p(l')
    for j in order:
        v = V[j]
        cur = np.full((n, L + 1), NEG)
        arg = np.zeros((n, L + 1), dtype=np.int64)
        for m in range(n):
            # previous states (m' <= m, l' <= l)
            dv_new = v[m] - v[:m + 1]           # v_j(m) - v_j(m')
            dv_old = vprev[m] - vprev[:m + 1]   # v_{prev}(m) - v_{prev}(m')
            ok = ((dl[None, :, :] <= dv_new[:, None, None] + TIE)
                  & (dl[None, :, :] >= dv_old[:, None, None] - TIE)
                  & (dl[None, :, :] >= -TIE))
            ok &= (grid <= v[m] + TIE)[None, :, None]          # IRB of buyer j
            cand = np.where(ok, prev[:m + 1, None, :], NEG)    # (m', l, l')
            flat = cand.transpose(1, 0, 2).reshape(L + 1, -1)   # (l, m' * l')
            k = np.argmax(flat, axis=1)
            cur[m] = flat[np.arange(L + 1), k] + grid
            arg[m] = k
        back.append(arg)
        prev, vprev = cur, v
    # backtrack
    m, lvl = np.unravel_index(int(np.argmax(prev)), prev.shape)
    sizes = np.zeros(B, dtype=int)
    prices = np.zeros(B)
    for t in range(B - 1, -1, -1):
        j = order[t]
        sizes[j], prices[j] = m, grid[lvl]
        k = back[t][m, lvl]
        m, lvl = divmod(int(k), L + 1)
    q = lemma1_curve(sizes, prices, n - 1)
    return _polish(V, q)


def k_types_enumeration(V: np.ndarray, epsilon: float = 0.05,
                        max_menus: int = 20_000_000) -> np.ndarray:
    """Chen et al. [19] style enumeration for ``K`` buyer types (module docstring)."""
    V = np.asarray(V, dtype=float)
    B, n = V.shape
    N = n - 1
    types, counts = np.unique(V, axis=0, return_counts=True)
    K = len(types)
    L = int(np.floor(1.0 / epsilon + 1e-12))
    grid = epsilon * np.arange(L + 1)
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
    for cut in itertools.combinations(range(1, N), K - 1):
        a = np.array(cut + (N,), dtype=int)                 # step right ends
        U = types[:, a][None, :, :] - Pv[:, None, :]        # (P, T, K) utilities
        umax = U.max(axis=2)
        # largest item within TIE of the max (eq. 4); outside option if umax < 0
        ok = U >= umax[:, :, None] - TIE
        pick = K - 1 - np.argmax(ok[:, :, ::-1], axis=2)     # (P, T)
        paid = np.take_along_axis(Pv, pick, axis=1)          # (P, T)
        paid = np.where(umax >= -TIE, paid, 0.0)
        rev = paid @ counts
        i = int(np.argmax(rev))
        if rev[i] > best + 1e-12:
            best = float(rev[i])
            q = np.zeros(n)
            lo = 0
            for k in range(K):
                q[lo + 1:a[k] + 1] = Pv[i, k]
                lo = a[k]
            best_q = q
    return _polish(V, best_q)


def local_search(V: np.ndarray, q0: np.ndarray | None = None, sweeps: int = 3) -> np.ndarray:
    """Coordinate ascent on the curve: a fast heuristic without guarantee.

    Starting from ``q0`` (default: the best single price for the whole dataset), each sweep
    visits ``m = N, ..., 1`` and tries for ``q(m)`` every price that makes some buyer
    indifferent between ``m`` and her current choice (``v_j(m) - u_j``), keeping the best
    eq. 5 revenue.  ``O(sweeps N B)`` curve evaluations of ``O(B N)`` each.  Used as the
    fallback incumbent of a time-limited MILP and benchmarked as a baseline.
    """
    from .envy_free import single_price_revenue

    V = np.asarray(V, dtype=float)
    B, n = V.shape
    q = single_price_revenue(V)[1] if q0 is None else np.asarray(q0, dtype=float).copy()
    best = curve_revenue(V, q)
    for _ in range(sweeps):
        improved = False
        for m in range(n - 1, 0, -1):
            u = (V - q[None, :]).max(axis=1)
            cands = np.unique(np.clip(V[:, m] - u, 0.0, 1.0))
            keep = q[m]
            for c in cands:
                q[m] = c
                r = curve_revenue(V, q)
                if r > best + 1e-12:
                    best, keep, improved = r, c, True
            q[m] = keep
        if not improved:
            break
    return _polish(V, q)
