"""Theorem 4.2 as printed: the library must keep finding the profitable lie."""

from solver.claims import CheckContext, all_claims


def test_theorem_42_as_printed_is_refuted_with_a_profitable_lie():
    row = all_claims()["privacy.theorem-4.2-as-printed"].run(CheckContext(quick=True))
    assert row["status"] == "refuted", row
    assert row["computed"] > 0.1  # the lie's gain at the printed threshold
    assert row["worst_case"]["instance"]["problem"] == "election"
