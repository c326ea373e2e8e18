"""Theorem B-2's payment identity and Theorem 4 Parts 2-3, 3-1, 3-2 (competing platforms)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from solver.claims.registry import CheckContext
from solver.sharing.bayes import (
    ThmB2Mechanism,
    exponential_prior,
    piecewise_prior,
    uniform_prior,
)
from solver.sharing.competition import (
    check_equilibrium,
    linear_joining_values,
    platform2_deviation,
    user_deviation_gain,
    user_payoffs,
)
from solver.sharing.competition_part3 import (
    full_bonus_joining_values,
    joint_first_best,
    least_supporting_prices,
    part31_conditions,
    part31_deviation_prices,
    part31_sets,
    platform_profits,
    random_part31_instance,
    threshold_b16,
    user_equilibria,
)
from solver.sharing.enumeration import enumerate_gray
from solver.sharing.leakage import leakage, leakage_without_each
from solver.sharing.objectives import surplus_objective
from solver.sharing.revenue import a_steps, expected_payment, payment_identity
from solver.sharing.tolerances import IRONED_GRID


def rand_cov(rng, n):
    a = rng.normal(size=(n, n))
    return a @ a.T / n + 0.05 * np.eye(n)


# ---------------------------------------------------------------- Theorem B-2 identity
@pytest.fixture
def notes_mech():
    """Notes §4.4: ρ = 1/2, U[0,1] priors, others report 3/4 (breakpoints 27/52, 201/256)."""
    return ThmB2Mechanism(0.5 * np.eye(3) + 0.5, [uniform_prior()] * 3), np.full(3, 0.75)


def test_payment_identity_exact_on_notes_instance(notes_mech):
    mech, reps = notes_mech
    steps = a_steps(mech, 0, reps)
    assert [s[1] for s in steps] == pytest.approx([27 / 52, 201 / 256, 1.0], abs=1e-12)
    assert [s[2] for s in steps] == pytest.approx([1 / 2, 16 / 45, 0.0], abs=1e-12)
    # U[0,1]: Φ(x) f(x) = 2x, so E[Φ A] = Σ A [x²]
    exact = 0.5 * (27 / 52) ** 2 + 16 / 45 * ((201 / 256) ** 2 - (27 / 52) ** 2)
    r = payment_identity(mech, 0, reps, quadrature=True)
    assert r["expected_phi_A"] == pytest.approx(exact, abs=1e-12)
    assert r["expected_payment"] == pytest.approx(exact, abs=1e-12)
    assert r["quadrature_gap"] < 1e-10
    # the payment is constant on each step: p = 17/48 below 27/52, 201/720 at 3/4
    assert mech.payment(0, 0.1, reps) == pytest.approx(17 / 48, abs=1e-12)
    assert mech.payment(0, 0.75, reps) == pytest.approx(201 / 720, abs=1e-12)


def test_wrong_payment_rules_break_identity(notes_mech):
    from solver.sharing.claims import _wrong_payment_rules

    mech, reps = notes_mech
    rules = _wrong_payment_rules(mech, 0, reps)
    gaps = {k: payment_identity(mech, 0, reps, payment=f)["gap"] for k, f in rules.items()}
    assert min(gaps.values()) > 1e-3, gaps
    # p = v·A pays no information rent: E[v A] = Σ A [x²/2] = E[Φ A]/2 under U[0,1]
    e_va = expected_payment(mech, 0, reps, payment=rules["p=vA"])
    assert e_va == pytest.approx(payment_identity(mech, 0, reps)["expected_phi_A"] / 2,
                                 abs=1e-10)


@pytest.mark.parametrize("prior", [exponential_prior(2.0), uniform_prior(0.3, 1.7),
                                   piecewise_prior([0, 1, 2, 3], [0.45, 0.02, 0.45])])
def test_payment_identity_other_priors(prior):
    rng = np.random.default_rng(5)
    for _ in range(3):
        sig = rand_cov(rng, 3)
        mech = ThmB2Mechanism(sig, [prior, uniform_prior(0, 2), exponential_prior(1.0)])
        reps = np.array([0.5, float(rng.uniform(0, 2)), float(rng.uniform(0, 1))])
        r = payment_identity(mech, 0, reps, quadrature=True)
        assert r["gap"] < 1e-10 and r["quadrature_gap"] < 1e-9
        if mech.ironed[0]:
            assert r["ironed_gap"] <= IRONED_GRID


# ---------------------------------------------------------------- user equilibria
def test_user_equilibria_match_brute_force():
    rng = np.random.default_rng(2)
    n = 3
    sig = rand_cov(rng, n)
    v = rng.uniform(0, 2, n)
    c = linear_joining_values(v * np.diag(sig) + 0.2, 0.1)
    for _ in range(3):
        p1, p2 = rng.uniform(0, 0.6, n), rng.uniform(0, 0.6, n)
        fast = {(tuple(j), tuple(s)) for j, s in user_equilibria(sig, v, c, p1, p2)}
        slow = set()
        for j in itertools.product((1, 2), repeat=n):
            for s in itertools.product((0, 1), repeat=n):
                ja, sa = np.array(j), np.array(s)
                if user_deviation_gain(sig, v, c, p1, p2, ja, sa)[0] <= 1e-9:
                    slow.add((j, s))
        assert fast == slow


def test_joint_first_best_matches_brute_force():
    rng = np.random.default_rng(4)
    n = 3
    sig = rand_cov(rng, n)
    v = rng.uniform(0, 2, n)
    c = linear_joining_values(rng.uniform(0, 1, n), 0.05)
    best = -np.inf
    for j in itertools.product((1, 2), repeat=n):
        for s in itertools.product((0, 1), repeat=n):
            ja, sa = np.array(j), np.array(s)
            pay = user_payoffs(sig, v, c, np.zeros(n), np.zeros(n), ja, sa)
            # surplus = payoff at zero prices + each user's own leakage
            leak = np.zeros(n)
            for k in (1, 2):
                m = (ja == k) & (sa == 1)
                if m.any():
                    leak[ja == k] = leakage(sig, m)[ja == k]
            best = max(best, float((pay + leak).sum()))
    assert joint_first_best(sig, v, c)["value"] == pytest.approx(best, abs=1e-12)


# ---------------------------------------------------------------- Theorem 4 Part 3-2
def test_part32_equilibrium_and_control():
    rng = np.random.default_rng(6)
    n = 4
    sig = rand_cov(rng, n)
    v = np.array([0.3, 0.8, 1.6, 2.2])
    c0 = v * np.diag(sig) + 0.5
    aw = enumerate_gray(sig, [surplus_objective(v)])[0].profile
    p1 = np.where(aw, v * (leakage(sig, aw) - leakage_without_each(sig, aw)), 0.0)
    p2 = np.zeros(n)
    ones = np.ones(n, int)
    c = linear_joining_values(c0, 1.1 * threshold_b16(sig, v))
    r = check_equilibrium(sig, v, c, p1, p2, ones, aw.astype(int))
    assert r["ok"] and r["platform2_cap_gain"] <= 1e-9
    fb = joint_first_best(sig, v, c)
    assert fb["best_split_value"] < fb["best_one_platform_value"]
    # control: weak network effects -> platform 2 at the cap dislodges someone
    weak = linear_joining_values(c0, 0.01 * threshold_b16(sig, v))
    assert check_equilibrium(sig, v, weak, p1, p2, ones, aw.astype(int))["platform2_cap_gain"] > 0


# ---------------------------------------------------------------- Theorem 4 Part 3-1
def _part31(case, seed):
    rng = np.random.default_rng(seed)
    sig, v = random_part31_instance(rng, case)
    cond = part31_conditions(sig, v)
    assert cond["case"] == case and cond["delta_above"] < cond["Delta_below"]
    gamma = 0.5 * (cond["delta_above"] + cond["Delta_below"])
    c = full_bonus_joining_values(v * np.diag(sig) + 0.3, gamma)
    return sig, v, c


def test_part31_case1_first_best_and_deviation():
    sig, v, c = _part31(1, 0)
    n = len(v)
    _, v1, v2 = part31_sets(sig, v)
    fb = joint_first_best(sig, v, c)
    assert (fb["join"] == fb["join"][0]).all() and (fb["share"].astype(bool) == v1).all()
    ones, share, zero = np.ones(n, int), v1.astype(int), np.zeros(n)
    pm, sus = least_supporting_prices(sig, v, c, zero, ones, share)
    assert sus and user_deviation_gain(sig, v, c, pm, zero, ones, share)[0] <= 1e-9
    pd = part31_deviation_prices(sig, v, c)
    eqs = user_equilibria(sig, v, c, pm, pd)
    assert eqs and min(platform_profits(sig, pm, pd, j, s)[1] for j, s in eqs) > 0
    # the checker finds a profitable platform-2 deviation; without the +ε it would not
    assert platform2_deviation(sig, v, c, pm, ones, share)[0] > 0
    assert platform2_deviation(sig, v, c, pm, ones, share, eps=0.0)[0] == 0.0
    assert not check_equilibrium(sig, v, c, pm, zero, ones, share)["ok"]


def test_part31_case2_deviation_profitable_at_dominant_prices():
    sig, v, c = _part31(2, 1)
    n = len(v)
    _, v1, _ = part31_sets(sig, v)
    ones, share, zero = np.ones(n, int), v1.astype(int), np.zeros(n)
    big = max(c(i, frozenset(range(n))) - c(i, frozenset({i})) for i in range(n))
    p1 = np.where(v1, v * np.diag(sig) + big + 0.05, 0.0)
    assert user_deviation_gain(sig, v, c, p1, zero, ones, share)[0] <= 1e-9
    pd = part31_deviation_prices(sig, v, c)
    assert np.count_nonzero(pd) == 1
    eqs = user_equilibria(sig, v, c, p1, pd)
    assert eqs and min(platform_profits(sig, p1, pd, j, s)[1] for j, s in eqs) > 0


# ---------------------------------------------------------------- claims
NEW = ["sharing.theorem-B-2-payment-identity", "sharing.theorem-4-part-3-1",
       "sharing.theorem-4-part-3-2", "sharing.theorem-4-part-2-3-threshold"]


def test_part23_registered_unchecked():
    from solver.claims.registry import all_claims

    _CLAIMS = all_claims()

    row = _CLAIMS["sharing.theorem-4-part-2-3"].run(CheckContext(quick=True))
    assert row["status"] == "not checked"
