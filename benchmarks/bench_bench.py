"""Overhead of ``solver.bench.run`` per task against a bare loop (target < 5 % at ~100 ms).

The bare loop builds the same instances, calls the package's certified ``solve`` and the
algorithm, and evaluates Π(p) directly; the harness adds the family look-up, the
feasibility checks, the ratio bookkeeping and the DataFrame.  Run::

    .venv/bin/python benchmarks/bench_bench.py [--tasks 10] [--n 20]

(The parallel ``solver verify`` speed-up of issue #14 is measured by
``benchmarks/bench_verify.py``: serial against ``--workers 2``, side by side in one run.)
"""

from __future__ import annotations

import argparse
import time

import solver.bench as B
import solver.sampling as S


def bare(n: int, tasks: int) -> float:
    """Seconds for ``tasks`` plain solve + ordering evaluations."""
    t0 = time.perf_counter()
    for _ in range(tasks):
        a, d, pi = S.theorem_5_1_instance(n)
        inst = S.SamplingInstance(sellers=a, demands=d, payment=pi)
        opt = S.solve(inst).objective
        _ = S.expected_payment(S.ordering_distribution(a, d), pi) / opt
    return time.perf_counter() - t0


def harness(n: int, tasks: int) -> float:
    """Seconds for the same tasks through :func:`solver.bench.run`."""
    t0 = time.perf_counter()
    B.run("sampling", ["ordering"], "sampling.theorem-5.1", {"n": n}, seeds=tasks)
    return time.perf_counter() - t0


def main() -> None:
    """Print per-task seconds of both and the harness overhead."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--tasks", type=int, default=10)
    ap.add_argument("--n", type=int, default=20)
    args = ap.parse_args()
    harness(args.n, 1)  # warm imports and the backend
    b = min(bare(args.n, args.tasks) for _ in range(2))
    h = min(harness(args.n, args.tasks) for _ in range(2))
    print(f"bare loop: {b / args.tasks * 1e3:.1f} ms/task")
    print(f"solver.bench.run: {h / args.tasks * 1e3:.1f} ms/task")
    print(f"overhead: {100 * (h - b) / b:+.1f} %")


if __name__ == "__main__":
    main()
