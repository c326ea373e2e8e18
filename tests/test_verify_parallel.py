"""``solver verify --workers N``: claims in worker processes, serial order, streamed lines.

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


def test_cli_json_is_in_registry_order_and_bar_only_on_a_terminal() -> None:
    master, slave = pty.openpty()
    try:
        out = subprocess.run([SOLVER, "verify", *SUBSET[:2], "--quick", "--workers", "2",
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
