"""Everything *Too Much Data* [AMMO22] contributes to the library, registered in one place.

Imported by :mod:`solver.plugins` (importing :mod:`solver.sharing` registers nothing):

* the problem ``sharing`` (:class:`~solver.sharing.problem.SharingInstance`, solved by
  :func:`solver.sharing.solve`), with its methods ``exhaustive`` (the default),
  ``branch-and-bound`` and ``greedy``;
* the claims ``sharing.*`` (:data:`solver.sharing.claims.CLAIMS`): the online appendix's
  examples, lemmas and theorems as executable checks;
* the sweep experiment ``sharing.heuristic-ratio``
  (:data:`solver.sharing.experiments.EXPERIMENTS`).
"""

from __future__ import annotations

from ..problems import ProblemSpec, register_package
from ..sweep.experiments import Experiment
from .claims import CLAIMS
from .experiments import EXPERIMENTS
from .problem import DESCRIPTION, METHODS, NAME, SharingInstance, _cli_solve

register_package(
    problems=[ProblemSpec(NAME, SharingInstance.from_dict, _cli_solve, DESCRIPTION, METHODS)],
    claims=CLAIMS,
    experiments=[Experiment(name, fn, description) for name, description, fn in EXPERIMENTS])
