"""Algorithms, evaluators and instance families: the three registries of :mod:`solver.bench`.

An **algorithm** is a Python callable ``fn(instance, rng) -> answer`` taking a problem's
instance (e.g. :class:`solver.sampling.SamplingInstance`) and a seeded
:class:`numpy.random.Generator`, and returning the object that problem's mechanisms
produce (a count distribution ``p(0..m)`` for ``sampling``, a pricing curve ``q(0..N)`` or
``(sizes, prices)`` for ``pricing``).  It never reports its own value: the problem's
**evaluator** computes it with the library's own code and checks the answer's feasibility
(:class:`Evaluation`).  An **instance family** is a seeded generator
``generate(rng, **params) -> instance`` registered by name.

Algorithms are named either by a registered name (``ordering``, ``local-search``) or by an
import path ``package.module:function`` (:func:`load_algorithm`), so user code outside
``solver/`` needs no registration.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import InstanceError

AlgorithmFn = Callable[[Any, np.random.Generator], Any]

#: Ratio senses: ``ALG/OPT`` for payments and costs (minimised), ``OPT/ALG`` for revenue
#: and welfare (maximised); both are >= 1 for a feasible answer when OPT bounds every
#: feasible answer (:attr:`Evaluator.opt_bounds_answers`).
SENSE_MIN = "ALG/OPT"
SENSE_MAX = "OPT/ALG"


@dataclass(frozen=True)
class Evaluation:
    """The library's verdict on an algorithm's answer.

    Attributes
    ----------
    value
        The answer's objective computed by the evaluator (``nan`` if it could not be).
    violations
        Feasibility rules the answer breaks (empty when feasible), one line each.
    details
        JSON-ready extra fields (e.g. the answer's mean count).
    """

    value: float
    violations: tuple[str, ...] = ()
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def feasible(self) -> bool:
        """No violation."""
        return not self.violations


def number_or_nan(x: Any) -> float:
    """``float(x)``, or ``nan`` for ``None`` and anything else that is not a number."""
    try:
        return float(x)
    except (TypeError, ValueError):
        return float("nan")


@dataclass(frozen=True)
class Opt:
    """The problem's certified solve of one instance.

    Attributes
    ----------
    status
        A status of :data:`solver.opt.result.STATUSES`; only ``optimal`` is proven.
    objective, bound
        The incumbent and the proven bound (``nan`` where missing).
    backend
        What solved it.
    """

    status: str
    objective: float
    bound: float
    backend: str = ""

    @classmethod
    def of_result(cls, result: Any) -> Opt:
        """The Opt of a package's :class:`~solver.result.Result` (its attributes: the
        ``to_dict()`` conversion costs ~2.7 ms a task and carries nothing the Opt needs)."""
        return cls(str(result.status), number_or_nan(result.objective), number_or_nan(result.bound),
                   str(result.backend or ""))

    @property
    def proven(self) -> bool:
        """Whether OPT is proven optimal (only then does a ratio enter statistics)."""
        return self.status == "optimal" and bool(np.isfinite(self.objective))


@dataclass(frozen=True)
class Evaluator:
    """How one problem is benchmarked.

    Attributes
    ----------
    problem
        The problem name (``solver list``).
    instance_type
        The instance class (``from_dict``/``to_dict``).
    sense
        :data:`SENSE_MIN` or :data:`SENSE_MAX`.
    objective
        What is measured, for titles ("expected payment per seller", "revenue").
    evaluate
        ``(instance, answer) -> Evaluation``.
    solve
        ``(instance, time_limit) -> Opt`` (the package's certified ``solve``).
    opt_bounds_answers
        Whether OPT bounds every feasible answer, so that an answer better than the
        certified OPT is infeasible (``True``); ``False`` where OPT is a benchmark of
        another mechanism class that feasible answers may beat, e.g. FL12's envy-free
        benchmark, which Mechanism 1 (buying ``w`` units only in expectation) often
        undercuts: then ratios below 1 are legitimate.
    """

    problem: str
    instance_type: type[Any]
    sense: str
    objective: str
    evaluate: Callable[[Any, Any], Evaluation]
    solve: Callable[[Any, float | None], Opt]
    opt_bounds_answers: bool = True


@dataclass(frozen=True)
class Algorithm:
    """A registered algorithm: name, problem, callable, one-line description."""

    name: str
    problem: str
    fn: AlgorithmFn
    description: str = ""


@dataclass(frozen=True)
class Family:
    """A seeded instance family.

    Attributes
    ----------
    name
        Registry name (``sampling.random``).
    problem
        The problem its instances belong to.
    generate
        ``(rng, **params) -> instance``.
    defaults
        Every parameter with its default (others are refused).
    description
        One line, citing the paper where the family comes from it.
    neighbour
        ``(params, rng) -> params``: a local move in parameter space, for
        :func:`solver.bench.worst` (``None``: the family is not searchable).
    random_params
        ``rng -> params``: a random restart point for the search.
    """

    name: str
    problem: str
    generate: Callable[..., Any]
    defaults: Mapping[str, Any]
    description: str = ""
    neighbour: Callable[[dict[str, Any], np.random.Generator], dict[str, Any]] | None = None
    random_params: Callable[[np.random.Generator], dict[str, Any]] | None = None

    def check(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """``params`` over the defaults; an unknown name is an InstanceError (exit 2)."""
        unknown = sorted(set(params) - set(self.defaults))
        if unknown:
            raise InstanceError("grid", f"family {self.name} has no parameter "
                                        f"{', '.join(unknown)} (it takes "
                                        f"{', '.join(sorted(self.defaults)) or 'none'})")
        return {**self.defaults, **params}

    def make(self, params: Mapping[str, Any], seed: int) -> Any:
        """The instance for ``params`` (over the defaults) and ``seed``."""
        full = self.check(params)
        return self.generate(np.random.default_rng(seed), **full)

    def validate(self, params: Mapping[str, Any], seed: int = 0) -> None:
        """Build one instance of ``params`` so a bad parameter *value* is an InstanceError
        (exit 2) before anything runs, not an ``error`` row of every task.

        A generator's own InstanceError passes through; any other exception (a value of the
        wrong type, out of range for the generator) becomes one on ``grid``.
        """
        try:
            self.make(params, seed)
        except InstanceError:
            raise
        except Exception as exc:  # the generator's own failure on this value
            raise InstanceError("grid", f"family {self.name} cannot build an instance from "
                                        f"{dict(params)}: {type(exc).__name__}: {exc}"
                                ) from None


_EVALUATORS: dict[str, Evaluator] = {}
_ALGORITHMS: dict[tuple[str, str], Algorithm] = {}
_FAMILIES: dict[str, Family] = {}
_shipped_loaded = False


def _load_shipped() -> None:
    global _shipped_loaded
    if not _shipped_loaded:
        _shipped_loaded = True
        from ..plugins import load_user_plugins
        from . import shipped  # noqa: F401  (registers the shipped algorithms and families)

        load_user_plugins()


def register_evaluator(ev: Evaluator) -> Evaluator:
    """Register the evaluator of ``ev.problem`` (again: replaces it)."""
    _EVALUATORS[ev.problem] = ev
    return ev


def register_algorithm(name: str, problem: str, fn: AlgorithmFn,
                       description: str = "") -> Algorithm:
    """Register ``fn(instance, rng) -> answer`` as algorithm ``name`` of ``problem``."""
    alg = Algorithm(name, problem, fn, description)
    _ALGORITHMS[(problem, name)] = alg
    return alg


def register_family(family: Family) -> Family:
    """Register an instance family under ``family.name`` (again: replaces it)."""
    _FAMILIES[family.name] = family
    return family


def evaluators() -> dict[str, Evaluator]:
    """Every problem that can be benchmarked."""
    _load_shipped()
    return dict(_EVALUATORS)


def get_evaluator(problem: str) -> Evaluator:
    """The evaluator of ``problem`` (an unknown one is an InstanceError on ``problem``)."""
    evs = evaluators()
    if problem not in evs:
        raise InstanceError("problem", f"cannot be benchmarked: must be one of "
                                       f"{', '.join(sorted(evs))}, got {problem!r}")
    return evs[problem]


def algorithms(problem: str | None = None) -> dict[str, Algorithm]:
    """Registered algorithms (of ``problem``), keyed ``problem:name`` or ``name``."""
    _load_shipped()
    if problem is None:
        return {f"{p}:{n}": a for (p, n), a in _ALGORITHMS.items()}
    return {n: a for (p, n), a in _ALGORITHMS.items() if p == problem}


def families(problem: str | None = None) -> dict[str, Family]:
    """Registered instance families (of ``problem``)."""
    _load_shipped()
    return {n: f for n, f in _FAMILIES.items() if problem in (None, f.problem)}


def get_family(name: str, problem: str | None = None) -> Family:
    """Look a family up (unknown, or of another problem: InstanceError on ``family``)."""
    fams = families()
    if name not in fams:
        raise InstanceError("family", f"must be one of {', '.join(sorted(fams))}, "
                                      f"got {name!r}")
    fam = fams[name]
    if problem is not None and fam.problem != problem:
        raise InstanceError("family", f"{name} generates {fam.problem} instances, "
                                      f"not {problem}")
    return fam


def load_algorithm(spec: str | Algorithm | AlgorithmFn, problem: str) -> Algorithm:
    """An algorithm by registered name, by ``package.module:function``, or a callable.

    Parameters
    ----------
    spec
        ``"ordering"`` (registered for ``problem``), ``"mypkg.algs:posted_price"`` (imported;
        the module must be importable, e.g. on ``PYTHONPATH``), or a callable.
    problem
        The problem benchmarked.

    Returns
    -------
    Algorithm
        Named after ``spec`` (the import path for imported code).

    Raises
    ------
    InstanceError
        On ``algorithm``: unknown name, module not importable, or not a callable.
    """
    if isinstance(spec, Algorithm):
        return spec
    if callable(spec):
        name = f"{getattr(spec, '__module__', '?')}:{getattr(spec, '__qualname__', '?')}"
        return Algorithm(name, problem, spec)
    if not isinstance(spec, str) or not spec.strip():
        raise InstanceError("algorithm", f"must be a name or module:function, got {spec!r}")
    own = algorithms(problem)
    if spec in own:
        return own[spec]
    if ":" not in spec:
        raise InstanceError("algorithm", f"{spec!r} is not an algorithm of {problem} "
                                         f"({', '.join(sorted(own))}) nor module:function")
    mod_name, _, attr = spec.partition(":")
    try:
        mod = importlib.import_module(mod_name)
    except Exception as exc:  # ImportError, or the module's own error
        raise InstanceError("algorithm", f"cannot import {mod_name!r}: "
                                         f"{type(exc).__name__}: {exc}") from None
    obj: Any = mod
    for part in attr.split("."):
        obj = getattr(obj, part, None)
    if not callable(obj):
        raise InstanceError("algorithm", f"{spec!r}: {attr!r} is not a callable of {mod_name}")
    return Algorithm(spec, problem, obj, (obj.__doc__ or "").strip().split("\n")[0])
