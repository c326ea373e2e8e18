"""The ``sampling`` problem behind ``solver solve`` (Pricing Private Data, Sections 4-5).

Output (besides the certificate ``status``, ``objective``, ``bound``, ``gap``, ``backend``,
``seconds``):

``objective``
    Π^OPT, the least expected payment per seller over all unbiased sampling distributions
    (exact: the histogram MILP of :mod:`solver.sampling.optimum`, certified).
``ordering``, ``ratio``
    Π(ψ*) for the ordering distribution and Π(ψ*) / Π^OPT (Theorem 5.2: <= 2 for concave
    costs).
``independent``, ``independent_ratio``
    Π for independent uniform samples, and its ratio to Π^OPT.
``relaxation``, ``relaxation_gap``
    The value of the paper's LP over Ψ (computed by the equivalent compact LP; see
    :mod:`solver.sampling.relaxation`) and Π^OPT minus it (absolute, relative).
``p_optimal``, ``p_ordering``, ``p_independent``, ``degrees``
    The count distributions p(k), k = 0..m, and the optimal seller-degree histogram.
"""

from __future__ import annotations

import time
from typing import Any

from ..errors import InstanceError
from ..problems import SolveOptions, register_problem
from .brute_force import brute_force_optimum, dp_optimum
from .distributions import expected_payment, independent_distribution, ordering_distribution
from .instance import SamplingInstance, parse_sampling
from .optimum import SamplingOptimum, optimal_payment
from .relaxation import compact_lp, relaxation_gap, subset_lp

#: ``--method`` values: the MILP (default) and the exhaustive references.
METHODS = ("milp", "brute-force", "graphs", "dp")
#: Largest m for which the explicit subset LP is also reported (``relaxation_subset``).
REPORT_SUBSET_LP_MAX_BUYERS = 10


def _ratio(a: float, b: float) -> float | None:
    if b > 0:
        return a / b
    return 1.0 if a == 0 else None


def _optimum(inst: SamplingInstance, opts: SolveOptions) -> SamplingOptimum:
    method = opts.method or "milp"
    if method not in METHODS:
        raise InstanceError("method", f"must be one of {', '.join(METHODS)} for sampling, "
                                      f"got {method!r}")
    n, d, pi = inst.sellers, inst.demands, inst.payment
    if method == "milp":
        return optimal_payment(n, d, pi, backend=opts.backend, time_limit=opts.time_limit)
    if method == "dp":
        val, hist, sol = dp_optimum(n, d, pi)
    else:
        val, hist, sol = brute_force_optimum(
            n, d, pi, method="multisets" if method == "brute-force" else "graphs")
    return SamplingOptimum(val, sol, hist)


def solve_sampling(inst: SamplingInstance, opts: SolveOptions) -> dict[str, Any]:
    """Solve a sampling instance: Π^OPT with certificate, ψ*, independent samples, the LP."""
    t0 = time.perf_counter()
    n, d, pi = inst.sellers, inst.demands, inst.payment
    opt = _optimum(inst, opts)
    p_ord = ordering_distribution(n, d)
    p_ind = independent_distribution(n, d)
    ordering = expected_payment(p_ord, pi)
    independent = expected_payment(p_ind, pi)
    relax_backend = opts.backend if (opts.method or "milp") == "milp" else "auto"
    rel = compact_lp(n, d, pi, backend=relax_backend, time_limit=opts.time_limit)
    out: dict[str, Any] = dict(opt.solution.certificate())
    out.update(
        objective=opt.objective,
        method=opts.method or "milp",
        sellers=n,
        buyers=inst.buyers,
        ordering=ordering,
        ratio=_ratio(ordering, opt.objective),
        independent=independent,
        independent_ratio=_ratio(independent, opt.objective),
        relaxation=rel.objective,
        relaxation_method="compact LP (equal to the paper's subset LP over Ψ)",
        relaxation_gap=relaxation_gap(opt.objective, rel.objective),
        degrees=opt.degrees,
        p_optimal=opt.p,
        p_ordering=p_ord,
        p_independent=p_ind,
        mean_count=float(d.sum()) / n,
        payment_nondecreasing=inst.payment_nondecreasing,
    )
    if inst.costs is not None:
        out["payment"] = pi
        out["costs_concave"] = inst.costs_concave
    if inst.buyers <= REPORT_SUBSET_LP_MAX_BUYERS:
        out["relaxation_subset"] = subset_lp(n, d, pi, backend=relax_backend).objective
    out["seconds"] = time.perf_counter() - t0
    out["solve_seconds"] = opt.solution.seconds
    return out


register_problem(
    "sampling", parse_sampling, solve_sampling,
    "Pricing Private Data: exact Π^OPT over unbiased sampling distributions (degree-histogram "
    "MILP), the ordering and independent distributions, and the LP relaxation over Ψ.",
)
