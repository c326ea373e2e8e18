"""The bench engine (issue #14): Dask scheduler, one store connection per run, resolved once.

``solver bench --scheduler`` must give the rows of a local run, in the same order (seconds
aside); bad scheduler input is exit 2 before anything runs or is stored; and the per-task
overhead fixes (one look-up of the evaluator, family and algorithms per run, one SQLite
connection per run) are checked structurally here — their timing is
``benchmarks/bench_bench.py``'s.
"""

from __future__ import annotations

import socket
import sqlite3
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

import solver.bench as B
from solver.bench import interface
from solver.bench import runner as R
from solver.cli import app
from solver.errors import InstanceError

distributed = pytest.importorskip("distributed")  # optional extra: solver[dask]

cli = CliRunner()
#: Row fields that differ between two runs of the same tasks (wall-clock measurements).
TIMINGS = ("alg_seconds", "opt_seconds")
#: A connect timeout short enough for the unreachable-scheduler tests.
SHORT_CONNECT = "0.5s"


@pytest.fixture(scope="module")
def client():
    """One worker *process*, one thread: tasks and rows really cross a process boundary."""
    cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


def _records(df):
    return df.drop(columns=list(TIMINGS)).to_dict("records")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _stored(path: Path) -> list[tuple]:
    cols = [c for c in R.COLUMNS if c not in TIMINGS]
    with sqlite3.connect(path) as con:
        return con.execute(f"SELECT {', '.join(cols)} FROM bench ORDER BY key").fetchall()


# ----------------------------------------------------------------------------- Dask


def test_scheduler_rows_equal_the_local_run_in_order(client, tmp_path):
    args = ("pricing", ["local-search", "single-price"], "pricing.random",
            {"B": [3, 4], "N": [4]}, 2)
    local = B.run(*args, store=tmp_path / "l.sqlite")
    remote = B.run(*args, store=tmp_path / "d.sqlite", scheduler=client)
    assert len(remote) == 8 and set(remote["status"]) == {"ok"}
    assert _records(remote) == _records(local)  # same content, same order
    assert _stored(tmp_path / "d.sqlite") == _stored(tmp_path / "l.sqlite")


def _reversed_dask_map(monkeypatch):
    """Make every Dask task "finish" in reverse order (one worker thread keeps them in order)."""
    from solver.sweep import executors

    inner = executors.dask_map

    def backwards(*args, **kwargs):
        yield from reversed(list(inner(*args, **kwargs)))

    monkeypatch.setattr(executors, "dask_map", backwards)


def test_rows_keep_task_order_when_tasks_finish_out_of_order(client, monkeypatch):
    args = ("sampling", ["ordering"], "sampling.theorem-5.1", {"n": [2, 3, 4]}, 2)
    local = B.run(*args)
    _reversed_dask_map(monkeypatch)
    assert _records(B.run(*args, scheduler=client)) == _records(local)


def test_cli_bench_with_a_scheduler_address_equals_the_local_run(client, tmp_path):
    base = ["bench", "sampling", "--algorithm", "ordering", "--algorithm", "independent",
            "--family", "sampling.theorem-5.1", "--grid", '{"n": [3, 4]}', "--json"]
    local = cli.invoke(app, base)
    remote = cli.invoke(app, [*base, "--scheduler", client.scheduler.address])
    assert local.exit_code == 0 and remote.exit_code == 0, remote.output
    import json

    def strip(text):
        return [{k: v for k, v in json.loads(line).items() if k not in TIMINGS}
                for line in text.splitlines()]

    assert strip(remote.stdout) == strip(local.stdout) and len(strip(local.stdout)) == 4


def test_a_task_failing_on_the_cluster_gives_error_rows(client, tmp_path):
    # the module is importable here but not on the worker (started before the path was
    # added): the task raises there and its rows say why, the other tasks are unaffected
    d = tmp_path / "late"
    d.mkdir()
    (d / "late_algs.py").write_text(textwrap.dedent('''
        import solver.sampling as S

        def ordering(instance, rng):
            return S.ordering_distribution(instance.sellers, instance.demands)
    '''))
    sys.path.insert(0, str(d))
    try:
        df = B.run("sampling", ["late_algs:ordering"], "sampling.theorem-5.1",
                   {"n": [3, 4]}, 1, scheduler=client)
    finally:
        sys.path.remove(str(d))
        sys.modules.pop("late_algs", None)
    assert df["status"].tolist() == ["error", "error"]
    assert df["params"].tolist() == [{"n": 3}, {"n": 4}]
    assert all("cannot import 'late_algs'" in e for e in df["error"])


def test_scheduler_with_workers_is_refused(client, tmp_path):
    with pytest.raises(InstanceError) as info:
        B.run("sampling", ["ordering"], "sampling.theorem-5.1", None, 1, workers=2,
              scheduler=client)
    assert info.value.field == "scheduler"
    r = cli.invoke(app, ["bench", "sampling", "--algorithm", "ordering", "--family",
                         "sampling.theorem-5.1", "--workers", "1", "--scheduler",
                         client.scheduler.address, "--store", str(tmp_path / "s.sqlite")])
    assert r.exit_code == 2 and r.stderr.startswith("error: scheduler:"), r.output
    assert not (tmp_path / "s.sqlite").exists()


