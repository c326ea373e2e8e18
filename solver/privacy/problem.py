"""The privacy problems [CCKMV13]: their four instance types and the one :func:`solve`.

Each instance type is a frozen dataclass, built from Python values
(``ElectionInstance(votes_a=51, votes_b=50, epsilon=0.25)``) or from an instance file's
mapping (``from_dict``); both paths validate the same way, at construction, and
``from_dict(inst.to_dict())`` gives an equal instance.  Arrays are stored as read-only numpy
arrays.  The tables of docs/privacy.md list every field with its type, rule and default.

* :class:`ElectionInstance` (``election``): Mechanism 4.1 [CCKMV13, Section 4] on the
  **vote counts** ``#A``, ``#B`` (never a margin);
* :class:`FacilityInstance` (``facility-location``): Mechanism 6.1 [CCKMV13, Section 6] on
  the locations and the **histogram** of reports (``counts[j]`` players at
  ``locations[j]``, ``j`` counting from 0 in the increasing order of the locations);
* :class:`VCGInstance` (``vcg``): Mechanism 7.1 [CCKMV13, Section 7] on the players'
  integer utilities, **one row per player, one column per outcome**;
* :class:`PrivateMechanismLPInstance` (``private-mechanism-lp``): the LP benchmark of
  :mod:`solver.privacy.lp_benchmark` on a utility matrix **indexed by type (rows) and
  outcome (columns)**.

Conventions (one per quantity): ``epsilon`` is the mechanism's parameter ε as printed
(never ``e^ε``; Mechanism 4.1's exact DP level is ``2ε``, reported as ``dp_epsilon``);
``privacy_bound`` is the function ``F`` of Assumption 3.1 applied to a **ratio**
``x >= 1`` (``F(x) = κ ln x`` or ``κ (x - 1)``), so the bound at an ε-DP mechanism is
``F(e^ε)``, not ``F(ε)``.

:func:`solve` dispatches on the instance type and runs the steps of ``solver solve FILE``
(:func:`solver.problems.solve_instance`), so ``solve(inst).to_dict()`` is what
``solver solve FILE --json`` prints for ``inst.to_dict()`` saved as a file (``seconds``
aside).
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InstanceError, SizeLimitError
from ..problems import (
    ProblemSpec,
    SolveOptions,
    require_method,
    require_no_backend,
    solve_typed,
    within_time_limit,
)
from ..result import Result
from ..validate import (
    MAX_EXACT_INT,
    as_array,
    as_choice,
    as_int,
    as_number,
    reject_unknown,
    require,
    require_mapping,
)
from .model import MIN_EPSILON, PrivacyBound, parse_privacy_bound
from .tolerances import REPORT_MATCH

__all__ = ["ElectionInstance", "FacilityInstance", "PrivateMechanismLPInstance", "VCGInstance",
           "solve"]

#: Registered names (the ``problem`` field of the instance files).
ELECTION = "election"
FACILITY = "facility-location"
VCG = "vcg"
LP = "private-mechanism-lp"
#: The one method of each problem (``--method``) and the name reported as backend.
ELECTION_METHODS: tuple[str, ...] = ("closed-form",)
FACILITY_METHODS: tuple[str, ...] = ("convolution",)
VCG_METHODS: tuple[str, ...] = ("summation",)
LP_METHODS: tuple[str, ...] = ("lp",)
ELECTION_EXACT = "exact:closed-form"
FACILITY_EXACT = "exact:negative-binomial-convolution"
VCG_EXACT = "exact:truncated-summation"
#: One line each for ``solver list``.
ELECTION_DESCRIPTION = ("Mechanism 4.1 [CCKMV13]: private two-candidate election (exact, "
                        "with truthfulness check)")
FACILITY_DESCRIPTION = ("Mechanism 6.1 [CCKMV13]: private discrete facility location (exact "
                        "distribution)")
VCG_DESCRIPTION = ("Mechanism 7.1 [CCKMV13]: VCG with discrete-Laplace noise (exact for "
                   "small |O|)")
LP_DESCRIPTION = ("LP benchmark [CCKMV13]: best eps-DP mechanism truthful against every "
                  "|U_priv| <= F(e^eps) (a lower bound on the Assumption-3.1 benchmark)")
#: Largest vote count a side (2**53: beyond it the margin is not exact in floating point).
MAX_VOTES = MAX_EXACT_INT
#: Largest number of facility-location players (the histogram's total is exact).
MAX_PLAYERS = MAX_EXACT_INT
#: Largest number of LP-benchmark players accepted by the parser (far past the LP's size
#: limit already; the cap keeps the size arithmetic small).
MAX_LP_PLAYERS = 10_000
#: Largest welfare magnitude (n times the largest utility) of the LP benchmark.
MAX_WELFARE = 1e307
#: The LP benchmark's families and modes.
LP_FAMILIES: tuple[str, ...] = ("election", "facility", "custom")
LP_MODES: tuple[str, ...] = ("profiles", "histograms")

_TEXT_FIELDS = ("problem", "name", "description")


# ----------------------------------------------------------------------------- helpers
def _plain(x: Any) -> Any:
    """A numpy scalar as the Python number it holds (other values unchanged)."""
    return x.item() if isinstance(x, np.generic) else x


def _readonly(a: np.ndarray) -> np.ndarray:
    out = np.array(a)
    out.setflags(write=False)
    return out


def _listish(v: Any) -> Any:
    return v.tolist() if isinstance(v, np.ndarray) else v


def _check_problem(raw: Mapping[str, Any], name: str, cls: str) -> None:
    if raw.get("problem", name) != name:
        raise InstanceError("problem", f"must be {name!r} for a {cls}, got {raw['problem']!r}")


def _epsilon(value: Any) -> float:
    """ε of Definition 3.2: a finite number >= :data:`~solver.privacy.model.MIN_EPSILON`."""
    eps = as_number(_plain(value), "epsilon", minimum=0.0, strict_min=True)
    if eps < MIN_EPSILON:
        raise InstanceError("epsilon", f"must be >= {MIN_EPSILON:g}, got {eps!r}")
    return float(eps)


def _bound(value: Any, required: bool = False) -> PrivacyBound | None:
    """A :class:`PrivacyBound`, or its file form ``{"kind", "kappa"}``."""
    if value is None:
        if required:
            raise InstanceError("privacy_bound", "is required")
        return None
    if isinstance(value, PrivacyBound):
        return value
    return parse_privacy_bound(value)


def _bound_dict(F: PrivacyBound) -> dict[str, Any]:
    if F.kind == "callable":
        raise InstanceError("privacy_bound", "a callable F has no instance-file form "
                                             "(only kinds log and linear do)")
    return {"kind": F.kind, "kappa": F.kappa}


def _with_bound(out: dict[str, Any], F: PrivacyBound | None) -> dict[str, Any]:
    if F is not None:
        out["privacy_bound"] = _bound_dict(F)
    return out


def _arrays_equal(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    return bool(np.array_equal(a, b))


# ----------------------------------------------------------------------------- election
@dataclass(frozen=True)
class ElectionInstance:
    """A two-candidate election run by Mechanism 4.1 [CCKMV13, Section 4].

    Attributes
    ----------
    votes_a, votes_b
        The vote **counts** ``#A`` and ``#B`` (integers in ``[0, 2^53]``, at least one vote
        in all); the mechanism sees the margin ``Δ = #A - #B``, which is not an input.
    epsilon
        The mechanism's noise parameter ε (``Pr[r = k] ∝ e^{-ε|k|}``), ``>= 1e-300``; the
        mechanism is exactly ``2ε``-differentially private (one vote moves Δ by 2).
    privacy_bound
        ``F`` of Assumption 3.1 (a :class:`~solver.privacy.model.PrivacyBound` or
        ``{"kind": "log"|"linear", "kappa": κ}``); ``None``: no truthfulness check.
    utility_gap
        ``U^out(θ, θ) - U^out(θ, θ')`` > 0, each voter's outcome utility for her candidate
        over the other (the same for every voter).
    """

    votes_a: int
    votes_b: int
    epsilon: float
    privacy_bound: PrivacyBound | None = None
    utility_gap: float = 1.0

    def __post_init__(self) -> None:
        a = as_int(_plain(self.votes_a), "votes.A", minimum=0, maximum=MAX_VOTES)
        b = as_int(_plain(self.votes_b), "votes.B", minimum=0, maximum=MAX_VOTES)
        if a + b < 1:
            raise InstanceError("votes", "must contain at least one vote")
        set_ = object.__setattr__
        set_(self, "votes_a", a)
        set_(self, "votes_b", b)
        set_(self, "epsilon", _epsilon(self.epsilon))
        set_(self, "privacy_bound", _bound(self.privacy_bound))
        set_(self, "utility_gap", float(as_number(_plain(self.utility_gap), "utility_gap",
                                                  minimum=0.0, strict_min=True)))

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> ElectionInstance:
        """Validate an instance file's mapping.

        Parameters
        ----------
        raw
            ``{"problem": "election", "votes": {"A": a, "B": b}, "epsilon": ε,
            "privacy_bound": {...}, "utility_gap": g}`` (the last two optional).

        Returns
        -------
        ElectionInstance
            The validated, immutable instance.

        Raises
        ------
        InstanceError
            Naming the field and the rule (``votes.A: must be an integer >= 0``).
        """
        raw = require_mapping(raw)
        reject_unknown(raw, (*_TEXT_FIELDS, "votes", "epsilon", "privacy_bound",
                             "utility_gap"))
        _check_problem(raw, ELECTION, cls.__name__)
        votes = require_mapping(require(raw, "votes"), "votes")
        reject_unknown(votes, ("A", "B"), prefix="votes.")
        return cls(votes_a=require(votes, "A", "votes."), votes_b=require(votes, "B", "votes."),
                   epsilon=require(raw, "epsilon"), privacy_bound=raw.get("privacy_bound"),
                   utility_gap=raw.get("utility_gap", 1.0))

    def to_dict(self) -> dict[str, Any]:
        """The instance-file mapping (``from_dict(to_dict())`` gives an equal instance)."""
        out: dict[str, Any] = {"problem": ELECTION,
                               "votes": {"A": self.votes_a, "B": self.votes_b},
                               "epsilon": self.epsilon}
        _with_bound(out, self.privacy_bound)
        out["utility_gap"] = self.utility_gap
        return out

    @property
    def margin(self) -> int:
        """``Δ = #A - #B``."""
        return self.votes_a - self.votes_b


def _solve_election(inst: ElectionInstance, opts: SolveOptions) -> dict[str, Any]:
    """Exact outcome distribution, welfare and (with ``privacy_bound``) the truthfulness check.

    The objective is the expected number of voters whose candidate wins (a count: it does
    not scale with ``utility_gap``/``κ``, which only move the truthfulness verdict and the
    gains).  Every quantity is taken in log space; before ``optimal`` is reported the result
    is recomputed (:func:`solver.privacy.election.check_result`).
    """
    from . import election

    require_method(opts, ELECTION_METHODS, ELECTION_METHODS[0])
    require_no_backend(opts, ELECTION_EXACT)
    t0 = time.perf_counter()
    eps = inst.epsilon
    a, b = inst.votes_a, inst.votes_b
    delta = a - b
    pa = election.prob_a(delta, eps)
    pb = float(np.exp(election.log_prob_b(delta, eps)))
    welfare = a * pa + b * pb
    best = max(a, b)
    # the voters present: a type-A voter sees others' margin delta - 1, a type-B voter delta + 1
    ms = np.array([m for m, present in ((delta - 1, a > 0), (delta + 1, b > 0)) if present])
    la, lb = election.log_ratios(ms, eps)
    log_ratio = float(max(la.max(), lb.max()))
    with np.errstate(over="ignore"):
        ratio = float(np.exp(log_ratio))
    out: dict[str, Any] = {
        "status": "optimal", "objective": welfare, "backend": ELECTION_EXACT,
        "prob_A": pa, "prob_B": pb, "expected_welfare": welfare,
        "optimal_welfare": best, "welfare_bound": best - 1 / eps,
        "max_privacy_ratio": ratio, "max_privacy_log_ratio": log_ratio,
        "dp_epsilon": 2 * eps,
    }
    if inst.privacy_bound is not None:
        F = inst.privacy_bound
        v = election.verify(ms, eps, F, inst.utility_gap)
        v_all = election.verify(election.window_margins(a + b), eps, F, inst.utility_gap)
        out.update(truthful=v.truthful, individually_rational=v.ir, worst_gain=v.worst_gain,
                   truthful_every_profile=v_all.truthful,
                   worst_gain_abstain=v.worst_gain_abstain, worst_bracket=v.worst_bracket,
                   paper_condition=bool(inst.utility_gap >= 2 * F.of_log_ratio(eps)),
                   sufficient_condition=bool(inst.utility_gap >= 2 * F.of_log_ratio(2 * eps)),
                   privacy_bound=F.describe())
    problem = election.check_result(inst, out)
    if problem:
        out.update(status="error", message=f"a-posteriori check failed: {problem}")
    out["seconds"] = time.perf_counter() - t0
    return out


# ----------------------------------------------------------------------------- facility
def _match_reports(locs: np.ndarray, reports: Any) -> np.ndarray:
    """The histogram of ``reports`` over ``locs`` (each report must be one of the locations,
    within :data:`~solver.privacy.tolerances.REPORT_MATCH` of the smallest gap)."""
    rep = as_array(_listish(reports), "reports")
    q = locs.size
    idx = np.clip(np.searchsorted(locs, rep), 1, q - 1) if q > 1 else np.zeros(rep.size, int)
    if q > 1:
        idx = np.where(np.abs(locs[idx - 1] - rep) <= np.abs(locs[idx] - rep), idx - 1, idx)
    gap = float(np.min(np.diff(locs))) if q > 1 else max(abs(float(locs[0])), 1.0)
    bad = np.abs(locs[idx] - rep) > REPORT_MATCH * gap
    if bad.any():
        j = int(np.argmax(bad))
        raise InstanceError(f"reports[{j}]", f"must be one of the locations, got {rep[j]}")
    return np.bincount(idx, minlength=q)


@dataclass(frozen=True, eq=False)
class FacilityInstance:
    """A discrete facility location run by Mechanism 6.1 [CCKMV13, Section 6].

    Attributes
    ----------
    locations
        ``ℓ_1 < ... < ℓ_q`` in ``[0, 1]``, **strictly increasing** (a read-only float array).
    counts
        The histogram of reports: ``counts[j]`` players report ``locations[j]`` (``j`` from
        0), one entry per location, integers ``>= 0`` totalling ``1..2^53`` (a read-only
        int array).  Use :meth:`from_reports` for a list of reported locations.
    epsilon
        ε of the mechanism (its noise is ``Geom(e^{-ε/2})`` per location; it is ε-DP).
    privacy_bound
        ``F`` of Assumption 3.1, or ``None`` (no truthfulness check).
    """

    locations: np.ndarray
    counts: np.ndarray
    epsilon: float
    privacy_bound: PrivacyBound | None = None

    def __post_init__(self) -> None:
        locs = as_array(_listish(self.locations), "locations", strictly_increasing=True,
                        minimum=0.0, maximum=1.0)
        q = locs.size
        counts = as_array(_listish(self.counts), "counts", integer=True, minimum=0,
                          maximum=MAX_PLAYERS, min_len=q, max_len=q)
        total = float(np.sum(counts, dtype=float))
        if total > MAX_PLAYERS:
            raise InstanceError("counts", f"must total at most 2**53 players, got {total:.6g}")
        if total < 1:
            raise InstanceError("counts", "must contain at least one player")
        set_ = object.__setattr__
        set_(self, "locations", _readonly(locs.astype(float)))
        set_(self, "counts", _readonly(np.asarray(counts).astype(np.int64)))
        set_(self, "epsilon", _epsilon(self.epsilon))
        set_(self, "privacy_bound", _bound(self.privacy_bound))

    @classmethod
    def from_reports(cls, locations: Any, reports: Any, epsilon: float,
                     privacy_bound: PrivacyBound | Mapping[str, Any] | None = None
                     ) -> FacilityInstance:
        """The instance whose histogram counts each player's reported location.

        Parameters
        ----------
        locations
            As :attr:`locations`.
        reports
            Each player's reported location, a value of ``locations`` (matched within
            a fraction :data:`~solver.privacy.tolerances.REPORT_MATCH` of the smallest gap).
        epsilon, privacy_bound
            As the attributes.

        Returns
        -------
        FacilityInstance
            The validated instance.
        """
        locs = as_array(_listish(locations), "locations", strictly_increasing=True,
                        minimum=0.0, maximum=1.0)
        return cls(locations=locs, counts=_match_reports(locs, reports), epsilon=epsilon,
                   privacy_bound=privacy_bound)  # type: ignore[arg-type]

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> FacilityInstance:
        """Validate an instance file's mapping.

        Parameters
        ----------
        raw
            ``{"problem": "facility-location", "locations": [...], "reports": [...] or
            "counts": [...], "epsilon": ε, "privacy_bound": {...}}``: exactly one of
            ``reports`` and ``counts``.

        Returns
        -------
        FacilityInstance
            The validated, immutable instance.

        Raises
        ------
        InstanceError
            Naming the field and the rule (``reports[3]: must be one of the locations``).
        """
        raw = require_mapping(raw)
        reject_unknown(raw, (*_TEXT_FIELDS, "locations", "reports", "counts", "epsilon",
                             "privacy_bound"))
        _check_problem(raw, FACILITY, cls.__name__)
        locs = require(raw, "locations")
        if ("reports" in raw) == ("counts" in raw):
            raise InstanceError("reports", "give exactly one of 'reports' or 'counts'")
        eps = require(raw, "epsilon")
        if "reports" in raw:
            return cls.from_reports(locs, raw["reports"], eps, raw.get("privacy_bound"))
        return cls(locations=locs, counts=raw["counts"], epsilon=eps,
                   privacy_bound=raw.get("privacy_bound"))

    def to_dict(self) -> dict[str, Any]:
        """The instance-file mapping, with the histogram as ``counts``."""
        return _with_bound({"problem": FACILITY, "locations": self.locations.tolist(),
                            "counts": self.counts.tolist(), "epsilon": self.epsilon},
                           self.privacy_bound)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FacilityInstance):
            return NotImplemented
        return (self.epsilon == other.epsilon and self.privacy_bound == other.privacy_bound
                and _arrays_equal(self.locations, other.locations)
                and _arrays_equal(self.counts, other.counts))

    def __hash__(self) -> int:
        return hash((self.epsilon, self.locations.tobytes(), self.counts.tobytes()))


