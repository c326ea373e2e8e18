"""Benchmark: Π^OPT by the histogram MILP against brute force, the DP and the LP over Ψ.

    .venv/bin/python benchmarks/bench_sampling.py [--quick] [--seeds K]

Prints, side by side, (1) small instances where every method runs (brute force over degree
multisets, exhaustive graph enumeration, the DP, the MILP, the subset and compact LPs);
(2) medium instances (MILP vs DP); (3) the MILP alone at scale up to the target
n = 10,000 sellers, m = 200 buyers with 200 distinct demand sizes, with the LP gap, the
ordering and independent ratios, and a cross-check by a second MILP backend (CBC).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from solver.errors import SizeLimitError
from solver.opt import available_backends
from solver.sampling import families as F
from solver.sampling.brute_force import brute_force_optimum, dp_optimum
from solver.sampling.distributions import (
    expected_payment,
    independent_distribution,
    ordering_distribution,
)
from solver.sampling.optimum import degree_milp, optimal_payment
from solver.sampling.relaxation import compact_lp, subset_lp


def timed(fn, *a, **k):
    t0 = time.perf_counter()
    try:
        v = fn(*a, **k)
    except SizeLimitError:
        return None, None
    return v, time.perf_counter() - t0


def bf(n, d, pi, method):
    return brute_force_optimum(n, d, pi, method)[0]


def dpv(n, d, pi):
    return dp_optimum(n, d, pi)[0]


def milp(n, d, pi):
    return optimal_payment(n, d, pi).objective


def sub(n, d, pi):
    return subset_lp(n, d, pi).objective


def comp(n, d, pi):
    return compact_lp(n, d, pi).objective


def fmt(v, t):
    return "      —          " if v is None else f"{v:9.5f} {1000 * t:7.1f}ms"


def small(rng, quick):
    print("\n(1) small instances: value and time per method (— = over the size limit)")
    print(f"{'n':>3} {'m':>3} | {'brute multisets':>17} | {'graphs':>17} | {'DP':>17} | "
          f"{'MILP':>17} | {'subset LP':>17} | {'compact LP':>17}")
    sizes = [(3, 3), (4, 4), (5, 5), (6, 6), (8, 6), (10, 8), (12, 10)]
    for n, m in sizes[:4] if quick else sizes:
        d, pi = F.random_demands(rng, n, m), F.random_payment(rng, m, "steps")
        cols = [timed(bf, n, d, pi, "multisets"), timed(bf, n, d, pi, "graphs"),
                timed(dpv, n, d, pi), timed(milp, n, d, pi), timed(sub, n, d, pi),
                timed(comp, n, d, pi)]
        print(f"{n:3d} {m:3d} | " + " | ".join(fmt(v, t) for v, t in cols))


def medium(rng, quick):
    print("\n(2) medium instances: MILP vs DP (exact, O(m n D))")
    print(f"{'n':>5} {'m':>4} | {'MILP':>10} {'time':>8} | {'DP':>10} {'time':>8} | agree")
    for n, m in [(50, 10), (100, 15)] if quick else [(50, 10), (100, 15), (200, 20), (300, 25)]:
        n, d, pi = F.benchmark_instance(rng, n, m, "steps")
        (a, ta), (b, tb) = timed(milp, n, d, pi), timed(dpv, n, d, pi)
        print(f"{n:5d} {m:4d} | {a:10.5f} {ta:7.2f}s | {b:10.5f} {tb:7.2f}s | "
              f"{abs(a - b) <= 1e-9 * max(1, a)}")


def scale(rng, quick, seeds):
    print("\n(3) the MILP at scale (m distinct demand sizes); LP = the relaxation over Ψ")
    print(f"{'n':>6} {'m':>4} {'style':>10} | {'Π^OPT':>11} {'MILP s':>7} {'LP s':>6} "
          f"{'LP gap(rel)':>11} | {'ψ*/OPT':>7} {'indep/OPT':>9} | status")
    sizes = [(1000, 50), (10_000, 200)]
    times = {s: [] for s in sizes}
    styles = ("steps", "increments", "convex", "concave", "star")
    for n, m in sizes:
        for style in styles[:2] if quick else styles:
            for _ in range(1 if quick else seeds if style in ("steps", "increments") else 1):
                nn, d, pi = F.benchmark_instance(rng, n, m, style)
                opt, t_milp = timed(optimal_payment, nn, d, pi, time_limit=120)
                rel, t_lp = timed(compact_lp, nn, d, pi)
                ordv = expected_payment(ordering_distribution(nn, d), pi)
                ind = expected_payment(independent_distribution(nn, d), pi)
                times[(n, m)].append(t_milp)
                gap = (opt.objective - rel.objective) / opt.objective
                print(f"{nn:6d} {m:4d} {style:>10} | {opt.objective:11.5f} {t_milp:7.2f} "
                      f"{t_lp:6.2f} {gap:11.2e} | {ordv / opt.objective:7.4f} "
                      f"{ind / opt.objective:9.4f} | {opt.status}")
    for (n, m), ts in times.items():
        print(f"  n={n}, m={m}: MILP seconds median {statistics.median(ts):.2f}, "
              f"max {max(ts):.2f} over {len(ts)} instances")
    return times


def cross_check(rng):
    print("\n(4) target instance solved by every installed MILP backend")
    n, d, pi = F.benchmark_instance(rng, 10_000, 200, "steps")
    lp = degree_milp(n, d, pi)
    for b in available_backends(lp):
        # the problem's objective (Π^OPT recomputed from the certified histogram), not the
        # backend's own objective: CBC's, from its continuous point, is ~7e-9 below HiGHS's
        opt, t = timed(optimal_payment, n, d, pi, backend=b, time_limit=120)
        sol = opt.solution
        print(f"  {b:12s} {opt.status:10s} Π^OPT {opt.objective:.9f} bound "
              f"{sol.bound:.9f} (backend objective {sol.objective:.9f}) in {t:.2f}s")
    print("  (every backend is asked for the library's MIP gap, solver.tolerances.MIP_GAP)")


def family(quick):
    print("\n(5) Theorem 5.1 family: Π_B(ψ*)/Π^OPT (closed form (2n²+1)/(n²+2n))")
    for n in (3, 6, 10, 20) if quick else (3, 6, 10, 20, 30, 40):
        nn, d, pi = F.theorem_5_1_instance(n)
        opt, t = timed(optimal_payment, nn, d, pi)
        r = expected_payment(ordering_distribution(nn, d), pi) / opt.objective
        print(f"  n={n:3d} m={d.size:5d}  Π^OPT={opt.objective:8.3f}  ratio={r:.4f}  "
              f"({t:.2f}s)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="small run (~30 s)")
    ap.add_argument("--seeds", type=int, default=3, help="instances per hard style at scale")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    optimal_payment(2, np.array([1, 1, 1]), np.array([0.0, 1, 1, 10]))  # warm-up (imports)
    t0 = time.perf_counter()
    small(rng, args.quick)
    medium(rng, args.quick)
    family(args.quick)
    scale(rng, args.quick, args.seeds)
    if not args.quick:
        cross_check(rng)
    print(f"\ntotal {time.perf_counter() - t0:.1f}s")


if __name__ == "__main__":
    main()
