"""Gaussian information leakage I_i(S) and its marginals (appendix, Lemma 5 proof, line 262).

All functions take a validated covariance ``sigma`` (symmetric PSD, see
:func:`validate_covariance`) and a noise variance ``noise`` (the paper's unit noise is
``noise=1``).  Everything is computed through Cholesky factorisations
(:func:`scipy.linalg.cho_factor` / :func:`~scipy.linalg.cho_solve`); no explicit inverse.

Formulas
--------
``I_i(S) = Σ_{i,S} (Σ_{S,S} + τ I)^{-1} Σ_{S,i}`` for every user ``i`` at once: with
``W = (Σ_SS + τI)^{-1} Σ_{S,:}`` (one triangular solve pair), ``I = diag(Σ_{:,S} W)``.

Own marginal (re-derived): for a sharer ``i`` with posterior variance
``P_ii = Var(x_i | s_S)``, ``m_i(S) = I_i(S) - I_i(S \\ {i}) = P_ii² / (τ - P_ii)``.
Proof: with ``s = Var(x_i | s_{S∖i})``, adding the own signal gives ``P_ii = sτ/(s+τ)`` and
``m_i = s²/(s+τ)``; eliminating ``s = P_ii τ/(τ - P_ii)`` gives the expression.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.linalg as sla
from numpy.typing import ArrayLike
from scipy.linalg import lapack

from ..errors import InstanceError
from ..tolerances import PSD
from .tolerances import SYMMETRY

__all__ = [
    "validate_covariance", "leakage", "posterior_variances", "posterior_stats", "own_marginals",
    "leakage_without_each", "leakage_many", "outcome", "equicorrelated_leakage",
    "mask_from_indices",
    "cross_submodularity_violation",
]


def validate_covariance(sigma: np.ndarray, field: str = "covariance",
                        eigenvalues: bool = False) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Check that ``sigma`` is a finite, square, symmetric positive semidefinite matrix.

    Symmetry and semidefiniteness are judged relative to the matrix's own scale (no absolute
    floor), so a covariance in any unit passes or fails alike.

    Parameters
    ----------
    sigma
        The candidate covariance.
    field
        Instance field named in errors.
    eigenvalues
        Also return the eigenvalues (ascending) computed for the semidefiniteness test.

    Returns
    -------
    numpy.ndarray or tuple
        The symmetrised float array (and its eigenvalues when asked for).

    Raises
    ------
    InstanceError
        Naming ``field`` (and the entry or the offending eigenvalue).
    """
    a = np.asarray(sigma, dtype=float)
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise InstanceError(field, f"must be a square matrix, got shape {a.shape}")
    if a.shape[0] == 0:
        raise InstanceError(field, "must have at least one user")
    bad = ~np.isfinite(a)
    if bad.any():
        i, j = (int(t) for t in np.argwhere(bad)[0])
        raise InstanceError(f"{field}[{i}][{j}]", f"must be finite, got {a[i, j]}")
    d = np.diag(a)
    if (d < 0).any():
        i = int(np.argmax(d < 0))
        raise InstanceError(f"{field}[{i}][{i}]", f"variance must be >= 0, got {d[i]}")
    scale = float(np.abs(a).max())  # relative to the data: no absolute floor
    asym = np.abs(a - a.T)
    if asym.max() > SYMMETRY * scale:
        i, j = (int(t) for t in np.unravel_index(np.argmax(asym), a.shape))
        raise InstanceError(f"{field}[{i}][{j}]",
                            f"must be symmetric: {a[i, j]} != {field}[{j}][{i}] = {a[j, i]}")
    a = 0.5 * a + 0.5 * a.T  # (a + a.T) / 2 overflows near the float limit
    # on the matrix scaled to unit magnitude (LAPACK overflows for entries beyond ~1e154)
    lam = np.linalg.eigvalsh(a / scale) * scale if scale > 0 else np.zeros(a.shape[0])
    if lam[0] < -PSD * max(float(lam[-1]), 0.0):
        raise InstanceError(field, f"must be positive semidefinite; smallest eigenvalue is "
                                   f"{lam[0]:.6g} (largest {lam[-1]:.6g})")
    return (a, lam) if eigenvalues else a


def _mask(n: int, profile: Any) -> np.ndarray:
    """A profile as a boolean mask: a bool or 0/1 vector of length ``n`` (never indices)."""
    p = np.asarray(profile)
    if p.shape != (n,):
        raise ValueError(f"profile must be a 0/1 (or boolean) vector of length {n}, one entry "
                         f"per user, got shape {p.shape}; for a list of sharer indices use "
                         "mask_from_indices(n, sharers)")
    if p.dtype != bool and not np.isin(p, (0, 1)).all():
        raise ValueError("profile entries must be 0 or 1 (a 0/1 vector, one entry per user, "
                         "not sharer indices: use mask_from_indices(n, sharers))")
    return p.astype(bool)