def _solve_facility(inst: FacilityInstance, opts: SolveOptions) -> dict[str, Any]:
    """Exact output distribution, welfare and (with ``privacy_bound``) the truthfulness check.

    The memory and work are estimated from ``q`` and ε before anything is built
    (:func:`solver.privacy.facility.check_budget`); one row table of the histogram serves
    the distribution and every player's privacy ratios.  The answer is recomputed
    (:func:`solver.privacy.facility.check_result`) before ``optimal`` is reported.
    """
    from . import facility
    from .model import log_ratio_per_outcome
    from .verifier import bounds_from_logratio, gains_of_type

    require_method(opts, FACILITY_METHODS, FACILITY_METHODS[0])
    require_no_backend(opts, FACILITY_EXACT)
    t0 = time.perf_counter()
    locs = np.array(inst.locations)
    h = np.array(inst.counts, dtype=np.int64)
    facility.check_budget(h.size, inst.epsilon)
    G, bound = facility.row_table(h, int(h.sum()), inst.epsilon, facility._SOLVE_SHIFTS,
                                  facility._SOLVE_DHS)
    p = np.exp(G[:, 1, 1])
    W = facility.welfare(h, locs)
    ew = float(p @ W)
    out: dict[str, Any] = {
        "status": "optimal", "objective": ew, "backend": FACILITY_EXACT,
        "distribution": p, "expected_welfare": ew, "optimal_welfare": float(W.max()),
        "welfare_gap": float(W.max() - ew), "tail_bound": bound,
        "n": int(h.sum()), "q": int(h.size),
    }
    # privacy ratios for the players present: others = h - e_a
    worst_lr = 0.0
    worst_gain = -math.inf
    F = inst.privacy_bound
    util = -np.abs(locs[:, None] - locs[None, :])
    for a in np.flatnonzero(h):
        logp = facility.neighbours_from_table(G, int(a))
        lr = log_ratio_per_outcome(logp)
        worst_lr = max(worst_lr, float(np.max(lr)))
        if F is not None:
            g = gains_of_type(np.exp(logp), bounds_from_logratio(F, lr), util[a], int(a))
            g[a] = -np.inf                 # the truthful report is not a lie
            worst_gain = max(worst_gain, float(g.max()))
    with np.errstate(over="ignore"):
        out["max_privacy_ratio"] = float(np.exp(worst_lr))
    out["max_privacy_log_ratio"] = worst_lr
    out["dp_epsilon_bound"] = inst.epsilon
    if F is not None:
        gap = float(np.min(np.diff(locs))) if locs.size > 1 else math.inf
        out.update(truthful=bool(worst_gain <= 0), worst_gain=worst_gain,
                   paper_condition=bool(gap >= 2 * F.of_log_ratio(inst.epsilon)),
                   privacy_bound=F.describe())
    problem = facility.check_result(inst, out)
    if problem:
        out.update(status="error", message=f"a-posteriori check failed: {problem}")
    out["seconds"] = time.perf_counter() - t0
    return out


