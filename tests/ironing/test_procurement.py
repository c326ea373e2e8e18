"""Distributions, exact benchmarks (closed forms, Monte Carlo) and Mechanism 1."""

import math

import numpy as np
import pytest
from scipy import integrate, stats

from solver.ironing import iron_curve
from solver.ironing.distributions import Continuous, Discrete, PiecewiseUniform, mixture
from solver.ironing.families import near_tight, random_discrete, random_piecewise
from solver.ironing.mechanism import (
    Mechanism1,
    accuracy_bound,
    budget_parameters,
    fixed_accuracy_parameters,
    simulate_population,
)
from solver.ironing.procurement import (
    contract,
    envy_free_benchmark,
    mechanism_payment,
    optimal_payment_from_curve,
    order_statistic_mean,
    procurement_report,
)

C = Discrete(np.array([1.0, 2.0, 3.0]), np.array([0.5, 0.1, 0.4]))
B = PiecewiseUniform(np.array([1.0, 2, 4, 5]), np.array([0.5, 0.05, 0.45]))
U = Continuous(stats.uniform(0, 1), "uniform")


@pytest.mark.parametrize("n,w,opt,ef,mech", [
    (3, 1, 1.5, 1.8520, 1.0), (3, 2, 4.5, 5.3180, 4.5), (10, 5, 7.4609, 9.9497, 5.0),
    (10, 6, 10.9531, 14.6751, 12.0), (10, 7, 15.2656, 19.4462, 16.5),
    (10, 8, 20.0469, 23.5432, 21.0)])
def test_example_c_table(n, w, opt, ef, mech):
    rep = procurement_report(C, n, w)
    assert round(rep.optimal_payment, 4) == opt
    assert round(rep.envy_free_benchmark, 4) == ef
    assert round(rep.mechanism_payment, 4) == mech


@pytest.mark.parametrize("n,w,opt,ef,mech", [
    (10, 5, 13.3034, 15.8361, 10.0), (20, 5, 7.8932, 7.9752, 7.5),
    (100, 50, 110.1962, 133.7873, 100.0), (100, 60, 180.2072, 240.2440, 246.667)])
def test_example_b_table(n, w, opt, ef, mech):
    rep = procurement_report(B, n, w)
    assert rep.optimal_payment == pytest.approx(opt, abs=1e-4)
    assert rep.envy_free_benchmark == pytest.approx(ef, abs=1e-4)
    assert rep.mechanism_payment == pytest.approx(mech, abs=1e-3)
    assert rep.r == 2.5


@pytest.mark.parametrize("n,w", [(2, 1), (10, 5), (20, 11)])
def test_uniform_closed_forms(n, w):
    rep = procurement_report(U, n, w)
    assert rep.mechanism_payment == pytest.approx(w * w / n, rel=1e-12)
    assert rep.envy_free_benchmark == pytest.approx(w * (w + 1) / (n + 1), rel=1e-9)
    err = rep.optimal_payment_error_bound
    assert abs(rep.optimal_payment - w * (w + 1) / (n + 1)) <= err + 1e-12


def test_cost_curve_identity_int_phi_equals_qFinv():
    """H(q) = int_0^q phi(F^{-1}(t)) dt = q F^{-1}(q) (notes 3.3), by quadrature."""
    for d in (B, Continuous(stats.truncexpon(2), "truncexpon")):
        for q in (0.2, 0.5, 0.77, 1.0):
            val, _ = integrate.quad(lambda t, d=d: float(d.virtual_cost(d.ppf(t))), 0, q,
                                    points=[0.5, 0.55], limit=200)
            assert val == pytest.approx(q * float(d.ppf(q)), rel=1e-6)


def test_order_statistic_exact_vs_quadrature_and_sampling():
    rng = np.random.default_rng(0)
    for d in (B, random_piecewise(rng), random_discrete(rng)):
        n, k = 9, 4
        draws = np.sort(d.sample(rng, (200_000, n)), axis=1)[:, k - 1]
        se = draws.std() / math.sqrt(draws.size)
        assert abs(order_statistic_mean(d, n, k) - draws.mean()) < 5 * se


