"""Ironing of virtual costs: the greatest convex minorant of the cost curve [FL12, Appendix A].

[FL12, Appendix A, Lemma A.4]: with ``q = F(v)``, ``h(q) = phi(F^{-1}(q))`` and
``H(q) = int_0^q h``, the ironed virtual cost is ``g = G'`` where ``G`` is the lower convex
hull (greatest convex minorant) of ``H``; ironed intervals are the maximal intervals where
``G < H``, on which ``g`` is constant.

On a partition ``0 = q_0 < ... < q_K = 1`` with cell slopes ``h_k`` and cell widths ``w_k``
this is the weighted L2 isotonic regression of ``h`` with weights ``w`` (the slope of the
greatest convex minorant of a cumulative-sum diagram).  The engine is scipy's compiled
pool-adjacent-violators, :func:`scipy.optimize.isotonic_regression` (:func:`iron_slopes`,
:func:`iron_curve`); the hand-written hull of :mod:`solver.ironing.hull` is kept as the
independent check (``--method hull`` and the tests).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import isotonic_regression

from .hull import HULL_RTOL


def _check_weights(h: np.ndarray, w: np.ndarray) -> None:
    if h.shape != w.shape or h.size == 0:
        raise ValueError("slopes and weights must be non-empty and of equal length")
    if not np.isfinite(h).all():
        raise ValueError("slopes and weights must be finite")
    if not ((w > 0).all() and (w < np.inf).all()):
        raise ValueError("weights must be finite and strictly positive")


def iron_slopes(slopes: ArrayLike, weights: ArrayLike) -> np.ndarray:
    """Weighted isotonic (non-decreasing) regression of ``slopes`` [FL12, Appendix A].

    Parameters
    ----------
    slopes
        Raw slopes ``h_k`` (e.g. virtual costs or values per cell), shape ``(K,)``, finite,
        in cell order (increasing quantile, i.e. increasing cost: *not* sorted by value).
    weights
        Strictly positive weights ``w_k`` (cell widths / probability masses, not counts
        normalised or not: the regression is invariant to scaling all weights), shape
        ``(K,)``.

    Returns
    -------
    numpy.ndarray
        ``argmin_{psi_1 <= ... <= psi_K} sum_k w_k (psi_k - h_k)^2``: the slope on each cell
        of the greatest convex minorant of the points ``(sum_{l<=k} w_l, sum_{l<=k} w_l h_l)``.

    Raises
    ------
    ValueError
        Empty or unequal inputs, non-finite slopes, weights not finite and positive.

    Notes
    -----
    :func:`scipy.optimize.isotonic_regression` (compiled PAVA).  Myerson ironing of virtual
    values (selling) is the same call: virtual values at values sorted increasingly,
    probability masses as weights.
    """
    h = np.asarray(slopes, dtype=float).reshape(-1)
    w = np.asarray(weights, dtype=float).reshape(-1)
    _check_weights(h, w)
    return np.asarray(isotonic_regression(h, weights=w).x, dtype=float)


#: A PAVA block boundary whose depth below its neighbours' chord, estimated from the block
#: means, exceeds this many collinearity tolerances is a strict vertex without the exact
#: chord test (the estimate's rounding is a few ulps of ``max |H|``, the tolerance 4.5).
STRICT_SCREEN = 64.0


def _check_curve(q: np.ndarray, H: np.ndarray) -> None:
    if q.ndim != 1 or q.shape != H.shape or q.size < 2:
        raise ValueError("q and H must be 1-D arrays of equal length >= 2")
    if not (np.isfinite(q).all() and np.isfinite(H).all()):
        raise ValueError("q and H must be finite")
    if not (np.diff(q) > 0).all():
        raise ValueError("q must be strictly increasing (quantiles in increasing order)")


def _strict_vertices(q: np.ndarray, H: np.ndarray, v: np.ndarray, tol: float) -> np.ndarray:
    """Drop the candidate vertices ``v`` that are not strictly below their neighbours' chord.

    PAVA pools exact ties only; a point within ``tol`` of the chord (rounding) is not a
    strict vertex, as in :func:`solver.ironing.hull.lower_convex_hull` (``HULL_RTOL``).
    Every other point of a run of such points goes per pass, so a run of length ``L``
    needs ``log2 L`` passes.
    """
    while v.size > 2:
        i, j, k = v[:-2], v[1:-1], v[2:]
        chord = H[i] + (H[k] - H[i]) * ((q[j] - q[i]) / (q[k] - q[i]))
        drop = H[j] - chord >= -tol
        if not drop.any():
            break
        # alternate points inside each run of droppable ones (neighbours of a dropped point
        # are re-tested against their new chord on the next pass)
        idx = np.flatnonzero(drop)
        run_start = np.concatenate(([True], np.diff(idx) > 1))
        first = np.maximum.accumulate(np.where(run_start, np.arange(idx.size), 0))
        go = idx[(np.arange(idx.size) - first) % 2 == 0]
        keep = np.ones(v.size, dtype=bool)
        keep[go + 1] = False
        v = v[keep]
    return v


def _cell_slopes(x: np.ndarray, y: np.ndarray, hull: np.ndarray) -> np.ndarray:
    """Slope of the hull edge covering each cell ``[x_{k-1}, x_k]``."""
    edge_len = np.diff(hull)
    edge_slope = np.diff(y[hull]) / np.diff(x[hull])
    return np.repeat(edge_slope, edge_len)


@dataclass(frozen=True)
class IronedCurve:
    """The ironing of a cost curve on a quantile partition.

    Attributes
    ----------
    q
        Quantile points ``0 = q_0 < ... < q_K = 1``.
    H
        Cost curve ``H(q_k) = q_k F^{-1}(q_k)``.
    G
        Its greatest convex minorant at ``q_k``.
    hull
        Indices of the strict hull vertices.
    slopes
        Raw virtual cost on each cell ``(q_{k-1}, q_k]`` (slope of ``H``), shape ``(K,)``.
    ironed
        Ironed virtual cost on each cell (slope of ``G``), non-decreasing.
    intervals
        Index pairs ``(i, j)`` of hull edges with some ``H > G`` strictly inside: the ironed
        quantile intervals are ``(q_i, q_j)``; cells ``i+1..j`` share one ironed value.
    """

    q: np.ndarray
    H: np.ndarray
    G: np.ndarray
    hull: np.ndarray
    slopes: np.ndarray
    ironed: np.ndarray
    intervals: tuple[tuple[int, int], ...]

    @property
    def gap(self) -> float:
        """``max_k (H_k - G_k)``: zero iff no ironing is needed on this partition."""
        return float(np.max(self.H - self.G))

    def quantile_intervals(self) -> list[tuple[float, float]]:
        """Ironed intervals in quantile space, ``[(q_i, q_j), ...]``."""
        return [(float(self.q[i]), float(self.q[j])) for i, j in self.intervals]

    def G_at(self, u: ArrayLike) -> np.ndarray:
        """The convex minorant at arbitrary quantiles ``u`` (piecewise-linear)."""
        return np.interp(u, self.q[self.hull], self.H[self.hull])

    def H_at(self, u: ArrayLike) -> np.ndarray:
        """The cost curve interpolated linearly between partition points."""
        return np.interp(u, self.q, self.H)


def iron_curve(q: ArrayLike, H: ArrayLike) -> IronedCurve:
    """Iron a cost curve given at quantile points [FL12, Appendix A, Algorithm I-1/I-2].

    Parameters
    ----------
    q
        Strictly increasing quantiles starting at 0 (usually ending at 1); unsorted
        quantiles are rejected, not sorted.
    H
        ``H(q_k) = q_k F^{-1}(q_k)`` at those quantiles.

    Returns
    -------
    IronedCurve
        The minorant interpolates ``H`` at the strict vertices.

    Raises
    ------
    ValueError
        Fewer than two points, non-finite values or ``q`` not strictly increasing.

    Notes
    -----
    The vertices are the block boundaries of scipy's weighted PAVA on the cell slopes
    (:func:`scipy.optimize.isotonic_regression`), less those within ``HULL_RTOL`` of the
    chord of their neighbours, so the result equals
    ``curve_from_hull(q, H, lower_convex_hull(q, H))`` (checked in the tests).
    """
    q = np.ascontiguousarray(q, dtype=float)
    H = np.ascontiguousarray(H, dtype=float)
    _check_curve(q, H)
    w = np.diff(q)
    res = isotonic_regression(np.diff(H) / w, weights=w)
    v = np.asarray(res.blocks, dtype=np.int64)  # block starts (cells) = points, and K
    tol = HULL_RTOL * max(float(np.max(H) - np.min(H)), float(np.max(np.abs(H))))
    if v.size > 2:
        # a boundary's depth below its neighbours' chord from the block means and widths
        # (cheap, O(#blocks)); only a boundary near the tolerance needs the exact test
        m, bw = np.asarray(res.x)[v[:-1]], np.asarray(res.weights)
        depth = np.diff(m) * (bw[:-1] * bw[1:] / (bw[:-1] + bw[1:]))
        if np.min(depth) <= STRICT_SCREEN * tol:
            v = _strict_vertices(q, H, v, tol)
    return curve_from_hull(q, H, v)


def curve_from_hull(q: ArrayLike, H: ArrayLike, hull: ArrayLike) -> IronedCurve:
    """The :class:`IronedCurve` whose minorant interpolates ``H`` at the vertices ``hull``.

    Used by :func:`iron_curve`, ``--method hull`` (with
    :func:`solver.ironing.hull.lower_convex_hull`) and for a backend's polished minorant
    (:func:`solver.ironing.models.polish_minorant`).

    Parameters
    ----------
    q, H
        The cost curve's points (``q`` strictly increasing).
    hull
        Increasing indices of the minorant's vertices, both ends included.

    Returns
    -------
    IronedCurve
    """
    q = np.asarray(q, dtype=float)
    H = np.asarray(H, dtype=float)
    hull = np.asarray(hull, dtype=np.int64)
    G = np.interp(q, q[hull], H[hull])
    slopes = np.diff(H) / np.diff(q)
    ironed = _cell_slopes(q, H, hull)
    tol = HULL_RTOL * float(np.max(np.abs(H))) * 10  # relative to the curve's scale
    above = np.concatenate(([0], np.cumsum(H - G > tol)))  # above[k] = #{l < k: H_l > G_l}
    a, b = hull[:-1], hull[1:]
    ironed_edge = (b > a + 1) & (above[b] - above[a + 1] > 0)  # some H > G strictly inside
    intervals = tuple(zip(a[ironed_edge].tolist(), b[ironed_edge].tolist(), strict=True))
    return IronedCurve(q, H, G, hull, slopes, ironed, intervals)
