"""The [FL12] claims of solver.ironing.claims_printed: statuses and mutation tests."""

from __future__ import annotations

import time

import numpy as np
import pytest

from solver.claims.registry import CheckContext
from solver.ironing import claims_printed as cp
from solver.ironing.claims import CLAIMS

BY_ID = {c.id: c for c in CLAIMS}
EXPECTED = {
    "ironing.lemma-4.4-only-if": "ok",
    "ironing.section-3.1-encoding-as-printed": "refuted",
    "ironing.section-3.1-encoding": "ok",
    "ironing.section-4.1-envy-free-single-price": "ok",
    "ironing.lemma-2.1": "not checked",
    "ironing.lemma-4.1": "not checked",
}


def _run(cid: str) -> dict:
    return BY_ID[cid].run(CheckContext(quick=True))


@pytest.mark.parametrize("cid", sorted(EXPECTED))
def test_quick_status(cid):
    t0 = time.perf_counter()
    row = _run(cid)
    assert row["status"] == EXPECTED[cid], row
    assert time.perf_counter() - t0 < 5.0
    if row["status"] == "not checked":
        assert row["reason"]


def test_printed_encoding_collision_reruns():
    wc = _run("ironing.section-3.1-encoding-as-printed")["worst_case"]
    a, b = (np.array([e]) for e in wc["colliding_entries"][:2])
    h = wc["h"]
    assert cp.encode_as_printed(a, h)[0] == cp.encode_as_printed(b, h)[0]
    assert cp.encode(a, h)[0] != cp.encode(b, h)[0]


def test_payment_formula_by_hand():
    breaks, values = np.array([1.0, 2.0]), np.array([0.8, 0.3])
    # v = 0.5: 0.5*0.8 + 0.8*0.5 + 0.3*1 = 1.1; v = 1.5: 1.5*0.3 + 0.3*0.5 = 0.6
    assert np.allclose(cp.payment_formula(np.array([0.5, 1.5, 2.5]), breaks, values),
                       [1.1, 0.6, 0.0])


# ---------------------------------------------------------------- mutation tests


def test_mutation_payment_without_v_x_term(monkeypatch):
    """(ii) without its v·x̄(v) term leaves every BIC payment range: the claim must fail."""
    real = cp.payment_formula
    monkeypatch.setattr(cp, "payment_formula",
                        lambda t, b, v: real(t, b, v) - t * cp._x_of(t, b, v))
    assert _run("ironing.lemma-4.4-only-if")["status"] == "FAIL"


def test_mutation_printed_encoding_fails_repaired_claim(monkeypatch):
    monkeypatch.setattr(cp, "encode", cp.encode_as_printed)
    assert _run("ironing.section-3.1-encoding")["status"] == "FAIL"


def test_mutation_one_sided_envy_freeness(monkeypatch):
    """Keeping only the bought players' envy constraints towards unbought ones lets bought
    players' prices differ: the claim must fail."""
    real_lp = cp.LinearProgram

    def one_sided(c, A_ub, b_ub, **kw):
        keep = ~((np.asarray(b_ub) == 0) & (np.abs(np.asarray(A_ub)).sum(axis=1) == 2))
        return real_lp(c=c, A_ub=np.asarray(A_ub)[keep], b_ub=np.asarray(b_ub)[keep], **kw)
    monkeypatch.setattr(cp, "LinearProgram", one_sided)
    assert _run("ironing.section-4.1-envy-free-single-price")["status"] == "FAIL"
