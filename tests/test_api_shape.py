"""One shape for every problem (issue #12): the registry, ``solve_instance``, the CLI.

(a) For each of the nine problems and one shipped data file, ``solve_instance`` through the
registry gives a :class:`~solver.result.Result` whose ``to_dict()`` is what
``solver solve FILE --json`` prints (timings aside); (b) ``solver --version`` and
``solver list --json``; (c) ``--backend nosuch`` exits 2 listing the backends that would
work, on ``solve`` and ``sweep solve``; declared methods are checked before a problem runs.
The per-package Python API tests (``solver.<pkg>.solve(Instance(...))``) live with the
packages.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
from contract import check_contract, run_solve
from typer.testing import CliRunner

import solver.cli
import solver.problems
from solver import io
from solver.cli import app
from solver.errors import BackendUnavailableError, InstanceError
from solver.opt.backends import all_backends
from solver.opt.result import STATUSES
from solver.problems import (
    _PROBLEMS,
    SolveOptions,
    check_backend,
    check_method,
    get_problem,
    problems,
    register_problem,
    solve_instance,
)
from solver.result import Result
from tests.contract import assert_same_as_cli, untimed

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()

#: One small shipped instance per registered problem (a second or less each).
SHIPPED: dict[str, str] = {
    "sampling": "data/sampling/theorem51_n3.json",
    "sampling-mechanism": "data/sampling/mech_section43.json",
    "pricing": "data/pricing/small_revenue.json",
    "ironing": "data/ironing/example_c_discrete.json",
    "sharing": "data/sharing/example_b1_n8_v2.json",
    "election": "data/privacy/election_tied.json",
    "facility-location": "data/privacy/facility_small.json",
    "vcg": "data/privacy/vcg_small.json",
    "private-mechanism-lp": "data/privacy/lp_election.json",
}
CERTIFICATE = ("problem", "status", "objective", "bound", "gap", "backend", "seconds")
PROBE = "apishape.probe"


# ---------------------------------------------------------------------------- (a)

def test_every_registered_problem_is_covered():
    real = {n for n in problems() if "probe" not in n and "test" not in n}
    assert real == set(SHIPPED)


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_solve_instance_is_what_the_cli_prints(name):
    path = ROOT / SHIPPED[name]
    spec = get_problem(name)
    inst = spec.parse(io.read_raw(path))
    res = solve_instance(name, inst)
    assert isinstance(res, Result) and res.problem == name
    printed = assert_same_as_cli(res, path)
    assert list(printed)[: len(CERTIFICATE)] == list(CERTIFICATE)  # the certificate first
    # the certificate is there for Python too, and certify() accepts a proven optimum
    assert res.status == printed["status"] == "optimal", printed
    assert res.certify() is res and res.exit_code == 0
    assert res.status in STATUSES and res.backend == printed["backend"]
    for key, value in printed.items():
        if key not in CERTIFICATE and key != "message" and not key.endswith("seconds"):
            assert untimed(res[key]) == untimed(value)


def test_solve_instance_takes_a_spec_and_the_options():
    spec = get_problem("pricing")
    inst = spec.parse(io.read_raw(ROOT / SHIPPED["pricing"]))
    res = solve_instance(spec, inst, backend="highs", time_limit=30, max_memory="1G")
    assert res.status == "optimal" and res.backend == "highs"
    with pytest.raises(BackendUnavailableError, match="unknown backend 'nosuch'; available"):
        solve_instance(spec, inst, backend="nosuch")
    with pytest.raises(InstanceError, match="time_limit: must be positive"):
        solve_instance(spec, inst, time_limit=0)


def test_solve_file_moved_and_is_reexported():
    assert solver.cli.solve_file is solver.problems.solve_file
    from solver.validate import parse_bytes

    assert solver.cli.parse_bytes is parse_bytes


# ---------------------------------------------------------------------------- (b)

def test_version():
    r = runner.invoke(app, ["--version"])
    assert r.exit_code == 0 and r.stdout == f"solver {version('solver')}\n"
    assert r.stdout == f"solver {solver.cli.version()}\n"


def test_list_json_shape():
    r = runner.invoke(app, ["list", "--json"])
    assert r.exit_code == 0, r.stderr
    cat = json.loads(r.stdout)
    assert set(cat) == {"version", "problems", "backends", "families", "evaluators"}
    evs = {e["problem"]: e for e in cat["evaluators"]}
    assert set(evs) == {"sampling", "pricing", "ironing", "sharing", "privacy"}
    for e in evs.values():
        assert e["sense"] in ("ALG/OPT", "OPT/ALG") and e["algorithms"] and e["objective"]
    assert evs["pricing"]["sense"] == "OPT/ALG" and evs["sampling"]["sense"] == "ALG/OPT"
    assert cat["version"] == version("solver")
    names = [p["name"] for p in cat["problems"]]
    assert set(SHIPPED) <= set(names) and names == sorted(names)
    for p in cat["problems"]:
        assert set(p) == {"name", "description", "methods", "default_method"}
        assert isinstance(p["methods"], list) and all(isinstance(m, str) for m in p["methods"])
        assert p["default_method"] == (p["methods"][0] if p["methods"] else None)
        assert p["description"]
    expected = [n for n in all_backends() if n not in ("cvxpy", "pulp")]
    assert [b["name"] for b in cat["backends"]] == expected
    for b in cat["backends"]:
        assert set(b) == {"name", "installed", "integer", "quadratic", "gives_bound",
                          "honours_time_limit", "lazy_rows", "cutting_planes"}
        assert all(isinstance(b[k], bool) for k in b if k != "name")
    highs = next(b for b in cat["backends"] if b["name"] == "highs")
    assert highs == {"name": "highs", "installed": True, "integer": True, "quadratic": False,
                     "gives_bound": True, "honours_time_limit": True, "lazy_rows": True,
                     "cutting_planes": True}
    assert not any(b["lazy_rows"] or b["cutting_planes"] for b in cat["backends"]
                   if b["name"] != "highs")


def test_list_table_shows_methods_and_capabilities(probe):
    r = runner.invoke(app, ["list"])
    assert r.exit_code == 0, r.stderr
    assert "methods (default first)" in r.stdout and "honours time limit" in r.stdout
    assert "fast, slow" in r.stdout


def test_solve_help_lists_every_problem_and_its_methods(probe):
    r = runner.invoke(app, ["solve", "--help"], env={"COLUMNS": "80"})
    assert r.exit_code == 0
    assert "Methods by problem" in r.stdout
    for name, spec in problems().items():
        assert f"{name}:" in r.stdout
        for m in spec.methods or ():
            assert m in r.stdout
    assert max(len(line) for line in r.stdout.splitlines()) <= 80


# ---------------------------------------------------------------------------- (c)

def _installed() -> list[str]:
    from solver.opt import available_backends

    return list(available_backends())


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_unknown_backend_exits_2_listing_the_backends(name):
    out = check_contract(run_solve(ROOT / SHIPPED[name], "--backend", "nosuch"))
    assert out.rc == 2
    line = out.stderr.strip()
    assert line.startswith("error: backend: "), line
    if "available: " in line:  # a problem solved through solver.opt: those that suit it
        assert line.startswith("error: backend: unknown backend 'nosuch'; available: "), line
        listed = line.split("available: ", 1)[1].split(", ")
        assert listed and set(listed) <= set(_installed()), line
    else:  # a problem solved by its own exact method: only auto works
        assert "takes no optimisation backend; use auto, got 'nosuch'" in line, line


@pytest.mark.parametrize("path,args", [
    ("ironing/example_c_discrete.json", ("--method", "qp", "--backend", "portfolio")),
    ("ironing/example_c_discrete.json", ("--method", "qp", "--backend", "pulp:CBC")),
    ("pricing/small_revenue.json", ("--backend", "cvxpy:CLARABEL")),
    ("privacy/lp_election.json", ("--backend", "cvxpy:NOSUCH")),
], ids=["portfolio-qp", "pulp-qp", "clarabel-milp", "cvxpy-unknown"])
def test_unsuitable_backend_exits_2_listing_those_that_can(path, args):
    named = args[-1]
    if named not in ("cvxpy:NOSUCH",) and named not in _installed():
        pytest.skip(f"{named} not installed")
    out = check_contract(run_solve(ROOT / "data" / path, *args))
    assert out.rc == 2
    line = out.stderr.strip()
    assert line.startswith("error: backend: "), line
    marker = "backends that can: " if "cannot solve" in line else "available: "
    listed = line.split(marker, 1)[1].split(", ")
    assert listed and set(listed) <= set(_installed()) and named not in listed, line


def test_unknown_backend_in_a_sweep_is_refused_before_anything_runs(tmp_path):
    d = tmp_path / "inst"
    d.mkdir()
    (d / "a.json").write_text((ROOT / SHIPPED["election"]).read_text())
    store = tmp_path / "s.sqlite"
    r = runner.invoke(app, ["sweep", "solve", "--instances", str(d), "--grid",
                            '{"backend": ["nosuch"]}', "--store", str(store), "--workers",
                            "0", "--quiet"])
    assert r.exit_code == 2, (r.stdout, r.stderr)
    assert r.stderr.strip().startswith("error: backend: unknown backend 'nosuch'; available")
    assert not store.exists() or store.stat().st_size == 0 or _no_rows(store)


def _no_rows(store: Path) -> bool:
    from solver.sweep import load

    return load(store).shape[0] == 0


@pytest.mark.parametrize("backend", ["auto", "highs", "scipy", "exact:anything",
                                     "approx:grid", "heuristic:local-search"])
def test_check_backend_leaves_valid_names(backend):
    assert check_backend(backend) == backend


@pytest.mark.parametrize("backend", ["nosuch", "", " ", "cvxpy:NOSUCH"])
def test_check_backend_refuses_unknown_names(backend):
    with pytest.raises(BackendUnavailableError) as err:
        check_backend(backend)
    assert err.value.field == "backend"


# ---------------------------------------------------------------------------- methods

def _solve_probe(inst: Mapping[str, Any], opts: SolveOptions) -> dict[str, Any]:
    return {"status": "optimal", "objective": 1.0, "backend": "exact:probe",
            "method_seen": opts.method}


@pytest.fixture
def probe():
    register_problem(PROBE, dict, _solve_probe, "api-shape probe (tests)",
                     methods=("fast", "slow"))
    register_problem(PROBE + "-single", dict, _solve_probe, "api-shape probe (tests)",
                     methods=())
    register_problem(PROBE + "-undeclared", dict, _solve_probe, "api-shape probe (tests)")
    yield
    for suffix in ("", "-single", "-undeclared"):
        _PROBLEMS.pop(PROBE + suffix, None)


def test_register_problem_stores_methods(probe):
    spec = get_problem(PROBE)
    assert spec.methods == ("fast", "slow") and spec.default_method == "fast"
    assert get_problem(PROBE + "-single").methods == ()
    assert get_problem(PROBE + "-single").default_method is None
    assert get_problem(PROBE + "-undeclared").methods is None  # backward compatible
    with pytest.raises(ValueError, match="repeat"):
        register_problem(PROBE + "-bad", dict, _solve_probe, methods=("a", "a"))
    with pytest.raises(TypeError):
        register_problem(PROBE + "-bad", dict, _solve_probe, methods="ab")  # type: ignore[arg-type]
    assert PROBE + "-bad" not in problems()


def test_declared_methods_are_checked_before_the_problem_runs(probe):
    out = check_contract(run_solve({"problem": PROBE}, "--method", "slow"))
    assert out.rc == 0 and out.result["method_seen"] == "slow"
    out = check_contract(run_solve({"problem": PROBE}))
    assert out.rc == 0 and out.result["method_seen"] is None  # the problem picks its default
    out = check_contract(run_solve({"problem": PROBE}, "--method", "bogus"))
    assert out.rc == 2
    assert out.stderr.strip() == "error: method: must be one of fast, slow, got 'bogus'"
    out = check_contract(run_solve({"problem": PROBE + "-single"}, "--method", "fast"))
    assert out.rc == 2 and out.stderr.startswith("error: method: problem ")
    out = check_contract(run_solve({"problem": PROBE + "-undeclared"}, "--method", "any"))
    assert out.rc == 0 and out.result["method_seen"] == "any"
    # the method is checked before the backend
    out = check_contract(run_solve({"problem": PROBE}, "--method", "bogus", "--backend", "x"))
    assert out.rc == 2 and out.stderr.startswith("error: method: ")
    with pytest.raises(InstanceError, match="method: must be one of fast, slow"):
        check_method(get_problem(PROBE), "bogus")


def test_list_json_shows_declared_methods(probe):
    cat = json.loads(runner.invoke(app, ["list", "--json"]).stdout)
    mine = {p["name"]: p for p in cat["problems"] if p["name"].startswith(PROBE)}
    assert mine[PROBE]["methods"] == ["fast", "slow"]
    assert mine[PROBE]["default_method"] == "fast"
    assert mine[PROBE + "-single"]["methods"] == []
    assert mine[PROBE + "-undeclared"]["default_method"] is None


def test_a_problem_that_ignores_the_backend_still_refuses_an_unknown_one(probe):
    out = check_contract(run_solve({"problem": PROBE}, "--backend", "nosuch"))
    assert out.rc == 2
    assert out.stderr.strip() == ("error: backend: this problem is solved by exact:probe and "
                                  "takes no optimisation backend; use auto, got 'nosuch'")
    assert check_contract(run_solve({"problem": PROBE}, "--backend", "exact:probe")).rc == 0


def test_a_status_outside_the_statuses_is_a_solver_error():
    def bad(inst: Any, opts: SolveOptions) -> dict[str, Any]:
        return {"status": "feasible", "objective": 1.0, "backend": "heuristic:probe"}

    register_problem(PROBE + "-status", dict, bad, "api-shape probe (tests)")
    try:
        out = check_contract(run_solve({"problem": PROBE + "-status"}))
        assert out.rc == 1
        assert out.stderr.strip().startswith(
            "solver error: problem 'apishape.probe-status' returned status 'feasible'")
    finally:
        _PROBLEMS.pop(PROBE + "-status", None)
