"""Exhaustive references for Π^OPT on small instances (used to test the histogram MILP).

Two methods, both independent of the MILP's linearisation:

``multisets``
    Enumerate every non-increasing seller-degree sequence a_1 >= ... >= a_n with entries in
    0..m and Σ a = Σ d, keep those that pass the plain Gale–Ryser test at *every* t = 1..n
    (prefix sum of a <= Σ_b min(d_b, t)), and take the cheapest (1/n) Σ_i π(a_i).
``graphs``
    Build every simple bipartite graph buyer by buyer (buyer b picks any d_b of the n
    sellers), keeping after each buyer only the distinct sorted seller-degree vectors (the
    next buyer may pick any subset, so the reachable multisets depend only on the current
    multiset).  No degree-sequence theorem is used at all.
"""

from __future__ import annotations

import itertools
import math
from math import comb

import numpy as np

from ..budget import check_memory, check_work
from ..errors import SizeLimitError
from ..opt.result import Solution

#: Largest number of candidate sequences (or states x subsets) an exhaustive method visits.
MAX_ENUMERATION = 300_000
#: Peak bytes per entry of the candidate matrices (sequences x sellers) of the enumerations:
#: a Python tuple, the int64 array, its reversed copy, prefix sums and the comparison.
ENUMERATION_BYTES_PER_ENTRY = 48.0
#: Operations per DP cell (measured ~70 ns) and per Python-level DP iteration (~5 µs),
#: in units of the work budget (about 1e8 operations per second).
DP_OPS_PER_CELL = 10.0
DP_OPS_PER_ITERATION = 600.0
_ALTERNATIVE = "the histogram MILP (--method milp)"


def _log_comb(a: int, b: int) -> float:
    """ln C(a, b) from the log-gamma function (no big integers: a may be 10^9)."""
    if b < 0 or b > a:
        return -math.inf
    return math.lgamma(a + 1) - math.lgamma(b + 1) - math.lgamma(a - b + 1)


def _refuse_count(count_log: float, what: str) -> None:
    """SizeLimitError when e^count_log candidates exceed :data:`MAX_ENUMERATION`."""
    if count_log > math.log(MAX_ENUMERATION) + 1e-9:
        about = math.exp(min(count_log, 700.0))
        raise SizeLimitError("sellers", f"{what} would visit about {about:.3g} > "
                             f"{MAX_ENUMERATION} cases", _ALTERNATIVE)


def gale_ryser(seller_degrees: np.ndarray, demands: np.ndarray) -> bool:
    """Plain Gale–Ryser test: is (a, d) the degree pair of a simple bipartite graph?

    Checks Σ a = Σ d and, for every t = 1..n, a_(1) + ... + a_(t) <= Σ_b min(d_b, t)
    (a sorted non-increasingly).
    """
    a = np.sort(np.asarray(seller_degrees, dtype=np.int64))[::-1]
    d = np.asarray(demands, dtype=np.int64)
    if a.sum() != d.sum():
        return False
    t = np.arange(1, a.size + 1)
    F = np.minimum(d[None, :], t[:, None]).sum(axis=1)
    return bool(np.all(np.cumsum(a) <= F))


def _result(value: float, hist: np.ndarray, method: str, secs: float) -> tuple[float, np.ndarray,
                                                                                 Solution]:
    sol = Solution("optimal", hist.astype(float), value, value, 0.0, f"exact:{method}", secs)
    return value, hist, sol


def brute_force_optimum(n: int, demands: np.ndarray, payment: np.ndarray,
                        method: str = "multisets") -> tuple[float, np.ndarray, Solution]:
    """Π^OPT by exhaustive enumeration.

    Parameters
    ----------
    n, demands, payment
        The instance (payment of length m + 1).
    method
        ``"multisets"`` or ``"graphs"`` (module docstring).

    Returns
    -------
    (value, histogram, solution)
        Π^OPT, an optimal degree histogram (length m + 1) and a :class:`Solution` with
        status ``"optimal"`` and backend ``"exact:<method>"``.

    Raises
    ------
    SizeLimitError
        When the enumeration would exceed :data:`MAX_ENUMERATION` candidates.
    """
    import time

    t0 = time.perf_counter()
    d = np.asarray(demands, dtype=np.int64)
    pi = np.asarray(payment, dtype=float)
    m = d.size
    if method == "multisets":
        _refuse_count(_log_comb(n + m, n), "brute force over the C(n+m, n) degree multisets")
        count = comb(n + m, n)
        if count > MAX_ENUMERATION:
            raise SizeLimitError("sellers", f"brute force would enumerate C(n+m, n) = {count} "
                                 f"> {MAX_ENUMERATION} degree multisets", _ALTERNATIVE)
        check_memory("sellers", ENUMERATION_BYTES_PER_ENTRY * count * n,
                     "brute force over degree multisets", _ALTERNATIVE)
        check_work("sellers", 10.0 * count * n, "brute force over degree multisets",
                   _ALTERNATIVE)
        seqs = np.array(list(itertools.combinations_with_replacement(range(m + 1), n)),
                        dtype=np.int64).reshape(-1, n)[:, ::-1]  # rows non-increasing
        seqs = seqs[seqs.sum(axis=1) == d.sum()]
        t = np.arange(1, n + 1)
        F = np.minimum(d[None, :], t[:, None]).sum(axis=1)
        ok = np.all(np.cumsum(seqs, axis=1) <= F[None, :], axis=1)
        seqs = seqs[ok]
    elif method == "graphs":
        states = np.zeros((1, n), dtype=np.int64)
        for db in d:
            _refuse_count(math.log(states.shape[0]) + _log_comb(n, int(db)),
                          "graph enumeration")
            c = comb(n, int(db))
            if states.shape[0] * c > MAX_ENUMERATION:
                raise SizeLimitError("sellers", f"graph enumeration would visit "
                                     f"{states.shape[0] * c} > {MAX_ENUMERATION} states",
                                     _ALTERNATIVE)
            check_memory("sellers", ENUMERATION_BYTES_PER_ENTRY * states.shape[0] * c * n,
                         "graph enumeration", _ALTERNATIVE)
            picks = np.zeros((c, n), dtype=np.int64)
            for r, S in enumerate(itertools.combinations(range(n), int(db))):
                picks[r, list(S)] = 1
            states = (states[:, None, :] + picks[None, :, :]).reshape(-1, n)
            states = np.unique(np.sort(states, axis=1), axis=0)
        seqs = states
    else:
        raise ValueError(f"unknown brute-force method {method!r}")
    if seqs.shape[0] == 0:  # cannot happen for valid demands (d_b <= n)
        raise ValueError("no realisable degree sequence")
    vals = pi[seqs].sum(axis=1) / n
    j = int(np.argmin(vals))
    hist = np.bincount(seqs[j], minlength=m + 1)
    return _result(float(vals[j]), hist, method, time.perf_counter() - t0)


