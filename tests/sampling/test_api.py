"""The Python API of ``solver.sampling`` (issue #12): two instance types, one ``solve``.

Each instance built from numpy arrays and solved by :func:`solver.sampling.solve` gives
exactly what ``solver solve FILE --json`` prints for the equivalent file (``*seconds``
aside), certified; the instance types validate at construction and round-trip their files.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import solver.sampling as sampling
from solver.errors import InstanceError
from solver.problems import get_problem
from solver.result import Result
from solver.sampling import MechanismInstance, SamplingInstance, cara, linear, solve
from tests.contract import assert_same_as_cli

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data" / "sampling"


def test_theorem51_from_arrays_is_what_the_cli_prints():
    raw = json.loads((DATA / "theorem51_n6.json").read_text())
    inst = SamplingInstance(sellers=6, demands=np.array(raw["demands"]),
                            payment=np.array(raw["payment"], dtype=float))
    res = solve(inst)
    assert isinstance(res, Result) and res.certify() is res
    printed = assert_same_as_cli(res, DATA / "theorem51_n6.json")
    assert list(res.to_dict()) == list(printed)               # same fields, same order
    assert res.objective == pytest.approx(8.0)                # Π^OPT = n + 2 [GAH12, Thm 5.1]
    assert res["p_optimal"] == printed["p_optimal"]


def test_mechanism_from_arrays_is_what_the_cli_prints():
    raw = json.loads((DATA / "mech_section43.json").read_text())
    reports = np.zeros(1001)
    reports[0] = 10.0
    inst = MechanismInstance(sellers=1001, demands=np.array(raw["demands"]), mechanism="ce",
                             reports=reports,
                             utilities=(linear(),) + (cara(0.002),) * 500 + (linear(),) * 500)
    res = solve(inst).certify()
    printed = assert_same_as_cli(res, DATA / "mech_section43.json")
    assert list(res.to_dict()) == list(printed)
    assert round(res.objective, 2) == 6.53                    # [GAH12, Section 4.3]


@pytest.mark.parametrize("method", ["dp", "brute-force"])
def test_methods_agree_with_the_cli(method):
    path = DATA / "theorem51_n3.json"
    inst = SamplingInstance.from_dict(json.loads(path.read_text()))
    res = solve(inst, method=method).certify()
    assert_same_as_cli(res, path, "--method", method)


@pytest.mark.parametrize("name", ["theorem51_n6.json", "theorem51_costs_n4.json",
                                  "mech_section43.json", "mech_general_small.json"])
def test_round_trip(name):
    raw = json.loads((DATA / name).read_text())
    kind = SamplingInstance if raw["problem"] == "sampling" else MechanismInstance
    inst = kind.from_dict(raw)
    again = kind.from_dict(inst.to_dict())
    assert again.to_dict() == inst.to_dict()
    assert inst.to_dict()["problem"] == raw["problem"]
    assert not inst.demands.flags.writeable
    with pytest.raises(dataclasses.FrozenInstanceError):
        inst.sellers = 2  # type: ignore[misc]


def test_validation_at_construction_names_the_convention():
    with pytest.raises(InstanceError) as e:      # p(0..m): one entry too few
        SamplingInstance(sellers=3, demands=np.array([1, 2]), payment=np.array([1.0, 2.0]))
    assert e.value.field == "payment" and "pi(0)" in e.value.rule
    with pytest.raises(InstanceError) as e:      # a sample size, not a seller index
        SamplingInstance(sellers=3, demands=np.array([1, 4]), payment=np.zeros(3))
    assert e.value.field == "demands[1]" and "sample size" in e.value.rule
    with pytest.raises(InstanceError) as e:      # costs with the c_i(0) column
        SamplingInstance(sellers=2, demands=[1, 1], costs=np.array([[0, 1, 2], [0, 1, 1]]))
    assert e.value.field == "costs[0]" and "c_i(0)" in e.value.rule
    with pytest.raises(InstanceError) as e:      # linear: n' = n - 1 sellers are sampled
        MechanismInstance(sellers=3, demands=[3], mechanism="baseline", reports=[1, 2, 3])
    assert e.value.field == "demands[0]" and "largest reporter" in e.value.rule
    with pytest.raises(InstanceError) as e:
        MechanismInstance(sellers=3, demands=[1, 2], mechanism="baseline",
                          costs=np.array([[0, 1, 2]] * 3))
    assert e.value.field == "costs[0]" and "c_i(0)" in e.value.rule
    with pytest.raises(InstanceError) as e:
        sampling.ordering_distribution(3, np.array([5]))
    assert e.value.field == "demands[0]"


def test_solve_refuses_raw_arrays_and_bad_options():
    with pytest.raises(TypeError, match="SamplingInstance"):
        solve({"sellers": 3})  # type: ignore[arg-type]
    inst = SamplingInstance(sellers=3, demands=[1, 2], payment=[0, 1, 3])
    with pytest.raises(InstanceError) as e:
        solve(inst, method="magic")
    assert e.value.field == "method"
    mech = MechanismInstance(sellers=3, demands=[1, 2], mechanism="baseline",
                             reports=[1.0, 2.0, 3.0])
    with pytest.raises(InstanceError) as e:
        solve(mech, backend="highs")
    assert e.value.field == "backend"
    res = solve(inst, time_limit=30)
    assert res.status == "optimal"


def test_registered_specs_are_the_packages():
    assert get_problem("sampling").parse == SamplingInstance.from_dict
    assert get_problem("sampling").methods == ("milp", "brute-force", "graphs", "dp")
    assert get_problem("sampling-mechanism").methods == ("closed-form",)


def test_public_names_and_importing_registers_nothing():
    for name in sampling.__all__:
        assert hasattr(sampling, name), name
    code = ("import sys, solver.sampling, solver.problems as p, solver.claims.registry as r; "
            "import solver.sweep.experiments; e = sys.modules['solver.sweep.experiments']; "
            "assert not p._PROBLEMS, p._PROBLEMS; assert not r._CLAIMS; "
            "assert not e._EXPERIMENTS, e._EXPERIMENTS")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
