"""Section 5.2's ordering with removals: exact DP against all n! orders and Monte Carlo."""

from __future__ import annotations

import numpy as np
import pytest

from solver.errors import SizeLimitError
from solver.sampling.distributions import ordering_distribution
from solver.sampling.reordering import (
    MAX_DOMINANT,
    bias_bound,
    enumerate_reordering,
    nominal_distribution,
    removal_mask,
    reordering_distribution,
    simulate_reordering,
)
from solver.tolerances import EXACT


def random_case(rng, n, m, boost=2):
    d = rng.integers(1, n + 1, size=m)
    reports = np.zeros((n, m + 1))
    reports[:, 1:] = np.cumsum(rng.uniform(0, 1, (n, m)), axis=1)
    top = rng.choice(n, size=min(n, boost), replace=False)
    reports[top, 1:] *= 2.0
    return d, removal_mask(reports)


def test_dp_equals_every_order():
    rng = np.random.default_rng(11)
    for _ in range(40):
        n, m = int(rng.integers(2, 8)), int(rng.integers(1, 5))
        d, K = random_case(rng, n, m, int(rng.integers(0, 3)))
        Q = reordering_distribution(n, d, K)
        np.testing.assert_allclose(Q, enumerate_reordering(n, d, K), atol=EXACT)
        np.testing.assert_allclose(Q.sum(axis=1), 1.0, atol=EXACT)
        assert np.all(Q[K] == 0)                      # never served at a removal outcome


def test_hand_case_two_sellers():
    # n = 2, one buyer wants 1 seller; seller 0 alone sets pi_max(1) so he is removed when
    # first: seller 1 is then served.  Orders (0, 1) and (1, 0) both serve seller 1.
    K = np.array([[False, True], [False, False]])
    Q = reordering_distribution(2, np.array([1]), K)
    np.testing.assert_allclose(Q, [[1.0, 0.0], [0.0, 1.0]])
    # the nominal reading (p over n sellers) serves seller 1 only half the time
    np.testing.assert_allclose(nominal_distribution(2, np.array([1]), K), [[1, 0], [.5, .5]])


def test_without_removals_it_is_the_ordering_distribution():
    rng = np.random.default_rng(2)
    d = rng.integers(1, 300, size=9)
    K = np.zeros((500, 10), dtype=bool)
    Q = reordering_distribution(500, d, K)
    np.testing.assert_allclose(Q, np.tile(ordering_distribution(500, d), (500, 1)), atol=EXACT)


def test_monte_carlo_agrees_within_confidence():
    rng = np.random.default_rng(5)
    d, K = random_case(rng, 40, 4, boost=3)
    Q = reordering_distribution(40, d, K)
    trials = 4000
    S = simulate_reordering(np.random.default_rng(6), 40, d, K, trials)
    se = np.sqrt(Q * (1 - Q) / trials) + 1e-12
    assert np.max(np.abs(S - Q) / se) < 5.5          # 5.5 sigma over 200 cells


def test_bias_within_bound_and_vanishing_with_n():
    rng = np.random.default_rng(9)
    tvs = []
    for n in (50, 500, 5000):
        d, K = random_case(rng, n, 6, boost=3)
        d = np.minimum(d, 40)
        Q = reordering_distribution(n, d, K)
        tv = 0.5 * np.abs(Q - nominal_distribution(n, d, K)).sum(axis=1).max()
        assert tv <= bias_bound(n, d, K) + EXACT
        tvs.append(tv)
    assert tvs[2] < tvs[0]


def test_refuses_too_many_dominant_sellers_and_bad_masks():
    n, m = 40, MAX_DOMINANT + 1
    K = np.zeros((n, m + 1), dtype=bool)
    K[np.arange(m), np.arange(1, m + 1)] = True
    with pytest.raises(SizeLimitError, match="simulate_reordering"):
        reordering_distribution(n, np.full(m, 5), K)
    with pytest.raises(ValueError, match="shape"):
        reordering_distribution(n, np.full(3, 5), K)
    K0 = np.zeros((3, 2), dtype=bool)
    K0[0, 0] = True
    with pytest.raises(ValueError, match="column|k = 0"):
        reordering_distribution(3, np.array([1]), K0)
