"""The ``sampling`` problem through ``solver solve`` and the instance parser."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from solver.errors import InstanceError
from solver.sampling import SamplingInstance

parse_sampling = SamplingInstance.from_dict

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data" / "sampling"


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "solver.cli", *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)


def _solve_json(path: Path, *extra: str) -> dict:
    from typer.testing import CliRunner

    from solver.cli import app

    res = CliRunner().invoke(app, ["solve", str(path), "--json", *extra])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_cli_relaxation_example():
    out = _solve_json(DATA / "relaxation_gap.json")
    assert out["problem"] == "sampling" and out["status"] == "optimal"
    assert out["objective"] == pytest.approx(1.0)
    assert out["relaxation"] == pytest.approx(0.75, abs=1e-7)
    assert out["relaxation_subset"] == pytest.approx(0.75, abs=1e-7)
    assert out["relaxation_gap"]["absolute"] == pytest.approx(0.25, abs=1e-7)
    assert out["ordering"] == pytest.approx(5.0)
    assert out["ratio"] == pytest.approx(5.0)
    for key in ("p_optimal", "p_ordering", "p_independent"):
        assert len(out[key]) == 4 and sum(out[key]) == pytest.approx(1.0)
    for key in ("bound", "gap", "backend", "seconds"):
        assert key in out


def test_cli_theorem_5_1_file_and_methods():
    out = _solve_json(DATA / "theorem51_n6.json")
    assert out["objective"] == pytest.approx(8.0)
    assert out["ratio"] == pytest.approx(73 / 48)
    bf = _solve_json(DATA / "theorem51_n3.json", "--method", "dp")
    assert bf["backend"] == "exact:dp" and bf["objective"] == pytest.approx(5.0)


def test_cli_costs_file_reports_pi_max():
    out = _solve_json(DATA / "theorem51_costs_n4.json")
    assert out["costs_concave"] is True
    assert out["payment"][:6] == [0, 4, 4, 4, 4, 5]
    assert out["objective"] == pytest.approx(6.0) and out["ratio"] <= 2


def test_cli_subprocess_bad_file_exits_2(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"problem": "sampling", "sellers": 3, "demands": [1, 4],
                               "payment": [0, 1, 2]}))
    res = run_cli("solve", str(bad), "--json")
    assert res.returncode == 2
    assert "demands[1]" in res.stderr
    good = run_cli("solve", str(DATA / "relaxation_gap.json"), "--json")
    assert good.returncode == 0 and json.loads(good.stdout)["objective"] == pytest.approx(1.0)


def test_cli_backend_option(tmp_path):
    out = _solve_json(DATA / "relaxation_gap.json", "--backend", "pulp:CBC")
    assert out["backend"] == "pulp:CBC" and out["objective"] == pytest.approx(1.0)


BASE = {"problem": "sampling", "sellers": 3, "demands": [1, 2], "payment": [0, 1, 3]}


@pytest.mark.parametrize("patch, field", [
    ({"sellers": 0}, "sellers"),
    ({"sellers": 2.5}, "sellers"),
    ({"demands": [1, 4]}, "demands[1]"),
    ({"demands": [-1, 2]}, "demands[0]"),
    ({"demands": [1.5, 2]}, "demands[0]"),
    ({"demands": []}, "demands"),
    ({"payment": [0, 1]}, "payment"),
    ({"payment": [0, -1, 3]}, "payment[1]"),
    ({"payment": [0, 1, "x"]}, "payment[2]"),
    ({"demand": [1, 2]}, "demand"),
    ({"costs": [[1, 2]] * 3}, "costs"),
])
def test_bad_instances_name_the_field(patch, field):
    raw = dict(BASE, **patch)
    if field == "payment" and "payment" not in patch:
        raw.pop("payment")
    with pytest.raises(InstanceError) as exc:
        parse_sampling(raw)
    assert exc.value.field == field


@pytest.mark.parametrize("costs, field", [
    ([[1, 2], [1, 2]], "costs"),
    ([[1, 2], [1, 2], [1]], "costs[2]"),
    ([[1, 2], [1, 2], [3, 2]], "costs[2][1]"),
    ([[1, 2], [1, -2], [1, 2]], "costs[1][1]"),
    ([[1, 2], [1, 2], [1, float("nan")]], "costs[2][1]"),
])
def test_bad_costs_name_the_field(costs, field):
    raw = {"problem": "sampling", "sellers": 3, "demands": [1, 2], "costs": costs}
    with pytest.raises(InstanceError) as exc:
        parse_sampling(raw)
    assert exc.value.field == field


def test_missing_payment_and_costs():
    with pytest.raises(InstanceError) as exc:
        parse_sampling({"problem": "sampling", "sellers": 3, "demands": [1]})
    assert exc.value.field == "payment"


def test_instance_is_immutable_and_flags():
    inst = SamplingInstance(3, np.array([1, 2]), payment=np.array([0, 2, 1]))
    assert not inst.payment_nondecreasing
    with pytest.raises(ValueError):
        inst.demands[0] = 2
    c = SamplingInstance(2, [1, 1], costs=[[1, 1], [0, 3]])
    assert c.payment.tolist() == [0, 1, 3] and c.costs_concave is False
    assert np.array_equal(parse_sampling(c.to_dict()).payment, c.payment)
