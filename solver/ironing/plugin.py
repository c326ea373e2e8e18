"""Everything [FL12] contributes to the library, registered in one place.

Imported by :mod:`solver.plugins` (importing :mod:`solver.ironing` registers nothing):

* the problem ``ironing`` (:class:`~solver.ironing.problem.IroningInstance`, solved by
  :func:`solver.ironing.solve`), with its methods (:data:`~solver.ironing.problem.METHODS`,
  scipy's PAVA first);
* the claims ``ironing.*`` (:data:`solver.ironing.claims.CLAIMS`): the paper's lemmas,
  theorems and worked examples as executable checks.
"""

from __future__ import annotations

from ..problems import ProblemSpec, register_package
from .claims import CLAIMS
from .problem import DESCRIPTION, METHODS, NAME, IroningInstance, _cli_solve

register_package(
    problems=[ProblemSpec(NAME, IroningInstance.from_dict, _cli_solve, DESCRIPTION, METHODS)],
    claims=CLAIMS)
