"""Buyer valuations from estimation error (eq. 11).

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
from scipy import integrate, stats

BUILTINS = ("step", "linear", "quadratic")


def error_value(kind: str, tolerance: float, value: float = 1.0) -> Callable[[float], float]:
    """The built-in error-value function ``v^e`` as a Python callable."""
    if kind == "step":
        return lambda e: value * float(e <= tolerance)
    if kind == "linear":
        return lambda e: value * max(0.0, 1.0 - e / tolerance)
    if kind == "quadratic":
        return lambda e: value * max(0.0, 1.0 - (e / tolerance) ** 2)
    raise ValueError(f"unknown error-value function {kind!r}; built-ins: {BUILTINS}")


def closed_form(kind: str, tolerance: float, sigma: float, m: np.ndarray,
                value: float = 1.0) -> np.ndarray:
    """``v^d(m)`` (eq. 11) for a built-in ``v^e`` in closed form; ``m`` integer array >= 0."""
    m = np.asarray(m, dtype=float)
    out = np.zeros_like(m)
    pos = m > 0
    a = tolerance * np.sqrt(m[pos]) / sigma
    P, p, p0 = stats.norm.cdf(a), stats.norm.pdf(a), stats.norm.pdf(0.0)
    if kind == "step":
        v = 2 * P - 1
    elif kind == "linear":
        v = (2 * P - 1) - 2 * (p0 - p) / a
    elif kind == "quadratic":
        v = (2 * P - 1) - 2 * ((P - 0.5) - a * p) / a ** 2
    else:
        raise ValueError(f"unknown error-value function {kind!r}; built-ins: {BUILTINS}")
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
    """``(v^d(0), ..., v^d(N))`` for one buyer (eq. 11).

    Parameters
    ----------
    spec
        ``"step"``, ``"linear"``, ``"quadratic"`` or a callable ``v^e``.
    method
        ``"closed"`` (built-ins only) or ``"quad"``.
    """
    m = np.arange(N + 1)
    if callable(spec):
        return np.clip(by_quadrature(spec, sigma, m), 0.0, 1.0)
    if tolerance is None:
        raise ValueError("a built-in error-value function needs a tolerance")
    if method == "closed":
        return closed_form(spec, tolerance, sigma, m, value)
    return np.clip(by_quadrature(error_value(spec, tolerance, value), sigma, m,
                                 breakpoints=(tolerance,)), 0.0, 1.0)
