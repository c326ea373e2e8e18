"""Every registered claim in quick mode, expecting its registered outcome.

The one loop over the registry (the per-package copies are gone): a claim registered as
holding must read ``ok``; one registered with ``expected="counterexample"`` must read
``refuted`` (its counterexample still found); an unchecked one must say why.  Quick mode
runs the whole registry in about 40 s on one core (measured); each claim must stay within
:data:`QUICK_SECONDS`.
"""

from __future__ import annotations

import pytest

from solver.claims.registry import CheckContext, all_claims

#: A claim's quick run must finish within this (the slowest took about 3 s on one core).
QUICK_SECONDS = 60.0

CLAIMS = all_claims()


def test_registry_is_populated():
    assert len(CLAIMS) >= 60
    prefixes = {cid.split(".")[0] for cid in CLAIMS}
    assert {"sampling", "pricing", "ironing", "sharing", "privacy"} <= prefixes


@pytest.mark.slow
@pytest.mark.parametrize("cid", sorted(CLAIMS))
def test_claim_quick(cid):
    claim = CLAIMS[cid]
    row = claim.run(CheckContext(quick=True))
    if claim.kind == "unchecked" or claim.check is None:
        assert row["status"] == "not checked" and row["reason"], row
        return
    want = "refuted" if claim.expected == "counterexample" else "ok"
    assert row["status"] == want, row
    assert row["seconds"] < QUICK_SECONDS, row["seconds"]
    if claim.expected == "counterexample":
        assert row["worst_case"], "a refuted claim must carry its counterexample"
