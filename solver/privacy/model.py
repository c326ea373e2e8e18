"""The privacy model of Section 3: privacy-bound functions, Assumption 3.1, ε-DP (Def. 3.2).

A player's utility is ``U = U^out + U^priv`` (Eq. 2).  Assumption 3.1 only bounds the privacy
part: for every outcome ``o``,

    |U^priv(θ_i, o, M, θ_-i)| <= F_i( max_{θ', θ''} Pr[M(θ', θ_-i) = o] / Pr[M(θ'', θ_-i) = o] ),

with ``F_i : [1, ∞) -> [0, ∞]`` and ``F_i(x) -> 0`` as ``x -> 1``.  This module holds the
built-in bound functions (``κ ln x``, ``κ (x - 1)``, any callable), the per-outcome privacy
ratio of Assumption 3.1 and the exact ε-DP level of Definition 3.2 for a table of outcome
distributions.  Distributions are passed as **log** probabilities where relative accuracy
matters (tiny probabilities in skewed profiles), so ratios never come out as ``0/0``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InstanceError
from ..validate import as_choice, as_number, reject_unknown, require, require_mapping

#: Points on which a user-supplied callable F is checked (non-negative, -> 0 at 1).
_CHECK_POINTS = np.array([1.0, 1.0 + 1e-12, 1.0 + 1e-6, 1.0 + 1e-3, 1.01, 1.1, 1.5, 2.0, 4.0,
                          10.0, 100.0])
#: F(1 + 1e-12) must be below this for "F(x) -> 0 as x -> 1" to count as satisfied.
_CONTINUITY_TOL = 1e-4
#: Above this log-ratio ``κ (e^x - 1)`` is evaluated as ``exp(ln κ + x + ln(1 - e^-x))``.
_EXPM1_SWITCH = 700.0


@dataclass(frozen=True)
class PrivacyBound:
    """A privacy-bound function ``F`` of Assumption 3.1.

    Parameters
    ----------
    kind
        ``"log"`` for ``F(x) = κ ln x`` (the Dwork-McSherry privacy loss, Section 5),
        ``"linear"`` for ``F(x) = κ (x - 1)`` (the statistical-difference bound of Section 8),
        ``"callable"`` for any user function ``fn``.
    kappa
        The scale ``κ >= 0`` of the built-ins.
    fn
        The function for ``kind="callable"``; it must be non-negative, tend to 0 at 1, and be
        non-decreasing (the LP benchmark and the large-profile verifier use ``F(e^ε)`` as the
        bound on every outcome of an ε-DP mechanism, Proposition 3.3).
    """

    kind: str = "log"
    kappa: float = 1.0
    fn: Callable[[float], float] | None = None

    def __post_init__(self) -> None:
        if self.kind not in ("log", "linear", "callable"):
            raise InstanceError("privacy_bound.kind", "must be one of log, linear, callable")
        if self.kind == "callable":
            if self.fn is None or not callable(self.fn):
                raise InstanceError("privacy_bound.fn", "must be a callable for kind 'callable'")
            vals = np.array([float(self.fn(float(x))) for x in _CHECK_POINTS])
            if np.any(np.isnan(vals)) or np.any(vals < 0):
                raise InstanceError("privacy_bound.fn", "must be non-negative on [1, inf)")
            if vals[0] > _CONTINUITY_TOL or vals[1] > _CONTINUITY_TOL:
                raise InstanceError("privacy_bound.fn", "must tend to 0 as x -> 1 (F(1) = "
                                    f"{vals[0]:.3g}, F(1+1e-12) = {vals[1]:.3g})")
            if np.any(np.diff(vals) < -1e-12):
                raise InstanceError("privacy_bound.fn", "must be non-decreasing on [1, inf)")
        elif not (math.isfinite(self.kappa) and self.kappa >= 0):
            raise InstanceError("privacy_bound.kappa", f"must be a finite number >= 0, got "
                                f"{self.kappa}")

    def __call__(self, x: Any) -> Any:
        """``F(x)`` element-wise; ``x = inf`` gives ``inf`` (for κ > 0), ``0`` for κ = 0."""
        xa = np.asarray(x, dtype=float)
        if np.any(xa < 1 - 1e-12):
            raise ValueError("privacy ratio below 1")
        xa = np.maximum(xa, 1.0)
        with np.errstate(over="ignore", invalid="ignore"):
            if self.kind == "log":
                out = self.kappa * np.log(xa)
            elif self.kind == "linear":
                out = self.kappa * (xa - 1.0)
            else:
                out = np.vectorize(lambda v: float(self.fn(float(v))),  # type: ignore[misc]
                                   otypes=[float])(xa)
        if self.kind != "callable" and self.kappa == 0:
            out = np.zeros_like(xa)          # κ = 0: no privacy value at all, even at x = inf
        return float(out) if np.ndim(out) == 0 else out

    def of_log_ratio(self, log_ratio: Any) -> Any:
        """``F(exp(log_ratio))`` without overflow for the built-ins (``inf`` past the range).

        ``κ = 0`` gives 0 everywhere (also at ``log_ratio = inf``); no floating-point warning
        is ever printed.
        """
        lr = np.maximum(np.asarray(log_ratio, dtype=float), 0.0)
        if self.kind != "callable" and self.kappa == 0:
            out = np.zeros_like(lr)
        elif self.kind == "log":
            out = self.kappa * lr
        elif self.kind == "linear":
            # κ (e^x - 1) = exp(ln κ + x + ln(1 - e^-x)) where e^x alone would overflow
            # (a tiny κ keeps the product finite)
            with np.errstate(over="ignore", divide="ignore"):
                small = self.kappa * np.expm1(np.minimum(lr, _EXPM1_SWITCH))
                big = np.exp(math.log(self.kappa) + lr + np.log1p(-np.exp(-lr)))
            out = np.where(lr < _EXPM1_SWITCH, small, big)
        else:
            with np.errstate(over="ignore"):
                return self(np.exp(lr))
        return float(out) if np.ndim(out) == 0 else out

    def log_of_log_ratio(self, log_ratio: float) -> float:
        """``ln F(exp(log_ratio))`` for the built-ins, finite where ``F`` itself overflows.

        ``-inf`` where ``F = 0``.
        """
        lr = max(float(log_ratio), 0.0)
        if self.kind == "callable":
            with np.errstate(divide="ignore"):
                return float(np.log(self.of_log_ratio(lr)))
        if self.kappa == 0 or lr == 0:
            return -math.inf
        if self.kind == "log":
            return math.log(self.kappa) + math.log(lr)
        # ln(κ (e^x - 1)) = ln κ + x + ln(1 - e^-x)
        return math.log(self.kappa) + lr + math.log(-math.expm1(-lr))

    def threshold_epsilon(self, gap: float, factor: float = 2.0) -> float:
        """Largest ε with ``factor · F(e^ε) <= gap`` (e.g. Theorem 4.2's condition 2)."""
        if self.kind == "log":
            return math.inf if self.kappa == 0 else gap / (factor * self.kappa)
        if self.kind == "linear":
            return math.inf if self.kappa == 0 else math.log1p(gap / (factor * self.kappa))
        lo, hi = 0.0, 1.0
        while factor * self.of_log_ratio(hi) <= gap and hi < 1e3:
            lo, hi = hi, 2 * hi
        for _ in range(200):
            mid = 0.5 * (lo + hi)
            if factor * self.of_log_ratio(mid) <= gap:
                lo = mid
            else:
                hi = mid
        return lo

    def describe(self) -> str:
        """A short human-readable form."""
        if self.kind == "log":
            return f"F(x) = {self.kappa:g} ln x"
        if self.kind == "linear":
            return f"F(x) = {self.kappa:g} (x - 1)"
        return f"F = {getattr(self.fn, '__name__', 'callable')}"


def parse_privacy_bound(raw: Any, field: str = "privacy_bound") -> PrivacyBound:
    """Parse ``{"kind": "log"|"linear", "kappa": k}`` (files cannot carry callables)."""
    raw = require_mapping(raw, field)
    reject_unknown(raw, ("kind", "kappa"), prefix=field + ".")
    kind = as_choice(require(raw, "kind", prefix=field + "."), field + ".kind", ("log", "linear"))
    kappa = as_number(raw.get("kappa", 1.0), field + ".kappa", minimum=0.0)
    return PrivacyBound(kind=kind, kappa=kappa)


#: Smallest ε accepted: a normal floating-point number (ε/2, ε/(M|O|) and e^{-ε} stay exact
#: enough; below it every mechanism here is constant to double precision anyway).
MIN_EPSILON = 1e-300


def parse_epsilon(raw: Mapping[str, Any], field: str = "epsilon") -> float:
    """ε of Definition 3.2: a finite number >= ``MIN_EPSILON`` (1e-300)."""
    eps = as_number(require(raw, field), field, minimum=0.0, strict_min=True)
    if eps < MIN_EPSILON:
        raise InstanceError(field, f"must be >= {MIN_EPSILON:g}, got {eps!r}")
    return eps


def log_ratio_per_outcome(logp: np.ndarray) -> np.ndarray:
    """Log of Assumption 3.1's ratio for each outcome.

    Parameters
    ----------
    logp
        ``logp[t, o] = ln Pr[M(t, θ_-i) = o]`` for every report ``t`` of player ``i`` (rows) and
        outcome ``o`` (columns), with ``θ_-i`` fixed.

    Returns
    -------
    numpy.ndarray
        ``max_t logp[t, o] - min_t logp[t, o]``; ``inf`` where some report gives ``o``
        probability 0 and another a positive one, ``0`` where no report reaches ``o``.
    """
    logp = np.asarray(logp, dtype=float)
    hi = logp.max(axis=0)
    lo = logp.min(axis=0)
    with np.errstate(invalid="ignore"):
        out = np.where(np.isneginf(hi), 0.0, hi - lo)
    return np.where(np.isneginf(lo) & ~np.isneginf(hi), np.inf, out)


def dp_level(logp_pairs: list[tuple[np.ndarray, np.ndarray]]) -> float:
    """Exact ε-DP level (Definition 3.2): max over adjacent pairs and outcomes of |ln ratio|."""
    worst = 0.0
    for a, b in logp_pairs:
        a = np.asarray(a, dtype=float)
        b = np.asarray(b, dtype=float)
        both = ~(np.isneginf(a) & np.isneginf(b))
        if np.any(np.isneginf(a[both]) | np.isneginf(b[both])):
            return math.inf
        if both.any():
            worst = max(worst, float(np.max(np.abs(a[both] - b[both]))))
    return worst


def safe_log(p: np.ndarray) -> np.ndarray:
    """``ln p`` with ``ln 0 = -inf`` and no warning."""
    p = np.asarray(p, dtype=float)
    with np.errstate(divide="ignore"):
        return np.log(np.maximum(p, 0.0))
