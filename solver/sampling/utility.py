"""Sellers' utilities and certainty equivalents (Pricing Private Data, Section 3).

Reading of the model (Assumption 3.1 and the Definition of the certainty equivalent):
a seller with cost function c_i and utility u_i who is sampled k times and paid π(k)
obtains utility u_i(π(k) − c_i(k)); facing a lottery in which k is drawn from p_ψ, his
certainty equivalent e_i(p_ψ, π) is the sure amount with

    u_i(e_i) = Σ_k p_ψ(k) u_i(π(k) − c_i(k)),

so e_i = u_i^{-1}(E[u_i(X)]) for the lottery X = π(k) − c_i(k) (costs are *inside* the
lottery, the CE is net of costs).  In the CE Mechanism (Section 4.2, Step 2) a seller with
linear cost c_i reports the CE of X = (c^max − c_i)·k; for general costs (Section 5.2) of
X = π^max(k) − c_i(k).  :func:`lottery_values` builds X.

Utilities are normalised so that u(0) = 0 (the paper assumes it); a positive affine change
of u leaves every certainty equivalent unchanged.

Built-ins
---------
``linear``  u(x) = x (risk-neutral); CE = E[X].
``cara``    u(x) = sign(a)(1 − e^{−a x}): the paper's 1 − e^{−0.002x} for a > 0
            (risk-averse), convex and increasing for a < 0 (risk-seeking), linear at a = 0;
            CE = −ln E[e^{−a X}] / a, evaluated stably for every a
            (:func:`cara_certainty_equivalent`: a series for tiny |a|·spread, expm1/log1p,
            log-sum-exp for large).
``crra``    u(x) = ((w + x)^{1−γ} − w^{1−γ}) / (1 − γ), or ln((w + x)/w) at γ = 1, with
            background wealth w ≥ 0 (w > 0 needed when γ ≥ 1).  Wealth below zero is ruin:
            u = −∞ for x < −w (and at x = −w when γ ≥ 1), so CE = −∞ when such an outcome
            has positive probability.  γ < 0 is risk-seeking.  The CE is the CARA CE of
            the log-wealth (:func:`crra_certainty_equivalent`), stable for every γ and w.
Any other non-decreasing callable works through :func:`custom`; its inverse is found with
:func:`scipy.optimize.brentq` when not given.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import optimize

from ..errors import InstanceError
from ..validate import as_choice, as_number, reject_unknown, require, require_mapping
from .tolerances import CARA_LOGSUMEXP_MIN, CARA_SERIES_MAX, CRRA_SERIES_MAX

ArrayFn = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Utility:
    """A seller's utility u with u(0) = 0 and its certainty equivalents.

    Attributes
    ----------
    kind
        ``"linear"``, ``"cara"``, ``"crra"`` or ``"custom"``.
    params
        The parameters (``a`` for CARA; ``gamma`` and ``wealth`` for CRRA).
    attitude
        ``"averse"`` (concave), ``"neutral"`` (linear) or ``"seeking"`` (convex);
        ``"unknown"`` for a custom callable unless stated.
    """

    kind: str
    params: tuple[tuple[str, float], ...] = ()
    attitude: str = "unknown"
    fn: ArrayFn | None = field(default=None, compare=False, repr=False)
    inv: ArrayFn | None = field(default=None, compare=False, repr=False)

    # ----------------------------------------------------------------- evaluation
    def param(self, name: str) -> float:
        """The value of parameter ``name``."""
        return dict(self.params)[name]

    def __call__(self, x: Any) -> np.ndarray:
        """u(x), element-wise."""
        x = np.asarray(x, dtype=float)
        if self.kind == "linear":
            return x.copy()
        if self.kind == "cara":
            a = self.param("a")
            with np.errstate(over="ignore"):
                return np.sign(a) * -np.expm1(-a * x)
        if self.kind == "crra":
            g, w = self.param("gamma"), self.param("wealth")
            z = w + x
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                if g == 1.0:
                    out = np.log(z / w)
                else:
                    out = (np.power(np.maximum(z, 0.0), 1.0 - g) - w ** (1.0 - g)) / (1.0 - g)
            ruin = z < 0 if g < 1.0 else z <= 0
            return np.where(ruin, -np.inf, out)
        assert self.fn is not None
        return np.asarray(self.fn(x), dtype=float)

    def inverse(self, y: Any) -> np.ndarray:
        """u^{-1}(y), element-wise (closed form for built-ins; brentq for a custom u)."""
        y = np.asarray(y, dtype=float)
        if self.kind == "linear":
            return y.copy()
        if self.kind == "cara":
            a = self.param("a")
            return -np.log1p(-np.sign(a) * y) / a
        if self.kind == "crra":
            g, w = self.param("gamma"), self.param("wealth")
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                if g == 1.0:
                    out = w * np.expm1(y)
                else:
                    base = (1.0 - g) * y + w ** (1.0 - g)
                    out = np.power(np.maximum(base, 0.0), 1.0 / (1.0 - g)) - w
            return np.where(np.isneginf(y), -np.inf, out)
        if self.inv is not None:
            return np.asarray(self.inv(y), dtype=float)
        return _numeric_inverse(self, y)

    # -------------------------------------------------------- certainty equivalents
    def certainty_equivalent(self, values: Any, probs: Any) -> np.ndarray | float:
        """CE of the lottery paying ``values[..., k]`` with probability ``probs[..., k]``.

        Exact for the built-ins (closed forms; CARA by :func:`cara_certainty_equivalent`,
        stable for every a and payment); numeric inversion for a custom u.  Broadcasts: each row
        of ``values`` is one lottery.  Outcomes of probability zero are ignored.

        Returns
        -------
        float or numpy.ndarray
            One CE per lottery (a float for a single lottery).
        """
        x = np.asarray(values, dtype=float)
        p = np.asarray(probs, dtype=float)
        x, p = np.broadcast_arrays(x, p)
        pos = p > 0
        if self.kind == "linear":
            out = np.sum(np.where(pos, x * p, 0.0), axis=-1)
        elif self.kind == "cara" and self.param("a") != 0.0:
            out = cara_certainty_equivalent(self.param("a"), x, p)
        elif self.kind == "cara":
            out = np.sum(np.where(pos, x * p, 0.0), axis=-1)
        elif self.kind == "crra":
            out = crra_certainty_equivalent(self.param("gamma"), self.param("wealth"), x, p)
        else:
            with np.errstate(invalid="ignore"):
                ux = np.where(pos, self(np.where(pos, x, 0.0)), 0.0)
                eu = np.sum(np.where(pos, p * ux, 0.0), axis=-1)
            out = self.inverse(eu)
        return float(out) if np.ndim(out) == 0 else np.asarray(out)

    def expected_utility(self, values: Any, probs: Any) -> np.ndarray | float:
        """Σ_k p(k) u(values[k]) (rows are lotteries)."""
        x = np.asarray(values, dtype=float)
        p = np.asarray(probs, dtype=float)
        x, p = np.broadcast_arrays(x, p)
        pos = p > 0
        ux = np.where(pos, self(np.where(pos, x, 0.0)), 0.0)
        out = np.sum(np.where(pos, p * ux, 0.0), axis=-1)
        return float(out) if np.ndim(out) == 0 else out

    def describe(self) -> dict[str, Any]:
        """A JSON-ready description (the CLI spec for built-ins)."""
        return {"kind": self.kind, **dict(self.params)}


def cara_certainty_equivalent(a: float, values: np.ndarray, probs: np.ndarray) -> np.ndarray:
    r"""CE = −ln E[e^{−aX}] / a of CARA lotteries (rows of ``values``), stable for every a ≠ 0.

    The naive form divides the rounding noise of ln E[e^{−aX}] (about 1e-16) by a, which
    is pure noise for tiny |a| (a = 1e-300 gave 5.5 for a lottery whose CE is 10).  Instead,
    with x₀ the outcome where −a x is largest (the smallest x for a > 0, the largest for
    a < 0), Y = X − x₀ so that −aY <= 0, s = |a|·max Y (the lottery's spread in units of
    1/|a|) and the probabilities normalised to sum 1:

    * s <= :data:`~solver.sampling.tolerances.CARA_SERIES_MAX`: the cumulant series
      CE = x₀ + κ₁ − a κ₂/2 + a² κ₃/6 − a³ κ₄/24 of Y, computed on Y / max Y so that no
      power overflows or underflows (a·Y may be subnormal here);
    * s <= :data:`~solver.sampling.tolerances.CARA_LOGSUMEXP_MIN`:
      CE = x₀ − log1p(E[expm1(−aY)]) / a, accurate to a few ulps of the spread;
    * otherwise CE = x₀ − logsumexp(ln p − aY) / a: every exponent is <= 0 and the largest
      term is e⁰ at x₀, so nothing overflows for any |a| or payment.

    Outcomes of probability zero are ignored.  A row with no outcome of positive
    probability has CE 0 (as for the linear utility); an infinite x₀ is the CE.

    Parameters
    ----------
    a
        The CARA coefficient (non-zero, finite).
    values, probs
        Broadcastable arrays; the last axis indexes the outcomes.

    Returns
    -------
    numpy.ndarray
        One CE per row (shape of ``values`` without its last axis).
    """
    x, p = np.broadcast_arrays(np.asarray(values, dtype=float), np.asarray(probs, dtype=float))
    pos = p > 0
    total = np.sum(np.where(pos, p, 0.0), axis=-1)
    any_pos = total > 0
    w = np.where(pos, p, 0.0) / np.where(any_pos, total, 1.0)[..., None]
    far = np.inf if a > 0 else -np.inf
    xs = np.where(pos, x, far)
    x0 = np.min(xs, axis=-1) if a > 0 else np.max(xs, axis=-1)
    x0 = np.where(any_pos, x0, 0.0)
    # an infinite x₀ decides the CE alone (e.g. a −∞ outcome for a risk-averse seller)
    finite = np.isfinite(x0)
    with np.errstate(over="ignore", invalid="ignore"):
        y = np.where(pos, x - np.where(finite, x0, 0.0)[..., None], 0.0)  # a·y >= 0
        ymax = np.max(np.abs(y), axis=-1)
        s = abs(a) * ymax
    out = np.where(finite, 0.0, x0)
    ok = any_pos & finite
    series = ok & (s <= CARA_SERIES_MAX)
    mid = ok & (s > CARA_SERIES_MAX) & (s <= CARA_LOGSUMEXP_MIN)
    big = ok & ~series & ~mid
    if series.any():
        ys, ws, top = y[series], w[series], ymax[series]
        v = ys / np.where(top > 0, top, 1.0)[:, None]        # in [-1, 1]
        k1 = np.sum(ws * v, axis=-1)
        c = v - k1[:, None]
        k2 = np.sum(ws * c * c, axis=-1)
        k3 = np.sum(ws * c ** 3, axis=-1)
        k4 = np.sum(ws * c ** 4, axis=-1) - 3.0 * k2 * k2
        b = a * top                                          # |b| <= CARA_SERIES_MAX
        out[series] = x0[series] + top * (k1 - b * k2 / 2.0 + b * b * k3 / 6.0
                                          - b ** 3 * k4 / 24.0)
    if mid.any():
        with np.errstate(under="ignore"):
            em = np.sum(w[mid] * np.expm1(-a * y[mid]), axis=-1)
        out[mid] = x0[mid] - np.log1p(em) / a
    if big.any():
        with np.errstate(over="ignore", under="ignore", divide="ignore"):
            logw = np.where(w[big] > 0, np.log(np.where(w[big] > 0, w[big], 1.0)), -np.inf)
            z = logw - a * y[big]
        out[big] = x0[big] - _logsumexp(z) / a
    return out


def crra_certainty_equivalent(gamma: float, wealth: float, values: np.ndarray,
                              probs: np.ndarray) -> np.ndarray:
    r"""CE of CRRA lotteries (rows of ``values``), through the CARA CE of the log-wealth.

    With ℓ = ln((w + X)/w) = log1p(X/w), u(X) = w^{1−γ}(e^{(1−γ)ℓ} − 1)/(1 − γ) is a positive
    multiple of a CARA utility of ℓ with coefficient a = γ − 1 (the log utility for γ = 1 is
    u = ℓ, a = 0), so

        CE = w·expm1(M),   M = CE_CARA(γ − 1) of ℓ,

    computed by :func:`cara_certainty_equivalent` (stable as γ -> 1 and for every γ), and
    exactly homogeneous: scaling X and w by s scales CE by s.  For w = 0 (allowed for γ < 1)
    ℓ = ln X and CE = e^M.  When max|X| <= ``CRRA_SERIES_MAX``·w the Arrow–Pratt series
    E[X] − γ Var(X)/(2w) is used instead (X/w may be subnormal there).  Ruin (w + X < 0, or
    <= 0 when γ >= 1, with positive probability) gives −∞; nothing overflows or warns.
    """
    x, p = np.broadcast_arrays(np.asarray(values, dtype=float), np.asarray(probs, dtype=float))
    pos = p > 0
    z = wealth + x
    ruin_at = pos & ((z < 0) if gamma < 1.0 else (z <= 0))
    ruined = np.any(ruin_at, axis=-1)
    keep = pos & ~ruin_at
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if wealth > 0:
            ratio = np.where(keep, x, 0.0) / wealth
            # ln(1 + X/w), by log1p unless X/w overflows (then ln(w + X) − ln w is exact)
            ell = np.where(np.isfinite(ratio), np.log1p(ratio),
                           np.log(np.where(keep, z, 1.0)) - np.log(wealth))
        else:
            ell = np.log(np.where(keep, x, 1.0))      # X = 0 gives ln 0 = −∞ (γ < 1)
    ell = np.where(keep, ell, 0.0)
    q = np.where(keep, p, 0.0)
    a = gamma - 1.0
    if a == 0.0:
        tot = np.sum(q, axis=-1)
        with np.errstate(invalid="ignore"):
            M = np.sum(np.where(q > 0, q * ell, 0.0), axis=-1) / np.where(tot > 0, tot, 1.0)
    else:
        M = cara_certainty_equivalent(a, ell, q)
    with np.errstate(over="ignore", invalid="ignore"):
        if wealth > 0:
            big = M > 1.0
            out = np.where(big, np.exp(np.where(big, M, 0.0) + np.log(wealth)) - wealth,
                           wealth * np.expm1(np.where(big, 0.0, M)))
        else:
            out = np.exp(M)
    if wealth > 0:
        # lotteries tiny against the wealth (X/w may even be subnormal): the Arrow–Pratt
        # expansion CE = E[X] − γ Var(X) / (2w), exact to O((max|X|/w)²) of max|X|
        top = np.max(np.abs(np.where(keep, x, 0.0)), axis=-1)
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            small = ~ruined & (top <= CRRA_SERIES_MAX * wealth)
        if small.any():
            tot = np.sum(q[small], axis=-1)
            w = q[small] / np.where(tot > 0, tot, 1.0)[:, None]
            t = np.where(top[small] > 0, top[small], 1.0)
            v = np.where(keep[small], x[small], 0.0) / t[:, None]
            m1 = np.sum(w * v, axis=-1)
            var = np.sum(w * (v - m1[:, None]) ** 2, axis=-1)
            out[small] = t * (m1 - gamma * (t / wealth) * var / 2.0)
    out = np.where(np.any(pos, axis=-1), out, 0.0)
    return np.where(ruined, -np.inf, out)


def _logsumexp(z: np.ndarray) -> np.ndarray:
    """log Σ exp(z) along the last axis (−∞ entries allowed).

    Hand-written rather than :func:`scipy.special.logsumexp` because this sits in the
    inner loop of the misreport searches, where scipy's array-API dispatch costs ~0.5 ms
    per call; the max-shift below is the same algorithm.
    """
    top = np.max(z, axis=-1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    return np.log(np.sum(np.exp(z - top), axis=-1)) + top[..., 0]


def _numeric_inverse(u: Utility, y: np.ndarray) -> np.ndarray:
    """Solve u(x) = y for each y by bracketing and :func:`scipy.optimize.brentq`."""
    def one(t: float) -> float:
        if not math.isfinite(t):
            return t
        f = lambda x: float(u(np.array(x))) - t  # noqa: E731
        lo, hi = -1.0, 1.0
        for _ in range(200):
            if f(lo) <= 0.0:
                break
            lo *= 2.0
        else:
            raise ValueError(f"u^-1({t}): no x with u(x) <= {t} found")
        for _ in range(200):
            if f(hi) >= 0.0:
                break
            hi *= 2.0
        else:
            raise ValueError(f"u^-1({t}): no x with u(x) >= {t} found")
        if f(lo) == 0.0:
            return lo
        if f(hi) == 0.0:
            return hi
        return float(optimize.brentq(f, lo, hi, xtol=1e-12, rtol=4 * np.finfo(float).eps))
    return np.vectorize(one, otypes=[float])(y)


# --------------------------------------------------------------------- constructors
def linear() -> Utility:
    """Risk-neutral u(x) = x."""
    return Utility("linear", (), "neutral")


def cara(a: float) -> Utility:
    """CARA u(x) = sign(a)(1 − e^{−a x}); a > 0 risk-averse (Section 4.3 uses a = 0.002)."""
    a = float(a)
    att = "averse" if a > 0 else "seeking" if a < 0 else "neutral"
    return Utility("cara", (("a", a),), att)


def crra(gamma: float, wealth: float = 0.0) -> Utility:
    """CRRA with relative risk aversion γ and background wealth w (see module docstring)."""
    g, w = float(gamma), float(wealth)
    if w < 0 or (g >= 1.0 and w <= 0):
        raise ValueError("crra needs wealth >= 0, and wealth > 0 when gamma >= 1")
    att = "averse" if g > 0 else "seeking" if g < 0 else "neutral"
    return Utility("crra", (("gamma", g), ("wealth", w)), att)


def custom(fn: ArrayFn, inverse: ArrayFn | None = None, attitude: str = "unknown"
           ) -> Utility:
    """Any non-decreasing u with u(0) = 0; ``inverse`` optional (brentq otherwise)."""
    return Utility("custom", (), attitude, fn, inverse)


def lottery_values(payment: Any, cost: Any) -> np.ndarray:
    """X(k) = π(k) − c(k): what a seller nets when sampled k times (Assumption 3.1)."""
    return np.asarray(payment, dtype=float) - np.asarray(cost, dtype=float)


def from_spec(raw: Any, field_name: str = "utility") -> Utility:
    """Parse ``{"kind": "linear"|"cara"|"crra", ...}`` (the CLI's utility spec)."""
    raw = require_mapping(raw, field_name)
    kind = as_choice(require(raw, "kind", field_name + "."), field_name + ".kind",
                     ("linear", "cara", "crra"))
    if kind == "linear":
        reject_unknown(raw, ("kind",), field_name + ".")
        return linear()
    if kind == "cara":
        reject_unknown(raw, ("kind", "a"), field_name + ".")
        return cara(as_number(require(raw, "a", field_name + "."), field_name + ".a"))
    reject_unknown(raw, ("kind", "gamma", "wealth"), field_name + ".")
    g = as_number(require(raw, "gamma", field_name + "."), field_name + ".gamma")
    w = as_number(raw.get("wealth", 0.0), field_name + ".wealth", minimum=0.0)
    if g >= 1.0 and w <= 0.0:
        raise InstanceError(field_name + ".wealth", "must be > 0 when gamma >= 1")
    return crra(g, w)

