"""Everything the pricing paper [CCK25] contributes to the library, registered in one place.

Imported by :mod:`solver.plugins` (importing :mod:`solver.pricing` registers nothing):

* the problem ``pricing`` (:class:`~solver.pricing.problem.PricingInstance`, solved by
  :func:`solver.pricing.solve`), with its methods;
* the claims ``pricing.*`` (:data:`solver.pricing.claims.CLAIMS`): the paper's lemmas and
  theorems as executable checks.
"""

from __future__ import annotations

from ..claims.registry import Claim, register, register_unchecked
from ..problems import register_problem
from .claims import CLAIMS
from .problem import DESCRIPTION, METHODS, NAME, PricingInstance, _cli_solve


def _register_claim(claim: Claim) -> None:
    """Add one :class:`~solver.claims.registry.Claim` to the registry, unchanged."""
    if claim.kind == "unchecked" or claim.check is None:
        register_unchecked(claim.id, paper=claim.paper, section=claim.section,
                           statement=claim.statement, reason=claim.reason)
    else:
        register(claim.id, paper=claim.paper, section=claim.section,
                 statement=claim.statement, kind=claim.kind, tolerance=claim.tolerance,
                 reason=claim.reason, expected=claim.expected)(claim.check)


register_problem(NAME, PricingInstance.from_dict, _cli_solve, description=DESCRIPTION,
                 methods=METHODS)
for _claim in CLAIMS:
    _register_claim(_claim)