# ----------------------------------------------------------------------------- VCG
@dataclass(frozen=True, eq=False)
class VCGInstance:
    """Players' utilities for Mechanism 7.1 [CCKMV13, Section 7].

    Attributes
    ----------
    utilities
        ``utilities[i][o]``: player ``i``'s (row, from 0) integer utility for outcome ``o``
        (column, from 0), in ``{0, ..., max_utility}``; at least 2 players, at most
        :data:`solver.privacy.vcg.MAX_OUTCOMES` outcomes (a read-only int array).
    epsilon
        ε of the mechanism (noise ``∝ e^{-t|k|}``, ``t = ε/(M |O|)``; it is ε-DP).
    max_utility
        ``M >= 1``, the largest utility any type may have.
    privacy_bound
        ``F`` of Assumption 3.1, or ``None`` (then no verifier runs; with it the type space
        ``(M+1)^{|O|}`` is at most :data:`solver.privacy.vcg.MAX_TYPES`).
    """

    utilities: np.ndarray
    epsilon: float
    max_utility: int
    privacy_bound: PrivacyBound | None = None

    def __post_init__(self) -> None:
        from .vcg import MAX_OUTCOMES, MAX_TYPES

        M = as_int(_plain(self.max_utility), "max_utility", minimum=1)
        U = as_array(_listish(self.utilities), "utilities", ndim=2, integer=True, minimum=0,
                     maximum=M, min_len=2)
        eps = _epsilon(self.epsilon)
        F = _bound(self.privacy_bound)
        if U.shape[1] > MAX_OUTCOMES:
            raise InstanceError("utilities", f"must have at most {MAX_OUTCOMES} outcomes, got "
                                             f"{U.shape[1]}")
        if F is not None and (M + 1) ** U.shape[1] > MAX_TYPES:
            raise SizeLimitError("utilities", f"(M+1)^|O| = {(M + 1) ** U.shape[1]} types "
                                 f"exceed the verifier's limit {MAX_TYPES}",
                                 "the distribution without 'privacy_bound'")
        set_ = object.__setattr__
        set_(self, "utilities", _readonly(U.astype(np.int64)))
        set_(self, "epsilon", eps)
        set_(self, "max_utility", M)
        set_(self, "privacy_bound", F)

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> VCGInstance:
        """Validate an instance file's mapping.

        Parameters
        ----------
        raw
            ``{"problem": "vcg", "utilities": [[...], ...], "epsilon": ε,
            "max_utility": M, "privacy_bound": {...}}`` (the last optional).

        Returns
        -------
        VCGInstance
            The validated, immutable instance.

        Raises
        ------
        InstanceError
            Naming the field and the rule (``utilities[1][2]: must be <= 2``).
        """
        raw = require_mapping(raw)
        reject_unknown(raw, (*_TEXT_FIELDS, "utilities", "epsilon", "max_utility",
                             "privacy_bound"))
        _check_problem(raw, VCG, cls.__name__)
        M = require(raw, "max_utility")
        as_int(M, "max_utility", minimum=1)           # named before the utilities
        return cls(utilities=require(raw, "utilities"), epsilon=require(raw, "epsilon"),
                   max_utility=M, privacy_bound=raw.get("privacy_bound"))

    def to_dict(self) -> dict[str, Any]:
        """The instance-file mapping (``from_dict(to_dict())`` gives an equal instance)."""
        return _with_bound({"problem": VCG, "utilities": self.utilities.tolist(),
                            "epsilon": self.epsilon, "max_utility": self.max_utility},
                           self.privacy_bound)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, VCGInstance):
            return NotImplemented
        return (self.epsilon == other.epsilon and self.max_utility == other.max_utility
                and self.privacy_bound == other.privacy_bound
                and _arrays_equal(self.utilities, other.utilities))

    def __hash__(self) -> int:
        return hash((self.epsilon, self.max_utility, self.utilities.shape,
                     self.utilities.tobytes()))


