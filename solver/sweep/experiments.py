"""Experiments as data: a registry of named functions ``(params, seed) -> record``.

An *experiment* is a plain function of a parameter mapping and a seed that returns a flat
record (a ``dict`` whose values are scalars, or small JSON values such as an ``instance``
dict a report can write back to a file).  Registering it under a name makes it runnable by
:func:`solver.sweep.run_sweep` and ``solver sweep NAME``; the record is stored as JSON and
expanded into DataFrame columns by :func:`solver.sweep.load`.

Built-in experiments (registered on first look-up, see :mod:`solver.sweep.builtin`):
``claim`` (any claim of ``solver verify``), ``solve`` (``solver solve`` on an instance
file), ``sampling.figure2``, ``sampling.theorem51-ratio`` and the synthetic ``bench.spin``.
Plugins register their own with the same decorator::

    from solver.sweep import experiment

    @experiment("pricing.ratio", description="approximation ratio of the greedy pricing")
    def pricing_ratio(params, seed):
        ...
        return {"algorithm": "greedy", "ratio": r, "size": n}
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .params import Param

ExperimentFn = Callable[[Mapping[str, Any], int], Mapping[str, Any]]
#: Validates one parameter set before anything runs (raises ``InstanceError``).
ParamCheck = Callable[[Mapping[str, Any]], None]


@dataclass(frozen=True)
class Experiment:
    """A registered experiment: its name, function, a one-line description, an optional
    check of each parameter set run when the sweep is planned (bad input is exit 2 with
    nothing stored, not one error row per task), and its declared parameters
    (:class:`solver.sweep.params.Param` by name: unknown names, bad values and missing
    required parameters are refused the same way; ``None``: not declared)."""

    name: str
    fn: ExperimentFn
    description: str = ""
    check: ParamCheck | None = None
    params: Mapping[str, Param] | None = None


_EXPERIMENTS: dict[str, Experiment] = {}
_builtins_loaded = False


def experiment(name: str, description: str = "", check: ParamCheck | None = None,
               params: Mapping[str, Param] | None = None
               ) -> Callable[[ExperimentFn], ExperimentFn]:
    """Decorator registering ``fn(params, seed) -> dict`` as the experiment ``name``.

    The function must be defined at module level (it is sent to worker processes and Dask
    workers by reference) and must derive all its randomness from ``seed`` so that a sweep
    gives the same records whatever the number of workers.  ``check(params)``, if given,
    validates every parameter set when the sweep is planned; ``params`` declares the
    parameters (:class:`solver.sweep.params.Param`), checked then too.
    """
    def deco(fn: ExperimentFn) -> ExperimentFn:
        doc = (fn.__doc__ or "").strip().splitlines()
        _EXPERIMENTS[name] = Experiment(name, fn, description or (doc[0] if doc else ""),
                                        check, params)
        return fn
    return deco


def _load_builtins() -> None:
    global _builtins_loaded
    if _builtins_loaded:
        return
    _builtins_loaded = True
    from ..plugins import load_plugins
    from . import builtin  # noqa: F401  (registers the built-in experiments)

    try:
        load_plugins()  # plugins may register experiments of their own
    except Exception as exc:  # a broken plugin must not take the built-ins down with it
        logging.getLogger(__name__).warning("plugin import failed: %s: %s",
                                            type(exc).__name__, exc)


def experiments() -> dict[str, Experiment]:
    """Every registered experiment (built-ins and plugins loaded), sorted by name."""
    _load_builtins()
    return dict(sorted(_EXPERIMENTS.items()))


def get_experiment(name: str) -> Experiment:
    """Look an experiment up by name; ``KeyError`` with the known names if missing."""
    exps = experiments()
    if name not in exps:
        raise KeyError(f"unknown experiment {name!r}; known: {', '.join(exps)}")
    return exps[name]
