"""The ``portfolio`` backend: races members in processes, keeps the first proof, combines
certificates of stopped members soundly, and leaves no solver process behind."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import numpy as np
import pytest

from solver.opt import LinearProgram, solve
from solver.opt.backends.isolation import kill_session
from solver.opt.backends.portfolio import combine
from solver.opt.result import Solution
from solver.pricing.envy_free import pairwise_milp
from solver.pricing.families import random_valuations


def in_session(sid: int) -> list[int]:
    """Pids of live processes whose session id is ``sid`` (Linux /proc)."""
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[3]) == sid and fields[0] != "Z":     # session id; skip zombies
                out.append(int(d))
    return out


def sol(status, obj, bound, x=True, name="m"):
    return Solution(status, np.zeros(2) if x else None, obj, bound, 0.0, name, 1.0, None, "")


def test_combine_keeps_definitive_answer_and_names_the_winner():
    lp = LinearProgram(c=[1, 1], ub=1, sense="max")
    out = combine(lp, {"highs": sol("time_limit", 1.0, 3.0),
                       "pulp:CBC": sol("optimal", 2.0, 2.0)}, 4.0, {"highs": 7, "pulp:CBC": 8})
    assert out.status == "optimal" and out.objective == 2.0
    assert out.backend == "portfolio[pulp:CBC]" and out.seconds == 4.0
    assert out.extra["members"]["highs"] == {"status": "time_limit", "objective": 1.0,
                                             "bound": 3.0, "seconds": 1.0, "pid": 7}


@pytest.mark.parametrize("sense, best, tight", [("max", 2.0, 2.5), ("min", 1.0, 0.5)])
def test_combine_stopped_members_best_incumbent_and_tightest_bound(sense, best, tight):
    lp = LinearProgram(c=[1, 1], ub=1, sense=sense)
    res = {"a": sol("time_limit", 1.0, 2.5 if sense == "max" else 0.2),
           "b": sol("time_limit", 2.0, 3.0 if sense == "max" else 0.5),
           "c": sol("error", np.nan, np.nan, x=False)}
    out = combine(lp, res, 1.0)
    assert out.status == "time_limit"
    assert out.objective == best and out.bound == tight
    assert out.gap == pytest.approx(abs(best - tight) / max(1.0, abs(best)))
    none = combine(lp, {"a": sol("error", np.nan, np.nan, x=False)}, 1.0)
    assert none.status == "error" and none.x is None and np.isnan(none.bound)


def test_kill_reaches_the_solver_a_member_launched():
    # the member process starts a grandchild (as PuLP starts cbc); killing the member's
    # session must stop both
    code = "import subprocess, time; subprocess.Popen(['sleep', '60']); time.sleep(60)"
    proc = subprocess.Popen([sys.executable, "-c", code], start_new_session=True)
    for _ in range(100):
        if len(in_session(proc.pid)) >= 2:
            break
        time.sleep(0.05)
    assert len(in_session(proc.pid)) >= 2
    kill_session(proc)
    proc.wait(timeout=5)
    for _ in range(100):
        if not in_session(proc.pid):
            break
        time.sleep(0.05)
    assert in_session(proc.pid) == []


def test_race_returns_first_proof_and_stops_the_loser():
    # eq. 2 MILP, 40 x 40: CBC proves it in about 3 s, HiGHS needs about 30 s (measured)
    V = random_valuations(np.random.default_rng(100), 40, 40, "estimation")
    lp = pairwise_milp(V)
    t0 = time.perf_counter()
    out = solve(lp, "portfolio", time_limit=120)
    elapsed = time.perf_counter() - t0
    assert out.status == "optimal"
    assert out.objective == pytest.approx(12.7389291, abs=1e-5)   # CBC and HiGHS differ by 4e-6
    assert lp.scaled_violation(out.x) <= 1e-5
    assert elapsed < 25, "the slower member was waited for instead of killed"
    for m in out.extra["members"].values():
        assert m["pid"] is None or in_session(m["pid"]) == []


def test_agrees_with_highs_on_small_models_and_rejects_unknown_options():
    rng = np.random.default_rng(3)
    for _ in range(3):
        A = rng.integers(0, 6, size=(5, 8)).astype(float)
        lp = LinearProgram(c=rng.integers(1, 10, 8), A_ub=A, b_ub=rng.integers(5, 30, 5),
                           ub=3, integrality=1, sense="max")
        ref = solve(lp, "highs").certify()
        got = solve(lp, "portfolio").certify()
        assert got.objective == pytest.approx(ref.objective, abs=1e-6)
    with pytest.raises(ValueError, match="keyed by member"):
        solve(lp, "portfolio", options={"mip_rel_gap": 0.1})


STAND_IN = """
import pickle, sys, time
import numpy as np
from solver.opt.result import Solution
name, problem, limit, options, *deadline = pickle.load(sys.stdin.buffer)
if name == "highs":      # answers at once with an incumbent and a bound
    sol = Solution("time_limit", np.array([1.0, 0.0]), 1.0, 2.0, 1.0, name, 0.1, None, "")
    pickle.dump(sol, sys.stdout.buffer)
else:                    # overruns its limit, as CBC does after PuLP's slow model build
    time.sleep(120)
"""


def test_a_member_that_overruns_is_killed_soon_after_the_limit(monkeypatch):
    import solver.opt.backends.portfolio as P

    monkeypatch.setattr(P, "WORKER", [sys.executable, "-c", STAND_IN])
    lp = LinearProgram(c=[1, 1], A_ub=[[1, 1]], b_ub=[1], ub=1, integrality=1, sense="max")
    t0 = time.perf_counter()
    # 3 s: the stand-in "highs" answers as soon as its interpreter has started (1-2 s on a
    # loaded machine); the overrunning member is killed SOFT_GRACE after the limit
    out = P.PortfolioBackend().solve(lp, time_limit=3.0)
    elapsed = time.perf_counter() - t0
    assert elapsed < 3.0 + P.SOFT_GRACE + 2, elapsed
    assert out.status == "time_limit" and out.objective == 1.0 and out.bound == 2.0
    cbc = out.extra["members"]["pulp:CBC"]
    assert cbc["status"] == "time_limit" and in_session(cbc["pid"]) == []
