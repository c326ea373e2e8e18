"""Envy-free revenue rev^OPT(N) (eq. 2) and ordered-item pricing (Definition 1, eq. 4-5).

Paper: *Incentivizing Truthful Data Contributions in a Marketplace for Mean Estimation*
(Chen, Clinton, Kandasamy), section 2.

Valuations are an array ``V`` of shape ``(B, N + 1)`` with ``V[j, m] = v_j(m)``,
``V[:, 0] = 0``, non-decreasing along each row, values in ``[0, 1]``.

Two exact MILPs, both built as :class:`solver.opt.LinearProgram` data:

``"curve"`` (default, compact)
    Assignment binaries ``x[j, m]``, a price curve ``q(0..N)`` and buyer utilities ``u_j``.
    Revenue is linearised as ``sum_j (sum_m v_j(m) x[j, m] - u_j)``;
    ``u_j >= v_j(m) - q(m)`` for every ``m`` (so ``u_j`` is the buyer's best utility and,
    with ``m = 0``, IRB), and ``u_j <= v_j(m) - q(m) + M[j, m] (1 - x[j, m])`` with the tight
    big-M ``M[j, m] = v_j(N) - v_j(m) + max_k v_k(m)`` (from ``u_j <= v_j(N)`` and
    ``q(m) <= max_k v_k(m)``).  Two restrictions are without loss (proof in the docstring of
    :func:`curve_milp`): ``q`` non-decreasing and ``q(m) <= max_k v_k(m)``.
    ``B (N + 1)`` binaries, about ``2 B (N + 1)`` rows.
``"pairwise"`` (eq. 2 literally)
    Binaries ``x[j, m]`` and prices ``p_j``; IRB ``p_j <= v_j(m_j)`` and EFB
    ``v_j(m_j) - p_j >= v_j(m_k) - p_k`` for all ``j != k``, where ``v_j(m_k)`` is the linear
    form ``sum_m v_j(m) x[k, m]``: no big-M is needed, but there are ``B (B - 1)`` rows.

The curve MILP lets the seller break buyers' ties; by Lemma 1 its value equals both rev^OPT(N)
and the optimum under the paper's tie-break (largest utility-maximising size, eq. 4).  The
scheme read off a MILP is *polished*: for its assignment the best prices are the shortest-path
distances of the difference constraints (:func:`optimal_prices`), which are exact to floating
point; the reported curve is the Lemma 1 curve of the polished scheme, evaluated with eq. 4.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from ..errors import SizeLimitError
from ..opt import LinearProgram, solve
from ..opt.result import relative_gap
from .tolerances import FEAS, TIE

__all__ = [
    "RevenueResult", "curve_milp", "pairwise_milp", "ef_revenue", "optimal_prices",
    "brute_force_revenue", "purchases", "curve_revenue", "lemma1_curve", "is_envy_free",
    "single_price_revenue", "merge_identical_buyers",
]


@dataclass
class RevenueResult:
    """An envy-free pricing scheme with its certificate.

    Attributes
    ----------
    status, objective, bound, gap, backend, seconds
        Certificate (``objective`` = revenue of the returned scheme).
    sizes, prices
        The scheme ``(m_j, p_j)`` (eq. 2).
    curve
        A pricing curve ``q(0..N)`` earning at least ``objective`` under eq. 4 (Lemma 1).
    curve_revenue
        ``rev-bar(N, curve)`` (eq. 5) under the paper's tie-break.
    """

    status: str
    objective: float
    bound: float
    gap: float
    backend: str
    seconds: float
    sizes: np.ndarray
    prices: np.ndarray
    curve: np.ndarray
    curve_revenue: float
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        """JSON-ready fields."""
        return {
            "status": self.status, "objective": self.objective, "bound": self.bound,
            "gap": self.gap, "backend": self.backend, "seconds": self.seconds,
            "sizes": self.sizes.tolist(), "prices": self.prices.tolist(),
            "curve": self.curve.tolist(), "curve_revenue": self.curve_revenue,
        }


# ----------------------------------------------------------------------------- OIP (eq. 4-5)
def purchases(V: np.ndarray, q: np.ndarray, tie: float = TIE) -> np.ndarray:
    """Buyers' choices ``m~_j(N, q)`` (eq. 4): the largest utility-maximising size.

    Utilities within ``tie`` of the maximum count as ties (floating-point reading of eq. 4).
    """
    util = V - np.asarray(q, dtype=float)[None, :]
    best = util.max(axis=1, keepdims=True)
    ok = util >= best - tie
    n = V.shape[1]
    return (n - 1 - np.argmax(ok[:, ::-1], axis=1)).astype(int)


def curve_revenue(V: np.ndarray, q: np.ndarray, tie: float = TIE) -> float:
    """``rev-bar(N, q) = sum_j q(m~_j(N, q))`` (eq. 5)."""
    q = np.asarray(q, dtype=float)
    return float(q[purchases(V, q, tie)].sum())


def lemma1_curve(sizes: np.ndarray, prices: np.ndarray, N: int) -> np.ndarray:
    """The step curve of the proof of Lemma 1 (section 2.3) built from a scheme.

    ``q(m) = p_k`` for ``m_{k-1} < m <= m_k`` (buyers sorted by size) and ``q(m) = p_max`` on
    ``(m_max, N]``.  Reading: the paper writes ``q(m) = p_1`` for ``m <= m_1``, which would
    include ``m = 0``; we keep ``q(0) = 0`` (the definition of a pricing curve), which the
    proof does not need since IRB makes ``m = 0`` no better than ``m_j``.  Buyers with equal
    sizes share a price in any envy-free scheme; we take the smallest (robust to rounding).
    """
    sizes = np.asarray(sizes, dtype=int)
    prices = np.asarray(prices, dtype=float)
    q = np.zeros(N + 1)
    levels = sorted(set(int(m) for m in sizes if m > 0))
    lo = 0
    last = 0.0
    for m in levels:
        last = float(prices[sizes == m].min())
        q[lo + 1:m + 1] = last
        lo = m
    q[lo + 1:] = last
    return q


def is_envy_free(V: np.ndarray, sizes: np.ndarray, prices: np.ndarray, tol: float = FEAS
                 ) -> bool:
    """IRB and EFB of a scheme (section 2.1), up to ``tol``."""
    sizes = np.asarray(sizes, dtype=int)
    prices = np.asarray(prices, dtype=float)
    own = V[np.arange(len(sizes)), sizes] - prices
    other = V[:, sizes] - prices[None, :]          # other[j, k] = v_j(m_k) - p_k
    return bool(np.all(own >= -tol) and np.all(own[:, None] >= other - tol)
                and np.all(prices >= -tol))


# ----------------------------------------------------------------------------- exact prices
def _shortest_path_prices(V: np.ndarray, A: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Batched Floyd-Warshall on the difference constraints of fixed assignments.

    ``A`` has shape ``(K, B)``.  Node 0 is the outside option (size 0, price 0); the edge
    ``k -> j`` has weight ``v_j(m_j) - v_j(m_k)`` (EFB of ``j`` against ``k``).  Returns the
    distances ``(K, B)`` and a feasibility mask (no negative cycle, all prices >= 0).
    Hand-written because scipy's shortest paths are not batched over thousands of tiny graphs.
    """
    K, B = A.shape
    sizes = np.concatenate([np.zeros((K, 1), dtype=int), A], axis=1)       # (K, B+1)
    Vx = np.concatenate([np.zeros((1, V.shape[1])), V], axis=0)            # node 0 row = 0
    # val[K, j, k] = v_j(m_k) for nodes j, k
    val = Vx[np.arange(B + 1)[None, :, None], sizes[:, None, :]]          # v_j(m_k)
    own = np.diagonal(val, axis1=1, axis2=2)                                # v_j(m_j)
    W = own[:, None, :] - np.transpose(val, (0, 2, 1))   # W[K, k, j] = v_j(m_j) - v_j(m_k)
    W[:, :, 0] = np.inf                                  # nothing constrains node 0
    idx = np.arange(B + 1)
    W[:, idx, idx] = 0.0
    D = W.copy()
    for t in range(B + 1):
        D = np.minimum(D, D[:, :, t:t + 1] + D[:, t:t + 1, :])
    neg_cycle = np.any(np.diagonal(D, axis1=1, axis2=2) < -FEAS, axis=1)
    dist = D[:, 0, 1:]
    feas = ~neg_cycle & np.all(dist >= -FEAS, axis=1)
    return np.maximum(dist, 0.0), feas


