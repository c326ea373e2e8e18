"""Unknown valuations: Theorem B-2's mechanism and Proposition B-1's VCG prices.

Theorem B-2 (appendix lines 209-219).  Reports ``v``; virtual values
``Φ_i(v) = v + F_i(v)/f_i(v)`` (Assumption 2, line 203).  Allocation
``a^E(v) = argmax_a Σ_i (1-Φ_i) I_i(a) + Φ_i I_i(a_{-i}, a_i=0)``, i.e. the platform objective
with ``β = Φ`` (:mod:`.objectives`).  With ``A_i(x) = I_i(a^E(x, v_{-i})) - I_i(a^E_{-i}, a_i=0)``
(own marginal of ``i`` if she shares, else 0) the payment is (line 215, lower limit read as
``v_i``, re-derived)::

    p_i(v_i) = ∫_{v_i}^{v_max} A_i(x) dx + v_i A_i(v_i).

Exact computation (re-derived): for fixed ``v_{-i}`` the objective is
``G(S) - φ A_i(S)`` with ``φ = Φ_i(x)``; its argmax as a function of φ is the upper envelope of
2^n lines, so ``A_i`` is a nonincreasing step function of φ with finitely many breakpoints
and the integral is a finite sum.  Breakpoints in ``x`` are found by bisection on the
nondecreasing Φ.

Ironing.  When Assumption 2 fails (Φ not monotone) the virtual value is replaced by its
ironed version: on an equal-mass quantile grid the ironed Φ is the weighted isotonic
regression (PAVA) of Φ — the slope of the lower convex hull of ``H(q) = ∫_0^q Φ(F^{-1}(t))dt``.
We use :func:`scipy.optimize.isotonic_regression` (the ironing package had no public slope
routine when this was written).

Proposition B-1 (line 195): ``p_i = (I_i(a(v)) + Σ_{j≠i}(1-v_j) I_j(a(v))) -
min_a (I_i(a) + Σ_{j≠i} (1-v_j) I_j(a))`` with ``a(v)`` the first best.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq, isotonic_regression

from .enumeration import enumerate_gray
from .leakage import posterior_variances
from .objectives import ProfileObjective, surplus_objective

__all__ = ["Prior", "uniform_prior", "exponential_prior", "piecewise_prior",
           "ThmB2Mechanism", "vcg_prices", "all_profiles"]


@dataclass(frozen=True)
class Prior:
    """A prior on one user's value of privacy: cdf, pdf and support ``[lo, hi]``."""

    cdf: Callable[[np.ndarray], np.ndarray]
    pdf: Callable[[np.ndarray], np.ndarray]
    lo: float
    hi: float
    name: str = "prior"
    #: points where the density jumps (quadrature splits there, :mod:`.revenue`)
    kinks: tuple[float, ...] = ()

    def phi(self, v: np.ndarray | float) -> np.ndarray:
        """Raw virtual value ``v + F(v)/f(v)`` (Assumption 2, line 203)."""
        v = np.asarray(v, float)
        return v + self.cdf(v) / self.pdf(v)

    def ironed_phi(self, grid: int = 4000) -> Callable[[np.ndarray | float], np.ndarray]:
        """Ironed virtual value (PAVA on an equal-mass quantile grid); equals Φ if monotone."""
        hi = self.hi if np.isfinite(self.hi) else self._quantile(1 - 1e-9)
        q = (np.arange(grid) + 0.5) / grid
        xs = np.array([self._quantile(t) for t in q])
        ph = self.phi(xs)
        if np.all(np.diff(ph) >= 0):
            return self.phi
        ir = isotonic_regression(ph, weights=np.full(grid, 1.0 / grid)).x

        def f(v: np.ndarray | float) -> np.ndarray:
            return np.interp(np.asarray(v, float), xs, ir, left=ir[0], right=ir[-1])
        del hi
        return f

    def _quantile(self, t: float) -> float:
        hi = self.hi if np.isfinite(self.hi) else self.lo + 1.0
        while np.isinf(self.hi) and float(self.cdf(np.array(hi))) < t:
            hi = 2 * hi + 1
        return brentq(lambda x: float(self.cdf(np.array(x))) - t, self.lo, hi, xtol=1e-13)

    def satisfies_assumption_2(self, grid: int = 2000) -> bool:
        """Whether Φ is nondecreasing on a grid of the support."""
        hi = self.hi if np.isfinite(self.hi) else self._quantile(1 - 1e-6)
        xs = np.linspace(self.lo, hi, grid)[1:]
        return bool(np.all(np.diff(self.phi(xs)) >= -1e-12))