def test_optimal_payment_monte_carlo():
    """Exact OPT (order statistics in quantile space) vs simulating the w smallest ironed
    virtual costs with the players' quantiles."""
    rng = np.random.default_rng(5)
    for d, n, w in ((B, 10, 5), (B, 20, 11), (C, 10, 7), (random_discrete(rng, 6), 7, 3)):
        cc = d.cost_curve()
        cur = iron_curve(cc.q, cc.H)
        exact = optimal_payment_from_curve(cur, n, w)
        u = rng.random((100_000, n))
        cells = np.clip(np.searchsorted(cur.q, u, side="left") - 1, 0, cur.ironed.size - 1)
        tot = np.sort(cur.ironed[cells], axis=1)[:, :w].sum(axis=1)
        assert abs(tot.mean() - exact) < 5 * tot.std() / math.sqrt(tot.size)


def test_optimal_payment_large_is_fast():
    import time

    rng = np.random.default_rng(1)
    d = random_discrete(rng, 100_000)
    cc = d.cost_curve()
    t = time.perf_counter()
    cur = iron_curve(cc.q, cc.H)
    opt = optimal_payment_from_curve(cur, 10_000, 3_000)
    elapsed = time.perf_counter() - t
    assert np.isfinite(opt) and opt > 0
    assert elapsed < 10  # target < 1 s unloaded; generous bound for a shared machine


def test_contract_edge_cases():
    k = contract(C, 1 / 3)  # below F(c_1): no alpha^-
    assert k.alpha_minus is None and k.alpha_plus == 1 and k.beta == pytest.approx(2 / 3)
    k = contract(C, 0.5)  # exactly an atom quantile
    assert k.alpha_minus == k.alpha_plus == 1 and k.beta == 1
    k = contract(C, 0.7)
    assert (k.alpha_minus, k.alpha_plus, k.c_minus, k.c_plus) == (2, 3, pytest.approx(0.6), 1)
    assert k.beta == pytest.approx(0.25)
    assert mechanism_payment(C, 10, 7) == pytest.approx(16.5)


def test_theorem_4_3_near_tight_family():
    r100 = mechanism_payment(near_tight(100), 100, 50) / envy_free_benchmark(near_tight(100),
                                                                            100, 50)
    assert r100 == pytest.approx(1.85254, abs=1e-4)
    assert r100 < 1 / stats.binom.cdf(50, 100, 0.5) < 2


def test_mixtures_stay_exact():
    d1 = Discrete(np.array([1.0, 2.0]), np.array([0.5, 0.5]))
    d2 = Discrete(np.array([2.0, 3.0]), np.array([0.5, 0.5]))
    m = mixture([d1, d2], [0.5, 0.5])
    assert isinstance(m, Discrete)
    np.testing.assert_allclose(m.probabilities, [0.25, 0.5, 0.25])
    p = mixture([PiecewiseUniform(np.array([0.0, 1.0]), np.array([1.0])),
                 PiecewiseUniform(np.array([0.5, 2.0]), np.array([1.0]))], [0.5, 0.5])
    assert isinstance(p, PiecewiseUniform)
    np.testing.assert_allclose(p.breaks, [0, 0.5, 1, 2])
    np.testing.assert_allclose(p.masses, [0.25, 0.25 + 0.5 / 3, 1 / 3])
    with pytest.raises(ValueError, match="vanishes"):
        mixture([PiecewiseUniform(np.array([0.0, 1.0]), np.array([1.0])),
                 PiecewiseUniform(np.array([2.0, 3.0]), np.array([1.0]))], [0.5, 0.5])
    cm = mixture([U, Continuous(stats.uniform(0.5, 1), "uniform")], [0.5, 0.5])
    z = np.array([0.3, 0.9, 1.2])
    np.testing.assert_allclose(cm.cdf(cm.ppf(cm.cdf(z))), cm.cdf(z), atol=1e-12)


