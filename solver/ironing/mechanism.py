"""Mechanism 1 of Fleischer-Lyu (Section 3) with its Section 3.1 extensions, and a simulator.

For each data value (type) ``j`` the contract offers expected payment ``eps * alpha_j`` with
``F_j(alpha_j) = c``; for discrete ``F_j`` the price is ``alpha_j^+`` with probability
``beta_j`` and ``alpha_j^-`` otherwise (:func:`solver.ironing.procurement.contract`), one
independent draw per player.  A player accepts iff ``v_i <= price`` (ties accept).
``m`` = accepted players of type 1 (index 0 here), the estimate is
``s = (m + Lap(1/eps)) / c`` truncated to ``[0, n]``, and accepted players are paid
``eps * (price + Lap(gamma/eps))`` with ``gamma = max_j alpha_j^+ - min_j alpha_j^-`` over
prices accepted with positive probability.  Payments are in money (factor ``eps``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .procurement import Contract, contract


@dataclass(frozen=True)
class Mechanism1:
    """Mechanism 1 for the type distributions ``dists`` at rate ``c`` and privacy ``eps``."""

    dists: tuple
    c: float
    eps: float

    def __post_init__(self) -> None:
        if not 0.0 < self.c < 1.0:
            raise ValueError("c must lie in (0, 1)")
        if not self.eps > 0:
            raise ValueError("eps must be > 0")

    @property
    def contracts(self) -> list[Contract]:
        """One contract per type."""
        return [contract(d, self.c) for d in self.dists]

    @property
    def gamma(self) -> float:
        """``max_j alpha_j^+ - min_j alpha_j^-`` (prices accepted with positive probability)."""
        cs = self.contracts
        lo = min(k.alpha_minus if k.alpha_minus is not None else k.alpha_plus for k in cs)
        return max(k.alpha_plus for k in cs) - lo

    def expected_payment(self, counts: Sequence[int]) -> float:
        """Expected total payment (money) for ``counts[j]`` players of type j."""
        return self.eps * sum(n_j * k.expected_payment_per_player()
                              for n_j, k in zip(counts, self.contracts, strict=True))

    def run(self, types: np.ndarray, costs: np.ndarray, rng: np.random.Generator) -> Outcome:
        """One run on data ``types`` (0-based; type 0 is the queried value) and ``costs``."""
        types = np.asarray(types, dtype=np.int64)
        costs = np.asarray(costs, dtype=float)
        n = types.size
        cs = self.contracts
        plus = np.array([k.alpha_plus for k in cs])
        minus = np.array([-np.inf if k.alpha_minus is None else k.alpha_minus for k in cs])
        beta = np.array([k.beta for k in cs])
        hi = rng.random(n) < beta[types]
        price = np.where(hi, plus[types], minus[types])
        accepted = costs <= price
        m = int(np.count_nonzero(accepted & (types == 0)))
        s = (m + rng.laplace(0.0, 1.0 / self.eps)) / self.c
        s_hat = min(max(s, 0.0), float(n))
        g = self.gamma
        noise = rng.laplace(0.0, g / self.eps, n) if g > 0 else np.zeros(n)
        pay = np.where(accepted, self.eps * (np.where(accepted, price, 0.0) + noise), 0.0)
        return Outcome(s_raw=s, s_hat=s_hat, payments=pay, accepted=accepted, prices=price, m=m)


@dataclass(frozen=True)
class Outcome:
    """One run of Mechanism 1: estimate before/after truncation, payments, acceptances."""

    s_raw: float
    s_hat: float
    payments: np.ndarray
    accepted: np.ndarray
    prices: np.ndarray
    m: int


def simulate_population(dists, types: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Costs drawn by data value: ``v_i ~ F_{D_i}`` (seeded)."""
    types = np.asarray(types, dtype=np.int64)
    out = np.empty(types.size)
    for j, d in enumerate(dists):
        sel = types == j
        out[sel] = d.sample(rng, int(sel.sum()))
    return out


