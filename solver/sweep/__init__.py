"""Sweeps at scale: run an experiment over a grid or an instance directory × seeds.

Local worker processes by default, a Dask cluster when given a scheduler address or a
``distributed.Client``; every finished task is committed to a SQLite store as it completes,
and a rerun resumes where the last one stopped.  See ``docs/sweep.md``.

>>> from solver.sweep import run_sweep, load
>>> s = run_sweep("bench.spin", {"ms": [1, 2]}, seeds=3, store="/tmp/s.sqlite", workers=0,
...               progress=False)
>>> load("/tmp/s.sqlite").shape[0] >= 6
True
"""

from .engine import SweepSummary, run_sweep
from .executors import SweepError
from .experiments import Experiment, experiment, experiments, get_experiment
from .plan import Task, expand_grid, plan, task_key
from .store import Store, StoreError, load

__all__ = ["Experiment", "Store", "StoreError", "SweepError", "SweepSummary", "Task",
           "expand_grid", "experiment", "experiments", "get_experiment", "load", "plan",
           "run_sweep", "task_key"]
