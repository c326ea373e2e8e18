"""Hypothesis fuzz test of ``sharing`` (issue #11 item 7): the error contract, and for exit 0
an answer that the independent a-posteriori check accepts."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from solver.sharing.check import check_answer
from solver.sharing.resources import normalisation
from tests.contract import check_contract, fuzz_examples, run_solve, scaled

BASES: list[dict[str, Any]] = [
    {"problem": "sharing", "covariance": [[1, 0.8], [0.8, 1]], "privacy_values": [0.5, 1.2]},
    {"problem": "sharing", "covariance": [[2.0, 0.5, 0.0], [0.5, 1.0, 0.3], [0.0, 0.3, 1.5]],
     "privacy_values": [0.2, 2.0, 0.9], "noise_variance": 0.7},
    {"problem": "sharing", "covariance": [[1, 1, 1], [1, 1, 1], [1, 1, 1]],
     "privacy_values": [0.5, 2, 2], "method": "branch-and-bound"},
]
EDGE = [0, -1, 1e-300, 1e300, -1e300, 10**400, 2**63, 1e-12, 1e12, "x", None, True, [], [1],
        {"a": 1}]


def _paths(obj: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path to a number or list inside ``obj``."""
    out = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(obj, list):
        out.append(prefix)
        for i, v in enumerate(obj):
            out += _paths(v, (*prefix, i))
    elif isinstance(obj, int | float) and not isinstance(obj, bool):
        out.append(prefix)
    return out


def _set(obj: Any, path: tuple, value: Any) -> None:
    for p in path[:-1]:
        obj = obj[p]
    obj[path[-1]] = value


def _get(obj: Any, path: tuple) -> Any:
    for p in path:
        obj = obj[p]
    return obj


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    inst = copy.deepcopy(draw(st.sampled_from(BASES)))
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(inst)
        path = draw(st.sampled_from(paths))
        node = _get(inst, path) if path else inst
        if isinstance(node, list) and node and draw(st.booleans()):
            if draw(st.booleans()):
                node.pop()
            else:
                node.append(copy.deepcopy(node[-1]))
        elif path:
            _set(inst, path, copy.deepcopy(draw(st.sampled_from(EDGE))))
    return inst


def _accepts(inst: dict[str, Any], res: dict[str, Any]) -> None:
    """The independent check of :mod:`solver.sharing.check`, on the normalised data."""
    sigma = np.asarray(inst["covariance"], dtype=float)
    sigma = 0.5 * sigma + 0.5 * sigma.T
    v = np.asarray(inst["privacy_values"], dtype=float)
    tau = float(inst.get("noise_variance", 1.0))
    s = normalisation(float(np.diag(sigma).max()), tau)
    keys = ("objective", "leakage", "prices", "surplus", "first_best_surplus",
            "too_much_data_gap", "bound")
    norm = {k: (np.asarray(res[k], dtype=float) / s if k in keys and res.get(k) is not None
                else res[k]) for k in res}
    assert check_answer(sigma / s, v, tau / s, norm, res["status"] == "optimal") is None


@settings(max_examples=fuzz_examples(30), deadline=None)
@given(mutated())
def test_mutated_instances_keep_the_contract(inst):
    out = check_contract(run_solve(inst))
    if out.rc == 0:
        _accepts(inst, out.result)


@settings(max_examples=fuzz_examples(15), deadline=None)
@given(st.sampled_from(BASES), st.integers(-12, 12))
def test_scaled_instances_keep_the_contract(inst, k):
    inst = copy.deepcopy(inst)
    inst.setdefault("noise_variance", 1.0)
    out = check_contract(run_solve(scaled(inst, 10.0 ** k, ["covariance", "noise_variance"])))
    assert out.rc == 0, out.stderr
    _accepts(scaled(inst, 10.0 ** k, ["covariance", "noise_variance"]), out.result)
