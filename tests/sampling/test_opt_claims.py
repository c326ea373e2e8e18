"""Every claim of :mod:`solver.sampling.claims_optimum` holds in quick mode."""

from __future__ import annotations

from solver.claims.registry import CheckContext, all_claims

IDS = ["sampling.lemma-4.2", "sampling.theorem-4.4", "sampling.theorem-5.1",
       "sampling.theorem-5.2", "sampling.relaxation-gap"]


def test_theorem_5_1_table_tends_to_two():
    row = all_claims()["sampling.theorem-5.1"].run(CheckContext(quick=True))
    ratios = [r["ratio_B"] for r in row["details"]["table"]]
    assert ratios == sorted(ratios) and ratios[-1] < 2
    assert dict((r["n"], round(r["ratio_B"], 2)) for r in row["details"]["table"])[3] == 1.27
