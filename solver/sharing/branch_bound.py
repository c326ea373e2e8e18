"""Branch-and-bound over sharing profiles with a proven upper bound.

Objective family (see :mod:`.objectives`)::

    value(S) = Σ_i α_i I_i(S) + Σ_{i∈S} (γ_i I_i(S) - β_i m_i(S)),   β ≥ 0.

Node: users fixed in (``F1``), fixed out (``F0``), free (``U``); ``T = F1 ∪ U``.  Every
completion ``S`` satisfies ``F1 ⊆ S ⊆ T``.

Facts used (both proven for the Gaussian model):

(M) Monotonicity: ``A ⊆ B ⇒ I_i(A) ≤ I_i(B)`` (conditioning on more signals never raises the
    posterior variance) — the appendix's "leaked information is monotonically increasing".
(D) Own-data diminishing returns: for ``i ∈ A ⊆ B``, ``m_i(A) ≥ m_i(B)``, since
    ``m_i = g(s)`` with ``g(s) = s²/(s+τ)`` increasing and ``s = Var(x_i | s_{A∖i})``
    nonincreasing in A (re-derived).

Upper bound (Theorem, proven here).  Write ``c·[x, y] := max(c x, c y)`` (valid bound of
``c z`` for any ``z ∈ [x, y]``, whatever the sign of ``c``).  Then ``value(S) ≤ UB`` with::

    UB = Σ_{i∉T}  α_i·[I_i(F1), I_i(T)]
       + Σ_{i∈F1} (α_i+γ_i)·[I_i(F1), I_i(T)] - β_i m_i(T)
       + Σ_{i∈U}  max( α_i·[I_i(F1), I_i(T) - m_i(T)],
                       (α_i+γ_i)·[I_i(F1 ∪ {i}), I_i(T)] - β_i m_i(T) ).

Proof.  For ``i ∉ T`` (and ``i ∈ U`` left out of S): ``F1 ⊆ S ⊆ T ∖ {i}``, so by (M)
``I_i(F1) ≤ I_i(S) ≤ I_i(T ∖ {i}) = I_i(T) - m_i(T)`` (for ``i ∉ T`` the upper end is
``I_i(T)``).  For ``i ∈ S``: ``F1 ∪ {i} ⊆ S ⊆ T`` gives ``I_i(S) ∈ [I_i(F1 ∪ {i}), I_i(T)]`` by
(M) and ``m_i(S) ≥ m_i(T)`` by (D), so ``-β_i m_i(S) ≤ -β_i m_i(T)`` as ``β_i ≥ 0``.  A free
user is either in or out, hence the max.  Summing the per-user bounds bounds the value. ∎
At a leaf (``U = ∅``) ``F1 = T = S`` and UB equals the value, so the search is exact.  For the
platform payoff (α = 1, γ = 0, β = v) it reads
``UB = Σ_{j∉U∪F1} I_j(T) + Σ_{F1} (I_i(T) - v_i m_i(T)) + Σ_U (I_i(T) - min(1, v_i) m_i(T))``,
which is at least as tight as the bound first derived for it.

Exact reductions applied first: (R3) block decomposition — Σ block diagonal makes the
objective a sum over connected components of the graph ``Σ_ij ≠ 0``; (R1) users in
``obj.fix_in_mask()`` are fixed in (Lemma 3 generalised; proof in
:meth:`.ProfileObjective.fix_in_mask`).  Incumbent: local search.  Branching: the free user
whose in/out bound terms differ most, larger branch first, depth first.
"""

from __future__ import annotations

import time

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from .. import budget
from .enumeration import SearchResult
from .heuristics import local_search
from .leakage import posterior_stats, posterior_variances
from .objectives import ProfileObjective, evaluate
from .tolerances import TIE

__all__ = ["node_bound", "branch_and_bound", "components"]


def components(sigma: np.ndarray) -> list[np.ndarray]:
    """Connected components of the graph with an edge ``i–j`` iff ``Σ_ij ≠ 0`` (R3)."""
    k, lab = connected_components(csr_matrix(sigma != 0), directed=False)
    return [np.flatnonzero(lab == c) for c in range(k)]