def _solve_vcg(inst: VCGInstance, opts: SolveOptions) -> dict[str, Any]:
    """Exact output distribution, expected welfare and payments, and the verifier.

    Memory and work are estimated before anything is built
    (:func:`solver.privacy.vcg.check_budget`); the answer is recomputed
    (:func:`solver.privacy.vcg.check_result`) before ``optimal`` is reported.
    """
    from .. import budget
    from . import vcg

    require_method(opts, VCG_METHODS, VCG_METHODS[0])
    require_no_backend(opts, VCG_EXACT)
    t0 = time.perf_counter()
    U = np.array(inst.utilities, dtype=float)
    M = inst.max_utility
    nO = U.shape[1]
    vcg.check_budget(U.shape[0], nO, M, inst.epsilon, inst.privacy_bound is not None)
    W = U.sum(axis=0)
    prob, tl, outs = vcg.distribution(W, inst.epsilon, M)
    p = prob[0]
    oc = outs.outcome()
    p_out = np.bincount(oc, weights=p, minlength=nO)
    ew = float(p_out @ W)
    pay = outs.payments(U) @ p
    out: dict[str, Any] = {
        "status": "optimal", "objective": ew, "backend": VCG_EXACT,
        "outcome_distribution": p_out, "expected_welfare": ew,
        "optimal_welfare": float(W.max()), "expected_payments": pay, "tail_bound": tl,
        "outputs": len(outs.items),
    }
    if inst.privacy_bound is not None:
        worst = -math.inf
        arg: dict[str, Any] = {}
        dp = 0.0
        types = vcg.all_types(nO, M)
        for i in range(U.shape[0]):
            budget.check_deadline("verifying Mechanism 7.1 player by player")
            r = vcg.verify_others(W - U[i], inst.epsilon, M, inst.privacy_bound, types)
            dp = max(dp, float(r["log_ratio"].max()))
            a = int(np.flatnonzero((types == U[i]).all(axis=1))[0])
            r["gains"][a, a] = -np.inf         # the truthful report is not a lie
            k = int(np.argmax(r["gains"][a]))
            if r["gains"][a, k] > worst:
                worst = float(r["gains"][a, k])
                arg = {"player": i, "report": types[k].astype(int).tolist()}
        out.update(truthful=bool(worst <= 0), worst_gain=worst, worst_misreport=arg,
                   dp_level=dp, paper_condition=vcg.paper_condition(
                       inst.privacy_bound, inst.epsilon, nO, M))
    problem = vcg.check_result(inst, out)
    if problem:
        out.update(status="error", message=f"a-posteriori check failed: {problem}")
    out["seconds"] = time.perf_counter() - t0
    return out