def mask_from_indices(n: int, sharers: Any) -> np.ndarray:
    """Boolean mask of length ``n`` with ``True`` at the given sharer indices.

    Users count from 0 (user ``i`` is row and column ``i`` of the covariance); an index
    outside ``0..n-1`` (a negative one included: numpy would wrap it) raises ``ValueError``.
    """
    idx = [int(i) for i in sharers]
    bad = [i for i in idx if not 0 <= i < n]
    if bad:
        raise ValueError(f"sharer indices count from 0 and must lie in 0..{n - 1}, got {bad}")
    m = np.zeros(n, dtype=bool)
    m[idx] = True
    return m


def posterior_variances(sigma: np.ndarray, profile: ArrayLike,
                        noise: float = 1.0) -> np.ndarray:
    """``P_ii = Var(x_i | s_S) = Σ_ii - I_i(S)`` for every user (one Cholesky of Σ_SS + τI)."""
    a = _mask(sigma.shape[0], profile)
    d = np.diag(sigma).copy()
    if not a.any():
        return d
    s = np.flatnonzero(a)
    c = sla.cho_factor(sigma[np.ix_(s, s)] + noise * np.eye(len(s)), lower=True)
    w = sla.cho_solve(c, sigma[s, :])               # (|S|, n)
    return d - np.einsum("sj,sj->j", sigma[s, :], w)


def posterior_stats(sigma: np.ndarray, profile, noise: float = 1.0
                    ) -> tuple[np.ndarray, np.ndarray]:
    """``(P_ii, m_i)`` for every user by one Cholesky of ``K = Σ_SS + τI``, stably.

    The own marginal uses ``Var(s_i | s_{S∖i}) = 1/(K^{-1})_ii = s + τ`` with
    ``s = Var(x_i | s_{S∖i})``, so ``m_i = s²/(s + τ)`` with ``s = 1/(K^{-1})_ii - τ``: accurate in
    absolute terms even when ``Σ_ii ≫ τ`` (where ``P_ii²/(τ - P_ii)`` cancels catastrophically).
    """
    a = _mask(sigma.shape[0], profile)
    d = np.diag(sigma).copy()
    m = np.zeros_like(d)
    if not a.any():
        return d, m
    s = np.flatnonzero(a)
    c = sla.cho_factor(sigma[np.ix_(s, s)] + noise * np.eye(len(s)), lower=True)
    w = sla.cho_solve(c, sigma[s, :])
    kinv, info = lapack.dpotri(c[0], lower=1)            # K^{-1} from the Cholesky factor
    if info != 0:
        raise np.linalg.LinAlgError(f"dpotri failed (info={info})")
    qdiag = np.diag(kinv).copy()
    res = np.maximum(1.0 / qdiag - noise, 0.0)
    m[s] = res * res / (res + noise)
    return d - np.einsum("sj,sj->j", sigma[s, :], w), m


def leakage(sigma: np.ndarray, profile: ArrayLike, noise: float = 1.0) -> np.ndarray:
    """Leaked information ``I_i(S)`` for every user ``i`` (appendix line 262; re-derived).

    ``profile`` is a 0/1 vector or boolean mask of length n (see :func:`mask_from_indices`).
    """
    return np.diag(sigma) - posterior_variances(sigma, profile, noise)


def own_marginals(post_var: np.ndarray, profile_mask: np.ndarray, noise: float = 1.0
                  ) -> np.ndarray:
    """``m_i = I_i(S) - I_i(S ∖ {i})`` for sharers (0 for non-sharers) from ``P_ii``.

    Uses ``m_i = P_ii² / (τ - P_ii)`` (module docstring); ``P_ii < τ`` for every sharer.
    """
    m = np.zeros_like(post_var)
    a = profile_mask
    m[a] = post_var[a] ** 2 / (noise - post_var[a])
    return m


def leakage_without_each(sigma: np.ndarray, profile: ArrayLike,
                         noise: float = 1.0) -> np.ndarray:
    """``I_i(S ∖ {i})`` for each sharer ``i`` (= ``I_i(S)`` for non-sharers)."""
    pv, m = posterior_stats(sigma, profile, noise)
    return np.diag(sigma) - pv - m


def leakage_many(sigma: np.ndarray, profiles: np.ndarray, noise: float = 1.0) -> np.ndarray:
    """Leakage for a batch of profiles ``(B, n)`` -> ``(B, n)`` (one Cholesky per profile)."""
    profiles = np.asarray(profiles)
    if profiles.ndim != 2 or profiles.shape[1:] != (sigma.shape[0],):
        raise ValueError(f"profiles must be a (B, {sigma.shape[0]}) array of 0/1 rows, got "
                         f"shape {profiles.shape}")
    return np.stack([leakage(sigma, p, noise) for p in profiles]) if len(profiles) else \
        np.zeros((0, sigma.shape[0]))


