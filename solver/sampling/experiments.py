"""Sweep experiments of the sampling problem [GAH12]: ratios against Π^OPT, Figure 2.

:data:`EXPERIMENTS` lists them; :mod:`solver.sampling.plugin` registers them (importing this
module registers nothing).  Run for example with::

    solver sweep sampling.random-ratio \
        --grid '{"algorithm": ["ordering", "independent"], "n": [50, 500], "m": [10, 40]}' \
        --seeds 50 --store runs/sampling.sqlite
    solver report runs/sampling.sqlite
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..errors import InstanceError
from ..sweep.experiments import Experiment
from ..sweep.params import Param
from .claims_mechanisms import FIGURE2_CASES, SEC43_N_AFTER
from .distributions import (
    expected_payment,
    independent_distribution,
    mean_count,
    ordering_bands,
    ordering_distribution,
)
from .families import (
    PAYMENT_STYLES,
    random_demands,
    random_payment,
    theorem_5_1_instance,
    theorem_5_1_instance_a,
)
from .optimum import optimal_payment

_DISTRIBUTIONS = {"ordering": ordering_distribution, "independent": independent_distribution}


def random_ratio(params: Mapping[str, Any], seed: int) -> dict[str, Any]:
    """Ratio of a cost-oblivious distribution's expected payment to the exact Π^OPT.

    The instance (``n`` sellers, ``m`` uniform random demands, a random non-decreasing payment
    of ``style``, see :func:`solver.sampling.families.random_payment`) is drawn from ``seed``
    alone, so both algorithms of one seed see the same instance.  [GAH12, Theorem 5.2] bounds the
    ordering distribution's ratio by 2 for concave costs (``style="star"``); other styles are
    outside the theorem.  The record carries the instance so the report's worst cases rerun
    with ``solver solve``.
    """
    algorithm = str(params.get("algorithm", "ordering"))
    if algorithm not in _DISTRIBUTIONS:
        raise ValueError(f"algorithm must be one of {sorted(_DISTRIBUTIONS)}, got {algorithm!r}")
    n, m = int(params["n"]), int(params["m"])
    rng = np.random.default_rng(seed)
    style = params.get("style")
    demands = random_demands(rng, n, m)
    payment = random_payment(rng, m, None if style is None else str(style))
    t0 = time.perf_counter()
    opt = optimal_payment(n, demands, payment)
    opt.solution.certify()
    seconds = time.perf_counter() - t0
    value = expected_payment(_DISTRIBUTIONS[algorithm](n, demands), payment)
    ratio = value / opt.objective if opt.objective > 0 else (1.0 if value == 0 else np.inf)
    return {"algorithm": algorithm, "ratio": float(ratio), "sense": "ALG/OPT",
            "opt": opt.objective, "value": value, "size": n, "m": m, "seconds": seconds,
            "instance": {"problem": "sampling", "sellers": n, "demands": demands.tolist(),
                         "payment": payment.tolist()}}


def figure2(params: Mapping[str, Any], seed: int) -> dict[str, Any]:
    """Demand histogram and position bands of the ordering distribution [GAH12, Figure 2].

    With the ordering distribution ψ* a seller is placed uniformly at random in positions
    1..n' and sampled by k_j = #{b : d_b >= j} buyers at position j.  The record holds the
    demand histogram (``demand_sizes``, ``demand_counts``), the maximal runs of positions
    with equal k (``bands``: [first, last, k], :func:`ordering_bands`) and p(k) (``p_k``),
    which is what Figure 2 plots.  Params: ``case`` (``"a"`` or ``"b"``, the profiles of
    :data:`solver.sampling.claims_mechanisms.FIGURE2_CASES`) or ``demands`` (a mapping
    sample size -> buyers), and ``n`` (default n' = 1000).  ``seed`` is unused (the figure
    is deterministic).
    """
    case = params.get("case")
    spec: Mapping[Any, Any] = params.get("demands") or FIGURE2_CASES[str(case)]
    sizes = np.array(sorted(int(s) for s in spec), dtype=np.int64)
    counts = np.array([int(spec[s] if s in spec else spec[str(s)]) for s in sizes],
                      dtype=np.int64)
    n = int(params.get("n", SEC43_N_AFTER))
    demands = np.repeat(sizes, counts)
    p = ordering_distribution(n, demands)
    return {"case": case, "n": n, "m": int(demands.size),
            "demand_sizes": sizes.tolist(), "demand_counts": counts.tolist(),
            "bands": ordering_bands(n, demands),
            "p_k": {str(i): float(v) for i, v in enumerate(p) if v > 0},
            "mean_count": mean_count(p), "p_unsold": float(p[0])}


def theorem51_ratio(params: Mapping[str, Any], seed: int) -> dict[str, Any]:
    """Π(ψ*)/Π^OPT on the two instances of the proof of [GAH12, Theorem 5.1], as n grows.

    Instances A (π_A(k) = min{k, n}) and B (π_B(k) = max{k, n}) of the proof share the
    demands (one buyer of n sellers, n² + n buyers of one); ψ* is oblivious to π, so its
    worse ratio ``ratio = max(ratio_A, ratio_B)`` is the factor the theorem says tends to
    2.  Π^OPT comes from :func:`solver.sampling.optimum.optimal_payment` (the histogram
    MILP, certified optimal or the task errors), Π(ψ*) from the ordering distribution.
    ``size`` = m and ``seconds`` (both MILPs) feed the report's scaling curve.
    Params: ``n``; optional ``backend``, ``time_limit``.  ``seed`` is unused.
    """
    n = int(params["n"])
    backend = str(params.get("backend", "auto"))
    tl = params.get("time_limit")
    time_limit = None if tl is None else float(tl)
    rec: dict[str, Any] = {"n": n, "algorithm": "ordering"}
    t0 = time.perf_counter()
    for tag, make in (("A", theorem_5_1_instance_a), ("B", theorem_5_1_instance)):
        n_, demands, payment = make(n)
        ordering = expected_payment(ordering_distribution(n_, demands), payment)
        opt = optimal_payment(n_, demands, payment, backend=backend, time_limit=time_limit)
        rec.update({f"ordering_{tag}": ordering, f"opt_{tag}": opt.objective,
                    f"opt_status_{tag}": opt.status, f"backend_{tag}": opt.solution.backend,
                    f"ratio_{tag}": ordering / opt.objective})
        rec["m"] = int(demands.size)
    rec["ratio"] = max(rec["ratio_A"], rec["ratio_B"])
    rec["sense"] = "ALG/OPT"
    rec["size"] = rec["m"]
    rec["seconds"] = time.perf_counter() - t0
    if rec["opt_status_A"] != "optimal" or rec["opt_status_B"] != "optimal":
        raise RuntimeError(f"OPT not proven optimal for n={n}: {rec['opt_status_A']}, "
                           f"{rec['opt_status_B']}")
    return rec


#: Declared parameters of :func:`random_ratio` [GAH12, Theorem 5.2] (checked before a sweep
#: runs or stores anything).
RANDOM_RATIO_PARAMS: dict[str, Param] = {
    "algorithm": Param("str", choices=tuple(_DISTRIBUTIONS), help="the distribution ψ"),
    "n": Param("int", required=True, minimum=1, help="sellers"),
    "m": Param("int", required=True, minimum=1, help="buyers"),
    "style": Param("str", choices=tuple(PAYMENT_STYLES), help="payment style"),
}
#: Declared parameters of :func:`figure2` [GAH12, Figure 2] (``case`` or ``demands``:
#: :func:`check_figure2`).
FIGURE2_PARAMS: dict[str, Param] = {
    "case": Param("str", choices=tuple(sorted(FIGURE2_CASES)),
                  help="a demand profile of Figure 2"),
    "demands": Param("mapping", help="sample size -> buyers"),
    "n": Param("int", minimum=1, help="the sellers n'"),
}
#: Declared parameters of :func:`theorem51_ratio` [GAH12, Theorem 5.1].
THEOREM51_PARAMS: dict[str, Param] = {
    "n": Param("int", required=True, minimum=1, help="the family's n"),
    "backend": Param("str", help="backend of the Π^OPT MILP"),
    "time_limit": Param("number", minimum=0, help="seconds per MILP"),
}


def check_figure2(params: Mapping[str, Any]) -> None:
    """A Figure 2 parameter set names its profile: ``case`` or ``demands`` (exit 2 if not)."""
    if params.get("case") is None and not params.get("demands"):
        raise InstanceError("case", f"sampling.figure2 needs case "
                                    f"({' or '.join(sorted(FIGURE2_CASES))}) or demands "
                                    f"(sample size -> buyers): add one to the grid")


#: The sampling experiments, registered by :mod:`solver.sampling.plugin`, each declaring
#: its parameters (:mod:`solver.sweep.params`).
EXPERIMENTS: tuple[Experiment, ...] = (
    Experiment("sampling.random-ratio", random_ratio,
               "Π(ψ)/Π^OPT for the ordering or independent distribution on a random "
               "instance (params: algorithm, n, m, optional style)",
               params=RANDOM_RATIO_PARAMS),
    Experiment("sampling.figure2", figure2,
               "Figure 2 of Pricing Private Data: ordering distribution of a demand profile "
               "(param: case a/b, or demands + n)", check=check_figure2,
               params=FIGURE2_PARAMS),
    Experiment("sampling.theorem51-ratio", theorem51_ratio,
               "Theorem 5.1 of Pricing Private Data: payment of the ordering distribution "
               "over OPT on the tight family (param: n)", params=THEOREM51_PARAMS),
)
