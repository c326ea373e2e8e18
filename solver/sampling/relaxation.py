r"""The LP over Ψ from the proof of Theorem 4.4, and the compact LP; both relax Π^OPT.

Subset LP (the paper's, proof of Theorem 4.4)
---------------------------------------------
From one seller's point of view an outcome is the set S ⊆ B of buyers who see him; q(S) is
its probability.  Unbiasedness fixes the marginals: Σ_{S ∋ b} q(S) = z_b = d_b / n.  The LP

    min Σ_S q(S) π(|S|)   s.t.   Σ_S q(S) = 1,   Σ_{S ∋ b} q(S) = d_b / n,   q >= 0

has 2^m variables (:func:`subset_lp`, kept as the reference for m <= 16).  It forgets that
the n sellers share one outcome (the counts must come from one graph), so it is a
relaxation: on n = 2, d = (1, 1, 1), π = (0, 1, 1, 10) it gives 0.75 (p(0) = 1/4,
p(2) = 3/4) while every graph has degrees (1, 2) or (0, 3), so Π^OPT = 1.

Aggregated form (= the compact LP)
----------------------------------
The objective depends on q only through p(k) = Σ_{|S| = k} q(S).  **Claim.** p is the size
distribution of some feasible q iff Σ_k p(k) = 1, Σ_k k p(k) = D/n and, for t ∈ T (the
positions where the sorted demand changes, see :mod:`solver.sampling.optimum`),
Σ_k (k - t)^+ p(k) <= (D - P(t)) / n.

*Proof.*  Necessity: for the set A of the t largest-demand buyers, P(t)/n = Σ_{b ∈ A} z_b =
E|S ∩ A| <= E min(|S|, t) = D/n - Σ_k (k - t)^+ p(k).  Sufficiency: f(t) = Σ_k p(k) min(k, t)
is concave, so r(A) = f(|A|) is a polymatroid rank function, the sum of the uniform-matroid
ranks p(k)·min(k, |A|).  The base polytope of a sum of polymatroids is the Minkowski sum of
their base polytopes (Fujishige, *Submodular Functions and Optimization*, Thm 3.8), and the
base polytope of p(k)·min(k, |A|) is p(k) times the hypersimplex {z ∈ [0,1]^m : Σ z = k},
whose vertices are the indicators of k-sets.  So z is a marginal vector of a distribution q
with size law p iff z(A) <= f(|A|) for all A and z(B) = f(m); for a symmetric rank it suffices
to take A = the t largest z, i.e. P(t)/n <= f(t), and the convexity argument of
:mod:`solver.sampling.optimum` reduces t = 1..m to t ∈ T.  ∎

Scaling x = n·p turns this into the continuous relaxation of the histogram MILP
(:func:`compact_lp`), so the paper's LP, its aggregated form and the compact LP all have the
same value; the tests check subset LP = compact LP on random instances.  Both are exact when
the compact LP has an integral optimum n·p, and the gap closes as n grows with d/n fixed
(the LP value depends only on d/n; see ``benchmarks/bench_sampling.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp

from ..errors import SizeLimitError, SolverError
from ..opt import LinearProgram, solve
from ..opt.result import Solution
from .optimum import check_milp_memory, degree_milp, payment_scale, rescaled

#: Largest number of buyers for the explicit subset LP (2^m variables).
SUBSET_LP_MAX_BUYERS = 16


@dataclass
class RelaxationResult:
    """Value of a relaxation with its certificate and the relaxed count distribution p(k)."""

    objective: float
    p: np.ndarray
    solution: Solution
    method: str


def _certified(sol: Solution, what: str) -> Solution:
    if sol.status != "optimal" or sol.x is None:
        raise SolverError(f"{what} not solved to optimality: status={sol.status} "
                          f"({sol.message})")
    return sol


def compact_lp(n: int, demands: np.ndarray, payment: np.ndarray, *, backend: str = "auto",
               time_limit: float | None = None) -> RelaxationResult:
    """The continuous relaxation of the histogram MILP (module docstring).

    Returns p = x / n and the value min Σ_k p(k) π(k); equal to the subset LP's value.
    Solved with π / max π and scaled back (:func:`solver.sampling.optimum.rescaled`).
    """
    d = np.asarray(demands, dtype=np.int64)
    pi = np.asarray(payment, dtype=float)
    check_milp_memory(d.size, "the compact LP")
    scale = payment_scale(pi)
    lp = degree_milp(n, d, pi / scale, integer=False)
    sol = _certified(solve(lp, backend=backend, time_limit=time_limit), "compact LP")
    sol = replace(rescaled(sol, scale), x=np.asarray(sol.x, dtype=float)[:d.size + 1])
    p = np.clip(sol.x, 0, None) / n
    return RelaxationResult(float(sol.objective), p, sol, "compact-lp")


def subset_lp(n: int, demands: np.ndarray, payment: np.ndarray, *, backend: str = "auto",
              time_limit: float | None = None) -> RelaxationResult:
    """The paper's LP over subsets S ⊆ B (proof of Theorem 4.4), explicitly: 2^m variables.

    Raises
    ------
    SizeLimitError
        If m > :data:`SUBSET_LP_MAX_BUYERS`.
    """
    d = np.asarray(demands, dtype=np.int64)
    m = d.size
    if m > SUBSET_LP_MAX_BUYERS:
        raise SizeLimitError("demands", f"the subset LP has 2^m variables; m = {m} > "
                             f"{SUBSET_LP_MAX_BUYERS}", "the compact LP (compact_lp)")
    pi = np.asarray(payment, dtype=float)
    scale = payment_scale(pi)
    masks = np.arange(2**m, dtype=np.int64)
    member = ((masks[None, :] >> np.arange(m)[:, None]) & 1).astype(float)  # m x 2^m
    size = member.sum(axis=0).astype(np.int64)
    A_eq = sp.vstack([sp.csr_matrix(np.ones((1, masks.size))), sp.csr_matrix(member)])
    b_eq = np.concatenate([[1.0], d / n])
    lp = LinearProgram(c=pi[size] / scale, A_eq=A_eq, b_eq=b_eq)
    sol = rescaled(_certified(solve(lp, backend=backend, time_limit=time_limit), "subset LP"),
                   scale)
    p = np.bincount(size, weights=np.clip(sol.x, 0, None), minlength=m + 1)
    return RelaxationResult(float(sol.objective), p, sol, "subset-lp")


def relaxation_gap(exact: float, relaxed: float) -> dict[str, float]:
    """Absolute and relative gap between Π^OPT and a relaxation value (relative to Π^OPT)."""
    absolute = float(exact - relaxed)
    rel = absolute / exact if exact > 0 else (0.0 if absolute == 0 else float("inf"))
    return {"absolute": absolute, "relative": float(rel)}


def balanced_rounding(x: np.ndarray, n: int, demands: np.ndarray) -> np.ndarray:
    r"""A realisable integer histogram from a feasible fractional one (the compact LP's x).

    Keep x0 = floor(x) and give the r = Σ_k (x_k - x0_k) remaining sellers the remaining
    Δ = D - Σ_k k x0_k degrees as evenly as possible (floor(Δ/r) or floor(Δ/r) + 1).

    *Why it is feasible.*  Σ = n and Σ k = D hold by construction.  For a cut t the hinge
    φ_t(k) = (k - t)^+ is convex with an integer kink, so the even split contributes
    r·φ_t(Δ/r) <= Σ_k f_k φ_t(k) (Jensen, f = x - x0 has mass r and mean Δ/r), hence
    H x_round <= H x <= R.  Its cost exceeds the LP's by at most r·max π / n, and at a vertex
    of the LP r <= (number of fractional entries) - 1 <= |T| + 1, which gives
    0 <= Π^OPT - LP <= (|T| + 1)·max_k π(k) / n  (:func:`gap_bound`).
    """
    d = np.asarray(demands, dtype=np.int64)
    m, D = d.size, int(d.sum())
    xr = np.asarray(x, dtype=float)
    x0 = np.floor(xr + 1e-9).astype(np.int64)
    x0 = np.maximum(x0, 0)
    r = n - int(x0.sum())
    delta = D - int(np.arange(m + 1) @ x0)
    if r < 0 or delta < 0 or (r == 0 and delta != 0):
        raise ValueError("x is not a feasible fractional histogram")
    if r == 0:
        return x0
    fl, a = divmod(delta, r)
    if fl > m or (a > 0 and fl + 1 > m):
        raise ValueError("x is not a feasible fractional histogram")
    x0[fl] += r - a
    if a:
        x0[fl + 1] += a
    return x0


def gap_bound(n: int, demands: np.ndarray, payment: np.ndarray) -> float:
    """The proven bound (|T| + 1)·max π / n on Π^OPT - LP (see :func:`balanced_rounding`)."""
    from .optimum import cut_points

    t, _ = cut_points(np.asarray(demands))
    return (t.size + 1) * float(np.max(payment)) / n
