"""The ordering distribution with removals for general costs (Pricing Private Data, Section 5.2).

With general costs a seller whose report alone sets π^max(k) must not be sampled k times.
Section 5.2 achieves this with a variation of the ordering distribution: order the sellers
uniformly at random; check them in order; the seller ℓ currently in position j (after earlier
removals) would be seen by k_j = #{b : d_b ≥ j} buyers, and if ĉ_ℓ(k_j) > max_{i≠ℓ} ĉ_i(k_j)
he is removed and everyone after him moves one position ahead.  The paper notes that this
introduces a bias, small when n ≫ d_b; the mechanisms in :mod:`solver.sampling.mechanisms` use
the nominal distribution p (the paper's negligible-bias reading).  This module computes the
*realised* distribution exactly, so the bias can be measured rather than assumed.

Only *dominant* sellers (those with some ĉ_ℓ(k) > max_{i≠ℓ} ĉ_i(k); at most m of them) can be
removed.  A dynamic programme over original positions t = 1, 2, ... tracks which dominant
sellers have been placed and how many were removed (r), so the seller at position t sits at
j = t − r.  Positions with j > max_b d_b are seen by nobody and remove nobody, so the
programme stops at t = max_b d_b + D.  Cost O((d_max + D) · D · 2^D · D) with D dominant sellers;
written by hand because the removal rule is specific to the paper.

Bound used by the claim (derived here, not in the paper): couple the realised and the nominal
outcome through the same random order.  They can differ only for a seller whose original
position t has t − r ≤ d_max, hence t ≤ d_max + D, so for every seller
TV(realised, nominal) ≤ (d_max + D) / n.
"""

from __future__ import annotations

import itertools

import numpy as np

from ..errors import SizeLimitError
from .distributions import ordering_distribution, seller_counts
from .mechanisms import unique_max_mask

#: Largest number of dominant sellers the exact programme accepts (2^D states).
MAX_DOMINANT = 14


def _k_by_position(n: int, demands: np.ndarray) -> np.ndarray:
    """``k[j]`` = buyers who see position j, for j = 1..n, and 0 beyond (index n + 1)."""
    k = np.zeros(n + 2, dtype=np.int64)
    k[1:n + 1] = seller_counts(n, np.asarray(demands, dtype=np.int64))
    return k


def _serve(order, kpos: np.ndarray, K: np.ndarray, counts: np.ndarray) -> None:
    """Run the Section 5.2 procedure on one order, adding each seller's outcome to counts."""
    j = 1
    for seller in order:
        k = kpos[min(j, kpos.size - 1)]
        if K[seller, k]:
            counts[seller, 0] += 1               # removed: not sampled
            continue
        counts[seller, k] += 1
        j += 1


def nominal_distribution(n: int, demands: np.ndarray, removable: np.ndarray) -> np.ndarray:
    """Per seller, the distribution the mechanisms assume (shape (n, m + 1)).

    p(k) from the ordering distribution, with the mass of an outcome k at which the seller
    would be removed (``removable[i, k]``) moved to k = 0 (not sampled, paid nothing).
    """
    p = ordering_distribution(n, demands)
    Q = np.where(removable, 0.0, p[None, :])
    Q[:, 0] += 1.0 - Q.sum(axis=1)
    return Q


