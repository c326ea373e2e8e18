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
    Vectorised, in up to three phases.  (1) Parallel elimination: drop every point that is
    not strictly below the chord of its two current neighbours (never a vertex); a fixpoint
    is the hull, since a locally convex sorted polyline is convex.  While many points go,
    a pass is a lean exact slope comparison (left slope >= right slope: drop); the
    tolerance-aware bookkeeping starts once few violators are left.  (2a) When few
    non-convex points remain, they split the polyline into convex chains, merged left to
    right as in the monotone chain but a whole chain at a time, with bridges found by
    bisection (O(#chains log K) scalar steps).  (2b) Otherwise a lower quickhull, one numpy
    pass per level over all open segments at once, accepting a convex segment whole.
    Hand-written because numpy/scipy offer no 1-D lower hull on sorted data
    (``scipy.spatial.ConvexHull`` is a general Qhull call with no notion of "lower"), and a
    Python loop over 10^7 points is too slow.  Each phase is tested against the reference.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

#: Relative tolerance below which a point counts as on (not below) a chord: deviations are
#: compared with ``HULL_RTOL * scale`` where ``scale`` is the larger of the range of ``y`` and
#: ``max |y|`` (no absolute floor: scaling ``y`` by any factor gives the same hull).
HULL_RTOL = 1e-15


def _check(x: ArrayLike, y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
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
    return HULL_RTOL * max(float(np.max(y) - np.min(y)), float(np.max(np.abs(y))))


def monotone_chain(x: ArrayLike, y: ArrayLike) -> np.ndarray:
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


def lower_convex_hull(x: ArrayLike, y: ArrayLike) -> np.ndarray:
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
    return _lower_hull(x, y)


def _lower_hull(x: np.ndarray, y: np.ndarray, tol: float | None = None) -> np.ndarray:
    """:func:`lower_convex_hull` on already validated float arrays.

    ``tol`` overrides the collinearity tolerance (``0.0``: exact, points on a chord go).
    """
    K = x.size
    if K <= 2:
        return np.arange(K, dtype=np.int64)
    if tol is None:
        tol = _tol(y)
    # Phase 1 (see the module docstring) while it removes a good share per pass; phase 2a
    # as soon as the non-convex points are few (or phase 1 stalls); phase 2b otherwise.
    a = np.arange(K, dtype=np.int64)
    xa, ya = x, y
    lean = True
    while a.size > 2:
        dx = np.diff(xa)
        sl = np.diff(ya) / dx
        if lean:
            # Lean exact pass (pooling of adjacent violators): a point whose left slope is
            # not below its right slope is never a strict vertex; drop all of them at once
            # while there are many, with no tolerance bookkeeping.
            keep = sl[1:] > sl[:-1]
            n_rm = keep.size - int(np.count_nonzero(keep))
            many = n_rm > CHAIN_MERGE_MAX or n_rm * CHAIN_MERGE_SPARSITY > a.size
            if many and n_rm >= ELIMINATION_MIN_FRACTION * a.size:
                mask = np.empty(a.size, dtype=bool)
                mask[0] = mask[-1] = True
                mask[1:-1] = keep
                a = a[mask]
                xa, ya = x[a], y[a]
                continue
            lean = False  # few violators left: the tolerance-aware phases below
        drop = (sl[1:] - sl[:-1]) * (dx[:-1] * dx[1:] / (dx[:-1] + dx[1:]))
        cand = drop <= tol
        n_bad = int(np.count_nonzero(cand))
        if n_bad == 0:  # strictly convex polyline: it is its own hull
            return a
        if n_bad <= CHAIN_MERGE_MAX and n_bad * CHAIN_MERGE_SPARSITY <= a.size:
            # Phase 2a: few non-convex points split the polyline into convex chains;
            # merge them with bridges found by bisection (O(n_bad log K) Python steps).
            return a[_merge_chains(xa, ya, np.flatnonzero(cand) + 1, tol)]
        # exact test (drop <= 0): removing adjacent points together is then safe; a point
        # merely within the tolerance of its chord goes only if neither neighbour is a
        # candidate, so that tolerances cannot accumulate along a run.
        iso = cand.copy()  # within tolerance and both neighbours stay: safe to drop alone
        iso[1:] &= ~cand[:-1]
        iso[:-1] &= ~cand[1:]
        keep = ~((drop <= 0.0) | iso)
        n_rm = keep.size - int(np.count_nonzero(keep))
        stalled = n_rm < ELIMINATION_MIN_FRACTION * a.size
        if stalled and n_bad <= CHAIN_MERGE_MAX:
            return a[_merge_chains(xa, ya, np.flatnonzero(cand) + 1, tol)]
        if n_rm == 0:
            break
        a = a[np.concatenate(([True], keep, [True]))]
        xa, ya = x[a], y[a]
        if stalled:
            break
    if a.size <= 2:
        return a
    return a[_quickhull(xa, ya, tol)]


#: Largest number of non-convex points for which phase 2a (chain merging) is used.
CHAIN_MERGE_MAX = 4096
#: ... and only when at most one point in this many is non-convex (else phase 1 is cheaper).
CHAIN_MERGE_SPARSITY = 4


def _merge_chains(x: np.ndarray, y: np.ndarray, bad: np.ndarray, tol: float) -> np.ndarray:
    """Lower hull of a polyline that is strictly convex except at positions ``bad``.

    The polyline splits at the ``bad`` points into convex chains (each its own hull).  They
    are merged left to right as in the monotone chain, but a whole chain at a time: the hull
    so far is kept as a list of position ranges ``[start, end]`` (hull edges inside a range
    are polyline edges); the bridge to the next chain is found by alternating bisection
    (tangent from the stack top into the chain; pop a suffix of the stack by bisection).
    Both predicates are monotone on convex chains, so each step is O(log K).
    """
    # memoryviews read Python floats several times faster than numpy scalar indexing
    xs = memoryview(np.ascontiguousarray(x)) if isinstance(x, np.ndarray) else x
    ys = memoryview(np.ascontiguousarray(y)) if isinstance(y, np.ndarray) else y

    def below(p: int, i: int, k: int) -> bool:  # p strictly below the chord i -> k
        xi, yi = xs[i], ys[i]
        return ys[p] - (yi + (ys[k] - yi) * (xs[p] - xi) / (xs[k] - xi)) < -tol

    m = x.size
    bounds = [0, *bad.tolist(), m - 1]
    ranges: list[list[int]] = [[0, bounds[1]]]
    for r in range(1, len(bounds) - 1):
        s, e = bounds[r], bounds[r + 1]
        v_lo = s + 1
        while True:
            u = ranges[-1][1]
            # tangent from u into the chain: first j in [v_lo, e-1] strictly below chord
            # u -> j+1 (then every later point is above the line u -> j); else e
            lo, hi = v_lo, e
            while lo < hi:
                mid = (lo + hi) // 2
                if below(mid, u, mid + 1):
                    hi = mid
                else:
                    lo = mid + 1
            v = lo
            # pop the suffix of the stack that is not strictly below its chord to v
            changed = False
            while True:
                rs, re_ = ranges[-1]
                if re_ > rs:
                    if below(re_, re_ - 1, v):
                        break
                    # largest p in (rs, re_) that stays: stays(p) = below(p, p-1, v)
                    lo, hi = rs + 1, re_ - 1
                    keep = rs
                    while lo <= hi:
                        mid = (lo + hi) // 2
                        if below(mid, mid - 1, v):
                            keep = mid
                            lo = mid + 1
                        else:
                            hi = mid - 1
                    ranges[-1][1] = keep
                    changed = True
                    if keep > rs:
                        break
                # the range is down to its first point rs: check it against the bridge
                if len(ranges) == 1:
                    break  # position 0 is always a vertex
                prev_end = ranges[-2][1]
                if below(rs, prev_end, v):
                    break
                ranges.pop()
                changed = True
            if not changed:
                break
            v_lo = v
        ranges.append([v, e])
    return np.concatenate([np.arange(a_, b_ + 1, dtype=np.int64) for a_, b_ in ranges])


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
