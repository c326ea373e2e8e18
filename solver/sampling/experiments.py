"""Sweep experiments of the sampling problem: approximation ratios against Π^OPT.

Registered with :func:`solver.sweep.experiment`; run for example with::

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

from ..sweep.experiments import experiment
from .distributions import expected_payment, independent_distribution, ordering_distribution
from .families import random_demands, random_payment
from .optimum import optimal_payment

_DISTRIBUTIONS = {"ordering": ordering_distribution, "independent": independent_distribution}


@experiment("sampling.random-ratio",
            description="Π(ψ)/Π^OPT for the ordering or independent distribution on a random "
                        "instance (params: algorithm, n, m, optional style)")
def random_ratio(params: Mapping[str, Any], seed: int) -> dict[str, Any]:
    """Ratio of a cost-oblivious distribution's expected payment to the exact Π^OPT.

    The instance (``n`` sellers, ``m`` uniform random demands, a random non-decreasing payment
    of ``style``, see :func:`solver.sampling.families.random_payment`) is drawn from ``seed``
    alone, so both algorithms of one seed see the same instance.  Theorem 5.2 bounds the
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
    return {"algorithm": algorithm, "ratio": float(ratio), "opt": opt.objective,
            "value": value, "size": n, "m": m, "seconds": seconds,
            "instance": {"problem": "sampling", "sellers": n, "demands": demands.tolist(),
                         "payment": payment.tolist()}}
