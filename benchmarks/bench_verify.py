"""Full ``solver verify``: serial (``--workers 0``) against ``--workers N``, side by side.

Both runs are ``solver verify --json`` subprocesses of this one script, one after the other;
for each it reports the wall seconds, the CPU seconds of the run's processes (user + system,
children included), the sum of the claims' own ``seconds`` and the load average before
and after (the machine may be shared).  Target (issue #14): ``--workers 2`` within 60 % of
the serial wall time.  With ``--scheduler tcp://HOST:PORT`` a third run goes to that Dask
cluster (``solver verify --scheduler``; its workers' CPU is not in this machine's
figures unless they run here).  The statuses of every run are compared claim by claim.
Run::

    .venv/bin/python benchmarks/bench_verify.py [--workers 2] [--quick] [--scheduler ADDR]
        [--out FILE.json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

#: The issue's target: parallel wall time at most this fraction of the serial one.
TARGET_FRACTION = 0.60


def _solver() -> list[str]:
    exe = Path(sys.executable).with_name("solver")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "solver.cli"]


def run_verify(workers: int, quick: bool, scheduler: str | None = None) -> dict[str, Any]:
    """One ``solver verify --json --workers N`` (or ``--scheduler ADDR``) run: wall, CPU,
    claim seconds, statuses."""
    runner = ["--scheduler", scheduler] if scheduler else ["--workers", str(workers)]
    cmd = [*_solver(), "verify", "--json", *runner]
    if quick:
        cmd.append("--quick")
    load0 = os.getloadavg()
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    rows = json.loads(proc.stdout) if proc.stdout.strip() else []
    statuses: dict[str, int] = {}
    for r in rows:
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1
    slowest = sorted(rows, key=lambda r: -(r.get("seconds") or 0.0))[:5]
    return {
        "workers": None if scheduler else workers, "scheduler": scheduler,
        "rc": proc.returncode, "by_claim": {r["claim"]: r["status"] for r in rows},
        "wall_s": round(wall, 1),
        "cpu_s": round((ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime), 1),
        "claim_seconds_sum": round(sum(r.get("seconds") or 0.0 for r in rows), 1),
        "claims": len(rows), "statuses": statuses,
        "slowest": [(r["claim"], r.get("seconds")) for r in slowest],
        "load_before": [round(x, 2) for x in load0],
        "load_after": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    """Run both and print a JSON summary (also written to ``--out``)."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--quick", action="store_true", help="quick mode (a smoke test)")
    ap.add_argument("--scheduler", default=None, help="also run on this Dask scheduler")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    serial = run_verify(0, args.quick)
    parallel = run_verify(args.workers, args.quick)
    out: dict[str, Any] = {"cores": os.cpu_count(), "quick": args.quick, "serial": serial,
                           "parallel": parallel,
                           "fraction": round(parallel["wall_s"] / serial["wall_s"], 3),
                           "target": TARGET_FRACTION}
    out["meets_target"] = out["fraction"] <= TARGET_FRACTION
    runs = [serial, parallel]
    if args.scheduler:
        out["dask"] = run_verify(0, args.quick, args.scheduler)
        out["dask_fraction"] = round(out["dask"]["wall_s"] / serial["wall_s"], 3)
        runs.append(out["dask"])
    out["statuses_identical"] = all(r["by_claim"] == serial["by_claim"] for r in runs)
    for r in runs:
        del r["by_claim"]
    text = json.dumps(out, indent=2)
    print(text)
    if args.out is not None:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
