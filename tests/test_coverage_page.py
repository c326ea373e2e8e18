"""docs/coverage.md stays in step with the claims registry."""

from __future__ import annotations

import re
from pathlib import Path

from solver.claims.registry import all_claims

PAGE = Path(__file__).resolve().parents[1] / "docs" / "coverage.md"
ID = re.compile(r"`((?:sampling|pricing|ironing|sharing|privacy)\.[A-Za-z0-9.\-]+)`")


def _rows() -> dict[str, str]:
    """Claim id -> the status cell of its row."""
    out = {}
    for line in PAGE.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4:
            m = ID.fullmatch(cells[1])
            if m:
                out[m.group(1)] = cells[2]
    return out


def _outcome(claim) -> str:
    if claim.kind == "unchecked" or claim.check is None:
        return "not checked"
    return "refuted" if claim.expected == "counterexample" else "ok"


def test_every_id_on_the_page_is_registered():
    registered = all_claims()
    unknown = sorted(set(ID.findall(PAGE.read_text())) - set(registered))
    assert not unknown, f"docs/coverage.md names unregistered claims: {unknown}"


def test_every_registered_claim_is_on_the_page_with_its_outcome():
    rows = _rows()
    registered = all_claims()
    missing = sorted(set(registered) - set(rows))
    assert not missing, f"add these claims to docs/coverage.md: {missing}"
    wrong = {cid: (rows[cid], _outcome(c)) for cid, c in registered.items()
             if rows[cid] != _outcome(c)}
    assert not wrong, f"status on the page vs registered outcome: {wrong}"


def test_page_is_in_the_docs_nav():
    assert "coverage.md" in (PAGE.parents[1] / "mkdocs.yml").read_text()
