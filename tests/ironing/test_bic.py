"""Lemma 4.4 for the optimal BIC procurement (``solver.ironing.bic``), exhaustively."""

import numpy as np
import pytest

from solver.ironing.bic import interim_allocation, lemma_4_4_payments, misreport_check
from solver.ironing.distributions import Discrete
from solver.ironing.families import random_discrete
from solver.ironing.procurement import procurement_report

EXAMPLE_C = Discrete(np.array([1.0, 2.0, 3.0]), np.array([0.5, 0.1, 0.4]))


def test_example_c_by_hand():
    """n = 4, w = 3: atoms 2 and 3 are ironed together (one tie class).

    Atom 1 loses only if all three others are atom 1 and the lottery among the four drops
    it: x_1 = 1 - .5^3/4 = 31/32.  Atoms 2, 3 with L ~ Bin(3, .5) others at atom 1 are
    bought w.p. (3 - L)/(4 - L): x = 3/32 + 8/32 + 6/32 = 17/32.  Total payment = OPT.
    """
    r = misreport_check(EXAMPLE_C, 4, 3)
    np.testing.assert_allclose(r.allocation, [31 / 32, 17 / 32, 17 / 32], atol=1e-15)
    np.testing.assert_allclose(r.payments, [1 * 31 / 32 + 2 * 17 / 32, 3 * 17 / 32,
                                            3 * 17 / 32], atol=1e-15)
    assert r.total_payment == pytest.approx(procurement_report(EXAMPLE_C, 4, 3).optimal_payment,
                                            abs=1e-12)
    assert r.best_gain <= 1e-15 and r.min_utility >= 0


def test_random_instances_bic_and_payment_is_opt():
    rng = np.random.default_rng(4)
    for _ in range(120):
        d = random_discrete(rng, int(rng.integers(2, 6)))
        n = int(rng.integers(2, 6))
        w = int(rng.integers(1, n))
        r = misreport_check(d, n, w)
        assert r.best_gain <= 1e-12
        assert r.monotone_violation <= 1e-12 and r.min_utility >= -1e-12
        opt = procurement_report(d, n, w).optimal_payment
        assert r.total_payment == pytest.approx(opt, rel=1e-10, abs=1e-10)
        # each player's allocation sums to w units in expectation: n E[x] = w
        assert n * (d.probabilities @ r.allocation) == pytest.approx(w, rel=1e-12)


def test_without_ironing_a_misreport_pays():
    """Negative control: ranking by raw virtual costs breaks BIC on Example C."""
    r = misreport_check(EXAMPLE_C, 4, 3, rank=EXAMPLE_C.virtual_costs())
    assert r.monotone_violation > 0.4 and r.best_gain > 0.4
    assert r.worst == (0, 2)  # atom 1 claims cost 3 (ranked before atom 2)


def test_payments_formula_and_bad_input():
    np.testing.assert_allclose(lemma_4_4_payments(np.array([1.0, 2.0, 4.0]),
                                                  np.array([1.0, 0.5, 0.25])),
                               [1 + 0.5 + 0.5, 1.0 + 0.5, 1.0])
    with pytest.raises(ValueError, match="0 < w < n"):
        interim_allocation(EXAMPLE_C, 3, 3)
    with pytest.raises(ValueError, match="profiles"):
        interim_allocation(random_discrete(np.random.default_rng(0), 40), 6, 2)
