"""Everything the pricing paper [CCK25] contributes to the library, registered in one place.

Imported by :mod:`solver.plugins` (importing :mod:`solver.pricing` registers nothing):

* the problem ``pricing`` (:class:`~solver.pricing.problem.PricingInstance`, solved by
  :func:`solver.pricing.solve`), with its methods;
* the claims ``pricing.*`` (:data:`solver.pricing.claims.CLAIMS`): the paper's lemmas and
  theorems as executable checks.
"""

from __future__ import annotations

from ..problems import ProblemSpec, register_package
from .claims import CLAIMS
from .problem import DESCRIPTION, METHODS, NAME, PricingInstance, _cli_solve

register_package(
    problems=[ProblemSpec(NAME, PricingInstance.from_dict, _cli_solve, DESCRIPTION, METHODS)],
    claims=CLAIMS)
