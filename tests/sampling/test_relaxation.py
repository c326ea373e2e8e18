"""The subset LP over Ψ (proof of Theorem 4.4), the compact LP and the rounding bound."""

from __future__ import annotations

import numpy as np
import pytest

from solver.errors import SizeLimitError
from solver.sampling import families as F
from solver.sampling.optimum import is_realisable, optimal_payment
from solver.sampling.relaxation import (
    balanced_rounding,
    compact_lp,
    gap_bound,
    relaxation_gap,
    subset_lp,
)
from solver.tolerances import BACKEND_AGREEMENT


def test_paper_lp_is_a_strict_relaxation_on_the_example():
    n, d, pi = F.relaxation_gap_example()
    sub = subset_lp(n, d, pi)
    comp = compact_lp(n, d, pi)
    assert sub.objective == pytest.approx(0.75, abs=BACKEND_AGREEMENT)
    assert comp.objective == pytest.approx(0.75, abs=BACKEND_AGREEMENT)
    assert optimal_payment(n, d, pi).objective == pytest.approx(1.0)
    # the LP's count law: p(0) = 1/4, p(2) = 3/4 (no single graph has it with n = 2)
    assert sub.p == pytest.approx([0.25, 0.0, 0.75, 0.0], abs=1e-7)
    assert relaxation_gap(1.0, 0.75) == {"absolute": 0.25, "relative": 0.25}


def test_subset_lp_equals_compact_lp_and_bounds_exact():
    rng = np.random.default_rng(77)
    with_gap = 0
    for _ in range(60):
        n, d, pi = F.random_instance(rng, 7, 7)
        sub = subset_lp(n, d, pi)
        comp = compact_lp(n, d, pi)
        opt = optimal_payment(n, d, pi).objective
        tol = BACKEND_AGREEMENT * max(1.0, opt)
        assert abs(sub.objective - comp.objective) <= tol, (n, d, pi)
        assert sub.objective <= opt + tol
        assert opt - comp.objective <= gap_bound(n, d, pi) + tol
        # marginals: the subset LP's p has mean D/n (Lemma 4.2 for the relaxation)
        assert np.arange(d.size + 1) @ sub.p == pytest.approx(d.sum() / n, abs=1e-7)
        with_gap += opt - sub.objective > 1e-6
    assert with_gap >= 1  # the relaxation is not always exact on these instances


def test_balanced_rounding_is_realisable_and_within_bound():
    rng = np.random.default_rng(8)
    for _ in range(40):
        n, d, pi = F.benchmark_instance(rng, int(rng.integers(10, 400)),
                                        int(rng.integers(2, 15)), style="steps")
        if np.unique(d).size < d.size:
            continue
        comp = compact_lp(n, d, pi)
        x = balanced_rounding(comp.p * n, n, d)
        assert is_realisable(x, n, d)
        cost = float(pi @ x) / n
        assert cost - comp.objective <= gap_bound(n, d, pi) + 1e-7


def test_gap_shrinks_when_instance_is_scaled():
    n, d, pi = 4, np.array([3, 2, 1, 2, 2]), None
    rng = np.random.default_rng(0)
    pi = F.random_payment(rng, d.size, "steps")
    lp = compact_lp(n, d, pi).objective
    gaps = []
    for f in (1, 2, 4, 8):
        nf, df = F.scale_instance(n, d, f)
        assert compact_lp(nf, df, pi).objective == pytest.approx(lp, abs=1e-7)
        gaps.append(optimal_payment(nf, df, pi).objective - lp)
    assert all(g2 <= g1 + 1e-9 for g1, g2 in zip(gaps, gaps[1:], strict=False))
    assert all(g >= -1e-9 for g in gaps)


def test_subset_lp_size_limit():
    with pytest.raises(SizeLimitError) as exc:
        subset_lp(20, np.ones(17, dtype=int), np.arange(18.0))
    assert "compact" in str(exc.value)
