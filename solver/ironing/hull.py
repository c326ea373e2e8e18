"""Lower convex hull of points sorted by abscissa (the ironing step, Fleischer-Lyu Appendix A).

The ironed virtual cost is the derivative of the greatest convex minorant ``G`` of the cost
curve ``H(q) = q F^{-1}(q)`` (Appendix A: ``G`` is the lower boundary of the convex hull of
the epigraph of ``H``).  On a finite set of points the minorant is the piecewise-linear
interpolation of the *lower convex hull*; this module computes its vertices.

Two implementations, both returning the indices of the *strict* hull vertices (collinear
points are left out; the first and last points are always kept):

``monotone_chain``
    Andrew's monotone chain, a plain Python loop: the O(K) reference.
``lower_convex_hull``
    A vectorised lower quickhull: each level splits every open hull segment at the point
    farthest below its chord (one numpy pass over the active points for all segments at
    once) and discards the points that lie on or above the chord.  A segment whose remaining
    points already form a convex chain is accepted whole in the same pass, so a convex input
    (an anti-regular distribution) costs O(K).  Hand-written because numpy/scipy offer no
    1-D lower hull on sorted data (``scipy.spatial.ConvexHull`` is a general Qhull call,
    O(K log K), and has no notion of "lower"); a Python loop over 10^7 points is too slow.
"""

from __future__ import annotations

import numpy as np

#: Relative tolerance below which a point counts as on (not below) a chord: deviations are
#: compared with ``HULL_RTOL * scale`` where ``scale`` is the range of ``y`` (at least 1).
HULL_RTOL = 1e-15


