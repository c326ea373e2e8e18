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

from ..claims.registry import Claim, register, register_unchecked
from ..problems import register_problem
from ..sweep.experiments import experiment
from .claims import CLAIMS
from .experiments import EXPERIMENTS
from .problem import DESCRIPTION, METHODS, NAME, SharingInstance, _cli_solve


def _register_claim(claim: Claim) -> None:
    """Add one :class:`~solver.claims.registry.Claim` to the registry, unchanged."""
    if claim.kind == "unchecked" or claim.check is None:
        register_unchecked(claim.id, paper=claim.paper, section=claim.section,
                           statement=claim.statement, reason=claim.reason)
    else:
        register(claim.id, paper=claim.paper, section=claim.section,
                 statement=claim.statement, kind=claim.kind, tolerance=claim.tolerance,
                 reason=claim.reason, expected=claim.expected)(claim.check)


register_problem(NAME, SharingInstance.from_dict, _cli_solve, description=DESCRIPTION,
                 methods=METHODS)
for _claim in CLAIMS:
    _register_claim(_claim)
for _name, _description, _fn in EXPERIMENTS:
    experiment(_name, description=_description)(_fn)
