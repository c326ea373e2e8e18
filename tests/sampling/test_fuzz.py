"""Hypothesis fuzz tests of ``sampling`` and ``sampling-mechanism`` (issue #11 item 7).

Mutated valid instances (numbers replaced by edge values, lists shortened or lengthened) and
valid instances scaled by 10^k must keep the error contract (:func:`tests.contract.check_contract`);
an exit-0 answer must pass an evaluator that recomputes it from the reported solution:
for ``sampling`` the degree histogram is realisable (Gale–Ryser, in integers) and costs the
objective, which is at most the ordering's cost; for ``sampling-mechanism`` p is a
distribution and the price is the payment functions' expected total over Σ d_b.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from solver.sampling import SamplingInstance
from solver.sampling.optimum import is_realisable
from tests.contract import fuzz_examples, scaled
from tests.fuzzkit import EDGE_NUMBERS, EDGE_TYPES, is_scalar, mutate, run_checked
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
EDGE = [*EDGE_NUMBERS, 1, 2, 10**9, 0.5, *EDGE_TYPES, {"kind": "cara"},
        {"kind": "cara", "a": 1e300}]
SAMPLING_METHODS = [(), ("--method", "dp"), ("--method", "brute-force"),
                    ("--method", "graphs")]


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


@settings(max_examples=fuzz_examples(25), deadline=None)
@given(data=st.data())
def test_fuzz_sampling_mutated(data: st.DataObject) -> None:
    inst = mutate(data.draw, data.draw(st.sampled_from(SAMPLING)), EDGE, leaf=is_scalar)
    run_checked(inst, *data.draw(st.sampled_from(SAMPLING_METHODS)), accept=_sampling_accepts,
                quiet=True, no_notes=True)


@settings(max_examples=fuzz_examples(20), deadline=None)
@given(i=st.integers(0, len(SAMPLING) - 1), k=st.integers(-300, 300),
       method=st.sampled_from(SAMPLING_METHODS))
def test_fuzz_sampling_scaled(i: int, k: int, method: tuple[str, ...]) -> None:
    inst = scaled(SAMPLING[i], 10.0 ** k, [SAMPLING_MONEY[i]])
    out = run_checked(inst, *method, accept=_sampling_accepts, no_notes=True)
    assert out.rc == 0, (k, out.stderr)


@settings(max_examples=fuzz_examples(25), deadline=None)
@given(data=st.data())
def test_fuzz_mechanism_mutated(data: st.DataObject) -> None:
    inst = mutate(data.draw, data.draw(st.sampled_from(MECHANISM)), EDGE, leaf=is_scalar)
    run_checked(inst, accept=_mechanism_accepts, quiet=True, no_notes=True)


@settings(max_examples=fuzz_examples(20), deadline=None)
@given(i=st.integers(0, len(MECHANISM) - 1), k=st.integers(-150, 150))
def test_fuzz_mechanism_scaled(i: int, k: int) -> None:
    inst = _mech_scaled(MECHANISM[i], 10.0 ** k)
    out = run_checked(inst, accept=_mechanism_accepts, no_notes=True)
    assert out.rc == 0, (k, out.stderr)
