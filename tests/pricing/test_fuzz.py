"""Hypothesis fuzz test of ``pricing`` (issue #11 item 7): the error contract, and for exit 0
an answer that the problem's own evaluator (:func:`solver.pricing.evaluate.check_answer`)
accepts when it recomputes it from the reported scheme and curve."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from solver.pricing import PricingInstance
from solver.pricing.evaluate import check_answer
from tests.contract import check_contract, fuzz_examples, run_solve, scaled

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
EDGE = [0, -1, 1e-300, 1e300, -1e300, 10**400, 2**63, 1e-12, 1e12, 0.5, 7, "x", None, True,
        [], [1], {"a": 1}]
METHODS = [(), ("--method", "grid"), ("--method", "local"), ("--method", "curve"),
           ("--method", "brute"), ("--method", "ktypes"), ("--method", "algorithm1")]


def _paths(obj: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path to a number or list inside ``obj``."""
    out = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k != "problem":
                out += _paths(v, (*prefix, k))
    elif isinstance(obj, list):
        out.append(prefix)
        for i, v in enumerate(obj):
            out += _paths(v, (*prefix, i))
    elif isinstance(obj, int | float | str) and not isinstance(obj, bool):
        out.append(prefix)
    return out


def _get(obj: Any, path: tuple) -> Any:
    for p in path:
        obj = obj[p]
    return obj


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    inst = copy.deepcopy(draw(st.sampled_from(BASES)))
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(inst)
        if not paths:                     # every field is already a non-number
            break
        path = draw(st.sampled_from(paths))
        node = _get(inst, path)
        if isinstance(node, list) and node and draw(st.booleans()):
            if draw(st.booleans()):
                node.pop()
            else:
                node.append(copy.deepcopy(node[-1]))
        else:
            _get(inst, path[:-1])[path[-1]] = copy.deepcopy(draw(st.sampled_from(EDGE)))
    return inst


def _accepted(inst: dict[str, Any], out) -> None:
    if out.rc == 0:
        assert "Warning" not in out.stderr, out.stderr     # no warnings on a clean run
        assert check_answer(PricingInstance.from_dict(inst), out.result) is None, out.result


@settings(max_examples=fuzz_examples(40), deadline=None)
@given(mutated(), st.sampled_from(METHODS))
def test_mutated_instances_keep_the_contract(inst, method):
    out = check_contract(run_solve(inst, *method, "--time-limit", "20"))
    _accepted(inst, out)


@settings(max_examples=fuzz_examples(20), deadline=None)
@given(st.integers(0, len(BASES) - 1), st.integers(-12, 12), st.sampled_from(METHODS[:4]))
def test_scaled_instances_keep_the_contract(i, k, method):
    inst = scaled(BASES[i], 10.0 ** k, MONEY[i])
    out = check_contract(run_solve(inst, *method))
    if k <= 0 or not MONEY[i] or MONEY[i] == ["costs"]:
        assert out.rc == 0, out.stderr                    # a unit the model admits
    else:
        assert out.rc == 2 and "valuations[" in out.stderr  # valuations live in [0, 1]
    _accepted(inst, out)