def optimal_prices(V: np.ndarray, sizes: np.ndarray) -> tuple[np.ndarray, bool]:
    """Revenue-maximising IRB/EFB prices for a fixed assignment (an LP solved exactly).

    ``max sum_j p_j`` subject to ``p_j - p_k <= v_j(m_j) - v_j(m_k)``, ``p_j <= v_j(m_j)``,
    ``p_j >= 0`` is a system of difference constraints; its componentwise-largest solution
    is the vector of shortest-path distances from the outside option.
    """
    d, f = _shortest_path_prices(V, np.asarray(sizes, dtype=int)[None, :])
    return d[0], bool(f[0])


def brute_force_revenue(V: np.ndarray, max_assignments: int = 200_000) -> tuple[float, np.ndarray,
                                                                                np.ndarray]:
    """rev^OPT(N) (eq. 2) by enumerating every assignment ``{0..N}^B`` (reference method)."""
    B, n = V.shape
    if n ** B > max_assignments:
        raise SizeLimitError("valuations", f"(N+1)^B = {n}^{B} assignments exceed "
                             f"{max_assignments}", "the MILP (method 'milp')")
    best, bs, bp = -1.0, None, None
    allA = np.array(list(itertools.product(range(n), repeat=B)), dtype=int)
    for start in range(0, len(allA), 4096):
        A = allA[start:start + 4096]
        d, f = _shortest_path_prices(V, A)
        rev = np.where(f, d.sum(axis=1), -np.inf)
        i = int(np.argmax(rev))
        if rev[i] > best + FEAS:
            best, bs, bp = float(rev[i]), A[i].copy(), d[i].copy()
    return best, bs, bp


