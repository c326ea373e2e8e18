"""Sweep input checked first (issue #14 item 8): bad parameters exit 2, nothing stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from solver.cli import app
from solver.errors import InstanceError
from solver.sweep import run_sweep
from solver.sweep.params import Param, check_param_sets

runner = CliRunner()

BAD = [
    ("claim", '{"quick": [true]}', "claim: is required by 'claim'"),
    ("claim", '{"claim": ["nosuch.claim"]}', "claim: unknown claim 'nosuch.claim'"),
    ("claim", '{"claim": ["sampling.theorem-5.1"], "qick": [true]}',
     "qick: unknown parameter of 'claim' (known: claim, quick)"),
    ("claim", '{"claim": ["sampling.theorem-5.1"], "quick": ["yes"]}',
     "quick: must be true or false"),
    ("sampling.random-ratio", '{"n": [5], "m": [3], "style": ["stars"]}',
     "style: must be one of 'increments'"),
    ("sampling.random-ratio", '{"n": [5]}', "m: is required by 'sampling.random-ratio'"),
    ("sampling.random-ratio", '{"n": [0], "m": [3]}', "n: must be >= 1"),
    ("sampling.random-ratio", '{"n": [5], "m": [3], "algorithm": ["greedy"]}',
     "algorithm: must be one of 'ordering', 'independent'"),
    ("bench.spin", '{"ms": ["fast"]}', "ms: must be a number"),
    ("sampling.theorem51-ratio", '{"m": [3]}', "m: unknown parameter"),
    ("sampling.theorem51-ratio", '{"backend": ["highs"]}',
     "n: is required by 'sampling.theorem51-ratio'"),
    ("sampling.figure2", '{"case": ["c"]}', "case: must be one of 'a', 'b'"),
    ("sampling.figure2", '{"n": [100]}', "case: sampling.figure2 needs case (a or b)"),
]


@pytest.mark.parametrize(("exp", "grid", "msg"), BAD)
def test_bad_grid_exits_2_and_stores_nothing(tmp_path: Path, exp: str, grid: str,
                                             msg: str) -> None:
    store = tmp_path / "s.sqlite"
    r = runner.invoke(app, ["sweep", exp, "--grid", grid, "--store", str(store),
                            "--workers", "0"])
    assert r.exit_code == 2, r.output
    assert r.stderr.strip().startswith(f"error: {msg}"), r.stderr
    assert not store.exists()


def test_good_grid_runs_and_seeds_matter(tmp_path: Path) -> None:
    from solver.sweep import load

    store = tmp_path / "r.sqlite"
    s = run_sweep("sampling.random-ratio", {"algorithm": ["ordering"], "n": [6], "m": [4],
                                            "style": ["star"]},
                  seeds=3, store=store, workers=0, progress=False)
    assert s.ok == 3 and s.errors == 0
    df = load(store)
    assert df["ratio"].nunique() > 1 or df["opt"].nunique() > 1  # a new instance per seed


def test_python_api_raises_before_storing(tmp_path: Path) -> None:
    store = tmp_path / "p.sqlite"
    with pytest.raises(InstanceError, match="claim"):
        run_sweep("claim", {"quick": [True]}, store=store, workers=0, progress=False)
    assert not store.exists()


def test_param_rules() -> None:
    spec = {"n": Param("int", required=True, minimum=1), "x": Param("number"),
            "mode": Param("str", choices=("a", "b"))}
    check_param_sets("e", spec, [{"n": 2, "x": 0.5, "mode": "a"}, {"n": 3.0}])
    for bad, field in (({"n": 1.5}, "n"), ({"n": True}, "n"),
                       ({"n": 2, "x": float("nan")}, "x"), ({"n": 2, "mode": "c"},
                                                                  "mode"),
                       ({}, "n"), ({"n": 1, "z": 0}, "z")):
        with pytest.raises(InstanceError) as info:
            check_param_sets("e", spec, [bad])
        assert info.value.field == field
    check_param_sets("e", None, [{"anything": 1}])  # undeclared: not checked here


SAMPLING = ("sampling.random-ratio", "sampling.figure2", "sampling.theorem51-ratio")


@pytest.mark.parametrize("name", SAMPLING)
def test_sampling_experiments_declare_their_own_parameters(name: str) -> None:
    from solver.sampling.experiments import EXPERIMENTS
    from solver.sweep import experiments
    from solver.sweep import params as sweep_params

    own = {e.name: e for e in EXPERIMENTS}[name]
    assert own.params, f"{name} declares no parameters"
    assert experiments()[name].params == own.params  # registered as declared
    # nothing declared by name in the sweep engine any more (the stopgap table is gone)
    assert name not in getattr(sweep_params, "KNOWN", {})


def test_sampling_declarations_accept_the_documented_grids() -> None:
    from solver.sweep import experiments

    exps = experiments()
    for name, sets in (("sampling.random-ratio", [{"algorithm": "independent", "n": 50,
                                                   "m": 10, "style": "star"}]),
                       ("sampling.figure2", [{"case": "a"}, {"demands": {"1": 3}, "n": 9}]),
                       ("sampling.theorem51-ratio", [{"n": 4, "time_limit": 2.5}])):
        check_param_sets(name, exps[name].params, sets)
        for ps in sets:
            if exps[name].check is not None:
                exps[name].check(ps)
