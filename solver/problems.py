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


def require_method(opts: SolveOptions, methods: tuple[str, ...],
                   default: str | None = None) -> str | None:
    """``opts.method`` must be ``None`` or one of ``methods`` (else exit 2 on ``method``).

    Returns the method, ``default`` when none was asked for.
    """
    from .errors import InstanceError

    if opts.method is None:
        return default
    if opts.method not in methods:
        raise InstanceError("method", f"must be one of {', '.join(methods)}, "
                                      f"got {opts.method!r}")
    return opts.method


def require_no_backend(opts: SolveOptions, exact: str) -> None:
    """A problem solved without an LP backend accepts only ``--backend auto`` (or ``exact``).

    ``exact`` is the name it reports as backend (e.g. ``"exact:closed-form"``).
    """
    from .errors import InstanceError

    if opts.backend not in ("auto", exact):
        raise InstanceError("backend", f"this problem is solved by {exact} and takes no "
                                       f"optimisation backend; use auto, got {opts.backend!r}")


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
