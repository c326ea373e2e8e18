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

from ..budget import check_memory, check_work
from ..errors import InstanceError, SizeLimitError
from ..problems import SolveOptions, register_problem, require_method, require_no_backend
from ..tolerances import PROBABILITY_SUM
from ..validate import as_array, as_choice, as_int, reject_unknown, require, require_mapping
from . import mechanisms as M
from .tolerances import CERTIFICATE, MEAN_COUNT
from .utility import Utility, from_spec

NAME = "sampling-mechanism"
MECHANISMS = ("baseline", "ce", "ce-risk-seeking")
#: The one ``--method``: the mechanism is evaluated in closed form.
METHODS = ("closed-form",)
#: What the result names as its backend (``--backend`` accepts only this or ``auto``).
BACKEND = "exact:closed-form"
#: Largest n·(m + 1), the numbers in one payment matrix (about 1.3 GB of working arrays and
#: 10-25 s at this size on a 2-core machine).
MAX_CELLS = 20_000_000
#: Peak bytes per payment-matrix entry: payments, masks, costs, weights and one lottery
#: matrix (measured 64 bytes per entry for the CE Mechanism at n·(m + 1) = 2e7).
BYTES_PER_CELL = 64.0
#: Elementary operations per payment-matrix entry for one round of certainty equivalents.
OPS_PER_CELL = 5.0


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


def money_max(n: int, m: int) -> float:
    """Largest amount of money accepted: the total payment Σ_i Σ_k p(k) π_i(k), with π_i(k)
    up to c^max·m plus a threshold, must stay a finite double (~1.8e308 / (4 n (m + 1)))."""
    return float(np.finfo(float).max / (4.0 * n * (m + 1)))


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
    if int(d.sum()) == 0:
        raise InstanceError("demands", "must ask for at least one data point in all (the "
                                       "price per data point divides by the sum of demands)")
    if n * (m + 1) > MAX_CELLS:
        raise SizeLimitError("sellers", f"n·(m + 1) = {n * (m + 1)} exceeds {MAX_CELLS}",
                             "a smaller instance or the Python API per seller group")
    if linear:
        costs = as_array(raw["reports"], "reports", minimum=0.0,
                         maximum=money_max(n, m))
        if costs.size != n:
            raise InstanceError("reports", f"must have one entry per seller ({n}), "
                                           f"got {costs.size}")
    else:
        c = as_array(raw["costs"], "costs", ndim=2, minimum=0.0, nondecreasing=True,
                     maximum=money_max(n, m))
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
            if abs(mean - target) > MEAN_COUNT * max(1.0, target):
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
        e = as_array(raw["ce_reports"], "ce_reports", minimum=-money_max(n, m),
                     maximum=money_max(n, m))
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


def estimate(inst: MechanismInstance) -> tuple[float, float]:
    """Peak memory (bytes) and work (operations) of :func:`run`, from the sizes alone.

    Each round of certainty equivalents costs about ``OPS_PER_CELL`` operations per entry of
    the n x (m + 1) payment matrix; the CE Mechanism with general costs asks one round per
    seller whose report alone sets π^max(k) for some k (at most one per k), the
    risk-seeking variation one more.
    """
    n, m = inst.sellers, len(inst.demands)
    cells = float(n) * (m + 1)
    rounds = 1.0
    if inst.mechanism != "baseline":
        rounds += 2.0
        if not inst.linear:
            rounds += float(M.unique_max_mask(inst.costs).any(axis=1).sum())
    return BYTES_PER_CELL * cells, OPS_PER_CELL * cells * rounds


def check_result(res: M.MechanismResult, inst: MechanismInstance) -> list[str]:
    """The mechanism's answer recomputed independently; returns the checks that failed.

    p must be a distribution with the Lemma 4.2 mean Σ d_b / n' (n' = n − 1 for linear
    costs), every payment finite, and the price equal to Σ_i Σ_k p(k) π_i(k) over the
    outcomes where seller i is sampled, divided by Σ d_b (relative to the largest payment).
    """
    failed = []
    p = np.asarray(res.p, dtype=float)
    n_sampled = inst.sellers - 1 if inst.linear else inst.sellers
    dsum = float(sum(inst.demands))
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


def solve(inst: MechanismInstance, opts: SolveOptions) -> dict[str, Any]:
    """Closed-form evaluation, checked a posteriori (:func:`check_result`).

    Only ``--method closed-form`` and ``--backend auto`` (or ``exact:closed-form``) are
    accepted: no optimisation backend is involved.
    """
    require_method(opts, METHODS, "closed-form")
    require_no_backend(opts, BACKEND)
    nbytes, ops = estimate(inst)
    check_memory("sellers", nbytes, "the mechanism's n x (m + 1) payment matrices",
                 "fewer sellers or buyers (sellers with equal reports and utilities are "
                 "interchangeable)")
    check_work("sellers", ops, "the certainty equivalents of every seller for every "
               "counterfactual payment", "fewer sellers or buyers")
    t0 = time.perf_counter()
    res = run(inst)
    seconds = time.perf_counter() - t0
    failed = check_result(res, inst)
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
        "backend": BACKEND,
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


register_problem(NAME, parse, solve,
                 "Pricing Private Data: Baseline / CE Mechanisms (linear and general costs); "
                 "price per data point and per-seller payment functions", methods=METHODS)
