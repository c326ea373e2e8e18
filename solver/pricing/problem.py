"""The ``pricing`` problem [CCK25]: its instance type and its one :func:`solve`.

A :class:`PricingInstance` is built from Python arrays or read from an instance file
(:meth:`PricingInstance.from_dict`); both paths validate the same way, at construction.
Instance-file fields (the table of docs/pricing.md gives types, constraints and defaults)::

    {"problem": "pricing",
     "valuations": [[v_1(1), ..., v_1(N)], ...],     # or error-value specs, see below
     "supply": N,                                      # optional when "costs" is given
     "costs": [c_1, c_2, ...],                         # optional, >= 0, any order
     "sigma": 1.0,                                     # required with error-value specs
     "max_supply": 200,                                # optional cap of the profit search
     "epsilon": 0.05}                                  # price grid step / max v (approx.)

**One convention.**  ``valuations`` are rows ``v_j(1), ..., v_j(N)`` here, in files and
in Python alike; ``v_j(0) = 0`` is implied.  The array entry points of
:mod:`solver.pricing.envy_free` take the paper's rows ``v_j(0..N)`` instead
(:attr:`PricingInstance.V` is that array) and refuse a first column that is not 0.  An
instance whose every row starts with ``0`` gets a :class:`UserWarning` (a ``note`` of
``solver solve``): it is most likely a ``v(0..N)`` array passed as ``v(1..N)`` rows, which
would shift every size by one (use :meth:`PricingInstance.from_v0` for such arrays).

Error-value specs: ``{"kind": "step"|"linear"|"quadratic", "tolerance": tau, "value": a}``
([CCK25, eq. (11)], :mod:`solver.pricing.valuations`); without ``supply`` their rows are
built up to ``N = min(max_supply, floor(sum_j a_j / c_1))`` (no larger ``N`` is
profitable).  At most :data:`MAX_ENTRIES` valuation entries ``B * N``; valuations lie in
``[0, 1]`` (a larger value is an input error: scale the money unit down instead).  Bad input
raises :class:`~solver.errors.InstanceError` naming the field, e.g. ``valuations[2][5]``
(buyer 2, entry 5 = ``v_2(6)``; indices count from 0).

What :func:`solve` answers (``Result.to_dict()`` is what ``solver solve FILE --json``
prints):

* ``supply`` given: ``objective = rev^OPT(N)`` [CCK25, eq. (2)] with ``sizes``, ``prices``
  and the pricing ``curve`` ``q(0..N)``; with ``costs`` also ``profit = objective - c_1 N``.
* ``supply`` omitted (``costs`` given): ``objective`` = the profit OPT [CCK25, eq. (3)] and
  the chosen ``supply``.

Methods (:data:`METHODS`, the default first): ``auto`` (the single-crossing DP of
:mod:`solver.pricing.single_crossing` when the valuations have increasing differences,
else the eq. (2) MILP; the result field ``method`` names the one that ran), ``dp`` (the DP,
an input error stating the rule when the valuations are not single-crossing), ``milp`` /
``pairwise`` (eq. (2) rows),
``curve`` (compact curve MILP), ``brute`` (enumeration, small instances only), ``grid`` /
``ktypes`` / ``local`` (approximation algorithms and a heuristic, with the instance's
``epsilon``); for the profit search the exact MILP methods run the fast interval search,
``fast`` names it and ``algorithm1`` runs the exact MILP at every ``N`` [CCK25, Algorithm 1],
and ``grid`` / ``ktypes`` / ``local`` are Algorithm 1's ``A``.  An unknown method is an input
error; so is a ``backend`` other than ``auto`` for the methods that use none (``brute``,
``grid``, ``ktypes``, ``local``).

Approximations are not certified: they report ``status = "approximate"`` (exit 0, as the
answer of a method asked for by name), ``exact: false`` and ``backend = "approx:<name>"``;
their ``objective`` is the true eq. (5) revenue of their curve.  Every answer is checked by
:func:`solver.pricing.evaluate.check_answer` before it is returned; one that fails becomes
status ``error`` (exit 1) with a ``message`` naming the check.  ``time_limit`` covers model
building and the heuristics; a memory or work estimate over the budget of
:mod:`solver.budget` is refused before anything is built (exit 2).
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from ..budget import limits, remaining_time
from ..errors import InstanceError, SizeLimitError
from ..problems import (
    ProblemSpec,
    SolveOptions,
    require_method,
    require_no_backend,
    solve_typed,
)
from ..result import Result
from ..validate import (
    as_array,
    as_choice,
    as_int,
    as_number,
    reject_unknown,
    require,
    require_mapping,
)
from . import resources
from .approx import grid_dp, k_types_enumeration, local_search
from .envy_free import (
    as_valuations,
    curve_revenue,
    ef_revenue,
    merge_identical_buyers,
    purchases,
)
from .evaluate import check_answer
from .profit import algorithm1, profit_opt, search_bound
from .valuations import BUILTINS, valuation_curve

__all__ = ["ErrorValueSpec", "PricingInstance", "solve"]

#: The problem's registered name (the ``problem`` field of its instance files).
NAME = "pricing"
#: The instance-file fields.
FIELDS = ("problem", "valuations", "supply", "costs", "sigma", "max_supply", "epsilon")
#: Largest N the profit search builds valuations for from error-value specs.
MAX_N = 5000
#: Largest number of valuation entries ``B * N`` an instance may hold (explicit rows or the
#: rows built from error-value specs): 2e6 floats are 16 MB as an array and parse in about
#: 2 s; every method then checks its own memory and work before it starts.
MAX_ENTRIES = 2_000_000
#: Default price-grid step of the approximation algorithms, relative to ``max |v|``.
DEFAULT_EPSILON = 0.05
#: The names ``method`` accepts, the default first (``milp`` = the eq. (2) MILP; for the
#: profit search, the fast interval search over ``N`` with it).
METHODS: tuple[str, ...] = ("auto", "dp", "milp", "pairwise", "curve", "brute", "grid",
                            "ktypes", "local", "fast", "algorithm1")
#: One line for ``solver list``.
DESCRIPTION = ("Envy-free data pricing [CCK25]: rev^OPT(N) by MILP, ordered-item pricing "
               "curve, profit OPT over N")

_EXACT = {None: "auto", "auto": "auto", "dp": "dp", "milp": "pairwise", "curve": "curve",
          "pairwise": "pairwise", "brute": "brute"}
_APPROX = ("grid", "ktypes", "local")


# ----------------------------------------------------------------------------- instance
@dataclass(frozen=True)
class ErrorValueSpec:
    """A buyer whose valuation is built from an error-value function [CCK25, eq. (11)].

    Attributes
    ----------
    kind
        ``"step"``, ``"linear"`` or ``"quadratic"`` (:data:`solver.pricing.valuations.
        BUILTINS`).
    tolerance
        The error tolerance ``tau > 0``.
    value
        The value ``a`` in ``(0, 1]`` of a perfect estimate.
    """

    kind: str
    tolerance: float
    value: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        """The spec as an instance file writes it."""
        return {"kind": self.kind, "tolerance": self.tolerance, "value": self.value}


def _plain(x: Any) -> Any:
    """A numpy scalar as the Python number it holds (other values unchanged)."""
    return x.item() if isinstance(x, np.generic) else x


def _specs(raw: Sequence[Any], sigma: float | None) -> tuple[ErrorValueSpec, ...]:
    """Validated error-value specs (mappings or :class:`ErrorValueSpec`)."""
    if sigma is None:
        raise InstanceError("sigma", "is required when valuations are error-value functions")
    out = []
    for j, spec in enumerate(raw):
        f = f"valuations[{j}]"
        if isinstance(spec, ErrorValueSpec):
            spec = spec.to_dict()
        spec = require_mapping(spec, f)
        reject_unknown(spec, ("kind", "tolerance", "value"), f + ".")
        kind = as_choice(require(spec, "kind", f + "."), f + ".kind", BUILTINS)
        tol = as_number(_plain(require(spec, "tolerance", f + ".")), f + ".tolerance",
                        minimum=0, strict_min=True)
        val = as_number(_plain(spec.get("value", 1.0)), f + ".value", minimum=0, maximum=1,
                        strict_min=True)
        out.append(ErrorValueSpec(kind, tol, val))
    return tuple(out)


def _spec_rows(specs: tuple[ErrorValueSpec, ...], sigma: float, N: int) -> np.ndarray:
    """Rows ``v_j(1..N)`` of the specs."""
    return np.array([valuation_curve(s.kind, N, sigma, s.tolerance, s.value)[1:]
                     for s in specs]).reshape(len(specs), N)


def _fast_rows(vals: Any) -> np.ndarray | None:
    """Valid explicit rows as an array, or ``None`` for anything :func:`as_array` would
    refuse (it then names the offending entry).

    :func:`~solver.validate.as_array` walks every entry in Python (5 s for 1e6 entries);
    numpy arrays and plain lists of floats are checked here by numpy instead, with the same
    rules (numbers but not booleans, rectangular, finite, in ``[0, 1]``, non-decreasing).
    """
    if isinstance(vals, np.ndarray):
        if vals.dtype.kind not in "iuf":
            return None
        arr = vals.astype(float)
    else:
        numeric = (float, int)
        if all(type(r) in (list, tuple) for r in vals):
            if not all(type(x) in numeric for r in vals for x in r):
                return None
        elif not all(isinstance(r, np.ndarray) and r.dtype.kind in "iuf" for r in vals):
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


def _explicit_rows(vals: Any) -> np.ndarray:
    """Validated explicit rows ``v_j(1..N)`` (the field ``valuations``)."""
    first = vals[0]
    width = len(first) if isinstance(first, list | tuple | np.ndarray) else 0
    if len(vals) * width > MAX_ENTRIES:
        raise InstanceError("valuations", f"{len(vals)} buyers x {width} entries are "
                            f"more than {MAX_ENTRIES:.3g} valuation entries")
    rows = _fast_rows(vals)
    if rows is None:              # something is wrong: as_array names the entry
        raw = vals.tolist() if isinstance(vals, np.ndarray) else vals
        rows = as_array(raw, "valuations", ndim=2, minimum=0.0, maximum=1.0,
                        nondecreasing=True)
    return rows


@dataclass(frozen=True, eq=False)
class PricingInstance:
    """A data market [CCK25, Section 2]: buyers' valuations, the supply or the costs.

    Built from Python arrays (``PricingInstance(valuations=np.array(...), supply=4)``) or
    from an instance file's mapping (:meth:`from_dict`); both are validated at construction
    and give the same instance.  ``supply`` is the ``N`` of rev^OPT(N) [CCK25, eq. (2)] when
    given; otherwise ``costs`` is set and the profit OPT [CCK25, eq. (3)] is searched over
    ``N <= N_max``.

    Attributes
    ----------
    valuations
        Rows ``v_j(1), ..., v_j(N)`` (``v_j(0) = 0`` is implied; **no** ``v(0)`` column),
        values in ``[0, 1]``, non-decreasing along each row; any array-like is accepted and
        stored as a read-only ``(B, N)`` float array, truncated to ``supply`` (or
        ``max_supply``) columns.  Or a sequence of error-value specs
        (:class:`ErrorValueSpec` or mappings ``{"kind", "tolerance", "value"}``), whose
        rows are built here (then ``sigma`` is required, and :attr:`specs` keeps them).
    supply
        ``N`` of rev^OPT(N), an integer ``>= 1`` and at most the row length; ``None``: the
        profit OPT chooses it (then ``costs`` is required).
    costs
        Contributors' costs per data point, ``>= 0``, in any order (``c_1`` is the
        smallest); stored as a tuple of floats.
    sigma
        Standard deviation of the data, ``> 0`` (needed to build rows from specs).
    max_supply
        Cap of the profit search's ``N`` (an integer ``>= 1``); required with specs when the
        cheapest cost is 0.
    epsilon
        Price-grid step of the approximation methods, relative to ``max |v|``, in
        ``(0, 1]``.
    """

    valuations: npt.ArrayLike | Sequence[ErrorValueSpec | Mapping[str, Any]]
    supply: int | None = None
    costs: Sequence[float] | None = None
    sigma: float | None = None
    max_supply: int | None = None
    epsilon: float = DEFAULT_EPSILON
    specs: tuple[ErrorValueSpec, ...] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        vals: Any = self.valuations
        if isinstance(vals, np.ndarray):
            if vals.ndim == 0 or vals.shape[0] == 0:
                raise InstanceError("valuations", "must be a non-empty list (one entry per "
                                    f"buyer), got an array of shape {vals.shape}")
        elif not isinstance(vals, list | tuple) or len(vals) == 0:
            raise InstanceError("valuations", "must be a non-empty list (one entry per buyer)")
        supply = (None if self.supply is None
                  else as_int(_plain(self.supply), "supply", minimum=1))
        costs = None
        if self.costs is not None:
            raw_costs: Any = self.costs
            if isinstance(raw_costs, tuple):
                raw_costs = list(raw_costs)
            costs = tuple(float(x) for x in as_array(raw_costs, "costs", minimum=0.0))
        sigma = (None if self.sigma is None
                 else as_number(_plain(self.sigma), "sigma", minimum=0, strict_min=True))
        max_supply = (None if self.max_supply is None
                      else as_int(_plain(self.max_supply), "max_supply", minimum=1))
        eps = as_number(_plain(self.epsilon), "epsilon", minimum=0, maximum=1, strict_min=True)
        if supply is None and costs is None:
            raise InstanceError("supply", "is required unless costs are given (then the "
                                "profit OPT chooses the supply)")
        specs = None
        is_spec: list[bool] = [isinstance(v, Mapping | ErrorValueSpec) for v in
                   (vals if not isinstance(vals, np.ndarray) else ())]
        if is_spec and all(is_spec):
            specs = _specs(list(vals), sigma)        # sigma is required with specs
            assert sigma is not None
            rows = _spec_rows(specs, sigma, self._spec_size(specs, supply, costs, max_supply))
        else:
            for j, s in enumerate(is_spec):
                if s:
                    raise InstanceError(f"valuations[{j}]", "mix of rows and error-value "
                                        "specs; use one form for every buyer")
            rows = _explicit_rows(vals)
            if supply is not None:
                if supply > rows.shape[1]:
                    raise InstanceError("supply", f"must be <= {rows.shape[1]}, the number "
                                        "of valuation entries per buyer")
                rows = rows[:, :supply]
            elif max_supply is not None:
                rows = rows[:, :max_supply]
            if rows.shape[1] > 1 and not np.any(rows[:, 0]):
                warnings.warn(
                    "valuations: every row starts with 0; rows are v_j(1..N) (v_j(0) = 0 is "
                    "implied). If they include the v(0) = 0 column, drop it (in Python: "
                    "PricingInstance.from_v0(V, ...)); kept as given, every size is read "
                    "one too large", UserWarning, stacklevel=3)
        V = np.zeros((rows.shape[0], rows.shape[1] + 1))
        V[:, 1:] = rows
        V.flags.writeable = False
        set_ = object.__setattr__
        set_(self, "_V", V)
        set_(self, "valuations", V[:, 1:])
        set_(self, "supply", supply)
        set_(self, "costs", costs)
        set_(self, "sigma", sigma)
        set_(self, "max_supply", max_supply)
        set_(self, "epsilon", eps)
        set_(self, "specs", specs)

    @staticmethod
    def _spec_size(specs: tuple[ErrorValueSpec, ...], supply: int | None,
                   costs: tuple[float, ...] | None, max_supply: int | None) -> int:
        """The ``N`` up to which the rows of error-value specs are built."""
        B = len(specs)
        if supply is not None:
            N = supply
        else:
            # profit(N) <= sum_j v_j(N) - c_1 N < 0 once N > sum_j a_j / c_1 (a_j = value,
            # the sup of v_j): the range holds every profitable N whatever the money unit
            assert costs is not None
            c1 = min(costs)
            total = sum(s.value for s in specs)
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
        return N

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> PricingInstance:
        """Validate an instance file's mapping (fields in the module docstring).

        Parameters
        ----------
        raw
            The mapping; ``problem``, if present, must be ``"pricing"``.

        Returns
        -------
        PricingInstance
            The validated, immutable instance.

        Raises
        ------
        InstanceError
            Naming the field and the rule, e.g. ``valuations[1][2]: must be <= 1.0``.
        """
        raw = require_mapping(raw)
        reject_unknown(raw, FIELDS)
        if raw.get("problem", NAME) != NAME:
            raise InstanceError("problem", f"must be {NAME!r} for a PricingInstance, got "
                                f"{raw['problem']!r}")
        vals = require(raw, "valuations")
        if not isinstance(vals, list | tuple):
            raise InstanceError("valuations", "must be a non-empty list (one entry per buyer)")
        return cls(valuations=vals, supply=raw.get("supply"), costs=raw.get("costs"),
                   sigma=raw.get("sigma"), max_supply=raw.get("max_supply"),
                   epsilon=raw.get("epsilon", DEFAULT_EPSILON))

    @classmethod
    def from_v0(cls, V: Any, **fields: Any) -> PricingInstance:
        """An instance from the paper's rows ``v_j(0), ..., v_j(N)`` with ``v_j(0) = 0``.

        The convention of the array entry points (e.g. what
        :func:`~solver.pricing.families.random_valuations` and
        :func:`~solver.pricing.valuations.valuation_curve` return).

        Parameters
        ----------
        V
            ``(B, N + 1)`` valuations; a first column that is not 0 is refused
            (:func:`~solver.pricing.envy_free.as_valuations`).
        **fields
            The other fields (``supply``, ``costs``, ``sigma``, ``max_supply``,
            ``epsilon``).

        Returns
        -------
        PricingInstance
            ``PricingInstance(valuations=V[:, 1:], **fields)``.
        """
        try:
            first = np.array(V, dtype=float)
        except (TypeError, ValueError, OverflowError):
            first = None                      # as_valuations names what is wrong
        if first is not None and first.ndim == 2 and first.shape[1] >= 1:
            bad = np.flatnonzero(first[:, 0] != 0)
            if bad.size:
                j = int(bad[0])
                raise InstanceError(f"V[{j}][0]", f"must be 0, got {first[j, 0]}: from_v0 "
                                    "takes rows v_j(0..N) with v_j(0) = 0; for rows "
                                    "v_j(1..N), as in instance files, use "
                                    "PricingInstance(valuations=rows, ...)")
        A = as_valuations(V, name="V")
        if A.shape[1] < 2:
            raise InstanceError("V", f"must have at least 2 columns v_j(0), v_j(1), got "
                                f"shape {A.shape}")
        return cls(valuations=A[:, 1:], **fields)

    def to_dict(self) -> dict[str, Any]:
        """The instance-file mapping (``from_dict(to_dict())`` gives an equal instance).

        Error-value specs are written as specs; explicit rows as ``v_j(1..N)`` lists.
        """
        out: dict[str, Any] = {"problem": NAME}
        out["valuations"] = ([s.to_dict() for s in self.specs] if self.specs is not None
                             else np.asarray(self.valuations).tolist())
        for key in ("supply", "sigma", "max_supply"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.costs is not None:
            out["costs"] = list(self.costs)
        out["epsilon"] = self.epsilon
        return out

    # ------------------------------------------------------------------ views
    @property
    def V(self) -> np.ndarray:
        """Valuations ``(B, N_max + 1)`` with the column ``V[:, 0] = 0`` (read-only): the
        rows ``v_j(0..N)`` the array entry points of :mod:`solver.pricing.envy_free` take."""
        return self._V  # type: ignore[attr-defined, no-any-return]

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
        """The cheapest cost (``None`` without costs)."""
        return None if not self.costs else min(self.costs)

    def _key(self) -> tuple[Any, ...]:
        return (self.supply, self.costs, self.sigma, self.max_supply, self.epsilon,
                self.specs)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PricingInstance):
            return NotImplemented
        return self._key() == other._key() and np.array_equal(self.V, other.V)

    def __hash__(self) -> int:
        return hash((self._key(), self.V.shape, self.V.tobytes()))


# ----------------------------------------------------------------------------- solving
def _approx(inst: PricingInstance, name: str,
            repeats: float = 1.0) -> Callable[[np.ndarray], np.ndarray]:
    """The approximation ``name`` as ``A(V_N) -> q``, its work checked for the full size."""
    T, _, _ = merge_identical_buyers(inst.V)
    nt, n = T.shape
    if name == "grid":
        resources.check_grid(nt, n, inst.epsilon, repeats)
        return lambda Vn: grid_dp(Vn, inst.epsilon)
    if name == "ktypes":
        resources.check_ktypes(nt, n, inst.epsilon, repeats)
        return lambda Vn: k_types_enumeration(Vn, inst.epsilon)
    resources.check_local(nt, n, 3, repeats)
    return lambda Vn: local_search(Vn, time_budget=remaining_time())


def _solve_revenue(inst: PricingInstance, opts: SolveOptions, m: str | None
                   ) -> dict[str, Any]:
    """rev^OPT(N) at the instance's supply (exact or approximate)."""
    V = inst.V
    assert inst.supply is not None
    if m in _APPROX:
        t0 = time.perf_counter()
        q = _approx(inst, m)(V)
        sizes = purchases(V, q)
        out = {"status": "approximate", "exact": False, "objective": curve_revenue(V, q),
               "bound": None, "gap": None, "backend": f"approx:{m}",
               "seconds": time.perf_counter() - t0, "sizes": sizes, "prices": q[sizes],
               "curve": q, "epsilon": inst.epsilon, "method": m}
    else:
        if m in ("fast", "algorithm1"):
            m = None
        r = ef_revenue(V, backend=opts.backend, time_limit=opts.time_limit,
                       formulation=_EXACT[m])
        out = r.as_dict()
        out["exact"] = True
    out["supply"] = inst.supply
    if inst.costs:
        out["profit"] = float(out["objective"]) - float(min(inst.costs)) * inst.supply
    return out


