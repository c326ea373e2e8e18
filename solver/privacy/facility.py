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
import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from scipy import stats

from ..errors import InstanceError, SizeLimitError
from ..validate import as_array, reject_unknown, require, require_mapping
from .model import PrivacyBound, parse_epsilon, parse_privacy_bound
from .verifier import bounds_from_logratio, gains_table

#: Largest mean of the noise sums (q-1)·2/ε the exact method accepts.
MAX_NOISE_MEAN = 20_000
#: Default truncation target for the noise sums (absolute mass dropped per outcome).
TAIL_TARGET = 1e-16


def _nb_pmf(m: int, alpha: float, K: int) -> np.ndarray:
    """pmf of a sum of ``m`` geometrics ``(1-α)α^k`` on ``0..K`` (``m = 0``: point mass)."""
    if m == 0:
        out = np.zeros(K + 1)
        out[0] = 1.0
        return out
    return stats.nbinom.pmf(np.arange(K + 1), m, 1 - alpha)


def truncation(q: int, eps: float, tail: float = TAIL_TARGET) -> tuple[int, float]:
    """Truncation point ``K`` and the proven bound ``2 Pr[NB(q-1, α) > K]``."""
    alpha = math.exp(-eps / 2)
    m = max(q - 1, 1)
    if m * 2 / eps > MAX_NOISE_MEAN:
        raise SizeLimitError("epsilon", f"the noise sums have mean (q-1)·2/ε = {m * 2 / eps:.3g}"
                             f" > {MAX_NOISE_MEAN}; the exact convolution costs O(q (q/ε)^2)",
                             "Monte Carlo (facility.sample)")
    K = int(stats.nbinom.isf(tail / 4, m, 1 - alpha)) + 1
    while 2 * stats.nbinom.sf(K, m, 1 - alpha) > tail and K < 10**7:
        K = int(K * 1.2) + 1
    return K, float(2 * stats.nbinom.sf(K, m, 1 - alpha))


@lru_cache(maxsize=32)
def _log_noise_differences(q: int, eps: float, tail: float
                           ) -> tuple[int, float, np.ndarray]:
    """``ln Pr[X - Y = d]``, ``d = -K..K``, for every split ``k`` (independent of ``h``)."""
    alpha = math.exp(-eps / 2)
    K, bound = truncation(q, eps, tail)
    pm = {m: _nb_pmf(m, alpha, K) for m in range(q)}
    out = []
    for k in range(1, q + 1):
        pd = np.convolve(pm[k - 1], pm[q - k][::-1])      # exact, all terms positive
        with np.errstate(divide="ignore"):
            out.append(np.log(pd))
    return K, bound, np.array(out)


def log_distribution(h: np.ndarray, eps: float, tail: float = TAIL_TARGET
                     ) -> tuple[np.ndarray, float]:
    """``ln Pr[Med(h + r) = k]`` for ``k = 1..q`` and the absolute tail bound (see module)."""
    h = np.asarray(h, dtype=np.int64)
    q = h.size
    n = int(h.sum())
    la = -eps / 2
    K, bound, lpd = _log_noise_differences(q, float(eps), float(tail))
    H = np.concatenate([[0], np.cumsum(h)])
    d = np.arange(-K, K + 1)[None, :]
    e = d + (2 * H[:-1] - n)[:, None]                    # row k-1: E for the split at k
    expo = np.maximum(np.maximum(e + 1, -e - 2 * h[:, None]), 0)
    expo[0] = np.maximum(-e[0] - 2 * h[0], 0)           # k = 1 has no D_0 < 0 condition
    x = lpd + la * expo
    mx = x.max(axis=1, keepdims=True)                    # log-sum-exp (scipy's is 5x slower)
    out = np.log(np.exp(x - mx).sum(axis=1)) + mx[:, 0]
    return out, bound


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
    alpha = math.exp(-eps / 2)
    # numpy's geometric counts trials (>= 1); subtract one for failures
    r = rng.geometric(1 - alpha, size=(size, h.size)) - 1
    return median_index(h[None, :] + r)


def welfare(h: np.ndarray, locs: np.ndarray) -> np.ndarray:
    """``Σ_i U^out(θ_i, ℓ_k) = -Σ_j h_j |ℓ_j - ℓ_k|`` for every ``k``."""
    return -np.abs(locs[None, :] - locs[:, None]) @ np.asarray(h, dtype=float)


def neighbours_log_table(h_others: np.ndarray, eps: float) -> tuple[np.ndarray, float]:
    """``ln Pr[M(ℓ_t, θ_-i) = ℓ_k]`` for every report ``t`` (rows), others' histogram fixed."""
    q = h_others.size
    rows = []
    bound = 0.0
    for t in range(q):
        h = h_others.copy()
        h[t] += 1
        lp, bound = log_distribution(h, eps)
        rows.append(lp)
    return np.array(rows), bound


