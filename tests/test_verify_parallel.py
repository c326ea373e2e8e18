"""``solver verify --workers N`` / ``--scheduler``: claims in worker processes or on a Dask
cluster, serial order, streamed lines.

The claims run here are a handful of quick ones (a second or two each); the full-mode
speed-up is measured by ``benchmarks/bench_verify.py`` (figure in docs/bench.md).
"""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from solver.claims import CheckContext, Claim, ClaimResult, register_claim, select
from solver.claims.registry import _CLAIMS
from solver.claims.runner import default_workers, run_claims
from solver.cli import app
from solver.errors import InstanceError

#: Quick claims from three packages (one unchecked, one refuted) for the parallel runs.
SUBSET = ["sampling.theorem-5.1", "sampling.footnote-2", "ironing.theorem-4.3",
          "sampling.theorem-5.3-as-printed", "sampling.lemma-4.2"]
SOLVER = str(Path(sys.executable).with_name("solver"))
runner = CliRunner()


def _strip(rows: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "seconds"} for r in rows]


def test_parallel_rows_equal_serial_rows_in_order() -> None:
    claims = select(SUBSET)
    ctx = CheckContext(quick=True)
    seen: list[int] = []
    serial = run_claims(claims, ctx, workers=0)
    parallel = run_claims(claims, ctx, workers=2, on_row=lambda i, r: seen.append(i))
    assert [r["claim"] for r in parallel] == [c.id for c in claims]
    assert _strip(parallel) == _strip(serial)
    assert sorted(seen) == list(range(len(claims)))


def test_default_workers_is_every_core() -> None:
    assert default_workers() == len(os.sched_getaffinity(0))


def _die(ctx: CheckContext) -> ClaimResult:
    os._exit(3)


def _fine(ctx: CheckContext) -> ClaimResult:
    return ClaimResult(True, computed=1.0)


def test_a_dying_worker_costs_only_its_claim() -> None:
    dead = Claim("zz-test.dies", "test", "1", "a worker dies", "theorem", _die, 1e-9)
    fine = Claim("zz-test.fine", "test", "1", "fine", "theorem", _fine, 1e-9)
    try:
        for c in (dead, fine):
            register_claim(c)
        rows = run_claims([dead, fine, fine], CheckContext(quick=True), workers=2)
    finally:
        for c in (dead, fine):
            _CLAIMS.pop(c.id, None)
    assert [r["status"] for r in rows] == ["error", "ok", "ok"]
    assert rows[0]["message"].startswith("WorkerLost")


