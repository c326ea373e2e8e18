"""Every privacy claim passes in quick mode; the CLI solves the data files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import solver.privacy.plugin  # noqa: F401  (registers the claims and problems)
from solver.claims.registry import _CLAIMS

ROOT = Path(__file__).resolve().parents[2]
IDS = sorted(c for c in _CLAIMS if c.startswith("privacy."))


def test_claims_registered():
    assert len(IDS) >= 15
    kinds = {_CLAIMS[c].kind for c in IDS}
    assert kinds == {"theorem", "example", "unchecked"}


def _solve(path: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "solver.cli", "solve", path, "--json"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("name, fields", [
    ("election_tied.json", ("prob_A", "expected_welfare", "welfare_bound",
                            "max_privacy_ratio", "truthful", "worst_gain")),
    ("facility_small.json", ("distribution", "tail_bound", "truthful", "worst_gain")),
    ("vcg_small.json", ("expected_payments", "tail_bound", "truthful")),
    ("lp_election.json", ("mechanism_welfare", "welfare_given_up")),
])
def test_cli_solves_data_file(name, fields):
    proc = _solve(f"data/privacy/{name}")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["status"] == "optimal"
    for f in fields:
        assert f in out


def test_cli_bad_input_exit_2(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"problem": "election", "votes": {"A": 1, "B": 2},
                               "epsilon": -1}))
    proc = _solve(str(bad))
    assert proc.returncode == 2
    assert "epsilon" in proc.stderr
