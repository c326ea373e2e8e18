"""The ``pricing`` instance: validated, immutable (CLI problem ``"pricing"``).

Instance file fields::

    {"problem": "pricing",
     "valuations": [[v_1(1), ..., v_1(N)], ...]      # or error-value specs, see below
     "supply": N,                                      # optional when "costs" is given
     "costs": [c_1, c_2, ...],                         # optional, >= 0
     "sigma": 1.0,                                     # required with error-value specs
     "max_supply": 200,                                # optional cap of the profit search
     "epsilon": 0.05}                                  # price grid of the approximations

Error-value specs: ``{"kind": "step"|"linear"|"quadratic", "tolerance": tau, "value": a}``
(eq. 11, :mod:`solver.pricing.valuations`).  Explicit rows list ``v_j(1..N)``; ``v_j(0) = 0``
is implied.  Bad input raises :class:`~solver.errors.InstanceError` naming the field, e.g.
``valuations[2][5]`` (buyer 2, entry 5 = ``v_2(6)``; indices count from 0).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InstanceError, SizeLimitError
from ..validate import (
    as_array,
    as_choice,
    as_int,
    as_number,
    reject_unknown,
    require,
    require_mapping,
)
from .valuations import BUILTINS, valuation_curve

FIELDS = ("problem", "valuations", "supply", "costs", "sigma", "max_supply", "epsilon")
#: Largest N the profit search builds valuations for from error-value specs.
MAX_N = 5000


@dataclass(frozen=True)
class PricingInstance:
    """Buyers' valuations ``V`` (``B x (N_max + 1)``, ``V[:, 0] = 0``) and market data.

    ``supply`` is the ``N`` of rev^OPT(N) (eq. 2) when given; otherwise ``costs`` is set and
    the profit OPT (eq. 3) is searched over ``N <= N_max``.
    """

    V: np.ndarray
    supply: int | None = None
    costs: tuple[float, ...] | None = None
    sigma: float | None = None
    epsilon: float = 0.05

    @property
    def B(self) -> int:
        """Number of buyers."""
        return int(self.V.shape[0])

    @property
    def N_max(self) -> int:
        """Largest dataset size the valuations define."""
        return int(self.V.shape[1] - 1)

    @property
    def c1(self) -> float | None:
        """The cheapest cost."""
        return None if not self.costs else min(self.costs)


def _spec_rows(raw: list, sigma: float | None, N: int) -> np.ndarray:
    if sigma is None:
        raise InstanceError("sigma", "is required when valuations are error-value functions")
    rows = []
    for j, spec in enumerate(raw):
        f = f"valuations[{j}]"
        spec = require_mapping(spec, f)
        reject_unknown(spec, ("kind", "tolerance", "value"), f + ".")
        kind = as_choice(require(spec, "kind", f + "."), f + ".kind", BUILTINS)
        tol = as_number(require(spec, "tolerance", f + "."), f + ".tolerance", minimum=0,
                        strict_min=True)
        val = as_number(spec.get("value", 1.0), f + ".value", minimum=0, maximum=1,
                        strict_min=True)
        rows.append(valuation_curve(kind, N, sigma, tol, val))
    return np.array(rows)


def parse(raw: Mapping[str, Any]) -> PricingInstance:
    """Validate a raw mapping into a :class:`PricingInstance` (see module docstring)."""
    raw = require_mapping(raw)
    reject_unknown(raw, FIELDS)
    vals = require(raw, "valuations")
    if not isinstance(vals, list | tuple) or len(vals) == 0:
        raise InstanceError("valuations", "must be a non-empty list (one entry per buyer)")
    supply = None if raw.get("supply") is None else as_int(raw["supply"], "supply", minimum=1)
    costs = None
    if raw.get("costs") is not None:
        c = as_array(raw["costs"], "costs", minimum=0.0)
        costs = tuple(float(x) for x in c)
    sigma = None if raw.get("sigma") is None else as_number(raw["sigma"], "sigma", minimum=0,
                                                              strict_min=True)
    max_supply = (None if raw.get("max_supply") is None
                  else as_int(raw["max_supply"], "max_supply", minimum=1))
    eps = as_number(raw.get("epsilon", 0.05), "epsilon", minimum=0, maximum=1, strict_min=True)
    if supply is None and costs is None:
        raise InstanceError("supply", "is required unless costs are given (then the profit "
                            "OPT chooses the supply)")
    if all(isinstance(v, Mapping) for v in vals):
        B = len(vals)
        if supply is not None:
            N = supply
        else:
            c1 = min(costs)
            caps = [x for x in (max_supply, None if c1 == 0 else int(np.floor(B / c1)))
                    if x is not None]
            if not caps:
                raise InstanceError("max_supply", "is required when the cheapest cost is 0 "
                                    "(Algorithm 1's range |B|/c_1 is unbounded)")
            N = max(1, min(caps))
        if N > MAX_N:
            raise SizeLimitError("supply", f"N = {N} exceeds {MAX_N}",
                                 "a larger cost or max_supply")
        V = _spec_rows(list(vals), sigma, N)
    else:
        for j, v in enumerate(vals):
            if isinstance(v, Mapping):
                raise InstanceError(f"valuations[{j}]", "mix of rows and error-value specs; "
                                    "use one form for every buyer")
        rows = as_array(vals, "valuations", ndim=2, minimum=0.0, maximum=1.0,
                        nondecreasing=True)
        if supply is not None:
            if supply > rows.shape[1]:
                raise InstanceError("supply", f"must be <= {rows.shape[1]}, the number of "
                                    "valuation entries per buyer")
            rows = rows[:, :supply]
        elif max_supply is not None:
            rows = rows[:, :max_supply]
        V = np.concatenate([np.zeros((rows.shape[0], 1)), rows], axis=1)
    V = np.ascontiguousarray(V, dtype=float)
    V.flags.writeable = False
    return PricingInstance(V, supply, costs, sigma, eps)
