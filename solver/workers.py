"""Process pools that survive a dying worker: what ``verify``/``reproduce`` and ``bench`` use.

A worker process that dies (segfault, out of memory, ``os._exit``) breaks a
:class:`~concurrent.futures.ProcessPoolExecutor`: every task in flight fails with
``BrokenProcessPool``.  :func:`recovering_map` reruns those tasks one at a time in a fresh
one-worker pool, so a death is charged to the task that caused it (its result is ``None``
when it dies again) and the others complete normally.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any

__all__ = ["fork_context", "quiet_worker", "recovering_map"]


def quiet_worker() -> None:
    """Send a worker's stdout to stderr: a backend's banner must not mix with the JSON."""
    try:
        sys.stdout.flush()
        os.dup2(sys.stderr.fileno(), 1)
    except (OSError, ValueError):  # pragma: no cover - no real file descriptors
        pass
    sys.stdout = sys.stderr


def fork_context() -> Any:
    """``fork`` where there is one: workers inherit every registration, start at once."""
    import multiprocessing as mp

    try:
        return mp.get_context("fork")
    except ValueError:  # pragma: no cover - Windows
        return mp.get_context()


def recovering_map(fn: Callable[..., Any], items: Sequence[tuple[Any, ...]], workers: int, *,
                   after_submit: Callable[[], None] | None = None
                   ) -> Iterator[tuple[int, Any]]:
    """``(index, fn(*items[index]))`` for every item, in completion order, on ``workers``
    processes (:func:`fork_context`, :func:`quiet_worker`).

    ``after_submit`` runs in this process once every task is submitted (with ``fork``,
    every worker is started by then, before a thread of the caller's may start).  A task
    lost with its worker is rerun alone afterwards; if that worker dies too, its result is
    ``None``.
    """
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    def pool(n: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=n, mp_context=fork_context(),
                                   initializer=quiet_worker)

    lost: list[int] = []
    ex = pool(workers)
    try:
        futs = {ex.submit(fn, *item): i for i, item in enumerate(items)}
        if after_submit is not None:
            after_submit()
        pending = set(futs)
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for f in finished:
                try:
                    res = f.result()
                except BrokenProcessPool:
                    lost.append(futs[f])
                    continue
                yield futs[f], res
    finally:
        ex.shutdown(wait=True, cancel_futures=True)
    for i in sorted(lost):  # alone, so a second death is charged to the task itself
        ex = pool(1)
        try:
            res = ex.submit(fn, *items[i]).result()
        except BrokenProcessPool:
            res = None
        finally:
            ex.shutdown(wait=True, cancel_futures=True)
        yield i, res
