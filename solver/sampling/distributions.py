"""Distributions of how many buyers see one seller's data [GAH12, Sections 4-5].

For an unbiased sampling distribution ψ ∈ Ψ(N') with buyer sample sizes d_b, let p_ψ(k) be the
probability that a fixed seller is sampled by exactly k buyers (by symmetry of unbiased
distributions the same for every seller).  The expected payment per seller is
Π(ψ) = Σ_k p_ψ(k) π(k) [GAH12, Section 5.1].

Conventions (checked; a violation raises :class:`~solver.errors.InstanceError` naming it):
``demands`` are sample sizes d_b in ``0..n`` (any order), never seller indices; every p and
π is indexed by the count ``k = 0..m`` (length m + 1).
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from ..errors import InstanceError

#: Largest product of lengths convolved directly in :func:`independent_distribution`.
DIRECT_CONVOLUTION_MAX = 10**7


def _demands(n: int, demands: np.ndarray) -> np.ndarray:
    """``demands`` as int64 sample sizes in ``0..n`` (else an error naming the convention)."""
    if isinstance(n, bool) or int(n) != n or n < 1:
        raise InstanceError("sellers", f"must be an integer >= 1, got {n!r}")
    d = np.asarray(demands)
    if d.ndim != 1:
        raise InstanceError("demands", f"must be a 1-d array of sample sizes d_b, got shape "
                                       f"{d.shape}")
    if d.size and (d.dtype.kind not in "iuf" or not np.all(np.isfinite(d))
                   or not np.all(d == np.round(d))):
        raise InstanceError("demands", "must be integer sample sizes d_b")
    d = d.astype(np.int64)
    if d.size and (d.min() < 0 or d.max() > n):
        bad = int(np.flatnonzero((d < 0) | (d > n))[0])
        raise InstanceError(f"demands[{bad}]", f"must be a sample size in 0..n = 0..{n}, got "
                                               f"{int(d[bad])} (demands are how many sellers "
                                               "buyer b samples, not seller indices)")
    return d


def seller_counts(n: int, demands: np.ndarray) -> np.ndarray:
    """k_j = #{b : d_b >= j} for positions j = 1..n of the ordering (Section 4.3 / 5.2).

    Parameters
    ----------
    n
        Number of sellers n' in the ordering.
    demands
        Buyer sample sizes d_b, each in 0..n.

    Returns
    -------
    numpy.ndarray
        Integer array of length n: the number of buyers that see the seller in position j.
    """
    d = np.sort(_demands(n, demands))
    j = np.arange(1, n + 1)
    # number of d_b >= j = m - #{d_b < j}
    return d.size - np.searchsorted(d, j, side="left")


def ordering_histogram(n: int, demands: np.ndarray) -> np.ndarray:
    """Sellers seen by exactly k buyers under the ordering (k = 0..m), as exact integers.

    With the demands sorted non-increasingly (d_(0) = n, d_(m+1) = 0) the positions
    d_(k+1) < j <= d_(k) are seen by k buyers: the histogram is d_(k) − d_(k+1).  It is the
    degree histogram of one graph (buyer b takes the first d_b positions), so it is always
    realisable.
    """
    d = np.sort(_demands(n, demands))[::-1]
    return np.concatenate([[n], d]) - np.concatenate([d, [0]])


def ordering_distribution(n: int, demands: np.ndarray) -> np.ndarray:
    """p_{ψ*}(k) for the ordering distribution ψ* (Definition in Section 4.3).

    A uniformly random order assigns a seller to position j with probability 1/n; the seller in
    position j is sampled by k_j = #{b : d_b >= j} buyers, so p(k) = #{j <= n : k_j = k} / n
    = (d_(k) − d_(k+1)) / n with the demands sorted non-increasingly (d_(0) = n,
    d_(m+1) = 0), computed without a length-n array.

    Returns
    -------
    numpy.ndarray
        Length m + 1 (m = number of buyers); entry k is p(k).
    """
    # O(m log m), whatever n is (n may be 10^9): see ordering_histogram
    return ordering_histogram(n, demands).astype(float) / n


def independent_distribution(n: int, demands: np.ndarray) -> np.ndarray:
    """p(k) when every buyer draws an independent uniform sample of d_b sellers (Section 4.3).

    A fixed seller is in buyer b's sample with probability d_b/n, independently across buyers,
    so the count is Poisson-binomial; computed exactly by convolving Bernoulli pmfs, with
    buyers of equal demand grouped into one binomial (scipy.stats.binom) first (by FFT,
    :func:`scipy.signal.fftconvolve`, when a direct convolution would exceed
    :data:`DIRECT_CONVOLUTION_MAX` products).

    Returns
    -------
    numpy.ndarray
        Length m + 1; entry k is p(k).
    """
    d = _demands(n, demands)
    m = d.size
    pmf = np.array([1.0])
    sizes, mult = np.unique(d, return_counts=True)
    for s, c in zip(sizes, mult, strict=True):
        q = s / n
        b = stats.binom.pmf(np.arange(c + 1), c, q)
        if pmf.size * b.size <= DIRECT_CONVOLUTION_MAX:
            pmf = np.convolve(pmf, b)
        else:  # O(m log m) instead of O(m²); round-off ~1e-16 absolute, clipped at 0
            from scipy import signal  # lazily: importing scipy.signal costs 0.6-1.6 s

            pmf = np.clip(signal.fftconvolve(pmf, b), 0.0, None)
    out = np.zeros(m + 1)
    out[: pmf.size] = pmf
    return out


def expected_payment(p: np.ndarray, payment: np.ndarray) -> float:
    """Π(ψ) = Σ_k p(k) π(k) (Section 5.1), for a count distribution ``p`` and payment π."""
    p = np.asarray(p, dtype=float)
    pi = np.asarray(payment, dtype=float)
    if p.shape != pi.shape:
        raise InstanceError("payment", f"must have the length of p, {p.size} (both are "
                                       f"indexed by k = 0..m), got {pi.size}")
    return float(p @ pi)


def mean_count(p: np.ndarray) -> float:
    """Σ_k k p(k); Lemma 4.2 says it equals Σ_b d_b / n for every unbiased ψ."""
    p = np.asarray(p, dtype=float)
    return float(np.arange(p.size) @ p)


def ordering_bands(n: int, demands: np.ndarray) -> list[list[int]]:
    """The runs of positions the ordering distribution sells to equally many buyers.

    [GAH12, Section 4.3, Figure 2]: the seller in position j = 1..n is sampled by
    k_j = #{b : d_b >= j} buyers (:func:`seller_counts`).

    Parameters
    ----------
    n
        Number of sellers n' in the ordering.
    demands
        Buyer sample sizes d_b, each in 0..n.

    Returns
    -------
    list of [int, int, int]
        ``[first, last, k]`` per maximal run of equal k_j, positions counted from 1,
        ``last`` included.
    """
    k = seller_counts(n, demands)
    cut = np.flatnonzero(np.diff(k)) + 1
    starts = np.concatenate([[0], cut])
    ends = np.concatenate([cut, [k.size]])
    return [[int(s) + 1, int(e), int(k[s])] for s, e in zip(starts, ends, strict=True)]
