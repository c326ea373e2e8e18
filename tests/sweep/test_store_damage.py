"""A store file that is not a solver store, or is damaged, is one line and exit 2 (issue #11).

``solver sweep`` and ``solver report`` never show SQLite's traceback, and never reuse an
empty or foreign file as a new store: a store is created only where no file exists, and the
file found there is left untouched.
"""

from __future__ import annotations

import json
import sqlite3

import pytest
from typer.testing import CliRunner

from solver.cli import app
from solver.errors import InstanceError
from solver.sweep import Store, StoreError, load, run_sweep

from . import toy

runner = CliRunner()
SPIN = ["sweep", "bench.spin", "--grid", '{"ms": [0]}', "--workers", "0", "--quiet"]


@pytest.fixture(scope="module")
def good_store(tmp_path_factory):
    """A real store of 400 tasks (a few hundred KB: several b-tree pages to damage)."""
    path = tmp_path_factory.mktemp("store") / "good.sqlite"
    run_sweep("bench.spin", {"ms": [0]}, seeds=400, store=path, workers=0, progress=False)
    with sqlite3.connect(path) as db:  # fold the WAL in, so the main file is the whole store
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def _store_error(r, kind: str) -> str:
    assert r.exit_code == 2, (r.exit_code, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr and r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith(f"error: store: {kind}: "), lines[0]
    return lines[0]


def _both_commands(path, kind: str) -> None:
    before = path.read_bytes()
    _store_error(runner.invoke(app, [*SPIN, "--store", str(path)]), kind)
    _store_error(runner.invoke(app, ["report", str(path), "--out", str(path.parent / "r")]),
                 kind)
    assert path.read_bytes() == before  # left as it was found
    assert not (path.parent / "r").exists()


def test_empty_file_is_not_reused_as_a_new_store(tmp_path):
    path = tmp_path / "s.sqlite"
    path.write_bytes(b"")
    _both_commands(path, "not a solver store")
    assert "empty file" in _store_error(runner.invoke(app, [*SPIN, "--store", str(path)]),
                                        "not a solver store")


def test_foreign_files_are_refused(tmp_path):
    text = tmp_path / "notes.sqlite"
    text.write_text("my notes, not a database\n")
    _both_commands(text, "not a solver store")
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE things (a)")
    _both_commands(other, "not a solver store")
    with sqlite3.connect(other) as db:
        assert [r[0] for r in db.execute("SELECT name FROM sqlite_master")] == ["things"]
    wrong = tmp_path / "wrong.sqlite"
    with sqlite3.connect(wrong) as db:
        db.execute("CREATE TABLE tasks (key TEXT, value REAL)")
    assert "columns key, value" in _store_error(
        runner.invoke(app, [*SPIN, "--store", str(wrong)]), "not a solver store")


@pytest.mark.parametrize("cut", [0.5, 0.9])
def test_truncated_store_is_damaged(tmp_path, good_store, cut):
    data = good_store.read_bytes()
    path = tmp_path / "cut.sqlite"
    path.write_bytes(data[: int(len(data) * cut)])
    _both_commands(path, "damaged")
    short = tmp_path / "short.sqlite"
    short.write_bytes(data[:50])  # not even a whole header
    _both_commands(short, "damaged")


def test_overwritten_pages_are_damaged(tmp_path, good_store):
    data = bytearray(good_store.read_bytes())
    data[8192:12288] = b"\xff" * 4096
    path = tmp_path / "bad.sqlite"
    path.write_bytes(bytes(data))
    _both_commands(path, "damaged")
    with pytest.raises(StoreError) as e:
        load(path)
    assert isinstance(e.value, InstanceError) and e.value.field == "store"


def test_good_store_still_opens_and_resumes(tmp_path, good_store):
    path = tmp_path / "copy.sqlite"
    path.write_bytes(good_store.read_bytes())
    assert len(load(path)) == 400
    r = runner.invoke(app, [*SPIN, "--seeds", "401", "--store", str(path)])
    assert r.exit_code == 0 and "400 already stored, 1 run" in r.stderr, r.stderr
    r = runner.invoke(app, ["report", str(path), "--out", str(tmp_path / "r")])
    assert r.exit_code == 0 and (tmp_path / "r" / "report.md").exists()
    with Store(path, readonly=True) as st:
        assert st.count()["ok"] == 401


def test_new_store_only_where_no_file_exists(tmp_path):
    path = tmp_path / "sub" / "new.sqlite"
    run_sweep("bench.spin", {"ms": [0]}, store=path, workers=0, progress=False)
    assert len(load(path)) == 1
    d = tmp_path / "adir.sqlite"
    d.mkdir()
    with pytest.raises(StoreError, match="not a regular file"):
        Store(d)


def test_solve_sweep_parameters_are_checked_before_anything_runs(tmp_path):
    d = tmp_path / "inst"
    d.mkdir()
    (d / "a.json").write_text(json.dumps({"problem": toy.TOY_PROBLEM, "values": [1, 2]}))
    st = tmp_path / "s.sqlite"
    for grid, field in (('{"time_limit": [-1]}', "time_limit"),
                        ('{"time_limit": ["x"]}', "time_limit"),
                        ('{"max_memory": ["lots"]}', "max_memory"),
                        ('{"backend": [3]}', "backend")):
        r = runner.invoke(app, ["sweep", "solve", "--instances", str(d), "--grid", grid,
                                "--store", str(st), "--workers", "0", "--quiet"])
        assert r.exit_code == 2 and r.stderr.startswith(f"error: {field}: "), r.stderr
        assert not st.exists()
    r = runner.invoke(app, ["sweep", "solve", "--grid", '{"time_limit": [5]}', "--store",
                            str(st), "--workers", "0", "--quiet"])
    assert r.exit_code == 2 and r.stderr.startswith("error: instance: is required")
    r = runner.invoke(app, ["sweep", "solve", "--instances", str(d), "--grid",
                            '{"time_limit": [5], "max_memory": ["1G"]}', "--store", str(st),
                            "--workers", "0", "--quiet"])
    assert r.exit_code == 0, r.stderr
    df = load(st)
    assert df.objective.tolist() == [3.0] and df.max_memory.tolist() == ["1G"]
