"""The error contract of the command line (issue #11, items 4-6).

``--time-limit`` and ``--max-memory`` are validated and honoured (the budget covers loading
and model building); a deadline reached inside a problem is a ``time_limit`` result; the
top-level guard turns any unexpected exception into one ``internal error`` line (exit 1,
traceback only with ``--debug``); nothing but the JSON object reaches stdout (HiGHS's banner
included, checked in a real subprocess); warnings become ``notes``; unknown ``--method`` and
``--backend`` exit 2 on every registered problem and shipped data file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from contract import check_contract, run_solve
from typer.testing import CliRunner

from solver import budget
from solver.cli import app, parse_bytes, solve_file
from solver.errors import BackendUnavailableError, InstanceError, SolverError
from solver.problems import _PROBLEMS, SolveOptions, problems, register_problem

ROOT = Path(__file__).resolve().parents[1]
PROBE = "contracttest.probe"
runner = CliRunner()
INTERNAL_HINT = "(please report this; rerun with --debug for the traceback)"


def _parse_probe(raw: Mapping[str, Any]) -> dict[str, Any]:
    return dict(raw)


def _solve_probe(inst: dict[str, Any], opts: SolveOptions) -> dict[str, Any]:
    """Does what ``inst['do']`` says, to exercise every path of the contract."""
    do = inst.get("do", "ok")
    ok = {"status": "optimal", "objective": 1.0, "backend": "exact:probe"}
    if do == "zero":
        return {"x": 1 / 0}
    if do == "recursion":
        def f(n: int) -> int:
            return f(n + 1)
        f(0)
    if do == "memory":
        raise MemoryError
    if do == "solver-error":
        raise SolverError("the backend fell over")
    if do == "backend":
        raise BackendUnavailableError("unknown backend 'x'; available: highs")
    if do == "size":
        budget.check_memory("n", 1024.0**3, "the probe's dense table", "--method sparse")
        return ok
    if do == "deadline":
        time.sleep(float(inst.get("sleep", 0.3)))
        budget.check_deadline("building the probe model")
        return ok
    if do == "budget":
        b = budget.current()
        return {**ok, "deadline_left": b.remaining(), "max_memory": b.max_memory}
    if do == "warn":
        warnings.warn("a loose tolerance", UserWarning, stacklevel=1)
        with np.errstate(over="warn"):
            np.exp(np.array([1000.0]))
        return ok
    if do == "print":
        print("chatter from a solver")
        return ok
    if do == "nan":
        return {**ok, "objective": float("nan")}
    if do == "not-a-dict":
        return [1, 2]  # type: ignore[return-value]
    return ok


@pytest.fixture(autouse=True, scope="module")
def _probe_problem():
    register_problem(PROBE, _parse_probe, _solve_probe, "error-contract probe (tests)")
    yield
    _PROBLEMS.pop(PROBE, None)


def _probe(do: str, *args: str, **extra: Any):
    return run_solve({"problem": PROBE, "do": do, **extra}, *args)


def _one_line(out) -> str:
    lines = [ln for ln in out.stderr.strip().splitlines() if ln.strip()]
    assert len(lines) == 1, out.stderr
    return lines[0]


# ---------------------------------------------------------------------------- limits

@pytest.mark.parametrize("value", ["-1", "0", "nan", "inf", "-inf"])
def test_time_limit_must_be_positive_and_finite(value):
    out = check_contract(_probe("ok", "--time-limit", value))
    assert out.rc == 2
    shown = {"-1": "-1", "0": "0"}.get(value, value)
    assert _one_line(out) == f"error: time_limit: must be positive and finite, got {shown}"


def test_time_limit_not_a_number_is_one_line():
    out = check_contract(_probe("ok", "--time-limit", "soon"))
    assert out.rc == 2 and _one_line(out).startswith("error: time_limit: ")


@pytest.mark.parametrize("text,expected", [("2G", 2 * 1024**3), ("512M", 512 * 1024**2),
                                           ("512m", 512 * 1024**2), ("1.5GiB", 1.5 * 1024**3),
                                           ("64KB", 64 * 1024), ("1e9", 1e9), ("4096", 4096)])
def test_parse_bytes(text, expected):
    assert parse_bytes(text) == expected


@pytest.mark.parametrize("value", ["0", "-5", "abc", "2X", "nan", "inf"])
def test_bad_max_memory_is_an_input_error(value):
    out = check_contract(_probe("ok", "--max-memory", value))
    assert out.rc == 2 and _one_line(out).startswith("error: max_memory: ")


def test_max_memory_is_the_budget_of_the_solve():
    out = check_contract(_probe("size", "--max-memory", "512M"))
    assert out.rc == 2
    line = _one_line(out)
    assert line.startswith("error: n: the probe's dense table needs an estimated 1 GiB")
    assert "--max-memory" in line and "use --method sparse instead" in line
    assert check_contract(_probe("size", "--max-memory", "2G")).rc == 0
    assert check_contract(_probe("size")).rc == 0  # the 2 GiB default


def test_budget_is_open_around_the_solve():
    out = check_contract(_probe("budget", "--time-limit", "30", "--max-memory", "1G"))
    assert out.rc == 0
    assert 25 < out.result["deadline_left"] <= 30 and out.result["max_memory"] == 1024**3
    out = check_contract(_probe("budget"))
    assert out.result["deadline_left"] is None
    assert out.result["max_memory"] == budget.DEFAULT_MAX_MEMORY


def test_deadline_inside_a_problem_is_a_time_limit_result():
    out = check_contract(_probe("deadline", "--time-limit", "0.1", sleep=0.3))
    assert out.rc == 1
    res = out.result
    assert {k: res[k] for k in ("problem", "status", "objective", "bound", "gap", "backend")} \
        == {"problem": PROBE, "status": "time_limit", "objective": None, "bound": None,
            "gap": None, "backend": "none"}
    assert res["seconds"] >= 0.1 and "building the probe model" in res["message"]
    assert check_contract(_probe("deadline", "--time-limit", "30", sleep=0.0)).rc == 0


def test_solve_file_keeps_its_signature_and_takes_max_memory(tmp_path):
    f = tmp_path / "p.json"
    f.write_text(json.dumps({"problem": PROBE, "do": "budget"}))
    assert solve_file(f, "auto", None, None, 0)["status"] == "optimal"
    assert solve_file(f, max_memory="256M")["max_memory"] == 256 * 1024**2
    with pytest.raises(InstanceError, match="time_limit: must be positive"):
        solve_file(f, time_limit=-1.0)


# ---------------------------------------------------------------------------- the guard

@pytest.mark.parametrize("do,what", [("zero", "ZeroDivisionError: division by zero"),
                                     ("recursion", "RecursionError: maximum recursion depth"),
                                     ("memory", "MemoryError"),
                                     ("not-a-dict", None)])
def test_unexpected_exception_is_one_internal_error_line(do, what):
    out = check_contract(_probe(do))
    assert out.rc == 1 and not out.stdout
    line = _one_line(out)
    if what is None:  # a plugin's malformed result is a solver error, not a crash
        assert line.startswith("solver error: problem 'contracttest.probe' returned list")
        return
    assert line.startswith(f"internal error: {what}") and line.endswith(INTERNAL_HINT), line


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_shows_the_traceback(tmp_path, where):
    f = tmp_path / "p.json"
    f.write_text(json.dumps({"problem": PROBE, "do": "zero"}))
    argv = ["solve", str(f), "--json"]
    argv = ["--debug", *argv] if where == "before" else [*argv, "--debug"]
    r = runner.invoke(app, argv)
    assert r.exit_code == 1 and r.stdout == ""
    assert "Traceback (most recent call last)" in r.stderr and "1 / 0" in r.stderr
    assert r.stderr.strip().splitlines()[-1].startswith("internal error: ZeroDivisionError")


def test_solver_error_and_backend_error():
    out = check_contract(_probe("solver-error"))
    assert out.rc == 1 and _one_line(out) == "solver error: the backend fell over"
    out = check_contract(_probe("backend"))
    assert out.rc == 2 and _one_line(out).startswith("error: backend: unknown backend 'x'")


def test_guard_covers_every_command(monkeypatch, tmp_path):
    import solver.sweep.engine as engine

    def boom(*args: Any, **kwargs: Any) -> None:
        raise KeyError("surprise")

    monkeypatch.setattr(engine, "run_sweep", boom)
    r = runner.invoke(app, ["sweep", "bench.spin", "--store", str(tmp_path / "s.sqlite")])
    assert r.exit_code == 1, r.stderr
    assert r.stderr.strip() == f"internal error: KeyError: 'surprise' {INTERNAL_HINT}"


def test_optimal_without_a_finite_objective_is_an_error():
    out = check_contract(_probe("nan"))
    assert out.rc == 1 and out.status == "error" and "finite objective" in out.result["message"]


# ---------------------------------------------------------------------------- output

def test_warnings_become_notes_and_nothing_is_printed():
    out = check_contract(_probe("warn"))
    assert out.rc == 0 and out.stderr == ""
    notes = out.result["notes"]
    assert "UserWarning: a loose tolerance" in notes
    assert any(n.startswith("RuntimeWarning: overflow") for n in notes), notes


def test_python_prints_during_a_solve_go_to_stderr():
    out = check_contract(_probe("print"))
    assert out.rc == 0 and json.loads(out.stdout)["status"] == "optimal"
    assert "chatter from a solver" in out.stderr and "chatter" not in out.stdout


def _backends() -> list[str]:
    from solver.opt import available_backends

    return list(available_backends())


@pytest.mark.parametrize("backend", ["pulp:HiGHS", "cvxpy:HIGHS"])
def test_only_the_json_object_reaches_stdout(backend):
    if backend not in _backends():
        pytest.skip(f"{backend} not installed")
    exe = Path(sys.executable).with_name("solver")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "solver.cli"]
    r = subprocess.run([*cmd, "solve", str(ROOT / "data/pricing/small_revenue.json"), "--json",
                        "--backend", backend], capture_output=True, text=True, timeout=120,
                       env={**os.environ, "PYTHONWARNINGS": "default"})
    assert r.returncode == 0, r.stderr[-1000:]
    res = json.loads(r.stdout)  # the whole of stdout is one JSON object
    assert res["status"] == "optimal" and res["backend"] == backend
    assert r.stdout.count("\n") == 1


# ---------------------------------------------------------------------------- every problem

def _data_files() -> list[Path]:
    return sorted(ROOT.glob("data/**/*.json"))


def _problem_of(path: Path) -> str:
    return str(json.loads(path.read_text()).get("problem"))


@pytest.mark.parametrize("path", _data_files(), ids=lambda p: str(p.relative_to(ROOT / "data")))
@pytest.mark.parametrize("option,field", [("--backend", "backend"), ("--method", "method")])
def test_unknown_backend_and_method_exit_2(path, option, field):
    value = "nosuch" if option == "--backend" else "bogus"
    out = check_contract(run_solve(path, option, value, "--time-limit", "10"))
    assert out.rc == 2, (_problem_of(path), out.rc, out.stdout[:200])
    assert _one_line(out).startswith(f"error: {field}: "), out.stderr


def test_every_registered_problem_has_a_shipped_data_file():
    shipped = {_problem_of(p) for p in _data_files()}
    missing = sorted(set(problems()) - shipped - {PROBE} - {n for n in problems()
                                                             if "test" in n})
    assert not missing, f"problems without a data file (not covered above): {missing}"
