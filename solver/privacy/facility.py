"""Mechanism 6.1: discrete facility location, the median of a one-sided-noise histogram.

Types are locations ``ℓ_1 < ... < ℓ_q``; ``h`` is the histogram of reports; every
``r_j ~ Geom`` with ``Pr[r_j = k] = (1 - α) α^k``, ``α = e^{-ε/2}``; the output is
``ℓ_Med(h + r)`` with ``Med(z) = min{k : Σ_{j<=k} z_j >= Σ_{j>k} z_j}``.

Exact distribution (the dynamic programme over prefix sums, collapsed).  Write
``D_k = Σ_{j<=k} z_j - Σ_{j>k} z_j``; it increases in ``k``, so ``Med = k`` iff
``D_{k-1} < 0 <= D_k``.  Split the noise at ``k``: ``X = Σ_{j<k} r_j ~ NB(k-1, α)``,
``Y = Σ_{j>k} r_j ~ NB(q-k, α)`` (sums of i.i.d. geometrics are negative binomial) and
``E = X - Y + 2H_{k-1} - n`` with ``H_{k-1} = Σ_{j<k} h_j``.  Then ``D_{k-1} = E - r_k`` and
``D_k = E + r_k + 2h_k``, so

    Pr[Med = k] = Σ_e Pr[E = e] · α^{max(e + 1, -e - 2h_k, 0)}      (k >= 2),
    Pr[Med = 1] = Σ_e Pr[E = e] · α^{max(-e - 2h_1, 0)}.

``Pr[X - Y = d]`` is one exact convolution of two negative-binomial pmfs truncated at ``K``;
every term is positive (no cancellation), and the sum is taken in log space so tiny
probabilities keep their relative accuracy (the ε-DP ratios of Lemma 6.2 need it).  The
truncation drops at most ``Pr[X > K] + Pr[Y > K] <= 2 Pr[NB(q-1, α) > K]`` of mass from each
outcome's probability (absolute): that bound is reported as ``tail_bound``.  The cost is
``O(q K^2)`` with ``K ≈ q/ε``, independent of the number ``n`` of players.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import numpy as np
from scipy import special, stats

from .. import budget
from ..tolerances import EXACT as EXACT_TOL
from .model import PrivacyBound, log_ratio_per_outcome
from .tolerances import CONVOLUTION_FLOOR
from .verifier import bounds_from_logratio, gains_table

#: Default truncation target for the noise sums (absolute mass dropped per outcome).
TAIL_TARGET = 1e-16
#: Cost model of the budget (:mod:`solver.budget`), in its elementary operations (~1e8 a
#: second).  One multiply-add of numpy's direct convolution of two length-K pmfs costs
#: ``COST_MAC_BASE + K / COST_MAC_CACHE``: measured 2.7e9 a second at K = 8000, 0.7e9 at
#: 32 000 and 0.09e9 at 96 000 (the operands leave the caches).  One entry of a row table
#: (about ten array passes with an exp) costs ``COST_ROW_ENTRY``.
COST_MAC_BASE = 0.05
COST_MAC_CACHE = 1e5
COST_ROW_ENTRY = 2.0
#: One term of the log-space convolution (exp inside a chunked log-sum-exp).
COST_LOG_TERM = 5.0
#: Row variants of one solve: shifts of the split statistic by -2, 0, 2 and of h_k by -1, 0, 1
#: (every histogram one player's report away from h is a lookup in this table).
_SOLVE_SHIFTS = (-2, 0, 2)
_SOLVE_DHS = (-1, 0, 1)
#: Entries per chunk of rows when a row table is built (bounds the temporaries: ~50 MB).
_CHUNK_ENTRIES = 1_000_000
_ALTERNATIVE = "the Monte Carlo sampler solver.privacy.facility.sample, or a larger epsilon"


def _success(eps: float) -> float:
    """``1 - α = 1 - e^{-ε/2}`` to full relative accuracy (also for ε below 1e-16)."""
    return -math.expm1(-eps / 2)


def _nb_pmf(m: int, eps: float, K: int) -> np.ndarray:
    """pmf of a sum of ``m`` geometrics ``(1-α)α^k`` on ``0..K`` (``m = 0``: point mass)."""
    if m == 0:
        out = np.zeros(K + 1)
        out[0] = 1.0
        return out
    return stats.nbinom.pmf(np.arange(K + 1), m, _success(eps))


def _log_nb_pmf(m: int, eps: float, K: int) -> np.ndarray:
    """``ln`` of :func:`_nb_pmf` from ``ln α = -ε/2`` (no underflow, any ε)."""
    k = np.arange(K + 1, dtype=float)
    if m == 0:
        out = np.full(K + 1, -np.inf)
        out[0] = 0.0
        return out
    log_1ma = math.log(-math.expm1(-eps / 2))             # ln(1 - α)
    return (special.gammaln(k + m) - special.gammaln(m) - special.gammaln(k + 1)
            + m * log_1ma - k * eps / 2)


def _log_convolve(lx: np.ndarray, ly: np.ndarray) -> np.ndarray:
    """``ln np.convolve(exp(lx), exp(ly))`` term by term in log space (chunked rows)."""
    n1, n2 = lx.size, ly.size
    out = np.empty(n1 + n2 - 1)
    j = np.arange(n1)[None, :]
    step = max(1, _CHUNK_ENTRIES // n1)
    for start in range(0, n1 + n2 - 1, step):
        i = np.arange(start, min(start + step, n1 + n2 - 1))[:, None]
        jj = i - j
        ok = (jj >= 0) & (jj < n2)
        vals = np.where(ok, lx[j] + ly[np.clip(jj, 0, n2 - 1)], -np.inf)
        out[start:start + i.shape[0]] = special.logsumexp(vals, axis=1)
    return out


def _min_log_pmf(m: int, eps: float, K: int) -> float:
    """Smallest ``ln`` pmf of ``NB(m, α)`` on its support in ``0..K`` (an endpoint: the pmf
    is log-concave); 0 for the point mass ``m = 0``."""
    if m == 0:
        return 0.0
    return min(_log_nb_pmf_at(m, eps, 0), _log_nb_pmf_at(m, eps, K))


def _log_nb_pmf_at(m: int, eps: float, k: int) -> float:
    """``ln Pr[NB(m, α) = k]`` at one point."""
    log_1ma = math.log(-math.expm1(-eps / 2))
    return float(special.gammaln(k + m) - special.gammaln(m) - special.gammaln(k + 1)
                 + m * log_1ma - k * eps / 2)


def _needs_log_space(mx: int, my: int, eps: float, K: int) -> bool:
    """Whether a pmf entry of the split leaves the normal floating-point range (huge ε, or
    hundreds of locations at small ε): then its convolution is taken in log space.

    Otherwise every pmf entry is exact to rounding and the linear convolution loses only
    products below ``1e-300`` (absolute), far below the tail bound.
    """
    floor = math.log(CONVOLUTION_FLOOR)
    return min(_min_log_pmf(mx, eps, K), _min_log_pmf(my, eps, K)) < floor


def truncation_point(q: int, eps: float, tail: float = TAIL_TARGET) -> int:
    """The first guess of :func:`truncation` (a quantile of ``NB(q-1, α)``), cheap for any ε."""
    m = max(q - 1, 1)
    p = _success(eps)
    if not p > 0 or m / p > 1e12:   # the mean alone is past every budget (boost fails)
        return 10**15
    k = float(stats.nbinom.isf(tail / 4, m, p))
    return int(min(k, 1e15)) + 1 if not math.isnan(k) else 10**15


def cost(q: int, eps: float, variants: int = len(_SOLVE_SHIFTS) * len(_SOLVE_DHS),
         tail: float = TAIL_TARGET) -> tuple[float, float]:
    """Estimated peak memory (bytes) and work (budget operations) of the exact method.

    ``q`` convolutions of two ``K + 1`` pmfs (half of them, by symmetry), a ``q x (2K+1)``
    table of noise differences, and ``variants`` row tables over it.
    """
    Ki = truncation_point(q, eps, tail)
    K = float(Ki)
    J = 2 * K + 1
    mac = COST_MAC_BASE + K / COST_MAC_CACHE
    work = COST_ROW_ENTRY * (variants * q * J + q**3)     # q^3: every player's ratio table
    for k in range(1, (q + 1) // 2 + 1):           # the convolved half (the rest mirrors)
        log_space = _needs_log_space(k - 1, q - k, eps, Ki)
        work += (COST_LOG_TERM if log_space else mac) * (K + 1) ** 2
    memory = 8.0 * (q * J + q * (K + 1) + 6 * _CHUNK_ENTRIES + 8 * J)
    return memory, work


def check_budget(q: int, eps: float, variants: int = len(_SOLVE_SHIFTS) * len(_SOLVE_DHS),
                 tail: float = TAIL_TARGET) -> None:
    """Refuse (exit 2 on ``epsilon``) what the exact method cannot do within the budget."""
    memory, work = cost(q, eps, variants, tail)
    K = truncation_point(q, eps, tail)
    what = (f"the exact distribution of Mechanism 6.1 for q = {q} locations and "
            f"epsilon = {eps:.3g} (noise sums truncated at K = {K}, O(q K^2))")
    budget.check_memory("epsilon", memory, what, _ALTERNATIVE)
    budget.check_work("epsilon", work, what, _ALTERNATIVE)


def truncation(q: int, eps: float, tail: float = TAIL_TARGET) -> tuple[int, float]:
    """Truncation point ``K`` and the proven bound ``2 Pr[NB(q-1, α) > K]``."""
    p = _success(eps)
    m = max(q - 1, 1)
    check_budget(q, eps, 0, tail)
    K = truncation_point(q, eps, tail)
    while 2 * stats.nbinom.sf(K, m, p) > tail and K < 10**7:
        K = int(K * 1.2) + 1
    return K, float(2 * stats.nbinom.sf(K, m, p))


@lru_cache(maxsize=4)
def _log_noise_differences(q: int, eps: float, tail: float
                           ) -> tuple[int, float, np.ndarray]:
    """``ln Pr[X - Y = d]``, ``d = -K..K``, for every split ``k`` (independent of ``h``).

    The linear convolution is exact to rounding when every entry is a normal number well
    above underflow (all terms positive); a split where one is not (huge ε, or many
    locations at small ε) is redone in log space.  Row ``k`` and row ``q-1-k`` are mirror
    images (``X`` and ``Y`` swap), so half of them are convolved.
    """
    K, bound = truncation(q, eps, tail)
    pm: dict[int, np.ndarray] = {}
    out = np.empty((q, 2 * K + 1))
    for k in range(1, q + 1):
        budget.check_deadline("building the noise-difference table of Mechanism 6.1")
        if q - k + 1 < k:                                  # mirror of an earlier row
            out[k - 1] = out[q - k][::-1]
            continue
        for m in (k - 1, q - k):
            if m not in pm:
                pm[m] = _nb_pmf(m, eps, K)
        if not _needs_log_space(k - 1, q - k, eps, K):
            pd = np.convolve(pm[k - 1], pm[q - k][::-1])  # exact, all terms positive
            with np.errstate(divide="ignore"):            # d outside the support (k = 1, q)
                out[k - 1] = np.log(pd)
        else:
            out[k - 1] = _log_convolve(_log_nb_pmf(k - 1, eps, K),
                                       _log_nb_pmf(q - k, eps, K)[::-1])
    out.flags.writeable = False
    return K, bound, out


def row_table(h: np.ndarray, n: int, eps: float, shifts: tuple[int, ...],
              dhs: tuple[int, ...], tail: float = TAIL_TARGET
              ) -> tuple[np.ndarray, float]:
    """``ln Pr[Med = k]`` for every row ``k`` with the split statistic and ``h_k`` shifted.

    ``G[k, i, j]`` is row ``k`` of the distribution's formula (module docstring) with
    ``E = d + 2H_{k-1} - n + shifts[i]`` and ``h_k + dhs[j]``: with ``shifts = dhs = (0,)``
    it is :func:`log_distribution`; every histogram that one player's report separates from
    ``h`` is a lookup in the table with shifts ±2 and ``h_k`` ±1 (see :func:`solve`).
    """
    h = np.asarray(h, dtype=np.int64)
    q = h.size
    la = -eps / 2
    K, bound, lpd = _log_noise_differences(q, float(eps), float(tail))
    H = np.concatenate([[0], np.cumsum(h)])[:-1]              # Σ_{j<k} h_j (0-based k)
    d = np.arange(-K, K + 1)[None, :]
    G = np.empty((q, len(shifts), len(dhs)))
    step = max(1, _CHUNK_ENTRIES // lpd.shape[1])
    for r0 in range(0, q, step):
        budget.check_deadline("tabulating the output distribution of Mechanism 6.1")
        rows = slice(r0, min(r0 + step, q))
        base = d + (2 * H[rows] - n)[:, None]
        first = np.arange(r0, rows.stop) == 0
        for i, sh in enumerate(shifts):
            e = base + sh
            for j, dh in enumerate(dhs):
                hk = (h[rows] + dh)[:, None]
                expo = np.maximum(np.maximum(e + 1, -e - 2 * hk), 0)
                if first[0]:       # k = 1 (row 0) has no D_0 < 0 condition
                    expo[0] = np.maximum(-e[0] - 2 * hk[0], 0)
                x = lpd[rows] + la * expo
                mx = x.max(axis=1, keepdims=True)     # log-sum-exp (scipy's is 5x slower)
                with np.errstate(divide="ignore"):
                    G[rows, i, j] = np.log(np.exp(x - mx).sum(axis=1)) + mx[:, 0]
    return G, bound


def log_distribution(h: np.ndarray, eps: float, tail: float = TAIL_TARGET
                     ) -> tuple[np.ndarray, float]:
    """``ln Pr[Med(h + r) = k]`` for ``k = 1..q`` and the absolute tail bound (see module)."""
    h = np.asarray(h, dtype=np.int64)
    G, bound = row_table(h, int(h.sum()), eps, (0,), (0,), tail)
    return G[:, 0, 0], bound


def distribution(h: np.ndarray, eps: float, tail: float = TAIL_TARGET
                 ) -> tuple[np.ndarray, float]:
    """``Pr[Mechanism 6.1 outputs ℓ_k]``, ``k = 1..q``, and the tail bound."""
    lp, bound = log_distribution(h, eps, tail)
    return np.exp(lp), bound


def median_index(z: np.ndarray) -> np.ndarray:
    """``Med(z)`` (0-based) for each row of ``z``: the first ``k`` with ``2 S_k >= T``."""
    z = np.atleast_2d(z)
    S = np.cumsum(z, axis=1)
    return np.argmax(2 * S >= S[:, -1:], axis=1)


def distribution_enumerate(h: np.ndarray, eps: float, K: int) -> tuple[np.ndarray, float]:
    """Reference: enumerate every noise vector in ``{0..K}^q`` (tiny ``q`` only).

    Returns the distribution and the dropped mass ``1 - (1 - α^{K+1})^q``.
    """
    h = np.asarray(h)
    q = h.size
    alpha = math.exp(-eps / 2)
    grids = np.meshgrid(*([np.arange(K + 1)] * q), indexing="ij")
    r = np.stack([g.ravel() for g in grids], axis=1)
    w = np.prod((1 - alpha) * alpha ** r, axis=1)
    med = median_index(h[None, :] + r)
    return np.bincount(med, weights=w, minlength=q), 1 - (1 - alpha ** (K + 1)) ** q


def sample(h: np.ndarray, eps: float, size: int, rng: np.random.Generator) -> np.ndarray:
    """Monte Carlo draws of the output index (0-based)."""
    h = np.asarray(h)
    # numpy's geometric counts trials (>= 1); subtract one for failures
    r = rng.geometric(_success(eps), size=(size, h.size)) - 1
    return median_index(h[None, :] + r)


def welfare(h: np.ndarray, locs: np.ndarray) -> np.ndarray:
    """``Σ_i U^out(θ_i, ℓ_k) = -Σ_j h_j |ℓ_j - ℓ_k|`` for every ``k``."""
    return -np.abs(locs[None, :] - locs[:, None]) @ np.asarray(h, dtype=float)


def neighbours_log_table(h_others: np.ndarray, eps: float) -> tuple[np.ndarray, float]:
    """``ln Pr[M(ℓ_t, θ_-i) = ℓ_k]`` for every report ``t`` (rows), others' histogram fixed.

    One row table of ``h_others`` with ``n + 1`` players: adding the report at ``t`` shifts
    the split statistic of row ``k`` by ``2[t < k]`` and ``h_k`` by ``[k = t]``.
    """
    ho = np.asarray(h_others, dtype=np.int64)
    q = ho.size
    G, bound = row_table(ho, int(ho.sum()) + 1, eps, (0, 2), (0, 1))
    t = np.arange(q)[:, None]
    k = np.arange(q)[None, :]
    return G[k, (t < k).astype(int), (k == t).astype(int)], bound


def neighbours_from_table(G: np.ndarray, a: int) -> np.ndarray:
    """:func:`neighbours_log_table` of ``h - e_a`` from the solve table of ``h`` (a lookup).

    Moving the report of a type-``a`` player to ``t`` shifts row ``k``'s split statistic by
    ``2([t < k] - [a < k])`` and ``h_k`` by ``[k = t] - [k = a]``.
    """
    q = G.shape[0]
    t = np.arange(q)[:, None]
    k = np.arange(q)[None, :]
    si = 1 + (t < k).astype(int) - (a < k).astype(int)
    dj = 1 + (k == t).astype(int) - (k == a).astype(int)
    return G[k, si, dj]


def verify_histogram(h_others: np.ndarray, locs: np.ndarray, eps: float, F: PrivacyBound
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Gains (★) of every lie ``a -> t`` for a player whose others have histogram ``h_others``.

    Returns ``gain[a, t]`` and the per-outcome log-ratios of Assumption 3.1.
    """
    logp, _ = neighbours_log_table(np.asarray(h_others, dtype=np.int64), eps)
    lr = log_ratio_per_outcome(logp)
    b = bounds_from_logratio(F, lr)
    util = -np.abs(locs[:, None] - locs[None, :])   # util[a, o]
    return gains_table(np.exp(logp), b, util), lr


