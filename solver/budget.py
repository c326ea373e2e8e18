"""The resource budget of one solve: a wall-clock deadline and a memory cap.

Every problem and method estimates its memory and work from the instance's sizes *before*
it builds anything, and refuses what exceeds the budget with an
:class:`~solver.errors.SizeLimitError` (exit 2) that names the field, the estimate, and the
method that scales.  The deadline covers model building as well as solving:
:func:`solver.opt.solve` hands a backend only the seconds that are left, and long model
builders call :func:`check_deadline` between stages.

The budget is a context variable, so it needs no plumbing through every function::

    from solver import budget
    with budget.limits(time_limit=5, max_memory=2e9):
        ...                       # every solve() and estimate inside sees it

The command line opens one such context per ``solver solve`` (``--time-limit``,
``--max-memory``).  Outside any context the defaults apply: no deadline,
:data:`DEFAULT_MAX_MEMORY` bytes and :data:`DEFAULT_MAX_WORK` elementary operations.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace

from .errors import InstanceError, SizeLimitError, TimeLimitReached

#: Default memory budget of one solve, in bytes (2 GiB); ``--max-memory`` changes it.
DEFAULT_MAX_MEMORY: float = 2.0 * 1024**3
#: Default work budget of one solve, in elementary operations (about a minute of vectorised
#: numpy on one core at ~1e8 operations per second for the slowest kernels here).  Methods
#: whose cost is a count of enumerated cases check it with :func:`check_work`.
DEFAULT_MAX_WORK: float = 5e9


@dataclass(frozen=True)
class Budget:
    """Limits in force: ``deadline`` is a :func:`time.monotonic` instant (``None``: none)."""

    max_memory: float = DEFAULT_MAX_MEMORY
    max_work: float = DEFAULT_MAX_WORK
    deadline: float | None = None
    #: Whether ``max_memory`` / ``max_work`` were set by an enclosing :func:`limits` (an
    #: inner context then only tightens them) or are the module defaults (which an explicit
    #: cap replaces, so ``--max-memory 4G`` raises the 2 GiB default).
    memory_set: bool = False
    work_set: bool = False

    def remaining(self) -> float | None:
        """Seconds left before the deadline (may be negative), or ``None`` without one."""
        return None if self.deadline is None else self.deadline - time.monotonic()


_DEFAULT = Budget()
# The dataclass is frozen, so sharing one default instance is safe.
_CURRENT: ContextVar[Budget] = ContextVar("solver_budget", default=_DEFAULT)  # noqa: B039


def current() -> Budget:
    """The budget in force here."""
    return _CURRENT.get()


def validate_time_limit(time_limit: float | None, field: str = "time_limit") -> float | None:
    """``None`` or a positive finite number of seconds; anything else is an input error."""
    if time_limit is None:
        return None
    if isinstance(time_limit, bool) or not isinstance(time_limit, int | float):
        raise InstanceError(field, f"must be a number of seconds, got {time_limit!r}")
    t = float(time_limit)
    if not math.isfinite(t) or t <= 0:
        raise InstanceError(field, f"must be positive and finite, got {time_limit}")
    return t


def validate_max_memory(max_memory: float | None, field: str = "max_memory") -> float | None:
    """``None`` or a positive finite number of bytes."""
    if max_memory is None:
        return None
    if isinstance(max_memory, bool) or not isinstance(max_memory, int | float):
        raise InstanceError(field, f"must be a number of bytes, got {max_memory!r}")
    m = float(max_memory)
    if not math.isfinite(m) or m <= 0:
        raise InstanceError(field, f"must be positive and finite, got {max_memory}")
    return m


@contextmanager
def limits(time_limit: float | None = None, max_memory: float | None = None,
           max_work: float | None = None) -> Iterator[Budget]:
    """Open a budget: a deadline ``time_limit`` seconds from now, and caps.

    Nested contexts can only tighten: the deadline is the earlier one and the caps the
    smaller ones.  The first explicit cap replaces the module default (it may raise it).
    """
    time_limit = validate_time_limit(time_limit)
    max_memory = validate_max_memory(max_memory)
    outer = current()
    deadline = outer.deadline
    if time_limit is not None:
        mine = time.monotonic() + time_limit
        deadline = mine if deadline is None else min(deadline, mine)
    def cap(old: float, new: float | None, was_set: bool) -> tuple[float, bool]:
        if new is None:
            return old, was_set
        return (min(old, new) if was_set else float(new)), True

    mem, mem_set = cap(outer.max_memory, max_memory, outer.memory_set)
    work, work_set = cap(outer.max_work, max_work, outer.work_set)
    b = replace(outer, deadline=deadline, max_memory=mem, max_work=work, memory_set=mem_set,
                work_set=work_set)
    token = _CURRENT.set(b)
    try:
        yield b
    finally:
        _CURRENT.reset(token)


def remaining_time(time_limit: float | None = None) -> float | None:
    """The time limit to hand a solver now: ``time_limit`` capped by the deadline."""
    left = current().remaining()
    if left is None:
        return time_limit
    return left if time_limit is None else min(time_limit, left)


def check_deadline(stage: str) -> None:
    """Raise :class:`~solver.errors.TimeLimitReached` if the deadline has passed."""
    left = current().remaining()
    if left is not None and left <= 0:
        raise TimeLimitReached(f"time limit reached while {stage}")


def _gib(nbytes: float) -> str:
    return f"{nbytes / 1024**3:.3g} GiB"


def check_memory(field: str, nbytes: float, method: str, alternative: str | None = None) -> None:
    """Refuse ``method`` if its estimated memory ``nbytes`` exceeds the budget.

    Parameters
    ----------
    field
        The instance field whose size drives the estimate (named in the error).
    nbytes
        Estimated peak memory of the method, in bytes (computed from sizes, in floats, so
        it cannot overflow).
    method
        What would have been built, e.g. ``"the pairwise MILP (eq. 2)"``.
    alternative
        The method that scales, e.g. ``"--method grid"``; ``None`` if there is none.
    """
    cap = current().max_memory
    if not nbytes <= cap:     # also catches nan/inf estimates
        rule = (f"{method} needs an estimated {_gib(nbytes)}, more than the memory budget "
                f"of {_gib(cap)} (--max-memory)")
        if alternative is None:
            raise InstanceError(field, rule)
        raise SizeLimitError(field, rule, alternative)


def check_work(field: str, operations: float, method: str, alternative: str | None = None) -> None:
    """Refuse ``method`` if its estimated operation count exceeds the work budget."""
    cap = current().max_work
    if not operations <= cap:
        rule = (f"{method} needs an estimated {operations:.3g} operations, more than the work "
                f"budget of {cap:.3g}")
        if alternative is None:
            raise InstanceError(field, rule)
        raise SizeLimitError(field, rule, alternative)


__all__ = ["DEFAULT_MAX_MEMORY", "DEFAULT_MAX_WORK", "Budget", "check_deadline",
           "check_memory", "check_work", "current", "limits", "remaining_time",
           "validate_max_memory", "validate_time_limit"]