def test_cli_json_lines_stream_every_claim() -> None:
    out = subprocess.run([SOLVER, "verify", *SUBSET, "--quick", "--workers", "2",
                          "--json-lines"], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    lines = [json.loads(x) for x in out.stdout.splitlines()]
    assert sorted(r["claim"] for r in lines) == sorted(c.id for c in select(SUBSET))
    assert "ETA" not in out.stderr  # no bar off a terminal


def _verify_on_a_terminal(*runner_args: str) -> tuple[subprocess.CompletedProcess, bytes]:
    """``solver verify SUBSET[:2] --quick --json RUNNER_ARGS`` with stderr on a terminal."""
    master, slave = pty.openpty()
    try:
        out = subprocess.run([SOLVER, "verify", *SUBSET[:2], "--quick", *runner_args,
                              "--json"], stdout=subprocess.PIPE, stderr=slave, text=True,
                             check=False, env={**os.environ, "COLUMNS": "100"})
        os.close(slave)
        err = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            err += chunk
    finally:
        os.close(master)
    return out, err


def test_cli_json_is_in_registry_order_and_bar_only_on_a_terminal() -> None:
    out, err = _verify_on_a_terminal("--workers", "2")
    assert out.returncode == 0
    rows = json.loads(out.stdout)  # the bar never reaches stdout
    assert [r["claim"] for r in rows] == [c.id for c in select(SUBSET[:2])]
    assert b"2/2" in err and b"ETA" in err


@pytest.mark.parametrize("args", [["--workers", "-1"], ["--json", "--json-lines"]])
def test_bad_runner_options_exit_2(args: list[str]) -> None:
    res = runner.invoke(app, ["verify", "sampling.footnote-2", *args])
    assert res.exit_code == 2, res.output


def test_in_process_runner_and_list_json() -> None:
    res = runner.invoke(app, ["verify", "sampling.theorem-5.1", "--quick", "--workers", "0",
                              "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)[0]["claim"] == "sampling.theorem-5.1"
    res = runner.invoke(app, ["verify", "--list", "--json"])
    listed = json.loads(res.stdout)
    assert {"claim", "kind", "paper", "section", "statement"} <= set(listed[0])


# ----------------------------------------------------------------------------- Dask


@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("distributed")  # optional extra: solver[dask]
    # threads of this process, on a TCP address a `solver` subprocess can reach too
    cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                       protocol="tcp", dashboard_address=None)
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


def test_scheduler_rows_equal_serial_rows_in_order(dask_client) -> None:
    claims = select(SUBSET)
    ctx = CheckContext(quick=True)
    seen: list[int] = []
    serial = run_claims(claims, ctx, workers=0)
    remote = run_claims(claims, ctx, scheduler=dask_client, on_row=lambda i, r: seen.append(i))
    assert [r["claim"] for r in remote] == [c.id for c in claims]
    assert _strip(remote) == _strip(serial)
    assert sorted(seen) == list(range(len(claims)))


_RAN_IN: list[str] = []


def _where(ctx: CheckContext) -> ClaimResult:
    import threading

    _RAN_IN.append(threading.current_thread().name)
    return ClaimResult(True, computed=1.0)


def test_scheduler_claims_run_on_the_cluster(dask_client) -> None:
    where = Claim("zz-test.where", "test", "1", "records its thread", "theorem", _where, 1e-9)
    register_claim(where)
    try:
        _RAN_IN.clear()
        rows = run_claims([where], CheckContext(quick=True), scheduler=dask_client)
    finally:
        _CLAIMS.pop(where.id, None)
    assert rows[0]["status"] == "ok"
    assert len(_RAN_IN) == 1 and _RAN_IN[0] != "MainThread"  # a Dask worker thread ran it


def test_scheduler_rows_keep_claim_order_when_claims_finish_out_of_order(
        dask_client, monkeypatch) -> None:
    from solver.sweep import executors

    inner = executors.dask_map
    monkeypatch.setattr(executors, "dask_map",
                        lambda *a, **k: iter(reversed(list(inner(*a, **k)))))
    claims = select(SUBSET[:3])
    ctx = CheckContext(quick=True)
    remote = run_claims(claims, ctx, scheduler=dask_client)
    assert _strip(remote) == _strip(run_claims(claims, ctx, workers=0))


def test_cli_verify_with_a_scheduler_address(dask_client) -> None:
    addr = dask_client.scheduler.address
    local = runner.invoke(app, ["verify", *SUBSET[:3], "--quick", "--workers", "0", "--json"])
    remote = runner.invoke(app, ["verify", *SUBSET[:3], "--quick", "--scheduler", addr,
                                 "--json"])
    assert local.exit_code == remote.exit_code == 0, remote.output
    assert _strip(json.loads(remote.stdout)) == _strip(json.loads(local.stdout))
    lines = runner.invoke(app, ["verify", *SUBSET[:3], "--quick", "--scheduler", addr,
                                "--json-lines"])
    assert lines.exit_code == 0, lines.output
    assert (sorted(json.loads(x)["claim"] for x in lines.stdout.splitlines())
            == sorted(c.id for c in select(SUBSET[:3])))


def test_reproduce_and_verify_refuse_scheduler_with_workers() -> None:
    for cmd in (["verify", "sampling.footnote-2"], ["reproduce"]):
        res = runner.invoke(app, [*cmd, "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"])
        assert res.exit_code == 2, res.output
        assert res.stderr.startswith("error: scheduler: give --scheduler or --workers")
    with pytest.raises(InstanceError, match="scheduler"):
        run_claims(select(SUBSET[:1]), workers=1, scheduler="tcp://127.0.0.1:1")


def test_unreachable_scheduler_is_one_line_exit_2(monkeypatch) -> None:
    from solver.sweep import executors

    monkeypatch.setattr(executors, "DASK_CONNECT_TIMEOUT", "0.5s")
    res = runner.invoke(app, ["verify", "sampling.theorem-5.1", "--quick", "--scheduler",
                              "tcp://127.0.0.1:1"])
    assert res.exit_code == 2, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: scheduler: cannot reach the Dask "
                                                   "scheduler at tcp://127.0.0.1:1"), lines
    assert res.stdout == ""


def test_progress_bar_with_a_scheduler(dask_client) -> None:
    out, err = _verify_on_a_terminal("--scheduler", dask_client.scheduler.address)
    assert out.returncode == 0, err[-2000:]
    assert [r["claim"] for r in json.loads(out.stdout)] == [c.id for c in select(SUBSET[:2])]
    assert b"2/2" in err and b"ETA" in err
