"""Vectorised pooling (``solver.ironing.pooling``) against scipy's PAVA and the hull.

Every branch of :func:`solver.ironing.pooling.pool_blocks` (pooling passes, lazy bridge,
materialised bridge by chain merging or by the vectorised hull, the slice loop and the
segmented reduction for long edges, the no-bridge fallback) is forced by patching its
thresholds and checked on random sets with ties, collinear runs and tiny K.
"""

import numpy as np
import pytest
from scipy.optimize import isotonic_regression

from solver.ironing import iron_slopes, monotone_chain, pooling

# (name, overrides) forcing each code path; "default" uses the shipped thresholds
BRANCHES = {
    "default": {},
    "no-lazy": {"LAZY_BRIDGE_MAX": -1},
    "lazy-always": {"LAZY_BRIDGE_MAX": 10**9, "LAZY_MIN_WEIGHT": 0.0, "LAZY_MIN_CELLS": 0},
    "pool-only-then-hull": {"LAZY_BRIDGE_MAX": -1, "CHAIN_MERGE_MAX": -1},
    "stall-at-once": {"LAZY_BRIDGE_MAX": -1, "CHAIN_MERGE_MAX": -1,
                      "ELIMINATION_MIN_FRACTION": 2.0},
    "chain-merge-at-once": {"LAZY_BRIDGE_MAX": -1, "CHAIN_MERGE_MAX": 10**9,
                            "CHAIN_MERGE_SPARSITY": 0},
    "chunks": {"CHUNK_MIN_CELLS": 0, "CHUNK_CELLS": 7, "CHUNK_PASSES": 2},
    "chunks-then-stall": {"CHUNK_MIN_CELLS": 0, "CHUNK_CELLS": 5, "LAZY_BRIDGE_MAX": -1,
                          "CHAIN_MERGE_MAX": -1, "ELIMINATION_MIN_FRACTION": 2.0},
    "reduceat-edges": {"LAZY_BRIDGE_MAX": -1, "LOOP_EDGES_MAX": -1,
                       "CHAIN_MERGE_SPARSITY": 0},
}


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


def _weights(rng, K, kind):
    return np.ones(K) if kind % 2 else rng.random(K) + 1e-3


def _hull_reference(h, w):
    """Slopes of the monotone-chain hull of the cumulative-sum diagram (independent path)."""
    x = np.concatenate(([0.0], np.cumsum(w)))
    y = np.concatenate(([0.0], np.cumsum(w * h)))
    v = monotone_chain(x, y)
    return np.repeat(np.diff(y[v]) / np.diff(x[v]), np.diff(v))


@pytest.mark.parametrize("branch", list(BRANCHES))
def test_pooling_branches_equal_pava_and_hull(branch, monkeypatch):
    for name, value in BRANCHES[branch].items():
        monkeypatch.setattr(pooling, name, value)
    rng = np.random.default_rng(sum(map(ord, branch)))
    for trial in range(250):
        K = [1, 2, 3][trial] if trial < 3 else int(rng.integers(1, 70))
        kind = trial % 5
        h, w = _slopes(rng, K, kind), _weights(rng, K, trial // 5)
        got = iron_slopes(h, w)
        want = isotonic_regression(h, weights=w).x
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-10)
        np.testing.assert_allclose(got, _hull_reference(h, w), rtol=0, atol=1e-9)
        assert np.all(np.diff(got) >= -1e-12)


def test_tiny_k_exact():
    assert iron_slopes([5.0], [0.3]).tolist() == [5.0]
    assert iron_slopes([1.0, 2.0], [1.0, 1.0]).tolist() == [1.0, 2.0]
    assert iron_slopes([2.0, 1.0], [1.0, 3.0]).tolist() == [1.25, 1.25]
    assert iron_slopes([1.0, 1.0], [1.0, 1.0]).tolist() == [1.0, 1.0]  # tie pooled
    np.testing.assert_allclose(iron_slopes([1.0, 3.0, 2.0], [1.0, 1.0, 1.0]), [1, 2.5, 2.5])
    np.testing.assert_allclose(iron_slopes([3.0, 1.0, 2.0], [1.0, 1.0, 1.0]), [2, 2, 2])


