"""Hypothesis fuzz test of ``ironing`` (issue #11 item 7): the error contract, and for exit 0
an answer that the a-posteriori certificate accepts when recomputed here."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from solver.ironing.certificate import check_ironing
from solver.ironing.problem import IroningInstance
from tests.contract import check_contract, close, fuzz_examples, run_solve, scaled
from tests.fuzzkit import EXPONENTS, mutated, run_checked

#: Small instances of every form (each solves in milliseconds by the hull), with their cost
#: fields (the ones that scale).
BASES: list[tuple[dict[str, Any], list[str]]] = [
    ({"problem": "ironing", "values": [1, 2, 3], "probabilities": [0.5, 0.1, 0.4],
      "units": 7, "players": 10}, ["values"]),
    ({"problem": "ironing", "piecewise_uniform": {"breaks": [1, 2, 4, 5],
                                                  "masses": [0.5, 0.05, 0.45]},
      "units": 3, "players": 6, "grid_tol": 1e-4}, ["piecewise_uniform.breaks"]),
    ({"problem": "ironing", "distribution": {"scipy": "uniform", "loc": 1, "scale": 2},
      "units": 2, "players": 5, "grid_tol": 1e-5}, ["distribution.loc", "distribution.scale"]),
    ({"problem": "ironing", "mixture": {"components": [
        {"values": [1, 2], "probabilities": [0.5, 0.5]},
        {"values": [2, 3], "probabilities": [0.5, 0.5]}], "weights": [0.5, 0.5]},
      "units": 1, "players": 3}, []),
]
#: Bases whose cost fields ``tests.contract.scaled`` can reach (not inside mixture lists).
SCALABLE = [b for b in BASES if b[1]]


def _accepts(inst: dict[str, Any], res: dict[str, Any]) -> None:
    """Recompute the grid and certify the reported ironing (discrete: exactly the report)."""
    parsed = IroningInstance.from_dict(inst)
    if "values" in res:
        cc = parsed.dist.cost_curve()
        assert check_ironing(cc.q, cc.H, np.asarray(res["ironed_virtual_costs"])) is None
    if "ex_ante_bound" in res:
        assert res["ex_ante_bound"] <= res["objective"] * (1 + 1e-8) + 1e-300


@settings(max_examples=fuzz_examples(30), deadline=None)
@given(mutated([b[0] for b in BASES]))
def test_mutated_instances_keep_the_contract(inst):
    run_checked(inst, accept=_accepts)


@settings(max_examples=fuzz_examples(15), deadline=None)
@given(st.sampled_from(SCALABLE), EXPONENTS)
def test_scaled_instances_keep_the_contract(base, k):
    inst, fields = base
    ref = check_contract(run_solve(inst))
    out = run_checked(scaled(inst, 10.0 ** k, fields), accept=_accepts)
    assert out.rc == 0 and out.status == "optimal", out.stderr
    assert close(out.objective, 10.0 ** k * ref.objective)
