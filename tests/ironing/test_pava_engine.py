"""scipy's PAVA (the ironing engine) against the hand-written hull (the test oracle).

:func:`solver.ironing.iron_slopes` and :func:`solver.ironing.iron_curve` run on
:func:`scipy.optimize.isotonic_regression`; :mod:`solver.ironing.hull` (the vectorised lower
hull and Andrew's monotone chain) is the independent check, on random sets with ties,
collinear runs, tiny K, large K and weights over many orders of magnitude.  No case was
found where scipy's answer is wrong.
"""

import numpy as np
import pytest

from solver.ironing import iron_curve, iron_slopes, lower_convex_hull, monotone_chain
from solver.ironing.families import random_discrete, random_piecewise
from solver.ironing.ironing import curve_from_hull


def _slopes(rng, K, kind):
    if kind == 0:
        return rng.normal(size=K)
    if kind == 1:
        return rng.integers(0, 3, K).astype(float)  # many ties (collinear points)
    if kind == 2:  # convex chains with a few drops: long ironed intervals
        h = np.sort(rng.normal(size=K))
        drops = rng.choice(K, size=min(K, 3), replace=False)
        h[drops] -= 3.0
        return h
    if kind == 3:
        return np.repeat(rng.normal(size=K // 4 + 1), 4)[:K]  # equal runs
    return np.sort(rng.normal(size=K))[::-1].copy()  # decreasing: one block


def _hull_reference(h, w, chain=monotone_chain):
    """Slopes of the hull of the cumulative-sum diagram (the independent path)."""
    x = np.concatenate(([0.0], np.cumsum(w)))
    y = np.concatenate(([0.0], np.cumsum(w * h)))
    v = chain(x, y)
    return np.repeat(np.diff(y[v]) / np.diff(x[v]), np.diff(v))


@pytest.mark.parametrize("kind", range(5))
def test_iron_slopes_equals_the_hull(kind):
    rng = np.random.default_rng(kind)
    for _ in range(200):
        K = int(rng.integers(1, 60))
        h = _slopes(rng, K, kind)
        w = np.ones(K) if kind % 2 else rng.random(K) + 1e-3
        np.testing.assert_allclose(iron_slopes(h, w), _hull_reference(h, w), rtol=0,
                                   atol=1e-12 * max(1.0, np.abs(h).max()))


def test_iron_slopes_rejects_bad_input():
    with pytest.raises(ValueError, match="positive"):
        iron_slopes([1.0, 2.0], [1.0, 0.0])
    with pytest.raises(ValueError, match="equal length"):
        iron_slopes([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="finite"):
        iron_slopes([1.0, np.nan], [1.0, 1.0])


@pytest.mark.parametrize("kind", range(4))
def test_iron_curve_has_the_hull_vertices(kind):
    """Strict vertices of PAVA's minorant = the hull's, to the same relative tolerance."""
    rng = np.random.default_rng(20 + kind)
    for _ in range(300):
        K = int(rng.integers(2, 60))
        q = np.sort(rng.choice(10_000, K, replace=False)).astype(float)
        if kind == 0:
            H = rng.normal(size=K)
        elif kind == 1:
            H = rng.integers(0, 4, K).astype(float)  # many exact collinearities
        elif kind == 2:
            H = (q / 1000) ** 2 + (rng.random(K) < 0.3) * rng.random(K)
        else:
            H = np.cumsum(rng.normal(size=K))
        cur = iron_curve(q, H)
        ref = curve_from_hull(q, H, monotone_chain(q, H))
        assert np.array_equal(cur.hull, ref.hull)
        assert cur.intervals == ref.intervals
        np.testing.assert_array_equal(cur.ironed, ref.ironed)


def test_iron_curve_on_the_families_equals_the_hull():
    rng = np.random.default_rng(3)
    for i in range(60):
        d = random_discrete(rng, int(rng.integers(2, 40))) if i % 2 else random_piecewise(
            rng, int(rng.integers(1, 6)))
        cc = d.cost_curve(1e-4)
        cur = iron_curve(cc.q, cc.H)
        ref = curve_from_hull(cc.q, cc.H, lower_convex_hull(cc.q, cc.H))
        assert np.array_equal(cur.hull, ref.hull) and cur.intervals == ref.intervals


def test_iron_curve_rejects_bad_input():
    with pytest.raises(ValueError, match="strictly increasing"):
        iron_curve([0.0, 0.6, 0.5, 1.0], [0.0, 1.0, 2.0, 3.0])  # unsorted quantiles
    with pytest.raises(ValueError, match="equal length"):
        iron_curve([0.0, 1.0], [0.0])


@pytest.mark.parametrize("family", ["few-drops", "random", "drop-per-chain", "convex"])
def test_large_inputs_equal_the_hull(family):
    rng = np.random.default_rng(5)
    K = 300_000
    if family == "few-drops":
        h = np.linspace(0.0, 1.0, K)
        h[K // 3] -= 0.7
        h[2 * K // 3] -= 0.2
        w = np.full(K, 1.0 / K)
    elif family == "random":
        h, w = rng.normal(size=K), rng.random(K) + 1e-6
    elif family == "convex":
        h, w = np.linspace(0.0, 1.0, K), np.full(K, 1.0 / K)
    else:
        h = np.tile(np.r_[np.linspace(0.0, 1.0, 30), -0.5], K // 31) + np.arange(
            K // 31 * 31) * 1e-5
        w = rng.random(h.size) + 0.1
    np.testing.assert_allclose(iron_slopes(h, w), _hull_reference(h, w, lower_convex_hull),
                               rtol=0, atol=1e-9 * max(1.0, np.abs(h).max()))


def test_disparate_weights_equal_the_exact_means():
    """Widths too disparate for prefix sums (the hull's weak spot): PAVA is exact."""
    h = np.linspace(0.0, 1.0, 100)
    h[[30, 60]] -= 0.5
    for w in (np.r_[1e20, np.ones(99)], np.r_[np.ones(50), 1e-30, np.ones(49)]):
        got = iron_slopes(h, w)
        assert np.all(np.diff(got) >= 0)
        # KKT of the isotonic regression: on each block the value is the weighted mean
        for v in np.unique(got):
            blk = got == v
            assert v == pytest.approx(float(w[blk] @ h[blk] / w[blk].sum()), rel=1e-12)


@pytest.mark.parametrize("kind", ["walk", "integer", "noisy-convex"])
def test_hull_lean_passes_equal_monotone_chain(kind):
    """The oracle itself: ``lower_convex_hull``'s phases against the O(K) reference."""
    rng = np.random.default_rng(9)
    K = 6000
    x = np.sort(rng.choice(10 * K, K, replace=False)).astype(float)
    if kind == "walk":
        y = np.cumsum(rng.normal(size=K))
    elif kind == "integer":
        y = rng.integers(0, 5, K).astype(float)  # exact collinearities everywhere
    else:
        y = (x / K) ** 2 + (rng.random(K) < 0.5) * rng.random(K)
    assert np.array_equal(lower_convex_hull(x, y), monotone_chain(x, y))
