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
            CE = −ln E[e^{−a X}] / a, evaluated with a log-sum-exp.
``crra``    u(x) = ((w + x)^{1−γ} − w^{1−γ}) / (1 − γ), or ln((w + x)/w) at γ = 1, with
            background wealth w ≥ 0 (w > 0 needed when γ ≥ 1).  Wealth below zero is ruin:
            u = −∞ for x < −w (and at x = −w when γ ≥ 1), so CE = −∞ when such an outcome
            has positive probability.  γ < 0 is risk-seeking.
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
            return np.sign(a) * -np.expm1(-a * x)
        if self.kind == "crra":
            g, w = self.param("gamma"), self.param("wealth")
            z = w + x
            with np.errstate(divide="ignore", invalid="ignore"):
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

        Exact for the built-ins (closed forms; CARA through a log-sum-exp so that large
        payments do not overflow); numeric inversion for a custom u.  Broadcasts: each row
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
            a = self.param("a")
            logp = np.where(pos, np.log(np.where(pos, p, 1.0)), -np.inf)
            out = -_logsumexp(logp - a * np.where(pos, x, 0.0)) / a
        elif self.kind == "cara":
            out = np.sum(np.where(pos, x * p, 0.0), axis=-1)
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