def equicorrelated_leakage(n: int, k: int, rho: float) -> tuple[float, float, float]:
    """Closed form for Σ = (1-ρ)I + ρ11ᵀ, unit noise, ``k`` sharers (Example B-1; re-derived).

    Returns ``(I_in, I_out, m_in)``: a sharer's leakage, a non-sharer's leakage and a
    sharer's own marginal ``I_in(k) - I_out(k-1)``.

    Derivation (DERIVED, checked against :func:`leakage`): the sum ``t = Σ_{j∈S} s_j`` is a
    sufficient statistic for a non-sharer; ``Cov(x_i, t) = kρ``, ``Var t = k(1+(k-1)ρ) + k``,
    so ``I_out(k) = k²ρ² / (k(2-ρ+kρ)) = kρ²/(2-ρ+kρ)``.  A sharer's residual variance given the
    other ``k-1`` is ``s_k = 1 - I_out(k-1)``; adding her own signal gives
    ``I_in(k) = 1 - s_k/(1+s_k) = 1/(1+s_k)`` and ``m_in = s_k²/(1+s_k)``.
    """
    if not 0 <= k <= n:
        raise ValueError("k must lie in [0, n]")
    i_out = k * rho**2 / (2 - rho + k * rho) if k > 0 else 0.0
    if k == 0:
        return 0.0, i_out, 0.0
    i_prev = (k - 1) * rho**2 / (2 - rho + (k - 1) * rho)
    s = 1.0 - i_prev
    return 1.0 / (1.0 + s), i_out, s * s / (1.0 + s)


def cross_submodularity_violation(sigma: np.ndarray, noise: float = 1.0
                                  ) -> tuple[float, tuple[int, int, tuple[int, ...]] | None]:
    """Largest violation of cross-submodularity of leakage (diagnostic only, re-derived).

    Checks ``I_i(T ∪ {j}) - I_i(T) ≤ I_i(S ∪ {j}) - I_i(S)`` for ``S ⊆ T``, ``j ∉ T``, over
    ``S = T ∖ {k}`` (enough for a counterexample; exhaustive over T, so n ≤ ~10).  Leakage is
    *not* submodular in others' data in general, so nothing in the library relies on it.
    Returns ``(violation, (i, j, T))`` with violation ≤ 0 when none was found.
    """
    n = sigma.shape[0]
    worst, arg = -np.inf, None
    for code in range(2**n):
        t = np.array([(code >> b) & 1 for b in range(n)], dtype=bool)
        it = leakage(sigma, t, noise)
        for j in np.flatnonzero(~t):
            tj = t.copy()
            tj[j] = True
            gain_t = leakage(sigma, tj, noise) - it
            for k in np.flatnonzero(t):
                s = t.copy()
                s[k] = False
                sj = s.copy()
                sj[j] = True
                gain_s = leakage(sigma, sj, noise) - leakage(sigma, s, noise)
                diff = gain_t - gain_s
                i = int(np.argmax(diff))
                if diff[i] > worst:
                    worst, arg = float(diff[i]), (i, int(j), tuple(np.flatnonzero(t).tolist()))
    return worst, arg


def outcome(sigma: np.ndarray, v: np.ndarray, profile: Any, noise: float = 1.0
            ) -> dict[str, Any]:
    """Prices, leakages, utilities, platform payoff and surplus at a profile [AMMO22].

    Prices are the minimal ones that make every sharer share,
    ``p_i = v_i (I_i(S) - I_i(S ∖ i))`` [AMMO22, Appendix, Theorem 4 Part 3-2]; the
    platform's payoff is ``U = Σ_i I_i(S) - Σ_{i∈S} p_i`` and the surplus
    ``W = Σ_i (1 - v_i) I_i(S)`` [AMMO22, Appendix, Proposition B-1].

    Parameters
    ----------
    sigma
        Validated covariance of the users' types (:func:`validate_covariance`), in the
        data's units squared; not a correlation matrix unless the variances are 1.
    v
        Privacy values, one per user (money per unit of leakage), length ``n``.
    profile
        A 0/1 (or boolean) vector of length ``n``, one entry per user (user ``i`` is entry
        ``i``, counting from 0); never a list of sharer indices (:func:`mask_from_indices`).
    noise
        The noise **variance** ``τ`` (not its standard deviation), in the covariance's units.

    Returns
    -------
    dict
        ``profile`` (0/1 ints), ``leakage``, ``prices``, ``platform_payoff``,
        ``user_utilities`` (``p_i - v_i I_i``) and ``surplus``.

    Raises
    ------
    ValueError
        A profile that is not a 0/1 vector of length ``n``, or privacy values of another
        length.
    """
    n = sigma.shape[0]
    a = _mask(n, profile)
    v = np.asarray(v, dtype=float)
    if v.shape != (n,):
        raise ValueError(f"privacy values must have one entry per user ({n}), got shape "
                         f"{v.shape}")
    inf = leakage(sigma, a, noise)
    wo = leakage_without_each(sigma, a, noise)
    prices = np.where(a, v * (inf - wo), 0.0)
    return {"profile": a.astype(int), "leakage": inf, "prices": prices,
            "platform_payoff": float(inf.sum() - prices.sum()),
            "user_utilities": prices - v * inf,
            "surplus": float(((1 - v) * inf).sum())}
