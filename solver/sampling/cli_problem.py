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
``checked``
    The a-posteriori checks an ``optimal`` result passed (:data:`CHECKS`); when one fails
    the status is ``error`` and ``message`` says which (exit 1).
``relaxation_note``
    Present when the LP relaxation could not be solved (e.g. the time limit had passed);
    ``relaxation`` is then null.
"""

from __future__ import annotations

import time
from typing import Any

from ..budget import remaining_time
from ..errors import InstanceError, SolverError, TimeLimitReached
from ..problems import SolveOptions, register_problem, require_method
from .brute_force import brute_force_optimum, dp_optimum
from .distributions import expected_payment, independent_distribution, ordering_distribution
from .instance import SamplingInstance, parse_sampling
from .optimum import SamplingOptimum, check_optimum, optimal_payment
from .relaxation import RelaxationResult, compact_lp, relaxation_gap, subset_lp

#: ``--method`` values: the MILP (default) and the exhaustive references.
METHODS = ("milp", "brute-force", "graphs", "dp")
#: Largest m for which the explicit subset LP is also reported (``relaxation_subset``).
REPORT_SUBSET_LP_MAX_BUYERS = 10
#: What a successful a-posteriori check has verified (reported as ``checked``).
CHECKS = ("histogram realisable (Gale-Ryser, integers)",
          "unbiased (degrees sum to D: mean count D/n, Lemma 4.2)",
          "histogram cost = objective = solver objective",
          "bound <= objective", "LP relaxation <= objective",
          "objective <= ordering and independent distributions")


def _ratio(a: float, b: float) -> float | None:
    if b > 0:
        return a / b
    return 1.0 if a == 0 else None


def _optimum(inst: SamplingInstance, method: str, opts: SolveOptions) -> SamplingOptimum:
    n, d, pi = inst.sellers, inst.demands, inst.payment
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
        return compact_lp(inst.sellers, inst.demands, inst.payment, backend=opts.backend,
                          time_limit=opts.time_limit), None
    except InstanceError:
        raise
    except SolverError as exc:
        return None, str(exc)


def solve_sampling(inst: SamplingInstance, opts: SolveOptions) -> dict[str, Any]:
    """Solve a sampling instance: Π^OPT with certificate, ψ*, independent samples, the LP.

    Before a result is reported ``optimal`` it is checked a posteriori
    (:func:`solver.sampling.optimum.check_optimum`); a failed check gives status
    ``error`` with a ``message`` naming it (exit 1).
    """
    t0 = time.perf_counter()
    method = require_method(opts, METHODS, "milp")
    assert method is not None
    n, d, pi = inst.sellers, inst.demands, inst.payment
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


register_problem(
    "sampling", parse_sampling, solve_sampling,
    "Pricing Private Data: exact Π^OPT over unbiased sampling distributions (degree-histogram "
    "MILP), the ordering and independent distributions, and the LP relaxation over Ψ.",
    methods=METHODS,
)