def verify_histogram(h_others: np.ndarray, locs: np.ndarray, eps: float, F: PrivacyBound
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Gains (★) of every lie ``a -> t`` for a player whose others have histogram ``h_others``.

    Returns ``gain[a, t]`` and the per-outcome log-ratios of Assumption 3.1.
    """
    from .model import log_ratio_per_outcome

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
    from .model import log_ratio_per_outcome

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


# ----------------------------------------------------------------------------- CLI problem
@dataclass(frozen=True)
class FacilityInstance:
    """``{"problem": "facility-location", "locations": [...], "reports": [...], ...}``.

    ``reports`` lists each player's reported location (a value from ``locations``);
    ``counts`` (the histogram) may be given instead.
    """

    locations: tuple[float, ...]
    counts: tuple[int, ...]
    epsilon: float
    privacy_bound: PrivacyBound | None = None


def parse(raw: Mapping[str, Any]) -> FacilityInstance:
    """Validate a facility-location instance."""
    raw = require_mapping(raw)
    reject_unknown(raw, ("problem", "name", "description", "locations", "reports", "counts",
                         "epsilon", "privacy_bound"))
    locs = as_array(require(raw, "locations"), "locations", strictly_increasing=True,
                    minimum=0.0, maximum=1.0)
    q = locs.size
    if ("reports" in raw) == ("counts" in raw):
        raise InstanceError("reports", "give exactly one of 'reports' or 'counts'")
    if "counts" in raw:
        counts = as_array(raw["counts"], "counts", integer=True, minimum=0, min_len=q,
                          max_len=q)
    else:
        rep = as_array(raw["reports"], "reports")
        idx = np.searchsorted(locs, rep)
        idx = np.minimum(idx, q - 1)
        bad = np.abs(locs[idx] - rep) > 1e-12
        if bad.any():
            j = int(np.argmax(bad))
            raise InstanceError(f"reports[{j}]", f"must be one of the locations, got {rep[j]}")
        counts = np.bincount(idx, minlength=q)
    if int(np.sum(counts)) < 1:
        raise InstanceError("counts", "must contain at least one player")
    eps = parse_epsilon(raw)
    F = parse_privacy_bound(raw["privacy_bound"]) if "privacy_bound" in raw else None
    return FacilityInstance(tuple(float(x) for x in locs), tuple(int(c) for c in counts), eps, F)


def solve(inst: FacilityInstance, opts: Any = None) -> dict[str, Any]:
    """Exact output distribution, welfare and (with ``privacy_bound``) the truthfulness check."""
    t0 = time.perf_counter()
    locs = np.array(inst.locations)
    h = np.array(inst.counts, dtype=np.int64)
    lp, bound = log_distribution(h, inst.epsilon)
    p = np.exp(lp)
    W = welfare(h, locs)
    ew = float(p @ W)
    out: dict[str, Any] = {
        "status": "optimal", "objective": ew, "backend": "exact:negative-binomial-convolution",
        "distribution": p, "expected_welfare": ew, "optimal_welfare": float(W.max()),
        "welfare_gap": float(W.max() - ew), "tail_bound": bound,
        "n": int(h.sum()), "q": int(h.size),
    }
    # privacy ratios for the players present: others = h - e_a
    from .model import log_ratio_per_outcome

    worst_lr = 0.0
    worst_gain = -math.inf
    F = inst.privacy_bound
    for a in np.flatnonzero(h):
        ho = h.copy()
        ho[a] -= 1
        logp, _ = neighbours_log_table(ho, inst.epsilon)
        lr = log_ratio_per_outcome(logp)
        worst_lr = max(worst_lr, float(np.max(lr)))
        if F is not None:
            g = gains_table(np.exp(logp), bounds_from_logratio(F, lr),
                            -np.abs(locs[:, None] - locs[None, :]))
            g[a, a] = -np.inf              # the truthful report is not a lie
            worst_gain = max(worst_gain, float(g[a].max()))
    out["max_privacy_ratio"] = math.exp(worst_lr)
    out["dp_epsilon_bound"] = inst.epsilon
    if F is not None:
        gap = float(np.min(np.diff(locs))) if locs.size > 1 else math.inf
        out.update(truthful=bool(worst_gain <= 0), worst_gain=worst_gain,
                   paper_condition=bool(gap >= 2 * F(math.exp(inst.epsilon))),
                   privacy_bound=F.describe())
    out["seconds"] = time.perf_counter() - t0
    return out