def universal_gains(h_others: np.ndarray, locs: np.ndarray, eps: float, F: PrivacyBound
                    ) -> np.ndarray:
    """Worst per-coin gain (Definition 3.4, universal) of every lie ``a -> t``.

    With the noise fixed, moving one report from ``ℓ_a`` to ``ℓ_t`` (``a < t``) lowers
    ``D_k`` by 2 exactly for ``a <= k < t``, so when the outcome changes the coupled pair
    satisfies ``a <= o < o' <= t`` (mirror for ``a > t``).  The worst gain over that pair set,
    ``u(o') - u(o) + F(ratio(o)) + F(ratio(o'))``, is a sound upper bound (pairs that cannot
    co-occur for this ``h_others`` are included): ``<= 0`` certifies universal truthfulness.
    """
    logp, _ = neighbours_log_table(np.asarray(h_others, dtype=np.int64), eps)
    b = bounds_from_logratio(F, log_ratio_per_outcome(logp))
    q = locs.size
    out = np.full((q, q), -np.inf)
    for a in range(q):
        u = -np.abs(locs - locs[a])
        for t in range(q):
            if t == a:
                continue
            lo, hi = min(a, t), max(a, t)
            for o in range(lo, hi + 1):
                for o2 in range(lo, hi + 1):
                    moved = (a < t and o < o2) or (a > t and o2 < o)   # o truthful, o2 lie
                    if moved:
                        out[a, t] = max(out[a, t], u[o2] - u[o] + b[o] + b[o2])
    return out