def test_mechanism_simulator_acceptance_and_payments():
    rng = np.random.default_rng(2)
    dists = (C, Discrete(np.array([0.5, 4.0]), np.array([0.3, 0.7])), B)
    mech = Mechanism1(dists, 0.45, 0.5)
    types = rng.integers(0, 3, 60_000)
    acc = np.zeros(3)
    pay = 0.0
    runs = 5
    for _ in range(runs):
        costs = simulate_population(dists, types, rng)
        out = mech.run(types, costs, rng)
        acc += np.bincount(types[out.accepted], minlength=3)
        pay += out.payments.sum()
        assert 0 <= out.s_hat <= types.size
    counts = np.bincount(types, minlength=3) * runs
    rate = acc / counts
    se = np.sqrt(0.45 * 0.55 / counts)
    assert np.all(np.abs(rate - 0.45) < 5 * se)  # Lemma 3.1: every type accepts w.p. c
    expected = mech.expected_payment(np.bincount(types, minlength=3)) * runs
    # payment noise Lap(gamma) per accepted player plus acceptance noise
    assert abs(pay - expected) < 0.01 * expected


def test_parameter_rules():
    c, e = fixed_accuracy_parameters(100, 10_000)
    assert c == pytest.approx(6 / 7) and accuracy_bound(10_000, c, e) == pytest.approx(100)
    dists = (U, Continuous(stats.uniform(0, 2), "uniform"))
    c, e = budget_parameters(dists, 10_000, 1919.1663)
    assert e == pytest.approx(0.1, rel=1e-6) and c == pytest.approx(0.979583, abs=1e-6)
    with pytest.raises(ValueError, match="budget"):
        budget_parameters(dists, 10_000, 1.0)


def test_optimal_payment_equals_bic_lp_bruteforce():
    """Closed-form OPT (w smallest ironed virtual costs) = P1-LP over all type profiles,
    on random discrete instances, every installed LP backend (Lemma 4.7 / A.4)."""
    from solver.ironing.models import optimal_procurement_lp
    from solver.opt import available_backends, solve
    from solver.tolerances import BACKEND_AGREEMENT

    rng = np.random.default_rng(21)
    for trial in range(6):
        K = int(rng.integers(2, 4))
        d = random_discrete(rng, K)
        n = int(rng.integers(2, 4 if K == 3 else 5))
        w = int(rng.integers(1, n))
        exact = procurement_report(d, n, w).optimal_payment
        lp = optimal_procurement_lp(d.values, d.probabilities, n, w)
        backends = available_backends(lp) if trial == 0 else ["highs"]
        for b in backends:
            sol = solve(lp, backend=b).certify()
            assert sol.objective == pytest.approx(exact, abs=BACKEND_AGREEMENT * max(1, exact)), b


def test_optimal_mechanism_simulated_with_threshold_payments():
    """Monte Carlo of the optimal mechanism itself (Lemma 4.7): buy the w smallest ironed
    virtual costs with uniform ties, pay each player the Lemma 4.4 (discrete) threshold
    payment p(k) = sum_{l >= k} c_l (x(l) - x(l+1)) given the others' reports; the mean total
    payment must match the exact order-statistics OPT."""
    rng = np.random.default_rng(8)
    for d, n, w in ((C, 5, 2), (C, 10, 7), (random_discrete(rng, 5), 6, 3)):
        cc = d.cost_curve()
        g = iron_curve(cc.q, cc.H).ironed  # ironed virtual cost per atom
        K = g.size
        exact = optimal_payment_from_curve(iron_curve(cc.q, cc.H), n, w)
        runs = 20_000
        t = np.searchsorted(d.cum, rng.random((runs, n)), side="left").clip(0, K - 1)
        gv = g[t]  # runs x n
        total = np.zeros(runs)
        for i in range(n):
            others = np.delete(gv, i, axis=1)
            # x_i(l): probability of being bought when reporting atom l, others fixed
            less = (others[:, :, None] < g[None, None, :]).sum(axis=1)  # runs x K
            equal = (others[:, :, None] == g[None, None, :]).sum(axis=1)
            x = np.clip((w - less) / (equal + 1), 0.0, 1.0)
            xn = np.concatenate((x, np.zeros((runs, 1))), axis=1)
            pay_if = np.cumsum(((xn[:, :-1] - xn[:, 1:]) * d.values)[:, ::-1], axis=1)[:, ::-1]
            total += pay_if[np.arange(runs), t[:, i]]
        se = total.std() / math.sqrt(runs)
        assert abs(total.mean() - exact) < 5 * se + 1e-9, (total.mean(), exact, se)
