"""The registry of design problems, and the one path that solves them (CLI and Python alike).

A problem is a name (the ``problem`` field of an instance file), a parser that turns the
raw mapping into a validated, immutable instance (raising
:class:`~solver.errors.InstanceError`), a solve function returning a JSON-ready dict, and
the names of its methods (what ``--method`` accepts, the default first).  Problems are
registered by the packages' ``plugin`` modules (:mod:`solver.plugins`).

The dict returned by ``solve`` must contain at least ``status`` (one of
:data:`solver.opt.result.STATUSES`), ``objective`` and ``backend``, plus the problem's own
fields; ``bound`` and ``gap`` (relative, :func:`solver.opt.result.relative_gap`) where the
method has them.  Exact combinatorial or closed-form methods report
``status = "optimal"`` and name the method as backend (e.g. ``"exact:enumeration"``).

:func:`solve_file` (``solver solve FILE``) and :func:`solve_instance` (a package's Python
``solve``) run the same steps, so the :class:`~solver.result.Result` a Python caller gets
has ``to_dict()`` equal to what ``solver solve FILE --json`` prints (``seconds`` aside):

1. the budget (:func:`solver.budget.limits`) is opened, with ``time_limit`` and
   ``max_memory``; for a file it also covers loading and parsing;
2. ``method`` is checked against the problem's declared methods (:func:`check_method`),
   an input error (exit 2);
3. the problem's ``solve`` runs; a deadline reached inside it
   (:class:`~solver.errors.TimeLimitReached`) is a ``time_limit`` result with no incumbent;
   the problem refuses a backend that does not suit it, naming those that would
   (:func:`solver.opt.get_backend`, :func:`require_no_backend`);
4. ``backend`` is checked by name (:func:`check_backend`), so that an unknown name is an
   input error (exit 2) even for a problem that ignores it;
5. the answer is checked: a mapping with ``status`` (one of the statuses), ``objective``
   and ``backend`` (else :class:`~solver.errors.SolverError`, a plugin bug), and an
   ``optimal`` or ``approximate`` status needs a finite objective (else status ``error``);
   Python warnings raised during the solve become ``notes``.
"""

from __future__ import annotations

import functools
import math
import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .plugins import load_plugins

if TYPE_CHECKING:  # pragma: no cover - typing only (keeps this module cheap to import)
    from collections.abc import Iterable

    from .claims.registry import Claim
    from .result import Result
    from .sweep.experiments import Experiment

#: Backend-name prefixes a problem reports for its own exact, approximate or heuristic
#: methods (``exact:enumeration``, ``approx:grid``, ``heuristic:local-search``): they are
#: not optimisation backends, so :func:`check_backend` leaves them to the problem.
METHOD_BACKEND_PREFIXES: tuple[str, ...] = ("exact:", "approx:", "heuristic:")
#: Longest one-line note kept from a warning (a longer one is cut).
MAX_NOTE_CHARS = 2000


@dataclass(frozen=True)
class SolveOptions:
    """Options passed to a problem's solve: backend name, time limit, method, seed."""

    backend: str = "auto"
    time_limit: float | None = None
    method: str | None = None
    seed: int = 0


@dataclass(frozen=True)
class ProblemSpec:
    """A registered design problem.

    Attributes
    ----------
    name
        The ``problem`` field of its instance files.
    parse
        Raw mapping -> validated instance (raises :class:`~solver.errors.InstanceError`).
    solve
        ``(instance, SolveOptions) -> dict`` (the module docstring says what it holds).
    description
        One line for ``solver list``.
    methods
        The names ``--method`` accepts, the default first; ``()`` for a problem with a
        single method (then ``--method`` is refused), ``None`` when the problem did not
        declare them (then it checks ``--method`` itself).
    """

    name: str
    parse: Callable[[Mapping[str, Any]], Any]
    solve: Callable[[Any, SolveOptions], Mapping[str, Any]]
    description: str = ""
    methods: tuple[str, ...] | None = None

    @property
    def default_method(self) -> str | None:
        """The method used when none is asked for (the first declared), or ``None``."""
        return self.methods[0] if self.methods else None


