"""Hypothesis fuzz tests of ``sampling`` and ``sampling-mechanism`` (issue #11 item 7).

Mutated valid instances (numbers replaced by edge values, lists shortened or lengthened) and
valid instances scaled by 10^k must keep the error contract (:func:`tests.contract.check_contract`);
an exit-0 answer must pass an evaluator that recomputes it from the reported solution:
for ``sampling`` the degree histogram is realisable (Gale–Ryser, in integers) and costs the
objective, which is at most the ordering's cost; for ``sampling-mechanism`` p is a
distribution and the price is the payment functions' expected total over Σ d_b.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from solver.sampling import SamplingInstance
from solver.sampling.optimum import is_realisable
from tests.contract import check_contract, fuzz_examples, run_solve, scaled
from tests.sampling.test_reliability import _mech_scaled

SAMPLING: list[dict[str, Any]] = [
    {"problem": "sampling", "sellers": 3, "demands": [3, 1, 1, 1, 1],
     "payment": [0, 3, 3, 3, 4, 5]},
    {"problem": "sampling", "sellers": 2, "demands": [1, 1, 1], "payment": [0, 1, 1, 10]},
    {"problem": "sampling", "sellers": 4, "demands": [2, 0, 1],
     "costs": [[0.5, 0.9, 1.2], [1.0, 1.5, 1.7], [0.2, 0.3, 0.35], [0.0, 1.0, 2.0]]},
]
SAMPLING_MONEY = ["payment", "payment", "costs"]
MECHANISM: list[dict[str, Any]] = [
    {"problem": "sampling-mechanism", "sellers": 5, "demands": [3, 2, 4], "mechanism": "ce",
     "distribution": "ordering", "reports": [10, 1, 2, 3, 4],
     "utilities": {"kind": "cara", "a": 0.5}},
    {"problem": "sampling-mechanism", "sellers": 4, "demands": [3, 2, 1], "mechanism": "ce",
     "costs": [[1, 2, 3], [2, 3, 3.5], [1.5, 2.5, 3], [4, 4.5, 5]],
     "utilities": [{"kind": "cara", "a": 0.5}, {"kind": "linear"},
                   {"kind": "crra", "gamma": 2, "wealth": 10}, {"kind": "cara", "a": -0.2}]},
    {"problem": "sampling-mechanism", "sellers": 4, "demands": [2, 1], "mechanism": "baseline",
     "distribution": "independent", "reports": [1.5, 0.5, 3, 2]},
    {"problem": "sampling-mechanism", "sellers": 4, "demands": [2, 1], "mechanism": "ce",
     "distribution": [0.25, 0.5, 0.25], "reports": [1.5, 0.5, 3, 2],
     "ce_reports": [0.1, 0.2, 0.0, 0.3]},
    {"problem": "sampling-mechanism", "sellers": 4, "demands": [2, 2],
     "mechanism": "ce-risk-seeking", "reports": [3, 0, 1, 2],
     "utilities": {"kind": "crra", "gamma": 0.5, "wealth": 1}},
]
EDGE = [0, -1, 1, 2, 1e-300, 1e300, -1e300, 10**400, 2**63, 10**9, 1e-12, 1e12, 0.5, "x",
        None, True, [], [1], {"kind": "cara"}, {"kind": "cara", "a": 1e300}]
SAMPLING_METHODS = [(), ("--method", "dp"), ("--method", "brute-force"),
                    ("--method", "graphs")]


def _paths(obj: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path to a number, string or list inside ``obj`` (not the problem name)."""
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


def _mutate(draw: st.DrawFn, inst: dict[str, Any]) -> dict[str, Any]:
    inst = copy.deepcopy(inst)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(inst)))
        node = _get(inst, path)
        if isinstance(node, list) and node and draw(st.booleans()):
            if draw(st.booleans()):
                node.pop()
            else:
                node.append(copy.deepcopy(node[-1]))
        else:
            _get(inst, path[:-1])[path[-1]] = copy.deepcopy(draw(st.sampled_from(EDGE)))
    return inst


