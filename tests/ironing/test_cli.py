"""The ``ironing`` CLI problem: data files, methods, bad input, and the claims."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from solver.cli import app
from solver.errors import InstanceError
from solver.ironing.problem import IroningInstance, _cli_solve
from solver.problems import SolveOptions

runner = CliRunner()


def _solve_file(path, *extra):
    res = runner.invoke(app, ["solve", path, "--json", *extra])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_cli_example_c():
    out = _solve_file("data/ironing/example_c_discrete.json")
    assert out["problem"] == "ironing" and out["status"] == "optimal"
    assert out["ironed_virtual_costs"] == [1.0, 5.0, 5.0]
    assert out["objective"] == pytest.approx(15.265625)
    assert out["mechanism_payment"] == pytest.approx(16.5)
    assert out["ironed_intervals"][0]["costs"] == [2.0, 3.0]


@pytest.mark.parametrize("method", ["pava", "qp", "lp"])
def test_cli_methods_agree(method):
    out = _solve_file("data/ironing/example_c_discrete.json", "--method", method)
    np.testing.assert_allclose(out["ironed_virtual_costs"], [1, 5, 5], atol=1e-5)
    assert out["objective"] == pytest.approx(15.265625, abs=1e-4)


def test_cli_piecewise_and_scipy_files():
    out = _solve_file("data/ironing/example_b_piecewise.json")
    assert out["ironed_intervals"][0]["costs"] == pytest.approx([2.0, 5.0])
    assert out["objective"] == pytest.approx(30.4549, abs=1e-4)
    out = _solve_file("data/ironing/truncnorm_scipy.json")
    assert out["anti_regular"] is True and out["ironed_intervals"] == []
    assert out["objective"] == pytest.approx(out["envy_free_benchmark"], rel=1e-7)


def test_mixture_instance():
    inst = IroningInstance.from_dict({"problem": "ironing", "mixture": {
        "components": [{"values": [1, 2], "probabilities": [0.5, 0.5]},
                       {"values": [2, 3], "probabilities": [0.5, 0.5]}],
        "weights": [0.5, 0.5]}, "units": 1, "players": 3})
    out = _cli_solve(inst, SolveOptions())
    assert out["values"].tolist() == [1, 2, 3] and out["status"] == "optimal"


BASE = {"problem": "ironing", "values": [1, 2, 3], "probabilities": [0.5, 0.1, 0.4]}


@pytest.mark.parametrize("patch,field,rule", [
    ({"probabilities": [0.5, -0.1, 0.6]}, "probabilities[1]", ">= 0"),
    ({"probabilities": [0.5, 0.1, 0.3]}, "probabilities", "sum to 1 within"),
    ({"probabilities": [0.5, 0.5, 0.0]}, "probabilities[2]", "> 0"),
    ({"values": [1, 1, 3]}, "values[1]", "rejected, not sorted or merged"),
    ({"values": [2, 1, 3]}, "values[1]", "strictly increasing"),
    ({"values": [-1, 1, 3]}, "values[0]", ">= 0"),
    ({"values": [1, float("nan"), 3]}, "values[1]", "finite"),
    ({"units": 5, "players": 5}, "units", "< players"),
    ({"units": 6, "players": 5}, "units", "< players"),
    ({"units": 2}, "players", "together"),
    ({"unit": 2}, "unit", "unknown field"),
    ({"probabilities": [0.5, 0.5]}, "probabilities", "3 entries"),
    ({"values": [1, 2, 10**400]}, "values", "beyond the float range"),
    ({"units": 1, "players": 10**400}, "players", "at most 2**53"),
    ({"units": 1, "players": 2 * 10**9}, "players", "<= 1000000000"),
])
def test_bad_input(patch, field, rule):
    with pytest.raises(InstanceError) as e:
        IroningInstance.from_dict({**BASE, **patch})
    assert e.value.field == field and rule in e.value.rule


@pytest.mark.parametrize("raw,field,rule", [
    ({"piecewise_uniform": {"breaks": [0, 1, 2], "masses": [1.0, 0.0]}},
     "piecewise_uniform.masses[1]", "density vanish"),
    ({"distribution": {"scipy": "beta", "params": [2, 5]}}, "distribution", "Assumption 1"),
    ({"distribution": {"scipy": "expon"}}, "distribution", "bounded"),
    ({"distribution": {"scipy": "uniform", "loc": -1}}, "distribution", "[0, inf)"),
    ({"distribution": {"scipy": "nosuch"}}, "distribution.scipy", "continuous scipy.stats"),
    ({"distribution": {"scipy": "uniform"}, "values": [1]}, "instance", "exactly one"),
])
def test_bad_distributions(raw, field, rule):
    with pytest.raises(InstanceError) as e:
        IroningInstance.from_dict({"problem": "ironing", **raw})
    assert e.value.field == field and rule in e.value.rule


def test_cli_bad_input_exit_2(tmp_path):
    p = tmp_path / "bad.json"
    p.write_text(json.dumps({**BASE, "units": 7, "players": 5}))
    res = runner.invoke(app, ["solve", str(p), "--json"])
    assert res.exit_code == 2
    assert "units" in res.output
