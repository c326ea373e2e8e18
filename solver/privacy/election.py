"""Mechanism 4.1: the two-candidate election with discrete-Laplace threshold noise (Section 4).

The mechanism draws ``r ∈ Z`` with ``Pr[r = k] ∝ exp(-ε|k|)`` and outputs ``A`` iff the margin
``Δ = #A - #B >= r``.  With ``c = (1 - e^-ε)/(1 + e^-ε)`` the normaliser, summing the two
geometric tails gives the closed form

    Pr[A | Δ] = 1 - e^{-ε(Δ+1)} / (1 + e^{-ε})    (Δ >= 0),
    Pr[A | Δ] = e^{εΔ} / (1 + e^{-ε})             (Δ < 0),

which :func:`prob_a_direct` checks by direct summation.

Reading (checked exactly, see ``privacy.election-dp-level``): one voter switching her vote moves
``Δ`` by **2**, so the mechanism as printed is exactly ``2ε``-differentially private (the ratio
``Pr[A | Δ+2] / Pr[A | Δ] = e^{2ε}`` for ``Δ + 2 < 0``), not ``ε``-DP.  Theorem 4.2's proof
invokes Proposition 3.3 with ``F(e^ε)``; with the mechanism's true level the sufficient
condition is ``gap >= 2 F(e^{2ε})``, and at the printed threshold ``gap = 2F(e^ε)`` the
verifier finds a profitable lie (a tied electorate).  The library reports both.

Truthfulness check in the vote margin ``m`` of the *other* voters (a sufficient statistic):
a lie by a voter of either type changes the outcome exactly when ``r ∈ {m, m+1}`` (``s(m)``
below), always from her candidate to the other, so the verifier's gain (★) factors as

    gain(m) = s(m) · (-gap + F(ratio_A(m)) + F(ratio_B(m))),

and abstaining (Proposition 4.4) gives ``Pr[r = m+1] · (the same bracket)``.  Because
``Pr[A | Δ]`` is monotone in ``Δ``, the ratio over reports ``{A, B}`` equals the ratio over
``{A, B, abstain}``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..tolerances import EXACT as EXACT_TOL
from .model import PrivacyBound


def _check_eps(eps: float) -> None:
    if not (eps > 0 and math.isfinite(eps)):
        from ..errors import InstanceError
        raise InstanceError("epsilon", f"must be a finite number > 0, got {eps}")


def log_prob_a(margin: Any, eps: float) -> np.ndarray:
    """``ln Pr[A | Δ]`` for margins ``Δ`` (closed form, accurate for huge ``|Δ|``)."""
    _check_eps(eps)
    d = np.asarray(margin, dtype=float)
    lz = math.log1p(math.exp(-eps))
    with np.errstate(over="ignore"):
        pos = np.log1p(-np.exp(-eps * (np.maximum(d, 0) + 1) - lz))
    return np.where(d >= 0, pos, eps * np.minimum(d, 0) - lz)


def log_prob_b(margin: Any, eps: float) -> np.ndarray:
    """``ln Pr[B | Δ]`` for margins ``Δ``."""
    _check_eps(eps)
    d = np.asarray(margin, dtype=float)
    lz = math.log1p(math.exp(-eps))
    neg = np.log1p(-np.exp(eps * np.minimum(d, -1) - lz))
    return np.where(d >= 0, -eps * (np.maximum(d, 0) + 1) - lz, neg)


def prob_a(margin: Any, eps: float) -> Any:
    """``Pr[Mechanism 4.1 outputs A]`` at vote margin ``Δ = #A - #B`` (closed form)."""
    out = np.exp(log_prob_a(margin, eps))
    return float(out) if np.ndim(out) == 0 else out


def prob_a_direct(margin: int, eps: float, tail: float = 1e-17) -> tuple[float, float]:
    """``Pr[A | Δ]`` by direct summation of the noise pmf over ``|k| <= K``.

    Returns the sum and the truncation bound ``Pr[|r| > K] = 2e^{-ε(K+1)}/(1+e^{-ε})``.
    """
    K = int(math.ceil(-math.log(tail) / eps)) + abs(int(margin)) + 1
    k = np.arange(-K, K + 1)
    c = (1 - math.exp(-eps)) / (1 + math.exp(-eps))
    pmf = c * np.exp(-eps * np.abs(k))
    return float(pmf[k <= margin].sum()), 2 * math.exp(-eps * (K + 1)) / (1 + math.exp(-eps))


