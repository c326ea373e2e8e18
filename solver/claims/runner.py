"""Run claims in worker processes: what ``solver verify --workers N`` and ``reproduce`` use.

Each claim is one task, named by its id: a worker process looks the claim up in its own
registry (plugins loaded), runs it with the given :class:`~solver.claims.CheckContext` and
sends back the JSON-ready row of :meth:`~solver.claims.Claim.run`.  Rows are handed to
``on_row`` as they finish (for ``--json-lines`` and the progress bar) and returned in the
order of the claims given, so a parallel run reads exactly like the serial one (except the
``seconds`` of each row).

A worker process that dies (segfault, out of memory, ``os._exit``) breaks the pool: the
pool is rebuilt, and the claims that were in flight are rerun one at a time in a fresh
single-worker pool, so that a death is charged to the claim that caused it (its row reads
``error``, ``WorkerLost: ...``); the others run normally.

With ``scheduler`` (``solver verify --scheduler tcp://HOST:PORT``) the claims run on a Dask
cluster instead (:func:`solver.sweep.executors.dask_map`): the same rows in the same order.
A claim whose workers keep dying there reads ``error``, ``KilledWorker: ...``.  Dask
workers need ``solver`` (and any plugin registering claims) installed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

from ..errors import InstanceError
from .registry import CheckContext, Claim, all_claims

__all__ = ["default_workers", "run_claims"]

OnRow = Callable[[int, dict[str, Any]], None]


def default_workers() -> int:
    """The number of worker processes ``--workers`` defaults to: every core (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def _run_one(claim_id: str, ctx: CheckContext) -> dict[str, Any]:
    """Run the claim ``claim_id`` of this process's registry (the task of a worker)."""
    claim = all_claims().get(claim_id)
    if claim is None:
        return {"claim": claim_id, "status": "error",
                "message": f"KeyError: claim {claim_id!r} is not registered in the worker "
                           "process (register it from a plugin, see solver.plugins)"}
    return claim.run(ctx)


def _lost_row(claim: Claim, times: int) -> dict[str, Any]:
    return {"claim": claim.id, "paper": claim.paper, "section": claim.section,
            "kind": claim.kind, "statement": claim.statement, "status": "error",
            "message": f"WorkerLost: the worker process died {times} times running this "
                       "claim", "tolerance": claim.tolerance}


def _failed_row(claim: Claim, exc: BaseException) -> dict[str, Any]:
    """The row of a claim whose task failed outside the check (a cluster's lost worker)."""
    return {**_lost_row(claim, 0), "message": f"{type(exc).__name__}: {exc}"}


def run_claims(claims: Sequence[Claim], ctx: CheckContext | None = None, *,
               workers: int | None = None, on_row: OnRow | None = None,
               scheduler: Any = None) -> list[dict[str, Any]]:
    """Run ``claims`` and return their rows in the same order.

    Parameters
    ----------
    claims
        The claims to run (e.g. :func:`solver.claims.select`).  A claim run in a worker is
        looked up there by id, so it must be registered by a plugin (the shipped ones are).
    ctx
        The check context (seed, quick); default :class:`CheckContext`.
    workers
        Worker processes; ``None``: :func:`default_workers`; ``0``: every claim in this
        process, one after the other (no pool).  Never more workers than claims to check.
    on_row
        Called as ``on_row(index, row)`` in this process as each claim finishes (completion
        order; ``index`` is the claim's position in ``claims``).
    scheduler
        A Dask scheduler address ``tcp://HOST:PORT`` or a ``distributed.Client``: run the
        checked claims on that cluster (not with ``workers``).

    Returns
    -------
    list of dict
        One row per claim, in the order of ``claims``.

    Raises
    ------
    InstanceError
        On ``scheduler``: given with ``workers``, ``distributed`` not installed, or the
        scheduler unreachable (before any claim runs).
    """
    if scheduler is not None and workers is not None:
        raise InstanceError("scheduler", "give a scheduler or workers, not both")
    ctx = ctx or CheckContext()
    rows: list[dict[str, Any] | None] = [None] * len(claims)

    def done(i: int, row: dict[str, Any]) -> None:
        rows[i] = row
        if on_row is not None:
            on_row(i, row)

    checked = [i for i, c in enumerate(claims) if c.kind != "unchecked" and c.check is not None]
    n = default_workers() if workers is None else max(0, int(workers))
    n = min(n, len(checked))
    pooled = set(checked) if n > 0 or scheduler is not None else set()

    def instant() -> None:  # rows that need no worker (all of them when in-process)
        for i, c in enumerate(claims):
            if i not in pooled:
                done(i, c.run(ctx))

    if scheduler is not None:
        _run_dask(claims, checked, ctx, scheduler, done, instant)
    elif n > 0:
        _run_pool(claims, checked, ctx, n, done, instant)
    else:
        instant()
    return [r for r in rows if r is not None]


def _run_dask(claims: Sequence[Claim], todo: list[int], ctx: CheckContext, scheduler: Any,
              done: Callable[[int, dict[str, Any]], None], meanwhile: Callable[[], None]
              ) -> None:
    """Run the claims at ``todo`` on a Dask cluster; ``meanwhile`` once the client is up."""
    from ..sweep.executors import dask_map, scheduler_client

    with scheduler_client(scheduler) as client:
        meanwhile()
        items = [(claims[i].id, ctx) for i in todo]
        for k, row, exc in dask_map(client, _run_one, items, name="claim"):
            i = todo[k]
            done(i, row if exc is None else _failed_row(claims[i], exc))


def _run_pool(claims: Sequence[Claim], todo: list[int], ctx: CheckContext, workers: int,
              done: Callable[[int, dict[str, Any]], None], meanwhile: Callable[[], None]
              ) -> None:
    """Run the claims at ``todo`` on a process pool (:func:`solver.workers.recovering_map`:
    a claim lost with its worker is rerun alone; a second death reads ``WorkerLost``).

    ``meanwhile`` runs in this process once every task is submitted (with ``fork``, every
    worker is started by the first submit, before any thread of ``on_row`` may start).
    """
    from ..workers import recovering_map

    items = [(claims[i].id, ctx) for i in todo]
    for k, row in recovering_map(_run_one, items, workers, after_submit=meanwhile):
        i = todo[k]
        done(i, row if row is not None else _lost_row(claims[i], 2))