def _sampling_accepts(inst: dict[str, Any], res: dict[str, Any]) -> None:
    """The evaluator: realisable histogram, cost = objective, objective <= ordering."""
    parsed = SamplingInstance.from_dict(inst)
    x = np.asarray(res["degrees"], dtype=np.int64)
    assert is_realisable(x, parsed.sellers, parsed.demands), res["degrees"]
    pi = parsed.payment
    scale = max(float(np.max(np.abs(pi))), 1e-300)
    cost = float((pi / scale) @ (x / parsed.sellers)) * scale
    assert abs(cost - res["objective"]) <= 1e-7 * scale, (cost, res["objective"])
    assert res["objective"] <= res["ordering"] + 1e-7 * scale
    assert res["objective"] <= res["independent"] + 1e-7 * scale


def _mechanism_accepts(inst: dict[str, Any], res: dict[str, Any]) -> None:
    """The evaluator: p a distribution, price = Σ_i p·π_i / Σ d_b from the reported rows."""
    p = np.asarray(res["p"], dtype=float)
    assert np.all(p >= 0) and abs(p.sum() - 1.0) <= 1e-9 * p.size
    rows = np.asarray(res["payment_functions"], dtype=float)
    of = np.asarray(res["payment_of"], dtype=np.int64)
    assert of.size == inst["sellers"]
    scale = max(float(np.max(np.abs(rows), initial=0.0)), abs(res["objective"]))
    total = float(np.bincount(of, minlength=rows.shape[0]) @ (rows @ p))
    price = total / sum(inst["demands"])
    assert abs(price - res["objective"]) <= 1e-7 * scale, (price, res["objective"])


def _check(inst: dict[str, Any], args: tuple[str, ...], accepts) -> None:
    out = check_contract(run_solve(inst, *args))
    if out.rc == 0:
        assert "Warning" not in out.stderr, out.stderr
        assert "notes" not in out.result, out.result["notes"]   # warnings become notes
        accepts(inst, out.result)


@settings(max_examples=fuzz_examples(25), deadline=None)
@given(data=st.data())
def test_fuzz_sampling_mutated(data: st.DataObject) -> None:
    inst = _mutate(data.draw, data.draw(st.sampled_from(SAMPLING)))
    _check(inst, data.draw(st.sampled_from(SAMPLING_METHODS)), _sampling_accepts)


@settings(max_examples=fuzz_examples(20), deadline=None)
@given(i=st.integers(0, len(SAMPLING) - 1), k=st.integers(-300, 300),
       method=st.sampled_from(SAMPLING_METHODS))
def test_fuzz_sampling_scaled(i: int, k: int, method: tuple[str, ...]) -> None:
    inst = scaled(SAMPLING[i], 10.0 ** k, [SAMPLING_MONEY[i]])
    out = check_contract(run_solve(inst, *method))
    assert out.rc == 0, (k, out.stderr)
    assert "notes" not in out.result, out.result["notes"]
    _sampling_accepts(inst, out.result)


@settings(max_examples=fuzz_examples(25), deadline=None)
@given(data=st.data())
def test_fuzz_mechanism_mutated(data: st.DataObject) -> None:
    inst = _mutate(data.draw, data.draw(st.sampled_from(MECHANISM)))
    _check(inst, (), _mechanism_accepts)


@settings(max_examples=fuzz_examples(20), deadline=None)
@given(i=st.integers(0, len(MECHANISM) - 1), k=st.integers(-150, 150))
def test_fuzz_mechanism_scaled(i: int, k: int) -> None:
    inst = _mech_scaled(MECHANISM[i], 10.0 ** k)
    out = check_contract(run_solve(inst))
    assert out.rc == 0, (k, out.stderr)
    assert "notes" not in out.result, out.result["notes"]
    _mechanism_accepts(inst, out.result)