@pytest.mark.parametrize("family", ["few-drops", "random", "drop-per-chain"])
def test_large_inputs_equal_pava(family):
    """Sizes where the lazy bridge, chain merge and stalled-pooling paths are taken."""
    rng = np.random.default_rng(5)
    K = 300_000  # above CHUNK_MIN_CELLS: the random family is pooled chunk-wise first
    if family == "few-drops":  # lazy bridge on the raw cells (bimodal-like)
        h = np.linspace(0.0, 1.0, K)
        h[K // 3] -= 0.7
        h[2 * K // 3] -= 0.2
        w = np.full(K, 1.0 / K)
    elif family == "random":  # many pooling passes, then chain merge
        h, w = rng.normal(size=K), rng.random(K) + 1e-6
    else:  # increasing chains of 30 with a drop after each: pooling stalls, hull finishes
        h = np.tile(np.r_[np.linspace(0.0, 1.0, 30), -0.5], K // 31) + np.arange(
            K // 31 * 31) * 1e-5
        w = rng.random(h.size) + 0.1
    np.testing.assert_allclose(iron_slopes(h, w), isotonic_regression(h, weights=w).x,
                               rtol=0, atol=1e-9 * max(1.0, np.abs(h).max()))


def test_disparate_weights_fall_back_to_pooling():
    """Widths too disparate for prefix sums: no bridge, pooling alone is still exact."""
    h = np.linspace(0.0, 1.0, 100)
    h[[30, 60]] -= 0.5
    for w in (np.r_[1e20, np.ones(99)], np.r_[np.ones(50), 1e-30, np.ones(49)]):
        np.testing.assert_allclose(iron_slopes(h, w), isotonic_regression(h, weights=w).x,
                                   rtol=1e-12, atol=0)


def test_lazy_prefix_matches_cumsum():
    rng = np.random.default_rng(2)
    a, b = rng.random(10_000), rng.normal(size=10_000)
    P, Q = pooling._LazyPrefix(a), pooling._LazyPrefix(a, b)
    ca = np.concatenate(([0.0], np.cumsum(a)))
    cb = np.concatenate(([0.0], np.cumsum(a * b)))
    assert P.size == 10_001
    for j in [0, 1, 1023, 1024, 1025, 4095, 4096, 4097, 8192, 9999, 10_000]:
        assert abs(P[j] - ca[j]) <= 1e-10 and abs(Q[j] - cb[j]) <= 1e-10


@pytest.mark.parametrize("kind", ["walk", "integer", "noisy-convex"])
def test_hull_lean_passes_equal_monotone_chain(kind):
    """``lower_convex_hull``'s exact pooling passes, then its tolerance-aware phases."""
    from solver.ironing import lower_convex_hull

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


def test_disparate_weight_scales_equal_pava():
    """Weights over 12 orders of magnitude and large slopes: still PAVA to 1e-9 relative."""
    rng = np.random.default_rng(13)
    for K in (50, 2000, 300_000):
        w = 10.0 ** rng.uniform(-6, 6, K)
        h = rng.normal(size=K) * 1e3 + np.linspace(0, 5e3, K)
        want = isotonic_regression(h, weights=w).x
        np.testing.assert_allclose(iron_slopes(h, w), want, rtol=0,
                                   atol=1e-9 * np.abs(h).max())


def test_edge_optimality_test_detects_a_wrongly_pooled_cell():
    w = np.array([1e-6, 5e5, 1.0, 2e4])
    h = np.array([3819.0, 3252.0, 3900.0, 5000.0])  # bad point (cell 1 < cell 0) at index 1
    bad = np.array([1])
    # pooling cells 0..3 is wrong: the prefix of cells 0-1 has a lower mean than the block
    assert not pooling._edge_is_optimal(w, h, 0, 4, bad)
    # cells 0..1 (a non-increasing pair) do pool optimally; so do any equal slopes
    assert pooling._edge_is_optimal(w, h, 0, 2, bad)
    assert pooling._edge_is_optimal(np.ones(3), np.full(3, 2.0), 0, 3, np.array([], int))


@pytest.mark.parametrize("pieces_max", [0, 10**9])
def test_edge_optimality_scan_and_pieces_agree(pieces_max, monkeypatch):
    """Both evaluations of the KKT test (all prefixes / one crossing per piece) agree."""
    monkeypatch.setattr(pooling, "EDGE_PIECES_MAX", pieces_max)
    rng = np.random.default_rng(23)
    for _ in range(300):
        K = int(rng.integers(2, 30))
        h, w = rng.normal(size=K), rng.random(K) + 1e-3
        bad = np.flatnonzero(~(h[1:] > h[:-1])) + 1
        pre = np.cumsum(w * (h - (w @ h) / w.sum()))[:-1]
        want = bool(np.all(pre >= -1e-12)) if np.all(np.abs(pre) > 1e-9) else None
        if want is not None:
            assert pooling._edge_is_optimal(w, h, 0, K, bad) == want


@pytest.mark.parametrize("branch", ["lazy-always", "no-lazy"])
def test_failed_bridge_check_falls_back_to_exact_pooling(branch, monkeypatch):
    """When a bridged block fails the optimality test, plain pooling finishes exactly."""
    for name, value in BRANCHES[branch].items():
        monkeypatch.setattr(pooling, name, value)
    monkeypatch.setattr(pooling, "_edge_is_optimal", lambda *a: False)
    rng = np.random.default_rng(17)
    for K in (3, 40, 500):
        h = np.sort(rng.normal(size=K))
        h[rng.choice(K, size=2, replace=False)] -= 2.0
        w = rng.random(K) + 0.01
        np.testing.assert_allclose(iron_slopes(h, w), isotonic_regression(h, weights=w).x,
                                   rtol=0, atol=1e-12)
