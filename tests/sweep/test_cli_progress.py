"""`solver sweep` on the command line, and the progress reporters."""

from __future__ import annotations

import io
import json

from typer.testing import CliRunner

from solver.cli import app
from solver.sweep import load
from solver.sweep.progress import LogProgress, NullProgress, RichProgress, make_progress

from . import toy

runner = CliRunner()


def test_sweep_cli_runs_and_resumes(tmp_path):
    st = tmp_path / "s.sqlite"
    args = ["sweep", "bench.spin", "--grid", '{"ms": [1, 2]}', "--seeds", "2", "--store",
            str(st), "--workers", "0"]
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    assert "4 tasks (0 already stored" in r.stderr and "4 ok, 0 errors" in r.stderr
    r = runner.invoke(app, args)
    assert "4 already stored, 0 run" in r.stderr
    assert len(load(st)) == 4


def test_sweep_cli_task_errors_exit_1(tmp_path):
    r = runner.invoke(app, ["sweep", "bench.spin", "--grid", '[{"fail": true}]', "--store",
                            str(tmp_path / "s.sqlite"), "--workers", "0", "--quiet"])
    assert r.exit_code == 1 and "1 errors" in r.stderr


def test_sweep_cli_bad_input_exit_2_nothing_stored(tmp_path):
    st = tmp_path / "s.sqlite"
    r = runner.invoke(app, ["sweep", "nope", "--store", str(st)])
    assert r.exit_code == 2 and "experiment: unknown 'nope'" in r.stderr
    r = runner.invoke(app, ["sweep", "bench.spin", "--grid", '{"ms": []}', "--store", str(st)])
    assert r.exit_code == 2 and r.stderr.strip() == "error: grid.ms: must be a non-empty list"
    d = tmp_path / "inst"
    d.mkdir()
    (d / "x.json").write_text(json.dumps({"problem": toy.TOY_PROBLEM, "valuez": [1]}))
    r = runner.invoke(app, ["sweep", "solve", "--instances", str(d), "--store", str(st)])
    assert r.exit_code == 2 and "x.json: valuez: unknown field" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert not st.exists()


def test_sweep_list():
    r = runner.invoke(app, ["sweep", "--list"])
    assert r.exit_code == 0
    for name in ("claim", "solve", "bench.spin", "sampling.figure2",
                 "sampling.theorem51-ratio"):
        assert name in r.stdout


def _rows(n, status="ok"):
    return [{"status": status}] * n


def test_log_progress_lines():
    buf = io.StringIO()
    p = LogProgress("exp", total=4, skipped=2, stream=buf, every_s=0.0)
    p.update(_rows(1))
    p.update(_rows(3, "error"))
    p.close()
    lines = buf.getvalue().splitlines()
    assert lines[0] == "[sweep exp] 4 tasks to run (2 already in the store)"
    assert lines[-1].startswith("[sweep exp] 4/4 done, 3 errors,") and "ETA 0 s" in lines[-1]
    assert (p.done, p.errors) == (4, 3)


def test_rich_progress_and_choice():
    p = RichProgress("exp", total=3)
    p.update(_rows(2))
    p.close()
    assert p.done == 2
    assert type(make_progress("e", 1, enabled=False)) is NullProgress
    assert isinstance(make_progress("e", 1), LogProgress)  # stderr is not a TTY under pytest