# ----------------------------------------------------------------------------- LP benchmark
def _lp_utility(family: str, utility: Any, utility_gap: Any, locations: Any,
                n: int) -> tuple[np.ndarray, float | None, np.ndarray | None]:
    """The type-by-outcome utility matrix of a family, with the family's own field."""
    top = MAX_WELFARE / n
    if family == "election":
        if utility is not None or locations is not None:
            raise InstanceError("utility", "family 'election' takes utility_gap, not utility "
                                           "or locations")
        g = as_number(_plain(1.0 if utility_gap is None else utility_gap), "utility_gap",
                      minimum=0.0, strict_min=True, maximum=top)
        return np.array([[g, 0.0], [0.0, g]]), float(g), None
    if family == "facility":
        if utility is not None or utility_gap is not None:
            raise InstanceError("utility", "family 'facility' takes locations, not utility "
                                           "or utility_gap")
        if locations is None:
            raise InstanceError("locations", "is required for family 'facility'")
        loc = as_array(_listish(locations), "locations", strictly_increasing=True,
                       minimum=0.0, maximum=1.0, min_len=2)
        return -np.abs(loc[:, None] - loc[None, :]), None, loc.astype(float)
    if utility_gap is not None or locations is not None:
        raise InstanceError("utility", "family 'custom' takes utility, not utility_gap or "
                                       "locations")
    if utility is None:
        raise InstanceError("utility", "is required for family 'custom'")
    U = as_array(_listish(utility), "utility", ndim=2, minimum=-top, maximum=top)
    if U.shape[0] < 2:
        raise InstanceError("utility", "must have at least 2 types (rows)")
    return U.astype(float), None, None


