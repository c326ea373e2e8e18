"""The printed-versus-repaired claims of [AMMO22] (solver.sharing.claims_printed)."""

from __future__ import annotations

import time

import numpy as np
import pytest

from solver.claims.registry import CheckContext
from solver.sharing import claims_printed as cp
from solver.sharing import example_b1 as b1
from solver.sharing.claims import CLAIMS

BY_ID = {c.id: c for c in CLAIMS}
EXPECTED = {
    "sharing.example-B-1-optimal-switch": "refuted",
    "sharing.example-B-1-threshold": "ok",
    "sharing.theorem-4-part-2-2-as-printed-B-3": "refuted",
    "sharing.theorem-4-part-2-2-as-printed-B-5": "refuted",
    "sharing.theorem-4-part-2-2": "ok",
    "sharing.theorem-4-part-2-3-lp": "ok",
    "sharing.theorem-4-part-2-3": "not checked",
    "sharing.theorem-B-3-part-3": "ok",
    "sharing.theorem-B-3-part-4": "refuted",
    "sharing.theorem-B-3-part-4-virtual-value": "ok",
}


def _run(cid: str) -> dict:
    return BY_ID[cid].run(CheckContext(quick=True))


@pytest.mark.parametrize("cid", sorted(EXPECTED))
def test_quick_status(cid):
    t0 = time.perf_counter()
    row = _run(cid)
    assert row["status"] == EXPECTED[cid], row
    assert time.perf_counter() - t0 < 5.0
    if row["status"] == "refuted":
        assert row["worst_case"] and row["worst_case"]["summary"]


def test_collected_once():
    ids = [c.id for c in CLAIMS]
    assert len(ids) == len(set(ids))
    assert set(c.id for c in cp.CLAIMS) <= set(ids)


def test_b1_counterexample_numbers():
    k, pi = b1.true_optimum(1000, 0.5, 3.96)
    assert k == 52 and round(pi) == 445
    assert round(float(b1.profit_by_k(1000, 0.5, 3.96)[-1]), 1) == 2.7


def test_part22_counterexample_reruns():
    from solver.sharing.competition import check_equilibrium

    wc = _run("sharing.theorem-4-part-2-2-as-printed-B-3")["worst_case"]
    sig = np.array(wc["instance"]["covariance"])
    v = np.array(wc["instance"]["privacy_values"])
    comp = wc["competition"]
    c0, gamma = np.array(comp["c0"]), comp["gamma"]

    def c(i, joined):
        return c0[i] + gamma * len(joined)
    r = check_equilibrium(sig, v, c, np.array(comp["p1"]), np.array(comp["p2"]),
                          np.array(comp["join"]), np.array(comp["share"]))
    assert not r["ok"]


# ---------------------------------------------------------------- mutation tests


def test_mutation_all_or_none_optimum_removes_b1_counterexample(monkeypatch):
    """With the paper's all-versus-none comparison as the 'optimum' the reading holds, so the
    row must flip to FAIL (the counterexample comes from the true optimum)."""
    def all_or_none(n, rho, v):
        p = b1.profit_by_k(n, rho, v)
        return (n, float(p[-1])) if p[-1] >= p[0] else (0, float(p[0]))
    monkeypatch.setattr(b1, "true_optimum", all_or_none)
    assert _run("sharing.example-B-1-optimal-switch")["status"] == "FAIL"


def test_mutation_uncorrelated_leakage_breaks_part23_lp(monkeypatch):
    """Dropping the cross terms of the leakage (Σ → diag Σ) removes the correlation the
    contradiction needs: the LP stays feasible as v → 1 and the claim must fail."""
    real = cp.leakage
    monkeypatch.setattr(cp, "leakage", lambda sig, mask: real(np.diag(np.diag(sig)), mask))
    assert _run("sharing.theorem-4-part-2-3-lp")["status"] == "FAIL"


def test_mutation_literal_prices_break_repaired_part22(monkeypatch):
    """The repaired Part 2-2 claim must fail when its prices are swapped for (B-5) as
    printed."""
    import solver.sharing.claims as sc

    real = sc.theorem4_part22_prices
    monkeypatch.setattr(sc, "theorem4_part22_prices",
                        lambda *a, reading="A7", **k: real(*a, reading="literal", **k))
    assert _run("sharing.theorem-4-part-2-2")["status"] == "FAIL"
