"""Ironing of virtual costs by the lower convex hull of the cost curve (Appendix A).

Fleischer-Lyu, Appendix A (Lemma A.4): with ``q = F(v)``, ``h(q) = phi(F^{-1}(q))`` and
``H(q) = int_0^q h``, the ironed virtual cost is ``g = G'`` where ``G`` is the lower convex
hull (greatest convex minorant) of ``H``; ironed intervals are the maximal intervals where
``G < H``, on which ``g`` is constant.

On a partition ``0 = q_0 < ... < q_K = 1`` with cell slopes ``h_k`` and cell widths ``w_k``
this is the same as the weighted L2 isotonic regression of ``h`` with weights ``w`` (the
slope of the greatest convex minorant of a cumulative-sum diagram): :func:`iron_slopes`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .hull import HULL_RTOL, lower_convex_hull
from .pooling import isotonic_slopes


def iron_slopes(slopes, weights) -> np.ndarray:
    """Weighted isotonic (non-decreasing) regression of ``slopes`` by the convex hull.

    Parameters
    ----------
    slopes
        Raw slopes ``h_k`` (e.g. virtual costs or values per cell), shape ``(K,)``, finite.
    weights
        Strictly positive weights ``w_k`` (cell widths / probability masses), shape ``(K,)``.

    Returns
    -------
    numpy.ndarray
        ``argmin_{psi_1 <= ... <= psi_K} sum_k w_k (psi_k - h_k)^2``: the slope on each cell
        of the greatest convex minorant of the points ``(sum_{l<=k} w_l, sum_{l<=k} w_l h_l)``.
        Same output as ``scipy.optimize.isotonic_regression(slopes, weights=weights)``.

    Notes
    -----
    Computed on the slopes by vectorised pooling of adjacent violators
    (:mod:`solver.ironing.pooling`: every non-increasing run of slopes is a run of points on
    or above their chords, never hull vertices), finished by the exact hull bridges of
    :mod:`solver.ironing.hull`; scipy's PAVA is only the cross-check.

    Myerson ironing of virtual values (selling) is the same call: virtual values at values
    sorted increasingly, probability masses as weights.
    """
    h = np.asarray(slopes, dtype=float).reshape(-1)
    w = np.asarray(weights, dtype=float).reshape(-1)
    if h.shape != w.shape or h.size == 0:
        raise ValueError("slopes and weights must be non-empty and of equal length")
    if not np.isfinite(h).all():
        raise ValueError("slopes and weights must be finite")
    if not ((w > 0).all() and (w < np.inf).all()):
        raise ValueError("weights must be finite and strictly positive")
    return isotonic_slopes(h, w)


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

    def G_at(self, u) -> np.ndarray:
        """The convex minorant at arbitrary quantiles ``u`` (piecewise-linear)."""
        return np.interp(u, self.q[self.hull], self.H[self.hull])

    def H_at(self, u) -> np.ndarray:
        """The cost curve interpolated linearly between partition points."""
        return np.interp(u, self.q, self.H)


def iron_curve(q, H) -> IronedCurve:
    """Iron a cost curve given at quantile points (Appendix A, Algorithm I-1/I-2).

    Parameters
    ----------
    q
        Strictly increasing quantiles starting at 0 (usually ending at 1).
    H
        ``H(q_k)``.

    Returns
    -------
    IronedCurve
    """
    q = np.asarray(q, dtype=float)
    H = np.asarray(H, dtype=float)
    return curve_from_hull(q, H, lower_convex_hull(q, H))


def curve_from_hull(q: np.ndarray, H: np.ndarray, hull: np.ndarray) -> IronedCurve:
    """The :class:`IronedCurve` whose minorant interpolates ``H`` at the vertices ``hull``.

    Used by :func:`iron_curve` and for a backend's polished minorant
    (:func:`solver.ironing.models.polish_minorant`); ``hull`` must contain both ends.
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
