"""Everything the privacy paper [CCKMV13] contributes to the library, registered in one place.

Imported by :mod:`solver.plugins` (importing :mod:`solver.privacy` registers nothing):

* the problems ``election``, ``facility-location``, ``vcg`` and ``private-mechanism-lp``
  (the instance types of :mod:`solver.privacy.problem`, solved by
  :func:`solver.privacy.solve`), each with its one method;
* the claims ``privacy.*`` (:data:`solver.privacy.claims.CLAIMS`): the paper's lemmas,
  propositions and theorems as executable checks, and the statements recorded unchecked.
"""

from __future__ import annotations

from ..problems import register_package
from .claims import CLAIMS
from .problem import SPECS

register_package(problems=SPECS.values(), claims=CLAIMS)
