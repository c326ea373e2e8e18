"""The sampling instance (Pricing Private Data, Sections 3 and 5.1) and its validation.

File format::

    {"problem": "sampling", "sellers": n, "demands": [d_1, ..., d_m],
     "payment": [pi(0), pi(1), ..., pi(m)]}

or, instead of ``payment``, ``"costs"``: an ``n x m`` matrix whose row ``i`` lists
``c_i(1), ..., c_i(m)``; then ``pi^max(k) = max_i c_i(k)`` and ``pi^max(0) = c_i(0) = 0``
(Section 5.1; the model of Section 3 fixes ``c_i(0) = 0``).

Reading choices
---------------
* ``payment`` must be finite and ``>= 0`` but need **not** be non-decreasing: Π^OPT and
  Π(ψ) are well defined for any payment vector.  The paper's π^max is non-decreasing with
  π(0) = 0 (it is a maximum of non-decreasing costs with c_i(0) = 0), and Theorems 4.4,
  5.1 and 5.2 assume it; the solver reports ``payment_nondecreasing`` so a caller can tell.
* ``costs`` rows must be non-decreasing in ``k`` (Section 3: "non-decreasing cost
  function"), finite and ``>= 0``.  Concavity is not required; it is reported
  (``costs_concave``) because Theorem 5.2 needs it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InstanceError
from ..validate import as_array, as_int, reject_unknown, require, require_mapping
from .tolerances import CONCAVITY

#: Fields a sampling instance file may have.
FIELDS = ("problem", "sellers", "demands", "payment", "costs", "description")
#: Largest number of sellers accepted (no array of length n is built: the degree MILP's size,
#: and every distribution's, depends on m only).
MAX_SELLERS = 10**9
#: Largest number of buyers accepted.  The MILP has 3m + 1 variables and about 7m non-zeros
#: (a few MB); at this size the benchmark families (m distinct demands, stepped payments,
#: n up to 10^9) solve in 2-20 s on a loaded 2-core machine, while m = 2000 took 30-50 s
#: and over 300 s for n = 10^9.  The MILP's time is not bounded by its size: --time-limit
#: bounds it (status time_limit with the incumbent and bound).
MAX_BUYERS = 1_000


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.array(a)
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class SamplingInstance:
    """A validated sampling instance.

    Attributes
    ----------
    sellers
        n, the number of sellers.
    demands
        Integer array of the m buyers' sample sizes d_b, each in ``0..n``.
    payment
        π(0..m), length m + 1 (π^max when built from costs).
    costs
        The ``n x m`` cost matrix c_i(1..m) if the instance gave one, else ``None``.
    """

    sellers: int
    demands: np.ndarray
    payment: np.ndarray
    costs: np.ndarray | None = None
    description: str = ""

    @property
    def buyers(self) -> int:
        """m, the number of buyers."""
        return int(self.demands.size)

    @property
    def payment_nondecreasing(self) -> bool:
        """Whether π is non-decreasing (the paper's assumption on π^max)."""
        return bool(np.all(np.diff(self.payment) >= 0))

    @property
    def costs_concave(self) -> bool | None:
        """Whether every c_i (with c_i(0) = 0) is concave; ``None`` without costs."""
        if self.costs is None:
            return None
        full = np.hstack([np.zeros((self.costs.shape[0], 1)), self.costs])
        scale = float(np.max(np.abs(full), initial=0.0))
        return bool(np.all(np.diff(full, n=2, axis=1) <= CONCAVITY * scale))

    def to_dict(self) -> dict[str, Any]:
        """The instance as an instance-file mapping."""
        d: dict[str, Any] = {"problem": "sampling", "sellers": self.sellers,
                             "demands": self.demands.tolist()}
        if self.costs is not None:
            d["costs"] = self.costs.tolist()
        else:
            d["payment"] = self.payment.tolist()
        return d


def payment_from_costs(costs: np.ndarray) -> np.ndarray:
    """π^max(k) = max_i c_i(k) for k = 1..m, with π^max(0) = 0 (Section 5.1)."""
    costs = np.asarray(costs, dtype=float)
    return np.concatenate([[0.0], costs.max(axis=0)])


def make_instance(sellers: int, demands: Any, payment: Any = None,
                  costs: Any = None) -> SamplingInstance:
    """Build a validated instance from Python values (same rules as the file parser)."""
    raw: dict[str, Any] = {"problem": "sampling", "sellers": sellers,
                           "demands": np.asarray(demands).tolist()}
    if payment is not None:
        raw["payment"] = np.asarray(payment, dtype=float).tolist()
    if costs is not None:
        raw["costs"] = np.asarray(costs, dtype=float).tolist()
    return parse_sampling(raw)


def parse_sampling(raw: Mapping[str, Any]) -> SamplingInstance:
    """Validate a raw mapping into a :class:`SamplingInstance`.

    Raises
    ------
    InstanceError
        Naming the field and the rule (e.g. ``demands[3]: must be <= 5``).
    """
    raw = require_mapping(raw)
    reject_unknown(raw, FIELDS)
    if "problem" in raw and raw["problem"] != "sampling":
        raise InstanceError("problem", f"must be 'sampling', got {raw['problem']!r}")
    n = as_int(require(raw, "sellers"), "sellers", minimum=1, maximum=MAX_SELLERS)
    raw_d = require(raw, "demands")
    if isinstance(raw_d, list | tuple) and len(raw_d) > MAX_BUYERS:
        raise InstanceError("demands", f"must have at most {MAX_BUYERS} entries (buyers), got "
                                       f"{len(raw_d)}: the exact MILP is not served within "
                                       "about a minute beyond that (the Python API "
                                       "solver.sampling.optimum.optimal_payment takes any m, "
                                       "with a time limit)")
    demands = as_array(raw_d, "demands", integer=True, minimum=0, maximum=n,
                       max_len=MAX_BUYERS)
    m = int(demands.size)
    has_p, has_c = "payment" in raw, "costs" in raw
    if has_p and has_c:
        raise InstanceError("costs", "give exactly one of 'payment' (length m+1) or "
                                     "'costs' (n x m), not both")
    if not (has_p or has_c):
        raise InstanceError("payment", "is required (or 'costs', an n x m matrix)")
    costs = None
    if has_p:
        payment = as_array(raw["payment"], "payment", minimum=0.0)
        if payment.size != m + 1:
            raise InstanceError("payment", f"must have length m + 1 = {m + 1} "
                                           f"(pi(0..m) for m = {m} buyers), got {payment.size}")
    else:
        c = raw["costs"]
        if not isinstance(c, list | tuple | np.ndarray) or len(c) != n:
            got = len(c) if isinstance(c, list | tuple | np.ndarray) else type(c).__name__
            raise InstanceError("costs", f"must be a list of n = {n} rows, got {got}")
        for i, row in enumerate(c):
            if not isinstance(row, list | tuple | np.ndarray) or len(row) != m:
                got = len(row) if isinstance(row, list | tuple | np.ndarray) else \
                    type(row).__name__
                raise InstanceError(f"costs[{i}]", f"must list c_i(1..m) for m = {m} buyers, "
                                                   f"got {got}")
        costs = as_array(c, "costs", ndim=2, minimum=0.0, nondecreasing=True)
        payment = payment_from_costs(costs)
        costs = _frozen(costs)
    desc = raw.get("description", "")
    if not isinstance(desc, str):
        raise InstanceError("description", "must be a string")
    return SamplingInstance(n, _frozen(demands.astype(np.int64)), _frozen(payment), costs, desc)
