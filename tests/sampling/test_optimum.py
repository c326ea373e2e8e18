"""Π^OPT: the histogram MILP against brute force, the DP, networkx and the paper's values."""

from __future__ import annotations

import numpy as np
import pytest

from solver.errors import SizeLimitError
from solver.opt import available_backends, solve
from solver.sampling import families as F
from solver.sampling.brute_force import brute_force_optimum, dp_optimum, gale_ryser
from solver.sampling.distributions import expected_payment, ordering_distribution
from solver.sampling.optimum import (
    cut_points,
    degree_milp,
    is_realisable,
    optimal_payment,
    realise_graph,
)
from solver.tolerances import BACKEND_AGREEMENT, EXACT


def close(a: float, b: float, tol: float = EXACT) -> bool:
    return abs(a - b) <= tol * max(1.0, abs(a), abs(b))


def test_relaxation_example_exact_optimum_is_one():
    n, d, pi = F.relaxation_gap_example()
    opt = optimal_payment(n, d, pi)
    assert opt.status == "optimal"
    assert opt.objective == pytest.approx(1.0, abs=EXACT)
    assert opt.degrees.tolist() == [0, 1, 1, 0]


@pytest.mark.parametrize("n", range(2, 9))
def test_theorem_5_1_family_closed_forms(n):
    nn, d, pi = F.theorem_5_1_instance(n)
    assert d.size == n * n + n + 1 and pi.size == d.size + 1
    opt = optimal_payment(nn, d, pi)
    opt.solution.certify()
    ordv = expected_payment(ordering_distribution(nn, d), pi)
    assert opt.objective == pytest.approx(n + 2, abs=1e-9)
    assert ordv == pytest.approx(2 * n + 1 / n, abs=1e-9)
    assert ordv / opt.objective < 2


def test_theorem_5_1_ratios_printed_in_notes():
    r3 = F.theorem_5_1_closed_form(3)["ratio"]
    r6 = F.theorem_5_1_closed_form(6)["ratio"]
    assert round(r3, 2) == 1.27 and round(r6, 2) == 1.52


def test_cut_points_small():
    t, rhs = cut_points(np.array([1, 5, 5, 3, 0]))  # sorted 5,5,3,1,0
    assert t.tolist() == [2, 3, 4]
    assert rhs.tolist() == [4, 1, 0]
    assert cut_points(np.array([2, 2, 2]))[0].size == 0


def test_is_realisable_matches_plain_gale_ryser():
    """The reduced cut rows (only where the sorted demand changes) equal full Gale–Ryser."""
    rng = np.random.default_rng(11)
    agree = 0
    for _ in range(600):
        n = int(rng.integers(1, 7))
        m = int(rng.integers(1, 7))
        d = rng.integers(0, n + 1, m)
        a = rng.integers(0, m + 1, n)
        shift = int(d.sum() - a.sum())  # push the sum towards D so both answers occur
        for _ in range(abs(shift)):
            i = int(rng.integers(n))
            a[i] = np.clip(a[i] + np.sign(shift), 0, m)
        hist = np.bincount(a, minlength=m + 1)
        assert is_realisable(hist, n, d) == gale_ryser(a, d)
        agree += gale_ryser(a, d)
    assert agree > 50  # the test saw realisable and non-realisable pairs


def test_milp_matches_two_brute_forces_on_200_instances():
    rng = np.random.default_rng(2024)
    gaps = 0
    for _ in range(200):
        n, d, pi = F.random_instance(rng, 5, 5)
        opt = optimal_payment(n, d, pi)
        assert opt.status == "optimal"
        v1 = brute_force_optimum(n, d, pi, "multisets")[0]
        assert close(opt.objective, v1), (n, d, pi)
        v2 = brute_force_optimum(n, d, pi, "graphs")[0]
        assert close(v1, v2), (n, d, pi)
        gaps += not close(opt.objective, expected_payment(ordering_distribution(n, d), pi))
    assert gaps > 10  # instances where the ordering distribution is not optimal were seen


