r"""Π^OPT exactly: the best unbiased sampling distribution when π is known (Section 5.1).

Π^OPT = min over ψ ∈ Ψ(N) of Π(ψ) = Σ_k p_ψ(k) π(k).

Reduction to degree sequences
-----------------------------
One outcome of any ψ ∈ Ψ(N) assigns buyer b a set of d_b distinct sellers: a simple
bipartite graph G between the n sellers and the m buyers in which buyer b has degree d_b.
Because p_ψ is the same for every seller (Section 3), p_ψ(k) equals the expected fraction
of sellers of degree k, so Π(ψ) = E_G[(1/n) Σ_i π(deg_G(i))] is an average over outcomes and
no mixture beats its best outcome.  Conversely every graph G gives an unbiased ψ by
relabelling the sellers uniformly at random, with p(k) = (number of sellers of degree k)/n.
Hence

    Π^OPT = min { (1/n) Σ_k x_k π(k) : x is the degree histogram of such a graph },

where x_k is the number of sellers of degree k (k = 0..m).

The histogram MILP and its proof
--------------------------------
Let D = Σ_b d_b, sort the demands d_(1) >= ... >= d_(m), P(t) = d_(1) + ... + d_(t), and let
T = {t ∈ 1..m-1 : d_(t) > d_(t+1)} be the positions where the sorted demand changes.
**Claim.** A non-negative integer vector x = (x_0..x_m) is the seller-degree histogram of a
simple bipartite graph with buyer degrees d iff

    (a) Σ_k x_k = n,   (b) Σ_k k x_k = D,
    (c) Σ_k (k - t)^+ x_k <= D - P(t)   for every t ∈ T.

*Proof.*  Gale–Ryser, applied with the buyers as the row side: the seller degrees a_1..a_n
(any order) and the buyer degrees d are bigraphic iff Σ_i a_i = D and, for t = 1..m,
P(t) <= Σ_i min(a_i, t).  Since min(a, t) = a - (a - t)^+, the right side is
D - Σ_k (k - t)^+ x_k, so the condition reads g(t) := Σ_k (k - t)^+ x_k - (D - P(t)) <= 0.
Extend g to real t in [0, m] with P piecewise linear.  Between two consecutive points of
{0, m} ∪ T the demands d_(t) are constant, so D - P(t) is affine there, while
t -> Σ_k (k - t)^+ x_k is convex (a non-negative combination of convex hinges); g is thus
convex on each such interval and attains its maximum at an end.  So g <= 0 on 1..m iff it
holds at t = 0 (which is (b)), at t = m (Σ_k (k - m)^+ x_k = 0: no degree exceeds m, true
because x only has entries k <= m) and at every t ∈ T, which is (c).  ∎

The notes state the same condition from the seller side: with the seller degrees sorted
non-increasingly and S(t) their prefix sums, Gale–Ryser asks S(t) <= F(t) = Σ_b min(d_b, t);
S is linear between the points T_k = #{i : a_i >= k} where the sorted degree changes and F is
concave, so only t = T_k matters; writing the concave F as the minimum of its pieces,
F(t) = min_s [Σ_{d_b <= s} d_b + t·#{d_b > s}] over the distinct demands s (and s = 0), the
condition S(T_k) <= F(T_k) becomes Σ_{j >= k} (j - B_s) x_j <= A_s with B_s = #{d_b > s},
A_s = Σ_{d_b <= s} d_b.  Taking the worst k (= B_s + 1) for each s gives
Σ_j (j - B_s)^+ x_j <= A_s, and since B_s = t ∈ T and A_s = D - P(t), these are exactly (c):
both readings give the same |T| + 2 rows.

The model has m + 1 integer variables and at most (#distinct demands + 1) rows, each with
at most m + 1 non-zeros; its size does not depend on n.  Its LP relaxation is the compact
LP of :mod:`solver.sampling.relaxation` (equal to the paper's subset LP).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from ..errors import SolverError
from ..opt import LinearProgram, solve
from ..opt.result import Solution


def cut_points(demands: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The positions T where the sorted demand changes, and the right sides D - P(t).

    Parameters
    ----------
    demands
        Buyer sample sizes d_b.

    Returns
    -------
    (t, rhs)
        Integer arrays: t ∈ 1..m-1 with d_(t) > d_(t+1) (demands sorted non-increasingly),
        and rhs[j] = D - P(t[j]) = the sum of the m - t[j] smallest demands.
    """
    d = np.sort(np.asarray(demands, dtype=np.int64))[::-1]
    m = d.size
    if m <= 1:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    t = np.flatnonzero(d[:-1] > d[1:]) + 1
    suffix = np.concatenate([np.cumsum(d[::-1])[::-1], [0]])  # suffix[t] = Σ_{j >= t} d_(j+1)
    return t.astype(np.int64), suffix[t].astype(np.int64)


def _hinge_matrix(t: np.ndarray, m: int) -> sp.csr_matrix:
    """H[j, k] = (k - t_j)^+ for k = 0..m, built sparse (row j has m - t_j non-zeros)."""
    t = np.asarray(t, dtype=np.int64)
    lengths = m - t
    rows = np.repeat(np.arange(t.size), lengths)
    starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
    offset = np.arange(rows.size) - starts + 1  # 1..m - t_j within row j
    cols = np.repeat(t, lengths) + offset
    return sp.csr_matrix((offset.astype(float), (rows, cols)), shape=(t.size, m + 1))


