"""Every mechanism claim runs in quick mode; the examples reproduce the paper's numbers."""

import numpy as np
import pytest

from solver.claims.registry import CheckContext, all_claims
from solver.sampling import claims_mechanisms as C
from solver.sampling import mechanisms as M
from solver.sampling import utility as U

HOLDING = ["sampling.example-4.3-baseline", "sampling.example-4.3-ordering",
           "sampling.example-4.3-independent", "sampling.example-figure-2a",
           "sampling.example-figure-2b", "sampling.theorem-4.1", "sampling.theorem-4.3",
           "sampling.baseline-general-truthful", "sampling.theorem-5.3",
           "sampling.ce-price-at-most-baseline", "sampling.corollary-4.5"]


def test_example_rows_print_paper_values() -> None:
    rows = {c: all_claims()[c].run(CheckContext()) for c in HOLDING[:3]}
    assert [rows[c]["computed"] for c in HOLDING[:3]] == [10.0, 6.53, 9.96]
    det = rows["sampling.example-4.3-ordering"]["details"]
    assert round(det["certainty_equivalent_risk_averse"], 2) == 107.33
    assert round(rows["sampling.example-4.3-independent"]["details"]
                 ["certainty_equivalent_risk_averse"], 2) == 347.16


def test_risk_seeking_variation_fails_with_rerunnable_counterexample() -> None:
    """The paper's second sentence of Theorem 4.3 does not hold under our reading.

    The check must report it refuted, and its worst case must replay: the stored instance and
    misreport give the stored gain.
    """
    row = all_claims()["sampling.risk-seeking-theorem-4.3"].run(CheckContext(quick=True))
    assert row["status"] == "refuted" and row["expected"] == "counterexample"
    w = row["worst_case"]
    inst = w["instance"]
    us = [U.from_spec(s) for s in inst["utilities"]]
    costs = np.asarray(inst["reports"], float)
    dev = M.best_misreport("ce-risk-seeking", costs, us, inst["demands"], w["seller"],
                           [w["best_report"]], [w["best_ce_report"]])
    assert dev.gain == pytest.approx(w["best_ce"] - w["truthful_ce"], abs=1e-9)
    assert dev.gain > 1.0


def test_section43_instance_round_trip() -> None:
    inst = C.section43_instance()
    assert inst["sellers"] == 1001 and sum(inst["demands"]) == 35000
