"""Gaussian information leakage and the platform's search over sharing profiles.

Source: [AMMO22], the online appendix of *Too Much Data* (Acemoglu, Makhdoumi, Malekian,
Ozdaglar); "line N" below is the line of the appendix's text a formula was read from, and
"re-derived" marks a formula or reading derived here (the reading choices are listed in
docs/sharing.md).

Model reconstruction (each formula with its source line)
--------------------------------------------------------
* Types ``x ~ N(0, Σ)``; a sharer reveals ``s_i = x_i + z_i`` with independent noise of
  variance τ (τ = 1 in the paper: ``E[s sᵀ] = I + Σ``, line 260).  ``noise_variance``
  generalises τ; paper-pinned checks use τ = 1.
* Leakage (line 262, the all-share case ``(σ_1², Σ_12, …)(I+Σ)^{-1}(…)ᵀ = I_1(a)``; general S
  by the same Gaussian conditioning): ``I_i(S) = Σ_{i,S}(Σ_SS + τI)^{-1}Σ_{S,i}``
  (:mod:`.leakage`, Cholesky).  Own marginal ``m_i(S) = I_i(S) - I_i(S∖i) = P_ii²/(τ - P_ii)``
  with ``P_ii`` the posterior variance (DERIVED).
* Prices and payoffs (issue text; the appendix uses the same minimal prices in Theorem 4
  Part 3-2, line 187: ``p_i = v_i(I_i(a) - I_i(a_i=0, a_{-i}))``):
  ``U(a) = Σ_i I_i(a) - Σ_{i∈S} p_i``; surplus ``W(a) = Σ_i (1-v_i) I_i(a)`` (line 197).
  Users with ``v_i ≤ 1`` are low-value (line 7 treats ``v ∈ (1, ·]`` as the harmful case).
* Example B-1 (line 7): Σ_ii = 1, Σ_ij = ρ, equal v; closed forms in :mod:`.example_b1`.
  Reading: "equilibrium a = 1 iff v ≤ 1/(1-ρ)²" is the comparison of a = 1 with a = 0 only;
  the optimum over all profiles buys k* < n users (e.g. n = 8, ρ = .5, v = 2: 5 sharers,
  0.877976 vs 0.751515) — reported beside it.
* Lemma 4 (line 11): ``c_i(J_k) + p_i - v_i I_i ≥ c_i({i}) - v_i σ_i² > 0``.
* Theorem 4: (B-1) line 61, (B-2) line 65, (B-3)/(B-4) lines 71-81 (``max`` read as ``min``,
  re-derived), (B-5) with ``p²_i = (1-v_i)I_i(V) + v_i I_i({i})`` (the proof's version,
  re-derived; the printed ``+I_i({i})`` fails the deviation checker), Part 1 prices, user payoff
  ``c_i(J) + a_i p_i - v_i I_i(S_k)`` (:mod:`.competition`).  Part 3-2 (lines 177-187, (B-16)) and
  Part 3-1 (lines 147-175; ``V^l_2 = V^l ∖ V^l_1``, ``+ε`` added to Case 1's price, re-derived)
  with all pure user equilibria and the joint first best (:mod:`.competition_part3`); Part 2-3
  (lines 105-145) registered unchecked, its (B-8) threshold checked (re-derived).
  Definition B-1 (line 15) and Theorem B-1 (line 29, existence only: registered unchecked).
* Proposition B-1 (line 195): VCG-like prices; Assumption 2 (line 203): ``Φ = v + F/f``
  nondecreasing; Theorem B-2 (lines 211-215): allocation with Φ and the integral payment
  (lower limit read as ``v_i``); (B-17) line 225; the identity ``E[p_i] = E[Φ_i A_i]`` of
  line 229, exactly per step of ``A_i`` (:mod:`.revenue`).  Ironing when Assumption 2
  fails: weighted PAVA via :func:`scipy.optimize.isotonic_regression` (:mod:`.bayes`).
* Lemma 5 / Theorem 6 Part 1 (lines 258-266): de-correlated release ``Σ^{-1}s``; literal
  leakage ``[(M_SS)^{-1}]_ii`` with ``M = Σ^{-1}(τI+Σ)Σ^{-1}`` and the paper's abstraction
  (:mod:`.decorrelation`, re-derived).

Search: :mod:`.enumeration` (Gray code, rank-one updates, batched), :mod:`.branch_bound`
(proven bound, see its docstring), :mod:`.heuristics` (greedy, local search).

The problem: :class:`SharingInstance` (covariance, privacy values, noise **variance**,
validated at construction) and :func:`solve` (the platform's optimum and the first best,
with the certificate, as ``solver solve`` prints it).  Conventions of the building blocks:
users count from 0 (user ``i`` is row/column ``i`` of ``Σ``); a profile is a 0/1 (or
boolean) vector of length ``n``, never a list of sharer indices (:func:`mask_from_indices`
converts); ``noise`` is the variance ``τ``, in the covariance's units; the arrays they take
are validated covariances (:func:`validate_covariance`).  Importing this package registers
nothing (:mod:`solver.sharing.plugin` does).
"""

from __future__ import annotations

from . import example_b1
from .bayes import ThmB2Mechanism, exponential_prior, piecewise_prior, uniform_prior, vcg_prices
from .branch_bound import branch_and_bound, node_bound
from .decorrelation import decorrelated_equilibrium_literal, decorrelated_leakage
from .enumeration import EXHAUSTIVE_MAX_USERS, SearchResult, enumerate_gray, enumerate_naive
from .heuristics import greedy, local_search
from .leakage import (
    equicorrelated_leakage,
    leakage,
    leakage_without_each,
    mask_from_indices,
    outcome,
    posterior_variances,
    validate_covariance,
)
from .objectives import (
    ProfileObjective,
    decorrelated_objective,
    evaluate,
    platform_objective,
    surplus_objective,
)
from .problem import SharingInstance, solve
from .revenue import expected_payment, payment_identity

__all__ = [
    "EXHAUSTIVE_MAX_USERS", "ProfileObjective", "SearchResult", "SharingInstance",
    "ThmB2Mechanism", "branch_and_bound", "decorrelated_equilibrium_literal",
    "decorrelated_leakage", "decorrelated_objective", "enumerate_gray", "enumerate_naive",
    "equicorrelated_leakage", "evaluate", "example_b1", "expected_payment",
    "exponential_prior", "greedy", "leakage", "leakage_without_each", "local_search",
    "mask_from_indices", "node_bound", "outcome", "payment_identity", "piecewise_prior",
    "platform_objective", "posterior_variances", "solve", "surplus_objective",
    "uniform_prior", "validate_covariance", "vcg_prices",
]