def _solve_profit(inst: PricingInstance, opts: SolveOptions, m: str | None
                  ) -> dict[str, Any]:
    """The profit OPT over ``N`` (exact search or Algorithm 1 with an approximation)."""
    V = inst.V
    assert inst.costs is not None
    c1 = float(min(inst.costs))
    if m in _APPROX:
        t0 = time.perf_counter()
        res = algorithm1(V, c1, _approx(inst, m, repeats=max(1, search_bound(V, c1))))
        return {"status": "approximate", "exact": False, "objective": max(res["profit"], 0.0),
                "algorithm1_profit": res["profit"], "supply": res["N"],
                "sizes": res["sizes"], "prices": res["prices"], "curve": res["curve"],
                "backend": f"approx:{m}", "seconds": time.perf_counter() - t0,
                "bound": None, "gap": None, "epsilon": inst.epsilon, "method": m}
    method = "algorithm1" if m == "algorithm1" else "fast"
    formulation = _EXACT.get(m, "auto")
    p = profit_opt(V, c1, backend=opts.backend, time_limit=opts.time_limit, method=method,
                   formulation=formulation)
    out: dict[str, Any] = {
        "status": p.status, "exact": True, "objective": p.objective,
        "bound": p.bound if np.isfinite(p.bound) else None,
        "gap": p.gap if np.isfinite(p.gap) else None, "backend": p.backend,
        "seconds": p.seconds, "supply": p.supply, "search": method,
        "milp_solves": p.n_solves, "c1": c1, "method": p.formulation}
    if p.message:
        out["message"] = p.message
    if p.revenue is not None:
        out.update(revenue=p.revenue.objective, sizes=p.revenue.sizes,
                   prices=p.revenue.prices, curve=p.revenue.curve)
    else:
        out.update(revenue=0.0, sizes=np.zeros(inst.B, int), prices=np.zeros(inst.B),
                   curve=np.zeros(1))
    return out


