"""Example B-1 (appendix line 7) in closed form: one equicorrelated community, equal v.

With Σ = (1-ρ)I + ρ11ᵀ, unit noise and ``k`` sharers (re-derived in
:func:`solver.sharing.leakage.equicorrelated_leakage`), the platform payoff is
``Π(k) = k (I_in(k) - v m_in(k)) + (n-k) I_out(k)``; by exchangeability the search over 2^n
profiles reduces to the search over ``k`` (re-derived).  The paper compares only ``a = 1`` with
``a = 0``; :func:`true_optimum` gives the optimum over all profiles beside it.
"""

from __future__ import annotations

import numpy as np

__all__ = ["profit_by_k", "all_share", "pairwise_threshold", "true_optimum", "limits"]


def _vec(n: int, rho: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    k = np.arange(n + 1, dtype=float)
    i_out = k * rho**2 / (2 - rho + k * rho)
    km1 = np.maximum(k - 1, 0)
    s = 1 - km1 * rho**2 / (2 - rho + km1 * rho)
    i_in = np.where(k > 0, 1 / (1 + s), 0.0)
    m_in = np.where(k > 0, s * s / (1 + s), 0.0)
    return k, i_in, i_out, m_in


def profit_by_k(n: int, rho: float, v: float) -> np.ndarray:
    """``Π(k)`` for ``k = 0..n``."""
    k, i_in, i_out, m_in = _vec(n, rho)
    return k * (i_in - v * m_in) + (n - k) * i_out


def all_share(n: int, rho: float, v: float) -> dict[str, float]:
    """Values at ``a = 1``: leakages, price, per-user payoff, user utility, surplus per user."""
    _, i_in, i_out, m_in = _vec(n, rho)
    iv, wo = float(i_in[n]), float(i_out[n - 1])
    price = v * float(m_in[n])
    return {"I_V": iv, "I_V_minus_i": wo, "price": price,
            "platform_per_user": iv - price, "user_utility": price - v * iv,
            "surplus_per_user": (1 - v) * iv}


def pairwise_threshold(n: int, rho: float) -> float:
    """``v_n* = 1/s_n²``: Π(1) ≥ Π(0) iff v ≤ v_n* (re-derived)."""
    s = 1 - (n - 1) * rho**2 / (2 - rho + (n - 1) * rho)
    return 1 / s**2


def true_optimum(n: int, rho: float, v: float) -> tuple[int, float]:
    """``(k*, Π*)`` over all profiles (most sharers among ties)."""
    p = profit_by_k(n, rho, v)
    k = int(np.flatnonzero(p >= p.max() - 1e-10)[-1])
    return k, float(p[k])


def limits(rho: float, v: float) -> dict[str, float]:
    """The paper's n → ∞ values (line 7)."""
    return {"threshold": 1 / (1 - rho) ** 2, "I_V": 1 / (2 - rho), "I_V_minus_i": rho,
            "user_utility": -v * rho,
            "platform_per_user": 1 / (2 - rho) - v * (1 - rho) ** 2 / (2 - rho)}
