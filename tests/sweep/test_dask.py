"""The Dask executor against a real LocalCluster (2 worker processes)."""

from __future__ import annotations

import json

import pytest

from solver.sweep import Store, run_sweep

distributed = pytest.importorskip("distributed")  # optional extra: solver[dask]


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


def _records(path):
    with Store(path, readonly=True) as st:
        return {r["key"]: (r["status"], json.dumps(r["record"])) for r in st.rows()}


def test_dask_same_records_as_local(tmp_path, client):
    grid = {"ms": [2], "fail": [False, True]}
    s = run_sweep("bench.spin", grid, seeds=5, store=tmp_path / "d.sqlite", scheduler=client,
                  progress=False)
    assert (s.executor, s.workers, s.ok, s.errors) == ("dask", 2, 5, 5)
    run_sweep("bench.spin", grid, seeds=5, store=tmp_path / "l.sqlite", workers=0,
              progress=False)
    assert _records(tmp_path / "d.sqlite") == _records(tmp_path / "l.sqlite")
    with Store(tmp_path / "d.sqlite", readonly=True) as st:
        assert {r["host"] for r in st.rows()}  # host recorded


def test_dask_lost_worker_retried_and_resume_by_address(tmp_path, client):
    marker = tmp_path / "marker"
    store = tmp_path / "c.sqlite"
    # by address: the executor opens (and closes) its own Client
    s = run_sweep("bench.crash-once", [{"marker": str(marker)}], seeds=2, store=store,
                  scheduler=client.scheduler.address, progress=False)
    assert marker.exists()  # a worker process really died
    assert (s.ok, s.errors) == (2, 0)
    s = run_sweep("bench.crash-once", [{"marker": str(marker)}], seeds=2, store=store,
                  scheduler=client, progress=False)
    assert (s.ran, s.skipped) == (0, 2)


def test_missing_dask_is_a_clear_error(monkeypatch):
    import sys

    from solver.sweep import SweepError
    from solver.sweep.executors import make_executor

    monkeypatch.setitem(sys.modules, "distributed", None)  # import now raises ImportError
    with pytest.raises(SweepError, match=r"pip install 'solver\[dask\]'"):
        make_executor(scheduler="tcp://127.0.0.1:1")


def test_dask_map_yields_every_item_once_with_its_exception(client):
    import operator

    from solver.sweep.executors import DASK_WINDOW_PER_THREAD, dask_map

    items = [(i, i % 3) for i in range(5 * DASK_WINDOW_PER_THREAD * 2)]  # > the window
    got = {}
    for i, result, exc in dask_map(client, operator.floordiv, items, name="t"):
        assert i not in got
        got[i] = (result, exc)
    assert sorted(got) == list(range(len(items)))
    for i, (a, b) in enumerate(items):
        result, exc = got[i]
        if b == 0:
            assert result is None and isinstance(exc, ZeroDivisionError)
        else:
            assert (result, exc) == (a // b, None)


def test_scheduler_of_a_wrong_type_is_refused():
    from solver.sweep import SweepError
    from solver.sweep.executors import make_executor

    with pytest.raises(SweepError, match="tcp://HOST:PORT or a distributed.Client"):
        make_executor(scheduler=8786)


def test_cli_sweep_unreachable_scheduler_is_exit_2(monkeypatch, tmp_path):
    """As verify/bench: one line naming the scheduler, exit 2, nothing run."""
    from typer.testing import CliRunner

    from solver.cli import app
    from solver.sweep import executors

    monkeypatch.setattr(executors, "DASK_CONNECT_TIMEOUT", "0.5s")
    store = tmp_path / "s.sqlite"
    r = CliRunner().invoke(app, ["sweep", "sampling.theorem51-ratio", "--grid",
                                 '{"n": [2]}', "--store", str(store), "--scheduler",
                                 "tcp://127.0.0.1:1"])
    assert r.exit_code == 2, r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: scheduler: cannot reach"), lines
