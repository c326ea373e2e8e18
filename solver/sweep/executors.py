"""Executors: where tasks run.  In-process, local worker processes (default), or Dask.

All three take chunks of tasks from a :class:`Chunker` and hand every finished row to an
``emit`` callback (which writes it to the store at once).  Chunks grow adaptively so that a
chunk lasts about ``target_s`` (0.1 s): short tasks are batched to keep the per-task
overhead well below a millisecond, long tasks go one by one so a kill loses little work.
At most ``2 × workers`` chunks are in flight, so memory stays flat for any sweep length.

The Dask plumbing is shared with ``solver verify``/``reproduce``/``bench --scheduler``
(:mod:`solver.claims.runner`, :mod:`solver.bench.runner`): :func:`connect_dask` (the
optional-dependency and unreachable-scheduler errors), :func:`scheduler_client` (the same
as bad input on ``scheduler``, exit 2) and :func:`dask_map` (one call per item, in
completion order, a bounded number in flight).
"""

from __future__ import annotations

import math
import os
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from ..errors import InstanceError
from .experiments import ExperimentFn
from .plan import Task
from .worker import lost_row, run_chunk, run_task

Emit = Callable[[list[dict[str, Any]]], None]

#: How long connecting to a Dask scheduler may take before it is reported unreachable.
DASK_CONNECT_TIMEOUT = "20s"
#: Tasks kept in flight per Dask worker thread by :func:`dask_map` (bounded memory).
DASK_WINDOW_PER_THREAD = 2


class SweepError(RuntimeError):
    """A sweep could not run (missing optional dependency, unreachable scheduler, ...)."""


class Chunker:
    """A queue of tasks handed out in chunks sized from the observed task time."""

    def __init__(self, tasks: Sequence[Task], capacity: int, target_s: float = 0.1,
                 max_chunk: int = 256) -> None:
        self.queue: deque[Task] = deque(tasks)
        self.capacity = max(1, capacity)
        self.target_s = target_s
        self.max_chunk = max_chunk
        self.mean_s: float | None = None

    def __bool__(self) -> bool:
        return bool(self.queue)

    def next_chunk(self) -> list[Task]:
        size = 1
        if self.mean_s is not None:
            size = int(min(self.max_chunk, max(1.0, self.target_s / max(self.mean_s, 1e-6))))
        # near the end, split what is left evenly so no worker idles behind a big chunk
        size = max(1, min(size, math.ceil(len(self.queue) / self.capacity)))
        return [self.queue.popleft() for _ in range(min(size, len(self.queue)))]

    def observe(self, rows: Sequence[dict[str, Any]]) -> None:
        for r in rows:
            s = float(r["seconds"])
            self.mean_s = s if self.mean_s is None else 0.8 * self.mean_s + 0.2 * s

    def requeue(self, tasks: Sequence[Task]) -> None:
        self.queue.extendleft(reversed(tasks))


class InlineExecutor:
    """Run every task in this process, one after the other (``workers=0``; for debugging)."""

    name = "inline"
    workers = 1

    def run(self, fn: ExperimentFn, tasks: Sequence[Task], emit: Emit, retries: int) -> None:
        for t in tasks:
            emit([run_task(fn, t)])

    def close(self) -> None:
        pass


