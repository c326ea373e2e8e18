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

The same condition from the seller side (re-derived; see docs/sampling.md): with the seller
degrees sorted non-increasingly and S(t) their prefix sums, Gale–Ryser asks
S(t) <= F(t) = Σ_b min(d_b, t); S is linear between the points T_k = #{i : a_i >= k}
where the sorted degree changes and F is concave, so only t = T_k matters; writing the
concave F as the minimum of its pieces, F(t) = min_s [Σ_{d_b <= s} d_b + t·#{d_b > s}]
over the distinct demands s (and s = 0), the condition S(T_k) <= F(T_k) becomes
Σ_{j >= k} (j - B_s) x_j <= A_s with B_s = #{d_b > s}, A_s = Σ_{d_b <= s} d_b.
Taking the worst k (= B_s + 1) for each s gives Σ_j (j - B_s)^+ x_j <= A_s, and since
B_s = t ∈ T and A_s = D - P(t), these are exactly (c): both readings give the same |T| + 2
rows.

The model as built
------------------
Written with x alone, row (c) has m − t non-zeros and the rows together up to m²/2 (12.5
million at m = 5000: HiGHS needed over a minute for m = 1000).  The hinge sums are
cumulative sums, so :func:`degree_milp` adds two chains of variables: y_k = Σ_{j >= k} x_j
(the number of sellers of degree >= k, the conjugate degree sequence) and
s_t = Σ_{j > t} y_j = Σ_k (k − t)^+ x_k, linked by

    x_0 + y_1 = n,   x_k − y_k + y_{k+1} = 0 (k = 1..m, y_{m+1} = 0),
    s_t − s_{t+1} − y_{t+1} = 0 (t = 0..m−1, s_m = 0),

so that (a) holds by construction, (b) is the bound s_0 = D and (c) the bounds
s_t <= D − P(t).  The map x -> (x, y, s) is linear and invertible on the constraint set,
so the MILP and its LP relaxation (the compact LP of :mod:`solver.sampling.relaxation`,
equal to the paper's subset LP) keep their values; the integer variables are the y_k
(x_k = y_k − y_{k+1} is then integral), which branch better than x.  About 2m + 1 rows and
7m non-zeros, whatever n is.

Numerics
--------
:func:`optimal_payment` and the compact LP hand the backend π / max π (the histogram and
the optimum's argmin do not depend on the unit of money) and multiply objective, bound and
duals back, so every amount scales exactly with the instance.  The returned histogram is
rounded from y, checked against (a)-(c) in integer arithmetic and its cost recomputed;
:func:`check_optimum` then compares it with the solver's objective and bound, the LP
relaxation (a lower bound) and the ordering and independent distributions (unbiased, hence
upper bounds), all relative to max π.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import scipy.sparse as sp

from ..budget import check_memory
from ..errors import CertificateError, SolverError
from ..opt import LinearProgram, solve
from ..opt.result import Solution, relative_gap
from .distributions import ordering_histogram
from .tolerances import CERTIFICATE, INTEGRALITY

#: Bytes per buyer of the histogram MILP handed to a backend (3m + 1 variables, 7m
#: non-zeros, and a backend's working copies: a generous 4 KiB).
MILP_BYTES_PER_BUYER = 4096.0


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


def hinge_sums(histogram: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Σ_k (k − t_j)^+ x_k for each t_j, in O(m) by two suffix sums (exact for integers).

    With y_k = Σ_{i >= k} x_i, the sum is Σ_{i > t} y_i.  Integer input gives integer output.
    """
    x = np.asarray(histogram)
    y = np.cumsum(x[::-1])[::-1]                  # y[k] = Σ_{i >= k} x_i, k = 0..m
    tail = np.concatenate([np.cumsum(y[:0:-1])[::-1], [0]])  # tail[t] = Σ_{i > t} y_i
    return tail[np.asarray(t, dtype=np.int64)]


def is_realisable(histogram: np.ndarray, n: int, demands: np.ndarray) -> bool:
    """Whether a seller-degree histogram is realisable (conditions (a)-(c), exact integers)."""
    return not realisability_failures(histogram, n, demands)


def realisability_failures(histogram: np.ndarray, n: int, demands: np.ndarray) -> list[str]:
    """Which of the conditions (a)-(c) a histogram breaks (empty: realisable), in integers.

    (b) is unbiasedness: Σ_k k x_k = D means every seller's expected number of buyers is
    D / n (Lemma 4.2).
    """
    x = np.asarray(histogram)
    d = np.asarray(demands, dtype=np.int64)
    m = d.size
    if x.shape != (m + 1,):
        return [f"histogram has shape {x.shape}, expected ({m + 1},)"]
    xf = np.asarray(x, dtype=float)
    if not np.all(np.isfinite(xf)) or np.any(xf < 0) or np.any(xf > n) \
            or np.any(xf != np.round(xf)):
        return ["histogram entries must be integers in 0..n"]
    xi = np.round(xf).astype(np.int64)
    out = []
    if int(xi.sum()) != n:
        out.append(f"(a) the histogram counts {int(xi.sum())} sellers, not n = {n}")
    deg = int(np.arange(m + 1, dtype=np.int64) @ xi)
    if deg != int(d.sum()):
        out.append(f"(b) unbiasedness: the sellers' degrees sum to {deg}, not D = {int(d.sum())}"
                   " (mean count D/n, Lemma 4.2)")
    t, rhs = cut_points(d)
    lhs = hinge_sums(xi, t)
    bad = np.flatnonzero(lhs > rhs)
    if bad.size:
        j = int(bad[0])
        out.append(f"(c) Gale-Ryser fails at t = {int(t[j])}: {int(lhs[j])} > {int(rhs[j])}")
    return out


def degree_milp(n: int, demands: np.ndarray, payment: np.ndarray, *,
                integer: bool = True) -> LinearProgram:
    """The histogram MILP (module docstring): min (1/n) Σ_k π(k) x_k s.t. (a), (b), (c).

    Variables, in order: x_0..x_m (the histogram, names ``x0``..), y_1..y_m (sellers of
    degree >= k, integer) and s_0..s_{m-1} (s_t = Σ_k (k − t)^+ x_k); see "The model as
    built" in the module docstring.

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
    t, rhs = cut_points(d)
    D = float(d.sum())
    nx = m + 1
    ny = ns = m
    iy = nx + np.arange(m)                 # column of y_{k}, k = 1..m
    js = nx + ny + np.arange(m)            # column of s_t, t = 0..m-1
    k = np.arange(1, m + 1)
    # rows 0..m-1: x_k − y_k + y_{k+1} = 0 (k = 1..m); row m: x_0 + y_1 = n;
    # rows m+1..2m: s_t − s_{t+1} − y_{t+1} = 0 (t = 0..m-1)
    r1 = k - 1
    r3 = m + 1 + np.arange(m)
    rows = np.concatenate([r1, r1, r1[:-1], [m], [m] if m else [], r3, r3[:-1], r3])
    cols = np.concatenate([k, iy, iy[1:], [0], iy[:1], js, js[1:], iy])
    vals = np.concatenate([np.ones(m), -np.ones(m), np.ones(max(m - 1, 0)), [1.0],
                           [1.0] if m else [], np.ones(m), -np.ones(max(m - 1, 0)),
                           -np.ones(m)])
    N = nx + ny + ns
    A_eq = sp.csr_matrix((vals, (rows.astype(np.int64), cols.astype(np.int64))),
                         shape=(2 * m + 1, N))
    b_eq = np.zeros(2 * m + 1)
    b_eq[m] = n
    # a seller cannot have more buyers than there are buyers with positive demand, nor than D
    kmax = min(int(np.count_nonzero(d)), int(d.sum()))
    lb = np.zeros(N)
    ub = np.full(N, float(n))
    ub[:nx] = np.where(np.arange(nx) <= kmax, float(n), 0.0)
    ub[iy] = np.where(k <= kmax, float(n), 0.0)
    ub[js] = D
    if m:
        lb[js[0]] = D                          # (b): s_0 = Σ_k k x_k = D
    ub[js[t]] = np.minimum(ub[js[t]], rhs.astype(float))   # (c)
    c = np.zeros(N)
    c[:nx] = pi / n
    integ = np.zeros(N, dtype=bool)
    integ[iy] = integer
    if m == 0:
        integ[0] = integer
    names = (tuple(f"x{j}" for j in range(nx)) + tuple(f"y{j}" for j in k)
             + tuple(f"s{j}" for j in range(m)))
    return LinearProgram(c=c, A_eq=A_eq, b_eq=b_eq, lb=lb, ub=ub, integrality=integ,
                         names=names)


def payment_scale(payment: np.ndarray) -> float:
    """max |π|, the unit the models are solved in (1 for an all-zero π)."""
    top = float(np.max(np.abs(np.asarray(payment, dtype=float)), initial=0.0))
    return top if top > 0 else 1.0


def rescaled(sol: Solution, scale: float) -> Solution:
    """A solution of the model with objective c / scale, in the original units."""
    duals = None if sol.duals is None else {k: np.asarray(v) * scale
                                            for k, v in sol.duals.items()}
    return replace(sol, objective=sol.objective * scale, bound=sol.bound * scale, duals=duals)


def check_milp_memory(m: int, method: str = "the histogram MILP") -> None:
    """Refuse (exit 2) a model whose estimated size exceeds the memory budget."""
    check_memory("demands", MILP_BYTES_PER_BUYER * (m + 1), method, None)


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
        ``objective`` recomputed from the integer histogram, which is checked against
        conditions (a)-(c) in integer arithmetic before it is returned; ``solution`` in the
        instance's units (the model is solved with π / max π, see the module docstring),
        its ``x`` the histogram part x_0..x_m of the backend's point.

    Raises
    ------
    CertificateError
        If the backend's histogram is not integral or not realisable.
    SolverError
        If the backend fails.

    Notes
    -----
    When the time limit stops the MILP the result has status ``time_limit``: the better
    of the backend's incumbent and the ordering distribution's histogram (``extra``
    ``{"incumbent": "milp" | "ordering"}``), with the backend's bound.
    """
    d = np.asarray(demands, dtype=np.int64)
    pi = np.asarray(payment, dtype=float)
    m = d.size
    check_milp_memory(m)
    scale = payment_scale(pi)
    lp = degree_milp(n, d, pi / scale)
    sol = solve(lp, backend=backend, time_limit=time_limit)
    if sol.status == "time_limit":
        return _stopped(sol, n, d, pi, scale)
    if sol.x is None or sol.status != "optimal":
        raise SolverError(f"degree MILP not solved: status={sol.status} ({sol.message})")
    x = histogram_from_solution(sol.x, n, m)
    bad = realisability_failures(x, n, d)
    if bad:
        raise CertificateError(f"backend {sol.backend} returned a histogram that is not "
                               f"realisable: {'; '.join(bad)}")
    # the solution in the instance's units, its point the histogram part x_0..x_m
    sol = replace(rescaled(sol, scale), x=np.asarray(sol.x, dtype=float)[:m + 1])
    return SamplingOptimum(histogram_cost(x, pi, n), sol, x)


def _stopped(sol: Solution, n: int, d: np.ndarray, pi: np.ndarray, scale: float
             ) -> SamplingOptimum:
    """A MILP stopped by the time limit: the better of its incumbent (if realisable) and
    the ordering distribution's histogram (always realisable), with the solver's bound."""
    m = d.size
    best = ordering_histogram(n, d)
    source = "ordering"
    if sol.x is not None:
        try:
            x = histogram_from_solution(sol.x, n, m)
        except CertificateError:
            x = None
        if x is not None and is_realisable(x, n, d) and \
                histogram_cost(x, pi, n) <= histogram_cost(best, pi, n):
            best, source = x, "milp"
    cost = histogram_cost(best, pi, n)
    bound = sol.bound * scale if np.isfinite(sol.bound) else float("nan")
    note = sol.message + ("" if source == "milp" else
                          "; incumbent: the ordering distribution's histogram")
    out = replace(sol, x=best.astype(float), objective=cost, bound=bound,
                  gap=relative_gap(cost / scale, sol.bound), duals=None, message=note)
    return SamplingOptimum(cost, out, best, {"incumbent": source})


def histogram_from_solution(z: np.ndarray, n: int, m: int) -> np.ndarray:
    """The integer histogram of a :func:`degree_milp` point, rounded from its y_k.

    Raises
    ------
    CertificateError
        If some y_k is farther than :data:`~solver.sampling.tolerances.INTEGRALITY` (plus
        the rounding of a double of size n) from an integer, or outside 0..n.
    """
    z = np.asarray(z, dtype=float)
    if m == 0:
        return np.array([n], dtype=np.int64)
    y = z[m + 1:2 * m + 1]
    tol = INTEGRALITY + 4.0 * np.finfo(float).eps * n
    if not np.all(np.isfinite(y)) or np.any(y < -tol) or np.any(y > n + tol):
        raise CertificateError("the degree MILP's point has y_k outside 0..n")
    yr = np.round(y)
    if np.max(np.abs(y - yr), initial=0.0) > tol:
        raise CertificateError(f"the degree MILP's point is not integral (y_k off by "
                               f"{np.max(np.abs(y - yr)):.3g})")
    yi = np.concatenate([[n], yr.astype(np.int64), [0]])
    return yi[:-1] - yi[1:]


def histogram_cost(histogram: np.ndarray, payment: np.ndarray, n: int) -> float:
    """(1/n) Σ_k π(k) x_k, summed in units of max π so that it cannot overflow."""
    pi = np.asarray(payment, dtype=float)
    scale = payment_scale(pi)
    return float((pi / scale) @ (np.asarray(histogram, dtype=float) / n)) * scale


def check_optimum(opt: SamplingOptimum, n: int, demands: np.ndarray, payment: np.ndarray, *,
                  upper: dict[str, float] | None = None,
                  lower: dict[str, float] | None = None) -> list[str]:
    """The problem-level a-posteriori check of a reported Π^OPT; returns what failed.

    The histogram must be realisable and unbiased ((a)-(c)), its recomputed cost must equal
    the reported objective and the solver's own objective, the bound must not exceed it
    (a minimisation), and it must lie between every known lower bound (``lower``: the LP
    relaxation) and upper bound (``upper``: the cost of the ordering and independent
    distributions, both unbiased).  Tolerances are
    :data:`~solver.sampling.tolerances.CERTIFICATE` times max |π|.
    """
    pi = np.asarray(payment, dtype=float)
    tol = CERTIFICATE * payment_scale(pi)
    failed = list(realisability_failures(opt.degrees, n, demands))
    if failed:
        return failed
    cost = histogram_cost(opt.degrees, pi, n)
    if not abs(cost - opt.objective) <= tol:
        failed.append(f"the histogram costs {cost!r}, not the reported {opt.objective!r}")
    sol = opt.solution
    if np.isfinite(sol.objective) and not abs(sol.objective - cost) <= tol:
        failed.append(f"the solver's objective {sol.objective!r} differs from the "
                      f"histogram's cost {cost!r}")
    if np.isfinite(sol.bound) and not sol.bound <= cost + tol:
        failed.append(f"the bound {sol.bound!r} exceeds the minimum {cost!r}")
    for name, v in (lower or {}).items():
        if v is not None and np.isfinite(v) and not v <= cost + tol:
            failed.append(f"the {name} {v!r} (a lower bound) exceeds Π^OPT = {cost!r}")
    for name, v in (upper or {}).items():
        if v is not None and np.isfinite(v) and not cost <= v + tol:
            failed.append(f"the {name} distribution costs {v!r} < Π^OPT = {cost!r}, "
                          "so the reported optimum is not minimal")
    return failed


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
