"""The ``sharing`` problem [AMMO22]: its instance type and its one :func:`solve`.

A :class:`SharingInstance` is built from Python arrays or read from an instance file
(:meth:`SharingInstance.from_dict`); both paths validate the same way, at construction.
Instance-file fields (the table of docs/sharing.md gives types, constraints and defaults)::

    {"problem": "sharing",
     "covariance": [[...], ...],     # Σ, n x n, symmetric PSD, in the data's units squared
     "privacy_values": [...],        # v_i >= 0, one per user
     "noise_variance": 1.0,          # τ > 0, a VARIANCE in the covariance's units
     "method": "exhaustive"}         # or "branch-and-bound", "greedy"

What :func:`solve` answers (``Result.to_dict()`` is what ``solver solve FILE --json``
prints): ``objective`` (the platform's optimal payoff ``U`` [AMMO22, Appendix, Theorem 4
Part 3-2 prices]), ``profile``, ``prices`` (``p_i = v_i (I_i(S) - I_i(S∖i))``),
``leakage``, ``user_utilities``, ``surplus``, ``first_best_profile``,
``first_best_surplus``, ``too_much_data_gap`` (first-best surplus minus equilibrium
surplus), ``method``, ``nodes`` and ``normalisation`` (the scale ``s`` the search ran at).
``bound`` and the relative ``gap`` (:func:`solver.opt.result.relative_gap`): the objective
and 0 for a proven optimum, the proven bound on the platform's payoff otherwise (the root
bound of :func:`~solver.sharing.branch_bound.node_bound` for ``greedy``, the open nodes'
bound for branch-and-bound stopped early).

Numerics (:mod:`.resources`): the covariance and the noise variance are in the data's units
squared; the search runs on ``(Σ/s, τ/s)`` and every quantity in leakage units is multiplied
back by ``s``, so scaling both by any factor scales the answer by it.  The ratio of the noise
to the covariance is bounded (exit 2 on ``noise_variance`` outside), payoffs must stay in the
float range, the enumeration and the heuristics are refused past the work budget before they
start, and branch-and-bound stops at the deadline or its node budget with a bound.  The
answer is checked by :mod:`.check` before it is reported.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InstanceError, SizeLimitError
from ..opt.result import relative_gap
from ..problems import (
    ProblemSpec,
    SolveOptions,
    require_method,
    require_no_backend,
    solve_typed,
    within_time_limit,
)
from ..result import Result
from ..validate import as_array, as_choice, as_number, reject_unknown, require, require_mapping
from .branch_bound import branch_and_bound, node_bound
from .check import check_answer
from .enumeration import EXHAUSTIVE_MAX_USERS, SearchResult, enumerate_gray
from .heuristics import local_search
from .leakage import outcome, validate_covariance
from .objectives import ProfileObjective, platform_objective, surplus_objective
from .resources import check_instance, check_search, check_validation, max_nodes, normalisation

__all__ = ["SharingInstance", "solve"]

#: The problem's registered name (the ``problem`` field of its instance files).
NAME = "sharing"
#: The instance-file fields (``name`` and ``description`` are free text, not kept).
FIELDS = ("problem", "covariance", "privacy_values", "noise_variance", "method", "name",
          "description")
#: The names ``method`` accepts, the default first.
METHODS: tuple[str, ...] = ("exhaustive", "branch-and-bound", "greedy")
#: The noise variance of the paper (``E[s sᵀ] = I + Σ``) [AMMO22, Appendix, Lemma 5 proof].
DEFAULT_NOISE_VARIANCE = 1.0
#: One line for ``solver list``.
DESCRIPTION = ("Gaussian leakage [AMMO22]: platform-optimal sharing profile, prices, first "
               "best, too-much-data gap")
#: The backend each method reports (``backend`` accepts only ``auto`` or this name).
BACKENDS = {"exhaustive": "exact:gray-enumeration", "branch-and-bound": "exact:branch-and-bound",
            "greedy": "heuristic:local-search"}
#: Output fields in leakage units (multiplied back by the normalisation scale).
SCALED_FIELDS = ("objective", "prices", "leakage", "user_utilities", "surplus",
                 "first_best_surplus", "too_much_data_gap", "bound")


def _plain(x: Any) -> Any:
    """A numpy scalar as the Python number it holds (other values unchanged)."""
    return x.item() if isinstance(x, np.generic) else x


# ----------------------------------------------------------------------------- instance
@dataclass(frozen=True, eq=False)
class SharingInstance:
    """A data market with correlated users [AMMO22, Section 3 and online appendix].

    Users' types are ``x ~ N(0, Σ)``; a sharer reveals ``s_i = x_i + z_i`` with independent
    noise ``z_i ~ N(0, τ)``; the platform buys the data of the sharers at the minimal prices
    that make them share.  Built from Python arrays
    (``SharingInstance(covariance=np.eye(3), privacy_values=[0.5, 2, 2])``) or from an
    instance file's mapping (:meth:`from_dict`); both are validated at construction and give
    the same instance.

    Attributes
    ----------
    covariance
        ``Σ``, an ``(n, n)`` symmetric positive semidefinite matrix in the data's units
        squared (a **covariance**: a correlation matrix is one only when every variance is
        1); user ``i`` is row and column ``i``, counting from 0.  Stored as a read-only
        float array (symmetrised).
    privacy_values
        ``v_i >= 0``, one per user (money per unit of leakage; the platform values a unit
        at 1, so ``v_i > 1`` are the high-value users); a read-only float array of length
        ``n``.
    noise_variance
        ``τ > 0``, the **variance** (not the standard deviation) of each sharer's noise, in
        the covariance's units; the paper's is 1.  Bounded relative to ``Σ``
        (:mod:`solver.sharing.resources`).
    method
        The search used when :func:`solve` is given none: one of :data:`METHODS`.
    """

    covariance: np.ndarray
    privacy_values: np.ndarray
    noise_variance: float = DEFAULT_NOISE_VARIANCE
    method: str = METHODS[0]

    def __post_init__(self) -> None:
        cov_raw = self.covariance
        if isinstance(cov_raw, np.ndarray) and cov_raw.dtype.kind in "iuf" \
                and cov_raw.ndim == 2:
            cov = cov_raw.astype(float)        # as_array walks the entries in Python
        else:
            cov = as_array(cov_raw.tolist() if isinstance(cov_raw, np.ndarray) else cov_raw,
                           "covariance", ndim=2)
        check_validation(int(cov.shape[0]))
        sigma, lam = validate_covariance(cov, "covariance", eigenvalues=True)
        n = sigma.shape[0]
        v_raw = self.privacy_values
        v = as_array(v_raw.tolist() if isinstance(v_raw, np.ndarray) else v_raw,
                     "privacy_values", minimum=0.0)
        if v.shape != (n,):
            raise InstanceError("privacy_values", f"must have one entry per user ({n}), "
                                                  f"got {v.shape[0]}")
        noise = as_number(_plain(self.noise_variance), "noise_variance", minimum=0.0,
                          strict_min=True)
        check_instance(np.diag(sigma), float(max(lam[-1], 0.0)), v, noise)
        method = as_choice(self.method, "method", METHODS)
        sigma = np.array(sigma, dtype=float)
        v = np.array(v, dtype=float)
        sigma.setflags(write=False)
        v.setflags(write=False)
        set_ = object.__setattr__
        set_(self, "covariance", sigma)
        set_(self, "privacy_values", v)
        set_(self, "noise_variance", float(noise))
        set_(self, "method", method)

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> SharingInstance:
        """Validate an instance file's mapping (fields in the module docstring).

        Parameters
        ----------
        raw
            The mapping; ``problem``, if present, must be ``"sharing"``.

        Returns
        -------
        SharingInstance
            The validated, immutable instance.

        Raises
        ------
        InstanceError
            Naming the field and the rule, e.g. ``covariance[0][1]: must be symmetric``.
        """
        raw = require_mapping(raw)
        reject_unknown(raw, FIELDS)
        if raw.get("problem", NAME) != NAME:
            raise InstanceError("problem", f"must be {NAME!r} for a SharingInstance, got "
                                           f"{raw['problem']!r}")
        cov = require(raw, "covariance")
        if not isinstance(cov, list | tuple):
            raise InstanceError("covariance", f"must be a list, got {type(cov).__name__}")
        return cls(covariance=cov, privacy_values=require(raw, "privacy_values"),
                   noise_variance=raw.get("noise_variance", DEFAULT_NOISE_VARIANCE),
                   method=raw.get("method", METHODS[0]))

    def to_dict(self) -> dict[str, Any]:
        """The instance-file mapping (``from_dict(to_dict())`` gives an equal instance).

        Returns
        -------
        dict
            ``problem``, ``covariance``, ``privacy_values``, ``noise_variance`` and
            ``method``, as plain lists and floats.
        """
        return {"problem": NAME, "covariance": self.covariance.tolist(),
                "privacy_values": self.privacy_values.tolist(),
                "noise_variance": self.noise_variance, "method": self.method}

    @property
    def n(self) -> int:
        """Number of users."""
        return int(self.covariance.shape[0])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SharingInstance):
            return NotImplemented
        return (self.noise_variance == other.noise_variance and self.method == other.method
                and np.array_equal(self.covariance, other.covariance)
                and np.array_equal(self.privacy_values, other.privacy_values))

    def __hash__(self) -> int:
        return hash((self.noise_variance, self.method, self.covariance.shape,
                     self.covariance.tobytes(), self.privacy_values.tobytes()))


# ----------------------------------------------------------------------------- solving
def _check_size(n: int) -> None:
    """Exhaustive enumeration beyond :data:`EXHAUSTIVE_MAX_USERS` raises SizeLimitError."""
    if n > EXHAUSTIVE_MAX_USERS:
        raise SizeLimitError("covariance", f"exhaustive enumeration handles at most "
                                           f"{EXHAUSTIVE_MAX_USERS} users, got {n}",
                             "method 'branch-and-bound' (exact) or 'greedy' (heuristic)")


def _search(sigma: np.ndarray, obj: ProfileObjective, noise: float, method: str,
            time_limit: float | None = None) -> SearchResult:
    """Dispatch one objective to a search method (refused beyond the work budget).

    Branch-and-bound stops at ``time_limit`` (capped by the budget's deadline) or at the
    node budget, whichever comes first, with ``status='time_limit'`` and its bound.
    """
    n = sigma.shape[0]
    check_search(n, method, objectives=1)
    if method == "exhaustive":
        _check_size(n)
        return enumerate_gray(sigma, [obj], noise)[0]
    if method == "branch-and-bound":
        return branch_and_bound(sigma, obj, noise, time_limit, max_nodes=max_nodes(n))
    return local_search(sigma, obj, noise, swaps=n <= 60)


def _scaled(value: Any, scale: float) -> Any:
    """A field in leakage units multiplied back by the normalisation ``scale``."""
    if isinstance(value, np.ndarray):
        return np.asarray(value, dtype=float) * scale
    return float(value) * scale


def _solve_dict(inst: SharingInstance, opts: SolveOptions) -> dict[str, Any]:
    """A parsed instance to the JSON-ready dict ``solver solve`` prints (module docstring).

    The search runs on ``(Σ/s, τ/s)`` (:func:`.resources.normalisation`) and every quantity
    in leakage units is multiplied back by ``s``; the answer is then checked by
    :func:`.check.check_answer` before it is reported (a failed check gives status
    ``error`` with the reason in ``message``).
    """
    t0 = time.perf_counter()
    method = require_method(opts, METHODS, inst.method) or inst.method
    require_no_backend(opts, BACKENDS[method])
    sigma0, v, tau0 = inst.covariance, np.asarray(inst.privacy_values), inst.noise_variance
    n = sigma0.shape[0]
    if method == "exhaustive":
        _check_size(n)
    check_search(n, method)
    scale = normalisation(float(np.diag(sigma0).max()), tau0)
    sigma, tau = sigma0 / scale, tau0 / scale
    if method == "exhaustive":
        eq, fb = enumerate_gray(sigma, [platform_objective(v), surplus_objective(v)], tau)
    else:
        eq = _search(sigma, platform_objective(v), tau, method, opts.time_limit)
        fb = _search(sigma, surplus_objective(v), tau, method, opts.time_limit)
    out = outcome(sigma, v, eq.profile, tau)
    if method == "greedy":
        # a heuristic proves nothing: report it as "approximate" with the root bound of
        # branch_bound.node_bound, so the gap to OPT is bounded
        obj = platform_objective(v)
        fix = obj.fix_in_mask()
        eq.bound = node_bound(sigma, obj, fix, ~fix, tau)[0]
        eq.status = "approximate"
    if eq.status == fb.status == "optimal":
        status = "optimal"
    elif method == "greedy":
        status = "approximate"
    else:
        status = "time_limit"
    res: dict[str, Any] = {
        "status": status, "objective": out["platform_payoff"], "backend": eq.method,
        "method": method,
        "profile": out["profile"], "prices": out["prices"], "leakage": out["leakage"],
        "user_utilities": out["user_utilities"], "surplus": out["surplus"],
        "first_best_profile": fb.profile.astype(int), "first_best_surplus": fb.value,
        "too_much_data_gap": fb.value - out["surplus"], "nodes": eq.nodes + fb.nodes,
    }
    if status == "optimal":  # both searches are exact: the optimum is its own bound
        res["bound"] = res["objective"]
    elif eq.bound is not None:
        res["bound"] = eq.bound
        stopped = eq.details.get("stopped_by") or fb.details.get("stopped_by")
        if stopped:
            res["message"] = f"branch-and-bound stopped by the {stopped}"
    failed = check_answer(sigma, v, tau, res, status == "optimal")
    if failed is not None:
        res["status"] = "error"
        res["message"] = f"a-posteriori check failed: {failed}"
    for key in SCALED_FIELDS:
        if key in res:
            res[key] = _scaled(res[key], scale)
    if "bound" in res:  # relative, in the data's units, as every problem reports it
        res["gap"] = relative_gap(res["objective"], res["bound"])
    res["normalisation"] = scale
    res["seconds"] = time.perf_counter() - t0
    return res


#: The registered solve: :func:`_solve_dict` inside the ``time_limit`` deadline.
_cli_solve = within_time_limit(_solve_dict)


#: The problem as :func:`solver.problems.solve_instance` runs it (``plugin`` registers the
#: same parse, solve, description and methods).
_SPEC = ProblemSpec(NAME, SharingInstance.from_dict, _cli_solve, DESCRIPTION, METHODS)


def solve(instance: SharingInstance, *, backend: str = "auto",
          time_limit: float | None = None, method: str | None = None,
          seed: int = 0) -> Result:
    """The platform's optimal sharing profile and the first best [AMMO22, Appendix].

    The same steps as ``solver solve FILE`` (:func:`solver.problems.solve_instance`), so
    ``solve(SharingInstance.from_dict(raw)).to_dict()`` is what ``solver solve FILE --json``
    prints for that file (``seconds`` aside).

    Parameters
    ----------
    instance
        The instance (build one with ``SharingInstance(covariance=..., privacy_values=...)``
        or :meth:`SharingInstance.from_dict`).
    backend
        ``"auto"`` or the name the method reports (``"exact:gray-enumeration"``,
        ``"exact:branch-and-bound"``, ``"heuristic:local-search"``): the searches use no
        optimisation backend.
    time_limit
        Seconds (positive, finite; ``None``: none), opened as a
        :func:`solver.budget.limits` deadline around the solve; branch-and-bound stopped by
        it reports status ``time_limit`` with its incumbent and bound, the enumeration and
        the heuristics give ``time_limit`` with no incumbent.
    method
        One of :data:`METHODS` (``None``: the instance's ``method``, by default
        ``"exhaustive"``).
    seed
        Accepted for the common signature; every sharing method is deterministic.

    Returns
    -------
    Result
        The certificate (``status``, ``objective``, ``bound``, relative ``gap``,
        ``backend``, ``seconds``) and the fields of docs/sharing.md (``profile``,
        ``prices``, ``first_best_profile``, ...); ``.certify()`` raises unless proven
        optimal (``greedy`` is ``approximate``).

    Raises
    ------
    TypeError
        ``instance`` is not a :class:`SharingInstance`.
    InstanceError
        A bad ``backend``/``method``/``time_limit``, or an instance over the work budget
        (:class:`~solver.errors.SizeLimitError`).
    """
    return solve_typed({SharingInstance: _SPEC}, instance, backend=backend,
                       time_limit=time_limit, method=method, seed=seed,
                       expected="a SharingInstance (SharingInstance(covariance=Σ, "
                                "privacy_values=v, noise_variance=τ))")
