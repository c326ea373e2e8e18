"""The sampling problems [GAH12]: their instance types and their one :func:`solve`.

Two problems are registered (by :mod:`solver.sampling.plugin`):

``sampling`` (:class:`SamplingInstance`)
    Π^OPT, the least expected payment per seller over all unbiased sampling distributions
    [GAH12, Sections 4.2-5.1], exact (the degree-histogram MILP of
    :mod:`solver.sampling.optimum`, certified), with the ordering distribution ψ* and
    independent samples beside it and the LP relaxation over Ψ.  Instance file::

        {"problem": "sampling", "sellers": n, "demands": [d_1, ..., d_m],
         "payment": [pi(0), pi(1), ..., pi(m)]}

    or, instead of ``payment``, ``"costs"``: an ``n x m`` matrix whose row ``i`` lists
    ``c_i(1), ..., c_i(m)``; then ``pi^max(k) = max_i c_i(k)`` and ``pi^max(0) = 0``
    [GAH12, Section 5.1].

``sampling-mechanism`` (:class:`MechanismInstance`)
    The Baseline or CE Mechanism on truthful reports [GAH12, Sections 4.1-4.3, 5.1-5.2],
    evaluated in closed form.  Instance file::

        {"problem": "sampling-mechanism", "sellers": n, "demands": [d_1, ..., d_m],
         "mechanism": "baseline" | "ce" | "ce-risk-seeking",
         "distribution": "ordering" | "independent" | [p(0), ..., p(m)],
         "reports": [c_1, ..., c_n],             # linear costs c_i(k) = c_i k, or
         "costs": [[c_i(1), ..., c_i(m)], ...],  # general costs, non-decreasing rows
         "utilities": {"kind": "cara", "a": 0.002} | [one spec per seller],
         "ce_reports": [e_1, ..., e_n]}          # optional Step 2 reports

**Conventions** (the same in files and in Python; the instance types refuse any other and
name the convention in the error): ``demands`` are sample sizes ``d_b`` (how many sellers
buyer ``b`` samples, ``0..n``), in any order, one per buyer; ``payment`` and a
distribution ``p`` are indexed by the count ``k = 0..m`` (length ``m + 1``, entry 0 is
``k = 0``); ``costs`` rows are ``c_i(1..m)`` (**no** ``c_i(0)`` column: ``c_i(0) = 0`` is
implied); ``reports`` are per-seller linear cost rates ``c_i``, in any order, the seller with
the largest report included (the mechanism discards it); a mechanism's ``objective`` is the
price per data point (total expected payment / Σ_b d_b), never the total.

Both instance types validate at construction, from Python values
(``SamplingInstance(sellers=6, demands=np.array([...]), payment=np.array([...]))``) or
from a file's mapping (:meth:`SamplingInstance.from_dict`) alike, raising
:class:`~solver.errors.InstanceError` naming the field and the rule; arrays are stored as
read-only numpy arrays.  :func:`solve` returns a :class:`~solver.result.Result` whose
``to_dict()`` is what ``solver solve FILE --json`` prints (``seconds`` aside); the fields
are tabled in docs/sampling.md and docs/sampling-mechanisms.md.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..budget import check_memory, check_work, remaining_time
from ..errors import InstanceError, SizeLimitError, SolverError, TimeLimitReached
from ..problems import (
    ProblemSpec,
    SolveOptions,
    require_method,
    require_no_backend,
    solve_typed,
    within_time_limit,
)
from ..result import Result
from ..tolerances import PROBABILITY_SUM
from ..validate import as_array, as_choice, as_int, reject_unknown, require, require_mapping
from . import mechanisms as M
from .brute_force import brute_force_optimum, dp_optimum
from .distributions import expected_payment, independent_distribution, ordering_distribution
from .optimum import SamplingOptimum, check_optimum, optimal_payment
from .relaxation import RelaxationResult, compact_lp, relaxation_gap, subset_lp
from .tolerances import CERTIFICATE, CONCAVITY, MEAN_COUNT
from .utility import Utility, from_spec

# ============================================================================ sampling

#: The ``problem`` name of :class:`SamplingInstance` files.
SAMPLING = "sampling"
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
#: ``--method`` values of ``sampling``: the MILP (default) and the exhaustive references.
METHODS = ("milp", "brute-force", "graphs", "dp")
#: Largest m for which the explicit subset LP is also reported (``relaxation_subset``).
REPORT_SUBSET_LP_MAX_BUYERS = 10
#: What a successful a-posteriori check has verified (reported as ``checked``).
CHECKS = ("histogram realisable (Gale-Ryser, integers)",
          "unbiased (degrees sum to D: mean count D/n, Lemma 4.2)",
          "histogram cost = objective = solver objective",
          "bound <= objective", "LP relaxation <= objective",
          "objective <= ordering and independent distributions")
#: One line for ``solver list``.
SAMPLING_DESCRIPTION = (
    "Pricing Private Data: exact Π^OPT over unbiased sampling distributions (degree-histogram "
    "MILP), the ordering and independent distributions, and the LP relaxation over Ψ.")


def _frozen(a: Any, dtype: Any = float) -> np.ndarray:
    out = np.array(a, dtype=dtype)
    out.setflags(write=False)
    return out


def _plain(x: Any) -> Any:
    """numpy scalars as Python numbers (the validators take Python numbers)."""
    return x.item() if isinstance(x, np.generic) else x


def _length(v: Any) -> int | None:
    if isinstance(v, list | tuple):
        return len(v)
    return len(v) if isinstance(v, np.ndarray) and v.ndim > 0 else None


def _demands(raw: Any, maximum: int, who: str) -> np.ndarray:
    """Sample sizes d_b in ``0..maximum`` (``who`` says what the maximum is)."""
    d = as_array(raw, "demands", integer=True, minimum=0, max_len=MAX_BUYERS)
    if d.size and int(d.max()) > maximum:
        bad = int(np.flatnonzero(d > maximum)[0])
        raise InstanceError(f"demands[{bad}]", f"must be <= {maximum} ({who}): demands are "
                                               f"sample sizes d_b, not seller indices; got "
                                               f"{int(d[bad])}")
    return d.astype(np.int64)


def payment_from_costs(costs: Any) -> np.ndarray:
    """π^max(k) = max_i c_i(k) for k = 1..m, with π^max(0) = 0 [GAH12, Section 5.1].

    Parameters
    ----------
    costs
        ``n x m`` matrix of rows ``c_i(1..m)`` (no ``c_i(0)`` column).

    Returns
    -------
    numpy.ndarray
        π^max(0..m), length m + 1.
    """
    c = np.asarray(costs, dtype=float)
    return np.concatenate([[0.0], c.max(axis=0)])


@dataclass(frozen=True, eq=False)
class SamplingInstance:
    """A sampling market [GAH12, Sections 3 and 5.1]: n sellers, m buyers' sample sizes, π.

    Validated at construction, from Python values or from a file (:meth:`from_dict`).

    Attributes
    ----------
    sellers
        n, the number of sellers, an integer in ``1..MAX_SELLERS``.
    demands
        The m buyers' sample sizes d_b, integers in ``0..n``, any order, at most
        :data:`MAX_BUYERS` of them (read-only int64 array).
    payment
        π(0..m), length m + 1 (index = the number k of buyers that sample a seller), finite
        and ``>= 0``, need not be non-decreasing; π^max when built from ``costs`` (read-only).
    costs
        The ``n x m`` cost matrix of rows c_i(1..m) (no ``c_i(0)`` column), non-decreasing
        rows, finite, ``>= 0``; ``None`` when ``payment`` was given.  Give exactly one of
        ``payment`` and ``costs``.
    description
        Free text.
    """

    sellers: int
    demands: np.ndarray
    payment: np.ndarray | None = None
    costs: np.ndarray | None = None
    description: str = ""

    def __post_init__(self) -> None:
        n = as_int(_plain(self.sellers), "sellers", minimum=1, maximum=MAX_SELLERS)
        raw_d = self.demands
        if (k := _length(raw_d)) is not None and k > MAX_BUYERS:
            raise InstanceError("demands", f"must have at most {MAX_BUYERS} entries (buyers), "
                                           f"got {k}: the exact MILP is not served within "
                                           "about a minute beyond that (the Python API "
                                           "solver.sampling.optimal_payment takes any m, "
                                           "with a time limit)")
        demands = _demands(raw_d, n, f"n = {n} sellers")
        m = int(demands.size)
        has_p, has_c = self.payment is not None, self.costs is not None
        if not (has_p or has_c):
            raise InstanceError("payment", "is required (or 'costs', an n x m matrix)")
        costs = None
        if has_c:
            c = self.costs
            if _length(c) != n:
                got = _length(c) if _length(c) is not None else type(c).__name__
                raise InstanceError("costs", f"must be a list of n = {n} rows, got {got}")
            for i, row in enumerate(c):  # type: ignore[union-attr]
                if _length(row) != m:
                    got = _length(row) if _length(row) is not None else type(row).__name__
                    hint = (" (rows are c_i(1..m): drop the c_i(0) = 0 column)"
                            if _length(row) == m + 1 else "")
                    raise InstanceError(f"costs[{i}]", f"must list c_i(1..m) for m = {m} "
                                                       f"buyers, got {got}{hint}")
            costs = as_array(c, "costs", ndim=2, minimum=0.0, nondecreasing=True)
            derived = payment_from_costs(costs)
            if has_p and not np.array_equal(np.asarray(self.payment, dtype=float), derived):
                raise InstanceError("costs", "give exactly one of 'payment' (length m+1) or "
                                             "'costs' (n x m), not both")
            payment = derived
        else:
            payment = as_array(self.payment, "payment", minimum=0.0)
            if payment.size != m + 1:
                hint = (" (entry 0 is pi(0), for k = 0 buyers)" if payment.size == m else "")
                raise InstanceError("payment", f"must have length m + 1 = {m + 1} "
                                               f"(pi(0..m) for m = {m} buyers), got "
                                               f"{payment.size}{hint}")
        if not isinstance(self.description, str):
            raise InstanceError("description", "must be a string")
        set_ = object.__setattr__
        set_(self, "sellers", n)
        set_(self, "demands", _frozen(demands, np.int64))
        set_(self, "payment", _frozen(payment))
        set_(self, "costs", None if costs is None else _frozen(costs))

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> SamplingInstance:
        """Validate an instance-file mapping (the parser of ``solver solve``).

        Parameters
        ----------
        raw
            The file's mapping (fields :data:`FIELDS`).

        Returns
        -------
        SamplingInstance
            The validated instance.

        Raises
        ------
        InstanceError
            Naming the field and the rule (e.g. ``demands[3]: must be <= 5``).
        """
        raw = require_mapping(raw)
        reject_unknown(raw, FIELDS)
        if "problem" in raw and raw["problem"] != SAMPLING:
            raise InstanceError("problem", f"must be 'sampling', got {raw['problem']!r}")
        if "payment" in raw and "costs" in raw:
            raise InstanceError("costs", "give exactly one of 'payment' (length m+1) or "
                                         "'costs' (n x m), not both")
        return cls(sellers=require(raw, "sellers"), demands=require(raw, "demands"),
                   payment=raw.get("payment"), costs=raw.get("costs"),
                   description=raw.get("description", ""))

    def to_dict(self) -> dict[str, Any]:
        """The instance as an instance-file mapping (``from_dict`` of it round-trips)."""
        d: dict[str, Any] = {"problem": SAMPLING, "sellers": self.sellers,
                             "demands": self.demands.tolist()}
        if self.costs is not None:
            d["costs"] = self.costs.tolist()
        else:
            d["payment"] = self.payment.tolist()  # type: ignore[union-attr]
        if self.description:
            d["description"] = self.description
        return d

    @property
    def buyers(self) -> int:
        """m, the number of buyers."""
        return int(self.demands.size)

    @property
    def payment_nondecreasing(self) -> bool:
        """Whether π is non-decreasing (the paper's assumption on π^max)."""
        return bool(np.all(np.diff(self.payment) >= 0))  # type: ignore[arg-type]

    @property
    def costs_concave(self) -> bool | None:
        """Whether every c_i (with c_i(0) = 0) is concave; ``None`` without costs."""
        if self.costs is None:
            return None
        full = np.hstack([np.zeros((self.costs.shape[0], 1)), self.costs])
        scale = float(np.max(np.abs(full), initial=0.0))
        return bool(np.all(np.diff(full, n=2, axis=1) <= CONCAVITY * scale))
def _ratio(a: float, b: float) -> float | None:
    if b > 0:
        return a / b
    return 1.0 if a == 0 else None


def _optimum(inst: SamplingInstance, method: str, opts: SolveOptions) -> SamplingOptimum:
    n, d, pi = inst.sellers, inst.demands, inst.payment
    assert pi is not None
    if method == "milp":
        return optimal_payment(n, d, pi, backend=opts.backend, time_limit=opts.time_limit)
    if method == "dp":
        val, hist, sol = dp_optimum(n, d, pi)
    else:
        val, hist, sol = brute_force_optimum(
            n, d, pi, method="multisets" if method == "brute-force" else "graphs")
    return SamplingOptimum(val, sol, hist)


def _failed(inst: SamplingInstance, method: str, backend: str, message: str,
            t0: float) -> dict[str, Any]:
    """The result when no certified histogram exists: status error, with the reason."""
    return {"status": "error", "message": message, "objective": None, "bound": None,
            "gap": None, "backend": backend, "method": method, "sellers": inst.sellers,
            "buyers": inst.buyers, "seconds": time.perf_counter() - t0}


def _relaxation(inst: SamplingInstance, opts: SolveOptions
                ) -> tuple[RelaxationResult | None, str | None]:
    """The compact LP, or ``None`` and why when it could not be solved (e.g. time ran out)."""
    left = remaining_time(opts.time_limit)
    if left is not None and left <= 0:
        return None, "the time limit had passed"
    try:
        return compact_lp(inst.sellers, inst.demands, inst.payment,  # type: ignore[arg-type]
                          backend=opts.backend,
                          time_limit=opts.time_limit), None
    except InstanceError:
        raise
    except SolverError as exc:
        return None, str(exc)


def _solve_sampling(inst: SamplingInstance, opts: SolveOptions) -> dict[str, Any]:
    """Π^OPT with certificate, ψ*, independent samples, the LP: the dict ``solver solve``
    prints.

    Before a result is reported ``optimal`` it is checked a posteriori
    (:func:`solver.sampling.optimum.check_optimum`); a failed check gives status
    ``error`` with a ``message`` naming it (exit 1).
    """
    t0 = time.perf_counter()
    method = require_method(opts, METHODS, "milp")
    assert method is not None
    n, d, pi = inst.sellers, inst.demands, inst.payment
    assert pi is not None
    try:
        opt = _optimum(inst, method, opts)
    except (InstanceError, TimeLimitReached):
        raise
    except SolverError as exc:
        return _failed(inst, method, opts.backend, f"Π^OPT not certified: {exc}", t0)
    # the distributions are cheap (O(m²) at most) and need no deadline: once a histogram
    # exists it is reported, with the LP relaxation skipped if the time is up
    p_ord = ordering_distribution(n, d)
    p_ind = independent_distribution(n, d)
    ordering = expected_payment(p_ord, pi)
    independent = expected_payment(p_ind, pi)
    rel, rel_note = _relaxation(inst, opts)
    out: dict[str, Any] = dict(opt.solution.certificate())
    out.update(
        objective=opt.objective,
        method=method,
        sellers=n,
        buyers=inst.buyers,
        ordering=ordering,
        ratio=_ratio(ordering, opt.objective),
        independent=independent,
        independent_ratio=_ratio(independent, opt.objective),
        relaxation=None if rel is None else rel.objective,
        relaxation_method="compact LP (equal to the paper's subset LP over Ψ)",
        relaxation_gap=None if rel is None else relaxation_gap(opt.objective, rel.objective),
        degrees=opt.degrees,
        p_optimal=opt.p,
        p_ordering=p_ord,
        p_independent=p_ind,
        mean_count=float(d.sum()) / n,
        payment_nondecreasing=inst.payment_nondecreasing,
    )
    if "incumbent" in opt.extra:
        out["incumbent"] = ("the MILP's" if opt.extra["incumbent"] == "milp" else
                            "the ordering distribution's (the MILP had none in time)")
    if rel_note is not None:
        out["relaxation_note"] = f"the LP relaxation was not solved: {rel_note}"
    if inst.costs is not None:
        out["payment"] = pi
        out["costs_concave"] = inst.costs_concave
    if inst.buyers <= REPORT_SUBSET_LP_MAX_BUYERS and rel is not None:
        out["relaxation_subset"] = subset_lp(n, d, pi, backend=opts.backend).objective
    if out["status"] == "optimal":
        failed = check_optimum(
            opt, n, d, pi, upper={"ordering": ordering, "independent": independent},
            lower={} if rel is None else {"LP relaxation": rel.objective})
        if failed:
            out["status"] = "error"
            out["message"] = "a-posteriori check failed: " + "; ".join(failed)
        else:
            out["checked"] = list(CHECKS if rel is not None
                                  else [c for c in CHECKS if not c.startswith("LP")])
    out["seconds"] = time.perf_counter() - t0
    out["solve_seconds"] = opt.solution.seconds
    return out




#: The registered solve of ``sampling``, inside the ``time_limit`` deadline.
_cli_solve_sampling = within_time_limit(_solve_sampling)


#: ``sampling`` as :func:`solver.problems.solve_instance` runs it (``plugin`` registers the
#: same parse, solve, description and methods).
SAMPLING_SPEC = ProblemSpec(SAMPLING, SamplingInstance.from_dict, _cli_solve_sampling,
                            SAMPLING_DESCRIPTION, METHODS)


# ============================================================================ mechanisms

#: The ``problem`` name of :class:`MechanismInstance` files.
MECHANISM = "sampling-mechanism"
#: Fields a ``sampling-mechanism`` instance file may have.
MECHANISM_FIELDS = ("problem", "sellers", "demands", "mechanism", "distribution", "reports",
                    "costs", "utilities", "ce_reports", "description")
#: The mechanisms [GAH12, Sections 4.1, 4.2 and 5.1-5.2].
MECHANISMS = ("baseline", "ce", "ce-risk-seeking")
#: The one ``--method`` of ``sampling-mechanism``: the mechanism is evaluated in closed form.
MECHANISM_METHODS = ("closed-form",)
#: What the result names as its backend (``--backend`` accepts only this or ``auto``).
MECHANISM_BACKEND = "exact:closed-form"
#: Largest n·(m + 1), the numbers in one payment matrix (about 1.3 GB of working arrays and
#: 10-25 s at this size on a 2-core machine).
MAX_CELLS = 20_000_000
#: Peak bytes per payment-matrix entry: payments, masks, costs, weights and one lottery
#: matrix (measured 64 bytes per entry for the CE Mechanism at n·(m + 1) = 2e7).
BYTES_PER_CELL = 64.0
#: Elementary operations per payment-matrix entry for one round of certainty equivalents.
OPS_PER_CELL = 5.0
#: One line for ``solver list``.
MECHANISM_DESCRIPTION = ("Pricing Private Data: Baseline / CE Mechanisms (linear and general "
                         "costs); price per data point and per-seller payment functions")


def _utilities(u: Any, n: int) -> tuple[Utility, ...]:
    """One :class:`Utility` per seller from a spec, a Utility, or a list of either."""
    if isinstance(u, Mapping | Utility):
        one = u if isinstance(u, Utility) else from_spec(u, "utilities")
        return (one,) * n
    if isinstance(u, list | tuple):
        if len(u) != n:
            raise InstanceError("utilities", f"must be one spec or one per seller ({n}), "
                                             f"got {len(u)}")
        cache: dict[str, Utility] = {}
        out = []
        for i, s in enumerate(u):
            if isinstance(s, Utility):
                out.append(s)
                continue
            key = repr(sorted(s.items())) if isinstance(s, Mapping) else repr(s)
            if key not in cache:
                cache[key] = from_spec(s, f"utilities[{i}]")
            out.append(cache[key])
        return tuple(out)
    raise InstanceError("utilities", "must be a utility spec or a list of them")


@dataclass(frozen=True, eq=False)
class MechanismInstance:
    """A market run through the Baseline or CE Mechanism [GAH12, Sections 4-5].

    Everyone reports truthfully: Step 1 reports are the given costs, Step 2 reports the
    sellers' certainty equivalents from ``utilities`` unless ``ce_reports`` is given.
    Linear costs sample n' = n − 1 sellers (the largest reporter is discarded); general
    costs sample all n with the per-k exclusions of [GAH12, Section 5.1].  Validated at
    construction, from Python values or from a file (:meth:`from_dict`).

    Attributes
    ----------
    sellers
        n, the sellers who report (the largest reporter included), an integer ``>= 2``.
    demands
        The buyers' sample sizes d_b, integers in ``0..n'`` (n' = n − 1 for linear costs,
        n for general), any order, not all 0 (read-only int64 array).
    mechanism
        ``"baseline"``, ``"ce"`` or ``"ce-risk-seeking"`` (linear costs only).
    reports
        Linear costs: one rate c_i per seller (c_i(k) = c_i k), finite, ``>= 0``, any order
        (read-only); ``None`` for general costs.  Give exactly one of ``reports`` and
        ``costs``.
    costs
        General costs: ``n x m`` rows c_i(1..m) (no c_i(0) column), non-decreasing, finite,
        ``>= 0`` (read-only); ``None`` for linear costs.
    distribution
        ``"ordering"`` (default), ``"independent"``, or p(0..m) (length m + 1, indexed by the
        count k, summing to 1 with mean Σ_b d_b / n' [GAH12, Lemma 4.2]; read-only).
    utilities
        One :class:`~solver.sampling.utility.Utility` per seller (a single spec or Utility is
        given to all); a spec is ``{"kind": "linear"|"cara"|"crra", ...}``.  Required by the
        CE mechanisms unless ``ce_reports`` are given (linear ``ce`` only).
    ce_reports
        Step 2 reports e_i, one per seller (CE mechanisms only; default: the truthful
        certainty equivalents).
    description
        Free text.
    """

    sellers: int
    demands: np.ndarray
    mechanism: str
    reports: np.ndarray | None = None
    costs: np.ndarray | None = None
    distribution: str | np.ndarray = "ordering"
    utilities: tuple[Utility, ...] | None = None
    ce_reports: np.ndarray | None = None
    description: str = ""

    def __post_init__(self) -> None:
        n = as_int(_plain(self.sellers), "sellers", minimum=2)
        mech = as_choice(self.mechanism, "mechanism", MECHANISMS)
        if (self.reports is None) == (self.costs is None):
            raise InstanceError("reports", "give exactly one of 'reports' (linear costs c_i) "
                                           "and 'costs' (general costs c_i(1..m))")
        linear = self.reports is not None
        n_sampled = n - 1 if linear else n
        d = _demands(self.demands, n_sampled,
                     f"n' = {n_sampled} sellers sampled" + (", the largest reporter "
                                                            "excluded" if linear else ""))
        m = int(d.size)
        if int(d.sum()) == 0:
            raise InstanceError("demands", "must ask for at least one data point in all (the "
                                           "price per data point divides by the sum of "
                                           "demands)")
        if n * (m + 1) > MAX_CELLS:
            raise SizeLimitError("sellers", f"n·(m + 1) = {n * (m + 1)} exceeds {MAX_CELLS}",
                                 "a smaller instance or the Python API per seller group")
        top = _money_max(n, m)
        reports = costs = None
        if linear:
            reports = as_array(self.reports, "reports", minimum=0.0, maximum=top)
            if reports.size != n:
                raise InstanceError("reports", f"must have one entry per seller ({n}, the "
                                               f"largest reporter included), got "
                                               f"{reports.size}")
        else:
            costs = as_array(self.costs, "costs", ndim=2, minimum=0.0, nondecreasing=True,
                             maximum=top)
            if costs.shape[0] != n:
                raise InstanceError("costs", f"must have one row per seller ({n}), got "
                                             f"{costs.shape[0]}")
            if costs.shape[1] != m:
                hint = (" (rows are c_i(1..m): drop the c_i(0) = 0 column)"
                        if costs.shape[1] == m + 1 else "")
                raise InstanceError("costs[0]", f"must have one entry per buyer count k = "
                                                f"1..m ({m}), got {costs.shape[1]}{hint}")
        if mech == "ce-risk-seeking" and not linear:
            raise InstanceError("mechanism", "'ce-risk-seeking' applies to linear costs "
                                             "('reports'); the general-cost CE mechanism "
                                             "already uses the pi_max_{-i} variant: use 'ce'")
        dist: str | np.ndarray = "ordering"
        v = self.distribution
        if isinstance(v, str):
            dist = as_choice(v, "distribution", ("ordering", "independent"))
        else:
            p = as_array(v, "distribution", minimum=0.0, maximum=1.0)
            if p.size != m + 1:
                raise InstanceError("distribution", f"must have m + 1 = {m + 1} entries "
                                                    f"p(0..m), indexed by the count k = 0..m, "
                                                    f"got {p.size}")
            if abs(p.sum() - 1.0) > PROBABILITY_SUM * max(1, m):
                raise InstanceError("distribution", f"must sum to 1, sums to {p.sum()!r}")
            mean, target = float(np.arange(m + 1) @ p), float(d.sum()) / n_sampled
            if abs(mean - target) > MEAN_COUNT * max(1.0, target):
                raise InstanceError("distribution", f"mean count must be sum(d)/n' = {target} "
                                                    f"(Lemma 4.2), got {mean}")
            dist = _frozen(p)
        utils = None if self.utilities is None else _utilities(self.utilities, n)
        e_rep = None
        if self.ce_reports is not None:
            if mech == "baseline":
                raise InstanceError("ce_reports", "only the CE mechanisms use Step 2 reports")
            e = as_array(self.ce_reports, "ce_reports", minimum=-top, maximum=top)
            if e.size != n:
                raise InstanceError("ce_reports", f"must have one entry per seller ({n}), "
                                                  f"got {e.size}")
            e_rep = _frozen(e)
        if mech != "baseline" and utils is None and not (
                e_rep is not None and mech == "ce" and linear):
            raise InstanceError("utilities", f"is required for mechanism {mech!r} (sellers' "
                                             "certainty equivalents are computed from it)")
        if not isinstance(self.description, str):
            raise InstanceError("description", "must be a string")
        set_ = object.__setattr__
        set_(self, "sellers", n)
        set_(self, "demands", _frozen(d, np.int64))
        set_(self, "mechanism", mech)
        set_(self, "reports", None if reports is None else _frozen(reports))
        set_(self, "costs", None if costs is None else _frozen(costs))
        set_(self, "distribution", dist)
        set_(self, "utilities", utils)
        set_(self, "ce_reports", e_rep)
        if linear:
            matrix = self.reports
        else:
            full = np.hstack([np.zeros((n, 1)), costs])  # type: ignore[list-item]
            matrix = _frozen(full)
        set_(self, "_cost_matrix", matrix)

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> MechanismInstance:
        """Validate an instance-file mapping (the parser of ``solver solve``).

        Parameters
        ----------
        raw
            The file's mapping (fields :data:`MECHANISM_FIELDS`).

        Returns
        -------
        MechanismInstance
            The validated instance.

        Raises
        ------
        InstanceError
            Naming the field and the rule (e.g. ``reports[1]: must be >= 0``).
        """
        raw = require_mapping(raw)
        reject_unknown(raw, MECHANISM_FIELDS)
        if "problem" in raw and raw["problem"] != MECHANISM:
            raise InstanceError("problem", f"must be {MECHANISM!r}, got {raw['problem']!r}")
        sellers = require(raw, "sellers")
        mech = require(raw, "mechanism")
        u = raw.get("utilities")
        if u is not None and not isinstance(u, Mapping | list):
            raise InstanceError("utilities", "must be a utility spec or a list of them")
        return cls(sellers=sellers, demands=require(raw, "demands"), mechanism=mech,
                   reports=raw.get("reports"), costs=raw.get("costs"),
                   distribution=raw.get("distribution", "ordering"), utilities=u,
                   ce_reports=raw.get("ce_reports"), description=raw.get("description", ""))

    def to_dict(self) -> dict[str, Any]:
        """The instance as an instance-file mapping (``from_dict`` of it round-trips).

        Raises
        ------
        ValueError
            A custom utility (a Python callable) has no file form.
        """
        d: dict[str, Any] = {"problem": MECHANISM, "sellers": self.sellers,
                             "demands": self.demands.tolist(), "mechanism": self.mechanism,
                             "distribution": (self.distribution
                                              if isinstance(self.distribution, str)
                                              else self.distribution.tolist())}
        if self.reports is not None:
            d["reports"] = self.reports.tolist()
        else:
            d["costs"] = self.costs.tolist()  # type: ignore[union-attr]
        if self.utilities is not None:
            if any(u.kind == "custom" for u in self.utilities):
                raise ValueError("a custom utility has no instance-file form")
            specs = [u.describe() for u in self.utilities]
            d["utilities"] = specs[0] if all(s == specs[0] for s in specs) else specs
        if self.ce_reports is not None:
            d["ce_reports"] = self.ce_reports.tolist()
        if self.description:
            d["description"] = self.description
        return d

    @property
    def linear(self) -> bool:
        """Linear costs [GAH12, Section 4] or general ones [GAH12, Section 5]."""
        return self.reports is not None

    @property
    def cost_matrix(self) -> np.ndarray:
        """What :mod:`solver.sampling.mechanisms` takes: the reports (linear), or the
        ``n x (m + 1)`` matrix c_i(0..m) with its column 0 = 0 (general)."""
        return self._cost_matrix  # type: ignore[attr-defined, no-any-return]


def _money_max(n: int, m: int) -> float:
    """Largest amount of money accepted: the total payment Σ_i Σ_k p(k) π_i(k), with π_i(k)
    up to c^max·m plus a threshold, must stay a finite double (~1.8e308 / (4 n (m + 1)))."""
    return float(np.finfo(float).max / (4.0 * n * (m + 1)))



def _run(inst: MechanismInstance) -> M.MechanismResult:
    """Evaluate the mechanism on the instance (truthful Step 1; Step 2 as given)."""
    d = inst.demands
    dist = inst.distribution
    if inst.utilities is not None:
        over = None if inst.ce_reports is None else dict(enumerate(inst.ce_reports.tolist()))
        return M.run_truthful(inst.mechanism, inst.cost_matrix, inst.utilities, d, dist,
                              ce_override=over)
    # linear CE with explicit Step 2 reports and no utilities
    p = M.sampling_distribution(dist, inst.sellers - 1, d)
    return M.ce_linear(inst.cost_matrix, inst.ce_reports, d, p)


def _estimate(inst: MechanismInstance) -> tuple[float, float]:
    """Peak memory (bytes) and work (operations) of :func:`run`, from the sizes alone.

    Each round of certainty equivalents costs about ``OPS_PER_CELL`` operations per entry of
    the n x (m + 1) payment matrix; the CE Mechanism with general costs asks one round per
    seller whose report alone sets π^max(k) for some k (at most one per k), the
    risk-seeking variation one more.
    """
    n, m = inst.sellers, int(inst.demands.size)
    cells = float(n) * (m + 1)
    rounds = 1.0
    if inst.mechanism != "baseline":
        rounds += 2.0
        if not inst.linear:
            rounds += float(M.unique_max_mask(inst.cost_matrix).any(axis=1).sum())
    return BYTES_PER_CELL * cells, OPS_PER_CELL * cells * rounds



def _check_result(res: M.MechanismResult, inst: MechanismInstance) -> list[str]:
    """The mechanism's answer recomputed independently; returns the checks that failed.

    p must be a distribution with the Lemma 4.2 mean Σ d_b / n' (n' = n − 1 for linear
    costs), every payment finite, and the price equal to Σ_i Σ_k p(k) π_i(k) over the
    outcomes where seller i is sampled, divided by Σ d_b (relative to the largest payment).
    """
    failed = []
    p = np.asarray(res.p, dtype=float)
    n_sampled = inst.sellers - 1 if inst.linear else inst.sellers
    dsum = float(inst.demands.sum())
    if not (np.all(p >= 0) and abs(p.sum() - 1.0) <= PROBABILITY_SUM * max(1, p.size)):
        failed.append("p is not a probability distribution")
    elif abs(float(np.arange(p.size) @ p) - dsum / n_sampled) > MEAN_COUNT * max(
            1.0, dsum / n_sampled):
        failed.append("p does not have the Lemma 4.2 mean sum(d)/n'")
    pay = np.where(res.sampled, res.payments, 0.0)
    if not np.all(np.isfinite(pay)):
        failed.append("a payment is not finite")
        return failed
    if not np.isfinite(res.price):
        failed.append(f"the price {res.price!r} is not finite")
        return failed
    scale = float(np.max(np.abs(pay), initial=0.0))
    # Σ_i π_i(k) column by column, then Σ_k p(k)·column: a different order of summation
    price = float(p @ pay.sum(axis=0)) / dsum
    if not abs(price - res.price) <= CERTIFICATE * max(scale, abs(res.price)):
        failed.append(f"price {res.price!r} differs from the payments' recomputed {price!r}")
    return failed



def _dedupe_rows(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of ``a`` in lexicographic order and each row's index among them.

    Same result as ``np.unique(a, axis=0, return_inverse=True)``, whose sort of whole rows
    takes 10 s for 10^5 sellers, but by an exact integer hash of each row's bits (a market
    has many sellers and few distinct payment functions); a hash collision is detected
    and falls back to ``np.unique``.
    """
    a = np.ascontiguousarray(a + 0.0)                 # adding zero turns -0.0 into 0.0
    if a.shape[0] == 0:
        return a, np.zeros(0, dtype=np.int64)
    words = a.view(np.uint64)
    mult = np.random.default_rng(0).integers(1, 2**63, size=a.shape[1], dtype=np.uint64) | 1
    with np.errstate(over="ignore"):
        h = (words * mult[None, :]).sum(axis=1, dtype=np.uint64)
    _, first, inv = np.unique(h, return_index=True, return_inverse=True)
    inv = inv.reshape(-1)
    uniq = a[first]
    if not np.array_equal(uniq[inv], a):
        rows, of = np.unique(a, axis=0, return_inverse=True)
        return rows, np.asarray(of).reshape(-1)
    order = np.lexsort(uniq.T[::-1])
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    return uniq[order], rank[inv]



def _solve_mechanism(inst: MechanismInstance, opts: SolveOptions) -> dict[str, Any]:
    """Closed-form evaluation, checked a posteriori (:func:`_check_result`): the dict
    ``solver solve`` prints.

    Only ``--method closed-form`` and ``--backend auto`` (or ``exact:closed-form``) are
    accepted: no optimisation backend is involved.
    """
    require_method(opts, MECHANISM_METHODS, "closed-form")
    require_no_backend(opts, MECHANISM_BACKEND)
    nbytes, ops = _estimate(inst)
    check_memory("sellers", nbytes, "the mechanism's n x (m + 1) payment matrices",
                 "fewer sellers or buyers (sellers with equal reports and utilities are "
                 "interchangeable)")
    check_work("sellers", ops, "the certainty equivalents of every seller for every "
               "counterfactual payment", "fewer sellers or buyers")
    t0 = time.perf_counter()
    res = _run(inst)
    seconds = time.perf_counter() - t0
    failed = _check_result(res, inst)
    rows, of = _dedupe_rows(res.payments)
    never = [[int(i), (np.flatnonzero(~res.sampled[i, 1:]) + 1).tolist()]
             for i in np.flatnonzero((~res.sampled[:, 1:]).any(axis=1))]
    status: dict[str, Any] = {"status": "optimal"}
    if failed:
        status = {"status": "error", "message": "a-posteriori check failed: " +
                  "; ".join(failed)}
    return {
        **status,
        "objective": res.price,
        "objective_meaning": "price per data point: total expected payment / sum of demands",
        "backend": MECHANISM_BACKEND,
        "method": "closed-form",
        "seconds": seconds,
        "mechanism": res.mechanism,
        "cost_model": "linear" if inst.linear else "general",
        "total_expected_payment": res.total_expected_payment,
        "price": res.price,
        "w": float(np.arange(res.p.size) @ res.p),
        "p": res.p,
        "pi_max": res.pi_max,
        "excluded_seller": res.excluded,
        "expected_payments": res.expected_payments,
        "price_per_data_point": res.price_per_data_point,
        "reduced": res.reduced,
        "thresholds": res.thresholds,
        "r_hat": res.r_hat,
        "payment_functions": rows,
        "payment_of": np.asarray(of).reshape(-1),
        "never_sampled_at": never,
    }





#: The registered solve of ``sampling-mechanism``, inside the ``time_limit`` deadline.
_cli_solve_mechanism = within_time_limit(_solve_mechanism)


#: ``sampling-mechanism`` as :func:`solver.problems.solve_instance` runs it.
MECHANISM_SPEC = ProblemSpec(MECHANISM, MechanismInstance.from_dict, _cli_solve_mechanism,
                             MECHANISM_DESCRIPTION, MECHANISM_METHODS)


# ============================================================================ solve


def solve(instance: SamplingInstance | MechanismInstance, *, backend: str = "auto",
          time_limit: float | None = None, method: str | None = None,
          seed: int = 0) -> Result:
    """Solve a sampling problem [GAH12], with its certificate, as ``solver solve`` does.

    Dispatches on the instance type: a :class:`SamplingInstance` gets Π^OPT (the
    degree-histogram MILP [GAH12, Sections 4.2-5.1], certified and checked a posteriori)
    with the ordering and independent distributions and the LP relaxation; a
    :class:`MechanismInstance` gets the Baseline or CE Mechanism's payments and price per
    data point [GAH12, Sections 4-5], in closed form.  The steps are those of
    ``solver solve FILE`` (:func:`solver.problems.solve_instance`), so ``to_dict()`` of the
    result is what ``solver solve FILE --json`` prints for the instance's file (``seconds``
    aside).

    Parameters
    ----------
    instance
        The instance (never raw arrays: build one with ``SamplingInstance(...)`` or
        ``MechanismInstance(...)``).
    backend
        ``"auto"`` or an optimisation backend of :mod:`solver.opt` (``"highs"``,
        ``"pulp:CBC"``, ...) for the MILP and LP of ``sampling``; only ``"auto"`` (or
        ``"exact:closed-form"``) for a mechanism.
    time_limit
        Seconds (positive, finite; ``None``: none), opened as a
        :func:`solver.budget.limits` deadline around the solve; a MILP it stops reports
        status ``time_limit`` with its incumbent and bound.
    method
        ``sampling``: one of :data:`METHODS` (default ``"milp"``; ``"brute-force"``,
        ``"graphs"`` and ``"dp"`` are exhaustive references for small instances).
        ``sampling-mechanism``: ``"closed-form"`` (the default and only one).
    seed
        Accepted for the common signature; every method here is deterministic.

    Returns
    -------
    Result
        The certificate (``status``, ``objective``, ``bound``, relative ``gap``,
        ``backend``, ``seconds``) and the fields tabled in docs/sampling.md and
        docs/sampling-mechanisms.md; ``.certify()`` raises unless proven optimal.

    Raises
    ------
    TypeError
        ``instance`` is neither instance type.
    InstanceError
        A bad ``backend``/``method``/``time_limit``, or an instance over the memory or work
        budget (:class:`~solver.errors.SizeLimitError`).
    """
    return solve_typed({SamplingInstance: SAMPLING_SPEC, MechanismInstance: MECHANISM_SPEC},
                       instance, backend=backend, time_limit=time_limit, method=method,
                       seed=seed,
                       expected="a SamplingInstance or a MechanismInstance (e.g. "
                                "SamplingInstance(sellers=n, demands=d, payment=pi))")


__all__ = ["MechanismInstance", "SamplingInstance", "solve"]
