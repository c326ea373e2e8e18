"""The registry of design problems behind ``solver solve``.

A problem is a name (the ``problem`` field of an instance file), a parser that turns the
raw mapping into a validated, immutable instance (raising
:class:`~solver.errors.InstanceError`), and a solve function returning a JSON-ready dict.

The dict returned by ``solve`` must contain at least ``status`` (one of
:data:`solver.opt.STATUSES`), ``objective``, ``backend`` and ``seconds``, plus the problem's
own fields.  Exact combinatorial or closed-form methods report ``status = "optimal"`` and
name the method as backend (e.g. ``"exact:enumeration"``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .plugins import load_plugins


@dataclass(frozen=True)
class SolveOptions:
    """Options the CLI passes through: backend name, time limit, method, seed."""

    backend: str = "auto"
    time_limit: float | None = None
    method: str | None = None
    seed: int = 0


@dataclass(frozen=True)
class ProblemSpec:
    """A registered design problem."""

    name: str
    parse: Callable[[Mapping[str, Any]], Any]
    solve: Callable[[Any, SolveOptions], dict[str, Any]]
    description: str = ""


_PROBLEMS: dict[str, ProblemSpec] = {}


def register_problem(name: str, parse: Callable[[Mapping[str, Any]], Any],
                     solve: Callable[[Any, SolveOptions], dict[str, Any]],
                     description: str = "") -> ProblemSpec:
    """Register a problem under ``name`` (idempotent for the same functions)."""
    spec = ProblemSpec(name, parse, solve, description)
    _PROBLEMS[name] = spec
    return spec


def problems() -> dict[str, ProblemSpec]:
    """Every registered problem, plugins loaded."""
    load_plugins()
    return dict(_PROBLEMS)


def get_problem(name: str) -> ProblemSpec:
    """Look a problem up; unknown names raise an InstanceError on the ``problem`` field."""
    from .errors import InstanceError

    probs = problems()
    if not isinstance(name, str) or name not in probs:
        raise InstanceError("problem", f"must be one of {', '.join(sorted(probs))}, got {name!r}")
    return probs[name]
