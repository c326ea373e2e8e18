"""Overhead of ``solver.bench.run`` per task against a fair bare loop (target < 5 %).

A task is one instance of ``sampling.theorem-5.1`` (instance B of [GAH12, Theorem 5.1]) at
``--n`` (22: about 100 ms, nearly all of it the certified Π^OPT solve).  The **bare loop**
does, per task, everything the harness must do and nothing else: build the instance, solve
OPT with the package's certified ``solve`` (status, objective and bound read off the
result), run the algorithm (the ordering distribution ψ*, with a seeded generator), have
the problem's evaluator compute Π and check the answer (probability vector, unbiasedness
[GAH12, Lemma 4.2]), require a proven OPT that the answer does not beat, take the ratio.
The **harness** is ``solver.bench.run`` on the same tasks (family and algorithm looked up
by name, rows, keys, the DataFrame), without and with an SQLite store.

Each repeat runs the three one after the other (interleaved, so a load change on a shared
machine hits all three); per-task wall and CPU milliseconds are the medians over
``--repeats``, and the overhead is the median of the per-repeat ratios, with its range so
the noise is visible.  On a loaded machine the solve's own jitter (tens of per cent) hides
a few per cent of overhead, so the time each loop spends *outside* the certified solve is
also clocked (``solver.sampling.solve`` wrapped, for both loops alike): the difference of
those, over the bare loop's time per task, is the harness overhead with the solve's noise
taken out.  ``--profile`` prints where the harness's extra time goes (cProfile,
cumulative).  Run::

    .venv/bin/python benchmarks/bench_bench.py [--tasks 10] [--n 22] [--repeats 5]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import solver.bench as B
import solver.sampling as S

#: The issue's target: harness time per task at most this much above the bare loop.
TARGET_OVERHEAD = 0.05
#: Relative slack of the "does not beat the certified OPT" check (the harness's own).
OPT_SLACK = 1e-7
FAMILY = "sampling.theorem-5.1"


def bare(n: int, tasks: int) -> None:
    """``tasks`` plain instance + certified solve + algorithm + evaluator checks + ratio."""
    ev = B.get_evaluator("sampling")
    for seed in range(tasks):
        sellers, demands, payment = S.theorem_5_1_instance(n)
        inst = S.SamplingInstance(sellers=sellers, demands=np.asarray(demands),
                                  payment=np.asarray(payment, dtype=float))
        res = S.solve(inst)
        opt, proven = float(res.objective), res.status == "optimal"
        p = S.ordering_distribution(inst.sellers, inst.demands)
        _ = np.random.default_rng(seed)  # the harness hands every algorithm a generator
        e = ev.evaluate(inst, p)
        if e.violations or not proven or e.value < opt - OPT_SLACK * max(1.0, abs(opt)):
            raise AssertionError(f"task {seed}: {e.violations or res.status}")
        _ = e.value / opt


def harness(n: int, tasks: int, store: Path | None = None) -> None:
    """The same tasks through :func:`solver.bench.run` (``store``: into an SQLite file)."""
    df = B.run("sampling", ["ordering"], FAMILY, {"n": n}, seeds=tasks, store=store)
    if set(df["status"]) != {"ok"}:
        raise AssertionError(f"harness rows: {df['status'].tolist()}")


class SolveClock:
    """Wraps ``solver.sampling.solve`` (which both loops call) to add up its wall and CPU."""

    def __init__(self) -> None:
        self.inner = S.solve
        self.wall = self.cpu = 0.0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        w0, c0 = time.perf_counter(), time.process_time()
        try:
            return self.inner(*args, **kwargs)
        finally:
            self.wall += time.perf_counter() - w0
            self.cpu += time.process_time() - c0


def _clock(fn: Callable[[], None], solve: SolveClock) -> tuple[float, float, float, float]:
    """(wall, CPU, wall outside the solve, CPU outside the solve) seconds of one call."""
    solve.wall = solve.cpu = 0.0
    w0, c0 = time.perf_counter(), time.process_time()
    fn()
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    return wall, cpu, wall - solve.wall, cpu - solve.cpu


def _profile(n: int, tasks: int) -> None:
    """cProfile the harness and the bare loop; print the top of each (cumulative)."""
    for name, fn in (("bare loop", lambda: bare(n, tasks)),
                     ("solver.bench.run", lambda: harness(n, tasks))):
        pr = cProfile.Profile()
        pr.enable()
        fn()
        pr.disable()
        print(f"----- {name} (cProfile, cumulative, solver/ and benchmarks/ frames)")
        pstats.Stats(pr).sort_stats("cumulative").print_stats(r"solver/|bench_bench", 25)


def main() -> None:
    """Print per-task wall and CPU milliseconds of each, and the overhead with its range."""
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tasks", type=int, default=10)
    ap.add_argument("--n", type=int, default=22)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--profile", action="store_true", help="cProfile both loops first")
    args = ap.parse_args()
    n, k = args.n, args.tasks
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "bench.sqlite"
        harness(n, 1, store)  # warm imports, the registries and the backend
        bare(n, 1)
        if args.profile:
            _profile(n, k)
        runs: dict[str, list[tuple[float, ...]]] = {"bare": [], "run": [], "run+store": []}
        solve = SolveClock()
        S.solve = solve  # type: ignore[assignment]  # both loops call it through the module
        try:
            for _ in range(args.repeats):
                runs["bare"].append(_clock(lambda: bare(n, k), solve))
                runs["run"].append(_clock(lambda: harness(n, k), solve))
                store.unlink(missing_ok=True)
                runs["run+store"].append(_clock(lambda: harness(n, k, store), solve))
        finally:
            S.solve = solve.inner  # type: ignore[assignment]
    print(f"{k} tasks of {FAMILY} n={n}, {args.repeats} interleaved repeats, load average "
          f"{os.getloadavg()[0]:.2f}; ms per task, median (min-max):")

    def ms(xs: list[tuple[float, ...]], i: int) -> list[float]:
        return [x[i] / k * 1e3 for x in xs]

    def show(xs: list[float]) -> str:
        return f"{statistics.median(xs):7.2f} ({min(xs):.2f}-{max(xs):.2f})"

    for name, xs in runs.items():
        print(f"  {name:10s} wall {show(ms(xs, 0))}  CPU {show(ms(xs, 1))}  outside the "
              f"solve: wall {show(ms(xs, 2))}  CPU {show(ms(xs, 3))}")
    for name in ("run", "run+store"):
        for i, clock in ((0, "wall"), (1, "CPU")):
            r = [h[i] / b[i] - 1 for h, b in zip(runs[name], runs["bare"], strict=True)]
            # the extra time outside the solve, over the bare loop's whole time per task
            x = [(h[i + 2] - b[i + 2]) / b[i]
                 for h, b in zip(runs[name], runs["bare"], strict=True)]
            med = statistics.median(x)
            print(f"  overhead {name:10s} {clock:4s} raw {100 * statistics.median(r):+6.1f} % "
                  f"(repeats {100 * min(r):+.1f} .. {100 * max(r):+.1f}); outside the solve "
                  f"{100 * med:+5.2f} % (repeats {100 * min(x):+.2f} .. {100 * max(x):+.2f})"
                  f"{'' if med < TARGET_OVERHEAD else '   ABOVE the 5 % target'}")


if __name__ == "__main__":
    main()