def uniform_prior(lo: float = 0.0, hi: float = 1.0) -> Prior:
    """``U[lo, hi]``: ``Φ(v) = 2v - lo``."""
    w = hi - lo
    return Prior(lambda v: np.clip((np.asarray(v) - lo) / w, 0, 1),
                 lambda v: np.full(np.shape(v), 1.0 / w), lo, hi, f"U[{lo},{hi}]")


def exponential_prior(rate: float) -> Prior:
    """``Exp(λ)``: ``Φ(v) = v + (e^{λv} - 1)/λ`` (re-derived)."""
    return Prior(lambda v: 1 - np.exp(-rate * np.asarray(v)),
                 lambda v: rate * np.exp(-rate * np.asarray(v)), 0.0, np.inf, f"Exp({rate})")


def piecewise_prior(edges: list[float], masses: list[float]) -> Prior:
    """Piecewise-constant density on ``edges`` with bin ``masses`` (may violate Assumption 2)."""
    e = np.asarray(edges, float)
    ms = np.asarray(masses, float) / np.sum(masses)
    dens = ms / np.diff(e)
    cum = np.concatenate([[0.0], np.cumsum(ms)])

    def pdf(v):
        k = np.clip(np.searchsorted(e, np.asarray(v), side="right") - 1, 0, len(ms) - 1)
        return dens[k]

    def cdf(v):
        return np.interp(np.asarray(v, float), e, cum)
    return Prior(cdf, pdf, float(e[0]), float(e[-1]), "piecewise",
                 tuple(float(x) for x in e[1:-1]))


def all_profiles(sigma: np.ndarray, noise: float = 1.0) -> tuple[np.ndarray, np.ndarray,
                                                                  np.ndarray]:
    """Masks ``(2^n, n)``, leakages ``I`` and own marginals ``m`` for every profile (small n)."""
    n = sigma.shape[0]
    codes = np.arange(2**n)
    masks = ((codes[:, None] >> np.arange(n)) & 1).astype(bool)
    var = np.diag(sigma)
    pv = np.stack([posterior_variances(sigma, mk, noise) for mk in masks])
    d = np.where(masks, pv, 0.0)
    return masks, var - pv, d * d / (noise - d)