def is_realisable(histogram: np.ndarray, n: int, demands: np.ndarray) -> bool:
    """Whether a seller-degree histogram is realisable (conditions (a)-(c), exact integers)."""
    x = np.asarray(histogram)
    d = np.asarray(demands, dtype=np.int64)
    m = d.size
    if x.shape != (m + 1,) or np.any(x < 0) or np.any(x != np.round(x)):
        return False
    x = np.round(x).astype(np.int64)
    if x.sum() != n or int(np.arange(m + 1) @ x) != int(d.sum()):
        return False
    t, rhs = cut_points(d)
    lhs = _hinge_matrix(t, m).astype(np.int64) @ x
    return bool(np.all(lhs <= rhs))


def degree_milp(n: int, demands: np.ndarray, payment: np.ndarray, *,
                integer: bool = True) -> LinearProgram:
    """The histogram MILP (module docstring): min (1/n) Σ_k π(k) x_k s.t. (a), (b), (c).

    Parameters
    ----------
    n, demands, payment
        The instance; ``payment`` has length m + 1.
    integer
        ``False`` gives the compact LP relaxation.
    """
    d = np.asarray(demands, dtype=np.int64)
    m = d.size
    pi = np.asarray(payment, dtype=float)
    if pi.size != m + 1:
        raise ValueError(f"payment has length {pi.size}, expected m + 1 = {m + 1}")
    k = np.arange(m + 1)
    t, rhs = cut_points(d)
    A_eq = sp.csr_matrix(np.vstack([np.ones(m + 1), k.astype(float)]))
    b_eq = np.array([n, d.sum()], dtype=float)
    H = _hinge_matrix(t, m)
    # a seller cannot have more buyers than there are buyers with positive demand, nor than D
    kmax = min(int(np.count_nonzero(d)), int(d.sum()))
    ub = np.where(k <= kmax, float(n), 0.0)
    return LinearProgram(c=pi / n, A_ub=H, b_ub=rhs.astype(float), A_eq=A_eq, b_eq=b_eq,
                         lb=np.zeros(m + 1), ub=ub, integrality=np.full(m + 1, integer),
                         names=tuple(f"x{j}" for j in k))


@dataclass
class SamplingOptimum:
    """Π^OPT with its certificate.

    Attributes
    ----------
    objective
        Π^OPT (exact when ``solution.status == "optimal"``; the incumbent otherwise).
    solution
        The :class:`solver.opt.Solution` of the histogram MILP (status, bound, gap, backend).
    degrees
        The optimal seller-degree histogram: ``degrees[k]`` sellers have k buyers (length m+1).
    """

    objective: float
    solution: Solution
    degrees: np.ndarray
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def status(self) -> str:
        """The solve's status (``"optimal"`` only when proven)."""
        return self.solution.status

    @property
    def p(self) -> np.ndarray:
        """p(k) = degrees[k] / n, the count distribution of the optimal ψ."""
        return self.degrees / self.degrees.sum()

    def degree_sequence(self) -> np.ndarray:
        """The seller degrees, sorted non-increasingly (length n)."""
        k = np.arange(self.degrees.size)
        return np.repeat(k, self.degrees)[::-1]


def optimal_payment(n: int, demands: np.ndarray, payment: np.ndarray, *,
                    backend: str = "auto", time_limit: float | None = None) -> SamplingOptimum:
    """Π^OPT = min over ψ ∈ Ψ(N) of Σ_k p_ψ(k) π(k), by the histogram MILP (Section 5.1).

    Parameters
    ----------
    n
        Number of sellers.
    demands
        Buyer sample sizes d_b in 0..n (length m).
    payment
        π(0..m).
    backend, time_limit
        Passed to :func:`solver.opt.solve`.

    Returns
    -------
    SamplingOptimum
        ``objective`` recomputed exactly from the integer histogram, which is checked
        against conditions (a)-(c) in integer arithmetic before it is returned.

    Raises
    ------
    SolverError
        If the backend fails or returns a histogram that is not realisable.
    """
    d = np.asarray(demands, dtype=np.int64)
    pi = np.asarray(payment, dtype=float)
    lp = degree_milp(n, d, pi)
    sol = solve(lp, backend=backend, time_limit=time_limit)
    if sol.x is None or sol.status not in ("optimal", "time_limit"):
        raise SolverError(f"degree MILP not solved: status={sol.status} ({sol.message})")
    x = np.round(sol.x).astype(np.int64)
    if np.max(np.abs(sol.x - x)) > 1e-5 or not is_realisable(x, n, d):
        raise SolverError(f"backend {sol.backend} returned a non-realisable histogram "
                          f"(max violation {lp.max_violation(sol.x):.3g})")
    obj = float(pi @ x) / n
    return SamplingOptimum(obj, sol, x)


def realise_graph(histogram: np.ndarray, demands: np.ndarray):
    """A bipartite graph realising the histogram (networkx Havel–Hakimi), as a certificate.

    Sellers are nodes ``("s", i)``, buyers ``("b", j)``.  Raises ``ValueError`` if the
    greedy construction does not reproduce the degrees (i.e. the pair is not bigraphic).
    Meant for tests and small instances (it builds every edge).
    """
    import networkx as nx
    from networkx.algorithms import bipartite

    x = np.asarray(histogram, dtype=np.int64)
    aseq = np.repeat(np.arange(x.size), x)[::-1].tolist()
    bseq = [int(v) for v in demands]
    g = bipartite.havel_hakimi_graph(aseq, bseq, create_using=nx.Graph)
    na = len(aseq)
    got_a = [g.degree(i) for i in range(na)]
    got_b = [g.degree(na + j) for j in range(len(bseq))]
    if got_a != aseq or got_b != bseq:
        raise ValueError("degree sequences are not bigraphic")
    return nx.relabel_nodes(g, {i: (("s", i) if i < na else ("b", i - na)) for i in g})
