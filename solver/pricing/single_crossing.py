"""Exact rev^OPT(N) for single-crossing valuations by dynamic programming [CCK25, eq. (2)].

Valuations ``V`` are rows ``v_j(0..N)`` with ``v_j(0) = 0`` (the paper's convention, as in
:mod:`solver.pricing.envy_free`).  They are *single-crossing* (have increasing
differences) when the buyers can be ordered so that for every pair of sizes ``m > m'``
the difference ``v_j(m) - v_j(m')`` is non-decreasing in ``j``.  Writing
``d_j(l) = v_j(l) - v_j(l - 1)`` (``l = 1..N``), ``v_j(m) - v_j(m') = sum_{m' < l <= m}
d_j(l)``, so the property holds iff, in that order, **every increment column**
``d_.(l)`` is non-decreasing; ``m' = 0`` gives ``v_j(m)`` non-decreasing in ``j``.  E.g.
``v_j(m) = theta_j g(m)`` with ``g`` non-decreasing and ``theta_j >= 0``.

Detection (:func:`single_crossing_order`) is exact up to the named tolerance
:data:`~solver.pricing.tolerances.SINGLE_CROSSING` (relative to ``max |v|``): if some
order makes every increment column non-decreasing, the increment vectors form a chain in
the componentwise order, and sorting by ``v_j(N) = sum_l d_j(l)`` (then lexicographically)
recovers that chain; the candidate order is then checked column by column.

Theorem (re-derived from [CCK25, eq. (2)]; proof below).  For single-crossing valuations
with buyers ``1..B`` in that order and weights ``w_j >= 0`` (identical buyers merged),

``rev^OPT(N) = max_{0 <= m_1 <= m_2 <= ... <= m_B <= N} sum_j W_j (v_j(m_j) - v_j(m_{j-1}))``

with ``m_0 = 0`` and ``W_j = sum_{k >= j} w_k``, attained by the scheme with those sizes
and the *local* prices ``p_1 = v_1(m_1)``, ``p_j = p_{j-1} + v_j(m_j) - v_j(m_{j-1})``
(the lowest buyer's IRB and every buyer's EFB toward the next lower one bind).

Proof.  (a) *Sizes may be taken non-decreasing.*  Let ``(m, p)`` be envy-free and
``j > k``.  EFB of ``j`` toward ``k`` and of ``k`` toward ``j`` give
``v_j(m_j) - v_j(m_k) >= p_j - p_k >= v_k(m_j) - v_k(m_k)``, i.e. ``D(m_j) >= D(m_k)``
for ``D = v_j - v_k``.  If ``m_j < m_k``, increasing differences give
``D(m_k) >= D(m_j)``, so ``D(m_j) = D(m_k)``: the two outer terms are equal, both EFB
constraints bind, and each of the two buyers is indifferent between the two options.
Swapping their options keeps every utility and the set of options offered, hence IRB/EFB
for everyone, and the revenue.  A swap of an inverted pair lowers the number of inversions
of the size sequence, so finitely many swaps give an optimal scheme with
``m_1 <= ... <= m_B`` (ties of buyers, flat valuations included: no strictness is used).
(b) *Upper bound.*  For a non-decreasing envy-free scheme, IRB of buyer 1 gives
``p_1 <= v_1(m_1)`` and EFB of ``j`` toward ``j - 1`` gives
``p_j <= p_{j-1} + v_j(m_j) - v_j(m_{j-1})``; by induction ``p_j`` is at most the local
price ``P_j = sum_{i <= j} (v_i(m_i) - v_i(m_{i-1}))``, and
``sum_j w_j P_j = sum_i W_i (v_i(m_i) - v_i(m_{i-1}))``.
(c) *The local prices are envy-free.*  ``P_j >= 0`` (valuations are non-decreasing in
``m``), ``u_j = v_j(m_j) - P_j``.  Upward, ``j - 1`` toward ``j``:
``P_j - P_{j-1} = v_j(m_j) - v_j(m_{j-1}) >= v_{j-1}(m_j) - v_{j-1}(m_{j-1})`` (increasing
differences, ``m_j >= m_{j-1}``).  Downward, buyer ``j`` and any ``k < j``: her utility
from option ``i`` minus that from option ``i - 1`` (``k < i <= j``) is
``[v_j - v_i](m_i) - [v_j - v_i](m_{i-1}) >= 0``, so her utility does not drop along
``i = k, ..., j``; symmetrically, for ``k > j`` it does not rise along ``i = j, ..., k``
(``[v_i - v_j](m_i) - [v_i - v_j](m_{i-1}) >= 0`` with the upward step above).  IRB: the
outside option is "option 0" (``m_0 = 0``, ``P_0 = 0``), and ``u_1 = 0``, so the chain
gives ``u_j >= v_j(0) - 0 = 0``.  Hence the bound of (b) is attained and equals
rev^OPT(N).  Ties in eq. (4) (a buyer indifferent to a larger option buys the larger one)
only raise the Lemma 1 curve's revenue, which eq. (5) evaluates as usual.

The maximisation is a dynamic programme over (buyer, previous size):
``f_j(m) = W_j v_j(m) + max_{m' <= m} (f_{j-1}(m') - W_j v_j(m'))``, ``f_0 = [0, -inf, ...]``,
which the prefix maximum evaluates in ``O(N)`` per buyer: ``O(B N)`` time (the ``O(B N^2)``
of the issue is the naive transition) and ``O(B N)`` memory for the back-pointers.
"""

