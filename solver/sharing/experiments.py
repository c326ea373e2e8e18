"""Sweep experiments of the sharing problem: heuristics against the exact optimum.

Importing this module registers nothing: :mod:`solver.sharing.plugin` registers
:data:`EXPERIMENTS`.  Run for example with::

    solver sweep sharing.heuristic-ratio \
        --grid '{"algorithm": ["greedy", "local-search"], "n": [10, 14]}' --seeds 50 \
        --store runs/sharing.sqlite
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from .enumeration import enumerate_gray
from .heuristics import greedy, local_search
from .objectives import platform_objective

_HEURISTICS = {"greedy": greedy, "local-search": local_search}


def random_covariance(rng: np.random.Generator, n: int) -> np.ndarray:
    """A random correlation-like PSD matrix: unit diagonal scaled by 1..2, random factors."""
    f = rng.normal(size=(n, max(1, n // 3)))
    s = f @ f.T + np.diag(rng.uniform(0.2, 1.0, n))
    d = np.sqrt(np.diag(s))
    scale = rng.uniform(1.0, 2.0, n)
    return (s / np.outer(d, d)) * np.sqrt(np.outer(scale, scale))


def heuristic_ratio(params: Mapping[str, Any], seed: int) -> dict[str, Any]:
    """Ratio OPT / ALG (≥ 1) of the platform's payoff, OPT by Gray-code enumeration.

    Privacy values are drawn uniformly from [0.2, 2] (low- and high-value users, as in the
    appendix); the covariance from :func:`random_covariance`.  Both depend on ``seed`` only.
    """
    algorithm = str(params.get("algorithm", "greedy"))
    if algorithm not in _HEURISTICS:
        raise ValueError(f"algorithm must be one of {sorted(_HEURISTICS)}, got {algorithm!r}")
    n = int(params["n"])
    rng = np.random.default_rng(seed)
    sigma = random_covariance(rng, n)
    v = rng.uniform(0.2, 2.0, n)
    obj = platform_objective(v)
    t0 = time.perf_counter()
    (exact,) = enumerate_gray(sigma, [obj])
    t_exact = time.perf_counter() - t0
    t0 = time.perf_counter()
    heur = _HEURISTICS[algorithm](sigma, obj)
    t_heur = time.perf_counter() - t0
    if heur.value > exact.value + 1e-9:
        raise RuntimeError(f"heuristic {heur.value} exceeds the exact optimum {exact.value}")
    ratio = exact.value / heur.value if heur.value > 0 else (1.0 if exact.value <= 0 else np.inf)
    return {"algorithm": algorithm, "ratio": float(ratio), "sense": "OPT/ALG", "opt": exact.value,
            "value": heur.value, "size": n, "seconds": t_heur, "seconds_exact": t_exact,
            "instance": {"problem": "sharing", "covariance": sigma.tolist(),
                         "privacy_values": v.tolist()}}


#: ``(name, description, function)`` of every experiment here (registered by the plugin).
EXPERIMENTS: tuple[tuple[str, str, Callable[[Mapping[str, Any], int], dict[str, Any]]], ...] = (
    ("sharing.heuristic-ratio",
     "OPT/heuristic platform payoff on a random instance (params: algorithm "
     "greedy|local-search, n)", heuristic_ratio),
)
