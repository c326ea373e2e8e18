"""``portfolio``: race several exact backends on one model, in parallel processes.

Branch-and-bound codes differ by an order of magnitude on the same model, and which one wins
varies by instance (measured on four sampling target instances: HiGHS 4.1, 13.4, 1.7, 0.6 s,
CBC 2.2, 117, > 120, 0.1 s; on a 40 x 40 pricing MILP HiGHS 32 s, CBC 2.7 s).  On a machine
with two or more cores, running both and keeping the first proof costs about the wall-clock
time of the faster one, plus the start-up of one Python process per member (0.2-1 s
measured).

Each member runs in a fresh interpreter (:mod:`solver.opt.backends.race_worker`) in its own
session, so that killing it also stops a solver it launched (PuLP's ``cbc`` binary).  A fresh
interpreter rather than ``multiprocessing``: forking a parent whose HiGHS thread pool is
running can deadlock the child, and ``spawn``/``forkserver`` children re-run the caller's
``__main__`` (on Python 3.11 even with it preloaded), which costs seconds under the CLI and
fails in scripts without an ``if __name__ == "__main__"`` guard.

The first *definitive* answer (optimal, infeasible, unbounded) wins and the others are killed.
If every member stops without one (time limit, error), the certificates are combined: the
best incumbent of any member and the tightest bound of any member, both valid because each is
valid on its own.
"""

from __future__ import annotations

import pickle
import queue as queue_mod
import subprocess
import sys
import threading
import time
from collections.abc import Sequence

import numpy as np

from ...tolerances import KILL_GRACE
from ..problem import LinearProgram
from ..result import DEFINITIVE, Solution, Status, relative_gap
from .base import Backend
from .isolation import kill_session

#: Default members: two independent branch-and-bound codes.
DEFAULT_MEMBERS = ("highs", "pulp:CBC")
#: Seconds past the time limit after which members still running are killed, once another
#: member has answered (PuLP spends tens of seconds building a large model before CBC's own
#: clock starts, so CBC can overrun by that much), ...
SOFT_GRACE = KILL_GRACE
#: ... and after which every member still running is killed and counted as stopped on the
#: limit: the portfolio returns within the limit plus about 2 s, as every backend does.
GRACE = KILL_GRACE


#: Command that runs one member (a list, so tests can substitute a stand-in).
WORKER = [sys.executable, "-m", "solver.opt.backends.race_worker"]


def _run_member(name: str, payload: bytes, procs: dict, results: queue_mod.Queue,
                t0: float, stop: threading.Event) -> None:
    """Thread body: run one member's worker process and put ``(name, Solution)``."""
    try:
        proc = subprocess.Popen(WORKER, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, start_new_session=True)
    except OSError as exc:
        results.put((name, Solution.failed(name, time.perf_counter() - t0, f"cannot start: {exc}")))
        return
    procs[name] = proc
    if stop.is_set():            # the race ended before this member started: stop it too
        kill_session(proc)
    try:
        out, err = proc.communicate(payload)
    except (OSError, ValueError) as exc:
        results.put((name, Solution.failed(name, time.perf_counter() - t0, f"{exc}")))
        return
    try:
        sol = pickle.loads(out)
    except Exception:  # killed, crashed or wrote garbage: the exit code and stderr say why
        tail = err.decode(errors="replace").strip().splitlines()[-1:] or [""]
        sol = Solution.failed(name, time.perf_counter() - t0,
                      f"worker exited with code {proc.returncode}: {tail[0]}")
    results.put((name, sol))