_PROBLEMS: dict[str, ProblemSpec] = {}


def require_method(opts: SolveOptions, methods: tuple[str, ...],
                   default: str | None = None) -> str | None:
    """``opts.method`` must be ``None`` or one of ``methods`` (else exit 2 on ``method``).

    Parameters
    ----------
    opts
        The solve options.
    methods
        The accepted names.
    default
        Returned when no method was asked for.

    Returns
    -------
    str or None
        The method, ``default`` when none was asked for.
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

    Parameters
    ----------
    opts
        The solve options.
    exact
        The name the problem reports as backend (e.g. ``"exact:closed-form"``).
    """
    from .errors import InstanceError

    if opts.backend not in ("auto", exact):
        raise InstanceError("backend", f"this problem is solved by {exact} and takes no "
                                       f"optimisation backend; use auto, got {opts.backend!r}")


def register_problem(name: str, parse: Callable[[Mapping[str, Any]], Any],
                     solve: Callable[[Any, SolveOptions], Mapping[str, Any]],
                     description: str = "",
                     methods: tuple[str, ...] | list[str] | None = None) -> ProblemSpec:
    """Register a problem under ``name`` (registering it again replaces it).

    Parameters
    ----------
    name
        The ``problem`` field of its instance files.
    parse, solve
        See :class:`ProblemSpec`.
    description
        One line for ``solver list``.
    methods
        The names ``--method`` accepts, the default first (``solver list`` and
        ``solver solve --help`` show them, and any other name is refused with exit 2 before
        the problem runs); ``()`` for a problem with a single method.  Omitted (``None``):
        not declared, and the problem checks ``--method`` itself.

    Returns
    -------
    ProblemSpec
        The registered spec.
    """
    meths: tuple[str, ...] | None = None
    if methods is not None:
        if isinstance(methods, str):
            raise TypeError(f"methods of {name!r} must be a tuple of names, not a string")
        meths = tuple(str(m) for m in methods)
        if len(set(meths)) != len(meths):
            raise ValueError(f"methods of {name!r} repeat a name: {meths}")
    spec = ProblemSpec(name, parse, solve, description, meths)
    _PROBLEMS[name] = spec
    return spec


def register_package(*, problems: Iterable[ProblemSpec] = (), claims: Iterable[Claim] = (),
                     experiments: Iterable[Experiment] = ()) -> None:
    """Register what one package contributes (what its ``plugin.py`` does, and all it does).

    Parameters
    ----------
    problems
        Its problems, registered by :func:`register_problem` (methods checked there).
    claims
        Its ready claims (:class:`~solver.claims.registry.Claim`), registered unchanged by
        :func:`solver.claims.register_claim`.
    experiments
        Its sweep experiments (:class:`~solver.sweep.experiments.Experiment`), registered
        by :func:`solver.sweep.experiments.experiment`.
    """
    for spec in problems:
        register_problem(spec.name, spec.parse, spec.solve, description=spec.description,
                         methods=spec.methods)
    claims, experiments = tuple(claims), tuple(experiments)
    if claims:
        from .claims.registry import register_claim

        for claim in claims:
            register_claim(claim)
    if experiments:
        from .sweep.experiments import experiment

        for exp in experiments:
            experiment(exp.name, exp.description, exp.check, exp.params)(exp.fn)


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


# ---------------------------------------------------------------------------- checks