def compositions(total: int, parts: int):
    """Every histogram of ``total`` players over ``parts`` types."""
    if parts == 1:
        yield (total,)
        return
    for first in range(total + 1):
        for rest in compositions(total - first, parts - 1):
            yield (first, *rest)


def verify_all(n: int, locs: np.ndarray, eps: float, F: PrivacyBound) -> dict[str, Any]:
    """Worst gain over every histogram of ``n - 1`` others, every type and every lie."""
    worst = -math.inf
    worst_u = -math.inf
    arg: dict[str, Any] = {}
    count = 0
    for ho in compositions(n - 1, locs.size):
        worst_u = max(worst_u, float(universal_gains(np.array(ho), locs, eps, F).max()))
        g, _ = verify_histogram(np.array(ho), locs, eps, F)
        g = g.copy()
        np.fill_diagonal(g, -np.inf)       # the truthful report is not a lie
        count += 1
        if g.max() > worst:
            a, t = np.unravel_index(int(np.argmax(g)), g.shape)
            worst = float(g.max())
            arg = {"others": list(ho), "true_type": int(a), "report": int(t)}
    return {"worst_gain": worst, "argmax": arg, "histograms": count,
            "worst_universal_gain": worst_u}


def check_result(inst: Any, out: Mapping[str, Any]) -> str:
    """Recompute the answer from its own fields; ``""`` if it holds, else what failed.

    The distribution is one (entries ``>= 0``, total within the tail bound of 1), the
    objective is its welfare (relative to ``n`` times the span of the locations) and no
    welfare exceeds the best location's.
    """
    p = np.asarray(out["distribution"], dtype=float)
    n = float(sum(inst.counts))
    span = max(inst.locations[-1] - inst.locations[0], math.ulp(1.0))
    if not (np.all(np.isfinite(p)) and np.all(p >= 0)):
        return "the distribution has a negative or non-finite entry"
    if abs(float(p.sum()) - 1) > inst.locations.__len__() * out["tail_bound"] + EXACT_TOL:
        return f"the distribution sums to {float(p.sum())!r}, not 1"
    W = welfare(np.array(inst.counts), np.array(inst.locations))
    scale = n * span
    if abs(float(p @ W) - out["objective"]) > EXACT_TOL * scale:
        return "the objective is not the welfare of the reported distribution"
    if out["objective"] > float(W.max()) + EXACT_TOL * scale:
        return "the expected welfare exceeds the best location's welfare"
    return ""