@pytest.mark.parametrize("address", ["tcp://127.0.0.1:{port}", "no-port-here"])
def test_unreachable_scheduler_is_one_line_exit_2_and_stores_nothing(monkeypatch, tmp_path,
                                                                     address):
    from solver.sweep import executors

    monkeypatch.setattr(executors, "DASK_CONNECT_TIMEOUT", SHORT_CONNECT)
    store = tmp_path / "s.sqlite"
    r = cli.invoke(app, ["bench", "sampling", "--algorithm", "ordering", "--family",
                         "sampling.theorem-5.1", "--store", str(store), "--scheduler",
                         address.format(port=_free_port())])
    assert r.exit_code == 2, r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: scheduler: cannot reach"), lines
    assert not store.exists()


def test_missing_distributed_is_exit_2_with_the_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # importing it now fails
    r = cli.invoke(app, ["bench", "sampling", "--algorithm", "ordering", "--family",
                         "sampling.theorem-5.1", "--scheduler", "tcp://127.0.0.1:1"])
    assert r.exit_code == 2
    assert "error: scheduler:" in r.stderr and "pip install 'solver[dask]'" in r.stderr


# ----------------------------------------------------------------------------- overhead


def test_lookups_and_store_connection_happen_once_per_run(monkeypatch, tmp_path):
    calls = {"evaluator": 0, "family": 0, "algorithm": 0, "connect": 0}

    def counting(name, fn):
        def wrapped(*a, **k):
            calls[name] += 1
            return fn(*a, **k)
        return wrapped

    monkeypatch.setattr(R, "get_evaluator", counting("evaluator", interface.get_evaluator))
    monkeypatch.setattr(R, "get_family", counting("family", interface.get_family))
    monkeypatch.setattr(R, "load_algorithm", counting("algorithm", interface.load_algorithm))
    monkeypatch.setattr(R.sqlite3, "connect", counting("connect", sqlite3.connect))
    df = B.run("sampling", ["ordering", "independent"], "sampling.theorem-5.1",
               {"n": [3, 4]}, 3, store=tmp_path / "s.sqlite")
    assert len(df) == 12 and set(df["status"]) == {"ok"}
    assert calls == {"evaluator": 1, "family": 1, "algorithm": 2, "connect": 1}
    assert len(B.load(tmp_path / "s.sqlite")) == 12


def test_every_task_is_committed_as_it_finishes(tmp_path):
    store = tmp_path / "s.sqlite"
    seen: list[int] = []

    def peek(instance, rng):  # runs in this process: count the rows committed so far
        if store.exists():
            with sqlite3.connect(store) as con:
                seen.append(con.execute("SELECT COUNT(*) FROM bench").fetchone()[0])
        import solver.sampling as S

        return S.ordering_distribution(instance.sellers, instance.demands)

    B.run("sampling", [peek], "sampling.theorem-5.1", {"n": [3]}, 3, store=store)
    assert seen == [0, 1, 2]


def test_a_store_that_is_not_sqlite_is_refused_before_any_task(tmp_path):
    bad = tmp_path / "not.sqlite"
    bad.write_text("this is not a database, " * 100)
    ran: list[int] = []

    def alg(instance, rng):
        ran.append(1)
        return None

    with pytest.raises(InstanceError) as info:
        B.run("sampling", [alg], "sampling.theorem-5.1", None, 1, store=bad)
    assert info.value.field == "store" and ran == []


# ----------------------------------------------------------------------------- judge


def test_beating_opt_is_infeasible_only_where_opt_bounds_every_answer():
    import dataclasses

    import solver.sampling as S

    ev = B.get_evaluator("sampling")
    inst = B.get_family("sampling.theorem-5.1").make({"n": 3}, 0)
    alg = B.Algorithm("psi", "sampling",
                      lambda i, rng: S.ordering_distribution(i.sellers, i.demands))
    high = B.Opt("optimal", 100.0, 100.0)  # far above Π(ψ*): ψ* "beats" it
    assert R.judge(ev, inst, alg, 0, high, 0.0)["status"] == "infeasible"
    loose = dataclasses.replace(ev, opt_bounds_answers=False)
    row = R.judge(loose, inst, alg, 0, high, 0.0)
    assert row["status"] == "ok" and row["ratio"] < 1 and not row["violations"]
    unproven = B.Opt("time_limit", 100.0, 50.0)
    row = R.judge(ev, inst, alg, 0, unproven, 0.0)
    assert row["status"] == "unproven" and row["ratio_lo"] == 1.0  # ALG >= OPT: lo >= 1
    row = R.judge(loose, inst, alg, 0, unproven, 0.0)
    assert row["status"] == "unproven" and row["ratio_lo"] == pytest.approx(row["alg"] / 100)
    _, lo, hi = B.ratio_interval("ALG/OPT", 10.0, unproven, bounds_answers=False)
    assert (lo, hi) == (0.1, 0.2)
    assert B.ratio_interval("ALG/OPT", 10.0, unproven)[1] == 1.0
