"""Everything [FL12] contributes to the library, registered in one place.

Imported by :mod:`solver.plugins` (importing :mod:`solver.ironing` registers nothing):

* the problem ``ironing`` (:class:`~solver.ironing.problem.IroningInstance`, solved by
  :func:`solver.ironing.solve`), with its methods (:data:`~solver.ironing.problem.METHODS`,
  scipy's PAVA first);
* the claims ``ironing.*`` (:data:`solver.ironing.claims.CLAIMS`): the paper's lemmas,
  theorems and worked examples as executable checks.
"""

from __future__ import annotations

from ..claims.registry import Claim, register
from ..problems import register_problem
from .claims import CLAIMS
from .problem import DESCRIPTION, METHODS, NAME, IroningInstance, _cli_solve


def _register_claim(claim: Claim) -> None:
    """Add one :class:`~solver.claims.registry.Claim` to the registry, unchanged."""
    register(claim.id, paper=claim.paper, section=claim.section, statement=claim.statement,
             kind=claim.kind, tolerance=claim.tolerance, reason=claim.reason,
             expected=claim.expected)(claim.check)


register_problem(NAME, IroningInstance.from_dict, _cli_solve, description=DESCRIPTION,
                 methods=METHODS)
for _claim in CLAIMS:
    _register_claim(_claim)