def simulate_estimates(n1: int, n: int, c: float, eps: float, runs: int,
                       rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``(s, s_hat)`` over ``runs`` runs, using ``m ~ Bin(n1, c)`` (Lemma 3.1: every player
    accepts with probability exactly ``c``, independently)."""
    m = rng.binomial(n1, c, runs)
    s = (m + rng.laplace(0.0, 1.0 / eps, runs)) / c
    return s, np.clip(s, 0.0, n)


def accuracy_bound(n1: int, c: float, eps: float) -> float:
    """Lemma 3.7: ``sqrt(3 (n1 (1-c)/c + 2/(eps^2 c^2)))``."""
    return math.sqrt(3.0 * (n1 * (1.0 - c) / c + 2.0 / (eps * eps * c * c)))


def budget_rule_c(eps: float, n: int) -> float:
    """Section 3 ("Cost of Mechanism"): ``c = (1 + sqrt(1 - 8/(eps^2 n)))/2``, eps > sqrt(8/n)."""
    disc = 1.0 - 8.0 / (eps * eps * n)
    if disc < 0:
        raise ValueError(f"eps must exceed sqrt(8/n) = {math.sqrt(8.0 / n):.6g}")
    return 0.5 * (1.0 + math.sqrt(disc))


def fixed_accuracy_parameters(k: float, n: int) -> tuple[float, float]:
    """Section 3.1: ``c = 1/(1 + k^2/6n)``, ``eps = 2 sqrt(3) (1 + k^2/6n)/k`` (k-accurate)."""
    t = k * k / (6.0 * n)
    return 1.0 / (1.0 + t), 2.0 * math.sqrt(3.0) * (1.0 + t) / k


def budget_parameters(dists, n: int, budget: float, tol: float = 1e-12) -> tuple[float, float]:
    """Section 3: eps (and c by the budget rule) with ``eps c n max_j alpha_j(c) = budget``.

    ``eps -> eps c(eps) alpha(c(eps))`` is non-decreasing, so bisection on eps.
    """
    def spend(e: float) -> float:
        c = budget_rule_c(e, n)
        return e * c * n * max(contract(d, c).alpha_plus for d in dists)

    lo = math.sqrt(8.0 / n) * (1 + 1e-12)
    if spend(lo) > budget:
        raise ValueError(f"budget {budget} below the minimum {spend(lo):.6g} of the rule")
    hi = max(2 * lo, 1.0)
    while spend(hi) < budget:
        hi *= 2
    while hi - lo > tol * hi:
        mid = 0.5 * (lo + hi)
        if spend(mid) < budget:
            lo = mid
        else:
            hi = mid
    e = 0.5 * (lo + hi)
    return budget_rule_c(e, n), e


# ------------------------------------------------------------------ exact privacy checks
def _lap_pdf(x, b):
    return np.exp(-np.abs(x) / b) / (2 * b)


def _lap_cdf(x, b):
    return np.where(x < 0, 0.5 * np.exp(x / b), 1 - 0.5 * np.exp(-x / b))


def estimate_log_ratio(n: int, n1_other: int, c: float, eps: float,
                       grid: np.ndarray) -> float:
    """Largest |log density ratio| of ``s_hat`` for adjacent databases (Lemma 3.5), exactly.

    Player i has type 1 in D and another type in D'; the other ``n1_other`` type-1 players
    give ``m_{-i} ~ Bin(n1_other, c)`` (costs integrated out: the paper's Bayesian DP).
    ``s = (m + L)/c``; the ratio is evaluated at the density points ``grid`` inside
    ``(0, n)`` and on the two atoms created by truncation at 0 and n.
    """
    from scipy import stats

    k = np.arange(n1_other + 1)
    pk = stats.binom.pmf(k, n1_other, c)
    b = 1.0 / eps
    t = np.asarray(grid, dtype=float) * c  # density of c*s = m + L at c*s
    base = (pk[:, None] * _lap_pdf(t[None, :] - k[:, None], b)).sum(0)
    shifted = (pk[:, None] * _lap_pdf(t[None, :] - k[:, None] - 1, b)).sum(0)
    dens_D = (1 - c) * base + c * shifted
    lo_D = (pk * ((1 - c) * _lap_cdf(-k, b) + c * _lap_cdf(-k - 1.0, b))).sum()
    lo_P = (pk * _lap_cdf(-k, b)).sum()
    top = n * c
    hi_D = (pk * ((1 - c) * (1 - _lap_cdf(top - k, b))
                  + c * (1 - _lap_cdf(top - k - 1.0, b)))).sum()
    hi_P = (pk * (1 - _lap_cdf(top - k, b))).sum()
    r = [np.max(np.abs(np.log(dens_D / base))), abs(math.log(lo_D / lo_P)),
         abs(math.log(hi_D / hi_P))]
    return float(max(r))


def payment_log_ratio(mech: Mechanism1, j1: int, j2: int, grid: np.ndarray) -> float:
    """Largest |log ratio| of player i's payment law, type ``j1`` vs ``j2`` (Lemma 3.6).

    Payment: 0 with probability ``1 - c`` (same for both types: Lemma 3.1); given acceptance
    the price is ``alpha^+`` with probability ``beta c^+ / c`` (else ``alpha^-``) and the
    payment is ``eps * price + Lap(gamma)``.  Exact on the grid of payment values.
    """
    g = mech.gamma
    if g == 0:
        return 0.0

    def dens(j: int) -> np.ndarray:
        k = mech.contracts[j]
        wp = k.beta * k.c_plus / mech.c
        out = wp * _lap_pdf(grid - mech.eps * k.alpha_plus, g)
        if k.alpha_minus is not None and wp < 1:
            out = out + (1 - wp) * _lap_pdf(grid - mech.eps * k.alpha_minus, g)
        return out

    return float(np.max(np.abs(np.log(dens(j1) / dens(j2)))))


def oracle_contract(cdf, support: tuple[float, float], c: float, delta: float) -> Contract:
    """Section 3.1, oracle model: ``F`` only as an oracle ``v -> F(v)``.

    Binary search for ``alpha^- < alpha^+`` with ``F(alpha^-) < c < F(alpha^+)`` and
    ``alpha^+ - alpha^- < delta`` (the paper takes ``delta < 1/n``), then the discrete-case
    randomised contract: price ``alpha^+`` with probability
    ``beta = (c - c^-)/(c^+ - c^-)``, so every player accepts with probability exactly ``c``.
    If the search hits ``F(v) = c`` exactly, the contract is deterministic at ``v``.
    """
    lo, hi = float(support[0]), float(support[1])
    if not 0.0 < c < 1.0 or not delta > 0:
        raise ValueError("need 0 < c < 1 and delta > 0")
    while hi - lo >= delta:
        mid = 0.5 * (lo + hi)
        F = float(cdf(mid))
        if F < c:
            lo = mid
        elif F > c:
            hi = mid
        else:
            return Contract(c, mid, mid, c, c, 1.0)
    cm, cp = float(cdf(lo)), float(cdf(hi))
    return Contract(c, lo, hi, cm, cp, (c - cm) / (cp - cm))