def combine(problem: LinearProgram, results: dict[str, Solution], seconds: float,
            pids: dict[str, int] | None = None) -> Solution:
    """One certificate from the members' results (module docstring).

    A definitive answer is returned as it is, its backend named ``portfolio[<member>]``.
    Otherwise the incumbent is the best point of any member and the bound the tightest finite
    bound of any member (the smallest for a maximisation, the largest for a minimisation).
    ``extra["members"]`` records each member's status, objective, bound, seconds and pid.
    """
    members = {n: {"status": s.status, "objective": s.objective, "bound": s.bound,
                   "seconds": s.seconds, "pid": (pids or {}).get(n)}
               for n, s in results.items()}
    for name, sol in results.items():
        if sol.status in DEFINITIVE:
            return Solution(sol.status, sol.x, sol.objective, sol.bound, sol.gap,
                            f"portfolio[{name}]", seconds, sol.duals, sol.message,
                            {**sol.extra, "members": members})
    sign = 1.0 if problem.sense == "max" else -1.0
    with_x = [(n, s) for n, s in results.items() if s.x is not None and np.isfinite(s.objective)]
    bounds = [s.bound for s in results.values() if np.isfinite(s.bound)]
    bound = float(sign * min(sign * b for b in bounds)) if bounds else float("nan")
    status: Status = ("time_limit" if any(s.status == "time_limit" for s in results.values())
                      else "error")
    msg = "; ".join(f"{n}: {s.status} ({s.message})" for n, s in results.items())
    if not with_x:
        return Solution(status, None, float("nan"), bound, float("inf"), "portfolio", seconds,
                        None, msg, {"members": members})
    name, best = max(with_x, key=lambda t: sign * t[1].objective)
    return Solution(status, best.x, best.objective, bound, relative_gap(best.objective, bound),
                    f"portfolio[{name}]", seconds, None, msg, {"members": members})


class PortfolioBackend(Backend):
    """Race ``members`` (backend names) in parallel; first proof wins (module docstring).

    ``options`` for :meth:`solve`, if given, map member names to that member's options.
    """

    supports_integer = True
    supports_quadratic = False
    gives_bound = True

    def __init__(self, members: Sequence[str] = DEFAULT_MEMBERS) -> None:
        self.members = tuple(members)
        self.name = "portfolio"

    def _member(self, name: str) -> Backend:
        from . import all_backends

        return all_backends()[name]

    def is_installed(self) -> bool:
        return all(self._member(m).is_installed() for m in self.members)

    def can_solve(self, problem: LinearProgram) -> bool:
        return all(self._member(m).can_solve(problem) for m in self.members)

    def solve(self, problem: LinearProgram, time_limit: float | None = None,
              options: dict | None = None) -> Solution:
        options = dict(options or {})
        unknown = set(options) - set(self.members)
        if unknown:
            raise ValueError(f"portfolio options are keyed by member ({', '.join(self.members)})"
                             f"; unknown keys: {sorted(unknown)}")
        t0 = time.perf_counter()
        results: queue_mod.Queue = queue_mod.Queue()
        procs: dict[str, subprocess.Popen] = {}
        stop = threading.Event()
        threads = [threading.Thread(
            target=_run_member, daemon=True,
            args=(m, pickle.dumps((m, problem, time_limit, options.get(m),
                                   None if time_limit is None else time.time() + time_limit)),
                  procs, results, t0, stop))
            for m in self.members]
        for t in threads:
            t.start()
        limit = None if time_limit is None else t0 + float(time_limit)
        got: dict[str, Solution] = {}
        try:
            while len(got) < len(self.members):
                if limit is None:
                    wait = None
                else:
                    assert limit is not None
                    grace = SOFT_GRACE if got else GRACE
                    wait = max(0.0, limit + grace - time.perf_counter())
                try:
                    name, sol = results.get(timeout=wait)
                except queue_mod.Empty:
                    assert limit is not None
                    if not got and time.perf_counter() < limit + GRACE:
                        continue
                    over = time.perf_counter() - limit
                    for m in self.members:
                        got.setdefault(m, Solution.failed(
                            m, time.perf_counter() - t0,
                            f"killed {over:.1f} s after the time limit", status="time_limit"))
                    break
                got[name] = sol
                if sol.status in DEFINITIVE:
                    break
        finally:
            stop.set()                       # set before the sweep: see _run_member
            for proc in list(procs.values()):
                kill_session(proc)
            for t in threads:
                t.join(timeout=5)
        return combine(problem, got, time.perf_counter() - t0,
                       {m: p.pid for m, p in procs.items()})