def check_backend(backend: str) -> str:
    """``backend`` must be ``"auto"``, a problem's own method name, or a usable backend.

    Names starting with one of :data:`METHOD_BACKEND_PREFIXES` are left to the problem
    (which knows its exact methods); any other name must be a known and installed
    backend of :mod:`solver.opt` (or an alias, e.g. ``scipy``).  Whether that backend suits
    the problem's model is checked when the model exists.

    Parameters
    ----------
    backend
        The ``--backend`` value.

    Returns
    -------
    str
        ``backend``, unchanged.

    Raises
    ------
    BackendUnavailableError
        An unknown or uninstalled backend (an :class:`~solver.errors.InstanceError` on
        ``backend``, exit 2); the message lists the installed backends.
    """
    from .errors import BackendUnavailableError

    if not isinstance(backend, str) or not backend.strip():
        raise BackendUnavailableError(f"must be a backend name or auto, got {backend!r}")
    if backend == "auto" or backend.startswith(METHOD_BACKEND_PREFIXES):
        return backend
    from .opt import get_backend

    get_backend(backend)
    return backend


def check_method(spec: ProblemSpec, method: str | None) -> str | None:
    """``method`` must be ``None`` or one of the problem's declared methods.

    A problem that declared none (``spec.methods is None``) checks it itself.

    Parameters
    ----------
    spec
        The problem.
    method
        The ``--method`` value.

    Returns
    -------
    str or None
        ``method``, unchanged (``None`` stays ``None``: the problem picks its default).

    Raises
    ------
    InstanceError
        On ``method``: not one of the declared names, or given to a single-method problem.
    """
    from .errors import InstanceError

    if method is None or spec.methods is None:
        return method
    if not isinstance(method, str):
        raise InstanceError("method", f"must be a string, got {type(method).__name__}")
    if not spec.methods:
        raise InstanceError("method", f"problem {spec.name!r} has a single method; omit "
                                      f"--method, got {method!r}")
    if method not in spec.methods:
        raise InstanceError("method", f"must be one of {', '.join(spec.methods)}, "
                                      f"got {method!r}")
    return method


# ---------------------------------------------------------------------------- solving


def _plain_number(x: Any) -> Any:
    """``-1.0`` as ``-1`` (for the message of a rejected option), other values unchanged."""
    if isinstance(x, float) and x.is_integer():
        return int(x)
    return x


def _one_line(text: str) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= MAX_NOTE_CHARS else line[: MAX_NOTE_CHARS - 3] + "..."


def _dedupe_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    """``Category: message`` per distinct warning, in order, ``(xN)`` when repeated."""
    counts: dict[str, int] = {}
    for w in caught:
        text = _one_line(f"{w.category.__name__}: {w.message}")
        counts[text] = counts.get(text, 0) + 1
    return [t if n == 1 else f"{t} (x{n})" for t, n in counts.items()]


def _is_finite_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _check_backend_after(backend: str, res: Any) -> None:
    """:func:`check_backend`, once the problem has run (and ignored ``backend``).

    When the problem answered with one of its own methods (a backend name with a prefix of
    :data:`METHOD_BACKEND_PREFIXES`), the error says so, as :func:`require_no_backend` does.
    """
    from .errors import BackendUnavailableError

    try:
        check_backend(backend)
    except BackendUnavailableError:
        used = res.get("backend") if isinstance(res, Mapping) else None
        if isinstance(used, str) and used.startswith(METHOD_BACKEND_PREFIXES):
            raise BackendUnavailableError(
                f"this problem is solved by {used} and takes no optimisation backend; use "
                f"auto, got {backend!r}") from None
        raise


