"""De-correlation (mediated sharing): Lemma 5 and Theorem 6 Part 1 (appendix lines 258-266).

An intermediary releases ``s̃ = Σ^{-1} s`` for sharers only.  Since ``E[x s̃ᵀ] = I`` and
``E[s̃ s̃ᵀ] = M = Σ^{-1}(τI + Σ)Σ^{-1}`` (line 260, τ = 1 there), a non-sharer leaks nothing and
a sharer ``i ∈ S`` leaks ``Ĩ_i(S) = [(M_SS)^{-1}]_ii`` (literal reading R-lit, re-derived).  With
all others sharing this equals ``I_i(V)`` (Lemma 5, line 262).  Theorem 6 Part 1 (line 266):
minimal prices ``v_i Ĩ_i``, the platform maximises ``Σ_{i∈S}(1 - v_i) Ĩ_i(S)``, which equals the
social surplus since non-sharers leak nothing.  The paper's abstraction (R-abs) replaces
``Ĩ_i(S)`` by ``I_i(S)``: :func:`solver.sharing.objectives.decorrelated_objective`.
"""

from __future__ import annotations

import itertools

import numpy as np
import scipy.linalg as sla
from numpy.typing import ArrayLike

from ..errors import InstanceError
from .leakage import _mask

__all__ = ["decorrelated_leakage", "decorrelated_equilibrium_literal"]


def decorrelated_leakage(sigma: np.ndarray, profile: ArrayLike,
                         noise: float = 1.0) -> np.ndarray:
    """``Ĩ_i(S)``: ``[(M_SS)^{-1}]_ii`` for sharers, 0 for non-sharers (needs Σ ≻ 0)."""
    n = sigma.shape[0]
    a = _mask(n, profile)
    try:
        c = sla.cho_factor(sigma, lower=True)
    except np.linalg.LinAlgError as exc:
        raise InstanceError("covariance", "must be positive definite for de-correlation") \
            from exc
    k = sla.cho_solve(c, np.eye(n))          # Σ^{-1}, needed explicitly: s̃ = Σ^{-1} s
    m = k + noise * k @ k
    out = np.zeros(n)
    s = np.flatnonzero(a)
    if len(s):
        cs = sla.cho_factor(m[np.ix_(s, s)], lower=True)
        out[s] = np.diag(sla.cho_solve(cs, np.eye(len(s))))
    return out


def decorrelated_equilibrium_literal(sigma: np.ndarray, v: np.ndarray, noise: float = 1.0
                                     ) -> tuple[np.ndarray, float]:
    """Best profile and surplus under R-lit by enumeration (small n; ties: most sharers)."""
    n = sigma.shape[0]
    best, best_mask = 0.0, np.zeros(n, dtype=bool)
    for k in range(n, 0, -1):
        for s in itertools.combinations(range(n), k):
            mk = np.zeros(n, dtype=bool)
            mk[list(s)] = True
            w = float(((1 - v) * decorrelated_leakage(sigma, mk, noise))[mk].sum())
            if w > best + 1e-12:
                best, best_mask = w, mk
    return best_mask, best
