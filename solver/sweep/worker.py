"""What runs on a worker: one task or a chunk of tasks, each turned into a store row.

A task that raises becomes a row with ``status = "error"`` and the exception's text; the
exception never leaves the worker, so one bad task cannot stop a sweep.
"""

from __future__ import annotations

import json
import socket
import time
import traceback
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from .experiments import ExperimentFn
from .plan import Task


@cache
def library_version() -> str:
    """``importlib.metadata.version("solver")``, or ``"unknown"`` when not installed."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("solver")
    except PackageNotFoundError:
        return "unknown"


@cache
def _host() -> str:
    return socket.gethostname()


def error_text(exc: BaseException) -> str:
    """``Type: message`` on the first line, the traceback's last frames below it."""
    tb = traceback.format_exception(type(exc), exc, exc.__traceback__, limit=-3)
    return f"{type(exc).__name__}: {exc}\n" + "".join(tb[1:-1]).rstrip()


def run_task(fn: ExperimentFn, task: Task) -> dict[str, Any]:
    """Run one task and return its store row (see :data:`solver.sweep.store.COLUMNS`)."""
    from ..io import to_jsonable

    started = time.time()
    t0 = time.perf_counter()
    status, error, record = "ok", None, None
    try:
        out = fn(dict(task.params), task.seed)
        if not isinstance(out, Mapping):
            raise TypeError(f"experiment {task.experiment!r} returned "
                            f"{type(out).__name__}, not a dict")
        record = json.dumps(to_jsonable(dict(out)), allow_nan=False)
    except Exception as exc:  # recorded, never raised: a bad task must not stop the sweep
        status, error = "error", error_text(exc)
    return {"key": task.key, "experiment": task.experiment, "params": task.params_json,
            "seed": task.seed, "version": library_version(), "status": status,
            "error": error, "record": record, "started": started,
            "seconds": time.perf_counter() - t0, "host": _host()}


def run_chunk(fn: ExperimentFn, tasks: Sequence[Task]) -> list[dict[str, Any]]:
    """Run tasks one after the other (a chunk amortises the per-submission overhead)."""
    return [run_task(fn, t) for t in tasks]


def lost_row(task: Task, why: str) -> dict[str, Any]:
    """The error row of a task whose worker died more often than the retries allow."""
    return {"key": task.key, "experiment": task.experiment, "params": task.params_json,
            "seed": task.seed, "version": library_version(), "status": "error",
            "error": why, "record": None, "started": time.time(), "seconds": 0.0,
            "host": _host()}
