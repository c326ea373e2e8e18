"""Envy-free revenue rev^OPT(N) and ordered-item pricing [CCK25, Section 2].

rev^OPT(N) is [CCK25, eq. (2)]; ordered-item pricing is [CCK25, Definition 1, eq. (4)-(5)].

Valuations are an array ``V`` of shape ``(B, N + 1)`` with ``V[j, m] = v_j(m)``,
``V[:, 0] = 0`` (the paper's ``v(0) = 0``), non-decreasing along each row.  Instance files
list ``v_j(1..N)`` instead; every array entry point validates its input
(:func:`as_valuations`) and refuses a first column that is not zero, or takes rows
``v_j(1..N)`` when called with ``from_one=True``.  Nothing here assumes values in
``[0, 1]``: every tolerance is relative to the instance's value scale ``max |v|``
(:func:`value_scale`) and the MILPs are built on ``V / max |v|``, so scaling every
valuation by ``10^k`` scales every reported price and revenue by ``10^k``.

Two exact MILPs, both built as :class:`solver.opt.LinearProgram` data:

``"curve"`` (compact)
    Assignment binaries ``x[j, m]``, a price curve ``q(0..N)`` and buyer utilities ``u_j``.
    Revenue is linearised as ``sum_j (sum_m v_j(m) x[j, m] - u_j)``;
    ``u_j >= v_j(m) - q(m)`` for every ``m`` (so ``u_j`` is the buyer's best utility and,
    with ``m = 0``, IRB), and ``u_j <= v_j(m) - q(m) + M[j, m] (1 - x[j, m])`` with the tight
    big-M ``M[j, m] = v_j(N) - v_j(m) + max_k v_k(m)`` (from ``u_j <= v_j(N)`` and
    ``q(m) <= max_k v_k(m)``).  Two restrictions are without loss (proof in the docstring of
    :func:`curve_milp`): ``q`` non-decreasing and ``q(m) <= max_k v_k(m)``.
    ``B (N + 1)`` binaries, about ``2 B (N + 1)`` rows.
``"pairwise"`` (eq. 2 literally, default)
    Binaries ``x[j, m]`` and prices ``p_j``; IRB ``p_j <= v_j(m_j)`` and EFB
    ``v_j(m_j) - p_j >= v_j(m_k) - p_k`` for all ``j != k``, where ``v_j(m_k)`` is the linear
    form ``sum_m v_j(m) x[k, m]``: no big-M is needed, but there are ``B (B - 1)`` rows.

The curve MILP lets the seller break buyers' ties; by Lemma 1 its value equals both rev^OPT(N)
and the optimum under the paper's tie-break (largest utility-maximising size, eq. 4).  The
scheme read off a MILP is *polished*: for its assignment the best prices are the shortest-path
distances of the difference constraints (:func:`optimal_prices`), which are exact to floating
point; the reported curve is the Lemma 1 curve of the polished scheme, evaluated with eq. 4.

Resources: the model's memory is estimated from the number of buyer types and sizes before
it is built (:func:`solver.pricing.resources.check_milp`), and the deadline of
:mod:`solver.budget` is checked between the stages of a solve; a deadline that passes
before the backend returns gives status ``time_limit`` with a heuristic incumbent.
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from ..budget import check_deadline, check_work, remaining_time
from ..errors import InstanceError, SizeLimitError, TimeLimitReached
from ..opt import LinearProgram, get_backend, solve
from . import resources
from .tolerances import CHECK, FEAS, MODEL_ZERO, PRICE_SLACK, TIE

__all__ = [
    "RevenueResult", "as_valuations", "value_scale", "curve_milp", "pairwise_milp",
    "ef_revenue", "optimal_prices", "brute_force_revenue", "purchases", "curve_revenue",
    "lemma1_curve", "is_envy_free", "single_price_revenue", "merge_identical_buyers",
    "revenue_gap",
]

#: Formulations :func:`ef_revenue` accepts.
FORMULATIONS = ("auto", "dp", "pairwise", "curve", "brute")


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
    message
        Why the status is not ``optimal`` (backend text, a failed check), or ``""``.
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
    message: str = ""
    method: str = ""

    def as_dict(self) -> dict:
        """JSON-ready fields (a non-finite bound or gap is ``None``)."""
        def num(v: float) -> float | None:
            return float(v) if v is not None and np.isfinite(v) else None

        out = {
            "status": self.status, "objective": num(self.objective), "bound": num(self.bound),
            "gap": num(self.gap), "backend": self.backend, "seconds": self.seconds,
            "sizes": np.asarray(self.sizes).tolist(), "prices": np.asarray(self.prices).tolist(),
            "curve": np.asarray(self.curve).tolist(), "curve_revenue": num(self.curve_revenue),
        }
        if self.method:
            out["method"] = self.method
        if self.extra.get("root_bound") is not None:
            out["root_bound"] = num(self.extra["root_bound"])
        if self.message:
            out["message"] = self.message
        return out


# ----------------------------------------------------------------------------- input
def as_valuations(V: object, *, from_one: bool = False, name: str = "V") -> np.ndarray:
    """Validate valuations for the array entry points; return ``(B, N + 1)`` floats.

    Parameters
    ----------
    V
        Rows ``v_j(0), ..., v_j(N)`` with ``v_j(0) = 0`` (the paper's convention), or, with
        ``from_one=True``, rows ``v_j(1), ..., v_j(N)`` as instance files list them (a zero
        column is then prepended).
    name
        Name of the argument in error messages.

    Raises
    ------
    InstanceError
        (a ``ValueError``) naming the offending entry: not a finite 2-D array, a first
        column that is not 0 without ``from_one`` (the trap of passing an instance file's
        rows: they start at ``v_j(1)``), a negative value, or a decrease along a row larger
        than the feasibility tolerance (smaller ones are rounding and are removed).
    """
    try:
        A = np.array(V, dtype=float)
    except (TypeError, ValueError, OverflowError) as exc:
        raise InstanceError(name, f"must be a numeric 2-D array ({exc})") from None
    if A.ndim != 2 or A.shape[0] == 0 or A.shape[1] < (0 if from_one else 1):
        need = "v_j(1..N)" if from_one else "v_j(0..N)"
        raise InstanceError(name, f"must be a 2-D array with one row {need} per buyer "
                            f"(at least one buyer), got shape {A.shape}")
    bad = ~np.isfinite(A)
    if bad.any():
        j, m = (int(i) for i in np.argwhere(bad)[0])
        raise InstanceError(f"{name}[{j}][{m}]", f"must be finite, got {A[j, m]}")
    if from_one:
        A = np.concatenate([np.zeros((A.shape[0], 1)), A], axis=1)
    elif np.any(A[:, 0] != 0):
        j = int(np.flatnonzero(A[:, 0] != 0)[0])
        raise InstanceError(f"{name}[{j}][0]", f"must be 0, got {A[j, 0]}: rows are "
                            "v_j(0), ..., v_j(N) with v_j(0) = 0 (the paper's convention); "
                            "an instance file's rows start at v_j(1): pass from_one=True")
    if np.any(A < 0):
        j, m = (int(i) for i in np.argwhere(A < 0)[0])
        raise InstanceError(f"{name}[{j}][{m}]", f"must be >= 0, got {A[j, m]}")
    d = np.diff(A, axis=1)
    if np.any(d < 0):
        tol = FEAS * value_scale(A)
        if np.any(d < -tol):
            j, m = (int(i) for i in np.argwhere(d < -tol)[0])
            raise InstanceError(f"{name}[{j}][{m + 1}]", "must be non-decreasing along the "
                                f"row: {A[j, m + 1]} follows {A[j, m]}")
        A = np.maximum.accumulate(A, axis=1)
    return A


def value_scale(V: np.ndarray) -> float:
    """``max |v|``: the unit of every tolerance on valuations, prices and revenue (``0`` if
    every value is ``0``)."""
    return float(np.max(np.abs(V))) if np.size(V) else 0.0


def model_values(V: np.ndarray, scale: float) -> np.ndarray:
    """``V / scale`` (``scale = max |v| > 0``) with the entries below
    :data:`~solver.pricing.tolerances.MODEL_ZERO` set to 0: the order-1 values every pricing
    model (MILPs, LP roots, the cut LP) is built on, so each is the same for ``V`` and any
    positive multiple of it up to rounding."""
    Vn = np.asarray(V, dtype=float) / scale
    Vn[Vn < MODEL_ZERO] = 0.0
    return Vn


def revenue_gap(objective: float, bound: float, scale: float) -> float:
    """``|bound - objective| / max(|objective|, scale)``: a gap free of the data's units.

    With values in ``[0, 1]`` and ``scale = max |v| = 1`` it is the library's usual
    ``max(1, |objective|)`` convention; ``inf`` if either number is not finite.
    """
    if not (np.isfinite(objective) and np.isfinite(bound)):
        return float("inf")
    den = max(abs(objective), scale)
    return abs(bound - objective) / den if den > 0 else 0.0


def _require_v0(V: np.ndarray) -> np.ndarray:
    """``V`` as floats, refused (``O(B)``) unless it is 2-D with a zero first column."""
    V = np.asarray(V, dtype=float)
    if V.ndim != 2 or V.shape[1] == 0 or np.any(V[:, 0] != 0):
        raise InstanceError("V", "rows must be v_j(0..N) with v_j(0) = 0 (an instance "
                            "file's rows start at v_j(1): see as_valuations, from_one=True)")
    return V


def _check_curve(V: np.ndarray, q: np.ndarray) -> np.ndarray:
    q = np.asarray(q, dtype=float)
    if q.ndim != 1 or q.shape[0] != V.shape[1]:
        raise InstanceError("q", f"must be a curve q(0..N) of length {V.shape[1]} (N + 1 "
                            f"for valuations of shape {V.shape}), got shape {q.shape}")
    _require_v0(V)
    return q


# ----------------------------------------------------------------------------- OIP (eq. 4-5)
def _purchases(V: np.ndarray, q: np.ndarray, tie: float) -> np.ndarray:
    util = V - q[None, :]
    best = util.max(axis=1, keepdims=True)
    ok = util >= best - tie
    return (V.shape[1] - 1 - np.argmax(ok[:, ::-1], axis=1)).astype(int)


def purchases(V: np.ndarray, q: np.ndarray, tie: float | None = None) -> np.ndarray:
    """Buyers' choices ``m~_j(N, q)`` [CCK25, eq. (4)]: the largest utility-maximising size.

    Parameters
    ----------
    V
        Valuations ``(B, N + 1)``, rows ``v_j(0..N)`` with ``v_j(0) = 0``.
    q
        A pricing curve ``q(0..N)`` of length ``N + 1``.
    tie
        Utilities within ``tie`` of the maximum count as ties (floating-point reading of
        eq. (4)); the default is ``TIE * max |v|``.

    Returns
    -------
    numpy.ndarray
        The sizes ``m_j`` (integers in ``0..N``: a number of points, so buyer ``j``'s value
        is ``V[j, m_j]``, i.e. ``valuations[j][m_j - 1]`` of an instance's rows).
    """
    V = np.asarray(V, dtype=float)
    q = _check_curve(V, q)
    return _purchases(V, q, TIE * value_scale(V) if tie is None else tie)


def _check_weights(V: np.ndarray, weights: np.ndarray | None) -> np.ndarray | None:
    """``weights`` as floats, refused unless one finite count ``>= 0`` per row of ``V``."""
    if weights is None:
        return None
    w = np.asarray(weights, dtype=float)
    if w.shape != (V.shape[0],) or not np.all(np.isfinite(w)) or np.any(w < 0):
        raise InstanceError("weights", f"must be {V.shape[0]} finite counts >= 0 (one per "
                            f"row of V: how many identical buyers it stands for), got shape "
                            f"{w.shape}")
    return w


def curve_revenue(V: np.ndarray, q: np.ndarray, tie: float | None = None,
                  weights: np.ndarray | None = None) -> float:
    """``rev-bar(N, q) = sum_j q(m~_j(N, q))`` [CCK25, eq. (5)].

    Parameters
    ----------
    V
        Valuations ``(B, N + 1)``, rows ``v_j(0..N)`` with ``v_j(0) = 0``.
    q
        A pricing curve ``q(0..N)`` (length ``N + 1``, ``q[m]`` the price of ``m`` points).
    tie
        Utilities within ``tie`` of the best count as tied (default ``TIE * max |v|``).
    weights
        How many identical buyers each row stands for (default one each).

    Returns
    -------
    float
        The revenue under the buyers' choices (:func:`purchases`, eq. (4)).
    """
    V = np.asarray(V, dtype=float)
    q = _check_curve(V, q)
    w = _check_weights(V, weights)
    paid = q[_purchases(V, q, TIE * value_scale(V) if tie is None else tie)]
    return float(paid.sum() if w is None else paid @ w)


def lemma1_curve(sizes: np.ndarray, prices: np.ndarray, N: int) -> np.ndarray:
    """The step curve of the proof of [CCK25, Lemma 1, Section 2.3] built from a scheme.

    ``q(m) = p_k`` for ``m_{k-1} < m <= m_k`` (buyers sorted by size) and ``q(m) = p_max`` on
    ``(m_max, N]``.  Reading: the paper writes ``q(m) = p_1`` for ``m <= m_1``, which would
    include ``m = 0``; we keep ``q(0) = 0`` (the definition of a pricing curve), which the
    proof does not need since IRB makes ``m = 0`` no better than ``m_j``.  Buyers with equal
    sizes share a price in any envy-free scheme; we take the smallest (robust to rounding).
    """
    sizes = np.asarray(sizes, dtype=int)
    prices = np.asarray(prices, dtype=float)
    pmin = np.full(N + 1, np.inf)
    np.minimum.at(pmin, sizes, prices)
    q = np.zeros(N + 1)
    lo, last = 0, 0.0
    for m in np.flatnonzero(np.isfinite(pmin[1:])) + 1:
        last = float(pmin[m])
        q[lo + 1:m + 1] = last
        lo = int(m)
    q[lo + 1:] = last
    return q


def is_envy_free(V: np.ndarray, sizes: np.ndarray, prices: np.ndarray,
                 tol: float | None = None) -> bool:
    """IRB and EFB of a scheme [CCK25, Section 2.1], up to ``tol`` (default ``FEAS * max |v|``).

    Buyer ``j`` envies nobody iff her utility is at least ``max_m v_j(m) - pmin(m)``, where
    ``pmin(m)`` is the cheapest price any buyer pays for size ``m``: ``O(B N)``, not
    ``O(B^2)``.
    """
    V = _require_v0(V)
    sizes = np.asarray(sizes, dtype=int)
    prices = np.asarray(prices, dtype=float)
    B, n = V.shape
    if sizes.shape != (B,) or prices.shape != (B,) or np.any(sizes < 0) or np.any(sizes >= n):
        return False
    tol = FEAS * value_scale(V) if tol is None else tol
    own = V[np.arange(B), sizes] - prices
    pmin = np.full(n, np.inf)
    np.minimum.at(pmin, sizes, prices)
    with np.errstate(invalid="ignore"):
        other = np.max(V - pmin[None, :], axis=1)       # -inf where no buyer has size m
    return bool(np.all(own >= -tol) and np.all(own >= other - tol)
                and np.all(prices >= -tol))


# ----------------------------------------------------------------------------- exact prices
def _shortest_path_prices(V: np.ndarray, A: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Batched Floyd-Warshall on the difference constraints of fixed assignments.

    ``A`` has shape ``(K, B)``.  Node 0 is the outside option (size 0, price 0); the edge
    ``k -> j`` has weight ``v_j(m_j) - v_j(m_k)`` (EFB of ``j`` against ``k``).  Returns the
    distances ``(K, B)`` and a feasibility mask (no negative cycle, all prices >= 0), both up
    to ``FEAS * max |v|``.  Hand-written because scipy's shortest paths are not batched over
    thousands of tiny graphs (used by the enumeration, ``B <= 17``).
    """
    K, B = A.shape
    tol = FEAS * value_scale(V)
    sizes = np.concatenate([np.zeros((K, 1), dtype=int), A], axis=1)       # (K, B+1)
    Vx = np.concatenate([np.zeros((1, V.shape[1])), V], axis=0)            # node 0 row = 0
    val = Vx[np.arange(B + 1)[None, :, None], sizes[:, None, :]]          # v_j(m_k)
    own = np.diagonal(val, axis1=1, axis2=2)                                # v_j(m_j)
    W = own[:, None, :] - np.transpose(val, (0, 2, 1))   # W[K, k, j] = v_j(m_j) - v_j(m_k)
    W[:, :, 0] = np.inf                                  # nothing constrains node 0
    idx = np.arange(B + 1)
    W[:, idx, idx] = 0.0
    D = W.copy()
    for t in range(B + 1):
        D = np.minimum(D, D[:, :, t:t + 1] + D[:, t:t + 1, :])
    neg_cycle = np.any(np.diagonal(D, axis1=1, axis2=2) < -tol, axis=1)
    dist = D[:, 0, 1:]
    feas = ~neg_cycle & np.all(dist >= -tol, axis=1)
    return np.maximum(dist, 0.0), feas


def _bellman_ford(W: np.ndarray, slack: float) -> np.ndarray | None:
    """Distances from node 0 of a dense graph ``W`` (``inf``: no edge), or ``None`` on a
    negative cycle.

    Vectorised Bellman-Ford that stops as soon as no distance improves by more than
    ``slack`` (so a zero-weight cycle that rounding made slightly negative is not one, and
    every constraint ``d_b <= d_a + W[a, b]`` holds within ``slack``).  Hand-written:
    scipy's ``bellman_ford`` has neither a tolerance nor an early exit (5 s at 1000 nodes;
    this needs a few passes of ``O(K^2)``).
    """
    K = W.shape[0]
    d = np.full(K, np.inf)
    d[0] = 0.0
    for _ in range(K + 1):
        with np.errstate(invalid="ignore"):
            cand = np.min(d[:, None] + W, axis=0)
        cand[0] = min(cand[0], 0.0)
        better = cand < d - slack
        if not better.any():
            return d
        d = np.where(better, cand, d)
    return None


def optimal_prices(V: np.ndarray, sizes: np.ndarray) -> tuple[np.ndarray, bool]:
    """Revenue-maximising IRB/EFB prices for a fixed assignment (an LP solved exactly).

    ``max sum_j p_j`` subject to ``p_j - p_k <= v_j(m_j) - v_j(m_k)``, ``p_j <= v_j(m_j)``,
    ``p_j >= 0`` is a system of difference constraints; its componentwise-largest solution
    is the vector of shortest-path distances from the outside option.  Buyers with the same
    size pay the same price in any envy-free scheme (EFB both ways), so the graph has one
    node per distinct size (at most ``min(B, N) + 1``), the edge ``a -> b`` weighing
    ``min_{j: m_j = b} v_j(b) - v_j(a)``; building it is ``O(B K)``, never ``O(B^2)``.

    Returns the prices and whether the assignment is implementable (no negative cycle and
    every price ``>= 0``, up to ``FEAS * max |v|``).
    """
    V = _require_v0(V)
    sizes = np.asarray(sizes, dtype=int)
    B, n = V.shape
    if sizes.shape != (B,) or np.any(sizes < 0) or np.any(sizes >= n):
        raise InstanceError("sizes", f"must be {B} sizes in 0..{n - 1}")
    scale = value_scale(V)
    classes = np.unique(np.concatenate([[0], sizes]))           # node 0: size 0
    K = classes.shape[0]
    cls = np.searchsorted(classes, sizes)
    Vc = V[:, classes]                                          # v_j(size of node a)
    Wj = Vc[np.arange(B), cls][:, None] - Vc                    # edge a -> cls[j] for buyer j
    order = np.argsort(cls, kind="stable")
    present, starts = np.unique(cls[order], return_index=True)
    W = np.full((K, K), np.inf)
    W[:, present] = np.minimum.reduceat(Wj[order], starts, axis=0).T
    np.fill_diagonal(W, np.inf)
    d = _bellman_ford(W, PRICE_SLACK * scale)
    if d is None:
        return np.zeros(B), False
    feas = bool(np.all(d >= -FEAS * scale))
    return np.maximum(d, 0.0)[cls], feas


def brute_force_revenue(V: np.ndarray, max_assignments: int = 200_000
                        ) -> tuple[float, np.ndarray, np.ndarray]:
    """rev^OPT(N) [CCK25, eq. (2)] by enumerating every assignment ``{0..N}^B`` (reference).

    Rows ``v_j(0..N)`` with ``v_j(0) = 0`` (:func:`as_valuations`); returns the revenue, the
    sizes and the prices.
    """
    V = as_valuations(V)
    B, n = V.shape
    if B * math.log(n) > math.log(max_assignments):
        raise SizeLimitError("valuations", f"(N+1)^B = {n}^{B} assignments exceed "
                             f"{max_assignments}", "the MILP (method 'milp')")
    check_work("valuations", float(n) ** B * (B + 1) ** 3 * resources.BRUTE_OPS_PER_ENTRY,
               f"the enumeration of {n}^{B} assignments", "the MILP (method 'milp')")
    tol = FEAS * value_scale(V)
    best, bs, bp = -1.0, None, None
    allA = np.array(list(itertools.product(range(n), repeat=B)), dtype=int)
    for start in range(0, len(allA), 4096):
        check_deadline("enumerating assignments")
        A = allA[start:start + 4096]
        d, f = _shortest_path_prices(V, A)
        rev = np.where(f, d.sum(axis=1), -np.inf)
        i = int(np.argmax(rev))
        if rev[i] > best + tol:
            best, bs, bp = float(rev[i]), A[i].copy(), d[i].copy()
    assert bs is not None and bp is not None      # the empty scheme is always feasible
    return best, bs, bp


def single_price_revenue(V: np.ndarray, weights: np.ndarray | None = None
                         ) -> tuple[float, np.ndarray]:
    """Best single posted price for the whole dataset: a cheap feasible incumbent.

    The curve ``q(m) = p`` for every ``m >= 1`` makes each buyer with
    ``v_j(N) >= p - tie`` buy ``N`` points (eq. 4 tie-break, rows non-decreasing) and the
    others nothing; ``p`` ranges over the ``v_j(N)``.  ``O(B log B)`` by sorting.  Used so
    that a time-limited solve always reports a valid revenue, even without a backend
    incumbent.  ``weights`` counts identical buyers.
    """
    V = _require_v0(V)
    B, n = V.shape
    w = np.ones(B) if weights is None else np.asarray(weights, dtype=float)
    tie = TIE * value_scale(V)
    a = V[:, -1]
    order = np.argsort(a, kind="stable")
    a_s, w_s = a[order], w[order]
    tail = np.concatenate([np.cumsum(w_s[::-1])[::-1], [0.0]])   # weight of a_s[i:]
    cands = np.unique(a)
    buyers = tail[np.searchsorted(a_s, cands - tie, side="left")]
    rev = cands * buyers
    q = np.zeros(n)
    i = int(np.argmax(rev))
    if rev[i] <= 0:
        return 0.0, q
    q[1:] = cands[i]
    return float(rev[i]), q


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
    B = V.shape[0]
    # np.unique(V, axis=0) without its structured-dtype sort (1 s at 1e5 x 11): a lexsort
    # of the columns gives the same lexicographic order of the rows
    order = np.lexsort(V.T[::-1])
    Vs = V[order]
    new = np.ones(B, dtype=bool)
    new[1:] = np.any(Vs[1:] != Vs[:-1], axis=1)
    group = np.cumsum(new) - 1
    inverse = np.empty(B, dtype=int)
    inverse[order] = group
    return Vs[new], np.bincount(group).astype(float), inverse


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
    V = _require_v0(V)
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
    The matrix is assembled directly in CSR form, one block of ``B - 1`` EFB rows per buyer
    (``v_j(0) = 0`` terms are left out), with the deadline checked between blocks.

    Variable order: ``x`` (``B*(N+1)``), ``p`` (``B``).
    """
    V = _require_v0(V)
    B, n = V.shape
    nx = B * n
    nvar = nx + B
    itype = np.int32 if nvar < 2**31 - 1 else np.int64
    ip = (nx + np.arange(B)).astype(itype)
    xi = np.arange(nx, dtype=itype).reshape(B, n)
    v1 = V[:, 1:]
    nm = n - 1
    # IRB: p_j - sum_{m >= 1} v_j(m) x_jm <= 0            (nm + 1 entries per row)
    irb_cols = np.concatenate([ip[:, None], xi[:, 1:]], axis=1)
    irb_vals = np.concatenate([np.ones((B, 1)), -v1], axis=1)
    # EFB (j, k), j != k: sum_m v_j(m) x_km - sum_m v_j(m) x_jm - p_k + p_j <= 0
    width = 2 * nm + 2
    P = B * (B - 1)
    cols = np.empty((B * (nm + 1) + P * width,), dtype=itype)
    vals = np.empty(cols.shape[0])
    cols[:B * (nm + 1)] = irb_cols.reshape(-1)
    vals[:B * (nm + 1)] = irb_vals.reshape(-1)
    pos = B * (nm + 1)
    allk = np.arange(B)
    for j in range(B):
        if j % 64 == 0:
            check_deadline("building the pairwise pricing MILP")
        ks = np.delete(allk, j)
        blk_c = np.empty((B - 1, width), dtype=itype)
        blk_c[:, :nm] = xi[ks, 1:]
        blk_c[:, nm:2 * nm] = xi[j, 1:][None, :]
        blk_c[:, 2 * nm] = ip[ks]
        blk_c[:, 2 * nm + 1] = ip[j]
        blk_v = np.empty((B - 1, width))
        blk_v[:, :nm] = v1[j][None, :]
        blk_v[:, nm:2 * nm] = -v1[j][None, :]
        blk_v[:, 2 * nm] = -1.0
        blk_v[:, 2 * nm + 1] = 1.0
        size = (B - 1) * width
        cols[pos:pos + size] = blk_c.reshape(-1)
        vals[pos:pos + size] = blk_v.reshape(-1)
        pos += size
    r = B + P
    indptr = np.concatenate([np.arange(B, dtype=np.int64) * (nm + 1),
                             B * (nm + 1) + np.arange(P + 1, dtype=np.int64) * width])
    A_ub = sp.csr_matrix((vals, cols, indptr), shape=(r, nvar))
    A_ub.eliminate_zeros()
    A_ub.sort_indices()
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


# ----------------------------------------------------------------------------- rev^OPT(N)
def _incumbent(T: np.ndarray, w: np.ndarray, thorough: bool
               ) -> tuple[float, np.ndarray]:
    """A feasible curve for the types ``T``: the best single price, then (``thorough``)
    local search with one and three sweeps (polishing makes the two differ), each stopped
    by the deadline; returns ``(revenue, curve)``."""
    from .approx import local_search

    best, q = single_price_revenue(T, w)
    if not thorough:
        return best, q
    for sweeps in (1, 3):
        left = remaining_time()
        if left is not None and left <= 0:
            break
        q1 = local_search(T, sweeps=sweeps, weights=w, q0=q if sweeps == 3 else None,
                          time_budget=left)
        r1 = curve_revenue(T, q1, weights=w)
        if r1 > best:
            best, q = r1, q1
    return best, q


def ef_revenue(V: np.ndarray, backend: str = "auto", time_limit: float | None = None,
               formulation: str = "auto", options: dict | None = None,
               merge: bool = True, *, from_one: bool = False) -> RevenueResult:
    """rev^OPT(N) [CCK25, eq. (2)] with its certificate, scheme and Lemma 1 curve.

    Parameters
    ----------
    V
        Valuations ``(B, N + 1)`` with ``V[:, 0] = 0`` (validated, :func:`as_valuations`:
        rows that do not start with 0 are refused), or ``(B, N)`` rows ``v_j(1..N)`` as in
        instance files with ``from_one=True``.
    backend, time_limit, options
        Passed to :func:`solver.opt.solve` (``options`` are backend-specific solver
        options, e.g. HiGHS option names for ``"highs"``).  ``time_limit`` is capped by
        the deadline of :mod:`solver.budget` and covers building the model.
    merge
        Solve on the distinct valuation rows with weights (:func:`merge_identical_buyers`,
        exact); identical buyers then get the same size.
    formulation
        ``"pairwise"`` (eq. 2 rows, default: its LP relaxation is much tighter than the
        curve MILP's big-M rows on the instances benchmarked), ``"curve"`` (compact) or
        ``"brute"`` (enumeration).

    Under a time limit with at least :data:`~solver.pricing.bounds.ROOT_MIN_SECONDS` left,
    the pairwise formulation on :data:`~solver.pricing.bounds.ROOT_MIN_TYPES` or more buyer
    types first computes the row-generated LP root bound (:func:`~solver.pricing.bounds.
    root_bound`, a third of the time); from :data:`~solver.pricing.bounds.CUTS_MIN_TYPES`
    types on (backend ``"auto"`` or ``"highs"``) it runs :func:`~solver.pricing.bounds.
    bound_and_incumbent` instead (the root strengthened by TH/SD/S1 cut rounds for the bound;
    single price, local search and a restricted top-size MILP for the incumbent), and the
    full MILP only in the time left (at least :data:`~solver.pricing.bounds.
    MILP_AFTER_CUTS_SECONDS`, and only when the cut rounds stopped before their share of the
    time: otherwise the bound was still improving and the MILP could not finish its root).
    The reported bound is the smallest certified one, the objective the best incumbent's
    recomputed revenue.

    Returns
    -------
    RevenueResult
        ``status`` is the solver's; a time-limited solve keeps its bound and gap and never
        reports ``"optimal"``.  The scheme's prices are polished by :func:`optimal_prices`
        (never below the MILP's revenue).  A backend answer that cannot be turned into an
        envy-free scheme (an "optimal" point whose assignment no prices implement, or
        "infeasible" for a model the empty scheme satisfies) gives status ``"error"`` with a
        ``message`` and the best heuristic scheme, never an exception.

    Raises
    ------
    InstanceError
        Bad valuations, an unknown formulation or backend, or a model whose estimated
        memory exceeds the budget (:class:`~solver.errors.SizeLimitError`).
    """
    if formulation not in FORMULATIONS:
        raise InstanceError("formulation", f"must be one of {', '.join(FORMULATIONS)}, "
                            f"got {formulation!r}")
    V = as_valuations(V, from_one=from_one)
    t0 = time.perf_counter()
    B, n = V.shape
    N = n - 1
    scale = value_scale(V)
    if formulation == "brute":
        obj, sizes, prices = brute_force_revenue(V)
        q = lemma1_curve(sizes, prices, N)
        return RevenueResult("optimal", obj, obj, 0.0, "exact:enumeration",
                             time.perf_counter() - t0, sizes, prices, q, curve_revenue(V, q),
                             method="brute")
    if backend != "auto":
        get_backend(backend)                       # an unknown name is refused up front
    if merge:
        T, w, inv = merge_identical_buyers(V)
    else:
        T, w, inv = V, np.ones(B), np.arange(B)
    nt = T.shape[0]
    ub_trivial = float(w @ T[:, -1])               # IRB: p_j <= v_j(m_j) <= v_j(N)
    if scale == 0:                                 # nothing has value: nothing is sold
        z = np.zeros(B)
        return RevenueResult("optimal", 0.0, 0.0, 0.0, "exact:zero-valuations",
                             time.perf_counter() - t0, z.astype(int), z, np.zeros(n), 0.0,
                             method=formulation if formulation != "auto" else "dp")
    if formulation in ("auto", "dp"):
        from .single_crossing import dp_revenue, single_crossing_order

        order = single_crossing_order(T)
        if order is not None or formulation == "dp":
            obj, s_t, p_t = dp_revenue(T, w, order)
            return _dp_result(T, w, inv, obj, s_t, p_t, t0)
        formulation = "pairwise"
    resources.check_milp(formulation, nt, n, backend, remaining_time(time_limit))
    limited = remaining_time(time_limit) is not None
    inc_obj, inc_q = _incumbent(T, w, thorough=False)
    sol = None
    note = ""
    root = None
    big = None                # large instances: cut bound + incumbents before the MILP
    try:
        if limited:           # the fallback first, so the backend may use all that is left
            inc_obj, inc_q = _incumbent(T, w, thorough=True)
            left = remaining_time(time_limit)
            from .bounds import (
                CUTS_MIN_TYPES,
                MILP_AFTER_CUTS_SECONDS,
                ROOT_MIN_SECONDS,
                ROOT_MIN_TYPES,
                bound_and_incumbent,
                root_bound,
            )

            if formulation == "pairwise" and nt >= ROOT_MIN_TYPES and left is not None \
                    and left >= ROOT_MIN_SECONDS:
                if nt >= CUTS_MIN_TYPES and backend in ("auto", "highs"):
                    big = bound_and_incumbent(T, w, curve=inc_q, time_limit=left)
                    if big.objective > inc_obj:
                        inc_obj, inc_q = big.objective, big.curve
                else:
                    root = root_bound(T, weights=w, time_limit=left / 3)
        left = remaining_time(time_limit)
        if big is None or (left is not None and left >= MILP_AFTER_CUTS_SECONDS
                           and not big.cuts_timed_out):
            check_deadline("building the pricing MILP")
            Tn = model_values(T, scale)                # the MILP sees values of order 1
            lp = curve_milp(Tn, w) if formulation == "curve" else pairwise_milp(Tn, w)
            check_deadline("building the pricing MILP")
            sol = solve(lp, backend=backend, time_limit=remaining_time(time_limit),
                        options=options)
    except TimeLimitReached as exc:
        note = str(exc)
    status = "time_limit" if sol is None else sol.status
    used = "none" if sol is None else sol.backend
    if big is not None:
        used = "highs" if sol is None else used
        note = big.message + ("" if sol is None else f"; then the full MILP in the time left "
                              f"({sol.status})")
    bound = float("nan") if sol is None else sol.bound * scale
    obj, s_t, p_t = -np.inf, np.zeros(nt, int), np.zeros(nt)
    if sol is not None and sol.x is not None:
        s = np.argmax(sol.x[:nt * n].reshape(nt, n), axis=1).astype(int)
        p, feas = optimal_prices(T, s)
        if feas:
            obj, s_t, p_t = float(w @ p), s, p
            if big is not None:
                big.incumbents["full MILP"] = obj
        elif status == "optimal":
            status = "error"
            note = (f"{used} reported an optimal point whose assignment no envy-free prices "
                    "implement (repricing failed)")
    if sol is not None and sol.status in ("infeasible", "unbounded"):
        status = "error"
        note = (f"{used} reported the pricing MILP {sol.status}, but the empty scheme is "
                "feasible and revenue is at most sum_j v_j(N)")
    elif sol is not None and status == "optimal" and sol.x is None:
        status, note = "error", f"{used} reported optimal without a point"
    if status != "optimal":
        if not limited:
            inc_obj, inc_q = _incumbent(T, w, thorough=True)
        if inc_obj > obj:
            s_t = _purchases(T, inc_q, TIE * scale)
            p_t = inc_q[s_t]
            obj = inc_obj
        if sol is not None and sol.message and not note:
            note = sol.message
    if status == "optimal":
        if not np.isfinite(bound) or bound < obj:
            # a bound below an achieved revenue (within the MIP gap) is that revenue
            if not np.isfinite(bound) or obj - bound <= CHECK * max(ub_trivial, scale):
                bound = obj
    elif status == "time_limit":               # IRB caps any bound at sum_j v_j(N)
        bound = max(min(bound, ub_trivial), obj) if np.isfinite(bound) else ub_trivial
        if root is not None and np.isfinite(root.bound):   # certified LP root (bounds.py)
            bound = max(min(bound, root.bound), obj)
        if big is not None and np.isfinite(big.bound):     # root + cuts (bounds.py, cuts.py)
            bound = max(min(bound, big.bound), obj)
    else:
        bound = float("nan")
    sizes, prices = s_t[inv], p_t[inv]
    if not is_envy_free(T, s_t, p_t, tol=(FEAS + TIE) * scale):
        status, bound = "error", float("nan")
        note = (f"no envy-free scheme behind the {used} result (MILP objective "
                f"{'none' if sol is None else sol.objective * scale}); {note}".rstrip("; "))
    q = lemma1_curve(s_t, p_t, N)
    certified = root.bound if root is not None else None if big is None else big.bound
    # the polished revenue is exact, the backend's bound carries its tolerances: an optimum
    # reports the (tiny) gap between them rather than 0
    gap = revenue_gap(obj, bound, scale)
    seconds = time.perf_counter() - t0
    return RevenueResult(status, obj, float(bound), gap, used, seconds, sizes, prices, q,
                         curve_revenue(T, q, weights=w),
                         extra={"milp_objective": None if sol is None
                                else sol.objective * scale,
                                "message": "" if sol is None else sol.message,
                                "root_bound": certified,
                                "cut_rounds": None if big is None or big.cuts is None
                                else big.cuts.rounds,
                                "incumbents": None if big is None else big.incumbents,
                                "cut_history": None if big is None or big.cuts is None
                                else big.cuts.history},
                         message="" if status == "optimal" else note, method=formulation)


def _dp_result(T: np.ndarray, w: np.ndarray, inv: np.ndarray, obj: float, s_t: np.ndarray,
               p_t: np.ndarray, t0: float) -> RevenueResult:
    """The :class:`RevenueResult` of the single-crossing DP on the types ``T``; a scheme
    that fails IRB/EFB (valuations single-crossing only within the tolerance) is an
    ``error``."""
    scale = value_scale(T)
    N = T.shape[1] - 1
    status, bound, note = "optimal", obj, ""
    if not is_envy_free(T, s_t, p_t, tol=(FEAS + TIE) * scale):
        status, bound = "error", float("nan")
        note = "the single-crossing DP's scheme is not envy-free (valuations single-crossing "\
               "only within the tolerance): use the MILP"
    q = lemma1_curve(s_t, p_t, N)
    return RevenueResult(status, obj, bound, 0.0 if status == "optimal" else float("nan"),
                         "exact:dp", time.perf_counter() - t0, s_t[inv], p_t[inv], q,
                         curve_revenue(T, q, weights=w), message=note, method="dp")
