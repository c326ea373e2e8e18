"""The Python API of ``solver.ironing`` (issue #12): instance from arrays, solve, certify.

An :class:`IroningInstance` built from numpy arrays and solved by
:func:`solver.ironing.solve` gives exactly what ``solver solve FILE --json`` prints for the
shipped file (timings aside); the instance validates at construction, round-trips through
``to_dict``, and frozen ``scipy.stats`` distributions work where the docs say so.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from scipy import stats
from typer.testing import CliRunner

import solver.ironing
from solver.errors import InstanceError
from solver.io import read_raw
from solver.ironing import IroningInstance, procurement_report, solve
from solver.result import Result
from tests.contract import assert_same_as_cli, untimed

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data" / "ironing"
runner = CliRunner()


def test_arrays_solve_certify_equal_the_cli():
    inst = IroningInstance(values=np.array([1.0, 2.0, 3.0]),
                           probabilities=np.array([0.5, 0.1, 0.4]), units=7, players=10)
    res = solve(inst)
    assert isinstance(res, Result) and res.certify() is res
    assert res.backend == "exact:scipy-pava" and res.objective == pytest.approx(15.265625)
    assert_same_as_cli(res, DATA / "example_c_discrete.json")
    assert list(res.ironed_virtual_costs) == [1.0, 5.0, 5.0]


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.glob("*.json")))
def test_every_shipped_file_round_trips_and_equals_the_cli(name):
    raw = read_raw(DATA / name)
    inst = IroningInstance.from_dict(raw)
    again = IroningInstance.from_dict(inst.to_dict())
    assert again.to_dict() == inst.to_dict()
    assert json.loads(json.dumps(inst.to_dict())) == inst.to_dict()
    assert_same_as_cli(solve(inst), DATA / name)


def test_methods_and_hull_oracle_agree():
    inst = IroningInstance.from_dict(read_raw(DATA / "example_b_piecewise.json"))
    pava, hull = solve(inst), solve(inst, method="hull")
    assert pava.backend == "exact:scipy-pava" and hull.backend == "exact:hull"
    assert pava.objective == pytest.approx(hull.objective, rel=1e-12)
    assert untimed({**pava.to_dict(), "backend": 0}) == untimed({**hull.to_dict(),
                                                                    "backend": 0})


def test_validation_at_construction_names_the_convention():
    with pytest.raises(InstanceError, match=r"values\[1\].*strictly increasing.*not sorted"):
        IroningInstance(values=[2.0, 1.0, 3.0], probabilities=[0.5, 0.1, 0.4])
    with pytest.raises(InstanceError, match="probabilities: must sum to 1"):
        IroningInstance(values=[1.0, 2.0], probabilities=[5, 5])  # counts, not probabilities
    with pytest.raises(InstanceError, match="units: must be < players"):
        IroningInstance(values=[1.0], probabilities=[1.0], units=3, players=3)
    with pytest.raises(InstanceError, match="players: is required together with units"):
        IroningInstance(values=[1.0], probabilities=[1.0], units=3)
    with pytest.raises(InstanceError, match="exactly one of"):
        IroningInstance()
    with pytest.raises(InstanceError, match="problem: must be 'ironing'"):
        IroningInstance.from_dict({"problem": "pricing", "values": [1], "probabilities": [1]})


def test_instance_arrays_are_read_only_and_normalised():
    inst = IroningInstance(values=np.array([1, 2]), probabilities=np.array([0.25, 0.75]))
    assert inst.values.dtype == float and not inst.values.flags.writeable
    with pytest.raises(ValueError):
        inst.probabilities[0] = 1.0
    assert inst.to_dict() == {"problem": "ironing", "values": [1.0, 2.0],
                              "probabilities": [0.25, 0.75], "grid_tol": 1e-9}


def test_frozen_scipy_distribution_in_the_instance_and_the_report():
    inst = IroningInstance(distribution=stats.uniform(1, 2), units=11, players=20)
    assert inst.distribution == {"scipy": "uniform", "params": [], "loc": 1.0, "scale": 2.0}
    same = IroningInstance(distribution={"scipy": "uniform", "loc": 1, "scale": 2},
                           units=11, players=20)
    assert untimed(solve(inst).to_dict()) == untimed(solve(same).to_dict())
    # the docs' call: a frozen distribution straight into procurement_report
    rep = procurement_report(stats.uniform(1, 2), n=20, w=11)
    # U[1, 3]: E[v_(12) of 20] = 1 + 2 * 12/21, EF = 11 E[v_(12)]; Mech1 = 11 F^{-1}(11/20)
    assert rep.envy_free_benchmark == pytest.approx(11 * (1 + 24 / 21), rel=1e-10)
    assert rep.mechanism_payment == pytest.approx(11 * (1 + 2 * 11 / 20), rel=1e-12)
    assert rep.r is None  # U[1, 3] is regular: nothing ironed
    with pytest.raises(TypeError, match="frozen"):
        procurement_report(stats.uniform, n=20, w=11)
    with pytest.raises(ValueError, match="bounded"):
        procurement_report(stats.expon(), n=20, w=11)


def test_public_names():
    assert set(solver.ironing.__all__) >= {"IroningInstance", "solve", "iron_slopes",
                                           "iron_curve", "procurement_report"}
    for name in solver.ironing.__all__:
        assert getattr(solver.ironing, name) is not None