def _cli_solve(inst: PricingInstance, opts: SolveOptions) -> dict[str, Any]:
    """The registered solve: a parsed instance to the JSON-ready dict ``solver solve``
    prints (module docstring), checked by :func:`~solver.pricing.evaluate.check_answer`."""
    m = require_method(opts, METHODS)
    if m in _APPROX:
        require_no_backend(opts, f"approx:{m}")
    elif m == "brute":
        require_no_backend(opts, "exact:enumeration")
    elif m == "dp":
        require_no_backend(opts, "exact:dp")
    with limits(time_limit=opts.time_limit):
        out = (_solve_revenue(inst, opts, m) if inst.supply is not None
               else _solve_profit(inst, opts, m))
    failed = check_answer(inst, out)
    if failed:
        out["status"] = "error"
        prior = out.get("message")
        out["message"] = (f"a-posteriori check failed: {failed}"
                          + (f" ({prior})" if prior else ""))
    return out


#: The problem as :func:`solver.problems.solve_instance` runs it (``plugin`` registers the
#: same parse, solve, description and methods).
_SPEC = ProblemSpec(NAME, PricingInstance.from_dict, _cli_solve, DESCRIPTION, METHODS)


def solve(instance: PricingInstance, *, backend: str = "auto",
          time_limit: float | None = None, method: str | None = None,
          seed: int = 0) -> Result:
    """Solve a pricing instance: rev^OPT(N) [CCK25, eq. (2)] or the profit OPT [CCK25, eq. (3)].

    The same steps as ``solver solve FILE`` (:func:`solver.problems.solve_instance`), so
    ``solve(PricingInstance.from_dict(raw)).to_dict()`` is what ``solver solve FILE --json``
    prints for that file (``seconds`` aside).

    Parameters
    ----------
    instance
        The instance (never a raw valuation matrix: build one with
        ``PricingInstance(valuations=rows, ...)`` or :meth:`PricingInstance.from_v0`).
    backend
        ``"auto"`` or an optimisation backend of :mod:`solver.opt` (``"highs"``,
        ``"pulp:CBC"``, ``"portfolio"``, ...); only ``"auto"`` for ``brute`` and the
        approximations.
    time_limit
        Seconds (positive, finite; ``None``: none), opened as a
        :func:`solver.budget.limits` deadline around the solve, model building included;
        a solve it stops reports status ``time_limit`` with its incumbent and bound.
    method
        One of :data:`METHODS` (default ``"milp"``; module docstring).
    seed
        Accepted for the common signature; every pricing method is deterministic.

    Returns
    -------
    Result
        The certificate (``status``, ``objective``, ``bound``, relative ``gap``,
        ``backend``, ``seconds``) and the fields of docs/pricing.md (``sizes``, ``prices``,
        ``curve``, ``supply``, ...); ``.certify()`` raises unless proven optimal.

    Raises
    ------
    TypeError
        ``instance`` is not a :class:`PricingInstance`.
    InstanceError
        A bad ``backend``/``method``/``time_limit``, or an instance over the memory or work
        budget (:class:`~solver.errors.SizeLimitError`).
    """
    return solve_typed({PricingInstance: _SPEC}, instance, backend=backend,
                       time_limit=time_limit, method=method, seed=seed,
                       expected="a PricingInstance (rows v_j(1..N): "
                                "PricingInstance(valuations=rows, supply=N), or "
                                "PricingInstance.from_v0(V, ...) for rows v_j(0..N))")
