"""Worker process of the ``portfolio`` backend: one member's solve, pickled in and out.

Reads ``(backend name, LinearProgram, time_limit, options[, deadline])`` pickled on stdin and
writes the screened :class:`~solver.opt.result.Solution` pickled on stdout.  With a
``deadline`` (a :func:`time.time` instant), the solver gets only the seconds left of it once
this interpreter has started, so its start-up counts against the limit.  Anything a solver prints to
stdout is sent to stderr, so that stdout carries the result only.
"""

from __future__ import annotations

import os
import pickle
import sys
import time


def main() -> None:
    """Run one member (see the module docstring)."""
    result = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)                                   # solver chatter goes to stderr
    name, problem, time_limit, options, *rest = pickle.load(sys.stdin.buffer)
    t0 = time.perf_counter()
    try:
        from solver.opt.result import Solution
        from solver.opt.solve import get_backend, screen_point

        b = get_backend(name, problem)
        if rest and rest[0] is not None:
            time_limit = rest[0] - time.time()
        if time_limit is not None and time_limit <= 0:
            sol = Solution.failed(name, time.perf_counter() - t0, "the time limit was reached "
                                  "while the worker started", status="time_limit")
        else:
            sol = screen_point(problem, b.solve(problem, time_limit=time_limit,
                                                options=options))
    except Exception as exc:                        # reported, never a hang
        from solver.opt.result import Solution

        sol = Solution.failed(name, time.perf_counter() - t0, f"{type(exc).__name__}: {exc}")
    pickle.dump(sol, result)
    result.flush()


if __name__ == "__main__":
    main()
