"""Seeded instance families for tests, claims and benchmarks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .envy_free import as_valuations
from .valuations import BUILTINS, valuation_curve


def random_valuations(rng: np.random.Generator, B: int, N: int, kind: str = "uniform"
                      ) -> np.ndarray:
    """``(B, N + 1)`` valuations with ``V[:, 0] = 0`` (rows ``v_j(0..N)``).

    For a :class:`~solver.pricing.PricingInstance` use ``PricingInstance.from_v0(V, ...)``
    (or ``valuations=V[:, 1:]``).

    ``kind``: ``uniform`` (sorted uniform rows: hard, no structure), ``coarse`` (values on a
    quarter grid: many ties), ``estimation`` (eq. 11 curves with random built-in ``v^e``,
    tolerance and value, ``sigma = 1``), ``types2`` (two distinct rows).
    """
    if kind == "uniform":
        rows = np.sort(rng.random((B, N)), axis=1)
    elif kind == "coarse":
        rows = np.sort(rng.integers(0, 5, (B, N)) / 4.0, axis=1)
    elif kind == "estimation":
        rows = np.array([valuation_curve(BUILTINS[rng.integers(3)], N, 1.0,
                                         float(rng.uniform(0.1, 1.0)),
                                         float(rng.uniform(0.3, 1.0)))[1:] for _ in range(B)])
    elif kind == "types2":
        T = np.sort(rng.random((2, N)), axis=1)
        rows = T[rng.integers(0, 2, B)]
    else:
        raise ValueError(f"unknown family {kind!r}")
    return np.concatenate([np.zeros((B, 1)), rows], axis=1)


def instance_dict(V: np.ndarray, supply: int | None = None,
                  costs: Sequence[float] | None = None,
                  sigma: float | None = None) -> dict[str, Any]:
    """An instance file (``solver solve`` can rerun it) for valuations ``V``.

    ``V`` has rows ``v_j(0..N)`` with ``v_j(0) = 0`` (validated: rows ``v_j(1..N)`` would
    lose ``v_j(1)``); the file lists ``v_j(1..N)``.
    """
    V = as_valuations(V)
    d: dict[str, Any] = {"problem": "pricing", "valuations": np.round(V[:, 1:], 15).tolist()}
    if supply is not None:
        d["supply"] = int(supply)
    if costs is not None:
        d["costs"] = [float(c) for c in costs]
    if sigma is not None:
        d["sigma"] = float(sigma)
    return d
