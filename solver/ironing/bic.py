"""Lemma 4.4 for the optimal procurement mechanism on discrete costs, by enumeration.

Fleischer-Lyu Section 4.3: the optimal BIC w-unit procurement ``M`` buys from the ``w``
players with the smallest ironed virtual costs, ties broken uniformly at random, and pays
by Lemma 4.4 (ii): ``E[p_i(v_i)] = v_i x(v_i) + int_{v_i}^inf x(t) dt``.

Reading for discrete costs (atoms ``c_1 < ... < c_K``): a report is an atom; the interim
allocation ``x_k`` (probability of being bought when reporting ``c_k``, over the others'
costs and the tie-break) is extended to a step function ``x(t) = x_j`` on ``(c_{j-1}, c_j]``
and ``0`` beyond ``c_K``, so the Lemma 4.4 payment is
``P_k = c_k x_k + sum_{j > k} (c_j - c_{j-1}) x_j`` (the adjacent downward IC constraints
bind).  Two atoms tie when they lie on the same edge of the lower hull of the cost curve
(same ironed virtual cost).  Everything is exact: the others' cost profiles are enumerated
(``K^(n-1)`` of them), no sampling.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from .distributions import Discrete
from .ironing import iron_curve

#: Largest number of others' profiles enumerated (``K^(n-1)``).
MAX_PROFILES = 200_000


def ironed_classes(dist: Discrete) -> np.ndarray:
    """Tie class of each atom: the index of the hull edge covering its quantile cell."""
    cc = dist.cost_curve()
    hull = iron_curve(cc.q, cc.H).hull
    return np.repeat(np.arange(hull.size - 1), np.diff(hull))


def interim_allocation(dist: Discrete, n: int, w: int,
                       rank: np.ndarray | None = None) -> np.ndarray:
    """``x_k``: probability that ``M`` buys from a player reporting atom ``k`` (exact).

    Enumerates every cost profile of the other ``n - 1`` players; with ``L`` others in a
    lower tie class and ``E`` in the same class, the player is bought with probability
    ``min(max(w - L, 0), E + 1) / (E + 1)`` (uniform tie-break among the ``E + 1``).
    ``rank`` replaces the tie classes (e.g. raw virtual costs: a non-optimal mechanism,
    used as a negative control).
    """
    if not 0 < w < n:
        raise ValueError("need 0 < w < n")
    K = dist.values.size
    if K ** (n - 1) > MAX_PROFILES:
        raise ValueError(f"K^(n-1) = {K ** (n - 1)} profiles exceed {MAX_PROFILES}")
    cls = ironed_classes(dist) if rank is None else np.asarray(rank)
    profs = np.array(list(itertools.product(range(K), repeat=n - 1)), dtype=np.int64)
    prob = np.prod(dist.probabilities[profs], axis=1)  # (P,)
    oc = cls[profs][:, :, None]  # (P, n-1, 1) against (1, 1, K)
    lower = np.count_nonzero(oc < cls[None, None, :], axis=1)  # (P, K)
    equal = np.count_nonzero(oc == cls[None, None, :], axis=1)
    buy = np.minimum(np.maximum(w - lower, 0), equal + 1) / (equal + 1)
    return prob @ buy


def lemma_4_4_payments(values: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``P_k = c_k x_k + sum_{j>k} (c_j - c_{j-1}) x_j`` (Lemma 4.4 (ii), discrete reading)."""
    c = np.asarray(values, dtype=float)
    tail = np.zeros(c.size)
    tail[:-1] = np.cumsum((np.diff(c) * x[1:])[::-1])[::-1]
    return c * x + tail


@dataclass(frozen=True)
class MisreportCheck:
    """Outcome of :func:`misreport_check` (utilities in cost units)."""

    allocation: np.ndarray
    payments: np.ndarray
    best_gain: float  # max over true k, report j of U(k, j) - U(k, k)
    min_utility: float  # min_k U(k, k) (EIIR: >= 0)
    monotone_violation: float  # max_k (x_{k+1} - x_k), <= 0 for Lemma 4.4 (i)
    total_payment: float  # n sum_k f_k P_k (= OPT by Lemma 4.7)
    worst: tuple[int, int]  # (true atom, report) attaining best_gain


def misreport_check(dist: Discrete, n: int, w: int,
                    rank: np.ndarray | None = None) -> MisreportCheck:
    """Every (true atom, reported atom) pair of ``M`` with Lemma 4.4 payments.

    ``U(k, j) = P_j - c_k x_j`` is the interim expected utility of a player with cost
    ``c_k`` reporting ``c_j`` (the others truthful); BIC means ``U(k, k) >= U(k, j)``.
    """
    x = interim_allocation(dist, n, w, rank)
    P = lemma_4_4_payments(dist.values, x)
    U = P[None, :] - dist.values[:, None] * x[None, :]
    gain = U - np.diag(U)[:, None]
    k, j = np.unravel_index(int(np.argmax(gain)), gain.shape)
    return MisreportCheck(
        allocation=x, payments=P, best_gain=float(gain[k, j]),
        min_utility=float(np.min(np.diag(U))),
        monotone_violation=float(np.max(np.diff(x), initial=-np.inf)),
        total_payment=float(n * (dist.probabilities @ P)), worst=(int(k), int(j)),
    )
