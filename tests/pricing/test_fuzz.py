"""Hypothesis fuzz test of ``pricing`` (issue #11 item 7): the error contract, and for exit 0
an answer that the problem's own evaluator (:func:`solver.pricing.evaluate.check_answer`)
accepts when it recomputes it from the reported scheme and curve."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from solver.pricing import PricingInstance
from solver.pricing.evaluate import check_answer
from tests.contract import check_contract, fuzz_examples, run_solve, scaled
from tests.fuzzkit import EDGE_NUMBERS, EDGE_TYPES, EXPONENTS, check_run, is_scalar, mutated

BASES: list[dict[str, Any]] = [
    {"problem": "pricing", "supply": 4, "valuations": [[0.2, 0.5, 0.6, 0.6],
                                                       [0.1, 0.3, 0.7, 0.9],
                                                       [0.4, 0.4, 0.5, 0.8]]},
    {"problem": "pricing", "costs": [0.05, 0.08, 0.3],
     "valuations": [[0.2, 0.5, 0.6, 0.6, 0.6], [0.1, 0.3, 0.7, 0.9, 0.95],
                    [0.4, 0.4, 0.5, 0.8, 0.85]]},
    {"problem": "pricing", "supply": 5, "sigma": 1.0, "epsilon": 0.1,
     "valuations": [{"kind": "step", "tolerance": 0.3},
                    {"kind": "linear", "tolerance": 0.8, "value": 0.9}]},
    {"problem": "pricing", "sigma": 1.0, "costs": [0.2, 0.3], "max_supply": 6,
     "valuations": [{"kind": "quadratic", "tolerance": 0.5, "value": 0.7},
                    {"kind": "step", "tolerance": 0.15, "value": 0.6}]},
]
#: Money/utility fields of each base (what a change of unit multiplies).
MONEY = [["valuations"], ["valuations", "costs"], [], ["costs"]]
EDGE = [*EDGE_NUMBERS, 0.5, 7, *EDGE_TYPES, {"a": 1}]
METHODS = [(), ("--method", "grid"), ("--method", "local"), ("--method", "curve"),
           ("--method", "brute"), ("--method", "ktypes"), ("--method", "algorithm1")]


def _accepts(inst: dict[str, Any], res: dict[str, Any]) -> None:
    """The evaluator: the reported scheme and curve recomputed."""
    assert check_answer(PricingInstance.from_dict(inst), res) is None, res


@settings(max_examples=fuzz_examples(40), deadline=None)
@given(mutated(BASES, EDGE, leaf=is_scalar), st.sampled_from(METHODS))
def test_mutated_instances_keep_the_contract(inst, method):
    check_run(inst, run_solve(inst, *method, "--time-limit", "20"), _accepts, quiet=True)


@settings(max_examples=fuzz_examples(20), deadline=None)
@given(st.integers(0, len(BASES) - 1), EXPONENTS, st.sampled_from(METHODS[:4]))
def test_scaled_instances_keep_the_contract(i, k, method):
    inst = scaled(BASES[i], 10.0 ** k, MONEY[i])
    out = check_contract(run_solve(inst, *method))
    if k <= 0 or not MONEY[i] or MONEY[i] == ["costs"]:
        assert out.rc == 0, out.stderr                    # a unit the model admits
    else:
        assert out.rc == 2 and "valuations[" in out.stderr  # valuations live in [0, 1]
    check_run(inst, out, _accepts, quiet=True)
