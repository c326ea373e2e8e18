"""Run one backend in a worker process that is killed if it overruns its time limit.

PuLP builds its model row by row in Python before CBC's own clock starts (a 2e6-non-zero
pricing model: tens of seconds), and cvxpy's canonicalisation and HiGHS's QP solver do not
look at the time limit at all (``truncnorm_scipy.json --method qp --backend cvxpy:HIGHS
--time-limit 5`` was still running after 120 s).  A time-limited solve on such a backend
therefore runs in a fresh interpreter (:mod:`solver.opt.backends.race_worker`, in its own
session so that a kill also stops a ``cbc`` binary it started), and is killed
:data:`~solver.tolerances.KILL_GRACE` seconds after the limit: the caller gets status
``time_limit`` with no incumbent and no bound, within the limit plus about 2 s.
"""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import time

from ...tolerances import KILL_GRACE
from ..problem import LinearProgram
from ..result import Solution

#: Command that runs one solve (a list, so tests can substitute a stand-in).
WORKER = [sys.executable, "-m", "solver.opt.backends.race_worker"]


def kill_session(proc: subprocess.Popen) -> None:
    """Stop a worker and everything in its session."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            proc.kill()


def run_isolated(name: str, problem: LinearProgram, time_limit: float,
                 options: dict | None = None, worker: list[str] | None = None,
                 kill_after: float | None = None) -> Solution:
    """Solve ``problem`` with backend ``name`` in a worker; kill it past the limit.

    The worker's solver gets ``time_limit`` seconds (counted from now, its start-up
    included); the worker is killed after ``kill_after`` seconds (default: the limit plus
    :data:`~solver.tolerances.KILL_GRACE`).

    Returns the worker's screened :class:`Solution`, or a ``time_limit`` result without a
    point when it had to be killed, or ``error`` when it could not be started or crashed.
    """
    if kill_after is None:
        kill_after = time_limit + KILL_GRACE
    t0 = time.perf_counter()
    # The worker's own start-up (imports: 0.5-1.5 s) is counted in the limit: it is handed
    # the wall-clock deadline and gives the solver only what is left of it.
    payload = pickle.dumps((name, problem, time_limit, options, time.time() + time_limit))
    try:
        proc = subprocess.Popen(worker or WORKER, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True)
    except OSError as exc:
        return Solution.failed(name, time.perf_counter() - t0, f"cannot start a worker: {exc}")
    try:
        out, err = proc.communicate(payload, timeout=max(kill_after, 0.1))
    except subprocess.TimeoutExpired:
        kill_session(proc)
        proc.communicate()
        secs = time.perf_counter() - t0
        limit = kill_after - KILL_GRACE            # the caller's own limit
        return Solution.failed(name, secs, f"killed {secs - limit:.1f} s after the time limit "
                                           f"of {limit:.3g} s", status="time_limit")
    finally:
        kill_session(proc)
    try:
        sol = pickle.loads(out)
    except Exception:
        tail = err.decode(errors="replace").strip().splitlines()[-1:] or [""]
        return Solution.failed(name, time.perf_counter() - t0,
                               f"worker exited with code {proc.returncode}: {tail[0]}")
    if not isinstance(sol, Solution):
        return Solution.failed(name, time.perf_counter() - t0, "worker returned no Solution")
    return sol
