"""Exact search over all 2^n sharing profiles: Gray-code order with rank-one updates.

Algorithm
---------
State: the posterior covariance ``P = Cov(x | s_S) = Σ - Σ_{:,S}(Σ_SS + τI)^{-1}Σ_{S,:}``
(``P = Σ`` for ``S = ∅``; no inverse of Σ is needed, so singular PSD Σ works).  Toggling user
``j`` is a rank-one change (standard Gaussian conditioning on / removing one signal):

* add ``j``:    ``P ← P - P_{:,j} P_{j,:} / (τ + P_jj)``
* remove ``j``: ``P ← P + P_{:,j} P_{j,:} / (τ - P_jj)``  (``P_jj < τ`` for a sharer)

Every objective of :mod:`.objectives` needs only ``diag P`` and the profile, so a step costs
O(n²) for the full matrix.  To vectorise we split users into ``m`` *low* users (toggled in
the inner loop) and ``h = n - m`` *high* users.  An outer Gray walk over the high users
(full O(n²) updates, refactored from scratch by Cholesky every ``refactor`` steps) records
for each high configuration only ``P_{:,L}`` and ``diag P`` (O(nm) numbers).  Batches of up
to ``2^batch_bits`` configurations then run the inner Gray walk over the low users together,
updating only the ``n × m`` column block and the diagonal: O(nm) per profile, one numpy call
per step for the whole batch.  Drift: each inner walk is at most ``2^m`` updates from an
exact base; the returned optima are re-evaluated by a direct Cholesky solve and the largest
difference is reported as ``drift``.

Tie-break (re-derived): among profiles within ``TIE`` of the best, the one with most sharers,
then the lexicographically smallest list of sharers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import scipy.linalg as sla

from .. import budget
from .leakage import posterior_stats
from .objectives import ProfileObjective, evaluate, evaluate_from_posterior
from .resources import max_nodes
from .tolerances import DRIFT, TIE

__all__ = ["SearchResult", "enumerate_gray", "enumerate_naive", "EXHAUSTIVE_MAX_USERS"]

#: Largest n accepted by exhaustive enumeration (2^26 ≈ 6.7e7 profiles).
EXHAUSTIVE_MAX_USERS = 26


@dataclass
class SearchResult:
    """Best profile of one objective."""

    value: float
    profile: np.ndarray
    method: str
    status: str = "optimal"
    bound: float | None = None
    nodes: int = 0
    seconds: float = 0.0
    details: dict = field(default_factory=dict)


class _Best:
    """Running argmax with the tie-break of the module docstring."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.val = -np.inf          # best value seen
        self.mval = -np.inf         # value of the stored profile
        self.count = -1
        self.code = -1
        self.mask: np.ndarray | None = None

    def offer(self, vals: np.ndarray, counts: np.ndarray, codes: np.ndarray,
              masks_fn) -> None:
        vmax = float(vals.max())
        if vmax < self.val - TIE:
            return
        top = max(vmax, self.val)
        cand = np.flatnonzero(vals >= top - TIE)
        # prefer more sharers, then larger code (= user 0 first = lexicographically smallest)
        order = np.lexsort((codes[cand], counts[cand]))
        b = int(cand[order[-1]])
        key = (int(counts[b]), int(codes[b]))
        if self.mval < top - TIE or key > (self.count, self.code):
            self.mask = masks_fn(b)
            self.mval = float(vals[b])
            self.count, self.code = key
        self.val = top


def _direct_posterior(sigma: np.ndarray, mask: np.ndarray, noise: float) -> np.ndarray:
    """Full posterior covariance for one profile by Cholesky."""
    s = np.flatnonzero(mask)
    if len(s) == 0:
        return sigma.copy()
    c = sla.cho_factor(sigma[np.ix_(s, s)] + noise * np.eye(len(s)), lower=True)
    return sigma - sigma[:, s] @ sla.cho_solve(c, sigma[s, :])


def _gray_toggles(k: int) -> np.ndarray:
    """Bit toggled at Gray step t = 1..2^k - 1 (the number of trailing zeros of t)."""
    t = np.arange(1, 2**k, dtype=np.int64)
    return np.log2(t & -t).astype(np.int64)


