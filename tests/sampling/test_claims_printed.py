"""Printed statements of [GAH12] and the items that had no claim; mutation checks.

Each mutation test swaps in a deliberately wrong implementation (a wrong tie rule, a
dropped term, the wrong distribution) and asserts that the claim then fails, so a check
that cannot fail is caught.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from solver.claims.registry import CheckContext, all_claims
from solver.sampling import claims_optimum as CO
from solver.sampling import claims_printed as P
from solver.sampling import distributions as D
from solver.sampling import families as F
from solver.sampling import mechanisms as M
from solver.sampling import utility as U

EXPECTED = {
    "sampling.theorem-5.3-as-printed": "refuted",
    "sampling.theorem-5.1-oblivious": "ok",
    "sampling.theorem-5.1-bound-3": "ok",
    "sampling.theorem-5.1-bound-4": "ok",
    "sampling.theorem-5.1-proof-opt-b-as-printed": "refuted",
    "sampling.footnote-7": "ok",
    "sampling.section-5-ch-ordering": "ok",
    "sampling.footnote-2": "not checked",
}
#: Quick mode must stay "a few seconds" per claim.
QUICK_SECONDS = 5.0


def _run(cid: str) -> dict:
    return all_claims()[cid].run(CheckContext(seed=0, quick=True))


@pytest.mark.parametrize("cid", sorted(EXPECTED))
def test_claim_quick_status(cid: str) -> None:
    row = _run(cid)
    assert row["status"] == EXPECTED[cid], row
    if row["status"] != "not checked":
        assert row["seconds"] < QUICK_SECONDS
        assert row["worst_case"]


def test_printed_and_restricted_theorem_5_3_are_separate_rows() -> None:
    cl = all_claims()
    printed, restricted = cl["sampling.theorem-5.3-as-printed"], cl["sampling.theorem-5.3"]
    assert printed.expected == "counterexample" and restricted.expected == "holds"
    assert "risk-averse or risk-neutral" in restricted.statement
    assert "sampling.theorem-5.3-as-printed" in restricted.statement
    assert "sampling.theorem-5.1-oblivious" in cl["sampling.theorem-5.1"].statement


def test_theorem_5_3_counterexample_replays() -> None:
    """The stored instance and misreport give the stored gain: a risk-seeker gains."""
    w = _run("sampling.theorem-5.3-as-printed")["worst_case"]
    inst = w["instance"]
    costs = np.hstack([np.zeros((inst["sellers"], 1)), np.asarray(inst["costs"], float)])
    us = [U.from_spec(s) for s in inst["utilities"]]
    assert us[w["seller"]].attitude == "seeking"
    ce_rep = [] if w["best_ce_report"] is None else [w["best_ce_report"]]
    dev = M.best_misreport("ce", costs, us, inst["demands"], w["seller"],
                           [np.asarray(w["best_report"], float)], ce_rep)
    assert dev.gain == pytest.approx(w["best_ce"] - w["truthful_ce"], abs=1e-9)
    assert dev.gain > 0.5


def test_theorem_5_1_minimax_closed_form() -> None:
    """(2n^2 + 2n)/(n^2 + 4n - 1), re-derived from Pi_A + Pi_B = 2n + 2."""
    for n in (3, 7):
        r = P._theorem51_bounds(n, ("minimax",))
        assert r["minimax_ratio"] == pytest.approx((2 * n * n + 2 * n) / (n * n + 4 * n - 1),
                                                   abs=1e-7)
        assert r["minimax_ratio"] <= r["ordering_ratio_B"] + 1e-9


# ------------------------------------------------------------------ mutation tests
def _wrong_tie_rule(orig):
    """CE Mechanism that reduces only when r_hat_i < r_bar_i (the printed '<')."""
    def ce_linear(*args, **kw):
        res = orig(*args, **kw)
        reduced = res.r_hat < res.thresholds
        k = np.arange(res.p.size)
        j = res.excluded
        pay = np.tile(res.pi_max, (res.r_hat.size, 1))
        c = np.asarray(args[0], float)
        w = float(k @ res.p)
        pay[reduced] = res.thresholds[reduced, None] + c[reduced, None] * (k[None, :] - w)
        sampled = np.ones_like(res.sampled)
        sampled[j] = bool(reduced[j])
        return dataclasses.replace(res, payments=pay, reduced=reduced, sampled=sampled)
    return ce_linear


def test_mutation_footnote7_wrong_tie_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(M, "ce_linear", _wrong_tie_rule(M.ce_linear))
    assert _run("sampling.footnote-7")["status"] == "FAIL"


def test_mutation_theorem_5_3_dropped_term(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reduced payment r_bar_i + c_hat_i(k) without '- sum_k p(k) c_hat_i(k)'."""
    orig = M.ce_general

    def ce_general(reports, *args, **kw):
        res = orig(reports, *args, **kw)
        mean_c = np.asarray(reports, float) @ res.p
        pay = res.payments.copy()
        pay[res.reduced] += mean_c[res.reduced, None]
        return dataclasses.replace(res, payments=pay)

    monkeypatch.setattr(M, "ce_general", ce_general)
    assert _run("sampling.theorem-5.3")["status"] == "FAIL"


def test_mutation_theorem_5_1_oblivious_dropped_max(monkeypatch: pytest.MonkeyPatch) -> None:
    """pi_B(k) = k instead of max(k, n): no oblivious psi is then penalised."""
    orig = F.theorem_5_1_instance

    def instance(n: int):
        nn, d, _ = orig(n)
        return nn, d, np.arange(d.size + 1, dtype=float)

    monkeypatch.setattr(F, "theorem_5_1_instance", instance)
    assert _run("sampling.theorem-5.1-oblivious")["status"] == "FAIL"


def test_mutation_section5_ch_wrong_distribution(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(D, "ordering_distribution", D.independent_distribution)
    assert _run("sampling.section-5-ch-ordering")["status"] == "FAIL"


def test_mutation_theorem_4_4_wrong_distribution(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(CO, "ordering_distribution", D.independent_distribution)
    assert _run("sampling.theorem-4.4")["status"] == "FAIL"
