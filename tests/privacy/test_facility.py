"""Mechanism 6.1: exact distribution vs enumeration and Monte Carlo, DP, verifier, input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from solver.errors import InstanceError
from solver.privacy import FacilityInstance, facility, solve
from solver.privacy.model import PrivacyBound


@pytest.mark.parametrize("seed", range(6))
def test_matches_noise_enumeration(seed):
    rng = np.random.default_rng(seed)
    q = int(rng.integers(2, 4))
    h = rng.integers(0, 4, size=q)
    eps = float(rng.choice([1.0, 2.0, 3.0]))
    p, tail = facility.distribution(h, eps)
    pe, dropped = facility.distribution_enumerate(h, eps, K=50 if q == 3 else 120)
    assert tail < 1e-15
    assert np.max(np.abs(p - pe)) <= dropped + tail + 1e-13  # float summation of 10^5 terms
    assert p.sum() == pytest.approx(1.0, abs=1e-12)


def test_empty_histogram_and_single_location():
    p, _ = facility.distribution(np.array([0, 0, 0]), 1.0)
    pe, dropped = facility.distribution_enumerate(np.array([0, 0, 0]), 1.0, 60)
    assert np.max(np.abs(p - pe)) <= dropped + 1e-14
    assert facility.distribution(np.array([5]), 1.0)[0] == pytest.approx([1.0])


def test_matches_monte_carlo():
    rng = np.random.default_rng(11)
    h = np.array([4, 1, 0, 3, 2])
    eps = 0.5
    p, _ = facility.distribution(h, eps)
    N = 200_000
    freq = np.bincount(facility.sample(h, eps, N, rng), minlength=h.size) / N
    sd = np.sqrt(p * (1 - p) / N)
    assert np.all(np.abs(freq - p) <= 5 * sd + 1e-12)


def test_large_instance_exact_and_normalised():
    rng = np.random.default_rng(2)
    h = rng.multinomial(10_000, np.ones(20) / 20)
    p, tail = facility.distribution(h, 0.1)
    assert p.sum() == pytest.approx(1.0, abs=1e-12) and tail < 1e-15
    # the mode is the true median location for a balanced histogram
    assert int(np.argmax(p)) == int(facility.median_index(h[None, :])[0])


def test_dp_level_exactly_epsilon_on_adjacent_histograms():
    eps = 0.9
    worst = 0.0
    for h in facility.compositions(4, 3):
        lp = facility.log_distribution(np.array(h), eps)[0]
        for a in range(3):
            if h[a]:
                for b in range(3):
                    if b != a:
                        h2 = list(h)
                        h2[a] -= 1
                        h2[b] += 1
                        lp2 = facility.log_distribution(np.array(h2), eps)[0]
                        worst = max(worst, float(np.max(np.abs(lp - lp2))))
    assert worst <= eps + 1e-9 and worst >= eps - 1e-6


def test_histogram_verifier_matches_profile_enumeration():
    """Sufficient statistic (others' histogram) vs every profile of 3 players."""
    import itertools

    locs = np.array([0.0, 0.4, 1.0])
    F = PrivacyBound("log", 1.0)
    eps = 0.6
    worst_prof = -math.inf
    for prof in itertools.product(range(3), repeat=3):
        for i in range(3):
            ho = np.bincount(np.delete(np.array(prof), i), minlength=3)
            g, _ = facility.verify_histogram(ho, locs, eps, F)
            row = g[prof[i]].copy()
            row[prof[i]] = -np.inf
            worst_prof = max(worst_prof, float(row.max()))
    assert facility.verify_all(3, locs, eps, F)["worst_gain"] == pytest.approx(worst_prof)


def test_truthful_at_threshold_not_above():
    locs = np.array([0.0, 0.5, 1.0])
    F = PrivacyBound("log", 1.0)
    eps = F.threshold_epsilon(0.5)
    at = facility.verify_all(3, locs, eps, F)
    assert at["worst_gain"] <= 1e-12 and at["worst_universal_gain"] <= 1e-12
    above = facility.verify_all(3, locs, 3.0, F)
    assert above["worst_gain"] > 0 and above["worst_universal_gain"] > 0


def test_universal_pairs_cover_every_coupled_change():
    """Brute force over noise vectors: a lie a -> t only ever moves o to o' in the pair set."""
    rng = np.random.default_rng(4)
    q = 4
    for _ in range(200):
        ho = rng.integers(0, 3, size=q)
        r = rng.geometric(0.4, size=q) - 1
        a, t = rng.choice(q, 2, replace=False)
        za, zt = ho + r, ho + r
        za = za.copy()
        zt = zt.copy()
        za[a] += 1
        zt[t] += 1
        o, o2 = int(facility.median_index(za)[0]), int(facility.median_index(zt)[0])
        if o != o2:
            lo, hi = min(a, t), max(a, t)
            assert lo <= min(o, o2) and max(o, o2) <= hi
            assert (o < o2) == (a < t)


def test_solve_reports():
    inst = FacilityInstance.from_dict({"problem": "facility-location", "locations": [0, 0.5, 1],
                                      "reports": [0, 0.5, 0.5, 1], "epsilon": 1.0,
                           "privacy_bound": {"kind": "linear", "kappa": 0.1}})
    out = solve(inst)
    assert np.sum(out["distribution"]) == pytest.approx(1.0)
    assert out["max_privacy_ratio"] <= math.e + 1e-9
    assert out["welfare_gap"] >= 0 and "truthful" in out


@pytest.mark.parametrize("raw, field", [
    ({"locations": [0, 0.5, 0.5], "counts": [1, 1, 1], "epsilon": 1}, "locations[2]"),
    ({"locations": [0, 0.7, 0.5], "counts": [1, 1, 1], "epsilon": 1}, "locations[2]"),
    ({"locations": [0, 0.5, 1], "reports": [0, 0.3], "epsilon": 1}, "reports[1]"),
    ({"locations": [0, 0.5, 1], "counts": [1, -1, 1], "epsilon": 1}, "counts[1]"),
    ({"locations": [0, 0.5, 1], "counts": [1, 1, 1], "epsilon": 0}, "epsilon"),
    ({"locations": [0, 0.5, 1], "counts": [1, 1, 1], "epsilon": 1,
      "privacy_bound": {"kind": "log", "kappa": -1}}, "privacy_bound.kappa"),
    ({"locations": [0, 0.5, 1], "epsilon": 1}, "reports"),
])
def test_bad_input(raw, field):
    with pytest.raises(InstanceError) as e:
        FacilityInstance.from_dict({"problem": "facility-location", **raw})
    assert e.value.field == field


def test_tiny_epsilon_is_a_size_limit():
    from solver.errors import SizeLimitError

    with pytest.raises(SizeLimitError) as e:
        facility.distribution(np.array([1, 2, 3, 4]), 1e-4)
    assert e.value.field == "epsilon"
