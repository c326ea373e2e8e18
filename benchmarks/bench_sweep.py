"""Benchmark of the sweep engine: scaling over workers and per-task overhead.

    .venv/bin/python benchmarks/bench_sweep.py [--quick] [--ms 50] [--tasks 40] [--workers 1,2]

Prints, side by side:

* throughput of the CPU-bound ``bench.spin`` experiment (``--ms`` of CPU per task) on 1 and
  2 local worker processes, and on a 2-worker ``distributed.LocalCluster``, as tasks/s and
  as speed-up over 1 worker (target: >= 1.8x from 1 to 2 workers for tasks >= 50 ms);
* the per-task overhead of a sweep (planning, process hop, SQLite commit, progress) against
  a bare Python loop calling the same function, on tiny tasks (target: < 5 ms locally).

Every run writes a real store in a temporary directory.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from solver.sweep import run_sweep
from solver.sweep.builtin import spin_experiment


def _sweep(store: Path, ms: float, n: int, **kw) -> float:
    t0 = time.perf_counter()
    s = run_sweep("bench.spin", {"ms": [ms]}, seeds=n, store=store, progress=False, **kw)
    dt = time.perf_counter() - t0
    assert s.ok == n and s.ran == n, s
    return dt


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer, shorter tasks")
    ap.add_argument("--ms", type=float, default=50.0, help="CPU ms per task (scaling)")
    ap.add_argument("--tasks", type=int, default=40, help="tasks per scaling run")
    ap.add_argument("--workers", default="1,2", help="local worker counts to compare")
    ap.add_argument("--tiny", type=int, default=2000, help="tasks in the overhead runs")
    ap.add_argument("--no-dask", action="store_true", help="skip the LocalCluster run")
    a = ap.parse_args()
    if a.quick:
        a.tasks, a.tiny = 16, 400
    workers = [int(w) for w in a.workers.split(",")]
    print(f"cpu_count = {os.cpu_count()}, load average = {os.getloadavg()[0]:.2f} "
          "(figures are wall-clock; other processes on the machine share the cores)")

    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        # ---- scaling: tasks of a.ms CPU milliseconds
        rows = []
        for w in workers:
            dt = _sweep(tmp / f"w{w}.sqlite", a.ms, a.tasks, workers=w)
            rows.append((f"local x{w}", dt))
        if not a.no_dask:
            try:
                import distributed
            except ImportError:
                print("(dask/distributed not installed: no LocalCluster run)")
            else:
                with distributed.LocalCluster(n_workers=2, threads_per_worker=1,
                                              processes=True, dashboard_address=None
                                              ) as cl, distributed.Client(cl) as c:
                    c.submit(sum, [1]).result()  # workers up
                    dt = _sweep(tmp / "dask.sqlite", a.ms, a.tasks, scheduler=c)
                    rows.append(("dask LocalCluster x2", dt))
        base = rows[0][1]
        print(f"\nScaling: {a.tasks} tasks of {a.ms:g} ms CPU each")
        print(f"{'executor':<22}{'wall s':>9}{'tasks/s':>10}{'speed-up vs x1':>16}")
        for name, dt in rows:
            print(f"{name:<22}{dt:>9.2f}{a.tasks / dt:>10.1f}{base / dt:>15.2f}x")

        # ---- overhead: tiny tasks, sweep vs bare loop
        n = a.tiny
        t0 = time.perf_counter()
        for s in range(n):
            spin_experiment({"ms": 0.0}, s)
        bare = time.perf_counter() - t0
        print(f"\nOverhead: {n} tasks of ~0 ms; bare loop {bare * 1e3 / n:.3f} ms/task")
        print(f"{'executor':<22}{'wall s':>9}{'ms/task':>10}{'overhead ms/task':>18}"
              f"{'x bare':>9}")
        for name, kw in (("inline (workers=0)", {"workers": 0}), ("local x1", {"workers": 1}),
                         ("local x2", {"workers": 2})):
            dt = _sweep(tmp / f"tiny-{name[:6]}-{kw['workers']}.sqlite", 0.0, n, **kw)
            print(f"{name:<22}{dt:>9.2f}{dt * 1e3 / n:>10.3f}{(dt - bare) * 1e3 / n:>18.3f}"
                  f"{dt / bare:>9.1f}")


if __name__ == "__main__":
    main()
