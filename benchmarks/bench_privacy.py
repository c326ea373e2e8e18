"""Benchmark for solver.privacy: exact distributions vs Monte Carlo, sufficient-statistic
verifier vs profile enumeration, and the LP benchmark's size per backend.

Run: ``.venv/bin/python benchmarks/bench_privacy.py [--quick]``.
Monte Carlo times to a 1e-4 standard error are extrapolated from a measured batch
(N = max p(1-p) / 1e-8 samples), and say so.
"""

from __future__ import annotations

import argparse
import itertools
import math
import time

import numpy as np

from solver.opt import available_backends, solve
from solver.privacy import election, facility, lp_benchmark, vcg
from solver.privacy.model import PrivacyBound, log_ratio_per_outcome
from solver.privacy.verifier import gains_table

TARGET_SE = 1e-4


def timed(fn, *a, repeat: int = 3, **k):
    best = math.inf
    out = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn(*a, **k)
        best = min(best, time.perf_counter() - t0)
    return best, out


def mc_time(sample_fn, p: np.ndarray, batch: int) -> tuple[float, int]:
    """Extrapolated seconds for a Monte Carlo estimate with standard error 1e-4 everywhere."""
    t0 = time.perf_counter()
    sample_fn(batch)
    per = (time.perf_counter() - t0) / batch
    N = int(math.ceil(float(np.max(p * (1 - p))) / TARGET_SE**2))
    return per * N, N


def bench_exact_vs_mc(quick: bool) -> None:
    print("\n== exact distribution vs Monte Carlo (to standard error 1e-4) ==")
    print(f"{'mechanism':38s} {'exact s':>9s} {'MC samples':>11s} {'MC s (extrap.)':>15s} "
          f"{'ratio':>9s}")
    rng = np.random.default_rng(0)
    # Mechanism 6.1, q = 20, n = 10^4 (the target: < 1 s)
    # contested electorates (uniform over locations): the median is genuinely random
    for n, eps in ((10_000, 0.1), (400, 1.0)):
        h = rng.multinomial(n, np.ones(20) / 20)
        facility._log_noise_differences.cache_clear()
        t0 = time.perf_counter()
        p, tail = facility.distribution(h, eps)
        te_cold = time.perf_counter() - t0
        tm, N = mc_time(lambda b, h=h, eps=eps: facility.sample(h, eps, b, rng), p,
                        20_000 if quick else 200_000)
        print(f"{f'6.1 q=20 n={n} eps={eps}':38s} {te_cold:9.4f} {N:11d} {tm:15.2f} "
              f"{tm / te_cold:9.0f}   tail bound {tail:.1e}")
    # Mechanism 4.1 (closed form)
    te, p = timed(election.prob_a, 37, 0.1, repeat=50)
    pv = np.array([p, 1 - p])

    def sample_el(b):
        t = 0.1
        r = rng.geometric(1 - math.exp(-t), b) - rng.geometric(1 - math.exp(-t), b)
        return 37 >= r

    tm, N = mc_time(sample_el, pv, 1_000_000)
    print(f"{'4.1 margin 37 eps=0.1':38s} {te:9.6f} {N:11d} {tm:15.2f} {tm / te:9.0f}")
    # Mechanism 7.1 (|O| = 3, M = 2)
    W = np.array([7.0, 5.0, 6.0])
    te, (pr, tail, outs) = timed(vcg.distribution, W, 1.0, 2)
    t = 1.0 / 6

    def sample_vcg(b):
        lam = rng.geometric(1 - math.exp(-t), (b, 3)) - rng.geometric(1 - math.exp(-t), (b, 3))
        return np.argmax(W + lam + np.arange(3) / 3, axis=1)

    tm, N = mc_time(sample_vcg, pr[0], 200_000)
    print(f"{'7.1 |O|=3 M=2 eps=1 (27 outputs)':38s} {te:9.4f} {N:11d} {tm:15.2f} "
          f"{tm / te:9.0f}   tail bound {tail:.1e}  (MC time counts o* only)")


def bench_verifier(quick: bool) -> None:
    print("\n== verifier: sufficient statistic vs profile enumeration ==")
    print(f"{'instance':34s} {'stat s':>9s} {'enum s':>9s} {'ratio':>8s} {'same worst':>10s}")
    F = PrivacyBound("log", 1.0)
    eps = 0.3
    for n in ((8, 10) if quick else (8, 10, 12, 14)):
        ts, v = timed(election.verify, election.other_margins(n), eps, F, 1.0, repeat=3)

        def enum(n=n):
            worst = -math.inf
            for prof in itertools.product((0, 1), repeat=n):
                for i in range(n):
                    others = prof[:i] + prof[i + 1:]
                    m = others.count(0) - others.count(1)
                    pa = np.array([election.prob_a(m + 1, eps), election.prob_a(m - 1, eps)])
                    prob = np.stack([pa, 1 - pa], axis=1)
                    g = gains_table(prob, F.of_log_ratio(log_ratio_per_outcome(np.log(prob))),
                                    np.eye(2))
                    worst = max(worst, g[prof[i], 1 - prof[i]])
            return worst

        te, w = timed(enum, repeat=1)
        print(f"{'election n=' + str(n):34s} {ts:9.5f} {te:9.3f} {te / ts:8.0f} "
              f"{str(abs(w - v.worst_gain) < 1e-12):>10s}")
    locs = np.array([0.0, 0.4, 1.0])
    for n in ((3, 4) if quick else (3, 4, 5)):
        ts, v = timed(facility.verify_all, n, locs, eps, F, repeat=1)

        def enum_f(n=n):
            worst = -math.inf
            for prof in itertools.product(range(3), repeat=n):
                for i in range(n):
                    ho = np.bincount(np.delete(np.array(prof), i), minlength=3)
                    g, _ = facility.verify_histogram(ho, locs, eps, F)
                    row = g[prof[i]].copy()
                    row[prof[i]] = -np.inf
                    worst = max(worst, float(row.max()))
            return worst

        te, w = timed(enum_f, repeat=1)
        print(f"{'facility q=3 n=' + str(n):34s} {ts:9.4f} {te:9.3f} {te / ts:8.0f} "
              f"{str(abs(w - v['worst_gain']) < 1e-12):>10s}")