class LocalExecutor:
    """A ``ProcessPoolExecutor`` of ``workers`` processes (default ``os.cpu_count()``).

    A worker process that dies (segfault, ``os._exit``, OOM kill) breaks the pool; the
    pool is rebuilt and the tasks that were in flight are run again one at a time, alone,
    so that a death is charged to the task that caused it: that task is retried up to
    ``retries`` times, then recorded as an error; the others run normally.
    """

    name = "local"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)

    def _pool(self) -> Any:
        from concurrent.futures import ProcessPoolExecutor

        return ProcessPoolExecutor(max_workers=self.workers)

    def run(self, fn: ExperimentFn, tasks: Sequence[Task], emit: Emit, retries: int) -> None:
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        chunker = Chunker(tasks, self.workers)
        suspects: deque[Task] = deque()  # tasks in flight when a worker died
        attempts: dict[str, int] = {}
        pool = self._pool()
        inflight: dict[Any, list[Task]] = {}
        try:
            while chunker or suspects or inflight:
                broken = False
                try:
                    if suspects:  # one at a time, alone, so a death is attributed exactly
                        if not inflight:
                            t = suspects.popleft()
                            try:
                                inflight[pool.submit(run_chunk, fn, [t])] = [t]
                            except BrokenProcessPool:
                                suspects.appendleft(t)
                                raise
                    else:
                        while chunker and len(inflight) < 2 * self.workers:
                            chunk = chunker.next_chunk()
                            try:
                                inflight[pool.submit(run_chunk, fn, chunk)] = chunk
                            except BrokenProcessPool:
                                chunker.requeue(chunk)
                                raise
                except BrokenProcessPool:  # broke since the last wait: not these tasks' fault
                    broken = True
                lost: list[Task] = []
                done = wait(list(inflight), return_when=FIRST_COMPLETED)[0] if inflight else ()
                for fut in done:
                    chunk = inflight.pop(fut)
                    try:
                        rows = fut.result()
                    except BrokenProcessPool:
                        lost.extend(chunk)
                        continue
                    chunker.observe(rows)
                    emit(rows)
                if not lost and not broken:
                    continue
                # the pool is broken: every chunk still in flight is lost with it
                for chunk in inflight.values():
                    lost.extend(chunk)
                inflight.clear()
                pool.shutdown(wait=False, cancel_futures=True)
                pool = self._pool()
                if len(lost) != 1:  # cannot tell which task killed the worker: isolate them
                    suspects.extend(lost)
                    continue
                t = lost[0]
                attempts[t.key] = attempts.get(t.key, 0) + 1
                if attempts[t.key] > retries:
                    emit([lost_row(t, f"WorkerLost: the worker process died "
                                      f"{attempts[t.key]} times running this task")])
                else:
                    suspects.appendleft(t)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def close(self) -> None:
        pass


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise SweepError("the Dask executor needs the optional packages dask and distributed: "
                         "pip install 'solver[dask]'") from None
    return distributed


def connect_dask(scheduler: Any) -> tuple[Any, bool]:
    """A ``distributed.Client`` for ``scheduler``, and whether it was opened here.

    Parameters
    ----------
    scheduler
        A scheduler address (``tcp://HOST:PORT``: a Client is opened, waiting at most
        :data:`DASK_CONNECT_TIMEOUT`; the caller closes it) or a ``distributed.Client``
        (used as it is).

    Raises
    ------
    SweepError
        ``distributed`` is not installed (the message says how to install it), the address
        is malformed, or no scheduler answers there.
    """
    distributed = _import_distributed()
    if isinstance(scheduler, str):
        try:
            return distributed.Client(scheduler, timeout=DASK_CONNECT_TIMEOUT), True
        except (OSError, ValueError) as exc:  # unreachable (a timeout), or a bad address
            raise SweepError(f"cannot reach the Dask scheduler at {scheduler}: {exc}"
                             ) from None
    if not isinstance(scheduler, distributed.Client):
        raise SweepError(f"a scheduler is an address tcp://HOST:PORT or a "
                         f"distributed.Client, got {type(scheduler).__name__}")
    return scheduler, False


def dask_threads(client: Any) -> int:
    """The worker threads of ``client``'s cluster (at least 1)."""
    return max(1, sum(client.nthreads().values()))


@contextmanager
def scheduler_client(scheduler: Any) -> Iterator[Any]:
    """:func:`connect_dask` as bad input: any failure is ``InstanceError("scheduler", ...)``.

    What ``solver verify``/``reproduce``/``bench --scheduler`` use (exit 2, one line naming
    ``scheduler``); a Client opened here is closed on exit.
    """
    try:
        client, own = connect_dask(scheduler)
    except SweepError as exc:
        raise InstanceError("scheduler", str(exc)) from None
    try:
        yield client
    finally:
        if own:
            client.close()


