"""Quantile function of continuous mixtures: safeguarded Newton against plain bisection."""

from __future__ import annotations

import numpy as np
from scipy import stats

from solver.ironing.distributions import Continuous, ContinuousMixture, mixture


def bisection_ppf(m: ContinuousMixture, u: np.ndarray) -> np.ndarray:
    """Reference: 60 bisection steps from the support, no table, no Newton."""
    a, b = m.support
    lo, hi = np.full(u.shape, a), np.full(u.shape, b)
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        up = m.cdf(mid) >= u
        hi, lo = np.where(up, mid, hi), np.where(up, lo, mid)
    return hi


MIXTURES = [
    mixture([Continuous(stats.truncnorm(-1, 2, loc=2, scale=1)), Continuous(stats.uniform(1, 3))],
            [0.5, 0.5]),
    mixture([Continuous(stats.beta(0.5, 2)), Continuous(stats.uniform(0.5, 1))], [0.3, 0.7]),
    mixture([Continuous(stats.uniform(0, 1)), Continuous(stats.uniform(2, 1))], [0.5, 0.5]),
]


def test_newton_quantile_matches_bisection_and_inverts_the_cdf():
    u = np.concatenate([np.linspace(0, 1, 20001), [1e-15, 1e-9, 0.5, 1 - 1e-12]])
    inner = (u > 0) & (u < 1)
    for m in MIXTURES:
        assert isinstance(m, ContinuousMixture)
        z = m.ppf(u)
        np.testing.assert_allclose(z, bisection_ppf(m, u), rtol=0, atol=1e-12)
        assert z[0] == m.support[0] and z[-5] == m.support[1]
        assert np.all(np.diff(z[:20001]) >= 0)
        # F(F^{-1}(u)) = u except where F is too steep to invert in floating point
        err = np.abs(m.cdf(z) - u)[inner]
        assert np.median(err) <= 1e-15 and np.max(err) <= 1e-8


def test_newton_quantile_needs_few_full_cdf_passes():
    m = MIXTURES[0]
    sizes = []
    cls = type(m)
    orig = cls.cdf

    def counting(self, z):
        sizes.append(np.size(z))
        return orig(self, z)

    cls.cdf = counting
    try:
        m.ppf(np.linspace(0, 1, 50001))
    finally:
        cls.cdf = orig
    full = sum(s > 1000 for s in sizes)
    assert full <= 8, f"{full} CDF passes over most points (bisection needs 44)"
