"""Benchmarks for single-type w-unit procurement (Fleischer-Lyu Section 4, Appendix A).

All quantities are in cost units (Section 4 drops the factor epsilon).  ``n`` i.i.d. costs
from ``F``, buy ``w < n`` units.

``optimal_payment``
    Optimal BIC w-unit procurement (Lemmas 4.5, 4.7 = A.4): buy the w smallest ironed
    virtual costs, uniform ties.  Exactly, in quantile space,
    ``OPT = E[sum_{i<=w} g(U_(i))] = sum_k g_k (M(q_k) - M(q_{k-1}))`` with
    ``M(q) = E[min(Bin(n, q), w)] = n q Pr[Bin(n-1, q) <= w-1] + w Pr[Bin(n, q) >= w+1]``
    (because ``sum_{i<=w} Pr[U_(i) <= q] = E[min(Bin(n,q), w)]``).  O(K), no Monte Carlo.
``envy_free_benchmark``
    ``w E[v_(w+1)]`` (Lemma 4.1, Section 4.1), ``E[v_(w+1)] = int F^{-1}(u) beta_{w+1,n-w}(u)
    du``: exact with regularised incomplete beta functions for discrete and
    piecewise-uniform ``F``; adaptive quadrature for scipy distributions.
``mechanism_payment``
    Mechanism 1 with ``c = w/n`` (Section 4.1): ``w F^{-1}(w/n) = n H(w/n)`` when
    ``F(alpha) = w/n`` is solvable, otherwise the randomised alpha^-/alpha^+ contract paying
    ``w (alpha^+ - (n c^-/w)(1-beta)(alpha^+ - alpha^-))``, which is ``n`` times the linear
    interpolation of ``H`` between the adjacent atom quantiles.
``ex_ante_bound``
    ``n G(w/n) <= OPT`` (derived, notes P4).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special, stats

from .distributions import Discrete, PiecewiseUniform, as_distribution
from .ironing import IronedCurve, iron_curve


def expected_min_binomial(n: int, w: int, q) -> np.ndarray:
    """``E[min(Bin(n, q), w)]`` for an array of ``q`` (closed form, vectorised)."""
    q = np.asarray(q, dtype=float)
    a = n * q * stats.binom.cdf(w - 1, n - 1, q)
    b = w * stats.binom.sf(w, n, q)
    return a + b


def optimal_payment_from_curve(curve: IronedCurve, n: int, w: int) -> float:
    """``OPT`` from an ironed curve: ``sum_k g_k (M(q_k) - M(q_{k-1}))``."""
    M = expected_min_binomial(n, w, curve.q)
    return float(curve.ironed @ np.diff(M))


def raw_virtual_payment_from_curve(curve: IronedCurve, n: int, w: int) -> float:
    """``E[sum_{i<=w} h(U_(i))]`` with the *raw* virtual costs (order statistics of q).

    For continuous F this is the Lemma A.3 payment of the "w lowest costs" mechanism and
    equals ``w E[v_(w+1)]``; for discrete F it does not (notes, Example C).
    """
    M = expected_min_binomial(n, w, curve.q)
    return float(curve.slopes @ np.diff(M))


#: Quadrature tolerances of ``E[v_(k)]`` for scipy distributions (absolute part relative to
#: the largest cost, so the benchmark scales with the costs).
QUAD_ABS = 1e-13
QUAD_REL = 1e-11


def order_statistic_mean(dist, n: int, k: int) -> float:
    """``E[v_(k)]``, the k-th smallest of n i.i.d. draws from ``dist`` (exact where possible)."""
    dist = as_distribution(dist)
    a_, b_ = k, n - k + 1
    if isinstance(dist, Discrete):
        F = np.concatenate(([0.0], dist.cum))
        I = special.betainc(a_, b_, F)
        return float(dist.values @ np.diff(I))
    if isinstance(dist, PiecewiseUniform):
        Q, br = dist.Q, dist.breaks
        slope = np.diff(br) / np.diff(Q)
        alpha = br[:-1] - slope * Q[:-1]  # F^{-1}(u) = alpha + slope * u on piece j
        I0 = np.diff(special.betainc(a_, b_, Q))
        I1 = np.diff(special.betainc(a_ + 1, b_, Q))
        return float(alpha @ I0 + (a_ / (a_ + b_)) * (slope @ I1))
    from scipy.integrate import quad

    beta = stats.beta(a_, b_)
    lo, hi = float(beta.ppf(1e-16)), float(beta.isf(1e-16))
    mode = (a_ - 1) / (a_ + b_ - 2) if a_ + b_ > 2 else 0.5
    pts = [p for p in (mode,) if lo < p < hi]
    scale = max(abs(float(t)) for t in dist.support)  # absolute error relative to the costs
    val, _ = quad(lambda u: float(dist.ppf(u)) * beta.pdf(u), lo, hi, points=pts or None,
                  limit=500, epsabs=QUAD_ABS * scale, epsrel=QUAD_REL)
    return float(val)


def envy_free_benchmark(dist: Any, n: int, w: int) -> float:
    """``w E[v_(w+1)]`` (Section 4.1)."""
    return w * order_statistic_mean(dist, n, w + 1)


@dataclass(frozen=True)
class Contract:
    """Mechanism 1's single-type contract at acceptance rate ``c`` (Sections 3, 3.1).

    ``alpha_minus``/``alpha_plus`` with ``F(alpha^-) = c^- < c <= c^+ = F(alpha^+)``;
    price ``alpha^+`` with probability ``beta``.  For a continuous ``F`` (or an atom with
    ``F = c`` exactly) ``alpha^- = alpha^+`` and ``beta = 1``.  When ``c < F(c_1)`` there is
    no alpha^-: ``c^- = 0`` and the lower price is never accepted (``alpha^- = None``).
    """

    c: float
    alpha_minus: float | None
    alpha_plus: float
    c_minus: float
    c_plus: float
    beta: float

    def expected_payment_per_player(self) -> float:
        """``c^-(alpha^-(1-beta) + alpha^+ beta) + (c^+ - c^-) alpha^+ beta`` (Section 4.1)."""
        am = self.alpha_minus if self.alpha_minus is not None else 0.0
        return (self.c_minus * (am * (1 - self.beta) + self.alpha_plus * self.beta)
                + (self.c_plus - self.c_minus) * self.alpha_plus * self.beta)


def contract(dist: Any, c: float) -> Contract:
    """The (possibly randomised) threshold contract with acceptance probability ``c``."""
    dist = as_distribution(dist)
    if not 0.0 < c <= 1.0:
        raise ValueError("c must lie in (0, 1]")
    if isinstance(dist, Discrete):
        F = dist.cum
        k = int(np.searchsorted(F, c - 1e-15, side="left"))
        k = min(k, F.size - 1)
        if abs(F[k] - c) <= 1e-12:
            a = float(dist.values[k])
            return Contract(c, a, a, float(F[k]), float(F[k]), 1.0)
        cp, ap = float(F[k]), float(dist.values[k])
        if k == 0:
            return Contract(c, None, ap, 0.0, cp, c / cp)
        cm, am = float(F[k - 1]), float(dist.values[k - 1])
        return Contract(c, am, ap, cm, cp, (c - cm) / (cp - cm))
    a = float(dist.ppf(c))
    return Contract(c, a, a, c, c, 1.0)


def mechanism_payment(dist: Any, n: int, w: int) -> float:
    """Mechanism 1's expected total payment with ``c = w/n`` (Section 4.1, Theorem 4.3)."""
    return n * contract(dist, w / n).expected_payment_per_player()


