"""Mutation checks: a claim must fail when the code it checks is deliberately broken.

A check that cannot fail proves nothing.  Each :class:`Mutation` swaps in a wrong
implementation (a dropped term, a wrong tie rule, a wrong scale...) with ``monkeypatch``
and asserts that the claim's quick run then no longer reads its registered outcome: a
holding claim reads ``FAIL`` (or ``error``), a claim registered with
``expected="counterexample"`` reads ``FAIL`` once the mutation removes its
counterexample.

Adding one for another package: append a ``Mutation(claim_id, what, apply)`` to
:data:`MUTATIONS`, where ``apply(monkeypatch)`` installs the wrong implementation (patch the
name where the check looks it up: the claims module imports names, so patch
``solver.<pkg>.claims.<name>`` for a function it imported, or the class attribute for a
method).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest

from solver.claims.registry import CheckContext, all_claims


@dataclass(frozen=True)
class Mutation:
    """A deliberately wrong implementation under which ``claim`` must fail."""

    claim: str
    what: str
    apply: Callable[[pytest.MonkeyPatch], None]

    def __str__(self) -> str:
        return f"{self.claim}: {self.what}"


def assert_claim_breaks(mutation: Mutation, monkeypatch: pytest.MonkeyPatch) -> dict:
    """Check the claim reads its registered outcome, mutate, and check it no longer does."""
    claim = all_claims()[mutation.claim]
    want = "refuted" if claim.expected == "counterexample" else "ok"
    before = claim.run(CheckContext(quick=True))
    assert before["status"] == want, before
    mutation.apply(monkeypatch)
    after = claim.run(CheckContext(quick=True))
    assert after["status"] in ("FAIL", "error"), (
        f"{mutation}: the claim still reads {after['status']!r} under the mutation", after)
    return after


# ----------------------------------------------------------------------------- pricing
def _pricing_wrong_W(mp: pytest.MonkeyPatch) -> None:
    from solver.pricing.mechanism import Mechanism

    # drop the -c_2 term of W: contributor payments (15) no longer match the prices (14)
    mp.setattr(Mechanism, "W", property(
        lambda m: float(sum(m.q_plus)) - m.costs[0] * (m.N_plus - 1)))


def _pricing_dropped_noise_term(mp: pytest.MonkeyPatch) -> None:
    from solver.pricing.mechanism import Mechanism

    def prices(self, sizes_ok, means):  # (14) without the d_i sigma^2 / (|B| N_i^*) term
        Ns, d, s2, B = self.N_star, self.d, self.sigma ** 2, self.B
        q = np.asarray(self.q_plus)
        gap2 = (means[0] - means[1]) ** 2
        p = np.zeros(B)
        for i in (0, 1):
            if sizes_ok[i]:
                p += q * Ns[i] / self.N_plus + d[i] / B * s2 / Ns[1 - i]
            p -= d[i] / B * gap2
        return p

    mp.setattr(Mechanism, "prices", prices)


def _pricing_wrong_d(mp: pytest.MonkeyPatch) -> None:
    from solver.pricing.mechanism import Mechanism

    # d_i = c_i N_i^* / sigma^2 instead of c_i (N_i^*)^2 / sigma^2: too weak a penalty
    mp.setattr(Mechanism, "d", property(lambda m: tuple(
        c * n / m.sigma ** 2 for c, n in zip(m.costs[:2], m.N_star, strict=True))))


def _pricing_smallest_size_ties(mp: pytest.MonkeyPatch) -> None:
    import solver.pricing.envy_free as ef

    def smallest(V, q, tie):  # eq. 4 with the smallest, not the largest, maximiser
        u = V - np.asarray(q)[None, :]
        return np.argmax(u >= u.max(axis=1, keepdims=True) - tie, axis=1)

    mp.setattr(ef, "_purchases", smallest)


def _pricing_w_clipped(mp: pytest.MonkeyPatch) -> None:
    from solver.pricing.mechanism import Mechanism

    # a mechanism that never runs at a loss: the printed IRC would then hold
    mp.setattr(Mechanism, "W", property(lambda m: max(0.0, float(sum(m.q_plus))
                                                      - m.costs[0] * (m.N_plus - 1)
                                                      - m.costs[1])))


def _pricing_price_scale(mp: pytest.MonkeyPatch) -> None:
    from solver.pricing.mechanism import Mechanism

    original = Mechanism.prices
    mp.setattr(Mechanism, "prices", lambda self, ok, means: 0.9 * original(self, ok, means))


def _pricing_mu_dependent_price(mp: pytest.MonkeyPatch) -> None:
    from solver.pricing.mechanism import Mechanism

    original = Mechanism.prices
    mp.setattr(Mechanism, "prices", lambda self, ok, means: original(self, ok, means)
               + 0.01 * means[0])


def _pricing_wrong_quadrature(mp: pytest.MonkeyPatch) -> None:
    import solver.pricing.claims as cl

    original = cl.closed_form
    mp.setattr(cl, "closed_form", lambda kind, tau, sigma, m, a=1.0:
               original(kind, tau, sigma * 1.01, m, a))


MUTATIONS: list[Mutation] = [
    Mutation("pricing.theorem-5.1-bb", "W without its -c_2 term", _pricing_wrong_W),
    Mutation("pricing.theorem-5.1-irb-efb", "price (14) without the d_i sigma^2/(|B| N_i^*) "
             "term", _pricing_dropped_noise_term),
    Mutation("pricing.theorem-5.1-icc", "d_i linear instead of quadratic in N_i^*",
             _pricing_wrong_d),
    Mutation("pricing.lemma-1", "eq. 4 ties broken to the smallest size",
             _pricing_smallest_size_ties),
    Mutation("pricing.theorem-5.1-irc", "W clipped at 0 (the counterexample disappears)",
             _pricing_w_clipped),
    Mutation("pricing.theorem-5.1-profit", "prices scaled by 0.9", _pricing_price_scale),
    Mutation("pricing.equal-minimum-costs-opt", "prices scaled by 0.9", _pricing_price_scale),
    Mutation("pricing.eq-9-10", "price depends on the level of the reported mean",
             _pricing_mu_dependent_price),
    Mutation("pricing.theorem-5.1-monte-carlo", "price (14) without the d_i sigma^2/"
             "(|B| N_i^*) term", _pricing_dropped_noise_term),
    Mutation("pricing.eq-11", "closed form with sigma off by 1 %", _pricing_wrong_quadrature),
]


@pytest.mark.parametrize("mutation", MUTATIONS, ids=str)
def test_claim_fails_under_mutation(mutation, monkeypatch):
    assert_claim_breaks(mutation, monkeypatch)


def test_mutations_cover_at_least_three_pricing_claims():
    assert len({m.claim for m in MUTATIONS if m.claim.startswith("pricing.")}) >= 3