def log_tanh_half(eps: float) -> float:
    """``ln tanh(ε/2)``, the log normaliser of the noise, also for ε below 1e-300."""
    if eps < 1e-8:                      # tanh x = x (1 - x²/3 + ...): relative error < 1e-17
        return math.log(eps) - math.log(2.0)
    return math.log(math.tanh(eps / 2))


def noise_pmf(k: Any, eps: float) -> Any:
    """``Pr[r = k]`` of the discrete Laplace noise ``∝ exp(-ε|k|)``."""
    c = math.tanh(eps / 2)  # (1 - e^-ε)/(1 + e^-ε)
    return c * np.exp(-eps * np.abs(np.asarray(k, dtype=float)))


def log_ratios(m: Any, eps: float) -> tuple[np.ndarray, np.ndarray]:
    """Log of Assumption 3.1's ratio for outcomes A and B when the others' margin is ``m``."""
    m = np.asarray(m, dtype=float)
    la = log_prob_a(m + 1, eps) - log_prob_a(m - 1, eps)
    lb = log_prob_b(m - 1, eps) - log_prob_b(m + 1, eps)
    return la, lb


def gain_bracket(m: Any, eps: float, F: PrivacyBound, gap: float) -> np.ndarray:
    """``-gap + F(ratio_A(m)) + F(ratio_B(m))``: the sign of every lie's gain at margin ``m``."""
    la, lb = log_ratios(m, eps)
    return -gap + F.of_log_ratio(la) + F.of_log_ratio(lb)


def switch_prob(m: Any, eps: float) -> np.ndarray:
    """``s(m) = Pr[r ∈ {m, m+1}]``: probability that a lie moves the outcome."""
    m = np.asarray(m, dtype=float)
    return noise_pmf(m, eps) + noise_pmf(m + 1, eps)


def log_switch_prob(m: Any, eps: float) -> np.ndarray:
    """``ln s(m)`` without underflow (``s`` is symmetric about ``m = -1/2``)."""
    m = np.asarray(m, dtype=float)
    k = np.where(m >= 0, m, -m - 1)              # s(m) = s(-m-1)
    return log_tanh_half(eps) - eps * k + math.log1p(math.exp(-eps))


def _scaled_by_bracket(log_weight: np.ndarray, br: np.ndarray, m: np.ndarray, eps: float,
                       F: PrivacyBound, gap: float) -> np.ndarray:
    """``exp(log_weight) · br`` without ``0 · inf``: positive brackets go through log space.

    A bracket that overflows (``F`` beyond the float range, e.g. ``κ (e^{2ε} - 1)`` for
    ``ε > 355``) is replaced by its logarithm ``ln(F_A + F_B)`` (``gap`` is negligible there),
    so a tiny switch probability times a huge bracket stays the finite number it is.
    """
    out = np.zeros(np.broadcast(log_weight, br).shape)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        neg = br < 0
        out[neg] = -np.exp(log_weight[neg] + np.log(-br[neg]))
        fin = (br > 0) & np.isfinite(br)
        out[fin] = np.exp(log_weight[fin] + np.log(br[fin]))
        inf = np.isinf(br) & (br > 0)
        if inf.any():
            la, lb = log_ratios(m[inf], eps)
            lf = np.array([np.logaddexp(F.log_of_log_ratio(x), F.log_of_log_ratio(y))
                           for x, y in zip(la, lb, strict=True)])
            out[inf] = np.exp(log_weight[inf] + lf)
    return out