class ThmB2Mechanism:
    """Theorem B-2's allocation and payments for a fixed Σ and priors (exact, n ≤ ~12).

    ``virtual[i]`` is the (ironed if needed) virtual-value function of user ``i``.
    """

    def __init__(self, sigma: np.ndarray, priors: list[Prior], noise: float = 1.0) -> None:
        self.sigma, self.priors, self.noise = sigma, priors, noise
        self.masks, self.inf, self.marg = all_profiles(sigma, noise)
        self.ironed = [not p.satisfies_assumption_2() for p in priors]
        self.virtual = [p.ironed_phi() if ir else p.phi
                        for p, ir in zip(priors, self.ironed, strict=True)]
        self.count = self.masks.sum(1)

    def _lines(self, i: int, reports: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        phi = np.array([float(self.virtual[j](reports[j])) for j in range(len(reports))])
        phi[i] = 0.0
        g = self.inf.sum(1) - (self.marg * phi).sum(1)
        return g, self.marg[:, i]

    def allocation(self, reports: np.ndarray) -> np.ndarray:
        """Index (into :attr:`masks`) of ``a^E(reports)``; ties: most sharers, smallest code."""
        phi = np.array([float(self.virtual[j](reports[j])) for j in range(len(reports))])
        val = self.inf.sum(1) - (self.marg * phi).sum(1)
        top = np.flatnonzero(val >= val.max() - 1e-10)
        return int(top[np.lexsort((-top, self.count[top]))[-1]])

    def a_i(self, i: int, x: float, reports: np.ndarray) -> float:
        """``A_i(x, v_{-i})``: user i's own marginal at the allocation when she reports x."""
        r = np.array(reports, float)
        r[i] = x
        return float(self.marg[self.allocation(r), i])

    def breakpoints(self, i: int, reports: np.ndarray) -> list[tuple[float, float]]:
        """Upper envelope over φ ∈ ℝ: list of ``(φ_start, A)`` segments, A nonincreasing."""
        g, a = self._lines(i, reports)
        # best line at φ → -∞ is the one with largest A (then largest g)
        order = np.lexsort((g, a))[::-1]
        cur = int(order[0])
        segs = [(-np.inf, float(a[cur]))]
        phi = -np.inf
        while True:
            lower = a < a[cur] - 1e-15
            if not lower.any():
                break
            # crossing φ where g_k - φ a_k = g_cur - φ a_cur
            cross = (g[cur] - g[lower]) / (a[cur] - a[lower])
            idx = np.flatnonzero(lower)
            c = cross.min()
            cand = idx[cross <= c + 1e-12]
            nxt = int(cand[np.argmin(a[cand])])
            if c < phi:
                c = phi
            phi, cur = c, nxt
            segs.append((float(phi), float(a[cur])))
        return segs

    def payment(self, i: int, report: float, reports: np.ndarray) -> float:
        """``p_i = ∫_{report}^{v_max} A_i(x) dx + report · A_i(report)`` (line 215), exactly."""
        prior, vf = self.priors[i], self.virtual[i]
        segs = self.breakpoints(i, reports)
        hi = prior.hi
        total = 0.0
        # A as a function of x: A(x) = seg value for Φ(x) in [φ_k, φ_{k+1})
        x_prev = report
        for k, (_, av) in enumerate(segs):
            phi_end = segs[k + 1][0] if k + 1 < len(segs) else np.inf
            if not np.isfinite(phi_end):
                x_end = hi
            else:
                x_end = _inverse(vf, phi_end, prior)
            if x_end <= x_prev:
                continue
            if av > 0:
                if not np.isfinite(x_end):
                    raise ValueError("A_i stays positive up to v_max = inf")
                total += av * (x_end - x_prev)
            x_prev = x_end
            if x_prev >= hi:
                break
        return total + report * self.a_i(i, report, reports)

    def utilities(self, i: int, true_v: float, report: float, reports: np.ndarray
                  ) -> tuple[float, float]:
        """User i's ``(net-of-baseline, full)`` utility when reporting ``report``.

        Net form (B-17): ``p_i - v A_i``.  Full form: ``p_i - v I_i(a^E)`` (model's utility).
        """
        r = np.array(reports, float)
        r[i] = report
        k = self.allocation(r)
        p = self.payment(i, report, r)
        return p - true_v * self.marg[k, i], p - true_v * self.inf[k, i]


def _inverse(f: Callable, phi: float, prior: Prior) -> float:
    """``sup{x in support : f(x) <= phi}`` for nondecreasing ``f`` (bisection)."""
    lo, hi = prior.lo, prior.hi
    if not np.isfinite(hi):
        hi = max(1.0, lo + 1.0)
        while float(f(hi)) <= phi:
            hi *= 2
            if hi > 1e9:
                return np.inf
    if float(f(lo)) > phi:
        return lo
    if float(f(hi)) <= phi:
        return hi
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if float(f(mid)) <= phi:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-14:
            break
    return 0.5 * (lo + hi)


def vcg_prices(sigma: np.ndarray, v: np.ndarray, noise: float = 1.0) -> tuple[np.ndarray,
                                                                             np.ndarray]:
    """Proposition B-1: the first-best profile and the VCG-like prices (n + 1 enumerations)."""
    n = len(v)
    fb = enumerate_gray(sigma, [surplus_objective(v)], noise)[0].profile
    from .leakage import leakage

    inf = leakage(sigma, fb, noise)
    prices = np.zeros(n)
    for i in range(n):
        w = 1.0 - np.asarray(v, float)
        w[i] = 1.0
        # min_a Σ w_j I_j(a) = -max_a Σ (-w_j) I_j(a)
        obj = ProfileObjective(-w, np.zeros(n), np.zeros(n), "vcg-min")
        mn = -enumerate_gray(sigma, [obj], noise)[0].value
        prices[i] = float(w @ inf) - mn
    return fb, prices
