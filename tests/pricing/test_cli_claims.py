"""CLI problem "pricing" and the pricing.* claims."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
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
            "pricing.lemma-5", "pricing.theorem-4", "pricing.claim-6",
            "pricing.theorem-5.1-irc", "pricing.theorem-5.1-irc-w-nonnegative",
            "pricing.eq-9-10", "pricing.equal-minimum-costs-opt"} <= set(PRICING)
    # every claim of the registry runs in quick mode in tests/test_claims.py


def test_irc_as_printed_is_refuted_with_a_rerunnable_market():
    from solver.pricing.claims import IRC_COUNTEREXAMPLE
    from solver.pricing.mechanism import build_mechanism, expected_utility, honest

    row = all_claims()["pricing.theorem-5.1-irc"].run(CheckContext(quick=True))
    assert row["status"] == "refuted" and row["expected"] == "counterexample"
    assert row["worst_case"]["W"] < 0
    V = np.concatenate([[[0.0]], np.array(IRC_COUNTEREXAMPLE["valuations"])], axis=1)
    mech = build_mechanism(V, IRC_COUNTEREXAMPLE["costs"], IRC_COUNTEREXAMPLE["sigma"])
    assert mech.N_plus == 2 and mech.W == pytest.approx(-0.16, abs=1e-12)
    assert expected_utility(mech, 0, honest(mech, 0)) == pytest.approx(-0.08, abs=1e-12)


def test_each_claim_has_one_named_tolerance():
    from solver.pricing.claims import CLAIMS

    for c in CLAIMS:
        assert (c.tolerance is None) == (c.kind == "unchecked"), c.id
