"""Benchmark your own algorithm against the certified OPT [GAH12, CCK25].

An algorithm is ``fn(instance, rng) -> answer`` (:mod:`solver.bench.interface`); the
library evaluates the answer itself and checks its feasibility, solves OPT with the
problem's certified ``solve``, and reports the ratio in a stated sense (``ALG/OPT`` for
payments and costs, ``OPT/ALG`` for revenue and welfare).  :func:`run` benchmarks
algorithms on a registered instance family (:func:`families`) and returns a DataFrame,
:func:`summary` aggregates it, :func:`worst` searches a family for the worst instance and
:func:`rerun` replays the file it saves.  ``solver bench`` and ``solver worst`` are the same
from the command line (docs/bench.md).
"""

from __future__ import annotations

from .interface import (
    SENSE_MAX,
    SENSE_MIN,
    Algorithm,
    Evaluation,
    Evaluator,
    Family,
    Opt,
    algorithms,
    evaluators,
    families,
    get_evaluator,
    get_family,
    load_algorithm,
    register_algorithm,
    register_evaluator,
    register_family,
)
from .report import BenchReport, write_report
from .runner import COLUMNS, expand_grid, load, ratio_interval, rerun, run, summary
from .worst import WorstResult, worst

__all__ = [
    "COLUMNS", "SENSE_MAX", "SENSE_MIN", "Algorithm", "BenchReport", "Evaluation", "Evaluator",
    "Family", "Opt", "WorstResult", "algorithms", "evaluators", "expand_grid", "families",
    "get_evaluator", "get_family", "load", "load_algorithm", "ratio_interval",
    "register_algorithm", "register_evaluator", "register_family", "rerun", "run",
    "summary", "worst", "write_report",
]