def _check(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = np.ascontiguousarray(x, dtype=float)
    y = np.ascontiguousarray(y, dtype=float)
    if x.ndim != 1 or x.shape != y.shape:
        raise ValueError("x and y must be 1-D arrays of equal length")
    if x.size == 0:
        raise ValueError("need at least one point")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError("x and y must be finite")
    if x.size > 1 and np.any(np.diff(x) <= 0):
        raise ValueError("x must be strictly increasing")
    return x, y


def _tol(y: np.ndarray) -> float:
    return HULL_RTOL * max(1.0, float(np.max(y) - np.min(y)), float(np.max(np.abs(y))))


def monotone_chain(x, y) -> np.ndarray:
    """Strict lower-hull vertices by Andrew's monotone chain (reference implementation).

    Parameters
    ----------
    x, y
        Coordinates, ``x`` strictly increasing.

    Returns
    -------
    numpy.ndarray
        Increasing indices of the hull vertices (first and last point included).
    """
    x, y = _check(x, y)
    tol = _tol(y)
    xs, ys = x.tolist(), y.tolist()
    hull: list[int] = []
    for k in range(len(xs)):
        while len(hull) >= 2:
            i, j = hull[-2], hull[-1]
            # vertical deviation of j below the chord i -> k; pop unless strictly below
            chord = ys[i] + (ys[k] - ys[i]) * (xs[j] - xs[i]) / (xs[k] - xs[i])
            if ys[j] - chord < -tol:
                break
            hull.pop()
        hull.append(k)
    return np.asarray(hull, dtype=np.int64)


def lower_convex_hull(x, y) -> np.ndarray:
    """Strict lower convex hull vertices of points sorted by ``x`` (vectorised).

    Parameters
    ----------
    x, y
        Coordinates, ``x`` strictly increasing (raise ``ValueError`` otherwise).

    Returns
    -------
    numpy.ndarray
        Increasing ``int64`` indices of the vertices of the lower hull; always contains
        ``0`` and ``len(x) - 1``.  A point within ``HULL_RTOL`` (relative) of a hull edge is
        not a vertex.  Same output as :func:`monotone_chain`.
    """
    x, y = _check(x, y)
    K = x.size
    if K <= 2:
        return np.arange(K, dtype=np.int64)
    tol = _tol(y)
    # Phase 1: drop, in parallel, every point not strictly below the chord of its two current
    # neighbours (such a point is never a strict vertex).  On random data each pass removes a
    # large share; a fixpoint is exactly the hull (local convexity of a sorted polyline is
    # global convexity).  When a pass removes little (a long convex chain above a chord),
    # switch to the quickhull phase, whose depth does not depend on that chain's length
    # (and which applies the tolerance; on a convex remainder it takes one pass).
    a = np.arange(K, dtype=np.int64)
    while a.size > 2:
        xa, ya = x[a], y[a]
        dx = np.diff(xa)
        sl = np.diff(ya) / dx
        drop = (sl[1:] - sl[:-1]) * (dx[:-1] * dx[1:] / (dx[:-1] + dx[1:]))
        # exact test (drop <= 0): removing adjacent points together is then safe; a point
        # merely within the tolerance of its chord goes only if neither neighbour is a
        # candidate, so that tolerances cannot accumulate along a run (phase 2 does the rest).
        cand = drop <= tol
        iso = cand.copy()  # within tolerance and both neighbours stay: safe to drop alone
        iso[1:] &= ~cand[:-1]
        iso[:-1] &= ~cand[1:]
        keep = ~((drop <= 0.0) | iso)
        n_rm = keep.size - int(np.count_nonzero(keep))
        if n_rm == 0:
            if not cand.any():  # strictly convex polyline: it is its own hull
                return a
            break
        a = a[np.concatenate(([True], keep, [True]))]
        if n_rm < ELIMINATION_MIN_FRACTION * a.size:
            break
    if a.size <= 2:
        return a
    return a[_quickhull(x[a], y[a], tol)]


#: Phase 1 of :func:`lower_convex_hull` stops when a pass removes less than this share.
ELIMINATION_MIN_FRACTION = 0.05


def _quickhull(x: np.ndarray, y: np.ndarray, tol: float) -> np.ndarray:
    """Vectorised lower quickhull on sorted points (phase 2 of :func:`lower_convex_hull`)."""
    K = x.size
    verts = np.array([0, K - 1], dtype=np.int64)
    idx = np.arange(1, K - 1, dtype=np.int64)
    seg = np.zeros(K - 2, dtype=np.int64)  # segment s runs from verts[s] to verts[s+1]
    accepted: list[np.ndarray] = []
    while idx.size:
        L = verts[seg]
        R = verts[seg + 1]
        xl, yl = x[L], y[L]
        dev = y[idx] - (yl + (y[R] - yl) * ((x[idx] - xl) / (x[R] - xl)))
        below = dev < -tol
        if not below.all():
            idx, seg, dev, L, R = idx[below], seg[below], dev[below], L[below], R[below]
            if idx.size == 0:
                break
        starts = np.flatnonzero(np.r_[True, seg[1:] != seg[:-1]])
        ends = np.r_[starts[1:], idx.size]
        # --- shortcut: a segment whose chain L, p_1..p_m, R is convex is accepted whole.
        # slopes between consecutive points of the active set (same segment), with the
        # first/last point joined to the segment's own endpoints.
        xi, yi = x[idx], y[idx]
        s_left = (yi - y[L]) / (xi - x[L])  # slope from L to each point
        s_right = (y[R] - yi) / (x[R] - xi)  # slope from each point to R
        inner = np.empty(idx.size)
        inner[:-1] = (yi[1:] - yi[:-1]) / (xi[1:] - xi[:-1])
        inner[-1] = np.inf
        inner[ends - 1] = s_right[ends - 1]  # last point of a segment goes to R
        prev = np.empty(idx.size)
        prev[1:] = inner[:-1]
        prev[starts] = s_left[starts]  # first point of a segment comes from L
        xprev = np.empty(idx.size)
        xprev[1:] = xi[:-1]
        xprev[starts] = x[L[starts]]
        xnext = np.empty(idx.size)
        xnext[:-1] = xi[1:]
        xnext[ends - 1] = x[R[ends - 1]]
        # height of each point below the chord of its two neighbours (same test as the chain)
        drop = (inner - prev) * ((xi - xprev) * (xnext - xi) / (xnext - xprev))
        strict = drop > tol
        seg_convex = np.logical_and.reduceat(strict, starts)
        conv_pts = np.repeat(seg_convex, ends - starts)
        if conv_pts.any():
            accepted.append(idx[conv_pts])
            keep = ~conv_pts
            idx, seg, dev = idx[keep], seg[keep], dev[keep]
            if idx.size == 0:
                break
            starts = np.flatnonzero(np.r_[True, seg[1:] != seg[:-1]])
            ends = np.r_[starts[1:], idx.size]
        # --- split every remaining segment at its farthest-below point
        mins = np.minimum.reduceat(dev, starts)
        is_min = dev == np.repeat(mins, ends - starts)
        pos = np.flatnonzero(is_min)
        sp_ = seg[pos]
        first = pos[np.r_[True, sp_[1:] != sp_[:-1]]]
        newv = idx[first]
        verts = np.sort(np.concatenate((verts, newv)))
        mask = np.ones(idx.size, dtype=bool)
        mask[first] = False
        idx = idx[mask]
        seg = np.searchsorted(verts, idx, side="right") - 1
    if accepted:
        verts = np.sort(np.concatenate([verts, *accepted]))
    return verts.astype(np.int64)


def convex_minorant(x, y, hull: np.ndarray | None = None) -> np.ndarray:
    """Values at ``x`` of the greatest convex minorant of the points (hull interpolation)."""
    x, y = _check(x, y)
    if hull is None:
        hull = lower_convex_hull(x, y)
    return np.interp(x, x[hull], y[hull])