@dataclass(frozen=True, eq=False)
class PrivateMechanismLPInstance:
    """The LP benchmark of :mod:`solver.privacy.lp_benchmark` [CCKMV13, Sections 3-6].

    The LP maximises expected welfare under uniform profiles over ε-DP mechanisms that are
    truthful against every privacy utility with ``|U^priv(o)| <= F(e^ε)`` (a **lower bound**
    on the best mechanism truthful against every utility of Assumption 3.1; see
    docs/privacy.md).

    Attributes
    ----------
    n
        Number of players, ``1..10000`` (the LP's size limit,
        :data:`solver.privacy.lp_benchmark.MAX_VARIABLES`, is checked here too).
    epsilon
        ε of Definition 3.2 (the mechanism must be ε-DP), ``>= 1e-300``.
    privacy_bound
        ``F`` of Assumption 3.1 (required).
    family
        ``"election"`` (utility ``utility_gap`` for one's own candidate, 0 otherwise),
        ``"facility"`` (``U(a, o) = -|ℓ_a - ℓ_o|`` on ``locations``) or ``"custom"``
        (``utility`` given).
    utility
        ``utility[a][o]``: a type-``a`` player's (row, from 0) outcome utility for outcome
        ``o`` (column, from 0); at least 2 types.  Given for ``custom``, derived otherwise
        (a read-only float array in every case).
    utility_gap
        ``election`` only (default 1.0); ``None`` for the other families.
    locations
        ``facility`` only: strictly increasing in ``[0, 1]``, at least 2; else ``None``.
    mode
        ``"profiles"`` (one state per profile) or ``"histograms"`` (one per histogram of
        types; the same optimum).
    """

    n: int
    epsilon: float
    privacy_bound: PrivacyBound
    family: str = "custom"
    utility: np.ndarray | None = None
    utility_gap: float | None = None
    locations: np.ndarray | None = None
    mode: str = "profiles"

    def __post_init__(self) -> None:
        from .lp_benchmark import MAX_VARIABLES, size_of

        n = as_int(_plain(self.n), "n", minimum=1, maximum=MAX_LP_PLAYERS)
        family = as_choice(self.family, "family", LP_FAMILIES)
        mode = as_choice(self.mode, "mode", LP_MODES)
        eps = _epsilon(self.epsilon)
        F = _bound(self.privacy_bound, required=True)
        U, g, locs = _lp_utility(family, self.utility, self.utility_gap, self.locations, n)
        nv = size_of(n, U.shape[0], U.shape[1], mode)
        if nv > MAX_VARIABLES:
            raise SizeLimitError("n", f"the {mode} LP has {nv} variables, more than the limit "
                                 f"{MAX_VARIABLES}", "mode 'histograms' or a smaller n")
        set_ = object.__setattr__
        set_(self, "n", n)
        set_(self, "family", family)
        set_(self, "mode", mode)
        set_(self, "epsilon", eps)
        set_(self, "privacy_bound", F)
        set_(self, "utility", _readonly(U))
        set_(self, "utility_gap", g)
        set_(self, "locations", None if locs is None else _readonly(locs))

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> PrivateMechanismLPInstance:
        """Validate an instance file's mapping.

        Parameters
        ----------
        raw
            ``{"problem": "private-mechanism-lp", "n": 3, "family": "election"|"facility"|
            "custom", "utility_gap" | "locations" | "utility": ..., "epsilon": ε,
            "privacy_bound": {...}, "mode": "profiles"|"histograms"}``.

        Returns
        -------
        PrivateMechanismLPInstance
            The validated, immutable instance.

        Raises
        ------
        InstanceError
            Naming the field and the rule; :class:`~solver.errors.SizeLimitError` past the
            LP's size limit.
        """
        raw = require_mapping(raw)
        reject_unknown(raw, (*_TEXT_FIELDS, "n", "family", "utility", "utility_gap",
                             "locations", "epsilon", "privacy_bound", "mode"))
        _check_problem(raw, LP, cls.__name__)
        return cls(n=require(raw, "n"), epsilon=require(raw, "epsilon"),
                   privacy_bound=require(raw, "privacy_bound"),
                   family=raw.get("family", "custom"), utility=raw.get("utility"),
                   utility_gap=raw.get("utility_gap"), locations=raw.get("locations"),
                   mode=raw.get("mode", "profiles"))

    def to_dict(self) -> dict[str, Any]:
        """The instance-file mapping, with the family's own field only."""
        out: dict[str, Any] = {"problem": LP, "n": self.n, "family": self.family}
        if self.family == "election":
            out["utility_gap"] = self.utility_gap
        elif self.family == "facility":
            out["locations"] = self.locations.tolist()    # type: ignore[union-attr]
        else:
            out["utility"] = self.utility.tolist()        # type: ignore[union-attr]
        out.update(epsilon=self.epsilon, privacy_bound=_bound_dict(self.privacy_bound),
                   mode=self.mode)
        return out

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PrivateMechanismLPInstance):
            return NotImplemented
        return (self.n == other.n and self.epsilon == other.epsilon
                and self.privacy_bound == other.privacy_bound and self.family == other.family
                and self.mode == other.mode and self.utility_gap == other.utility_gap
                and _arrays_equal(self.utility, other.utility)
                and _arrays_equal(self.locations, other.locations))

    def __hash__(self) -> int:
        return hash((self.n, self.epsilon, self.family, self.mode,
                     self.utility.tobytes()))                # type: ignore[union-attr]


