"""The ``sharing`` CLI problem: equilibrium profile, prices, first best, too-much-data gap.

Instance::

    {"problem": "sharing", "covariance": [[...]], "privacy_values": [...],
     "noise_variance": 1.0, "method": "exhaustive" | "branch-and-bound" | "greedy"}

Output: ``objective`` (platform's optimal payoff U), ``profile``, ``prices``
(``p_i = v_i (I_i(S) - I_i(S∖i))``), ``leakage``, ``user_utilities``, ``surplus``,
``first_best_profile``, ``first_best_surplus``, ``too_much_data_gap`` (first-best surplus minus
equilibrium surplus), ``normalisation`` (the scale ``s`` the search ran at).

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
from ..problems import SolveOptions, register_problem, require_method, require_no_backend
from ..validate import as_array, as_choice, as_number, reject_unknown, require, require_mapping
from .branch_bound import branch_and_bound, node_bound
from .check import check_answer
from .enumeration import EXHAUSTIVE_MAX_USERS, SearchResult, enumerate_gray
from .heuristics import local_search
from .leakage import leakage, leakage_without_each, validate_covariance
from .objectives import platform_objective, surplus_objective
from .resources import check_instance, check_search, check_validation, max_nodes, normalisation

__all__ = ["SharingInstance", "parse", "solve", "outcome", "search"]

METHODS = ("exhaustive", "branch-and-bound", "greedy")


@dataclass(frozen=True)
class SharingInstance:
    """Validated instance (arrays are read-only copies)."""

    covariance: np.ndarray
    privacy_values: np.ndarray
    noise_variance: float = 1.0
    method: str = "exhaustive"


def parse(raw: Mapping[str, Any]) -> SharingInstance:
    """Validate a raw mapping (fields named in every error).

    Besides the shape, sign and semidefiniteness rules, the signal-to-noise ratio and the
    range of the payoffs are bounded (:mod:`.resources`); the noise variance is in the
    data's units, so it must be scaled with the covariance.
    """
    raw = require_mapping(raw)
    reject_unknown(raw, {"problem", "covariance", "privacy_values", "noise_variance", "method",
                         "name", "description"})
    cov = as_array(require(raw, "covariance"), "covariance", ndim=2)
    check_validation(int(cov.shape[0]))
    sigma, lam = validate_covariance(cov, "covariance", eigenvalues=True)
    n = sigma.shape[0]
    v = as_array(require(raw, "privacy_values"), "privacy_values", minimum=0.0)
    if v.shape != (n,):
        raise InstanceError("privacy_values", f"must have one entry per user ({n}), "
                                              f"got {v.shape[0]}")
    noise = as_number(raw.get("noise_variance", 1.0), "noise_variance", minimum=0.0,
                      strict_min=True)
    check_instance(np.diag(sigma), float(max(lam[-1], 0.0)), v, noise)
    method = as_choice(raw.get("method", "exhaustive"), "method", METHODS)
    sigma.setflags(write=False)
    v.setflags(write=False)
    return SharingInstance(sigma, v, noise, method)


def search(sigma: np.ndarray, obj, noise: float, method: str,
           time_limit: float | None = None) -> SearchResult:
    """Dispatch one objective to a search method (refused beyond the work budget).

    Branch-and-bound stops at ``time_limit`` (capped by the budget's deadline) or at the
    node budget, whichever comes first, with ``status='time_limit'`` and its bound.
    """
    n = sigma.shape[0]
    check_search(n, method, objectives=1)
    if method == "exhaustive":
        check_size(n)
        return enumerate_gray(sigma, [obj], noise)[0]
    if method == "branch-and-bound":
        return branch_and_bound(sigma, obj, noise, time_limit, max_nodes=max_nodes(n))
    return local_search(sigma, obj, noise, swaps=n <= 60)


def check_size(n: int) -> None:
    """Exhaustive enumeration beyond :data:`EXHAUSTIVE_MAX_USERS` raises SizeLimitError."""
    if n > EXHAUSTIVE_MAX_USERS:
        raise SizeLimitError("covariance", f"exhaustive enumeration handles at most "
                                           f"{EXHAUSTIVE_MAX_USERS} users, got {n}",
                             "method 'branch-and-bound' (exact) or 'greedy' (heuristic)")


def outcome(sigma: np.ndarray, v: np.ndarray, profile: np.ndarray, noise: float = 1.0
            ) -> dict[str, Any]:
    """Prices, leakages, utilities, platform payoff and surplus at a profile (issue model)."""
    a = np.asarray(profile, bool)
    inf = leakage(sigma, a, noise)
    wo = leakage_without_each(sigma, a, noise)
    prices = np.where(a, v * (inf - wo), 0.0)
    return {"profile": a.astype(int), "leakage": inf, "prices": prices,
            "platform_payoff": float(inf.sum() - prices.sum()),
            "user_utilities": prices - v * inf,
            "surplus": float(((1 - v) * inf).sum())}


#: The backend each method reports (``--backend`` accepts only ``auto`` or this name).
BACKENDS = {"exhaustive": "exact:gray-enumeration", "branch-and-bound": "exact:branch-and-bound",
            "greedy": "heuristic:local-search"}
#: Output fields in leakage units (multiplied back by the normalisation scale).
SCALED_FIELDS = ("objective", "prices", "leakage", "user_utilities", "surplus",
                 "first_best_surplus", "too_much_data_gap", "bound", "gap")


def solve(inst: SharingInstance, opts: SolveOptions) -> dict[str, Any]:
    """Equilibrium (platform optimum) and first best by the requested method.

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
        check_size(n)
    check_search(n, method)
    scale = normalisation(float(np.diag(sigma0).max()), tau0)
    sigma, tau = sigma0 / scale, tau0 / scale
    if method == "exhaustive":
        eq, fb = enumerate_gray(sigma, [platform_objective(v), surplus_objective(v)], tau)
    else:
        eq = search(sigma, platform_objective(v), tau, method, opts.time_limit)
        fb = search(sigma, surplus_objective(v), tau, method, opts.time_limit)
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
    if eq.bound is not None and status != "optimal":
        res["bound"] = eq.bound
        res["gap"] = eq.bound - out["platform_payoff"]
        stopped = eq.details.get("stopped_by") or fb.details.get("stopped_by")
        if stopped:
            res["message"] = f"branch-and-bound stopped by the {stopped}"
    failed = check_answer(sigma, v, tau, res, status == "optimal")
    if failed is not None:
        res["status"] = "error"
        res["message"] = f"a-posteriori check failed: {failed}"
    for key in SCALED_FIELDS:
        if key in res:
            res[key] = np.asarray(res[key], dtype=float) * scale if isinstance(
                res[key], np.ndarray) else float(res[key]) * scale
    res["normalisation"] = scale
    res["seconds"] = time.perf_counter() - t0
    return res


register_problem("sharing", parse, solve,
                 "Gaussian leakage: platform-optimal sharing profile, prices, first best "
                 "(Too Much Data, appendix)")
