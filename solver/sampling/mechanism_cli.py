"""The ``sampling-mechanism`` CLI problem: run a Baseline or CE Mechanism on reported data.

Instance (JSON)::

    {"problem": "sampling-mechanism",
     "sellers": n,                          # number of sellers who report (incl. the maximum)
     "demands": [d_1, ..., d_m],
     "mechanism": "baseline" | "ce" | "ce-risk-seeking",
     "distribution": "ordering" | "independent" | [p(0), ..., p(m)],   # default ordering
     "reports": [c_1, ..., c_n],            # linear costs c_i(k) = c_i k (Section 4), or
     "costs": [[c_i(1), ..., c_i(m)], ...], # general costs (Section 5), non-decreasing
     "utilities": {"kind": "cara", "a": 0.002} | [one spec per seller],
     "ce_reports": [e_1, ..., e_n]}         # optional Step 2 reports (default: truthful CEs)

Everyone reports truthfully (Step 1 reports = the given costs; Step 2 reports = the
sellers' certainty equivalents from ``utilities`` unless ``ce_reports`` is given).
Linear costs sample n' = n − 1 sellers (the maximum reporter is discarded); general costs
sample all n with the per-k exclusions of Section 5.1.  An explicit p must sum to 1 and have
mean Σ_b d_b / n' (Lemma 4.2).

Output: ``objective`` = the price per data point Σ_i E[π_i] / Σ_b d_b (the paper's "price
per seller", e.g. $6.53 in Section 4.3); ``total_expected_payment``; per seller
``expected_payments``, ``price_per_data_point`` (E[π_i] / expected number of buyers that
see i; null if never sampled), ``reduced``, ``thresholds`` (r̄_i, null if none), ``r_hat``;
the payment functions deduplicated as ``payment_functions`` (rows π(0..m)) with
``payment_of[i]`` the row of seller i (Section 4.3 has 1001 sellers but 3 rows);
``never_sampled_at`` lists [seller, [k, ...]] for sellers never sampled k times;
``p``, ``w``, ``pi_max``.
Status "optimal", backend "exact:closed-form" (the mechanism is evaluated exactly).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InstanceError, SizeLimitError
from ..problems import SolveOptions, register_problem
from ..tolerances import PROBABILITY_SUM
from ..validate import as_array, as_choice, as_int, reject_unknown, require, require_mapping
from . import mechanisms as M
from .utility import Utility, from_spec

NAME = "sampling-mechanism"
MECHANISMS = ("baseline", "ce", "ce-risk-seeking")
MAX_CELLS = 20_000_000  # n·(m + 1) numbers per payment matrix


@dataclass(frozen=True)
class MechanismInstance:
    """A validated ``sampling-mechanism`` instance."""

    sellers: int
    demands: tuple[int, ...]
    mechanism: str
    distribution: str | tuple[float, ...]
    costs: np.ndarray  # (n,) linear or (n, m + 1) general with column 0 = 0
    utilities: tuple[Utility, ...] | None
    ce_reports: tuple[float, ...] | None

    @property
    def linear(self) -> bool:
        """Linear costs (Section 4) or general (Section 5)."""
        return self.costs.ndim == 1


def parse(raw: Mapping[str, Any]) -> MechanismInstance:
    """Validate a raw mapping; :class:`InstanceError` names the field and the rule."""
    raw = require_mapping(raw)
    reject_unknown(raw, ("problem", "sellers", "demands", "mechanism", "distribution",
                         "reports", "costs", "utilities", "ce_reports", "description"))
    n = as_int(require(raw, "sellers"), "sellers", minimum=2)
    mech = as_choice(require(raw, "mechanism"), "mechanism", MECHANISMS)
    if ("reports" in raw) == ("costs" in raw):
        raise InstanceError("reports", "give exactly one of 'reports' (linear costs c_i) and "
                                       "'costs' (general costs c_i(1..m))")
    linear = "reports" in raw
    n_sampled = n - 1 if linear else n
    d = as_array(require(raw, "demands"), "demands", integer=True, minimum=0,
                 maximum=n_sampled)
    m = d.size
    if n * (m + 1) > MAX_CELLS:
        raise SizeLimitError("sellers", f"n·(m + 1) = {n * (m + 1)} exceeds {MAX_CELLS}",
                             "a smaller instance or the Python API per seller group")
    if linear:
        costs = as_array(raw["reports"], "reports", minimum=0.0)
        if costs.size != n:
            raise InstanceError("reports", f"must have one entry per seller ({n}), "
                                           f"got {costs.size}")
    else:
        c = as_array(raw["costs"], "costs", ndim=2, minimum=0.0, nondecreasing=True)
        if c.shape[0] != n:
            raise InstanceError("costs", f"must have one row per seller ({n}), got {c.shape[0]}")
        if c.shape[1] != m:
            raise InstanceError("costs[0]", f"must have one entry per buyer count k = 1..m "
                                            f"({m}), got {c.shape[1]}")
        costs = np.hstack([np.zeros((n, 1)), c])
    if mech == "ce-risk-seeking" and not linear:
        raise InstanceError("mechanism", "'ce-risk-seeking' applies to linear costs "
                                         "('reports'); the general-cost CE mechanism already "
                                         "uses the pi_max_{-i} variant: use 'ce'")
    dist: str | tuple[float, ...] = "ordering"
    if "distribution" in raw:
        v = raw["distribution"]
        if isinstance(v, str):
            dist = as_choice(v, "distribution", ("ordering", "independent"))
        else:
            p = as_array(v, "distribution", minimum=0.0, maximum=1.0)
            if p.size != m + 1:
                raise InstanceError("distribution", f"must have m + 1 = {m + 1} entries "
                                                    f"p(0..m), got {p.size}")
            if abs(p.sum() - 1.0) > PROBABILITY_SUM * max(1, m):
                raise InstanceError("distribution", f"must sum to 1, sums to {p.sum()!r}")
            mean, target = float(np.arange(m + 1) @ p), float(d.sum()) / n_sampled
            if abs(mean - target) > 1e-9 * max(1.0, target):
                raise InstanceError("distribution", f"mean count must be sum(d)/n' = {target} "
                                                    f"(Lemma 4.2), got {mean}")
            dist = tuple(float(x) for x in p)
    utils: tuple[Utility, ...] | None = None
    if "utilities" in raw:
        u = raw["utilities"]
        if isinstance(u, Mapping):
            utils = (from_spec(u, "utilities"),) * n
        elif isinstance(u, list):
            if len(u) != n:
                raise InstanceError("utilities", f"must be one spec or one per seller ({n}), "
                                                 f"got {len(u)}")
            cache: dict[str, Utility] = {}
            out = []
            for i, s in enumerate(u):
                key = repr(sorted(s.items())) if isinstance(s, Mapping) else repr(s)
                if key not in cache:
                    cache[key] = from_spec(s, f"utilities[{i}]")
                out.append(cache[key])
            utils = tuple(out)
        else:
            raise InstanceError("utilities", "must be a utility spec or a list of them")
    e_rep = None
    if "ce_reports" in raw:
        if mech == "baseline":
            raise InstanceError("ce_reports", "only the CE mechanisms use Step 2 reports")
        e = as_array(raw["ce_reports"], "ce_reports")
        if e.size != n:
            raise InstanceError("ce_reports", f"must have one entry per seller ({n}), "
                                              f"got {e.size}")
        e_rep = tuple(float(x) for x in e)
    if mech != "baseline" and utils is None:
        need = "ce_reports" in raw and mech == "ce" and linear
        if not need:
            raise InstanceError("utilities", f"is required for mechanism {mech!r} (sellers' "
                                             "certainty equivalents are computed from it)")
    return MechanismInstance(n, tuple(int(x) for x in d), mech, dist, costs, utils, e_rep)


def run(inst: MechanismInstance) -> M.MechanismResult:
    """Evaluate the mechanism on the instance (truthful Step 1; Step 2 as given)."""
    d = np.asarray(inst.demands, dtype=np.int64)
    dist = inst.distribution if isinstance(inst.distribution, str) else \
        np.asarray(inst.distribution)
    if inst.utilities is not None:
        over = None if inst.ce_reports is None else dict(enumerate(inst.ce_reports))
        return M.run_truthful(inst.mechanism, inst.costs, inst.utilities, d, dist,
                              ce_override=over)
    # linear CE with explicit Step 2 reports and no utilities
    p = M.sampling_distribution(dist, inst.sellers - 1, d)
    return M.ce_linear(inst.costs, np.asarray(inst.ce_reports), d, p)


def solve(inst: MechanismInstance, opts: SolveOptions) -> dict[str, Any]:
    """Closed-form evaluation; ``opts`` is accepted for the CLI contract (no backend used)."""
    t0 = time.perf_counter()
    res = run(inst)
    seconds = time.perf_counter() - t0
    rows, of = np.unique(res.payments, axis=0, return_inverse=True)
    never = [[int(i), (np.flatnonzero(~res.sampled[i, 1:]) + 1).tolist()]
             for i in np.flatnonzero((~res.sampled[:, 1:]).any(axis=1))]
    return {
        "status": "optimal",
        "objective": res.price,
        "objective_meaning": "price per data point: total expected payment / sum of demands",
        "backend": "exact:closed-form",
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


register_problem(NAME, parse, solve,
                 "Pricing Private Data: Baseline / CE Mechanisms (linear and general costs); "
                 "price per data point and per-seller payment functions")