from __future__ import annotations

import numpy as np

from ..budget import check_deadline
from ..errors import InstanceError
from .envy_free import _require_v0, value_scale
from .tolerances import SINGLE_CROSSING

__all__ = ["single_crossing_order", "is_single_crossing", "dp_revenue"]


def single_crossing_order(V: np.ndarray, tol: float | None = None) -> np.ndarray | None:
    """A buyer order in which ``V`` has increasing differences, or ``None`` if none exists.

    Parameters
    ----------
    V
        Valuations ``(B, N + 1)``, rows ``v_j(0..N)`` with ``v_j(0) = 0`` (refused
        otherwise).
    tol
        Slack of the check, absolute; default ``SINGLE_CROSSING * max |v|``.

    Returns
    -------
    numpy.ndarray or None
        ``order`` (indices of the rows of ``V``, lowest buyer first) such that every
        increment ``V[order, l] - V[order, l - 1]`` is non-decreasing down the rows within
        ``tol``; ``None`` when no order does (module docstring).
    """
    V = _require_v0(V)
    B = V.shape[0]
    tol = SINGLE_CROSSING * value_scale(V) if tol is None else float(tol)
    if V.shape[1] <= 1 or B <= 1:
        return np.arange(B)
    D = np.diff(V, axis=1)
    # primary key v_j(N); then lexicographic increments (equal chains elements are equal)
    order = np.lexsort(tuple(D.T[::-1]) + (V[:, -1],))
    if np.all(np.diff(D[order], axis=0) >= -tol):
        return order
    return None


def is_single_crossing(V: np.ndarray, tol: float | None = None) -> bool:
    """Whether some buyer order gives ``V`` increasing differences
    (:func:`single_crossing_order`)."""
    return single_crossing_order(V, tol) is not None


def dp_revenue(V: np.ndarray, weights: np.ndarray | None = None,
               order: np.ndarray | None = None) -> tuple[float, np.ndarray, np.ndarray]:
    """rev^OPT(N) of single-crossing valuations by the ``O(B N)`` dynamic programme.

    Parameters
    ----------
    V
        Valuations ``(B, N + 1)``, rows ``v_j(0..N)`` with ``v_j(0) = 0``.
    weights
        How many identical buyers each row stands for (default one each).
    order
        A single-crossing order of the rows (default: :func:`single_crossing_order`).

    Returns
    -------
    revenue, sizes, prices
        The optimum ``sum_j w_j p_j`` and an optimal envy-free scheme (sizes non-decreasing
        in ``order``, local prices: module docstring), indexed like the rows of ``V``.

    Raises
    ------
    InstanceError
        ``V`` is not single-crossing (the rule: after sorting the buyers, every
        ``v_j(m) - v_j(m - 1)`` must be non-decreasing in ``j``).
    """
    V = _require_v0(V)
    B, n = V.shape
    w = np.ones(B) if weights is None else np.asarray(weights, dtype=float)
    if order is None:
        order = single_crossing_order(V)
    if order is None:
        raise InstanceError("valuations", "are not single-crossing: no order of the buyers "
                            "makes every increment v_j(m) - v_j(m - 1) non-decreasing in j "
                            "(within SINGLE_CROSSING * max|v|), so the DP does not apply; "
                            "use --method milp")
    Vs = V[order]
    W = np.cumsum(w[order][::-1])[::-1]
    f = np.full(n, -np.inf)
    f[0] = 0.0
    back = np.empty((B, n), dtype=np.int32)
    idx = np.arange(n)
    for j in range(B):
        if j % 256 == 0:
            check_deadline("the single-crossing DP")
        g = f - W[j] * Vs[j]
        cm = np.maximum.accumulate(g)
        rec = np.maximum.accumulate(np.where(g >= cm, idx, 0))
        back[j] = rec
        f = W[j] * Vs[j] + cm
    m = int(np.argmax(f))
    sizes_s = np.empty(B, dtype=int)
    for j in range(B - 1, -1, -1):
        sizes_s[j] = m
        m = int(back[j, m])
    own = Vs[np.arange(B), sizes_s]
    prev = np.concatenate([[0], sizes_s[:-1]])
    lower = Vs[np.arange(B), prev]
    prices_s = np.cumsum(own - lower)
    sizes = np.empty(B, dtype=int)
    prices = np.empty(B)
    sizes[order] = sizes_s
    prices[order] = prices_s
    return float(w @ prices), sizes, prices