def _solve_lp(inst: PrivateMechanismLPInstance, opts: SolveOptions) -> dict[str, Any]:
    """Solve the benchmark LP (:func:`solver.privacy.lp_benchmark.solve_lp`)."""
    from .lp_benchmark import solve_lp

    require_method(opts, LP_METHODS, LP_METHODS[0])
    return solve_lp(inst, backend=opts.backend or "auto", time_limit=opts.time_limit)


# ----------------------------------------------------------------------------- registry
_cli_solve_election = within_time_limit(_solve_election)
_cli_solve_facility = within_time_limit(_solve_facility)
_cli_solve_vcg = within_time_limit(_solve_vcg)
_cli_solve_lp = within_time_limit(_solve_lp)

#: The four problems as :func:`solver.problems.solve_instance` runs them (``plugin``
#: registers the same).
SPECS: dict[type, ProblemSpec] = {
    ElectionInstance: ProblemSpec(ELECTION, ElectionInstance.from_dict, _cli_solve_election,
                                  ELECTION_DESCRIPTION, ELECTION_METHODS),
    FacilityInstance: ProblemSpec(FACILITY, FacilityInstance.from_dict, _cli_solve_facility,
                                  FACILITY_DESCRIPTION, FACILITY_METHODS),
    VCGInstance: ProblemSpec(VCG, VCGInstance.from_dict, _cli_solve_vcg, VCG_DESCRIPTION,
                             VCG_METHODS),
    PrivateMechanismLPInstance: ProblemSpec(LP, PrivateMechanismLPInstance.from_dict,
                                            _cli_solve_lp, LP_DESCRIPTION, LP_METHODS),
}


