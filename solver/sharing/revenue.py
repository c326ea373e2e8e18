"""Theorem B-2's revenue-equivalence identity ``E[p_i] = E[Φ_i(v_i) A_i(v)]`` (line 229).

The proof of Theorem B-2 (appendix lines 227-229) integrates the first-order condition of
(B-17) to the payment rule (B-18)::

    p_i(v, v_{-i}) = ∫_v^{v_max} A_i(x, v_{-i}) dx + v A_i(v, v_{-i}),

and then states that "taking expectation of both sides" gives
``E_v[p_i(v)] = E_v[Φ_i(v_i) A_i(v)]`` with ``Φ_i = v + F_i/f_i`` — the identity that turns the
platform's expected payoff into the virtual-value objective.  It holds conditionally on
``v_{-i}`` (DERIVED, Fubini + ``F_i(v_min) = 0``)::

    E[p_i | v_{-i}] = ∫ f(v) ∫_v^{v_max} A dx dv + E[v A] = ∫ F(x) A(x) dx + E[v A] = E[Φ_i A_i],

for *any* bounded ``A_i`` (monotone or not), so it is an identity of the payment rule; a payment
rule with another lower limit, without the ``v A`` term, or with the integral over the whole
support, breaks it.

Exact evaluation.  For fixed ``v_{-i}``, ``A_i(·, v_{-i})`` is a step function with the
finitely many breakpoints of :meth:`ThmB2Mechanism.breakpoints` (an upper envelope of 2^n
lines, re-derived).  On a step ``[a, b)`` with value ``A``:

* ``∫_a^b Φ A f dx = A ∫_a^b (x f + F) dx = A [x F(x)]_a^b`` — exact, no quadrature;
* under (B-18) the payment is constant on the step, so ``∫_a^b p f = p(mid)(F(b) - F(a))``.

For a payment rule that is not constant on steps (the deliberately wrong ones of the tests)
the expectation is taken by adaptive quadrature (:func:`scipy.integrate.quad`) on each step,
which is also used as an independent cross-check of both sides.

Ironing (Assumption 2 fails): the allocation uses the ironed Φ̄, (B-18) is unchanged, and the
identity still holds with the *raw* Φ; moreover ``E[Φ A] = E[Φ̄ A]`` because ``A_i`` is
constant where Φ̄ is flat (Myerson).  Both are reported.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.integrate import quad

from .bayes import ThmB2Mechanism, _inverse


def _quad(fun: Callable[[float], float], a: float, b: float, kinks: tuple[float, ...]) -> float:
    """:func:`scipy.integrate.quad` on ``[a, b]``, split at the density's jumps."""
    pts = [k for k in kinks if a < k < b]
    return float(quad(fun, a, b, points=pts or None, limit=200)[0])


__all__ = ["a_steps", "expected_virtual_term", "expected_payment", "payment_identity"]

PaymentRule = Callable[[float], float]


def a_steps(mech: ThmB2Mechanism, i: int, reports: np.ndarray
            ) -> list[tuple[float, float, float]]:
    """Steps ``(x_start, x_end, A)`` of ``x ↦ A_i(x, v_{-i})`` covering the support of ``F_i``.

    Breakpoints come from the envelope over φ (:meth:`ThmB2Mechanism.breakpoints`), mapped to
    ``x`` by inverting the (ironed) virtual value; the step value is re-evaluated from the
    allocation at the step's midpoint (so ties at breakpoints do not matter).
    """
    prior, vf = mech.priors[i], mech.virtual[i]
    segs = mech.breakpoints(i, reports)
    cuts = [prior.lo]
    for phi, _ in segs[1:]:
        x = float(np.clip(_inverse(vf, phi, prior), prior.lo, prior.hi))
        if x > cuts[-1]:
            cuts.append(x)
    if cuts[-1] < prior.hi:
        cuts.append(prior.hi)
    out = []
    for a, b in zip(cuts[:-1], cuts[1:], strict=True):
        mid = 0.5 * (a + b) if np.isfinite(b) else a + 1.0
        out.append((a, b, mech.a_i(i, mid, reports)))
    return out


