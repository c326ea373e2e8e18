"""Seeded instance families for the claims, tests and benchmark (notes Section 7)."""

from __future__ import annotations

import numpy as np
from scipy import stats

from .distributions import Continuous, Discrete, PiecewiseUniform


def random_discrete(rng: np.random.Generator, K: int | None = None) -> Discrete:
    """Random atoms in [0, 10) (distinct, sorted) with Dirichlet masses."""
    K = int(K or rng.integers(2, 8))
    if K <= 500:
        v = np.sort(rng.choice(np.arange(0, 1000), K, replace=False)) / 100.0
    else:  # large K (benchmarks): distinct sorted reals
        v = np.unique(rng.uniform(0, 10, K))
        K = v.size
    return Discrete(v, rng.dirichlet(np.full(K, 0.7)))


def random_piecewise(rng: np.random.Generator, pieces: int | None = None,
                     thin: bool = True) -> PiecewiseUniform:
    """Random piecewise-uniform density on [a, b] subset of [0, 10]; with ``thin`` one middle
    piece gets little mass (the natural non-anti-regular example)."""
    m = int(pieces or rng.integers(2, 6))
    b = np.sort(rng.choice(np.arange(0, 1001), m + 1, replace=False)) / 100.0
    mass = rng.dirichlet(np.ones(m))
    if thin and m >= 3:
        j = int(rng.integers(1, m - 1))
        mass[j] *= 10.0 ** -rng.uniform(1, 3)
    return PiecewiseUniform(b, mass / mass.sum())


def anti_regular_family() -> list[tuple[str, object]]:
    """Anti-regular distributions (log-concave CDFs): uniform, power, truncated exp/normal."""
    return [
        ("uniform[0,1]", Continuous(stats.uniform(0, 1), "uniform")),
        ("uniform[1,3]", Continuous(stats.uniform(1, 2), "uniform")),
        ("power(3)", Continuous(stats.powerlaw(3), "powerlaw")),  # density vanishes at 0 only
        ("truncexpon(2)", Continuous(stats.truncexpon(2), "truncexpon")),
        ("truncnorm[1,4]", Continuous(stats.truncnorm(-1, 2, loc=2), "truncnorm")),
    ]


def near_tight(n: int, eta: float = 1e-6, delta: float = 1e-6) -> PiecewiseUniform:
    """Theorem 4.3's near-tight family (notes Section 5.1), ``w = n/2``: mass ``w/n - eta`` on
    ``[0, delta]``, ``eta`` on ``[delta, 1]``, ``1 - w/n`` on ``[1, 1 + delta]``; the ratio
    Mechanism 1 / envy-free tends to ``1/Pr[Bin(n, 1/2) <= n/2] -> 2``."""
    c = 0.5
    return PiecewiseUniform(np.array([0.0, delta, 1.0, 1.0 + delta]),
                            np.array([c - eta, eta, 1 - c]))


def sharp_ratio_bound(n: int, w: int) -> float:
    """``1 / Pr[Bin(n, w/n) <= w]``: the sharp form of Theorem 4.3's factor 2 (derived)."""
    return float(1.0 / stats.binom.cdf(w, n, w / n))
