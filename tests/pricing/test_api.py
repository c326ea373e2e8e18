"""The Python API of ``solver.pricing`` (issue #12): one instance type, one ``solve``.

A :class:`PricingInstance` built from numpy arrays (rows ``v_j(1..N)``, as in instance
files) and solved by :func:`solver.pricing.solve` gives exactly what
``solver solve FILE --json`` prints for the equivalent file; the raw array entry points keep
refusing rows without the ``v(0)`` column.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import solver.pricing as pricing
from solver.claims.registry import all_claims
from solver.errors import InstanceError, NotCertifiedError
from solver.pricing import PricingInstance, ef_revenue, solve
from solver.pricing.claims import CLAIMS
from solver.pricing.problem import METHODS
from solver.problems import get_problem
from solver.result import Result
from tests.contract import assert_same_as_cli

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data" / "pricing"


def test_small_revenue_from_arrays_is_what_the_cli_prints():
    raw = json.loads((DATA / "small_revenue.json").read_text())
    inst = PricingInstance(valuations=np.array(raw["valuations"]), supply=4)
    res = solve(inst)
    assert isinstance(res, Result) and res.certify() is res
    printed = assert_same_as_cli(res, DATA / "small_revenue.json")
    assert list(res.to_dict()) == list(printed)               # same fields, same order
    assert res.objective == printed["objective"] == pytest.approx(2.2)
    assert res.sizes == [3, 4, 4] and res["curve"] == [0.0, 0.6, 0.6, 0.6, 0.8]


def test_small_profit_from_arrays_is_what_the_cli_prints():
    raw = json.loads((DATA / "small_profit.json").read_text())
    inst = PricingInstance(valuations=np.array(raw["valuations"]),
                           costs=np.array(raw["costs"]))
    res = solve(inst).certify()
    printed = assert_same_as_cli(res, DATA / "small_profit.json")
    assert res.supply == printed["supply"] == 6
    assert res.objective == pytest.approx(2.1)


@pytest.mark.parametrize("method", ["curve", "brute", "grid", "algorithm1"])
def test_methods_agree_with_the_cli(method):
    path = DATA / "small_revenue.json"
    inst = PricingInstance.from_dict(json.loads(path.read_text()))
    res = solve(inst, method=method)
    assert_same_as_cli(res, path, "--method", method)
    if method == "grid":
        assert res.status == "approximate" and res.exit_code == 0
        with pytest.raises(NotCertifiedError):
            res.certify()


def test_estimation_specs_from_python():
    raw = json.loads((DATA / "estimation_profit.json").read_text())
    specs = [pricing.ErrorValueSpec(**s) for s in raw["valuations"]]
    inst = PricingInstance(valuations=specs, sigma=1.0, costs=raw["costs"])
    assert inst == PricingInstance.from_dict(raw) and inst.specs == tuple(specs)
    assert inst.to_dict()["valuations"][1] == {"kind": "linear", "tolerance": 0.8,
                                               "value": 0.9}


# ----------------------------------------------------------------------------- the instance
def test_round_trip_and_immutability():
    for name in ("small_revenue", "small_profit", "estimation_profit", "uniform_30x30"):
        inst = PricingInstance.from_dict(json.loads((DATA / f"{name}.json").read_text()))
        again = PricingInstance.from_dict(inst.to_dict())
        assert again == inst and hash(again) == hash(inst), name
        assert json.loads(json.dumps(inst.to_dict())) == inst.to_dict()
        for arr in (inst.valuations, inst.V):
            assert not arr.flags.writeable
        with pytest.raises(dataclasses.FrozenInstanceError):
            inst.supply = 3  # type: ignore[misc]
    inst = PricingInstance(valuations=[[0.1, 0.2, 0.3]], supply=2)
    assert inst.valuations.shape == (1, 2) and inst.V.shape == (1, 3)   # cut to the supply
    assert inst.V[0, 0] == 0 and np.array_equal(inst.V[:, 1:], inst.valuations)


def test_construction_validates_like_a_file():
    rows = np.array([[0.1, 0.2, 0.3], [0.2, 0.2, 1.5]])
    with pytest.raises(InstanceError) as e:
        PricingInstance(valuations=rows, supply=3)
    assert e.value.field == "valuations[1][2]"
    with pytest.raises(InstanceError) as e:
        PricingInstance.from_dict({"problem": "pricing", "valuations": rows.tolist(),
                                   "supply": 3})
    assert e.value.field == "valuations[1][2]"
    for kwargs, field in (({"supply": 0}, "supply"), ({"supply": np.int64(4)}, "supply"),
                          ({"costs": [-1.0]}, "costs[0]"), ({"supply": 2, "epsilon": 0},
                                                            "epsilon"),
                          ({"supply": 2, "sigma": -1}, "sigma"), ({}, "supply")):
        with pytest.raises(InstanceError) as e:
            PricingInstance(valuations=[[0.1, 0.2, 0.3]], **kwargs)
        assert e.value.field == field, kwargs
    assert PricingInstance(valuations=[[0.1, 0.2]], supply=np.int64(2)).supply == 2
    with pytest.raises(InstanceError, match="must be 'pricing'"):
        PricingInstance.from_dict({"problem": "sampling", "valuations": [[0.1]], "supply": 1})


def test_a_v0_column_passed_as_rows_is_flagged():
    V = pricing.random_valuations(np.random.default_rng(0), 3, 4)      # rows v_j(0..4)
    with pytest.warns(UserWarning, match="every row starts with 0"):
        PricingInstance(valuations=V, supply=4)
    inst = PricingInstance.from_v0(V, supply=4)
    assert np.array_equal(inst.V, V)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        PricingInstance(valuations=V[:, 1:], supply=4)
    with pytest.raises(InstanceError, match="use PricingInstance") as e:
        PricingInstance.from_v0(V[:, 1:], supply=4)
    assert e.value.field == "V[0][0]"


def test_solve_takes_an_instance_never_a_matrix():
    rows = np.array(json.loads((DATA / "small_revenue.json").read_text())["valuations"])
    with pytest.raises(TypeError, match="PricingInstance"):
        solve(rows)  # type: ignore[arg-type]


def test_raw_rows_without_v0_raise_the_clear_error():
    rows = np.array(json.loads((DATA / "small_revenue.json").read_text())["valuations"])
    with pytest.raises(InstanceError, match="from_one=True") as e:
        ef_revenue(rows)                                 # returned "optimal 1.2" before #11
    assert e.value.field == "V[0][0]" and "v_j(0) = 0" in str(e.value)
    assert ef_revenue(rows, from_one=True).objective == pytest.approx(2.2)


def test_options_are_checked_and_the_time_limit_is_honoured():
    inst = PricingInstance.from_dict(json.loads((DATA / "uniform_30x30.json").read_text()))
    with pytest.raises(InstanceError, match="method"):
        solve(inst, method="bogus")
    with pytest.raises(InstanceError, match="backend"):
        solve(inst, method="grid", backend="highs")
    with pytest.raises(InstanceError, match="time_limit"):
        solve(inst, time_limit=0)
    res = solve(inst, time_limit=0.05)
    assert res.status in ("time_limit", "optimal") and res.seconds < 10
    if res.status == "time_limit":
        assert res.bound >= res.objective > 0


# ----------------------------------------------------------------------------- the package
def test_registration_lives_in_the_plugin():
    spec = get_problem("pricing")
    assert spec.methods == METHODS and spec.default_method == "auto"
    assert spec.parse == PricingInstance.from_dict
    registered = {k: v for k, v in all_claims().items() if k.startswith("pricing.")}
    assert registered == {c.id: c for c in CLAIMS}
    code = ("import solver.pricing, solver.pricing.claims, solver.problems as p, "
            "solver.claims.registry as r; print(len(p._PROBLEMS), len(r._CLAIMS))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=120)
    assert out.stdout.split() == ["0", "0"], out.stderr


def test_all_names_resolve():
    assert {"PricingInstance", "solve", "ef_revenue", "curve_revenue", "purchases",
            "as_valuations", "profit_opt", "algorithm1", "grid_dp"} <= set(pricing.__all__)
    for name in pricing.__all__:
        assert getattr(pricing, name) is not None, name


@pytest.mark.parametrize("call, field", [
    (lambda V: pricing.profit_opt(V, -0.1), "c1"),
    (lambda V: pricing.algorithm1(V, float("nan"), lambda Vn: np.zeros(Vn.shape[1])), "c1"),
    (lambda V: pricing.profit_opt(V, 0.1, method="bogus"), "method"),
    (lambda V: pricing.grid_dp(V, 0.0), "epsilon"),
    (lambda V: pricing.k_types_enumeration(V, 2.0), "epsilon"),
    (lambda V: pricing.local_search(V, weights=np.ones(2)), "weights"),
    (lambda V: pricing.grid_dp(V[:, 1:], weights=np.ones(3)), "V"),     # types are checked
    (lambda V: pricing.curve_revenue(V, np.zeros(5), weights=[1, 1]), "weights"),
    (lambda V: pricing.instance_dict(V[:, 1:]), "V[0][0]"),
    (lambda V: pricing.build_mechanism(V, (0.01,), 1.0), "costs"),
    (lambda V: pricing.build_mechanism(V, (0.01, -0.02), 1.0), "costs"),
    (lambda V: pricing.build_mechanism(V, (0.01, 0.02), 0.0), "sigma"),
], ids=["profit-c1", "alg1-c1", "profit-method", "grid-eps", "ktypes-eps", "local-weights",
        "grid-types", "curve-weights", "instance_dict", "mech-one-cost", "mech-neg-cost",
        "mech-sigma"])
def test_raw_entry_points_name_their_convention(call, field):
    V = PricingInstance.from_dict(json.loads((DATA / "small_revenue.json").read_text())).V
    with pytest.raises(InstanceError) as e:
        call(V)
    assert e.value.field == field