def _solve(load: Callable[[], tuple[ProblemSpec, Any]], backend: str,
           time_limit: float | None, method: str | None, seed: int,
           max_memory: float | str | None) -> dict[str, Any]:
    """The steps of the module docstring; ``load`` runs inside the budget."""
    from . import budget, io
    from .errors import SolverError, TimeLimitReached
    from .opt.result import EXIT_OK_STATUSES, STATUSES
    from .result import Result
    from .validate import parse_bytes

    tl = budget.validate_time_limit(_plain_number(time_limit))
    mm = parse_bytes(max_memory)
    # the deadline starts here, before the design problems' modules are imported (1-4 s on
    # a loaded machine): `--time-limit 5` means the command answers in about 5 s
    with budget.limits(time_limit=tl, max_memory=mm), \
            warnings.catch_warnings(record=True) as caught:
        spec, inst = load()
        check_method(spec, method)
        t0 = time.perf_counter()
        try:
            res = spec.solve(inst, SolveOptions(backend=backend, time_limit=tl, method=method,
                                                seed=int(seed)))
        except TimeLimitReached as exc:
            res = {"status": "time_limit", "objective": None, "bound": None, "gap": None,
                   "backend": "none", "seconds": time.perf_counter() - t0,
                   "message": str(exc)}
        # after the problem, which names the backends that suit it (or says it takes none)
        # and checks its own method first: this catches a problem that ignored the name
        _check_backend_after(backend, res)
    if not isinstance(res, Mapping):  # a plugin bug, not the user's
        raise SolverError(f"problem {spec.name!r} returned {type(res).__name__}, not a dict")
    out: dict[str, Any] = {"problem": spec.name}
    out.update(res)
    out["problem"] = spec.name
    out.setdefault("seconds", time.perf_counter() - t0)
    for key in ("status", "objective", "backend"):
        if key not in out:  # a plugin bug, not the user's
            raise SolverError(f"problem {spec.name!r} returned no {key!r}")
    if out["status"] not in STATUSES:  # a plugin bug, not the user's
        raise SolverError(f"problem {spec.name!r} returned status {out['status']!r}, not one "
                          f"of {', '.join(STATUSES)}")
    if out["status"] in EXIT_OK_STATUSES and not _is_finite_number(
            io.to_jsonable(out["objective"])):
        out["message"] = (f"reported {out['status']} without a finite objective "
                          f"({out['objective']!r})")
        out["status"] = "error"
    notes = _dedupe_warnings(list(caught))
    if notes:
        old = out.get("notes")
        out["notes"] = ([*old] if isinstance(old, list | tuple) else
                        [] if old is None else [str(old)]) + notes
    # one shape for Python and the command line: the certificate first, then the fields
    return Result.from_dict(spec.name, out).to_dict()


def solve_file(path: str | Path, backend: str = "auto", time_limit: float | None = None,
               method: str | None = None, seed: int = 0,
               max_memory: float | str | None = None) -> dict[str, Any]:
    """Load, validate and solve an instance file; return the result dict (CLI contract).

    Parameters
    ----------
    path
        Instance file (JSON or YAML).
    backend, method, seed
        Passed to the problem's solve as :class:`SolveOptions` (both checked, see the
        module docstring, :func:`check_backend` and :func:`check_method`).
    time_limit
        Seconds, positive and finite (``None``: none).  The deadline covers loading and
        model building as well as solving; a problem that runs out of it before it has a
        result gives status ``time_limit`` with no objective.
    max_memory
        Memory budget in bytes (or a size such as ``"2G"``, see
        :func:`solver.validate.parse_bytes`); ``None``:
        :data:`solver.budget.DEFAULT_MAX_MEMORY`.

    Returns
    -------
    dict
        Strict-JSON values: ``problem``, the certificate (``status``, ``objective``,
        ``bound``, ``gap``, ``backend``, ``seconds``), ``message`` when there is one, and
        the problem's fields; ``notes`` lists the Python warnings raised during the solve.
        It is what ``solver solve FILE --json`` prints, and
        ``solve_instance(...).to_dict()`` for the same instance.

    Raises
    ------
    InstanceError
        Bad input, a bad ``backend``/``method``/``time_limit``/``max_memory``, or an
        instance over the budget.
    SolverError
        A backend failed, or the problem returned a malformed result.
    """
    from . import io

    return _solve(lambda: io.load_instance(path), backend, time_limit, method, seed,
                  max_memory)


