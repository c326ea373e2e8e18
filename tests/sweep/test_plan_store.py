"""Task planning (grids, keys, seeds) and the SQLite store."""

from __future__ import annotations

import sqlite3

import pytest

from solver.errors import InstanceError
from solver.sweep import Store, expand_grid, load, plan, task_key
from solver.sweep.plan import read_grid


def test_grid_product_and_list():
    assert expand_grid({"a": [1, 2], "b": ["x", "y", "z"]}) == [
        {"a": a, "b": b} for a in (1, 2) for b in "xyz"]
    assert expand_grid({"a": 3}) == [{"a": 3}]
    assert expand_grid([{"a": 1}, {"b": 2}]) == [{"a": 1}, {"b": 2}]
    assert expand_grid(None) == [{}]


@pytest.mark.parametrize("grid,field", [({"a": []}, "grid.a"), ([1], "grid[0]"),
                                        ("text", "grid")])
def test_bad_grid_names_field(grid, field):
    with pytest.raises(InstanceError) as e:
        expand_grid(grid)
    assert e.value.field == field


def test_read_grid_file_and_inline(tmp_path):
    p = tmp_path / "g.yaml"
    p.write_text("n: [2, 4]\nquick: true\n")
    assert expand_grid(read_grid(p)) == [{"n": 2, "quick": True}, {"n": 4, "quick": True}]
    assert read_grid('{"n": [1]}') == {"n": [1]}
    with pytest.raises(InstanceError):
        read_grid(tmp_path / "missing.json")


def test_keys_stable_and_distinct():
    k = task_key("e", {"b": 1, "a": [1, 2]}, 3)
    assert k == task_key("e", {"a": [1, 2], "b": 1}, 3)  # key order does not matter
    assert len({k, task_key("e", {"b": 1, "a": [1, 2]}, 4), task_key("f", {"b": 1,
                "a": [1, 2]}, 3), task_key("e", {"b": 2, "a": [1, 2]}, 3)}) == 4
    tasks = plan("e", [{"x": 1}, {"x": 1}, {"x": 2}], seeds=3)
    assert len(tasks) == 6  # duplicate parameter sets collapse
    assert [t.seed for t in tasks] == [0, 1, 2, 0, 1, 2]
    with pytest.raises(InstanceError):
        plan("e", [{}], seeds=0)


def _row(key, status="ok", record='{"v": 1}'):
    return {"key": key, "experiment": "e", "params": '{"ms": 1}', "seed": 0, "version": "0",
            "status": status, "error": None if status == "ok" else "boom", "record": record,
            "started": 0.0, "seconds": 0.1, "host": "h"}


def test_store_wal_ignore_replace(tmp_path):
    path = tmp_path / "s.sqlite"
    with Store(path) as st:
        assert st.add([_row("a"), _row("b", "error", None)]) == 2
        assert st.add([_row("a", record='{"v": 2}')]) == 0  # kept: no duplicate
        assert st.done_keys() == {"a", "b"}
        assert st.count() == {"ok": 1, "error": 1}
        assert st.delete_errors(["a", "b"]) == 1
        st.add([_row("a", record='{"v": 3}')], replace=True)
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("SELECT COUNT(*), MAX(record) FROM tasks").fetchone() == (1, '{"v": 3}')
    df = load(path)
    assert df.loc[0, "v"] == 3 and df.loc[0, "ms"] == 1 and df.loc[0, "task_status"] == "ok"
    with pytest.raises(FileNotFoundError):
        Store(tmp_path / "none.sqlite", readonly=True)
