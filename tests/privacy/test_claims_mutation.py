"""Mutation checks (issue #13): a deliberately wrong implementation makes a privacy claim fail.

Each test swaps one piece of the library for a wrong one (a dropped term, a wrong noise
scale, a wrong Bayes rule) and runs the claim in quick mode: a check that cannot fail would
still read ``ok``.  The unmutated claims are run by the registry-wide claim test.
"""

from __future__ import annotations

import math

import numpy as np

from solver.claims.registry import CheckContext
from solver.privacy import claims, election, vcg

BY_ID = {c.id: c for c in claims.CLAIMS}


def _status(claim_id: str) -> str:
    return BY_ID[claim_id].run(CheckContext(quick=True))["status"]


def test_election_closed_form_with_a_dropped_term_fails(monkeypatch):
    """``Pr[A | Δ]`` without the ``+1`` of ``e^{-ε(Δ+1)}``: the closed form leaves the sum."""
    def wrong(margin, eps):
        d = np.asarray(margin, dtype=float)
        lz = math.log1p(math.exp(-eps))
        with np.errstate(over="ignore", divide="ignore"):
            pos = np.log1p(-np.exp(-eps * np.maximum(d, 0) - lz))
        return np.where(d >= 0, pos, eps * np.minimum(d, 0) - lz)

    assert _status("privacy.election-dp-level") == "ok"
    monkeypatch.setattr(election, "log_prob_a", wrong)
    assert _status("privacy.election-dp-level") == "FAIL"


def test_vcg_with_a_wrong_noise_scale_fails_proposition_76(monkeypatch):
    """Laplace noise at ``t/8`` instead of ``t = ε/(M|O|)``: the welfare tail is too heavy."""
    pmf, cdf = vcg.lap_pmf, vcg.lap_cdf
    monkeypatch.setattr(vcg, "lap_pmf", lambda k, t: pmf(k, t / 8))
    monkeypatch.setattr(vcg, "lap_cdf", lambda k, t: cdf(k, t / 8))
    monkeypatch.setattr(vcg, "truncation", lambda t, tail=1e-16: (
        int(math.ceil(math.log(2 / tail) / (t / 8))), 0.0))
    assert _status("privacy.proposition-7.6") == "FAIL"


def test_section_8_with_a_bayes_rule_without_the_prior_fails(monkeypatch):
    def wrong(prior, probs):
        return (probs / probs.sum(axis=0)).T

    assert _status("privacy.section-8-sd-bound") == "ok"
    monkeypatch.setattr(claims, "posterior", wrong)
    assert _status("privacy.section-8-sd-bound") == "FAIL"


def test_lemma_51_gain_without_the_privacy_term_of_the_lie_fails(monkeypatch):
    """The verifier's gain with the bound of the lie's outcome counted twice as a cost
    (a sign error) makes the non-vacuity half of the claim fail: no lie ever pays."""
    right = claims.lemma51_worst_gain

    def wrong(table, U, F):
        return min(right(table, U, F), 0.0) - 1.0

    monkeypatch.setattr(claims, "lemma51_worst_gain", wrong)
    assert _status("privacy.lemma-5.1") == "FAIL"