def expected_virtual_term(mech: ThmB2Mechanism, i: int, reports: np.ndarray,
                          ironed: bool = False) -> float:
    """``E_{v_i}[Φ_i(v_i) A_i(v_i, v_{-i})]`` exactly (raw Φ), or by quadrature with Φ̄."""
    prior = mech.priors[i]
    total = 0.0
    for a, b, av in a_steps(mech, i, reports):
        if av == 0.0:
            continue
        if not np.isfinite(b):
            raise ValueError("A_i stays positive up to v_max = inf")
        if ironed:
            vf = mech.virtual[i]
            total += av * _quad(lambda x, vf=vf: float(vf(x)) * float(prior.pdf(np.array(x))),
                                a, b, prior.kinks)
        else:
            total += av * (b * float(prior.cdf(np.array(b))) - a * float(prior.cdf(np.array(a))))
    return total


def expected_payment(mech: ThmB2Mechanism, i: int, reports: np.ndarray,
                     payment: PaymentRule | None = None, exact: bool = True) -> float:
    """``E_{v_i}[p_i(v_i, v_{-i})]`` under ``F_i`` for (B-18) or a given payment rule.

    ``exact=True`` uses that (B-18) is constant on each step of ``A_i``; with a custom rule or
    ``exact=False`` each step is integrated by :func:`scipy.integrate.quad`.
    """
    prior = mech.priors[i]
    rule = payment or (lambda x: mech.payment(i, x, np.asarray(reports, float)))
    total = 0.0
    for a, b, _ in a_steps(mech, i, reports):
        mass = float(prior.cdf(np.array(b)) - prior.cdf(np.array(a)))
        if mass <= 0:
            continue
        if exact and payment is None:
            mid = 0.5 * (a + b) if np.isfinite(b) else a + 1.0
            total += rule(mid) * mass
        else:
            # an unbounded last step (exponential prior) is cut where the tail mass is
            # 1e-14: Φ overflows beyond it
            b = min(b, prior._quantile(1 - 1e-14)) if not np.isfinite(b) else b
            total += _quad(lambda x: rule(x) * float(prior.pdf(np.array(x))), a, b,
                           prior.kinks)
    return total


def payment_identity(mech: ThmB2Mechanism, i: int, reports: np.ndarray,
                     payment: PaymentRule | None = None, quadrature: bool = False) -> dict:
    """Both sides of ``E[p_i | v_{-i}] = E[Φ_i A_i | v_{-i}]`` and their gap.

    With ``quadrature=True`` both sides are also computed by adaptive quadrature (independent
    of the step-wise closed forms) and the largest disagreement is reported.
    """
    lhs = expected_payment(mech, i, reports, payment)
    rhs = expected_virtual_term(mech, i, reports)
    out = {"expected_payment": lhs, "expected_phi_A": rhs, "gap": abs(lhs - rhs),
           "steps": len(a_steps(mech, i, reports))}
    if mech.ironed[i]:
        out["expected_ironed_phi_A"] = expected_virtual_term(mech, i, reports, ironed=True)
        # Φ̄ is PAVA on a 4000-point quantile grid: agreement only to the grid's resolution
        out["ironed_gap"] = abs(out["expected_ironed_phi_A"] - rhs)
    if quadrature:
        lq = expected_payment(mech, i, reports, payment, exact=False)
        prior = mech.priors[i]
        rq = 0.0
        for a, b, av in a_steps(mech, i, reports):
            if av != 0.0:
                rq += av * _quad(lambda x: float(prior.phi(x)) * float(prior.pdf(np.array(x))),
                                 a, b, prior.kinks)
        out["quadrature_gap"] = max(abs(lq - lhs), abs(rq - rhs))
    return out