def test_milp_matches_dp_on_medium_instances():
    rng = np.random.default_rng(5)
    for i in range(25):
        n = int(rng.integers(20, 80))
        m = int(rng.integers(5, 14))
        n, d, pi = F.benchmark_instance(rng, n, m, style=F.PAYMENT_STYLES[i % 5])
        opt = optimal_payment(n, d, pi)
        val, hist, _ = dp_optimum(n, d, pi)
        assert is_realisable(hist, n, d)
        assert close(opt.objective, val, 1e-9), (n, d.tolist(), pi.tolist())


def test_optimal_histogram_is_realised_by_networkx_graph():
    rng = np.random.default_rng(3)
    for _ in range(20):
        n, d, pi = F.random_instance(rng, 12, 8)
        opt = optimal_payment(n, d, pi)
        g = realise_graph(opt.degrees, d)
        sellers = sorted((g.degree(v) for v in g if v[0] == "s"), reverse=True)
        buyers = [g.degree(("b", j)) for j in range(d.size)]
        assert sellers == opt.degree_sequence().tolist()
        assert buyers == d.tolist()
        assert np.sum(opt.p * np.arange(d.size + 1)) == pytest.approx(d.sum() / n)


def test_realise_graph_rejects_non_bigraphic():
    with pytest.raises(ValueError):
        # degrees (2, 1, 0) need two buyers with positive demand; only one has
        realise_graph(np.array([1, 1, 1, 0]), np.array([3, 0, 0]))
    assert not is_realisable(np.array([1, 1, 1, 0]), 3, np.array([3, 0, 0]))


def test_every_backend_agrees_on_the_milp():
    rng = np.random.default_rng(17)
    insts = [F.relaxation_gap_example(), F.theorem_5_1_instance(3)]
    insts += [F.random_instance(rng, 8, 6, style="steps") for _ in range(3)]
    for n, d, pi in insts:
        lp = degree_milp(n, d, pi)
        names = available_backends(lp)
        assert "highs" in names
        vals = {}
        for b in names:
            sol = solve(lp, backend=b)
            assert sol.status == "optimal", b
            vals[b] = sol.objective
        ref = vals["highs"]
        for b, v in vals.items():
            assert abs(v - ref) <= BACKEND_AGREEMENT * max(1.0, abs(ref)), (b, vals)


def test_theorem_4_4_concave_payment_ordering_is_optimal():
    rng = np.random.default_rng(9)
    for _ in range(30):
        n = int(rng.integers(1, 30))
        m = int(rng.integers(1, 10))
        d = F.random_demands(rng, n, m)
        g = F.random_payment(rng, m, "concave")
        opt = optimal_payment(n, d, g).objective
        assert expected_payment(ordering_distribution(n, d), g) <= opt + 1e-9 * max(1, opt)


def test_convex_payment_beats_ordering():
    # π convex: spreading degrees evenly is cheaper than the ordering's extremes
    n, d = 4, np.array([4, 2, 2, 0])
    pi = np.array([0.0, 1.0, 4.0, 9.0, 16.0])
    opt = optimal_payment(n, d, pi)
    assert opt.objective == pytest.approx(4.0)  # every seller seen by 2 buyers
    assert opt.degree_sequence().tolist() == [2, 2, 2, 2]
    # the ordering gives degrees (3, 3, 1, 1): (9 + 9 + 1 + 1) / 4 = 5
    assert expected_payment(ordering_distribution(n, d), pi) == pytest.approx(5.0)


def test_brute_force_size_limit():
    with pytest.raises(SizeLimitError) as exc:
        brute_force_optimum(60, np.full(40, 30), np.arange(41.0))
    assert "MILP" in str(exc.value)
    with pytest.raises(SizeLimitError):
        dp_optimum(2000, np.full(100, 1000), np.arange(101.0))
