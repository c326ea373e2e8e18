"""Hull, isotonic regression, QP and LP agree (Appendix A ironing, notes Section 3.6)."""

import numpy as np
import pytest
from scipy.optimize import isotonic_regression
from scipy.spatial import ConvexHull

from solver.ironing import iron_curve, iron_slopes, lower_convex_hull, monotone_chain
from solver.ironing.certificate import check_ironing
from solver.ironing.families import random_discrete, random_piecewise
from solver.ironing.models import (
    BackendStopped,
    convex_minorant_lp,
    gap_lp,
    ironed_by_qp,
    isotonic_qp,
    minorant_by_lp,
    polish_minorant,
)
from solver.opt import available_backends, solve


def _points(rng, K, kind):
    x = np.sort(rng.choice(10_000, K, replace=False)).astype(float)
    if kind == 0:
        y = rng.normal(size=K)
    elif kind == 1:
        y = rng.integers(0, 4, K).astype(float)  # many exact collinearities
    elif kind == 2:
        y = (x / 1000) ** 2 + (rng.random(K) < 0.3) * rng.random(K)
    else:
        y = np.cumsum(rng.normal(size=K))
    return x, y


@pytest.mark.parametrize("kind", range(4))
def test_vectorised_hull_equals_monotone_chain(kind):
    rng = np.random.default_rng(kind)
    for _ in range(300):
        x, y = _points(rng, int(rng.integers(1, 60)), kind)
        assert np.array_equal(lower_convex_hull(x, y), monotone_chain(x, y))


@pytest.mark.parametrize("kind", range(4))
def test_chain_merge_phase_equals_monotone_chain(kind):
    """Phase 2a alone (every non-convex point a chain break) against the reference."""
    from solver.ironing.hull import _merge_chains, _tol

    rng = np.random.default_rng(50 + kind)
    for _ in range(300):
        x, y = _points(rng, int(rng.integers(3, 60)), kind)
        tol = _tol(y)
        dx = np.diff(x)
        sl = np.diff(y) / dx
        drop = (sl[1:] - sl[:-1]) * (dx[:-1] * dx[1:] / (dx[:-1] + dx[1:]))
        got = _merge_chains(x, y, np.flatnonzero(drop <= tol) + 1, tol)
        assert np.array_equal(got, monotone_chain(x, y))


def test_quickhull_phase_equals_monotone_chain():
    from solver.ironing.hull import _quickhull, _tol

    rng = np.random.default_rng(77)
    for kind in range(4):
        for _ in range(100):
            x, y = _points(rng, int(rng.integers(3, 60)), kind)
            assert np.array_equal(_quickhull(x, y, _tol(y)), monotone_chain(x, y))


def test_large_inputs_both_phases():
    rng = np.random.default_rng(7)
    q = np.linspace(0, 1, 20_001)
    for H in (q * q, q * (1 + 3 * (q > 0.5) + 0.1 * np.sin(40 * q)),
              np.cumsum(rng.normal(size=q.size))):
        assert np.array_equal(lower_convex_hull(q, H), monotone_chain(q, H))


def test_hull_matches_qhull_lower_chain():
    rng = np.random.default_rng(3)
    for _ in range(50):
        x, y = _points(rng, 40, 0)
        ours = lower_convex_hull(x, y)
        hull = ConvexHull(np.c_[x, y])
        G_ours = np.interp(x, x[ours], y[ours])
        # every Qhull facet with an outward normal pointing down lies on our minorant
        for eq, simplex in zip(hull.equations, hull.simplices, strict=True):
            if eq[1] < 0:
                assert np.allclose(G_ours[simplex], y[simplex], atol=1e-12)
        assert set(ours) <= set(hull.vertices)


def test_hull_rejects_bad_input():
    with pytest.raises(ValueError, match="strictly increasing"):
        lower_convex_hull([0, 1, 1], [0, 1, 2])
    with pytest.raises(ValueError, match="finite"):
        lower_convex_hull([0, 1], [0, np.nan])


def test_iron_slopes_equals_scipy_pava():
    rng = np.random.default_rng(11)
    for _ in range(300):
        K = int(rng.integers(1, 80))
        s, w = rng.normal(size=K), rng.random(K) + 1e-3
        np.testing.assert_allclose(iron_slopes(s, w), isotonic_regression(s, weights=w).x,
                                   rtol=0, atol=1e-10)
    with pytest.raises(ValueError, match="positive"):
        iron_slopes([1.0, 2.0], [1.0, 0.0])


