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
from tests.contract import fuzz_examples, scaled
from tests.fuzzkit import EDGE_NUMBERS, EDGE_TYPES, EXPONENTS, mutated, run_checked

BASES: list[dict[str, Any]] = [
    {"problem": "sharing", "covariance": [[1, 0.8], [0.8, 1]], "privacy_values": [0.5, 1.2]},
    {"problem": "sharing", "covariance": [[2.0, 0.5, 0.0], [0.5, 1.0, 0.3], [0.0, 0.3, 1.5]],
     "privacy_values": [0.2, 2.0, 0.9], "noise_variance": 0.7},
    {"problem": "sharing", "covariance": [[1, 1, 1], [1, 1, 1], [1, 1, 1]],
     "privacy_values": [0.5, 2, 2], "method": "branch-and-bound"},
]
EDGE = [*EDGE_NUMBERS, *EDGE_TYPES, {"a": 1}]


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
@given(mutated(BASES, EDGE))
def test_mutated_instances_keep_the_contract(inst):
    run_checked(inst, accept=_accepts)


@settings(max_examples=fuzz_examples(15), deadline=None)
@given(st.sampled_from(BASES), EXPONENTS)
def test_scaled_instances_keep_the_contract(inst, k):
    inst = copy.deepcopy(inst)
    inst.setdefault("noise_variance", 1.0)
    big = scaled(inst, 10.0 ** k, ["covariance", "noise_variance"])
    out = run_checked(big, accept=_accepts)
    assert out.rc == 0, out.stderr
