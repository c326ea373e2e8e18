"""Exhaustive checks of Lemmas 7.2-7.4 and Theorem 7.5 through sufficient statistics.

Mechanism 7.1 sees the profile only through ``W = Σ_j θ_j`` (one integer per outcome), so a
check over every profile of ``n`` players reduces to a check over the vectors ``W_-i`` of the
other ``n-1`` players.  Three further facts, each proved here, make ``|O| = 4, M = 3, n = 6``
(``256^5`` profiles of the others × 256 types × 255 lies) a matter of seconds.

**Shift invariance (proof).**  Adding ``c`` to every ``W_o`` adds ``c`` to every
``V_o = W_o + λ_o + o/|O|`` for every noise draw ``λ``, so ``o* = argmax V`` and every gap
``V_o* - V_o`` (hence ``π``) are unchanged: the output distribution depends on ``W`` only up to
a common shift.  The payment ``P(θ, o*, π) = max_{(o,v)∈π} (θ[o*] - θ[o]) - v`` depends on
``θ`` only through its differences.  Hence (i) ``W_-i`` and ``W_-i + c·1`` give the same
checks; (ii) a report ``t`` and ``t + c·1`` give the same output distribution and payments, so
the same Assumption-3.1 ratios and the same utility to any true type; (iii) a true type
``a + c·1`` gets ``c`` more outcome utility on every output than ``a``, which cancels in every
gain (★) and in Lemma 7.3's utility difference, while its truthful distribution is ``a``'s.
So types, lies and ``W_-i`` are enumerated as *shift classes* (vectors with minimum 0), and a
lie in the truth's own class has gain exactly 0 (same distribution, same payments).  There is
no outcome-permutation symmetry: the tie-break ``o/|O|`` favours the last outcome (at
``W = (0, 0)``, ``Pr[o* = 1] > 1/2``), so none is used.

**Every ``W_-i`` class is realisable.**  A vector with minimum 0 and maximum ``<= (n-1)M`` is a
sum of ``n-1`` vectors of ``{0..M}^{|O|}`` (coordinatewise), so the classes of ``W_-i`` for
``n`` players are exactly those of spread ``<= (n-1)M``: nested in ``n``, one pass at ``n = 6``
covers ``n = 2..6`` (reported per ``n``).

**One table for every ``W``.**  With ``d_o = W_a - W_o``, ``Pr[o* = a, g]`` of
:mod:`~solver.privacy.vcg` is ``Σ_x p(x) Π_{o≠a} f_o(d_o, g_o, x)``: a product of one factor per
other outcome, each a matrix over ``(d_o, g_o) × x``.  Contracting the ``x`` axis once
(matrix products) tabulates the exact distribution for *every* ``d ∈ [-R, R]^{|O|-1}`` at once,
with the same truncation and tail bound as :func:`~solver.privacy.vcg.distribution`.  The
table lives on the grid ``e = (W_1 - W_0, …)``; ``W_-i + t`` is an index offset.  Coupled
quantities (Lemmas 7.3/7.4) are the winner probabilities ``G_a(m) = Σ_x p(x) Π Pr[λ <= m_o +
x - [o>a]]`` at ``m_o = min(d_o, d'_o)`` (``- M`` where ``π``'s entry for ``o`` must stay
unreleased), tabulated the same way, and depend on a lie only through ``δ = t - a``.  Both
sums run over ``|x| <= K``, so each tabulated probability is low by at most ``|O| Pr[|λ| > K]``
(the reported ``tail_bound``, ~2e-16 here).

**Theorem 7.5.**  With the common noise as coupling, ``Σ_o |Q(o) - P(o)| b(o) <= 2 b_max
Pr[output changes]`` (total variation is at most the coupling's disagreement), so
``ub = E_Q u - E_P u + 2 b_max (Pr[o* changes] + Pr[o* same, π changes])`` bounds every gain
(★) from above, exactly computable from the tables; the worst *exact* gain is found by branch
and bound (exact gains of every lie for the ``W_-i`` classes in decreasing order of their
largest ``ub`` until ``ub`` falls below the best exact gain).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.spatial.distance import cdist

from .model import PrivacyBound
from .vcg import Outputs, lap_cdf, lap_pmf, truncation


def shift_classes(nO: int, spread: int) -> np.ndarray:
    """Vectors of ``{0..spread}^{|O|}`` with minimum 0 (one per shift class), lexicographic."""
    g = np.stack(np.meshgrid(*([np.arange(spread + 1)] * nO), indexing="ij"), -1)
    g = g.reshape(-1, nO)
    return g[g.min(axis=1) == 0].astype(np.int64)


@dataclass(frozen=True)
class Grid:
    """The grid ``e = W[1:] - W[0] ∈ [-R, R]^{|O|-1}`` of value vectors up to shift."""

    nO: int
    R: int

    @property
    def side(self) -> int:
        return 2 * self.R + 1

    @property
    def size(self) -> int:
        return self.side ** (self.nO - 1)

    def strides(self) -> np.ndarray:
        return self.side ** np.arange(self.nO - 2, -1, -1)

    def offset(self, v: np.ndarray) -> np.ndarray:
        """Linear index offset of adding vectors ``v`` (rows) to a value vector."""
        v = np.atleast_2d(v)
        return (v[:, 1:] - v[:, :1]) @ self.strides()

    def index(self, W: np.ndarray) -> np.ndarray:
        """Flat index of value vectors ``W`` (rows; spread ``<= R``)."""
        return self.offset(W) + self.R * self.strides().sum()

    def coords(self) -> np.ndarray:
        """``e`` of every grid point, with ``e_0 = 0`` prepended (shape ``(size, |O|)``)."""
        g = np.stack(np.meshgrid(*([np.arange(-self.R, self.R + 1)] * (self.nO - 1)),
                                 indexing="ij"), -1).reshape(-1, self.nO - 1)
        return np.concatenate([np.zeros((g.shape[0], 1), dtype=np.int64), g], axis=1)

    def realisable(self) -> np.ndarray:
        c = self.coords()
        return (c.max(axis=1) - c.min(axis=1)) <= self.R


def _contract(pa: np.ndarray, facs: list[np.ndarray]) -> np.ndarray:
    """``T[k_1, …, k_m] = Σ_x pa[x] Π_i facs[i][k_i, x]`` by matrix products."""
    if len(facs) == 1:
        return facs[0] @ pa
    head = facs[0] * pa[None, :]
    last = facs[-1].T
    mid = facs[1:-1]
    rows = []
    step = max(1, 4096 // max(1, int(np.prod([f.shape[0] for f in mid]))))
    for s in range(0, head.shape[0], step):
        T = head[s:s + step]
        for f in mid:
            T = (T[:, None, :] * f[None, :, :]).reshape(-1, T.shape[-1])
        rows.append(T @ last)
    out = np.concatenate(rows, axis=0)
    return out.reshape([f.shape[0] for f in facs])


def distribution_grid(nO: int, M: int, eps: float, R: int, tail: float = 1e-16
                      ) -> tuple[np.ndarray, float, Grid]:
    """Exact ``Pr[(o*, π)]`` for every value vector of spread ``<= R`` (up to shift).

    Returns ``D`` of shape ``(grid.size, N)`` in :meth:`Outputs.make` order (``nan`` on grid
    points of spread ``> R``), the tail bound (as :func:`vcg.distribution`) and the grid.
    """
    t = eps / (M * nO)
    K, tl = truncation(t, tail)
    x = np.arange(-K, K + 1, dtype=float)
    pa = lap_pmf(x, t)
    d = np.arange(-R, R + 1, dtype=float)
    grid = Grid(nO, R)
    e = grid.coords()
    ok = grid.realisable()
    blocks = []
    for a in range(nO):
        facs, didx = [], []
        for o in range(nO):
            if o == a:
                continue
            rel = np.arange(1, M + 1) if o > a else np.arange(0, M)
            thr = M + 1 if o > a else M
            f_rel = lap_pmf(x[None, None, :] + d[:, None, None] - rel[None, :, None], t)
            f_not = lap_cdf(x[None, None, :] + d[:, None, None] - thr, t)
            facs.append(np.concatenate([f_rel, f_not], axis=1).reshape(-1, x.size))
            didx.append(np.clip(e[:, a] - e[:, o], -R, R) + R)
        T = _contract(pa, facs)
        m = nO - 1
        T = T.reshape(sum(([2 * R + 1, M + 1] for _ in range(m)), []))
        T = T.transpose(list(range(0, 2 * m, 2)) + list(range(1, 2 * m, 2)))
        blocks.append(T[tuple(didx)].reshape(grid.size, -1))
    D = np.concatenate(blocks, axis=1)
    D[~ok] = np.nan
    return D, nO * tl, grid


def winner_grid(nO: int, M: int, eps: float, lo: int, hi: int, tail: float = 1e-16
                ) -> list[np.ndarray]:
    """``G_a[m] = Σ_x p(x) Π_{o≠a} Pr[λ <= m_o + x - [o > a]]`` for ``m ∈ [lo, hi]^{|O|-1}``."""
    t = eps / (M * nO)
    K, _ = truncation(t, tail)
    x = np.arange(-K, K + 1, dtype=float)
    pa = lap_pmf(x, t)
    m = np.arange(lo, hi + 1, dtype=float)
    out = []
    for a in range(nO):
        facs = [lap_cdf(m[:, None] + x[None, :] - (1 if o > a else 0), t)
                for o in range(nO) if o != a]
        out.append(_contract(pa, facs).ravel())
    return out


def _window(A: np.ndarray, M: int, op: Any) -> np.ndarray:
    """``op`` over the box ``p + [0..M]^k`` along the first ``k = A.ndim - 1`` axes."""
    for ax in range(A.ndim - 1):
        n = A.shape[ax] - M
        sl = [slice(None)] * A.ndim
        sl[ax] = slice(0, n)
        B = A[tuple(sl)]
        for k in range(1, M + 1):
            sl[ax] = slice(k, k + n)
            B = op(B, A[tuple(sl)])
        A = B
    return A


def report_extremes(D: np.ndarray, grid: Grid, M: int) -> tuple[np.ndarray, np.ndarray]:
    """``max_t`` and ``min_t`` of ``D[W_-i + t]`` over all reports ``t ∈ {0..M}^{|O|}``.

    Over the ``e``-grid the reports' offsets are ``∪_c [-c, M-c]^{|O|-1}`` (``c = t_0``), so
    a separable box filter followed by ``M+1`` diagonal shifts gives both.  Returned on the
    grid of radius ``R - M`` (``W_-i``), flattened.
    """
    k = grid.nO - 1
    A = D.reshape((grid.side,) * k + (D.shape[1],))
    res = []
    for op in (np.maximum, np.minimum):
        B = _window(A, M, op)                       # coordinate p: box p + [0..M]^k
        n = grid.side - 2 * M
        out = None
        for c in range(M + 1):
            sl = tuple(slice(M - c, M - c + n) for _ in range(k))
            out = B[sl] if out is None else op(out, B[sl])
        res.append(out.reshape(-1, D.shape[1]))
    return res[0], res[1]


@dataclass
class ExhaustiveResult:
    """Worst cases of the exhaustive pass for one ``(|O|, M)`` and ``n = 2..n_max``."""

    nO: int
    M: int
    n_max: int
    eps: float
    tail_bound: float
    per_n: dict[int, dict[str, Any]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def _nmin(W: np.ndarray, M: int) -> np.ndarray:
    """Smallest ``n`` whose others can sum to ``W_-i`` (spread ``<= (n-1)M``), at least 2."""
    return np.maximum(2, -(-(W.max(axis=1) - W.min(axis=1)) // M) + 1)


def dp_levels(nO: int, M: int, n_max: int, eps: float) -> dict[str, Any]:
    """Lemma 7.2 on every ``W_-i`` class: ``max_o ln(max_t Pr / min_t Pr)`` per class."""
    t0 = time.perf_counter()
    R = n_max * M
    D, tl, grid = distribution_grid(nO, M, eps, R)
    hi, lo = report_extremes(D, grid, M)
    Wo = shift_classes(nO, (n_max - 1) * M)
    small = Grid(nO, R - M)
    idx = small.index(Wo)
    with np.errstate(divide="ignore"):
        lr = np.log(hi[idx]) - np.log(lo[idx])
    if not np.all(np.isfinite(lr)):
        raise AssertionError("non-finite log ratio on a realisable W_-i")
    return {"W_others": Wo, "log_ratio": lr, "tail_bound": tl, "D": D, "grid": grid,
            "seconds": time.perf_counter() - t0}


def exhaustive(nO: int, M: int, n_max: int, eps: float, bounds: dict[str, PrivacyBound],
               exact_budget: int | dict[str, int] = 4000) -> ExhaustiveResult:
    """Lemmas 7.2-7.4 and Theorem 7.5 for every ``n <= n_max``, type and lie, exactly.

    Parameters
    ----------
    bounds
        Named privacy bounds ``F`` for Theorem 7.5's gains (e.g. at and above the condition).
    exact_budget
        Most ``W_-i`` classes whose gains are all evaluated exactly in the branch and bound,
        per bound or for all (the ``ub`` certificate covers the rest; ``proven_max`` says
        whether the worst exact gain found is proven to be the maximum).
    """
    res = ExhaustiveResult(nO, M, n_max, eps, 0.0)
    dp = dp_levels(nO, M, n_max, eps)
    res.seconds["table+dp"] = dp["seconds"]
    t0 = time.perf_counter()
    D, grid, Wo, lr = dp["D"], dp["grid"], dp["W_others"], dp["log_ratio"]
    res.tail_bound = dp["tail_bound"]
    types = shift_classes(nO, M)
    T = types.shape[0]
    outs = Outputs.make(nO, M)
    oc = outs.outcome()
    pay = outs.payments(types.astype(float))                 # (T, N)
    C = Wo.shape[0]
    base = grid.index(Wo)                                    # W_-i in the radius-R grid
    off = grid.offset(types)
    # per (W_-i, report): outcome marginals and expected own payment
    pout = np.zeros((C, T, nO))
    epay = np.zeros((C, T))
    for t in range(T):
        Dt = D[base + off[t]]                                # (C, N)
        epay[:, t] = Dt @ pay[t]
        for o in range(nO):
            pout[:, t, o] = Dt[:, oc == o].sum(axis=1)
    tf = types.astype(float)
    truth = np.einsum("cao,ao->ca", pout, tf) - epay          # E[u_a | report a]
    # privacy bounds per class: b_max for each F
    bmax = {k: np.max(_bound(F, lr), axis=1) for k, F in bounds.items()}
    # coupled winner tables on m ∈ [-R - 3M, R]: with d_o = W_a - W_o ∈ [-R, R] and
    # Δ_o = δ_a - δ_o ∈ [-2M, 2M], m_o = d_o + min(0, Δ_o) (- M) stays in range, so every
    # coupled probability is a gather at a δ-dependent constant offset
    R = grid.R
    lo_m = -R - 3 * M
    Gt = winner_grid(nO, M, eps, lo_m, R)
    Lm = R - lo_m + 1
    mstr = Lm ** np.arange(nO - 2, -1, -1)
    rl = np.flatnonzero(grid.realisable())                   # compact list of W (spread <= R)
    pos = np.full(grid.size, -1, dtype=np.int64)
    pos[rl] = np.arange(rl.size)
    ecoord = grid.coords()[rl]
    gbase = []
    for a in range(nO):
        others = [o for o in range(nO) if o != a]
        gbase.append(sum((ecoord[:, a] - ecoord[:, o] - lo_m) * mstr[k]
                         for k, o in enumerate(others)))
    # report-major layouts (T, C): the loop gathers whole rows
    WidxT = np.ascontiguousarray(pos[base[:, None] + off[None, :]].T)   # W_-i + report
    poutT = np.ascontiguousarray(pout.transpose(2, 1, 0))                # (|O|, T, C)
    epayT = np.ascontiguousarray(epay.T)
    truthT = np.ascontiguousarray(truth.T)
    # δ classes of every (true, lie) pair of type classes (balanced base-(4M+1) key)
    dl = types[None, :, :] - types[:, None, :]               # dl[a, t] = t - a
    dkey = (dl[:, :, 1:] - dl[:, :, :1]) @ ((4 * M + 1) ** np.arange(nO - 2, -1, -1))
    np.fill_diagonal(dkey, np.iinfo(np.int64).min)
    order = np.argsort(dkey, axis=None, kind="stable")
    flat = dkey.ravel()[order]
    starts = np.flatnonzero(np.r_[True, flat[1:] != flat[:-1]])
    ends = np.r_[starts[1:], flat.size]
    qmin = np.full(C, np.inf)                                 # min du / Pr[change] (7.3)
    w74 = np.zeros(C)
    a73 = np.zeros((C, 2), dtype=np.int64)
    a74 = np.zeros((C, 2), dtype=np.int64)
    wub = {k: np.full(C, -np.inf) for k in bounds}
    two_b = {k: 2 * v[None, :] for k, v in bmax.items()}
    rowsC = np.arange(C)
    for s0, s1 in zip(starts, ends, strict=True):
        if flat[s0] == np.iinfo(np.int64).min:
            continue                                          # the truthful report itself
        ai, ti = np.unravel_index(order[s0:s1], dkey.shape)
        delta = dl[ai[0], ti[0]]
        same = np.zeros(rl.size)
        same_pi = np.zeros(rl.size)
        for a in range(nO):
            others = [o for o in range(nO) if o != a]
            c1 = sum(min(0, int(delta[a] - delta[o])) * int(mstr[k])
                     for k, o in enumerate(others))
            c2 = c1 - sum(M * int(mstr[k]) for k, o in enumerate(others) if delta[a] != delta[o])
            same += Gt[a][gbase[a] + c1]
            same_pi += Gt[a][gbase[a] + c2]
        change = 1.0 - same
        pichange = same - same_pi
        Wp = WidxT[ai]                                        # (P, C): W_-i + a
        diff = change[Wp]
        pid = pichange[Wp]
        du = truthT[ai] + epayT[ti]                           # E[u|truth] - E[u|lie]
        for o in range(nO):
            du -= poutT[o][ti] * tf[ai, o][:, None]
        q = du / diff
        r74 = pid / diff
        for arr, best, arg, fn in ((q, qmin, a73, np.argmin), (r74, w74, a74, np.argmax)):
            j = fn(arr, axis=0)
            v = arr[j, rowsC]
            upd = v < best if fn is np.argmin else v > best
            best[upd] = v[upd]
            arg[upd, 0], arg[upd, 1] = ai[j[upd]], ti[j[upd]]
        s = diff + pid
        for k in bounds:
            np.maximum(wub[k], (two_b[k] * s - du).max(axis=0), out=wub[k])
        if not np.all(diff > 0):
            raise AssertionError("a lie outside the truth's shift class left o* unchanged")
    w73 = np.where(qmin > 0, 1.0 / (nO * qmin), np.inf)
    w74 = w74 / (2 * M * math.exp(eps / nO))
    res.seconds["lemmas 7.3/7.4 + ub"] = time.perf_counter() - t0
    # branch and bound for the exact worst gain of Theorem 7.5, for every n (nested classes)
    t0 = time.perf_counter()
    nm = _nmin(Wo, M)
    exact: dict[str, dict[int, dict[str, Any]]] = {}
    for k, F in bounds.items():
        cache: dict[int, tuple[float, int, int]] = {}
        budget = exact_budget[k] if isinstance(exact_budget, dict) else exact_budget
        exact[k] = {}
        for n in range(2, n_max + 1):
            sel = np.flatnonzero(nm <= n)
            order = sel[np.argsort(-wub[k][sel], kind="stable")]
            gstar, arg, proven = -math.inf, None, True
            for c in sel:                                     # classes already evaluated
                if c in cache and cache[c][0] > gstar:
                    gstar, arg = cache[c][0], (int(c),) + cache[c][1:]
            for c in order:
                if wub[k][c] <= gstar:
                    break
                if c not in cache:
                    if len(cache) >= budget:
                        proven = False
                        break
                    g = _exact_gains(D[base[c] + off], _bound(F, lr[c]), pout[c], epay[c],
                                     truth[c], tf)
                    j = np.unravel_index(int(np.argmax(g)), g.shape)
                    cache[int(c)] = (float(g[j]), int(j[0]), int(j[1]))
                if cache[c][0] > gstar:
                    gstar, arg = cache[c][0], (int(c),) + cache[c][1:]
            exact[k][n] = {"worst_exact": gstar, "proven_max": proven, "arg": arg,
                           "upper_bound": float(wub[k][sel].max()), "evaluated": len(cache)}
    res.seconds["theorem 7.5 exact (branch and bound)"] = time.perf_counter() - t0
    for n in range(2, n_max + 1):
        sel = nm <= n
        Cn = int(sel.sum())
        row: dict[str, Any] = {
            "W_classes": Cn, "type_classes": T,
            "class_cases": Cn * T * (T - 1),
            "profile_cases": (M + 1) ** (nO * (n - 1)) * (M + 1) ** nO * ((M + 1) ** nO - 1),
            "dp_ratio_over_eps": float(lr[sel].max()) / eps,
        }
        for name, w, a in (("lemma_7.3", w73, a73), ("lemma_7.4", w74, a74)):
            c = int(np.flatnonzero(sel)[np.argmax(w[sel])])
            row[name] = float(w[c])
            row[name + "_case"] = {"others": Wo[c].tolist(), "true": types[a[c, 0]].tolist(),
                                   "report": types[a[c, 1]].tolist()}
        for k in bounds:
            e = exact[k][n]
            c, a, t = e["arg"]
            row[f"gain_{k}"] = {"worst_exact": e["worst_exact"], "upper_bound": e["upper_bound"],
                                "proven_max": e["proven_max"],
                                "classes_evaluated_exactly": e["evaluated"],
                                "case": {"others": Wo[c].tolist(), "true": types[a].tolist(),
                                         "report": types[t].tolist()}}
        res.per_n[n] = row
    res.seconds["total"] = sum(res.seconds.values())
    return res


def _bound(F: PrivacyBound, lr: np.ndarray) -> np.ndarray:
    """``b = F(ratio)`` elementwise (a callable ``F`` need not be vectorised)."""
    if F.kind == "callable":
        return np.vectorize(lambda v: float(F.of_log_ratio(v)), otypes=[float])(lr)
    return np.asarray(F.of_log_ratio(lr), dtype=float)


def _exact_gains(Q: np.ndarray, b: np.ndarray, pout: np.ndarray, epay: np.ndarray,
                 truth: np.ndarray, tf: np.ndarray) -> np.ndarray:
    """Gains (★) ``g[a, t]`` for one ``W_-i`` class: ``Q[t]`` the report's distribution."""
    if not np.all(np.isfinite(b)):
        raise AssertionError("infinite privacy bound on a realisable W_-i")
    lie = tf @ pout.T - epay[None, :]                      # lie[a, t] = E[u_a | report t]
    priv = cdist(Q * b[None, :], Q * b[None, :], "cityblock")
    g = lie - truth[:, None] + priv
    np.fill_diagonal(g, -np.inf)
    return g
