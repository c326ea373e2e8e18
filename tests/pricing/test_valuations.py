"""eq. 11: closed forms against quadrature and known values."""

import numpy as np
import pytest
from scipy.special import erf

from solver.pricing.tolerances import QUAD
from solver.pricing.valuations import BUILTINS, by_quadrature, valuation_curve


@pytest.mark.parametrize("kind", BUILTINS)
@pytest.mark.parametrize("tau, sigma", [(0.3, 1.0), (1.5, 0.7), (0.05, 2.0)])
def test_closed_form_matches_quad(kind, tau, sigma):
    a = valuation_curve(kind, 40, sigma, tau, value=0.8)
    b = valuation_curve(kind, 40, sigma, tau, value=0.8, method="quad")
    assert np.max(np.abs(a - b)) < QUAD
    assert a[0] == 0 and np.all(np.diff(a) >= -1e-15) and a.max() <= 0.8


def test_step_known_value():
    m = np.arange(1, 10)
    v = valuation_curve("step", 9, 2.0, 0.5)[1:]
    assert v == pytest.approx(erf(0.5 * np.sqrt(m) / (2.0 * np.sqrt(2))), abs=1e-14)


def test_callable_through_quad():
    # v^e(e) = exp(-e): E[exp(-s|Z|)] = 2 exp(s^2/2) (1 - Phi(s))
    from scipy.stats import norm
    sigma = 1.3
    v = valuation_curve(lambda e: float(np.exp(-e)), 5, sigma)
    s = sigma / np.sqrt(np.arange(1, 6))
    assert v[1:] == pytest.approx(2 * np.exp(s ** 2 / 2) * norm.sf(s), abs=1e-9)
    assert by_quadrature(lambda e: 1.0, 1.0, np.array([0, 3])).tolist() == pytest.approx(
        [0.0, 1.0])


def test_mean_invariance_monte_carlo():
    # the infimum over mu is attained everywhere: E at two means agree with the closed form
    rng = np.random.default_rng(0)
    sigma, tau, m = 1.0, 0.4, 5
    target = valuation_curve("linear", m, sigma, tau)[m]
    for mu in (0.0, 37.5):
        x = rng.normal(mu, sigma, (20000, m)).mean(axis=1)
        est = np.maximum(0, 1 - np.abs(x - mu) / tau)
        assert abs(est.mean() - target) < 4 * est.std() / np.sqrt(len(est))
