"""Tests of the sharing package: leakage, searches, mechanisms, CLI, claims."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from solver.errors import InstanceError, SizeLimitError
from solver.problems import SolveOptions
from solver.sharing import example_b1 as b1
from solver.sharing.bayes import ThmB2Mechanism, uniform_prior, vcg_prices
from solver.sharing.branch_bound import branch_and_bound, node_bound
from solver.sharing.decorrelation import decorrelated_leakage
from solver.sharing.enumeration import enumerate_gray, enumerate_naive
from solver.sharing.heuristics import greedy, local_search
from solver.sharing.leakage import (
    equicorrelated_leakage,
    leakage,
    leakage_without_each,
    outcome,
    validate_covariance,
)
from solver.sharing.objectives import (
    decorrelated_objective,
    evaluate,
    platform_objective,
    surplus_objective,
)
from solver.sharing.problem import SharingInstance
from solver.sharing.problem import _cli_solve as solve
from solver.tolerances import EXACT

parse = SharingInstance.from_dict

ROOT = Path(__file__).resolve().parents[2]


def rand_cov(rng, n, sparse=False):
    a = rng.normal(size=(n, n))
    s = a @ a.T / n + 0.05 * np.eye(n)
    if sparse:
        keep = rng.random((n, n)) < 0.5
        s = s * (keep | keep.T | np.eye(n, dtype=bool))
        s += (max(0.0, -np.linalg.eigvalsh(s)[0]) + 0.05) * np.eye(n)
    return s


def test_leakage_three_formulas_agree():
    rng = np.random.default_rng(0)
    for _ in range(30):
        n = int(rng.integers(1, 7))
        sig = rand_cov(rng, n)
        a = rng.random(n) < 0.5
        s = np.flatnonzero(a)
        direct = np.array([sig[i, s] @ np.linalg.solve(sig[np.ix_(s, s)] + np.eye(len(s)),
                                                        sig[s, i]) if len(s) else 0.0
                           for i in range(n)])
        prec = np.diag(sig) - np.diag(np.linalg.inv(np.linalg.inv(sig) + np.diag(a * 1.0)))
        assert np.allclose(leakage(sig, a), direct, atol=1e-12)
        assert np.allclose(leakage(sig, a), prec, atol=1e-10)


def test_known_values():
    # I_i({i}) = σ⁴/(σ²+τ); non-submodularity example of notes §4.5; two users
    assert leakage(np.array([[2.0]]), [1])[0] == pytest.approx(4 / 3)
    assert leakage(np.array([[2.0]]), [1], noise=0.5)[0] == pytest.approx(4 / 2.5)
    sig = np.array([[1, 0, 1], [0, 1, 1], [1, 1, 3.0]])
    assert leakage(sig, [0, 1, 0])[0] == pytest.approx(0.0, abs=1e-15)
    assert leakage(sig, [0, 0, 1])[0] == pytest.approx(1 / 4)
    assert leakage(sig, [0, 1, 1])[0] == pytest.approx(2 / 7)
    two = np.array([[1, 0.8], [0.8, 1]])
    assert leakage(two, [1, 1])[0] == pytest.approx(2 / (4 - 0.64))
    o = outcome(two, np.array([0.5, 3.0]), np.array([True, False]))
    assert o["platform_payoff"] == pytest.approx(0.57)
    assert o["surplus"] == pytest.approx(-0.39)


def test_own_marginal_and_equicorrelated_closed_form():
    rng = np.random.default_rng(1)
    for n, k, rho in [(8, 5, 0.5), (12, 12, 0.3), (6, 1, 0.8)]:
        sig = (1 - rho) * np.eye(n) + rho
        a = np.zeros(n, bool)
        a[:k] = True
        i_in, i_out, m_in = equicorrelated_leakage(n, k, rho)
        inf = leakage(sig, a)
        assert inf[0] == pytest.approx(i_in, abs=EXACT)
        if k < n:
            assert inf[-1] == pytest.approx(i_out, abs=EXACT)
        assert inf[0] - leakage_without_each(sig, a)[0] == pytest.approx(m_in, abs=EXACT)
    sig = rand_cov(rng, 5)
    a = np.array([1, 1, 0, 1, 0], bool)
    b = a.copy()
    b[0] = False
    assert leakage_without_each(sig, a)[0] == pytest.approx(leakage(sig, b)[0], abs=1e-12)


def test_gray_matches_naive_random():
    rng = np.random.default_rng(2)
    for t in range(15):
        n = int(rng.integers(1, 9))
        sig = rand_cov(rng, n, sparse=t % 2 == 0)
        v = rng.uniform(0, 3, n)
        tau = float(rng.choice([1.0, 0.3, 2.0]))
        objs = [platform_objective(v), surplus_objective(v), decorrelated_objective(v)]
        g = enumerate_gray(sig, objs, tau, low_bits=3, batch_bits=2, refactor=5)
        r = enumerate_naive(sig, objs, tau)
        for x, y in zip(g, r, strict=True):
            assert x.value == pytest.approx(y.value, abs=1e-10)
            assert (x.profile == y.profile).all()
            assert x.details["drift"] < 1e-9


def test_singular_psd_covariance_works():
    sig = np.ones((4, 4))                       # rank one, PSD
    v = np.array([0.5, 2, 2, 2])
    g = enumerate_gray(sig, [platform_objective(v)])[0]
    assert g.value == pytest.approx(enumerate_naive(sig, [platform_objective(v)])[0].value)


def test_example_b1_oracle_table():
    for n, v, k, pi in [(8, 2.0, 5, 0.877976), (8, 2.5, 3, 0.25), (8, 3.0, 0, 0.0),
                        (12, 2.0, 7, 2.216667), (12, 3.0, 3, 0.716667)]:
        sig = 0.5 * np.eye(n) + 0.5
        e = enumerate_gray(sig, [platform_objective(np.full(n, v))])[0]
        assert e.value == pytest.approx(pi, abs=1e-6)
        assert int(e.profile.sum()) == k
        assert b1.true_optimum(n, 0.5, v) == (k, pytest.approx(pi, abs=1e-6))
    assert b1.pairwise_threshold(5, 0.5) == pytest.approx(49 / 25)
    assert b1.pairwise_threshold(10, 0.5) == pytest.approx(64 / 25)
    assert b1.all_share(10, 0.5, 2.0)["I_V"] == pytest.approx(8 / 13)


def test_branch_and_bound_and_bound_validity():
    rng = np.random.default_rng(3)
    for t in range(15):
        n = int(rng.integers(2, 9))
        sig = rand_cov(rng, n, sparse=t % 3 == 0)
        v = rng.uniform(0, 3, n)
        for obj in (platform_objective(v), surplus_objective(v), decorrelated_objective(v)):
            e = enumerate_gray(sig, [obj])[0]
            b = branch_and_bound(sig, obj)
            assert b.status == "optimal"
            assert b.value == pytest.approx(e.value, abs=1e-9)
            # random node: UB ≥ every completion (checked by enumerating completions)
            f1 = rng.random(n) < 0.3
            free = ~f1 & (rng.random(n) < 0.6)
            ub = node_bound(sig, obj, f1, free)[0]
            idx = np.flatnonzero(free)
            for code in range(2 ** len(idx)):
                s = f1.copy()
                s[idx] = (code >> np.arange(len(idx))) & 1
                assert evaluate(sig, s, obj) <= ub + 1e-10


def test_branch_and_bound_time_limit_reports_bound():
    rng = np.random.default_rng(4)
    sig = rand_cov(rng, 22)
    v = rng.uniform(1, 3, 22)
    b = branch_and_bound(sig, platform_objective(v), time_limit=0.0)
    assert b.status == "time_limit" and b.bound >= b.value - 1e-12


def test_heuristics_feasible_and_not_above_optimum():
    rng = np.random.default_rng(5)
    for _ in range(10):
        n = int(rng.integers(2, 9))
        sig = rand_cov(rng, n)
        v = rng.uniform(0, 3, n)
        obj = platform_objective(v)
        e = enumerate_gray(sig, [obj])[0].value
        g, ls = greedy(sig, obj), local_search(sig, obj)
        assert g.value <= e + 1e-12 and ls.value <= e + 1e-12 and ls.value >= g.value - 1e-12


def test_decorrelation_reference_values():
    sig = np.array([[1, 0.5], [0.5, 1]])
    assert decorrelated_leakage(sig, [1, 0])[0] == pytest.approx((1 - 0.25) ** 2 / 2)
    s3 = 0.5 * np.eye(3) + 0.5
    assert decorrelated_leakage(s3, [1, 0, 0])[0] == pytest.approx(4 / 17)
    assert decorrelated_leakage(s3, [1, 1, 1])[0] == pytest.approx(5 / 9)


def test_theorem_b2_exact_counterexample_and_vcg():
    mech = ThmB2Mechanism(0.5 * np.eye(3) + 0.5, [uniform_prior()] * 3)
    reps = np.full(3, 0.75)
    assert mech.payment(0, 0.75, reps) == pytest.approx(201 / 720, abs=1e-9)
    assert mech.payment(0, 0.3, reps) == pytest.approx(17 / 48, abs=1e-9)
    fb, p = vcg_prices(np.array([[1, 0.8], [0.8, 1.0]]), np.array([0.5, 1.2]))
    assert fb.tolist() == [True, False]
    assert p == pytest.approx([0.436, 0.57])


@pytest.mark.parametrize("raw,field", [
    ({"covariance": [[1, 0], [0]], "privacy_values": [1, 1]}, "covariance[1]"),
    ({"covariance": [[1, 0.5, 0]], "privacy_values": [1]}, "covariance"),
    ({"covariance": [[1, 0.5], [0.4, 1]], "privacy_values": [1, 1]}, "covariance[0][1]"),
    ({"covariance": [[1, 2], [2, 1]], "privacy_values": [1, 1]}, "covariance"),
    ({"covariance": [[-1, 0], [0, 1]], "privacy_values": [1, 1]}, "covariance[0][0]"),
    ({"covariance": [[1, 0], [0, 1]], "privacy_values": [1]}, "privacy_values"),
    ({"covariance": [[1, 0], [0, 1]], "privacy_values": [1, -1]}, "privacy_values[1]"),
    ({"covariance": [[1, float("nan")], [0, 1]], "privacy_values": [1, 1]},
     "covariance[0][1]"),
    ({"covariance": [[1]], "privacy_values": [1], "noise_variance": 0}, "noise_variance"),
    ({"covariance": [[1]], "privacy_values": [1], "method": "magic"}, "method"),
    ({"covariance": [[1]], "privacy_values": [1], "privacy_value": [1]}, "privacy_value"),
])
def test_bad_input(raw, field):
    with pytest.raises(InstanceError) as ei:
        parse({"problem": "sharing", **raw})
    assert ei.value.field == field


def test_indefinite_reports_eigenvalue():
    with pytest.raises(InstanceError, match="smallest eigenvalue is -1"):
        validate_covariance(np.array([[1.0, 2.0], [2.0, 1.0]]))


def test_size_limit_names_alternatives():
    inst = parse({"problem": "sharing", "covariance": np.eye(30).tolist(),
                  "privacy_values": [2.0] * 30})
    with pytest.raises(SizeLimitError, match="branch-and-bound"):
        solve(inst, SolveOptions())
    out = solve(inst, SolveOptions(method="branch-and-bound"))
    assert out["status"] == "optimal" and out["objective"] == pytest.approx(0.0)


def test_methods_agree_on_data_file():
    raw = json.loads((ROOT / "data/sharing/random_n12.json").read_text())
    inst = parse(raw)
    ex = solve(inst, SolveOptions(method="exhaustive"))
    bb = solve(inst, SolveOptions(method="branch-and-bound"))
    gr = solve(inst, SolveOptions(method="greedy"))
    assert bb["objective"] == pytest.approx(ex["objective"], abs=1e-9)
    assert bb["first_best_surplus"] == pytest.approx(ex["first_best_surplus"], abs=1e-9)
    assert gr["status"] == "approximate" and gr["objective"] <= ex["objective"] + 1e-12
    assert gr["bound"] >= ex["objective"] - 1e-12  # the root bound is a valid upper bound
    assert ex["too_much_data_gap"] >= -1e-12


def test_cli_solve_json():
    r = subprocess.run([sys.executable, "-m", "solver.cli", "solve",
                        str(ROOT / "data/sharing/example_b1_n8_v2.json"), "--json"],
                       capture_output=True, text=True, cwd=ROOT)
    if r.returncode != 0:
        r = subprocess.run([str(Path(sys.executable).parent / "solver"), "solve",
                            str(ROOT / "data/sharing/example_b1_n8_v2.json"), "--json"],
                           capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-2000:]
    out = json.loads(r.stdout)
    assert out["status"] == "optimal" and out["objective"] == pytest.approx(0.877976, abs=1e-6)
    assert sum(out["profile"]) == 5
    for key in ("prices", "leakage", "surplus", "first_best_profile", "first_best_surplus"):
        assert key in out


def test_two_user_too_much_data_instances():
    sig = np.array([[1, 0.8], [0.8, 1.0]])
    inst = parse({"problem": "sharing", "covariance": sig.tolist(),
                  "privacy_values": [0.5, 1.2]})
    out = solve(inst, SolveOptions())
    assert out["profile"].tolist() == [1, 1] and out["objective"] == pytest.approx(0.722571,
                                                                                   abs=1e-6)
    assert out["surplus"] == pytest.approx(0.178571, abs=1e-6)
    assert out["first_best_profile"].tolist() == [1, 0]
    assert out["first_best_surplus"] == pytest.approx(0.186, abs=1e-9)
    out = solve(parse({"problem": "sharing", "covariance": sig.tolist(),
                       "privacy_values": [0.5, 3.0]}), SolveOptions())
    assert out["profile"].tolist() == [1, 0] and out["surplus"] == pytest.approx(-0.39)
    assert out["first_best_surplus"] == pytest.approx(0.0)


def test_sign_flip_and_permutation_invariance():
    rng = np.random.default_rng(7)
    sig = rand_cov(rng, 7)
    v = rng.uniform(0, 3, 7)
    d = np.diag(rng.choice([-1.0, 1.0], 7))
    perm = rng.permutation(7)
    base = enumerate_gray(sig, [platform_objective(v)])[0]
    flip = enumerate_gray(d @ sig @ d, [platform_objective(v)])[0]
    per = enumerate_gray(sig[np.ix_(perm, perm)], [platform_objective(v[perm])])[0]
    assert flip.value == pytest.approx(base.value, abs=1e-10)
    assert per.value == pytest.approx(base.value, abs=1e-10)
    a = rng.random(7) < 0.5
    assert leakage(d @ sig @ d, a) == pytest.approx(leakage(sig, a), abs=1e-12)


def test_ill_conditioned_falls_back_to_direct_solves():
    rng = np.random.default_rng(9)
    n = 10
    a = rng.normal(size=(n, n))
    sig = (a @ a.T / n + 1e-6 * np.eye(n)) * 1e6
    v = rng.uniform(0, 3, n)
    objs = [platform_objective(v), surplus_objective(v)]
    g = enumerate_gray(sig, objs, noise=1e-3)
    r = enumerate_naive(sig, objs, noise=1e-3)
    for x, y in zip(g, r, strict=True):
        assert "fallback" in x.method
        assert x.value == pytest.approx(y.value, rel=1e-9)


def test_competition_checker_accepts_and_rejects():
    from solver.sharing.competition import (
        check_equilibrium,
        linear_joining_values,
        network_strengths,
        theorem4_part21_prices,
        theorem4_part22_prices,
        threshold_b1,
    )

    rng = np.random.default_rng(11)
    n = 3
    sig = rand_cov(rng, n)
    v = rng.uniform(0.1, 0.9, n)
    c = linear_joining_values(v * np.diag(sig) + 0.1, 0.7)
    assert network_strengths(n, c) == pytest.approx((0.7, 1.4))
    ones = np.ones(n, int)
    gamma = 1.2 * threshold_b1(sig, v)
    c = linear_joining_values(v * np.diag(sig) + 0.1, gamma)
    p1, p2 = theorem4_part21_prices(sig, v, c)
    assert check_equilibrium(sig, v, c, p1, p2, ones, ones)["ok"]
    low = p1.copy()
    low[0] -= 0.05                                     # user 0 now prefers not to share
    r = check_equilibrium(sig, v, c, low, p2, ones, ones)
    assert not r["ok"] and r["user_deviation"]["user"] == 0
    p1, p2 = theorem4_part22_prices(sig, v, c, reading="literal")
    assert not check_equilibrium(sig, v, c, p1, p2, ones, ones)["ok"]


def test_cross_submodularity_fails_on_notes_example():
    from solver.sharing.leakage import cross_submodularity_violation

    sig = np.array([[1, 0, 1], [0, 1, 1], [1, 1, 3.0]])
    worst, (i, j, t) = cross_submodularity_violation(sig)
    assert worst >= 1 / 28 - 1e-12
    w_eq, _ = cross_submodularity_violation(0.5 * np.eye(4) + 0.5)
    assert w_eq <= 1e-12                       # equicorrelated: no violation observed
