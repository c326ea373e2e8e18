"""SIGKILL a real sweep mid-run, resume it: exactly the records of an uninterrupted run."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from solver.sweep import Store

GRID = '{"ms": [40]}'
SEEDS = 30


def _cmd(store: Path, workers: int) -> list[str]:
    return [sys.executable, "-m", "solver.cli", "sweep", "bench.spin", "--grid", GRID,
            "--seeds", str(SEEDS), "--store", str(store), "--workers", str(workers), "--quiet"]


def _count(store: Path) -> int:
    if not store.exists():
        return 0
    try:
        db = sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=5)
        try:
            return db.execute("SELECT COUNT(*) FROM tasks").fetchone()[0]
        finally:
            db.close()
    except sqlite3.OperationalError:  # table not created yet
        return 0


def _records(store: Path) -> dict[str, tuple]:
    with Store(store, readonly=True) as st:
        rows = list(st.rows())
    out = {r["key"]: (r["status"], json.dumps(r["params"]), r["seed"], json.dumps(r["record"]))
           for r in rows}
    assert len(out) == len(rows)  # no duplicate key
    return out


def test_sigkill_then_resume_equals_uninterrupted(tmp_path):
    store = tmp_path / "killed.sqlite"
    proc = subprocess.Popen(_cmd(store, 2), start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while _count(store) < 5 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)  # the driver dies without any chance to clean up
        proc.wait(timeout=10)
    finally:
        try:  # the pool's worker processes, orphaned by the kill (same session)
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert proc.returncode == -signal.SIGKILL
    partial = _count(store)
    assert 5 <= partial < SEEDS, partial  # killed mid-run

    resumed = subprocess.run(_cmd(store, 2), capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{partial} already stored" in " ".join(resumed.stderr.split())

    clean = tmp_path / "clean.sqlite"
    subprocess.run(_cmd(clean, 1), check=True, capture_output=True, timeout=120)
    a, b = _records(store), _records(clean)
    assert len(a) == SEEDS and a == b
