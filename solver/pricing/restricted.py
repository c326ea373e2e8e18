"""Incumbents for large instances: the best scheme that uses only a few sizes [CCK25, eq. (2)].

Restricting every buyer to sizes in a small set ``S`` (and 0) is rev^OPT(N) of the
valuations' columns ``S``: the pairwise MILP (:func:`~solver.pricing.envy_free.
pairwise_milp`) on ``V[:, [0] + S]`` has ``B |S|`` binaries instead of ``B N``, so HiGHS
solves it where the full MILP does not finish its root (at uniform 100 x 100, three sizes
take 5 s; the issue found the uniform 50 x 50 optimum with three sizes).  Its answer is a
feasible scheme of the full instance (the sizes not in ``S`` are simply not offered);
nothing of the solver's is trusted: the assignment is repriced exactly on the full
valuations (:func:`~solver.pricing.envy_free.optimal_prices`), turned into the Lemma 1 curve
and its revenue is recomputed under the buyers' own choices (eq. 4-5,
:func:`~solver.pricing.envy_free.curve_revenue`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import TimeLimitReached
from ..opt import solve
from .envy_free import (
    curve_revenue,
    lemma1_curve,
    model_values,
    optimal_prices,
    pairwise_milp,
    value_scale,
)

__all__ = ["Incumbent", "lp_sizes", "restricted_revenue"]


@dataclass
class Incumbent:
    """A feasible curve and its revenue under the buyers' choices (eq. 5).

    Attributes
    ----------
    revenue
        ``curve_revenue(V, curve)`` (recomputed, never a solver's objective).
    curve
        ``q(0..N)``.
    source
        What found it (``"single price"``, ``"local search"``, ``"restricted MILP ..."``).
    status
        The restricted MILP's status (``optimal``: best among menus over the sizes), or ``""``.
    """

    revenue: float
    curve: np.ndarray
    source: str
    status: str = ""


def lp_sizes(mass: np.ndarray, k: int) -> np.ndarray:
    """The ``k`` sizes ``m >= 1`` an LP point sells most of (``mass[m]``, e.g.
    :meth:`~solver.pricing.cuts.CutModel.size_mass`), always with the largest size ``N``."""
    mass = np.asarray(mass, dtype=float)
    N = mass.shape[0] - 1
    if N < 1:
        return np.zeros(0, dtype=int)
    by_mass = 1 + np.argsort(-mass[1:], kind="stable")
    pick = [N] + [int(m) for m in by_mass if m != N]
    return np.sort(np.asarray(pick[:max(1, k)], dtype=int))


def restricted_revenue(T: np.ndarray, w: np.ndarray, sizes: np.ndarray, *,
                       time_limit: float | None = None, backend: str = "highs"
                       ) -> Incumbent | None:
    """The best envy-free scheme that sells only ``sizes`` (and 0) to the types ``T``.

    Parameters
    ----------
    T, w
        Types' valuations ``(nt, N + 1)`` (``T[:, 0] = 0``) and their weights.
    sizes
        Sizes in ``1..N`` allowed.
    time_limit, backend
        For :func:`solver.opt.solve` (also capped by the deadline of :mod:`solver.budget`);
        a time-limited solve gives its incumbent.

    Returns
    -------
    Incumbent or None
        ``None`` when the solver returned no point or its assignment cannot be priced.
    """
    T = np.asarray(T, dtype=float)
    nt, n = T.shape
    cols = np.unique(np.concatenate([[0], np.asarray(sizes, dtype=int)]))
    scale = value_scale(T)
    if scale == 0 or cols.shape[0] < 2:
        return None
    VS = model_values(T[:, cols], scale)
    try:
        sol = solve(pairwise_milp(VS, w), backend=backend, time_limit=time_limit)
    except TimeLimitReached:
        return None
    if sol.x is None:
        return None
    chosen = cols[np.argmax(sol.x[:nt * cols.shape[0]].reshape(nt, -1), axis=1)]
    prices, feasible = optimal_prices(T, chosen)
    if not feasible:
        return None
    q = lemma1_curve(chosen, prices, n - 1)
    label = ", ".join(str(int(m)) for m in cols[1:])
    return Incumbent(curve_revenue(T, q, weights=w), q, f"restricted MILP over sizes {label}",
                     sol.status)