def reordering_distribution(n: int, demands: np.ndarray, removable: np.ndarray
                            ) -> np.ndarray:
    """Exact realised distribution of how many buyers see each seller (module docstring).

    Parameters
    ----------
    n
        Number of sellers.
    demands
        Buyer sample sizes d_b (each ≤ n).
    removable
        Boolean (n, m + 1): ``removable[i, k]`` if seller i is removed when he would be seen by
        k buyers (ĉ_i(k) > max_{j≠i} ĉ_j(k), :func:`removal_mask`); column 0 must be False.

    Returns
    -------
    numpy.ndarray
        Q of shape (n, m + 1): Q[i, k] = probability that seller i is seen by exactly k buyers.

    Raises
    ------
    SizeLimitError
        More than ``MAX_DOMINANT`` dominant sellers; :func:`simulate_reordering` scales.
    """
    d = np.asarray(demands, dtype=np.int64)
    K = np.asarray(removable, dtype=bool)
    m = d.size
    if K.shape != (n, m + 1):
        raise ValueError(f"removable must have shape ({n}, {m + 1}), got {K.shape}")
    if K[:, 0].any():
        raise ValueError("removable[:, 0] must be False (nobody is removed for k = 0)")
    dom = np.flatnonzero(K.any(axis=1))
    D = dom.size
    if D > MAX_DOMINANT:
        raise SizeLimitError("reports", f"{D} sellers set pi_max alone (> {MAX_DOMINANT})",
                             "simulate_reordering (Monte Carlo)")
    dmax = int(d.max(initial=0))
    kpos = _k_by_position(n, d)
    T = min(n, dmax + D)
    S = 1 << D
    # P[mask, r]: probability that the dominant sellers in ``mask`` are placed among the
    # first t - 1 positions and r of them were removed
    P = np.zeros((S, D + 1))
    P[0, 0] = 1.0
    placed = np.array([bin(s).count("1") for s in range(S)])
    r_idx = np.arange(D + 1)
    Qnd = np.zeros(m + 1)                        # P(non-dominant at t, outcome k), summed
    Qd = np.zeros((D, m + 1))
    Kd = K[dom]
    for t in range(1, T + 1):
        left = n - t + 1                         # sellers not yet placed
        j = np.clip(t - r_idx, 1, n + 1)         # position of the seller at t, per r
        kj = kpos[j]                             # (D + 1,)
        new = np.zeros_like(P)
        # a non-dominant seller at t
        w_nd = (left - (D - placed))[:, None] / left * P          # (S, D + 1)
        np.add.at(Qnd, kj, w_nd.sum(axis=0))
        new += w_nd
        # dominant seller a (bit a not yet in the mask) at t
        for a in range(D):
            bit = 1 << a
            src = np.array([s for s in range(S) if not s & bit])
            w = P[src] / left                                     # (|src|, D + 1)
            rem = Kd[a, kj]                                       # removed, per r
            Qd[a] += np.bincount(kj, weights=np.where(rem, 0.0, w.sum(axis=0)),
                                 minlength=m + 1)
            new[src | bit] += np.where(rem, 0.0, w)               # kept: r unchanged
            new[src | bit, 1:] += np.where(rem, w, 0.0)[:, :-1]   # removed: r + 1
        P = new
    Q = np.tile(Qnd / max(n - D, 1), (n, 1))
    Q[dom] = Qd
    Q[:, 0] += 1.0 - Q.sum(axis=1)               # later positions, and removals: seen by 0
    return Q


def removal_mask(reports: np.ndarray) -> np.ndarray:
    """``removable[i, k]``: ĉ_i(k) > max_{j≠i} ĉ_j(k) (the Section 5.2 removal rule)."""
    return unique_max_mask(reports)


def simulate_reordering(rng: np.random.Generator, n: int, demands: np.ndarray,
                        removable: np.ndarray, trials: int) -> np.ndarray:
    """Monte Carlo estimate of :func:`reordering_distribution` (the procedure as printed)."""
    K = np.asarray(removable, dtype=bool)
    kpos = _k_by_position(n, demands)
    counts = np.zeros(K.shape)
    for _ in range(trials):
        _serve(rng.permutation(n), kpos, K, counts)
    return counts / trials


def enumerate_reordering(n: int, demands: np.ndarray, removable: np.ndarray) -> np.ndarray:
    """The same distribution by running the procedure on all n! orders (reference, n ≤ 8)."""
    if n > 8:
        raise SizeLimitError("n", f"{n}! orders exceed the reference enumeration (n <= 8)",
                             "reordering_distribution")
    K = np.asarray(removable, dtype=bool)
    kpos = _k_by_position(n, demands)
    Q = np.zeros(K.shape)
    perms = list(itertools.permutations(range(n)))
    for order in perms:
        _serve(order, kpos, K, Q)
    return Q / len(perms)


def bias_bound(n: int, demands: np.ndarray, removable: np.ndarray) -> float:
    """(d_max + D) / n: the bound on TV(realised, nominal) in the module docstring."""
    D = int(np.asarray(removable, bool).any(axis=1).sum())
    return min(1.0, (int(np.max(demands, initial=0)) + D) / n)
