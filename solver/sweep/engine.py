"""``run_sweep``: plan the tasks, skip what the store has, run the rest, store each row."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .executors import make_executor
from .experiments import get_experiment
from .params import check_param_sets
from .plan import expand_grid, instance_params, plan, read_grid
from .progress import make_progress
from .store import Store


@dataclass(frozen=True)
class SweepSummary:
    """What a sweep did: planned tasks, skipped (already stored), run now, ok and errors
    over the whole planned set (including earlier runs), wall seconds, store path."""

    experiment: str
    planned: int
    skipped: int
    ran: int
    ok: int
    errors: int
    seconds: float
    store: str
    executor: str
    workers: int


def _param_sets(experiment: str, grid: Any, instances: str | Path | None
                ) -> list[dict[str, Any]]:
    if isinstance(grid, str | Path):
        grid = read_grid(grid)
    sets = expand_grid(grid)
    if instances is not None:
        inst = instance_params(instances)
        sets = [{**g, **i} for i in inst for g in sets]
    elif grid is None and experiment == "claim":
        from ..claims import all_claims

        sets = [{"claim": c.id} for c in all_claims().values() if c.kind != "unchecked"]
    return sets


def run_sweep(experiment: str, grid: Mapping[str, Any] | Sequence[Any] | str | Path | None = None,
              *, instances: str | Path | None = None, seeds: int | Sequence[int] = 1,
              store: str | Path = "sweep.sqlite", workers: int | None = None,
              scheduler: Any = None, resume: bool = True, retry_errors: bool = False,
              retries: int = 2, progress: bool | None = None) -> SweepSummary:
    """Run ``experiment`` over a grid (or an instance directory) × seeds into a store.

    Parameters
    ----------
    experiment
        A registered experiment name (see :func:`solver.sweep.experiments`).
    grid
        Parameter grid: a mapping of lists (cartesian product), a list of parameter
        mappings, or a JSON/YAML file (or inline text) holding either.  For ``claim``
        with no grid: every checkable claim.
    instances
        A directory of instance files; each becomes a parameter set ``{"instance": path,
        "instance_sha": digest}`` (combined with ``grid`` when both are given).  Every file
        is validated first; a bad one raises ``InstanceError`` before anything is stored.
    seeds
        ``N`` for seeds 0..N-1, or an explicit list.
    store
        SQLite file; created if missing.
    workers
        Local worker processes (default ``os.cpu_count()``; ``0`` runs in this process).
    scheduler
        ``"tcp://HOST:PORT"`` or a ``distributed.Client``: run on that Dask cluster.
    resume
        Skip tasks already in the store (default).  ``False`` runs them again and replaces
        their rows.
    retry_errors
        With ``resume``, run again the tasks stored with status ``error``.
    retries
        Extra attempts for a task whose worker died (local pool or Dask).
    progress
        Rich bar / log lines (``None``: bar on a terminal, log lines otherwise), or off.

    Returns
    -------
    SweepSummary

    Raises
    ------
    InstanceError
        Before anything runs or is stored: a bad grid or instance file, a parameter the
        experiment does not declare, a bad value, or a required parameter the grid lacks
        (:mod:`solver.sweep.params`).
    """
    exp = get_experiment(experiment)
    sets = _param_sets(experiment, grid, instances)
    declared = exp.params
    check_param_sets(exp.name, declared, sets)  # before anything runs or is stored
    if exp.check is not None:
        for params in sets:
            exp.check(params)
    tasks = plan(experiment, sets, seeds)
    t0 = time.perf_counter()
    with Store(store) as st:
        keys = [t.key for t in tasks]
        if resume and retry_errors:
            st.delete_errors(keys)
        done = st.done_keys(experiment) if resume else set()
        todo = [t for t in tasks if t.key not in done]
        ex = make_executor(workers, scheduler)
        bar = make_progress(experiment, len(todo), len(tasks) - len(todo), progress)

        def emit(rows: list[dict[str, Any]]) -> None:
            st.add(rows, replace=not resume)
            bar.update(rows)

        try:
            if todo:
                ex.run(exp.fn, todo, emit, retries)
        finally:
            bar.close()
            ex.close()
        counts = st.count(keys)
    return SweepSummary(experiment, len(tasks), len(tasks) - len(todo), len(todo),
                        counts["ok"], counts["error"], time.perf_counter() - t0, str(store),
                        ex.name, ex.workers)
