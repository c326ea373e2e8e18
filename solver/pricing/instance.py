"""The ``pricing`` instance: validated, immutable (CLI problem ``"pricing"``).

Instance file fields::

    {"problem": "pricing",
     "valuations": [[v_1(1), ..., v_1(N)], ...]      # or error-value specs, see below
     "supply": N,                                      # optional when "costs" is given
     "costs": [c_1, c_2, ...],                         # optional, >= 0
     "sigma": 1.0,                                     # required with error-value specs
     "max_supply": 200,                                # optional cap of the profit search
     "epsilon": 0.05}                                  # price grid step / max v (approx.)

Error-value specs: ``{"kind": "step"|"linear"|"quadratic", "tolerance": tau, "value": a}``
(eq. 11, :mod:`solver.pricing.valuations`); without ``supply`` their rows are built up to
``N = min(max_supply, floor(sum_j a_j / c_1))`` (no larger ``N`` is profitable).
At most :data:`MAX_ENTRIES` valuation entries ``B * N``; valuations lie in ``[0, 1]`` (a
larger value is an input error: scale the money unit down instead).  Explicit rows list
``v_j(1..N)``; ``v_j(0) = 0`` is implied.  Bad input raises
:class:`~solver.errors.InstanceError` naming the field, e.g. ``valuations[2][5]`` (buyer 2,
entry 5 = ``v_2(6)``; indices count from 0).
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
#: Largest number of valuation entries ``B * N`` an instance may hold (explicit rows or the
#: rows built from error-value specs): 2e6 floats are 16 MB as an array and parse in about
#: 2 s; every method then checks its own memory and work before it starts.
MAX_ENTRIES = 2_000_000


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


def _specs(raw: list, sigma: float | None) -> list[tuple[str, float, float]]:
    """Validated error-value specs ``(kind, tolerance, value)``."""
    if sigma is None:
        raise InstanceError("sigma", "is required when valuations are error-value functions")
    out = []
    for j, spec in enumerate(raw):
        f = f"valuations[{j}]"
        spec = require_mapping(spec, f)
        reject_unknown(spec, ("kind", "tolerance", "value"), f + ".")
        kind = as_choice(require(spec, "kind", f + "."), f + ".kind", BUILTINS)
        tol = as_number(require(spec, "tolerance", f + "."), f + ".tolerance", minimum=0,
                        strict_min=True)
        val = as_number(spec.get("value", 1.0), f + ".value", minimum=0, maximum=1,
                        strict_min=True)
        out.append((kind, tol, val))
    return out


def _spec_rows(specs: list[tuple[str, float, float]], sigma: float, N: int) -> np.ndarray:
    return np.array([valuation_curve(kind, N, sigma, tol, val) for kind, tol, val in specs])


def _fast_rows(vals: list) -> np.ndarray | None:
    """Valid explicit rows as an array, or ``None`` for anything :func:`as_array` would
    refuse (it then names the offending entry).

    :func:`~solver.validate.as_array` walks every entry in Python (5 s for 1e6 entries);
    plain lists of floats are checked here by numpy instead, with the same rules (numbers
    but not booleans, rectangular, finite, in ``[0, 1]``, non-decreasing).
    """
    numeric = (float, int)
    if not all(type(r) is list for r in vals):
        return None
    if not all(type(x) in numeric for r in vals for x in r):
        return None
    try:
        arr = np.array(vals, dtype=float)
    except (ValueError, OverflowError):
        return None
    if arr.ndim != 2 or arr.shape[1] < 1 or not np.all(np.isfinite(arr)):
        return None
    if np.any(arr < 0) or np.any(arr > 1) or np.any(np.diff(arr, axis=1) < 0):
        return None
    return arr


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
        specs = _specs(list(vals), sigma)
        if supply is not None:
            N = supply
        else:
            # profit(N) <= sum_j v_j(N) - c_1 N < 0 once N > sum_j a_j / c_1 (a_j = value,
            # the sup of v_j): the range holds every profitable N whatever the money unit
            c1 = min(costs)
            total = sum(val for _, _, val in specs)
            if max_supply is None and c1 == 0:
                raise InstanceError("max_supply", "is required when the cheapest cost is 0 "
                                    "(Algorithm 1's range |B|/c_1 is unbounded)")
            caps = [max_supply] if max_supply is not None else []
            if c1 > 0:                          # total / c_1 may be inf: capped first
                caps.append(int(np.floor(min(total / c1, MAX_N + 1.0))))
            N = max(1, min(caps))
            if N > MAX_N:
                raise SizeLimitError("costs", f"the profitable range sum_j value_j / c_1 "
                                     f"exceeds N = {MAX_N}", "a larger cost or a max_supply")
        if N > MAX_N:
            raise SizeLimitError("supply", f"N = {N} exceeds {MAX_N}",
                                 "a larger cost or max_supply")
        if B * N > MAX_ENTRIES:
            raise SizeLimitError("valuations", f"{B} buyers x N = {N} sizes are {B * N:.3g} "
                                 f"valuation entries, more than {MAX_ENTRIES:.3g}",
                                 "fewer buyers or a smaller supply")
        V = _spec_rows(specs, sigma, N)
    else:
        for j, v in enumerate(vals):
            if isinstance(v, Mapping):
                raise InstanceError(f"valuations[{j}]", "mix of rows and error-value specs; "
                                    "use one form for every buyer")
        width = len(vals[0]) if isinstance(vals[0], list | tuple) else 0
        if len(vals) * width > MAX_ENTRIES:
            raise InstanceError("valuations", f"{len(vals)} buyers x {width} entries are "
                                f"more than {MAX_ENTRIES:.3g} valuation entries")
        rows = _fast_rows(vals)
        if rows is None:              # something is wrong: as_array names the entry
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
