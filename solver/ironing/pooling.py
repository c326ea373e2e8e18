"""Vectorised pooling of adjacent violators: the lower hull of a cumulative-sum diagram.

Fleischer-Lyu, Appendix A: the ironed virtual cost on a partition of quantile space is the
slope of the greatest convex minorant of the cost curve, i.e. the lower convex hull of the
points ``P_k = (sum_{l<=k} w_l, sum_{l<=k} w_l h_l)`` (cell widths ``w``, raw slopes ``h``).
This module computes it on the *slopes* directly instead of on cross products of ``P``:

* a point ``P_k`` lies on or above the chord of its two neighbours iff the slope on its
  left is not smaller than the slope on its right (``h_k >= h_{k+1}``); such a point is
  never a strict hull vertex, so every maximal non-increasing run of slopes can be pooled
  into one cell (width = total width, slope = weighted mean) *in one vectorised pass*
  (``numpy.add.reduceat`` on ``w + 1j * w h``, so both sums cost one segmented reduction);
* repeat on the pooled cells until the slopes are strictly increasing (the polyline is then
  convex, hence its own hull);
* when few violators are left (or a pass removes little: e.g. a long convex chain that is
  eaten one cell per pass), switch to the exact bridge search of
  :func:`solver.ironing.hull._merge_chains` (bisection, ``O(#violators log K)``) or the
  vectorised hull :func:`solver.ironing.hull._lower_hull` on the pooled cells.

* a bridge decided on rounded prefix sums is accepted only if its block passes the exact
  KKT test :func:`_edge_is_optimal` (every prefix mean >= the block mean, evaluated with
  range sums); otherwise plain pooling finishes the job.

Comparisons are exact (no tolerance): ties are pooled, which leaves every slope unchanged.
Block sums are formed by summation, not as differences of prefix sums, so the means are
accurate to a few ulps of the data.  The result equals the weighted L2 isotonic regression
(pool-adjacent-violators); scipy's compiled PAVA is used only as the cross-check in tests
and the benchmark, never here.  Hand-written because a Python PAVA loop over 10^7 cells is
too slow and numba is not a dependency.
"""

from __future__ import annotations

import numpy as np

from .hull import (
    CHAIN_MERGE_MAX,
    CHAIN_MERGE_SPARSITY,
    ELIMINATION_MIN_FRACTION,
    _lower_hull,
    _merge_chains,
)

#: Long ironed edges above this count are pooled by one segmented reduction, below it by a
#: Python loop over slices (cheaper when the edges are few and the arrays large).
LOOP_EDGES_MAX = 256


def pool_blocks(h: np.ndarray, w: np.ndarray) -> tuple[np.ndarray | None, np.ndarray]:
    """Blocks of the weighted isotonic regression of ``h`` (validated float arrays).

    Parameters
    ----------
    h, w
        Slopes and strictly positive widths, finite ``float64`` arrays of equal length.

    Returns
    -------
    starts, means
        ``starts``: increasing first cell of each block (``None`` means one block per
        cell); ``means``: the ironed value of each block, non-decreasing up to rounding.
        Consecutive blocks may share a value.  May be ``h`` itself when nothing is pooled.
    """
    n = h.size
    m = h
    pos: np.ndarray | None = None
    z: np.ndarray | None = None  # block widths (real part) and weighted sums (imag part)
    stalled = False
    bridge = True  # False once the prefix sums proved too coarse: pool to the end
    while m.size > 1:
        # is_start[j]: block j starts a new pooled block (its mean exceeds its predecessor's)
        is_start = np.empty(m.size, dtype=bool)
        is_start[0] = True
        np.greater(m[1:], m[:-1], out=is_start[1:])
        inc = is_start[1:]
        n_bad = m.size - int(np.count_nonzero(is_start))
        if n_bad == 0:
            break
        if (bridge and z is None and n_bad <= LAZY_BRIDGE_MAX and n >= LAZY_MIN_CELLS
                and w.min() > LAZY_MIN_WEIGHT * w.sum()):
            # a few violators among raw cells: bridge on lazily summed prefixes (no O(K)
            # temporaries beyond one copy of ``h``)
            done = _bridge_lazy(h, w, np.flatnonzero(~inc) + 1)
            if done is not None:
                return None, done
            bridge = False
        sparse = n_bad <= CHAIN_MERGE_MAX and n_bad * CHAIN_MERGE_SPARSITY <= m.size
        if z is None and n >= CHUNK_MIN_CELLS and not sparse:
            pos, z = _pool_chunks(h, w)
            m = z.imag / z.real
            continue
        if z is None:
            z = np.empty(n, dtype=np.complex128)
            z.real = w
            np.multiply(w, h, out=z.imag)
        if bridge and (stalled or sparse):
            done = _bridge(z, pos, m, inc, n_bad, h)
            if done is not None:
                return done
            bridge = False
        starts = np.flatnonzero(is_start)
        z = np.add.reduceat(z, starts)
        m = z.imag / z.real
        pos = starts if pos is None else pos[starts]
        stalled = n_bad < ELIMINATION_MIN_FRACTION * inc.size
    return pos, m