@dataclass(frozen=True)
class ProcurementReport:
    """Every benchmark of one (F, n, w) instance, in cost units.

    ``optimal_payment_error_bound`` is ``n * max|G_grid - G|`` (integration by parts of
    ``int g dM`` with ``0 <= M' <= n`` decreasing); 0 for discrete F.
    """

    n: int
    w: int
    optimal_payment: float
    envy_free_benchmark: float
    mechanism_payment: float
    ex_ante_bound: float
    optimal_payment_error_bound: float
    r: float | None

    def as_dict(self) -> dict:
        d = dict(self.__dict__)
        d["ratio_mechanism_to_optimal"] = self.mechanism_payment / self.optimal_payment
        d["ratio_mechanism_to_envy_free"] = self.mechanism_payment / self.envy_free_benchmark
        d["ratio_optimal_to_envy_free"] = self.optimal_payment / self.envy_free_benchmark
        return d


def ironing_r(dist, curve: IronedCurve) -> float | None:
    """``r = max b/a`` over ironed cost intervals ``[a, b]`` (Theorem 4.8); ``None`` if none,
    ``inf`` if some interval starts at cost 0."""
    dist = as_distribution(dist)
    rs = []
    for i, j in curve.intervals:
        a, b = cost_interval(dist, curve, i, j)
        rs.append(np.inf if a <= 0 else b / a)
    return max(rs) if rs else None


def cost_interval(dist, curve: IronedCurve, i: int, j: int) -> tuple[float, float]:
    """Cost-space ironed interval of the hull edge ``(i, j)``.

    Discrete: atoms ``i+1..j`` (cells are atoms), i.e. ``[c_{i+1}, c_j]``.  Continuous:
    ``[F^{-1}(q_i), F^{-1}(q_j)]`` (Appendix A, closed intervals).
    """
    dist = as_distribution(dist)
    if isinstance(dist, Discrete):
        return float(dist.values[i]), float(dist.values[j - 1])
    return float(dist.ppf(curve.q[i])), float(dist.ppf(curve.q[j]))


def procurement_report(dist: Any, n: int, w: int, curve: IronedCurve | None = None,
                       grid_error: float = 0.0) -> ProcurementReport:
    """All benchmarks of ``(dist, n, w)`` [FL12, Section 4].

    Parameters
    ----------
    dist
        A cost distribution (:mod:`solver.ironing.distributions`) or a frozen continuous
        ``scipy.stats`` distribution (wrapped by :func:`.distributions.as_distribution`).
    n, w
        Players (sellers) and units bought, ``0 < w < n``.
    curve
        The ironed cost curve; computed from ``dist`` (default grid) when not given.
    grid_error
        ``max |G_grid - G|`` of a given ``curve`` (ignored when ``curve`` is computed).

    Returns
    -------
    ProcurementReport
        OPT [FL12, Lemma 4.7], the envy-free benchmark [FL12, Section 4.1], Mechanism 1's
        payment [FL12, Theorem 4.3], the ex-ante bound and ``r`` [FL12, Theorem 4.8].

    Raises
    ------
    ValueError
        Unless ``0 < w < n``.
    """
    dist = as_distribution(dist)
    if not 0 < w < n:
        raise ValueError("need 0 < w < n")
    if curve is None:
        cc = dist.cost_curve()
        curve = iron_curve(cc.q, cc.H)
        grid_error = cc.error_bound
    opt = optimal_payment_from_curve(curve, n, w)
    return ProcurementReport(
        n=n, w=w, optimal_payment=opt,
        envy_free_benchmark=envy_free_benchmark(dist, n, w),
        mechanism_payment=mechanism_payment(dist, n, w),
        ex_ante_bound=float(n * curve.G_at(w / n)),
        optimal_payment_error_bound=float(n * grid_error),
        r=ironing_r(dist, curve),
    )