def dask_map(client: Any, fn: Callable[..., Any], items: Sequence[tuple[Any, ...]], *,
             name: str = "task") -> Iterator[tuple[int, Any, BaseException | None]]:
    """``fn(*item)`` for every item on the cluster of ``client``, in completion order.

    At most :data:`DASK_WINDOW_PER_THREAD` tasks per worker thread are in flight, so
    memory stays flat for any number of items.  A worker lost mid-task is rescheduled by
    Dask (up to ``distributed.scheduler.allowed-failures``).

    Yields
    ------
    tuple
        ``(index, result, None)``, or ``(index, None, exception)`` for an item whose task
        raised or whose workers kept dying (``KilledWorker``).
    """
    distributed = _import_distributed()
    window = DASK_WINDOW_PER_THREAD * dask_threads(client)
    ac = distributed.as_completed()
    inflight: dict[Any, int] = {}
    todo = deque(enumerate(items))
    tag = uuid.uuid4().hex[:12]

    def submit() -> None:
        while todo and len(inflight) < window:
            i, item = todo.popleft()
            fut = client.submit(fn, *item, pure=False, key=f"{name}-{tag}-{i}")
            inflight[fut] = i
            ac.add(fut)

    try:
        submit()
        for fut in ac:
            i = inflight.pop(fut)
            try:
                result = fut.result()
            except Exception as exc:  # KilledWorker, or the task's own exception
                outcome: tuple[int, Any, BaseException | None] = (i, None, exc)
            else:
                outcome = (i, result, None)
            fut.release()
            yield outcome
            submit()
    finally:  # the caller stopped early (an error, Ctrl-C): drop what is still queued
        for fut in inflight:
            fut.cancel()


class DaskExecutor:
    """Tasks on a Dask cluster: a scheduler address (``tcp://HOST:PORT``) or a ``Client``.

    Every chunk is a ``client.submit(..., retries=retries)``; a chunk whose worker is lost
    is rescheduled by Dask (up to ``distributed.scheduler.allowed-failures``), one that
    raises is retried ``retries`` times; what still fails is recorded as errors.  Workers
    need ``solver`` (and any plugin defining the experiment) installed, and instance files
    at the same paths (a shared file system).
    """

    name = "dask"

    def __init__(self, scheduler: Any) -> None:
        self.client, self._own = connect_dask(scheduler)
        self.workers = dask_threads(self.client)

    def run(self, fn: ExperimentFn, tasks: Sequence[Task], emit: Emit, retries: int) -> None:
        distributed = _import_distributed()
        chunker = Chunker(tasks, self.workers)
        inflight: dict[Any, list[Task]] = {}
        ac = distributed.as_completed()
        n = 0

        def submit() -> None:
            nonlocal n
            while chunker and len(inflight) < 2 * self.workers:
                chunk = chunker.next_chunk()
                n += 1
                fut = self.client.submit(run_chunk, fn, chunk, pure=False, retries=retries,
                                         key=f"sweep-{chunk[0].key}-{n}")
                inflight[fut] = chunk
                ac.add(fut)

        submit()
        for fut in ac:
            chunk = inflight.pop(fut)
            try:
                rows = fut.result()
            except Exception as exc:  # KilledWorker, or a failure beyond the retries
                emit([lost_row(t, f"{type(exc).__name__}: {exc}") for t in chunk])
            else:
                chunker.observe(rows)
                emit(rows)
            fut.release()
            submit()

    def close(self) -> None:
        if self._own:
            self.client.close()


def make_executor(workers: int | None = None, scheduler: Any = None
                  ) -> InlineExecutor | LocalExecutor | DaskExecutor:
    """Dask when ``scheduler`` is given, else local processes (in-process for ``workers=0``)."""
    if scheduler is not None:
        return DaskExecutor(scheduler)
    if workers == 0:
        return InlineExecutor()
    return LocalExecutor(workers)