def enumerate_gray(sigma: np.ndarray, objs: list[ProfileObjective], noise: float = 1.0,
                   low_bits: int = 10, batch_bits: int = 10, refactor: int = 256,
                   stable_fallback: bool = True) -> list[SearchResult]:
    """Exact optimum of each objective over all 2^n profiles (module docstring).

    Returns one :class:`SearchResult` per objective, backend ``exact:gray-enumeration``.
    ``details["drift"]`` is the larger of the argmax's relative value error and the state
    error of one configuration per batch against a direct solve (relative to max(Σ_ii, τ)).
    If it exceeds :data:`~.tolerances.DRIFT` and ``stable_fallback`` is set, the optima are
    recomputed by branch-and-bound (direct solves; needs β ≥ 0) and the backend says so.
    """
    t0 = time.perf_counter()
    n = sigma.shape[0]
    var = np.diag(sigma).copy()
    m = min(n, low_bits)
    low = np.arange(m)
    high = np.arange(m, n)
    h = n - m
    weights = (1 << np.arange(n - 1, -1, -1, dtype=np.int64))   # user 0 most significant
    bests = [_Best(n) for _ in objs]
    cap = 1 << min(batch_bits, h)
    low_toggles = _gray_toggles(m)
    buf_cols = np.empty((cap, n, m))
    buf_diag = np.empty((cap, n))
    buf_mask = np.zeros((cap, n), dtype=bool)
    fill = 0
    scale = max(float(var.max()), noise)
    state_drift = [0.0]

    def flush(nb: int) -> None:
        cols = buf_cols[:nb].copy()
        dg = buf_diag[:nb].copy()
        mask = buf_mask[:nb].copy()
        hcount = mask.sum(1)
        hcode = mask.astype(np.int64) @ weights
        lowstate = np.zeros(m, dtype=bool)
        for step in range(2**m):
            if step:
                j = int(low_toggles[step - 1])
                col = cols[:, :, j].copy()                     # (B, n)
                pjj = col[:, j]
                adding = not lowstate[j]
                lowstate[j] = adding
                mask[:, j] = adding
                coef = (-1.0 / (noise + pjj)) if adding else (1.0 / (noise - pjj))
                cc = col * coef[:, None]
                cols += cc[:, :, None] * col[:, None, :m]
                dg += cc * col
            vals = evaluate_from_posterior(dg, mask, var, objs, noise)
            lc = int(lowstate.sum())
            lcode = int(lowstate.astype(np.int64) @ weights[:m])
            counts = hcount + lc
            codes = hcode + lcode
            for k, b in enumerate(bests):
                b.offer(vals[k], counts, codes, lambda i, mk=mask: mk[i].copy())
        # drift of the rank-one state: compare one configuration with a direct solve
        direct, dm = posterior_stats(sigma, mask[0], noise)
        d0 = np.where(mask[0], dg[0], 0.0)
        m0 = np.where(mask[0], d0 * d0 / (noise - d0), 0.0)
        err = max(float(np.abs(direct - dg[0]).max()), float(np.abs(m0 - dm).max()))
        state_drift[0] = max(state_drift[0], err / scale)

    p = sigma.copy()
    hstate = np.zeros(n, dtype=bool)
    high_toggles = _gray_toggles(h) if h else np.zeros(0, dtype=np.int64)
    for step in range(2**h):
        if step:
            u = int(high[high_toggles[step - 1]])
            adding = not hstate[u]
            hstate[u] = adding
            if step % refactor == 0:
                p = _direct_posterior(sigma, hstate, noise)
            else:
                col = p[:, u].copy()
                coef = (-1.0 / (noise + col[u])) if adding else (1.0 / (noise - col[u]))
                p += coef * np.outer(col, col)
        buf_cols[fill] = p[:, low]
        buf_diag[fill] = np.diag(p)
        buf_mask[fill] = hstate
        fill += 1
        if fill == cap:
            budget.check_deadline("enumerating sharing profiles")
            flush(fill)
            fill = 0
    if fill:
        flush(fill)
    secs = time.perf_counter() - t0
    out = []
    for o, b in zip(objs, bests, strict=True):
        exact = evaluate(sigma, b.mask, o, noise)
        drift = max(abs(exact - b.val) / max(1.0, abs(exact)), state_drift[0])
        out.append(SearchResult(exact, b.mask, "exact:gray-enumeration", seconds=secs,
                                nodes=2**n, details={"drift": drift}))
    if stable_fallback and max(r.details["drift"] for r in out) > DRIFT:
        # ill-conditioned (Σ_ii ≫ τ): down-dates lose digits.  Recompute by branch-and-bound,
        # whose nodes use direct Cholesky solves only.
        from .branch_bound import branch_and_bound

        bad = max(r.details["drift"] for r in out)
        out = [branch_and_bound(sigma, o, noise, max_nodes=max_nodes(n)) for o in objs]
        for r in out:
            r.details["gray_drift"] = bad
            r.method = "exact:branch-and-bound (gray drift fallback)"
    return out


def enumerate_naive(sigma: np.ndarray, objs: list[ProfileObjective], noise: float = 1.0
                    ) -> list[SearchResult]:
    """Reference: one Cholesky solve per profile (O(2^n n³)); same tie-break."""
    t0 = time.perf_counter()
    n = sigma.shape[0]
    var = np.diag(sigma)
    weights = (1 << np.arange(n - 1, -1, -1, dtype=np.int64))
    bests = [_Best(n) for _ in objs]
    bits = 1 << np.arange(n)
    for code in range(2**n):
        mask = (code & bits) > 0
        pv, mg = posterior_stats(sigma, mask, noise)
        vals = evaluate_from_posterior(pv[None], mask[None], var, objs, noise, mg[None])
        cnt = np.array([mask.sum()])
        cd = np.array([int(mask.astype(np.int64) @ weights)])
        for k, b in enumerate(bests):
            b.offer(vals[k], cnt, cd, lambda i, mk=mask: mk.copy())
    secs = time.perf_counter() - t0
    return [SearchResult(b.val, b.mask, "exact:naive-enumeration", seconds=secs, nodes=2**n)
            for b in bests]