def test_example_c_exact():
    cur = iron_curve([0, 0.5, 0.6, 1], [0, 0.5, 1.2, 3])
    assert np.allclose(cur.slopes, [1, 7, 4.5])
    assert np.array_equal(cur.ironed, [1.0, 5.0, 5.0])
    assert cur.intervals == ((1, 3),)


@pytest.mark.parametrize("seed", range(4))
def test_hull_pava_qp_lp_agree_on_every_backend(seed):
    """Every backend that proves the QP/LP optimal agrees with the hull after the polish
    (to rounding); one that cannot is reported as not optimal (BackendStopped), never wrong."""
    rng = np.random.default_rng(100 + seed)
    d = random_discrete(rng, 8) if seed % 2 == 0 else random_piecewise(rng, 4)
    cc = d.cost_curve(1e-4) if seed % 2 else d.cost_curve()
    cur = iron_curve(cc.q, cc.H)
    w = np.diff(cc.q)
    pava = isotonic_regression(cur.slopes, weights=w).x
    np.testing.assert_allclose(cur.ironed, pava, atol=1e-9)
    scale = float(np.max(np.abs(cur.slopes)))
    solved = {"qp": 0, "lp": 0}
    for kind, model in (("qp", isotonic_qp(cur.slopes, w)), ("lp", gap_lp(cc.q, cc.H))):
        for b in available_backends(model):
            try:
                if kind == "qp":
                    x, sol = ironed_by_qp(cur.slopes, w, backend=b)
                    Gb = np.concatenate(([0.0], np.cumsum(x * w)))
                    # the raw answer, in the QP's own metric
                    assert np.sqrt(w @ (x - cur.ironed) ** 2) <= 1e-3 * scale, b
                else:
                    Gb, sol = minorant_by_lp(cc.q, cc.H, backend=b)
                    np.testing.assert_allclose(Gb, cur.G, atol=1e-6 * cc.H.max(), err_msg=b)
            except BackendStopped as stop:
                assert stop.solution.status != "optimal", b
                continue
            solved[kind] += 1
            pol = polish_minorant(cc.q, cc.H, Gb)
            np.testing.assert_allclose(pol.G, cur.G, rtol=0, atol=1e-12 * cc.H.max(),
                                       err_msg=b)
            assert check_ironing(cc.q, cc.H, np.diff(pol.G) / w) is None, b
    assert solved["qp"] >= 1 and solved["lp"] >= 1, solved


def test_gap_lp_is_the_minorant_lp():
    q, H = np.array([0, 0.5, 0.6, 1.0]), np.array([0, 0.5, 1.2, 3.0])
    G, sol = minorant_by_lp(q, H)
    np.testing.assert_allclose(G, [0, 0.5, 1.0, 3.0], atol=1e-9)
    # min area between H and G = 0.2 * (0.1 + 0.4) / 2, solved on H / max H = H / 3
    assert np.trapezoid(H - G, q) == pytest.approx(0.05, abs=1e-9)
    assert sol.objective == pytest.approx(0.05 / 3, abs=1e-9)


def test_polish_with_a_missed_vertex_is_caught_by_the_certificate():
    q, H = np.array([0, 0.5, 0.6, 1.0]), np.array([0, 0.5, 1.2, 3.0])
    bad = np.array([0, 0.4, 1.0, 3.0])          # vertex q = 0.5 put 0.1 below H
    pol = polish_minorant(q, H, bad)
    assert pol.hull.tolist() == [0, 3]
    msg = check_ironing(q, H, np.diff(pol.G) / np.diff(q))
    assert msg is not None and "exceeds the cost curve" in msg


def test_lp_objective_is_sum_of_minorant():
    q, H = np.array([0, 0.5, 0.6, 1.0]), np.array([0, 0.5, 1.2, 3.0])
    sol = solve(convex_minorant_lp(q, H)).certify()
    assert sol.objective == pytest.approx(0.5 + 1.0 + 3.0, abs=1e-9)


def test_plot_writes_png(tmp_path):
    pytest.importorskip("matplotlib")
    from solver.ironing.distributions import PiecewiseUniform
    from solver.ironing.plot import plot_ironing

    d = PiecewiseUniform(np.array([1.0, 2, 4, 5]), np.array([0.5, 0.05, 0.45]))
    p = tmp_path / "b.png"
    plot_ironing(d, p, title="Example B")
    assert p.stat().st_size > 1000