def bench_lp(quick: bool) -> None:
    print("\n== LP benchmark: size and time per backend (facility, 3 locations, eps=0.3) ==")
    F = PrivacyBound("log", 1.0)
    U = -np.abs(np.subtract.outer([0.0, 0.5, 1.0], [0.0, 0.5, 1.0]))
    limit = 10.0 if quick else 60.0
    cases = [("profiles", 3), ("profiles", 5), ("histograms", 8), ("histograms", 20)]
    if not quick:
        cases += [("profiles", 6), ("histograms", 40)]
    header = f"{'mode':10s} {'n':>3s} {'vars':>7s} {'rows':>7s}"
    lp0, _ = lp_benchmark.build_lp(2, U, 0.3, F, "histograms")
    backends = available_backends(lp0)
    print(header + "".join(f" {b:>15s}" for b in backends))
    dead: set[str] = set()
    for mode, n in cases:
        try:
            lp, _ = lp_benchmark.build_lp(n, U, 0.3, F, mode)
        except Exception as exc:  # the stated size limit
            print(f"{mode:10s} {n:3d}  {type(exc).__name__}: {exc}")
            continue
        row = f"{mode:10s} {n:3d} {lp.n_vars:7d} {lp.n_constraints:7d}"
        objs = []
        for b in backends:
            if b in dead:
                row += f" {'skipped':>15s}"
                continue
            sol = solve(lp, backend=b, time_limit=limit)
            if sol.status != "optimal":
                dead.add(b)
                row += f" {sol.status:>15s}"
            else:
                objs.append(sol.objective)
                row += f" {sol.seconds:14.3f}s"
                if sol.seconds > limit:
                    dead.add(b)
        spread = np.ptp(objs) if objs else float("nan")
        print(row + f"   obj {objs[0] if objs else float('nan'):.6f} spread {spread:.1e}")
    print(f"stated limit: {lp_benchmark.MAX_VARIABLES} variables (SizeLimitError beyond)")


def bench_vcg_exhaustive(quick: bool) -> None:
    """Mechanism 7.1's exhaustive Lemma 7.2-7.4 / Theorem 7.5 pass: sufficient statistics
    (shift classes, one distribution table, δ-grouped coupled gathers) vs the per-W_-i path
    (``vcg.verify_others`` + ``vcg.coupled`` per pair, over every raw W_-i), extrapolated
    from a timed sample of W_-i."""
    from solver.privacy import vcg_exhaustive as ve

    print("\n== VCG exhaustive checks: sufficient statistics vs per-W_-i enumeration ==")
    print(f"{'|O| M n':10s} {'cases (profile,type,lie)':>25s} {'stat s':>8s} "
          f"{'per-W_-i s (extrap.)':>21s} {'ratio':>9s}")
    eps = 1.0
    cases = [(3, 2, 4), (4, 1, 6)] if quick else [(3, 2, 4), (4, 1, 6), (4, 2, 6), (4, 3, 6)]
    for nO, M, n in cases:
        k = 1 / (2 * eps * nO * (1 + 2 * M * math.exp(eps / nO)))
        F = PrivacyBound("log", k)
        t0 = time.perf_counter()
        res = ve.exhaustive(nO, M, n, eps, {"at": F}, exact_budget=50)
        ts = time.perf_counter() - t0
        types = vcg.all_types(nO, M)
        Ws = np.array(list(itertools.product(range((n - 1) * M + 1), repeat=nO)), float)
        rng = np.random.default_rng(1)
        sample = Ws[rng.choice(len(Ws), 2, replace=False)]
        pairs = [(a, t) for a in range(len(types)) for t in range(len(types)) if a != t]
        sub = [pairs[i] for i in rng.choice(len(pairs), min(len(pairs), 60), replace=False)]
        tv = tc = 0.0
        for Wo in sample:
            t0 = time.perf_counter()
            vcg.verify_others(Wo, eps, M, F, types)
            t1 = time.perf_counter()
            for a, t in sub:
                vcg.coupled(Wo, types[a], types[t], eps, M)
            tv, tc = tv + t1 - t0, tc + time.perf_counter() - t1
        per_w = (tv + tc * len(pairs) / len(sub)) / len(sample)   # all pairs coupled
        te = per_w * len(Ws)
        cases_n = res.per_n[n]["profile_cases"]
        print(f"{f'{nO} {M} {n}':10s} {cases_n:25.3g} {ts:8.2f} {te:21.0f} {te / ts:9.0f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    t0 = time.perf_counter()
    bench_exact_vs_mc(a.quick)
    bench_verifier(a.quick)
    bench_vcg_exhaustive(a.quick)
    bench_lp(a.quick)
    print(f"\ntotal {time.perf_counter() - t0:.1f} s (2 shared cores under load)")


if __name__ == "__main__":
    main()