#: Largest m·(n+1)·(D+1) table the dynamic programme fills.
MAX_DP_CELLS = 60_000_000


def dp_optimum(n: int, demands: np.ndarray, payment: np.ndarray
               ) -> tuple[float, np.ndarray, Solution]:
    """Π^OPT by dynamic programming over the conjugate degree sequence (medium sizes).

    With y_k = #{sellers of degree >= k}, the histogram is x_k = y_k - y_{k+1} and
    Σ_i π(a_i) = n π(0) + Σ_{k>=1} (π(k) - π(k-1)) y_k.  Gale–Ryser (buyers as rows, every
    t = 1..m, not only the breakpoints the MILP keeps) reads Σ_{j>t} y_j <= D - P(t) with
    y non-increasing, y_1 <= n and Σ_j y_j = D.  The DP runs k = m..1 over the state
    (y_k, Σ_{j>=k} y_j): O(m·n·D) time, exact, no solver involved.

    Raises
    ------
    SizeLimitError
        When m·(n+1)·(D+1) > :data:`MAX_DP_CELLS`.
    """
    import time

    t0 = time.perf_counter()
    d = np.asarray(demands, dtype=np.int64)
    pi = np.asarray(payment, dtype=float)
    m, D = d.size, int(d.sum())
    cells = m * (n + 1) * (D + 1)
    if cells > MAX_DP_CELLS:
        raise SizeLimitError("sellers", f"the DP table has m(n+1)(D+1) = {cells} > "
                             f"{MAX_DP_CELLS} cells", _ALTERNATIVE)
    # the backtracking tables (8 bytes per cell) and ~8 working layers of (n+1)(D+1)
    check_memory("sellers", 8.0 * cells + 64.0 * (n + 1) * (D + 1), "the DP", _ALTERNATIVE)
    check_work("sellers", DP_OPS_PER_CELL * cells + DP_OPS_PER_ITERATION * m * (n + 1),
               "the DP", _ALTERNATIVE)
    if m == 0:  # no buyers: every seller has degree 0
        return _result(float(pi[0]), np.array([n], dtype=np.int64), "dp",
                       time.perf_counter() - t0)
    ds = np.sort(d)[::-1]
    tail = np.concatenate([np.cumsum(ds[::-1])[::-1], [0]])  # tail[t] = D - P(t)
    dpi = np.diff(pi)  # dpi[k-1] = π(k) - π(k-1)
    a = np.arange(n + 1)
    inf = np.inf
    # V[a, s]: min Σ_{j>=k} dpi_j y_j with y_k = a, Σ_{j>=k} y_j = s; start at k = m
    V = np.full((n + 1, D + 1), inf)
    ok = a <= min(D, tail[m - 1])  # s = y_m must satisfy Σ_{j>m-1} y_j <= tail[m-1]
    V[a[ok], a[ok]] = dpi[m - 1] * a[ok]
    choices = []
    for k in range(m - 1, 0, -1):  # build V for index k from V for k + 1
        M = np.minimum.accumulate(V, axis=0)  # min over y_{k+1} <= y_k
        arg = np.zeros_like(V, dtype=np.int64)
        # argmin bookkeeping for backtracking: index of the prefix minimum
        best = np.zeros(V.shape[1], dtype=np.int64)
        cur = V[0].copy()
        for r in range(n + 1):
            better = V[r] < cur
            cur = np.where(better, V[r], cur)
            best = np.where(better, r, best)
            arg[r] = best
        W = np.full((n + 1, D + 1), inf)
        Arg = np.zeros((n + 1, D + 1), dtype=np.int64)
        for r in range(n + 1):
            if r > D:
                break
            W[r, r:] = M[r, : D + 1 - r] + dpi[k - 1] * r
            Arg[r, r:] = arg[r, : D + 1 - r]
        W[:, tail[k - 1] + 1:] = inf  # Σ_{j>=k} y_j = Σ_{j>k-1} y_j <= D - P(k - 1)
        choices.append(Arg)
        V = W
    col = V[:, D]
    r = int(np.argmin(col))
    value = float(col[r])
    if not np.isfinite(value):
        raise ValueError("no realisable degree sequence")
    y = [r]
    s = D
    for Arg in reversed(choices):
        nxt = int(Arg[y[-1], s])
        s -= y[-1]
        y.append(nxt)
    y = np.array(y, dtype=np.int64)  # y_1..y_m
    hist = np.concatenate([[n - y[0]], y[:-1] - y[1:], [y[-1]]])
    total = n * pi[0] + value
    return _result(total / n, hist, "dp", time.perf_counter() - t0)
