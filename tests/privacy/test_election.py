"""Mechanism 4.1: closed form, DP level, verifier (margins vs profile enumeration), CLI."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from solver.errors import InstanceError
from solver.privacy import ElectionInstance, election, solve
from solver.privacy.model import PrivacyBound, log_ratio_per_outcome
from solver.privacy.verifier import gains_table
from solver.tolerances import EXACT


@given(st.integers(-60, 60), st.floats(0.01, 5.0))
def test_closed_form_matches_direct_summation(d, eps):
    s, tail = election.prob_a_direct(d, eps)
    assert abs(election.prob_a(d, eps) - s) <= EXACT + tail


def test_notes_formula():
    eps = 0.7
    for d in (-4, -1, 0, 2):
        want = (1 - math.exp(-eps * (d + 1)) / (1 + math.exp(-eps)) if d >= 0
                else math.exp(eps * d) / (1 + math.exp(-eps)))
        assert election.prob_a(d, eps) == pytest.approx(want, rel=1e-14)
    # log forms stay finite far in the tails
    assert election.log_prob_a(-10**6, 1.0) == pytest.approx(-10**6 - math.log1p(math.exp(-1)))
    assert np.isfinite(election.log_prob_b(10**6, 1.0))


def test_dp_level_is_two_epsilon():
    eps = 0.4
    la, lb = election.log_ratios(election.other_margins(201), eps)
    assert max(la.max(), lb.max()) == pytest.approx(2 * eps, rel=1e-12)


def _generic_worst(n: int, eps: float, F: PrivacyBound, gap: float) -> float:
    """Worst gain by enumerating every profile and player with the generic verifier."""
    worst = -math.inf
    for prof in itertools.product((0, 1), repeat=n):       # 0 = A, 1 = B
        for i in range(n):
            others = prof[:i] + prof[i + 1:]
            m = others.count(0) - others.count(1)
            pa = np.array([election.prob_a(m + 1, eps), election.prob_a(m - 1, eps)])
            prob = np.stack([pa, 1 - pa], axis=1)          # rows: report A, report B
            lr = log_ratio_per_outcome(np.log(prob))
            util = gap * np.eye(2)
            g = gains_table(prob, F.of_log_ratio(lr), util)
            worst = max(worst, g[prof[i], 1 - prof[i]])
    return worst


@pytest.mark.parametrize("eps", [0.2, 0.5])
def test_margin_verifier_matches_profile_enumeration(eps):
    F = PrivacyBound("log", 1.0)
    n = 6
    v = election.verify(election.other_margins(n), eps, F, 1.0)
    assert v.worst_gain == pytest.approx(_generic_worst(n, eps, F, 1.0), abs=1e-12)


def test_printed_threshold_admits_profitable_lie():
    F = PrivacyBound("log", 1.0)
    eps = F.threshold_epsilon(1.0)          # 2F(e^eps) = 1: Theorem 4.2's printed condition
    v = election.verify(election.other_margins(101), eps, F, 1.0)
    assert not v.truthful and v.worst_gain > 0.2 and v.worst_margin == 0
    ok = election.verify(election.other_margins(101), eps / 2, F, 1.0)
    assert ok.truthful and ok.ir


def test_exact_threshold_between_sufficient_and_printed():
    F = PrivacyBound("log", 1.0)
    e = election.exact_threshold(F, 1.0, 51)
    assert 0.25 <= e < 0.5
    assert election.verify(election.other_margins(51), e * 0.999, F, 1.0).truthful
    assert not election.verify(election.other_margins(51), e * 1.001, F, 1.0).truthful


def test_parse_and_solve():
    inst = ElectionInstance.from_dict({"problem": "election", "votes": {"A": 3, "B": 1},
                                      "epsilon": 0.5, "privacy_bound": {"kind": "log", "kappa": 1}})
    out = solve(inst)
    assert out["prob_A"] == pytest.approx(election.prob_a(2, 0.5))
    assert out["expected_welfare"] > out["welfare_bound"]
    assert out["truthful"] is False and out["paper_condition"] is True


@pytest.mark.parametrize("raw, field", [
    ({"votes": {"A": 1, "B": 1}, "epsilon": 0}, "epsilon"),
    ({"votes": {"A": 1, "B": 1}, "epsilon": -1}, "epsilon"),
    ({"votes": {"A": -1, "B": 1}, "epsilon": 1}, "votes.A"),
    ({"votes": {"A": 1, "C": 1}, "epsilon": 1}, "votes.C"),
    ({"votes": {"A": 0, "B": 0}, "epsilon": 1}, "votes"),
    ({"votes": {"A": 1, "B": 1}, "epsilon": 1, "privacy_bound": {"kind": "log",
                                                                 "kappa": -2}},
     "privacy_bound.kappa"),
    ({"votes": {"A": 1, "B": 1}, "epsilon": 1, "epsilom": 2}, "epsilom"),
])
def test_bad_input(raw, field):
    with pytest.raises(InstanceError) as e:
        ElectionInstance.from_dict({"problem": "election", **raw})
    assert e.value.field == field