def solve_instance(spec_or_name: ProblemSpec | str, instance: Any, *, backend: str = "auto",
                   time_limit: float | None = None, method: str | None = None, seed: int = 0,
                   max_memory: float | str | None = None) -> Result:
    """Solve a parsed instance through the registry, as ``solver solve`` does.

    The packages' Python ``solve`` functions call this, so that Python and the command line
    give the same answer: ``solve_instance(name, inst).to_dict()`` equals
    :func:`solve_file` on the instance's file (``seconds`` aside).

    Parameters
    ----------
    spec_or_name
        The problem, or its registered name.
    instance
        The validated instance (what the problem's ``parse`` returns, e.g. the package's
        instance dataclass).
    backend, time_limit, method, seed, max_memory
        As for :func:`solve_file` (the budget covers the solve only: there is nothing to
        load).

    Returns
    -------
    Result
        The certificate and the problem's fields; ``.certify()`` raises unless optimal.

    Raises
    ------
    InstanceError
        A bad ``backend``/``method``/``time_limit``/``max_memory``, or an instance over the
        budget.
    SolverError
        A backend failed, or the problem returned a malformed result.
    """
    from .result import Result

    spec = spec_or_name if isinstance(spec_or_name, ProblemSpec) else get_problem(spec_or_name)
    d = _solve(lambda: (spec, instance), backend, time_limit, method, seed, max_memory)
    return Result.from_dict(spec.name, d)


def within_time_limit(fn: Callable[[Any, SolveOptions], Mapping[str, Any]]
                      ) -> Callable[[Any, SolveOptions], Mapping[str, Any]]:
    """A problem's registered solve, ``fn``, run inside ``opts.time_limit``.

    The wrapper opens :func:`solver.budget.limits` ``(time_limit=opts.time_limit)`` around
    ``fn(inst, opts)``.  A problem whose solve checks its options before it opens the
    deadline keeps its own ``with`` block.

    Parameters
    ----------
    fn
        ``(instance, SolveOptions) -> dict``.

    Returns
    -------
    callable
        The same signature; :func:`functools.wraps` keeps ``fn``'s name and docstring.
    """
    @functools.wraps(fn)
    def run(inst: Any, opts: SolveOptions) -> Mapping[str, Any]:
        from .budget import limits

        with limits(time_limit=opts.time_limit):
            return fn(inst, opts)
    return run


def solve_typed(specs: Mapping[type, ProblemSpec], instance: Any, *, expected: str,
                backend: str = "auto", time_limit: float | None = None,
                method: str | None = None, seed: int = 0) -> Result:
    """A package's public ``solve``: the spec of ``instance``'s type, by :func:`solve_instance`.

    Parameters
    ----------
    specs
        Instance type -> its problem (a subclass gets its first base's problem).
    instance
        The instance to solve.
    expected
        What a wrong argument should have been, for the ``TypeError`` (e.g. ``"a
        PricingInstance (PricingInstance(valuations=rows, supply=N))"``).
    backend, time_limit, method, seed
        As for :func:`solve_instance`.

    Returns
    -------
    Result
        As :func:`solve_instance` returns it.

    Raises
    ------
    TypeError
        ``instance`` is none of the types.
    """
    spec = specs.get(type(instance))
    if spec is None:
        spec = next((s for cls, s in specs.items() if isinstance(instance, cls)), None)
    if spec is None:
        raise TypeError(f"solve expects {expected}, got {type(instance).__name__}")
    return solve_instance(spec, instance, backend=backend, time_limit=time_limit,
                          method=method, seed=seed)


__all__ = ["METHOD_BACKEND_PREFIXES", "ProblemSpec", "SolveOptions", "check_backend",
           "check_method", "get_problem", "problems", "register_package", "register_problem",
           "require_method", "require_no_backend", "solve_file", "solve_instance",
           "solve_typed", "within_time_limit"]
