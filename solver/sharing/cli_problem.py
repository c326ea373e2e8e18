"""The ``sharing`` CLI problem: equilibrium profile, prices, first best, too-much-data gap.

Instance::

    {"problem": "sharing", "covariance": [[...]], "privacy_values": [...],
     "noise_variance": 1.0, "method": "exhaustive" | "branch-and-bound" | "greedy"}

Output: ``objective`` (platform's optimal payoff U), ``profile``, ``prices``
(``p_i = v_i (I_i(S) - I_i(S∖i))``), ``leakage``, ``user_utilities``, ``surplus``,
``first_best_profile``, ``first_best_surplus``, ``too_much_data_gap`` (first-best surplus minus
equilibrium surplus).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InstanceError, SizeLimitError
from ..problems import SolveOptions, register_problem
from ..validate import as_array, as_choice, as_number, reject_unknown, require, require_mapping
from .branch_bound import branch_and_bound, node_bound
from .enumeration import EXHAUSTIVE_MAX_USERS, SearchResult, enumerate_gray
from .heuristics import local_search
from .leakage import leakage, leakage_without_each, validate_covariance
from .objectives import platform_objective, surplus_objective

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
    """Validate a raw mapping (fields named in every error)."""
    raw = require_mapping(raw)
    reject_unknown(raw, {"problem", "covariance", "privacy_values", "noise_variance", "method",
                         "name", "description"})
    cov = as_array(require(raw, "covariance"), "covariance", ndim=2)
    sigma = validate_covariance(cov, "covariance")
    n = sigma.shape[0]
    v = as_array(require(raw, "privacy_values"), "privacy_values", minimum=0.0)
    if v.shape != (n,):
        raise InstanceError("privacy_values", f"must have one entry per user ({n}), "
                                              f"got {v.shape[0]}")
    noise = as_number(raw.get("noise_variance", 1.0), "noise_variance", minimum=0.0,
                      strict_min=True)
    method = as_choice(raw.get("method", "exhaustive"), "method", METHODS)
    sigma.setflags(write=False)
    v.setflags(write=False)
    return SharingInstance(sigma, v, noise, method)


def search(sigma: np.ndarray, obj, noise: float, method: str,
           time_limit: float | None = None) -> SearchResult:
    """Dispatch one objective to a search method (exhaustive raises beyond the size limit)."""
    n = sigma.shape[0]
    if method == "exhaustive":
        check_size(n)
        return enumerate_gray(sigma, [obj], noise)[0]
    if method == "branch-and-bound":
        return branch_and_bound(sigma, obj, noise, time_limit)
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


def solve(inst: SharingInstance, opts: SolveOptions) -> dict[str, Any]:
    """Equilibrium (platform optimum) and first best by the requested method."""
    t0 = time.perf_counter()
    method = opts.method or inst.method
    if method not in METHODS:
        raise InstanceError("method", f"must be one of {', '.join(METHODS)}, got {method!r}")
    sigma, v, tau = inst.covariance, np.asarray(inst.privacy_values), inst.noise_variance
    n = sigma.shape[0]
    if method == "exhaustive":
        check_size(n)
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
    res = {
        "status": status, "objective": out["platform_payoff"], "backend": eq.method,
        "seconds": time.perf_counter() - t0, "method": method,
        "profile": out["profile"], "prices": out["prices"], "leakage": out["leakage"],
        "user_utilities": out["user_utilities"], "surplus": out["surplus"],
        "first_best_profile": fb.profile.astype(int), "first_best_surplus": fb.value,
        "too_much_data_gap": fb.value - out["surplus"], "nodes": eq.nodes + fb.nodes,
    }
    if eq.bound is not None and status != "optimal":
        res["bound"] = eq.bound
        res["gap"] = eq.bound - out["platform_payoff"]
    return res


register_problem("sharing", parse, solve,
                 "Gaussian leakage: platform-optimal sharing profile, prices, first best "
                 "(Too Much Data, appendix)")
