"""Buyer valuations from estimation error [CCK25, Section 3.1, eq. (11)].

``v_j^d(m) = inf_mu E_{X ~ N(mu, sigma^2)^m} [ v_j^e(|mu_hat(X) - mu|) ]``.  For normal data
``mu_hat - mu ~ N(0, sigma^2 / m)`` whatever ``mu`` is, so the infimum is attained at every
``mu`` and ``v^d(m) = E[v^e(s |Z|)]`` with ``s = sigma / sqrt(m)``, ``Z ~ N(0, 1)``: a
one-dimensional integral ``int_0^inf v^e(e) 2 phi(e / s) / s de``.  ``v^d(0) = 0`` (the
paper's convention ``v(0) = 0``: no data, no value).

Built-in error-value functions (``tolerance`` tau > 0, ``value`` a in (0, 1], default 1),
each with a closed form (``a_ = tau / s``, Phi/phi the standard normal cdf/pdf):

* ``step``: ``v^e(e) = a 1{e <= tau}`` gives ``a (2 Phi(a_) - 1)``;
* ``linear``: ``v^e(e) = a max(0, 1 - e / tau)`` gives
  ``a [(2 Phi(a_) - 1) - 2 (phi(0) - phi(a_)) / a_]``;
* ``quadratic``: ``v^e(e) = a max(0, 1 - (e / tau)^2)`` gives
  ``a [(2 Phi(a_) - 1) - 2 ((Phi(a_) - 1/2) - a_ phi(a_)) / a_^2]``.

Any callable ``v^e: [0, inf) -> [0, 1]`` (non-increasing) goes through
:func:`scipy.integrate.quad`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import integrate, special, stats

from .tolerances import SERIES_BELOW

BUILTINS = ("step", "linear", "quadratic")
#: Terms of the small-``a`` Taylor series (:func:`_series`).
SERIES_TERMS = 8
#: ``a`` beyond which every closed form equals its limit 1 to double precision (the
#: remainders are ``O(1 / a)`` at most, so ``a`` is capped here instead of overflowing).
A_CAP = 1e30


def error_value(kind: str, tolerance: float, value: float = 1.0) -> Callable[[float], float]:
    """The built-in error-value function ``v^e`` as a Python callable."""
    if kind == "step":
        return lambda e: value * float(e <= tolerance)
    if kind == "linear":
        return lambda e: value * max(0.0, 1.0 - e / tolerance)
    if kind == "quadratic":
        return lambda e: value * max(0.0, 1.0 - (e / tolerance) ** 2)
    raise ValueError(f"unknown error-value function {kind!r}; built-ins: {BUILTINS}")


def _series(kind: str, a: np.ndarray) -> np.ndarray:
    """Taylor series at ``a -> 0`` of the linear and quadratic closed forms.

    ``v = int_0^a 2 phi(z) w(z / a) dz`` with ``phi(z) = phi(0) sum_k (-z^2/2)^k / k!``:
    ``w(t) = 1 - t`` gives terms ``a^(2k+1) / ((2k+1)(2k+2))``, ``w(t) = 1 - t^2`` gives
    ``2 a^(2k+1) / ((2k+1)(2k+3))``.  Eight terms are exact to rounding for ``a < 0.1``
    (the term ratio is below ``a^2 / 2``).
    """
    p0 = 1.0 / np.sqrt(2.0 * np.pi)
    out = np.zeros_like(a)
    for k in range(SERIES_TERMS):
        c = (-0.5) ** k / special.factorial(k)
        den = ((2 * k + 1) * (2 * k + 2)) if kind == "linear" else (
            (2 * k + 1) * (2 * k + 3) / 2.0)
        out += c * a ** (2 * k + 1) / den
    return 2.0 * p0 * out


def closed_form(kind: str, tolerance: float, sigma: float, m: np.ndarray,
                value: float = 1.0) -> np.ndarray:
    """``v^d(m)`` (eq. 11) for a built-in ``v^e`` in closed form; ``m`` integer array >= 0.

    Numerically stable for every ``a = tau sqrt(m) / sigma`` in ``[0, inf]``: ``2 Phi(a) - 1``
    is ``erf(a / sqrt 2)``, ``phi(0) - phi(a)`` is ``-phi(0) expm1(-a^2 / 2)``, small ``a``
    use the Taylor series (:func:`_series`, below ``SERIES_BELOW``) and large ``a`` are
    capped where every form is 1 to double precision (no ``inf * 0``).
    """
    if kind not in BUILTINS:
        raise ValueError(f"unknown error-value function {kind!r}; built-ins: {BUILTINS}")
    m = np.asarray(m, dtype=float)
    out = np.zeros_like(m)
    pos = m > 0
    with np.errstate(over="ignore", under="ignore"):
        a = np.minimum(tolerance * np.sqrt(m[pos]) / sigma, A_CAP)
    erf = special.erf(a / np.sqrt(2.0))
    if kind == "step":
        v = erf
    else:
        small = a < SERIES_BELOW
        big = np.where(small, 1.0, a)          # the closed forms, where they are stable
        p0 = 1.0 / np.sqrt(2.0 * np.pi)
        with np.errstate(under="ignore"):
            if kind == "linear":
                v = erf + 2.0 * p0 * np.expm1(-big ** 2 / 2.0) / big
            else:
                v = erf - (erf - 2.0 * big * stats.norm.pdf(big)) / big ** 2
            v = np.where(small, _series(kind, np.where(small, a, 0.0)), v)
    out[pos] = value * np.clip(v, 0.0, 1.0)
    return out


def by_quadrature(ve: Callable[[float], float], sigma: float, m: np.ndarray,
                  breakpoints: tuple[float, ...] = ()) -> np.ndarray:
    """``v^d(m) = int_0^inf v^e(e) 2 phi(e/s)/s de`` by :func:`scipy.integrate.quad`.

    ``breakpoints`` (e.g. a step's tolerance) are passed to ``quad`` as ``points`` on a
    finite range ``[0, 40 s]`` (the half-normal mass beyond is below 1e-300).
    """
    m = np.asarray(m, dtype=int)
    out = np.zeros(m.shape, dtype=float)
    for i, mi in enumerate(m.reshape(-1)):
        if mi <= 0:
            continue
        s = sigma / np.sqrt(mi)
        hi = 40.0 * s
        pts = [b for b in breakpoints if 0 < b < hi] or None
        val, _ = integrate.quad(lambda e, s=s: ve(e) * 2 * stats.norm.pdf(e / s) / s, 0.0, hi,
                                points=pts, limit=200, epsabs=1e-12, epsrel=1e-10)
        out.reshape(-1)[i] = val
    return out


def valuation_curve(spec: str | Callable[[float], float], N: int, sigma: float,
                    tolerance: float | None = None, value: float = 1.0,
                    method: str = "closed") -> np.ndarray:
    """``(v^d(0), ..., v^d(N))`` for one buyer [CCK25, eq. (11)].

    The result starts with ``v^d(0) = 0`` (the array entry points' convention); an
    instance's rows are ``valuation_curve(...)[1:]``.

    Parameters
    ----------
    spec
        ``"step"``, ``"linear"``, ``"quadratic"`` or a callable ``v^e``.
    method
        ``"closed"`` (built-ins only) or ``"quad"``.
    """
    m = np.arange(N + 1)
    if callable(spec):
        return np.maximum.accumulate(np.clip(by_quadrature(spec, sigma, m), 0.0, 1.0))
    if tolerance is None:
        raise ValueError("a built-in error-value function needs a tolerance")
    if method == "closed":
        v = closed_form(spec, tolerance, sigma, m, value)
    else:
        v = np.clip(by_quadrature(error_value(spec, tolerance, value), sigma, m,
                                  breakpoints=(tolerance,)), 0.0, 1.0)
    return np.maximum.accumulate(v)     # eq. 11 is non-decreasing in m; remove rounding