def expected_gains(m: Any, eps: float, F: PrivacyBound, gap: float
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Gains (★) of lying and of abstaining for a voter whose others' margin is ``m``.

    Computed as ``exp(ln s(m) + ln bracket)``, so neither a switch probability that
    underflows nor a bracket that overflows produces ``nan``.
    """
    m = np.atleast_1d(np.asarray(m, dtype=float))
    br = np.atleast_1d(gain_bracket(m, eps, F, gap))
    log_abs = log_tanh_half(eps) - eps * np.abs(m + 1)     # ln Pr[r = m + 1]
    return (_scaled_by_bracket(log_switch_prob(m, eps), br, m, eps, F, gap),
            _scaled_by_bracket(log_abs, br, m, eps, F, gap))


def other_margins(n: int) -> np.ndarray:
    """Every margin ``#A - #B`` of ``n - 1`` other voters (``n`` entries: small ``n`` only)."""
    return np.arange(-(n - 1), n, 2)


def window_margins(n: int) -> np.ndarray:
    """The margins of ``n - 1`` others on which the bracket's maximum over all is attained.

    For ``m <= -2`` the ratio for ``A`` is ``e^{2ε}`` and the one for ``B`` grows with ``m``;
    for ``m >= 1`` the ratio for ``B`` is ``e^{2ε}`` and the one for ``A`` falls with ``m``
    (both from the closed form), so for a non-decreasing ``F`` the bracket rises up to
    ``m = -2`` and falls from ``m = 1``: its maximum over :func:`other_margins` lies in
    ``[-3, 2]``.  At most four margins, whatever ``n`` (up to 2·2^53 votes).
    """
    lo = -(n - 1)
    first = lo + 2 * max(0, math.ceil((-3 - lo) / 2))     # smallest margin >= -3
    return np.arange(first, min(n - 1, 2) + 1, 2)


@dataclass(frozen=True)
class Verdict:
    """Result of the election verifier over a set of margins."""

    truthful: bool
    worst_gain: float
    worst_margin: int
    worst_bracket: float
    ir: bool
    worst_gain_abstain: float


def verify(margins: np.ndarray, eps: float, F: PrivacyBound, gap: float) -> Verdict:
    """Worst gain of a lie and of abstaining over the others' margins ``margins``.

    ``truthful`` is decided on the exact sign of the bracket (no rounding of tiny ``s(m)``).
    """
    margins = np.asarray(margins)
    br = gain_bracket(margins, eps, F, gap)
    g_lie, g_abs = expected_gains(margins, eps, F, gap)
    j = int(np.argmax(br))
    return Verdict(truthful=bool(np.all(br <= 0)), worst_gain=float(np.max(g_lie)),
                   worst_margin=int(margins[j]), worst_bracket=float(br[j]),
                   ir=bool(np.all(br <= 0)), worst_gain_abstain=float(np.max(g_abs)))


def exact_threshold(F: PrivacyBound, gap: float, n: int, hi: float = 50.0) -> float:
    """Largest ε at which Mechanism 4.1 is truthful for ``n`` voters (bisection on the bracket).

    The bracket's maximum over margins increases with ε for the built-in ``F`` (checked by
    the claim), so bisection applies.
    """
    ms = window_margins(n)
    lo, h = 0.0, hi
    for _ in range(100):
        mid = 0.5 * (lo + h)
        if np.all(gain_bracket(ms, mid, F, gap) <= 0):
            lo = mid
        else:
            h = mid
    return lo


def check_result(inst: Any, out: Mapping[str, Any]) -> str:
    """Recompute the answer from its own fields; ``""`` if it holds, else what failed.

    ``prob_A + prob_B = 1`` and both in ``[0, 1]``; the objective is the welfare of that
    distribution (relative to the electorate); the margins' ratios are at most ``e^{2ε}``
    (the exact DP level); ``truthful`` agrees with the sign of the reported worst bracket.
    """
    pa, pb = out["prob_A"], out["prob_B"]
    n = inst.votes_a + inst.votes_b
    if not (0 <= pa <= 1 and 0 <= pb <= 1 and abs(pa + pb - 1) <= EXACT_TOL):
        return f"prob_A + prob_B = {pa + pb!r} is not a distribution"
    if abs(inst.votes_a * pa + inst.votes_b * pb - out["objective"]) > EXACT_TOL * n:
        return "the objective is not the welfare of the reported distribution"
    # log-ratios are differences of logs: absolute rounding ~1e-16, hence the absolute slack
    if not out["max_privacy_log_ratio"] <= 2 * inst.epsilon * (1 + EXACT_TOL) + EXACT_TOL:
        return (f"a privacy ratio e^{out['max_privacy_log_ratio']:.6g} exceeds the exact DP "
                f"level e^{2 * inst.epsilon:.6g}")
    wb = out.get("worst_bracket")
    wb = math.inf if wb is None else wb               # JSON writes an overflowed bracket null
    if "truthful" in out and out["truthful"] != (wb <= 0):
        return "truthful disagrees with the sign of the worst bracket"
    return ""