#: Inputs of at least this many cells are first pooled chunk by chunk ...
CHUNK_MIN_CELLS = 1 << 18
#: ... in chunks of this many cells (their temporaries stay in cache) ...
CHUNK_CELLS = 1 << 16
#: ... with at most this many passes per chunk, stopping at a pass that removes less than
#: this share of the chunk's blocks.
CHUNK_PASSES = 6
CHUNK_MIN_FRACTION = 0.1


def _pool_chunks(h: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pooling passes inside each chunk of ``CHUNK_CELLS`` cells (a cache-friendly start).

    Pooling a non-increasing run is valid whatever surrounds it, so chunks are pooled
    independently; runs across chunk seams are left to the global passes.  Returns the
    block starts and the complex block sums ``w + 1j * w h`` over all chunks.
    """
    zs, ps = [], []
    for s in range(0, h.size, CHUNK_CELLS):
        hh, ww = h[s : s + CHUNK_CELLS], w[s : s + CHUNK_CELLS]
        z = np.empty(hh.size, dtype=np.complex128)
        z.real = ww
        np.multiply(ww, hh, out=z.imag)
        m, pos = hh, None
        for _ in range(CHUNK_PASSES):
            is_start = np.empty(m.size, dtype=bool)
            is_start[0] = True
            np.greater(m[1:], m[:-1], out=is_start[1:])
            starts = np.flatnonzero(is_start)
            if starts.size == m.size:
                break
            z = np.add.reduceat(z, starts)
            m = z.imag / z.real
            pos = starts if pos is None else pos[starts]
            if starts.size > (1.0 - CHUNK_MIN_FRACTION) * is_start.size:
                break
        zs.append(z)
        ps.append(np.arange(s, s + hh.size, dtype=np.int64) if pos is None else pos + s)
    return np.concatenate(ps), np.concatenate(zs)


def _bridge(z, pos, m, inc, n_bad, h):
    """Finish by the exact lower hull of the pooled cells' cumulative-sum polyline.

    Returns ``(starts, means)`` as :func:`pool_blocks`, or ``None`` when the widths are too
    disparate for the rounded prefix sums to be strictly increasing or a bridged block fails
    :func:`_edge_is_optimal` (the caller then keeps pooling, which needs no prefix sums).
    """
    nb = z.size
    X = np.empty(nb + 1)
    Y = np.empty(nb + 1)
    X[0] = Y[0] = 0.0
    np.cumsum(z.real, out=X[1:])
    np.cumsum(z.imag, out=Y[1:])
    if not np.all(X[1:] > X[:-1]):
        return None
    if n_bad <= CHAIN_MERGE_MAX:
        v = _merge_chains(X, Y, np.flatnonzero(~inc) + 1, 0.0)  # bad points of the chain
    else:
        v = _lower_hull(X, Y, tol=0.0)
    a, b = v[:-1], v[1:]
    long_ = np.flatnonzero(b > a + 1)
    bad = np.flatnonzero(~inc) + 1
    W = np.ascontiguousarray(z.real)
    for e in long_.tolist():
        if not _edge_is_optimal(W, m, int(a[e]), int(b[e]), bad):
            return None
    if long_.size > LOOP_EDGES_MAX:
        z = np.add.reduceat(z, a)
        return (a if pos is None else pos[a]), z.imag / z.real
    if m is h:
        m = m.copy()
    for e in long_.tolist():
        s = z[a[e] : b[e]].sum()
        m[a[e] : b[e]] = s.imag / s.real
    return pos, m


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    """Inner product without BLAS (a BLAS call can wait milliseconds for its threads)."""
    return float(np.einsum("i,i->", a, b))


class _LazyPrefix:
    """``P[j] = sum_{l<j} a_l (b_l)`` for ``j = 0..n``, evaluated on demand.

    Sums of blocks of ``BLOCK`` cells are precomputed (one fast pass); an entry costs one
    partial block.  Serves :func:`solver.ironing.hull._merge_chains`, which reads only
    ``O(#violators log K)`` entries, so the O(K) prefix-sum arrays are never formed.
    """

    BLOCK = 1024

    def __init__(self, a: np.ndarray, b: np.ndarray | None = None):
        self.a, self.b = a, b
        nb = a.size // self.BLOCK
        a2 = a[: nb * self.BLOCK].reshape(nb, self.BLOCK)
        if b is None:
            blk = a2.sum(axis=1)
        else:
            blk = np.einsum("ij,ij->i", a2, b[: nb * self.BLOCK].reshape(nb, self.BLOCK))
        self.P = np.concatenate(([0.0], np.cumsum(blk)))
        self.size = a.size + 1

    def __getitem__(self, j: int) -> float:
        q, r = divmod(j, self.BLOCK)
        out = float(self.P[q])
        if r:
            s = q * self.BLOCK
            out += float(self.a[s:j].sum() if self.b is None else _dot(self.a[s:j], self.b[s:j]))
        return out


#: Largest number of violators among the raw cells bridged on lazy prefix sums.
LAZY_BRIDGE_MAX = 16
#: ... for at least this many cells (below, materialised prefix sums are cheaper) ...
LAZY_MIN_CELLS = 1 << 17
#: ... and only when every weight exceeds this share of the total, so that rounded prefix
#: sums stay strictly increasing (else the materialised prefix sums are checked).
LAZY_MIN_WEIGHT = 1e-9


def _bridge_lazy(h: np.ndarray, w: np.ndarray, bad: np.ndarray) -> np.ndarray | None:
    """Ironed values when only the points ``bad`` of the raw polyline are non-convex.

    ``None`` when a bridged block fails :func:`_edge_is_optimal` (rounding).
    """
    X, Y = _LazyPrefix(w), _LazyPrefix(w, h)
    v = _merge_chains(X, Y, bad, 0.0)
    a, b = v[:-1], v[1:]
    m = h.copy()
    for e in np.flatnonzero(b > a + 1).tolist():
        i, k = int(a[e]), int(b[e])
        if not _edge_is_optimal(w, h, i, k, bad):
            return None
        m[i:k] = _dot(w[i:k], h[i:k]) / w[i:k].sum()
    return m


#: Above this many convex pieces in one edge, :func:`_edge_is_optimal` scans every prefix.
EDGE_PIECES_MAX = 8


def _edge_is_optimal(w: np.ndarray, h: np.ndarray, u: int, v: int, bad: np.ndarray) -> bool:
    """Is pooling cells ``u..v-1`` (widths ``w``, slopes ``h``) into one block optimal?

    Bridges are found on prefix sums, whose rounding (``eps * |sum of all w h|``) can pool a
    cell of tiny width wrongly.  The exact test (KKT of the isotonic regression): every
    proper prefix has mean >= the block mean ``M``, i.e. ``R(j) = sum_{u<=i<j} w_i (h_i -
    M) >= 0``.  Between consecutive non-convex points ``bad`` the slopes increase, so on
    each such piece ``R`` falls while ``h < M`` and then rises: its minimum is at the
    crossing (one ``searchsorted``), and two range sums per piece decide.  Range sums stay
    of the block's own magnitude, so they are accurate where prefix sums are not.  A
    violation beyond rounding (``16 eps`` times the magnitudes summed) sends the caller
    back to plain pooling, which is exact; a false alarm only costs time.
    """
    W = float(w[u:v].sum())
    M = _dot(w[u:v], h[u:v]) / W
    cuts = bad[(bad > u) & (bad < v)].tolist()
    eps16 = 16 * np.finfo(float).eps
    if len(cuts) > EDGE_PIECES_MAX:  # many pieces: all prefixes at once, in numpy
        ww, hh = w[u : v - 1], h[u : v - 1]
        R = np.cumsum(ww * (hh - M))
        mag = np.cumsum(ww * (np.abs(hh) + abs(M)))
        return bool(np.all(R >= -eps16 * mag))
    R = mag = 0.0
    for c0, c1 in zip([u, *cuts], [*cuts, v], strict=True):
        j = c0 + int(np.searchsorted(h[c0:c1], M, side="left"))
        WL, SL = float(w[c0:j].sum()), _dot(w[c0:j], h[c0:j])
        WR, SR = float(w[j:c1].sum()), _dot(w[j:c1], h[j:c1])
        mag += abs(SL) + abs(M) * WL  # rounding scale of R at the crossing
        if R + (SL - M * WL) < -eps16 * mag:
            return False
        mag += abs(SR) + abs(M) * WR
        R += (SL - M * WL) + (SR - M * WR)
    return True


def isotonic_slopes(h: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted isotonic regression of validated ``h`` with widths ``w``, one value per cell."""
    pos, m = pool_blocks(h, w)
    if pos is None:
        return m.copy() if m is h else m
    return np.repeat(m, np.diff(pos, append=h.size))
