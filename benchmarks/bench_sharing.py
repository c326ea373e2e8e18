"""Benchmark of the sharing-profile search (Too Much Data appendix).

Run: ``.venv/bin/python benchmarks/bench_sharing.py [--quick]``.  Prints, side by side:
Gray-code enumeration vs naive per-profile Cholesky solves; branch-and-bound vs enumeration
(nodes, time); greedy / local search optimality gaps over random instances.
"""

from __future__ import annotations

import os

# Small dense solves: a multi-threaded BLAS only spins on a shared machine (measured 15x
# slower for branch-and-bound at n = 22 under load); set before numpy is imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from solver.sharing.branch_bound import branch_and_bound  # noqa: E402
from solver.sharing.enumeration import enumerate_gray, enumerate_naive  # noqa: E402
from solver.sharing.heuristics import greedy, local_search  # noqa: E402
from solver.sharing.objectives import platform_objective, surplus_objective  # noqa: E402


def rand_cov(rng: np.random.Generator, n: int) -> np.ndarray:
    a = rng.normal(size=(n, n))
    return a @ a.T / n + 0.05 * np.eye(n)


def block_cov(rng: np.random.Generator, blocks: int, size: int) -> np.ndarray:
    n = blocks * size
    s = np.zeros((n, n))
    for b in range(blocks):
        r = rng.uniform(0.2, 0.8)
        sl = slice(b * size, (b + 1) * size)
        s[sl, sl] = (1 - r) * np.eye(size) + r
    return s


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    q = args.quick
    rng = np.random.default_rng(0)
    print("# sharing benchmark (timings under shared load)" + (" --quick" if q else ""))

    n = 12 if q else 16
    sig, v = rand_cov(rng, n), rng.uniform(0, 3, n)
    objs = [platform_objective(v), surplus_objective(v)]
    t = time.perf_counter()
    g = enumerate_gray(sig, objs)
    tg = time.perf_counter() - t
    t = time.perf_counter()
    r = enumerate_naive(sig, objs)
    tn = time.perf_counter() - t
    assert abs(g[0].value - r[0].value) < 1e-9 and abs(g[1].value - r[1].value) < 1e-9
    print(f"\n## enumeration, n={n} (2^{n} profiles, 2 objectives)")
    print(f"gray-code rank-one: {tg:8.3f} s   naive Cholesky: {tn:8.3f} s   "
          f"speed-up: {tn / tg:6.1f}x   drift: {g[0].details['drift']:.1e}")

    for n in ([18, 20] if q else [20, 22, 24]):
        sig, v = rand_cov(rng, n), rng.uniform(0, 3, n)
        t = time.perf_counter()
        g = enumerate_gray(sig, [platform_objective(v), surplus_objective(v)])
        print(f"gray enumeration n={n}: {time.perf_counter() - t:8.2f} s "
              f"(drift {g[0].details['drift']:.1e})")

    print("\n## branch-and-bound vs enumeration (random dense Σ, v ~ U[0,3])")
    print(f"{'n':>3} {'enum s':>8} {'B&B s':>8} {'B&B nodes':>10} {'2^n':>9} {'agree':>6}")
    for n in ([10, 12, 14] if q else [12, 14, 16, 18]):
        sig, v = rand_cov(rng, n), rng.uniform(0, 3, n)
        obj = platform_objective(v)
        t = time.perf_counter()
        e = enumerate_gray(sig, [obj])[0]
        te = time.perf_counter() - t
        b = branch_and_bound(sig, obj, time_limit=120)
        print(f"{n:>3} {te:8.3f} {b.seconds:8.3f} {b.nodes:>10} {2**n:>9} "
              f"{abs(b.value - e.value) < 1e-9!s:>6}")
    for n in ([20] if q else [24, 30]):
        sig, v = rand_cov(rng, n), rng.uniform(0, 3, n)
        b = branch_and_bound(sig, platform_objective(v), time_limit=120)
        print(f"dense Σ n={n}: B&B {b.seconds:.2f} s, {b.nodes} nodes of 2^{n} = {2**n:.2e}, "
              f"{b.status}")
    for blocks, size in ([(4, 6)] if q else [(4, 10), (2, 20), (5, 8)]):
        sig = block_cov(rng, blocks, size)
        v = rng.uniform(0.5, 3, blocks * size)
        b = branch_and_bound(sig, platform_objective(v), time_limit=120)
        bf = branch_and_bound(sig, surplus_objective(v), time_limit=120)
        print(f"block Σ n={blocks * size} ({blocks}x{size}): B&B platform {b.seconds:.3f} s "
              f"({b.nodes} nodes, {b.status}), first best {bf.seconds:.3f} s "
              f"({bf.nodes} nodes, {bf.status})")

    print("\n## heuristic gaps vs exact optimum (platform payoff; gap = (OPT - H) / |OPT|)")
    k, n = (20, 8) if q else (100, 12)
    gaps = {"greedy": [], "local search": []}
    for _ in range(k):
        sig, v = rand_cov(rng, n), rng.uniform(0, 3, n)
        obj = platform_objective(v)
        opt = enumerate_gray(sig, [obj])[0].value
        for name, h in (("greedy", greedy(sig, obj)), ("local search", local_search(sig, obj))):
            gaps[name].append((opt - h.value) / max(abs(opt), 1e-12))
    for name, gs in gaps.items():
        a = np.array(gs)
        print(f"{name:>12}: optimal in {np.mean(a < 1e-9) * 100:5.1f}% of {k} (n={n}); "
              f"median gap {np.median(a):.2e}, p90 {np.quantile(a, 0.9):.2e}, max {a.max():.2e}")


if __name__ == "__main__":
    main()