def single_price_revenue(V: np.ndarray) -> tuple[float, np.ndarray]:
    """Best single posted price for the whole dataset: a cheap feasible incumbent.

    The curve ``q(m) = p`` for every ``m >= 1`` makes each buyer with ``v_j(N) >= p`` buy
    ``N`` points (eq. 4 tie-break); ``p`` ranges over the ``v_j(N)``.  Used so that a
    time-limited solve always reports a valid revenue, even without a backend incumbent.
    """
    B, n = V.shape
    best, bq = 0.0, np.zeros(n)
    for p in np.unique(V[:, -1]):
        q = np.full(n, p)
        q[0] = 0.0
        r = curve_revenue(V, q)
        if r > best:
            best, bq = r, q
    return best, bq


# ----------------------------------------------------------------------------- reductions
def merge_identical_buyers(V: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exact reduction: buyers with identical valuation rows become one weighted buyer.

    Returns ``(types, weights, inverse)`` with ``V == types[inverse]`` and ``weights`` the
    number of buyers of each type.  The MILPs on ``types`` with objective
    ``sum_t weights_t p_t`` have optimum rev^OPT(N).

    Proof that this loses nothing.  Let buyers ``j, k`` have the same valuation ``v`` in an
    envy-free scheme.  EFB in both directions gives ``v(m_j) - p_j = v(m_k) - p_k =: u``.
    Give both the option ``(m, p)`` of the two with the larger price.  Each of them still has
    utility ``u`` (IRB holds as ``u >= 0``) and sees a subset of the options offered before,
    so neither envies anyone; every other buyer also sees a subset of the former options, so
    her EFB still holds.  Revenue goes from ``p_j + p_k`` to ``2 max(p_j, p_k)``, no less.
    Repeating this within each class of identical buyers gives an optimal scheme in which
    identical buyers share one option, i.e. a feasible point of the weighted type MILP with
    the same revenue; conversely every type scheme expanded to the buyers is envy-free.
    """
    V = np.asarray(V, dtype=float)
    types, inverse, counts = np.unique(V, axis=0, return_inverse=True, return_counts=True)
    return types, counts.astype(float), np.asarray(inverse).reshape(-1)


# ----------------------------------------------------------------------------- MILPs
def curve_milp(V: np.ndarray, weights: np.ndarray | None = None) -> LinearProgram:
    """The compact curve MILP for rev^OPT(N) (see module docstring).

    ``weights`` (default all 1) counts how many identical buyers each row stands for
    (:func:`merge_identical_buyers`); the objective is ``sum_j w_j p_j``.

    Why the two restrictions lose nothing: a chosen size ``m_j`` never has
    ``q(m_j) > q(m')`` for ``m' > m_j`` (the buyer would strictly prefer ``m'`` as ``v_j`` is
    non-decreasing), so replacing ``q`` by its suffix minimum changes no chosen price and no
    buyer's best utility; capping an unchosen ``q(m)`` at ``max_k v_k(m)`` leaves every buyer
    a utility ``<= 0 <= u_j`` there.  Both caps keep ``q`` non-decreasing.

    Variable order: ``x`` (``B*(N+1)``, row-major), ``u`` (``B``), ``q`` (``N+1``).
    """
    B, n = V.shape
    nx = B * n
    iu = nx + np.arange(B)
    iq = nx + B + np.arange(n)
    qmax = V.max(axis=0)
    M = V[:, -1:] - V + qmax[None, :]
    xi = np.arange(nx).reshape(B, n)
    jj = np.repeat(np.arange(B), n)
    mm = np.tile(np.arange(n), B)
    r = np.arange(nx)
    # (C2) -u_j - q_m <= -v_j(m)
    rows = [r, r]
    cols = [iu[jj], iq[mm]]
    vals = [-np.ones(nx), -np.ones(nx)]
    rhs = [-V.reshape(-1)]
    # (C3) u_j + q_m + M x_jm <= v_j(m) + M
    rows += [nx + r] * 3
    cols += [iu[jj], iq[mm], xi.reshape(-1)]
    vals += [np.ones(nx), np.ones(nx), M.reshape(-1)]
    rhs.append((V + M).reshape(-1))
    # (C4) q_m - q_{m+1} <= 0
    k = np.arange(n - 1)
    rows += [2 * nx + k, 2 * nx + k]
    cols += [iq[k], iq[k + 1]]
    vals += [np.ones(n - 1), -np.ones(n - 1)]
    rhs.append(np.zeros(n - 1))
    nvar = nx + B + n
    A_ub = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                         shape=(2 * nx + n - 1, nvar))
    A_eq = sp.csr_matrix((np.ones(nx), (jj, xi.reshape(-1))), shape=(B, nvar))
    w = np.ones(B) if weights is None else np.asarray(weights, dtype=float)
    c = np.concatenate([(w[:, None] * V).reshape(-1), -w, np.zeros(n)])
    lb = np.zeros(nvar)
    ub = np.concatenate([np.ones(nx), V[:, -1], qmax])
    integ = np.concatenate([np.ones(nx, bool), np.zeros(B + n, bool)])
    return LinearProgram(c=c, A_ub=A_ub, b_ub=np.concatenate(rhs), A_eq=A_eq, b_eq=np.ones(B),
                         lb=lb, ub=ub, integrality=integ, sense="max")


def pairwise_milp(V: np.ndarray, weights: np.ndarray | None = None) -> LinearProgram:
    """Eq. 2 literally: binaries ``x[j, m]``, prices ``p_j``, IRB and pairwise EFB rows.

    ``weights`` (default all 1) counts how many identical buyers each row stands for
    (:func:`merge_identical_buyers`); the objective is ``sum_j w_j p_j``.

    Binaries on flat steps of a buyer's own valuation are fixed to 0 (valid, see code).

    Variable order: ``x`` (``B*(N+1)``), ``p`` (``B``).
    """
    B, n = V.shape
    nx = B * n
    ip = nx + np.arange(B)
    xi = np.arange(nx).reshape(B, n)
    rows, cols, vals = [], [], []
    # IRB: p_j - sum_m v_j(m) x_jm <= 0
    for j in range(B):
        rows += [np.full(n + 1, j)]
        cols += [np.concatenate([[ip[j]], xi[j]])]
        vals += [np.concatenate([[1.0], -V[j]])]
    r = B
    # EFB: sum_m v_j(m) x_km - p_k - sum_m v_j(m) x_jm + p_j <= 0
    for j in range(B):
        for k in range(B):
            if j == k:
                continue
            rows += [np.full(2 * n + 2, r)]
            cols += [np.concatenate([xi[k], xi[j], [ip[k], ip[j]]])]
            vals += [np.concatenate([V[j], -V[j], [-1.0, 1.0]])]
            r += 1
    nvar = nx + B
    A_ub = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                         shape=(r, nvar))
    A_eq = sp.csr_matrix((np.ones(nx), (np.repeat(np.arange(B), n), xi.reshape(-1))),
                         shape=(B, nvar))
    w = np.ones(B) if weights is None else np.asarray(weights, dtype=float)
    c = np.concatenate([np.zeros(nx), w])
    # Without loss, a buyer never gets a size on a flat step of her own valuation
    # (v_j(m) = v_j(m - 1)): moving her to m - 1 at the same price keeps her utility and only
    # lowers the others' envy towards her.  Those binaries are fixed to 0.
    flat = np.zeros((B, n), dtype=bool)
    flat[:, 1:] = V[:, 1:] <= V[:, :-1]
    ub = np.concatenate([np.where(flat, 0.0, 1.0).reshape(-1), V[:, -1]])
    integ = np.concatenate([np.ones(nx, bool), np.zeros(B, bool)])
    return LinearProgram(c=c, A_ub=A_ub, b_ub=np.zeros(r), A_eq=A_eq, b_eq=np.ones(B),
                         ub=ub, integrality=integ, sense="max")


def ef_revenue(V: np.ndarray, backend: str = "auto", time_limit: float | None = None,
               formulation: str = "pairwise", options: dict | None = None,
               merge: bool = True) -> RevenueResult:
    """rev^OPT(N) (eq. 2) with its certificate, scheme and Lemma 1 curve.

    Parameters
    ----------
    V
        Valuations ``(B, N + 1)`` with ``V[:, 0] = 0``.
    backend, time_limit, options
        Passed to :func:`solver.opt.solve` (``options`` are backend-specific solver
        options, e.g. HiGHS option names for ``"highs"``).
    merge
        Solve on the distinct valuation rows with weights (:func:`merge_identical_buyers`,
        exact); identical buyers then get the same size.
    formulation
        ``"pairwise"`` (eq. 2 rows, default: its LP relaxation is much tighter than the
        curve MILP's big-M rows on the instances benchmarked), ``"curve"`` (compact) or
        ``"brute"`` (enumeration).

    Returns
    -------
    RevenueResult
        ``status`` is the solver's; a time-limited solve keeps its bound and gap and never
        reports ``"optimal"``.  The scheme's prices are polished by :func:`optimal_prices`
        (never below the MILP's revenue up to ``FEAS``).
    """
    V = np.asarray(V, dtype=float)
    B, n = V.shape
    N = n - 1
    if formulation == "brute":
        t0 = time.perf_counter()
        obj, sizes, prices = brute_force_revenue(V)
        q = lemma1_curve(sizes, prices, N)
        return RevenueResult("optimal", obj, obj, 0.0, "exact:enumeration",
                             time.perf_counter() - t0, sizes, prices, q, curve_revenue(V, q))
    if merge:
        T, w, inv = merge_identical_buyers(V)
    else:
        T, w, inv = V, np.ones(B), np.arange(B)
    nt = T.shape[0]
    if formulation == "curve":
        lp = curve_milp(T, w)
    elif formulation == "pairwise":
        lp = pairwise_milp(T, w)
    else:
        raise ValueError(f"unknown formulation {formulation!r}")
    sol = solve(lp, backend=backend, time_limit=time_limit, options=options)
    ub_trivial = float(V[:, -1].sum())  # IRB: p_j <= v_j(m_j) <= v_j(N)
    bound = sol.bound if np.isfinite(sol.bound) else (
        sol.objective if sol.status == "optimal" else ub_trivial)
    obj, sizes, prices = -np.inf, np.zeros(B, int), np.zeros(B)
    if sol.x is not None:
        # solve() only returns points that satisfy the MILP, so the assignment is envy-free
        # for some prices; a point that is not (feas False) is ignored, never priced
        s = np.argmax(sol.x[:nt * n].reshape(nt, n), axis=1).astype(int)[inv]
        p, feas = optimal_prices(V, s)
        if feas:
            obj, sizes, prices = float(p.sum()), s, p
    status = sol.status
    if status != "optimal":
        # feasible fallback incumbents (local search from the best single price, one and
        # three sweeps: polishing makes the two differ) so a time-limited answer is usable
        # even when the backend's incumbent is poor or absent (at 100 x 100 HiGHS often has
        # none after 60 s)
        from .approx import local_search

        for sweeps in (1, 3):
            q1 = local_search(V, sweeps=sweeps)
            r1 = curve_revenue(V, q1)
            if r1 > obj:
                sizes = purchases(V, q1)
                prices = q1[sizes]
                obj = r1
        bound = max(bound, obj)
    if not np.isfinite(obj) or not is_envy_free(V, sizes, prices, tol=FEAS + TIE):
        # the fallbacks above always produce an envy-free scheme, so this is a bug guard:
        # never report a revenue without a scheme that earns it
        raise RuntimeError(f"no envy-free scheme behind the {sol.backend} result "
                           f"(status {status}, MILP objective {sol.objective})")
    q = lemma1_curve(sizes, prices, N)
    gap = 0.0 if status == "optimal" else relative_gap(obj, bound)
    return RevenueResult(status, obj, float(bound), gap, sol.backend, sol.seconds, sizes,
                         prices, q, curve_revenue(V, q),
                         extra={"milp_objective": sol.objective, "message": sol.message})
