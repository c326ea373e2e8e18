"""CLI problem "pricing" and the pricing.* claims."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from solver.claims.registry import CheckContext, all_claims

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data" / "pricing"


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "solver.cli", *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)


def test_cli_revenue():
    p = _cli("solve", str(DATA / "small_revenue.json"), "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["problem"] == "pricing" and out["status"] == "optimal"
    assert out["objective"] == pytest.approx(2.2, abs=1e-6)
    assert len(out["sizes"]) == 3 and len(out["curve"]) == 5 and out["curve"][0] == 0


def test_cli_profit_chooses_supply():
    p = _cli("solve", str(DATA / "small_profit.json"), "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["supply"] == 6 and out["objective"] == pytest.approx(2.1, abs=1e-6)
    assert out["revenue"] - 0.05 * out["supply"] == pytest.approx(out["objective"], abs=1e-9)


def test_cli_bad_input_exit_2(tmp_path):
    f = tmp_path / "bad.json"
    f.write_text(json.dumps({"problem": "pricing", "valuations": [[0.1, 0.2], [0.3, 0.2]],
                             "supply": 2}))
    p = _cli("solve", str(f), "--json")
    assert p.returncode == 2
    assert "valuations[1][1]" in p.stderr + p.stdout


PRICING = sorted(k for k in all_claims() if k.startswith("pricing."))


def test_claims_registered():
    assert {"pricing.lemma-1", "pricing.theorem-5.1-icc", "pricing.theorem-3",
            "pricing.lemma-5"} <= set(PRICING)


@pytest.mark.parametrize("cid", PRICING)
def test_claim_quick(cid):
    row = all_claims()[cid].run(CheckContext(quick=True))
    if row["kind"] == "unchecked":
        assert row["status"] == "not checked" and row["reason"]
    else:
        assert row["status"] == "ok", row
