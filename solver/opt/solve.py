"""``solve(problem, backend="auto", time_limit=None)``: the one entry point to every backend."""

from __future__ import annotations

import logging
import time
from functools import lru_cache

from ..budget import remaining_time, validate_time_limit
from ..errors import BackendUnavailableError
from ..tolerances import BACKEND_TIME_SHARE, KILL_GRACE, MAX_DYNAMIC_RANGE, POINT_FEASIBILITY
from .backends import Backend, all_backends
from .backends.isolation import run_isolated
from .certificate import check
from .problem import LinearProgram
from .result import WITH_POINT, Solution, relative_gap
from .scaling import dynamic_range, equilibrate, unscale

log = logging.getLogger(__name__)

#: Aliases accepted on the command line and in the API.
ALIASES = {"scipy": "highs", "cbc": "pulp:CBC", "clarabel": "cvxpy:CLARABEL"}


@lru_cache(maxsize=1)
def _registry() -> dict[str, Backend]:
    return all_backends()


@lru_cache(maxsize=64)
def _installed(name: str) -> bool:
    return _registry()[name].is_installed()


def backend_names() -> list[str]:
    """Names of every known backend."""
    return list(_registry())


def available_backends(problem: LinearProgram | None = None) -> list[str]:
    """Installed backends, restricted to those that can solve ``problem`` when given.

    Generic aliases (``"cvxpy"``, ``"pulp"``) are left out so each solver appears once.
    """
    out = []
    for name, b in _registry().items():
        if name in ("cvxpy", "pulp") or not _installed(name):
            continue
        if problem is None or b.can_solve(problem):
            out.append(name)
    return out


def get_backend(name: str, problem: LinearProgram | None = None) -> Backend:
    """Look a backend up by name; raise a clear error naming the ones that would work."""
    reg = _registry()
    key = ALIASES.get(name.lower(), name) if name not in reg else name
    if key not in reg:
        # tolerate case differences, e.g. "cvxpy:clarabel"
        matches = [k for k in reg if k.lower() == key.lower()]
        key = matches[0] if matches else key
    if key not in reg:
        raise BackendUnavailableError(
            f"unknown backend {name!r}; available: {', '.join(available_backends(problem))}")
    b = reg[key]
    if not _installed(key):
        avail = ", ".join(available_backends(problem))
        raise BackendUnavailableError(f"backend {key!r} is not installed; available: {avail}")
    if problem is not None and not b.can_solve(problem):
        raise BackendUnavailableError(
            f"backend {key!r} cannot solve this model ({b.why_not(problem)}); "
            f"backends that can: {', '.join(available_backends(problem)) or 'none installed'}")
    return b


def solve(problem: LinearProgram, backend: str = "auto",
          time_limit: float | None = None, options: dict | None = None) -> Solution:
    """Solve a :class:`LinearProgram` with the named backend, and check the answer.

    Parameters
    ----------
    problem
        The model.
    backend
        ``"auto"`` (HiGHS through scipy for LP/MILP, cvxpy for QP), or any name from
        :func:`available_backends`: ``"highs"``, ``"cvxpy:CLARABEL"``, ``"cvxpy:HIGHS"``,
        ``"pulp:CBC"``, ``"pulp:HiGHS"``, ...
    time_limit
        Seconds, positive and finite; capped by the deadline of an enclosing
        :func:`solver.budget.limits`.  A MILP stopped by it returns status ``"time_limit"``
        with its incumbent.  A backend that does not honour limits on its own runs in a
        worker process that is killed past the limit
        (:mod:`solver.opt.backends.isolation`).
    options
        Solver options passed through unchanged (e.g. ``{"mip_heuristic_effort": 0.3}`` for
        HiGHS); backend-specific, so code that sets them should also name the backend.

    Returns
    -------
    Solution
        Never ``"optimal"`` unless the backend proved it *and* the library's own checks
        agree.  The model is equilibrated first (:mod:`solver.opt.scaling`), so the answer
        does not depend on the data's units; the backend's point is screened
        (:func:`screen_point`) and its certificate checked (:mod:`solver.opt.certificate`)
        on the scaled model, then mapped back.  Call ``.certify()`` to require a proof.
    """
    time_limit = remaining_time(validate_time_limit(time_limit))
    if backend == "auto":
        cands = available_backends(problem)
        if not cands:
            raise BackendUnavailableError("no installed backend can solve this model")
        backend = cands[0]
    b = get_backend(backend, problem)
    if time_limit is not None and time_limit <= 0:
        return Solution.failed(b.name, 0.0, "the time limit was reached before the solve",
                               status="time_limit")
    t0 = time.monotonic()
    hard = None if time_limit is None else t0 + time_limit     # the caller's deadline
    scaled, sc = equilibrate(problem)
    span = dynamic_range(scaled)
    if span > MAX_DYNAMIC_RANGE:
        return Solution.failed(b.name, time.monotonic() - t0, f"the model's non-zero "
                               f"coefficients span a factor of {span:.3g} even after scaling "
                               f"(more than {MAX_DYNAMIC_RANGE:g}): no double-precision "
                               "backend solves it reliably; drop entries that are negligible "
                               "against their row")
    if time_limit is not None:
        # the scaling's time counts; the backend gets a share of what is left, the rest
        # covers its own overrun past the limit (HiGHS: 0.5-1.7 s on a 2e6-non-zero MILP)
        nnz = problem.A_ub.nnz + problem.A_eq.nnz
        time_limit = (BACKEND_TIME_SHARE * (time_limit - (time.monotonic() - t0))
                      - b.overrun_per_nonzero * nnz)
        if time_limit <= 0:
            return Solution.failed(b.name, time.monotonic() - t0, "the time limit was "
                                   "reached while scaling the model", status="time_limit")
    if time_limit is not None and not b.honours_time_limit:
        assert hard is not None
        raw = run_isolated(b.name if b.name not in ("cvxpy", "pulp") else backend, scaled,
                           time_limit, options, kill_after=hard - time.monotonic() + KILL_GRACE)
    else:
        raw = b.solve(scaled, time_limit=time_limit, options=options)
    raw = screen_point(scaled, raw)
    raw = check(scaled, raw, raw.extra.get("solver_objective"))
    sol = unscale(raw, sc, problem)
    log.debug("%s: %s obj=%s in %.3fs", sol.backend, sol.status, sol.objective, sol.seconds)
    return sol


def screen_point(problem: LinearProgram, sol: Solution) -> Solution:
    """Drop a backend's point that is not a solution of ``problem``.

    Some backends hand back a point that is not feasible: PuLP, when CBC stops on its time
    limit before finding an integer solution, reads the fractional LP relaxation as if it
    were an incumbent.  A point whose :meth:`~LinearProgram.scaled_violation` exceeds
    ``POINT_FEASIBILITY`` is discarded: a ``"time_limit"`` result keeps its bound but has no
    incumbent, and an ``"optimal"`` one becomes ``"error"``.
    """
    if sol.x is None or sol.status not in WITH_POINT:
        return sol
    viol = problem.scaled_violation(sol.x)
    if viol <= POINT_FEASIBILITY:
        return sol
    note = f"{sol.backend} returned a point that violates the model by {viol:.3g}; discarded"
    log.warning(note)
    status = "error" if sol.status == "optimal" else sol.status
    return Solution(status, None, float("nan"), sol.bound, relative_gap(float("nan"), sol.bound),
                    sol.backend, sol.seconds, None, f"{sol.message} ({note})".strip(),
                    sol.extra)