def _maxlin(c: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.maximum(c * x, c * y)


def node_bound(sigma: np.ndarray, obj: ProfileObjective, f1: np.ndarray, free: np.ndarray,
               noise: float = 1.0) -> tuple[float, np.ndarray, np.ndarray]:
    """Upper bound of the module docstring at node ``(F1, U)``.

    Returns ``(UB, in_terms, out_terms)`` (the per-user terms for free users are used for
    branching).
    """
    var = np.diag(sigma)
    t = f1 | free
    p1 = posterior_variances(sigma, f1, noise)
    pt, mt = posterior_stats(sigma, t, noise)
    i1, it = var - p1, var - pt
    i1_plus = i1 + p1 * p1 / (p1 + noise)            # I_i(F1 ∪ {i}) for i ∉ F1
    al, ga, be = obj.alpha, obj.gamma, obj.beta
    out_terms = _maxlin(al, i1, it - mt)
    in_terms = _maxlin(al + ga, i1_plus, it) - be * mt
    ub = float(np.sum(_maxlin(al, i1, it)[~t])
               + np.sum((_maxlin(al + ga, i1, it) - be * mt)[f1])
               + np.sum(np.maximum(in_terms, out_terms)[free]))
    return ub, in_terms, out_terms


def _bb_component(sigma: np.ndarray, obj: ProfileObjective, noise: float, deadline: float,
                  incumbent: np.ndarray, node_cap: float = np.inf
                  ) -> tuple[float, np.ndarray, float, int, bool]:
    fixed_in = obj.fix_in_mask()
    best_mask = incumbent | fixed_in
    best = evaluate(sigma, best_mask, obj, noise)
    stack = [(fixed_in.copy(), ~fixed_in)]
    nodes = 0
    open_bound = -np.inf
    timed_out = False
    while stack:
        if nodes >= node_cap or time.perf_counter() > deadline:
            timed_out = True
            for f1, fr in stack:
                open_bound = max(open_bound, node_bound(sigma, obj, f1, fr, noise)[0])
            break
        f1, fr = stack.pop()
        nodes += 1
        ub, tin, tout = node_bound(sigma, obj, f1, fr, noise)
        if ub <= best + TIE:
            continue
        for cand in (f1, f1 | fr):                  # both ends are feasible profiles
            w = evaluate(sigma, cand, obj, noise)
            if w > best + TIE:
                best, best_mask = w, cand.copy()
        if not fr.any() or ub <= best + TIE:
            continue
        idx = np.flatnonzero(fr)
        j = int(idx[np.argmax(np.abs(tin[idx] - tout[idx]))])
        fr2 = fr.copy()
        fr2[j] = False
        inn = f1.copy()
        inn[j] = True
        children = [(f1, fr2), (inn, fr2)]            # out, in
        if tin[j] >= tout[j]:
            stack.extend(children)                     # "in" popped first
        else:
            stack.extend(children[::-1])
    bound = max(best, open_bound) if timed_out else best
    return best, best_mask, bound, nodes, timed_out


def branch_and_bound(sigma: np.ndarray, obj: ProfileObjective, noise: float = 1.0,
                     time_limit: float | None = None,
                     max_nodes: int | None = None) -> SearchResult:
    """Exact optimum by branch-and-bound (module docstring); ``status='time_limit'`` if cut.

    Parameters
    ----------
    sigma, obj, noise
        Covariance, objective (``β ≥ 0``, true for every objective of the appendix) and
        noise variance.
    time_limit
        Seconds, capped by the deadline of the :mod:`solver.budget` in force.
    max_nodes
        Node budget over all components (``None``: unlimited); reaching it stops the search
        like the time limit, with the best bound of the open nodes
        (``details["stopped_by"]`` says which).
    """
    if (obj.beta < 0).any():
        raise ValueError("branch_and_bound needs beta >= 0")
    t0 = time.perf_counter()
    left = budget.remaining_time(time_limit)
    deadline = t0 + (max(left, 0.0) if left is not None else np.inf)
    cap = np.inf if max_nodes is None else float(max_nodes)
    n = sigma.shape[0]
    mask = np.zeros(n, dtype=bool)
    total = bound = 0.0
    nodes = 0
    timed_out = False
    comps = components(sigma)
    for comp in comps:
        sub = sigma[np.ix_(comp, comp)]
        so = ProfileObjective(obj.alpha[comp], obj.gamma[comp], obj.beta[comp], obj.name)
        inc = local_search(sub, so, noise, swaps=len(comp) <= 40).profile
        val, m, b, k, to = _bb_component(sub, so, noise, deadline, inc, cap - nodes)
        mask[comp] = m
        total += val
        bound += b
        nodes += k
        timed_out |= to
    value = evaluate(sigma, mask, obj, noise)
    return SearchResult(value, mask, "exact:branch-and-bound",
                        status="time_limit" if timed_out else "optimal",
                        bound=bound if timed_out else value, nodes=nodes,
                        seconds=time.perf_counter() - t0,
                        details={"components": len(comps),
                                 "largest_component": max(len(c) for c in comps),
                                 "stopped_by": None if not timed_out else
                                 "node budget" if nodes >= cap else "time limit"})