# ----------------------------------------------------------------------------- solve
def solve(instance: Any, *, backend: str = "auto", time_limit: float | None = None,
          method: str | None = None, seed: int = 0) -> Result:
    """Solve a privacy problem [CCKMV13], with its certificate, as ``solver solve`` does.

    Dispatches on the instance type: :class:`ElectionInstance` (Mechanism 4.1's exact
    outcome distribution and truthfulness check), :class:`FacilityInstance` (Mechanism
    6.1), :class:`VCGInstance` (Mechanism 7.1) and :class:`PrivateMechanismLPInstance` (the
    LP benchmark).  The steps are those of ``solver solve FILE``
    (:func:`solver.problems.solve_instance`), so ``to_dict()`` of the result is what
    ``solver solve FILE --json`` prints for the instance's file (``seconds`` aside).

    Parameters
    ----------
    instance
        One of the four instance types (never raw arrays).
    backend
        ``"auto"``; the LP benchmark also takes an LP backend of :mod:`solver.opt`
        (``"highs"``, ``"pulp:CBC"``, ...).  The three mechanisms are exact methods and
        refuse any other name (an input error).
    time_limit
        Seconds (positive, finite; ``None``: none), opened as a
        :func:`solver.budget.limits` deadline around the solve.
    method
        The problem's one method (``closed-form``, ``convolution``, ``summation``, ``lp``)
        or ``None``.
    seed
        Accepted for the common signature; every method here is deterministic.

    Returns
    -------
    Result
        The certificate (``status``, ``objective``, ``bound``, relative ``gap``,
        ``backend``, ``seconds``) and the fields tabled in docs/privacy.md;
        ``.certify()`` raises unless proven optimal.

    Raises
    ------
    TypeError
        ``instance`` is none of the four types.
    InstanceError
        A bad ``backend``/``method``/``time_limit``, or an instance over the memory or work
        budget (:class:`~solver.errors.SizeLimitError`).
    """
    return solve_typed(SPECS, instance, backend=backend, time_limit=time_limit,
                       method=method, seed=seed,
                       expected="an ElectionInstance, FacilityInstance, VCGInstance or "
                                "PrivateMechanismLPInstance (e.g. ElectionInstance(votes_a=3, "
                                "votes_b=1, epsilon=0.5))")

