"""Instance families for the sampling problem: the paper's tight families and random ones.

Every generator returns ``(n_sellers, demands, payment)`` with ``payment`` of length m + 1,
or a cost matrix where noted.  Randomness comes from a ``numpy.random.Generator``.
"""

from __future__ import annotations

import numpy as np

#: Payment shapes drawn by :func:`random_payment`.
PAYMENT_STYLES = ("increments", "steps", "convex", "concave", "star")


def theorem_5_1_instance(n: int) -> tuple[int, np.ndarray, np.ndarray]:
    """Instance B of the proof of Theorem 5.1: n sellers, m = n² + n + 1 buyers.

    One buyer demands all n sellers, the other n² + n demand one seller each, and
    π_B(k) = max(k, n) for k >= 1 with π_B(0) = 0 (Section 3 fixes c_i(0) = 0; the
    paper's formula max{k, n} is read for k >= 1).  π_B is the maximum of the concave costs
    c(k) = n·[k >= 1] and c(k) = k (:func:`theorem_5_1_costs`).

    Exact values (derived, checked by the MILP in the tests): every seller is seen by the
    big buyer, the average degree is n + 2 and π_B(k) >= k, so Π^OPT >= n + 2, attained by
    giving every seller n + 1 single-seller buyers.  (The paper's proof says Π^OPT <= n
    for this construction; the construction's sellers are each seen by n + 2 buyers, so its
    payment is n + 2 — the argument's 2 - 6/n bound still follows, see the claim.)  The
    ordering distribution puts one seller in front of all n² + n + 1 buyers and the others
    in front of one, so Π(ψ*) = (n² + n + 1)/n + (n - 1)/n · n = 2n + 1/n.
    """
    if n < 1:
        raise ValueError("n must be >= 1")
    m = n * n + n + 1
    demands = np.ones(m, dtype=np.int64)
    demands[0] = n
    k = np.arange(m + 1, dtype=float)
    payment = np.maximum(k, n)
    payment[0] = 0.0
    return n, demands, payment


def theorem_5_1_instance_a(n: int) -> tuple[int, np.ndarray, np.ndarray]:
    """Instance A of the proof of Theorem 5.1: same demands, π_A(k) = min(k, n) (concave).

    ψ* is optimal (Theorem 4.4) and Π_A^OPT = 2 - 1/n.
    """
    n, demands, _ = theorem_5_1_instance(n)
    k = np.arange(demands.size + 1, dtype=float)
    return n, demands, np.minimum(k, n)


def theorem_5_1_costs(n: int) -> np.ndarray:
    """An n x m concave cost matrix whose maximum is π_B (n >= 2): c_1 = n·[k>=1], c_2 = k.

    The remaining sellers have the linear cost c(k) = k.
    """
    if n < 2:
        raise ValueError("two distinct cost functions need n >= 2")
    m = n * n + n + 1
    k = np.arange(1, m + 1, dtype=float)
    costs = np.tile(k, (n, 1))
    costs[0] = n
    return costs


def theorem_5_1_closed_form(n: int) -> dict[str, float]:
    """Π^OPT = n + 2, Π(ψ*) = 2n + 1/n and their ratio (2n² + 1)/(n² + 2n) for instance B."""
    opt, ordering = n + 2.0, 2.0 * n + 1.0 / n
    return {"opt": opt, "ordering": ordering, "ratio": ordering / opt}


def relaxation_gap_example() -> tuple[int, np.ndarray, np.ndarray]:
    """n = 2, d = (1, 1, 1), π = (0, 1, 1, 10): Π^OPT = 1 while the subset LP gives 0.75."""
    return 2, np.array([1, 1, 1]), np.array([0.0, 1.0, 1.0, 10.0])


def random_payment(rng: np.random.Generator, m: int, style: str | None = None) -> np.ndarray:
    """A non-decreasing payment π(0..m) with π(0) = 0 of one of :data:`PAYMENT_STYLES`.

    ``increments``: i.i.d. exponential increments; ``steps``: a few large jumps; ``convex``:
    increasing increments; ``concave``: decreasing increments; ``star``: π(k)/k
    non-increasing (the class Theorem 5.2's proof uses: the maximum of concave costs).
    """
    style = style or str(rng.choice(PAYMENT_STYLES))
    if style == "increments":
        inc = rng.exponential(1.0, m)
    elif style == "steps":
        inc = np.where(rng.random(m) < min(1.0, 2.0 / max(m, 1)) + 0.1,
                       rng.exponential(5.0, m), 0.0)
    elif style == "convex":
        inc = np.sort(rng.exponential(1.0, m))
    elif style == "concave":
        inc = np.sort(rng.exponential(1.0, m))[::-1]
    elif style == "star":
        return star_payment(rng, m)
    else:
        raise ValueError(f"unknown payment style {style!r}")
    return np.round(np.concatenate([[0.0], np.cumsum(inc)]), 6)


def star_payment(rng: np.random.Generator, m: int, pieces: int = 3) -> np.ndarray:
    """π = max of a few random concave non-decreasing costs (so π(k)/k is non-increasing)."""
    return np.concatenate([[0.0], random_concave_costs(rng, pieces, m).max(axis=0)])


def random_concave_costs(rng: np.random.Generator, n: int, m: int) -> np.ndarray:
    """An n x m matrix of concave non-decreasing costs c_i(1..m) with c_i(0) = 0.

    Each row has non-increasing non-negative increments; a random breakpoint gives kinks
    like min(a·k, b) so that the maximum over rows is far from concave.
    """
    k = np.arange(1, m + 1, dtype=float)
    slope = rng.exponential(1.0, (n, 1))
    cap = rng.integers(1, m + 1, (n, 1))
    base = slope * np.minimum(k[None, :], cap)
    extra = np.cumsum(np.sort(rng.exponential(0.2, (n, m)), axis=1)[:, ::-1], axis=1)
    return np.round(base + extra * rng.random((n, 1)), 6)


def random_demands(rng: np.random.Generator, n: int, m: int) -> np.ndarray:
    """m demands in 0..n (a few zeros and n's included with positive probability)."""
    return rng.integers(0, n + 1, m).astype(np.int64)


def random_instance(rng: np.random.Generator, n_max: int = 5, m_max: int = 5,
                    style: str | None = None) -> tuple[int, np.ndarray, np.ndarray]:
    """A small random instance: n in 1..n_max, m in 1..m_max, a random payment style."""
    n = int(rng.integers(1, n_max + 1))
    m = int(rng.integers(1, m_max + 1))
    return n, random_demands(rng, n, m), random_payment(rng, m, style)


def scale_instance(n: int, demands: np.ndarray, factor: int) -> tuple[int, np.ndarray]:
    """(factor·n, factor·d): same fractions d_b/n, so the same relaxation value."""
    return factor * n, np.asarray(demands, dtype=np.int64) * factor


def benchmark_instance(rng: np.random.Generator, n: int = 10_000, m: int = 200,
                       style: str = "steps") -> tuple[int, np.ndarray, np.ndarray]:
    """The benchmark target: m buyers with m distinct demand sizes in 1..n."""
    demands = np.sort(rng.choice(np.arange(1, n + 1), size=m, replace=False))[::-1]
    return n, demands.astype(np.int64), random_payment(rng, m, style)
