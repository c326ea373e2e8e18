"""Set functions over sharing profiles, in one linear family (re-derived).

Every objective the appendix optimises over ``a ∈ {0,1}^n`` has the form

    value(S) = Σ_i α_i I_i(S) + Σ_{i∈S} (γ_i I_i(S) - β_i m_i(S)),

with ``m_i(S) = I_i(S) - I_i(S ∖ {i})`` the own marginal of a sharer:

=====================  ==========  ==========  =========  ===============================
objective              α           γ           β          source
=====================  ==========  ==========  =========  ===============================
platform payoff U(a)   1           0           v          issue; Theorem 4 Part 3-2 prices
social surplus W(a)    1 - v       0           0          Proposition B-1 (line 197)
Theorem B-2            1           0           Φ(v)       line 211 (rewritten below)
de-correlated (R-abs)  0           1 - v       0          Theorem 6 Part 1 (line 266)
=====================  ==========  ==========  =========  ===============================

Theorem B-2's ``Σ (1-Φ_i) I_i(a) + Φ_i I_i(a_{-i}, a_i=0)`` equals ``Σ I_i(a) - Σ_{i∈S} Φ_i
m_i(a)`` because ``I_i(a_{-i}, 0) = I_i(a)`` for non-sharers and ``I_i(a) - m_i(a)`` for sharers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["ProfileObjective", "platform_objective", "surplus_objective",
           "decorrelated_objective", "evaluate_from_posterior", "evaluate"]


@dataclass(frozen=True)
class ProfileObjective:
    """Coefficients ``(α, γ, β)`` of the family in the module docstring."""

    alpha: np.ndarray
    gamma: np.ndarray
    beta: np.ndarray
    name: str = "objective"

    @property
    def n(self) -> int:
        return len(self.alpha)

    def fix_in_mask(self) -> np.ndarray:
        """Users that some optimal profile contains (generalised Lemma 3, re-derived).

        If ``α ≥ 0``, ``γ ≥ 0`` and ``β ≥ 0`` everywhere, adding a user ``i`` with
        ``α_i ≥ β_i`` never lowers the value: non-sharers' ``I_j`` rise (monotonicity),
        other sharers' ``I_j`` rise while their own marginals fall (own-data diminishing
        returns), and ``i``'s own term changes by ``(α_i - β_i) m_i + γ_i I_i ≥ 0``.
        """
        if (self.alpha < 0).any() or (self.gamma < 0).any() or (self.beta < 0).any():
            return np.zeros(self.n, dtype=bool)
        return self.alpha >= self.beta


def platform_objective(v: np.ndarray) -> ProfileObjective:
    """``U(a) = Σ_i I_i(a) - Σ_{i∈S} v_i m_i(a)`` (prices ``p_i = v_i m_i``)."""
    n = len(v)
    return ProfileObjective(np.ones(n), np.zeros(n), np.asarray(v, float), "platform")


def surplus_objective(v: np.ndarray) -> ProfileObjective:
    """``W(a) = Σ_i (1 - v_i) I_i(a)``."""
    n = len(v)
    return ProfileObjective(1.0 - np.asarray(v, float), np.zeros(n), np.zeros(n), "surplus")


def decorrelated_objective(v: np.ndarray) -> ProfileObjective:
    """Theorem 6 Part 1: ``Σ_{i∈S} (1 - v_i) I_i(a)`` (paper's abstraction, re-derived)."""
    n = len(v)
    return ProfileObjective(np.zeros(n), 1.0 - np.asarray(v, float), np.zeros(n), "decorrelated")


def evaluate_from_posterior(post_var: np.ndarray, mask: np.ndarray, var: np.ndarray,
                            objs: list[ProfileObjective], noise: float,
                            marg: np.ndarray | None = None) -> np.ndarray:
    """Values of ``objs`` at a batch of profiles from their posterior variances.

    ``post_var`` and ``mask`` are ``(B, n)``; returns ``(K, B)``.  Own marginals are
    ``P_ii²/(τ - P_ii)`` unless given (``marg``, e.g. from
    :func:`solver.sharing.leakage.posterior_stats`).
    """
    inf = var - post_var
    if marg is None:
        d = np.where(mask, post_var, 0.0)
        m = d * d / (noise - d)
    else:
        m = np.where(mask, marg, 0.0)
    inf_in = np.where(mask, inf, 0.0)
    al = np.stack([o.alpha for o in objs])
    ga = np.stack([o.gamma for o in objs])
    be = np.stack([o.beta for o in objs])
    return al @ inf.T + ga @ inf_in.T - be @ m.T


def evaluate(sigma: np.ndarray, profile: np.ndarray, obj: ProfileObjective,
             noise: float = 1.0) -> float:
    """Value of one objective at one profile (direct Cholesky solve)."""
    from .leakage import _mask, posterior_stats

    mask = _mask(sigma.shape[0], profile)
    pv, m = posterior_stats(sigma, mask, noise)
    return float(evaluate_from_posterior(pv[None], mask[None], np.diag(sigma), [obj],
                                         noise, m[None])[0, 0])
