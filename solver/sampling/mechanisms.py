"""Baseline and CE Mechanisms (Pricing Private Data, Sections 4.1, 4.2, 5.1, 5.2).

Every mechanism maps reports to one payment function π_i(k), k = 0..m, per seller and a
mask ``sampled[i, k]`` (False where seller i is never sampled k times: the discarded
maximum reporter ĵ of Section 4, the seller whose ĉ_i(k) sets π^max(k) in Section 5).
A seller outside the mask gets nothing and bears no cost, so his net value there is 0.
The count distribution p(k) of the sampled set is an input (ordering, independent, or any
p: see :func:`sampling_distribution`).

Reading choices (the paper's text is a machine conversion; see docs/sampling-mechanisms.md)
-----------------------------------------------------------------------------------------
* Ties for the maximum report (footnote 6 assumes none): ĵ is the lowest index among them.
* Step 3 threshold rule.  r̄_i maximises f_{−i}(r)(Π − r) with Π = c^max·w (Section 4.2)
  or Σ_k p(k)π^max(k) (Section 5.2); f_{−i}(r) counts the *other* sellers j (j ∉ {i, ĵ}
  for linear costs, j ≠ i for general costs) with r̂_j ≤ r (the printed "r̂_i ≤ r" is read
  as r̂_j).  The maximum is attained at some r̂_j; ties between maximisers go to the smallest
  r.  When no r gives a positive value, there is no threshold (r̄_i = −∞: π^max for i).
* **Tie-breaking: seller i gets the reduced payment when r̂_i ≤ r̄_i** (the paper prints
  "<").  The reading "≤" is what reproduces Section 4.3: there all risk-averse sellers
  report the same r̂ = 107.33, every one of them is its own threshold, and "<" would
  give the Baseline price $10.00 instead of the paper's $6.53.  For a truthful seller
  the tie is an indifference (u(r̄_i − c_i w) = u(e_i)), so truthfulness is unaffected.
* Reduced payment: π_i(k) = r̄_i + ĉ_i (k − w) for linear costs ("r̄_i + ĉ_i(k w)" in the
  text), π_i(k) = r̄_i + ĉ_i(k) − Σ_k' p(k') ĉ_i(k') for general costs.
* General costs (Section 5.1/5.2): the sampling "does not sample seller i k times when
  ĉ_i(k) = π^max(k)"; we read it with the strict unique maximum of the Section 5.2
  ordering variant (ĉ_i(k) > max_{j≠i} ĉ_j(k)), and use the paper's negligible-bias
  simplification: p(k) is the count distribution over all n sellers and an excluded
  outcome pays 0.  Sellers whose report never sets π^max get their threshold from the
  Step 2 reports; a seller who does set π^max(k) for some k gets his threshold from the
  others' certainty equivalents for (p, π^max_{−i}) (the π^max_{−i} variant).
* Risk-seeking variation (proof of Theorem 4.3): the discarded ĵ gets a threshold
  r̄_ĵ computed as for a normal seller in the market without him (c^max_{−ĵ} = second
  highest report, others' CEs for (p, π^max_{−ĵ}), f over N∖{ĵ, j₂}) and is included
  with the reduced payment iff r̂_ĵ ≤ r̄_ĵ; p stays the distribution over n − 1 sellers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .distributions import independent_distribution, ordering_distribution
from .tolerances import THRESHOLD_GAIN
from .utility import Utility

CounterfactualCE = Callable[[np.ndarray], np.ndarray]

#: Numbers per block of lotteries handed to one certainty-equivalent call (:func:`ce_batch`).
CE_BLOCK = 1 << 20



@dataclass(frozen=True)
class MechanismResult:
    """Payments of one run of a mechanism.

    Attributes
    ----------
    mechanism
        Which rule produced it.
    p
        Count distribution p(k), k = 0..m, of the sampled set.
    demands
        Buyers' sample sizes d_b.
    pi_max
        π^max(k).
    payments
        π_i(k), shape (n, m + 1).
    sampled
        Boolean (n, m + 1): whether seller i can be sampled k times.
    reduced
        Whether seller i was assigned the reduced (CE) payment.
    thresholds
        r̄_i (−∞ where no positive threshold exists, NaN for Baseline Mechanisms).
    r_hat
        r̂_i (NaN for Baseline Mechanisms).
    excluded
        ĵ, the discarded maximum reporter (linear costs), else None.
    """

    mechanism: str
    p: np.ndarray
    demands: np.ndarray
    pi_max: np.ndarray
    payments: np.ndarray
    sampled: np.ndarray
    reduced: np.ndarray
    thresholds: np.ndarray
    r_hat: np.ndarray
    excluded: int | None = None

    def __post_init__(self) -> None:
        # an outcome that never happens pays nothing: keep the matrix readable
        object.__setattr__(self, "payments", np.where(self.sampled, self.payments, 0.0))

    @property
    def weights(self) -> np.ndarray:
        """p(k) masked per seller: the probability seller i is sampled (and paid) k times."""
        return np.where(self.sampled, self.p[None, :], 0.0)

    @property
    def expected_payments(self) -> np.ndarray:
        """Σ_k p(k) π_i(k) over the outcomes where seller i is sampled."""
        return np.sum(self.weights * self.payments, axis=1)

    @property
    def expected_counts(self) -> np.ndarray:
        """Expected number of buyers that see seller i's data."""
        return self.weights @ np.arange(self.p.size)

    @property
    def price_per_data_point(self) -> np.ndarray:
        """Per seller: expected payment / expected number of buyers served (NaN if never)."""
        cnt = self.expected_counts
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(cnt > 0, self.expected_payments / np.where(cnt > 0, cnt, 1), np.nan)

    @property
    def total_expected_payment(self) -> float:
        """Σ_i Σ_k p(k) π_i(k) (Section 3)."""
        return float(self.expected_payments.sum())

    @property
    def price(self) -> float:
        """Expected price per seller in a buyer's sample: total / Σ_b d_b (Section 3)."""
        return self.total_expected_payment / float(np.sum(self.demands))

    def seller_values(self, i: int, cost: np.ndarray) -> np.ndarray:
        """Net value X_i(k) = π_i(k) − c_i(k) where sampled, else 0 (Assumption 3.1)."""
        return np.where(self.sampled[i], self.payments[i] - np.asarray(cost, float), 0.0)

    def seller_ce(self, i: int, cost: np.ndarray, u: Utility) -> float:
        """Seller i's certainty equivalent of his outcome, given his *true* cost c_i(0..m)."""
        return float(u.certainty_equivalent(self.seller_values(i, cost), self.p))


# ----------------------------------------------------------------------------- helpers
def sampling_distribution(kind: str | Sequence[float] | np.ndarray, n_sampled: int,
                          demands: Sequence[int] | np.ndarray) -> np.ndarray:
    """p(k) for ``"ordering"`` (ψ*), ``"independent"`` or an explicit vector."""
    d = np.asarray(demands, dtype=np.int64)
    if isinstance(kind, str):
        if kind == "ordering":
            return ordering_distribution(n_sampled, d)
        if kind == "independent":
            return independent_distribution(n_sampled, d)
        raise ValueError(f"unknown distribution {kind!r}")
    p = np.asarray(kind, dtype=float)
    if p.shape != (d.size + 1,):
        raise ValueError(f"p must have length m + 1 = {d.size + 1}")
    return p


def linear_cost_matrix(c: Sequence[float] | np.ndarray, m: int) -> np.ndarray:
    """c_i(k) = c_i·k as an (n, m + 1) matrix (Section 4)."""
    return np.outer(np.asarray(c, dtype=float), np.arange(m + 1))


def thresholds_excluding_self(r_pool: np.ndarray, r_self: np.ndarray, big_pi: float
                              ) -> np.ndarray:
    """r̄_i = argmax_r f_{−i}(r)(Π − r) for every i, where f_{−i} counts ``r_pool`` minus i.

    ``r_pool`` holds r̂_j of every seller that counts (including each i of ``r_self``
    once, which is removed for its own threshold); ``r_self[i]`` is r̂_i, or NaN when seller
    i is not in the pool.  O(n log n): with s the sorted pool and F(t) = #{pool ≤ s_t},
    f_{−i}(s_t) = F(t) − [r̂_i ≤ s_t], so the best t is either the best prefix point below
    r̂_i of F(t)(Π − s_t) or the best suffix point of (F(t) − 1)(Π − s_t).  Ties → smaller r.
    Returns −∞ where the maximum is not positive (a saving Π − r of at most
    :data:`~solver.sampling.tolerances.THRESHOLD_GAIN`·|Π| counts as none).
    """
    s = np.sort(np.asarray(r_pool, dtype=float))
    r_self = np.asarray(r_self, dtype=float)
    out = np.full(r_self.shape, -np.inf)
    if s.size == 0:
        return out
    F = np.searchsorted(s, s, side="right").astype(float)
    g = F * (big_pi - s)
    g2 = (F - 1.0) * (big_pi - s)
    pre_idx = _running_argmax(g)
    suf_idx = g2.size - 1 - _running_argmax(g2[::-1], prefer_last=True)[::-1]
    own = ~np.isnan(r_self)
    cut = np.searchsorted(s, np.where(own, r_self, np.inf), side="left")
    # prefix candidate: best point strictly below r̂_i (everything when i is not in the pool)
    has_pre = cut > 0
    t_pre = pre_idx[np.maximum(cut - 1, 0)]
    v_pre = np.where(has_pre, g[t_pre], 0.0)
    r_pre = np.where(has_pre, s[t_pre], -np.inf)
    # suffix candidate: best point at or above r̂_i, where i himself is counted
    has_suf = own & (cut < s.size)
    t_suf = suf_idx[np.minimum(cut, s.size - 1)]
    v_suf = np.where(has_suf, g2[t_suf], -np.inf)
    take_suf = v_suf > v_pre  # ties go to the prefix point, the smaller r
    best = np.where(take_suf, s[t_suf], r_pre)
    val = np.where(take_suf, v_suf, v_pre)
    # a positive gain needs Π − r̄ > tol·|Π| (relative, so the rule is the same at every scale)
    keep = (val > 0) & (big_pi - best > THRESHOLD_GAIN * abs(big_pi))
    out[keep] = best[keep]
    return out


def _running_argmax(x: np.ndarray, prefer_last: bool = False) -> np.ndarray:
    """Index of the running maximum of x[0..t] (first occurrence, or last if asked)."""
    run_prev = np.concatenate([[-np.inf], np.maximum.accumulate(x)[:-1]])
    new = x >= run_prev if prefer_last else x > run_prev
    new[0] = True
    return np.maximum.accumulate(np.where(new, np.arange(x.size), 0))


def _argmax_first(c: np.ndarray) -> int:
    return int(np.argmax(c))


# ---------------------------------------------------------------------- linear costs
def baseline_linear(reports: Sequence[float] | np.ndarray, demands: Sequence[int] | np.ndarray,
                    p: np.ndarray) -> MechanismResult:
    """Baseline Mechanism for linear costs (Section 4.1).

    Discard ĵ = argmax ĉ_i (lowest index on ties) and pay every other seller c^max per
    buyer that sees his data: π(k) = c^max·k.  ``p`` is the count distribution over the
    n − 1 remaining sellers.  The price is c^max for every p (Lemma 4.2).
    """
    c = np.asarray(reports, dtype=float)
    d = np.asarray(demands, dtype=np.int64)
    p = np.asarray(p, dtype=float)
    n, k = c.size, np.arange(p.size)
    j = _argmax_first(c)
    pi = c[j] * k
    sampled = np.ones((n, p.size), dtype=bool)
    sampled[j] = False
    return MechanismResult("baseline-linear", p, d, pi, np.tile(pi, (n, 1)), sampled,
                           np.zeros(n, bool), np.full(n, np.nan), np.full(n, np.nan), j)


def ce_linear(reports: Sequence[float] | np.ndarray, ce_reports: Sequence[float] | np.ndarray,
              demands: Sequence[int] | np.ndarray, p: np.ndarray, *,
              risk_seeking_variant: bool = False,
              counterfactual_ce: CounterfactualCE | None = None) -> MechanismResult:
    """CE Mechanism for linear costs (Section 4.2), optionally the risk-seeking variation.

    Parameters
    ----------
    reports
        ĉ_i (Step 1).
    ce_reports
        ê_i, seller i's reported certainty equivalent of (p, π^max) (Step 2).
    p
        Count distribution over the n − 1 sellers N' = N ∖ {ĵ}.
    risk_seeking_variant
        Also give ĵ a threshold (proof of Theorem 4.3); needs ``counterfactual_ce``.
    counterfactual_ce
        ``f(payment) -> array`` of every seller's reported CE of (p, payment), used for
        π^max_{−ĵ}(k) = c^max_{−ĵ}·k.

    Notes
    -----
    Step 3: r̂_i = ê_i + ĉ_i w, w = Σ_k k p(k); r̄_i maximises f_{−i}(r)(c^max w − r); if
    r̂_i ≤ r̄_i (see the module docstring) then π_i(k) = r̄_i + ĉ_i(k − w), else c^max·k.
    """
    c = np.asarray(reports, dtype=float)
    e = np.asarray(ce_reports, dtype=float)
    d = np.asarray(demands, dtype=np.int64)
    p = np.asarray(p, dtype=float)
    base = baseline_linear(c, d, p)
    n, k = c.size, np.arange(p.size)
    j = base.excluded
    assert j is not None
    w = float(k @ p)
    big_pi = c[j] * w
    r_hat = e + c * w
    others = np.arange(n) != j
    r_self = np.where(others, r_hat, np.nan)
    thr = thresholds_excluding_self(r_hat[others], r_self, big_pi)
    thr[j] = -np.inf
    if risk_seeking_variant and n >= 2:
        if counterfactual_ce is None:
            raise ValueError("the risk-seeking variation needs counterfactual_ce")
        c_rest = np.where(others, c, -np.inf)
        j2 = _argmax_first(c_rest)
        e_cf = np.asarray(counterfactual_ce(c[j2] * k), dtype=float)
        pool = np.ones(n, bool)
        pool[[j, j2]] = False
        r_cf = e_cf + c * w
        thr[j] = thresholds_excluding_self(r_cf[pool], np.array([np.nan]), c[j2] * w)[0]
    reduced = r_hat <= thr
    if not risk_seeking_variant:
        reduced[j] = False
    pay = base.payments.copy()
    pay[reduced] = thr[reduced, None] + c[reduced, None] * (k[None, :] - w)
    sampled = base.sampled.copy()
    sampled[j] = bool(reduced[j])
    name = "ce-linear-risk-seeking" if risk_seeking_variant else "ce-linear"
    return MechanismResult(name, p, d, base.pi_max, pay, sampled, reduced, thr, r_hat, j)


def truthful_ce_reports_linear(costs: np.ndarray, utilities: Sequence[Utility],
                               reports: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Step 2 reports of truthful sellers: e_i = CE of (c^max − c_i)·k under p.

    ``costs`` are the true c_i, ``reports`` the Step 1 reports (which fix c^max and ĵ).
    The discarded ĵ is never sampled, so his lottery is worth 0 and he reports 0.
    """
    c = np.asarray(costs, dtype=float)
    rep = np.asarray(reports, dtype=float)
    k = np.arange(np.asarray(p).size)
    j = _argmax_first(rep)
    vals = (rep[j] - c)[:, None] * k[None, :]
    vals[j] = 0.0
    return ce_batch(utilities, vals, p)


# --------------------------------------------------------------------- general costs
def unique_max_mask(reports: np.ndarray) -> np.ndarray:
    """K[i, k]: ĉ_i(k) > max_{j≠i} ĉ_j(k) (seller i alone sets π^max(k))."""
    r = np.asarray(reports, dtype=float)
    if r.shape[0] < 2:
        return np.zeros(r.shape, dtype=bool)
    top2 = np.sort(r, axis=0)[-2:]
    return (r == top2[1][None, :]) & (top2[1] > top2[0])[None, :]


def second_max(reports: np.ndarray, i: int) -> np.ndarray:
    """π^max_{−i}(k) = max_{j≠i} ĉ_j(k)."""
    r = np.delete(np.asarray(reports, dtype=float), i, axis=0)
    return r.max(axis=0) if r.size else np.zeros(reports.shape[1])


def baseline_general(reports: np.ndarray, demands: Sequence[int] | np.ndarray,
                     p: np.ndarray) -> MechanismResult:
    """Baseline Mechanism for general costs (Section 5.1).

    ``reports`` is the (n, m + 1) matrix ĉ_i(k) with column 0 equal to 0.  Every seller is
    paid π^max(k) = max_i ĉ_i(k) when sampled k times, except that a seller with
    ĉ_i(k) > max_{j≠i} ĉ_j(k) is not sampled k times (negligible-bias reading: p is the
    count distribution over all n sellers).
    """
    r = np.asarray(reports, dtype=float)
    d = np.asarray(demands, dtype=np.int64)
    p = np.asarray(p, dtype=float)
    n = r.shape[0]
    pi = r.max(axis=0)
    return MechanismResult("baseline-general", p, d, pi, np.tile(pi, (n, 1)),
                           ~unique_max_mask(r), np.zeros(n, bool), np.full(n, np.nan),
                           np.full(n, np.nan), None)


def ce_general(reports: np.ndarray, ce_reports: Sequence[float] | np.ndarray,
               demands: Sequence[int] | np.ndarray, p: np.ndarray,
               counterfactual_ce: CounterfactualCE | None = None) -> MechanismResult:
    """CE Mechanism for general costs with the π^max_{−i} variant (Section 5.2).

    Step 3 for a seller whose reports never set π^max: r̂_j = ê_j + Σ_k p(k) ĉ_j(k),
    f_{−i} over j ≠ i, Π = Σ_k p(k) π^max(k).  For a seller i with ĉ_i(k') > max_{j≠i}
    ĉ_j(k') for some k': the others' CEs for (p, π^max_{−i}) (from ``counterfactual_ce``)
    give r̂'_j and Π_{−i} = Σ p π^max_{−i}.  In both cases the reduced payment is
    π_i(k) = r̄_i + ĉ_i(k) − Σ_k' p(k') ĉ_i(k') (sampled at every k) when r̂_i ≤ r̄_i, and
    otherwise π^max with the Baseline exclusions.
    """
    r = np.asarray(reports, dtype=float)
    e = np.asarray(ce_reports, dtype=float)
    base = baseline_general(r, demands, p)
    n = r.shape[0]
    p = base.p
    mean_c = r @ p
    big_pi = float(p @ base.pi_max)
    r_hat = e + mean_c
    dominant = (~base.sampled).any(axis=1)
    thr = np.full(n, -np.inf)
    plain = ~dominant
    if plain.any():
        thr[plain] = thresholds_excluding_self(r_hat, r_hat[plain], big_pi)
    for i in np.flatnonzero(dominant):
        if counterfactual_ce is None:
            raise ValueError("a seller sets pi_max: the pi_max_{-i} variant needs "
                             "counterfactual_ce")
        pi_i = second_max(r, int(i))
        r_cf = np.asarray(counterfactual_ce(pi_i), dtype=float) + mean_c
        pool = np.ones(n, bool)
        pool[i] = False
        thr[i] = thresholds_excluding_self(r_cf[pool], np.array([np.nan]),
                                           float(p @ pi_i))[0]
    reduced = r_hat <= thr
    pay = base.payments.copy()
    pay[reduced] = thr[reduced, None] + r[reduced] - mean_c[reduced, None]
    sampled = base.sampled.copy()
    sampled[reduced] = True
    return MechanismResult("ce-general", p, base.demands, base.pi_max, pay, sampled, reduced,
                           thr, r_hat, None)


def truthful_ce_reports_general(costs: np.ndarray, utilities: Sequence[Utility],
                                reports: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Step 2 reports of truthful sellers: CE of their Baseline outcome under ``reports``.

    Seller i's lottery pays π^max(k) − c_i(k) where he may be sampled k times and 0 where
    his report alone sets π^max(k) (he is then not sampled k times).
    """
    base = baseline_general(reports, np.zeros(0, np.int64), p)
    vals = np.where(base.sampled, base.pi_max[None, :] - np.asarray(costs, float), 0.0)
    return ce_batch(utilities, vals, p)


def counterfactual_oracle(costs: np.ndarray, utilities: Sequence[Utility], p: np.ndarray
                          ) -> CounterfactualCE:
    """Truthful answers to "your CE for (p, π)": CE_j of π(k) − c_j(k) for every seller j."""
    c = np.asarray(costs, dtype=float)

    def ask(payment: np.ndarray) -> np.ndarray:
        return ce_batch(utilities, np.asarray(payment, float)[None, :] - c, p)
    return ask


def ce_batch(utilities: Sequence[Utility], values: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Row i: CE of seller i (utility ``utilities[i]``) for values[i] under p; grouped calls."""
    vals = np.asarray(values, dtype=float)
    out = np.empty(vals.shape[0])
    groups: dict[int, list[int]] = {}
    keyed: dict[int, Utility] = {}
    for i, u in enumerate(utilities):
        key = hash(u) if u.kind != "custom" else id(u)
        groups.setdefault(key, []).append(i)
        keyed[key] = u
    # rows in blocks of about CE_BLOCK numbers, so a large market needs no n x (m + 1)
    # temporaries beyond the values themselves
    rows = max(1, CE_BLOCK // max(1, vals.shape[-1]))
    for key, idx in groups.items():
        ix = np.asarray(idx)
        for start in range(0, ix.size, rows):
            part = ix[start:start + rows]
            out[part] = keyed[key].certainty_equivalent(vals[part], p)
    return out


# ------------------------------------------------------------------- one-call runner
def run_truthful(mechanism: str, costs: np.ndarray, utilities: Sequence[Utility],
                 demands: Sequence[int] | np.ndarray, distribution: Any = "ordering", *,
                 reports: np.ndarray | None = None,
                 ce_override: dict[int, float] | None = None) -> MechanismResult:
    """Run a mechanism where every seller answers truthfully (except given overrides).

    Parameters
    ----------
    mechanism
        ``"baseline"``, ``"ce"`` or ``"ce-risk-seeking"``.
    costs
        True costs: a vector c_i (linear costs, Section 4) or an (n, m) / (n, m + 1) matrix
        c_i(k) (general costs, Section 5).
    utilities
        One :class:`Utility` per seller.
    distribution
        ``"ordering"``, ``"independent"`` or an explicit p(k).
    reports
        Step 1 reports (default: the true costs).
    ce_override
        Step 2 reports to use instead of the truthful CE (seller index → ê).
    """
    return _prepare(mechanism, costs, utilities, demands, distribution, reports)(ce_override)


def _prepare(mechanism: str, costs: np.ndarray, utilities: Sequence[Utility],
             demands: Sequence[int] | np.ndarray, distribution: Any,
             reports: np.ndarray | None) -> Callable[[dict[int, float] | None],
                                                     MechanismResult]:
    """Everything that depends on Step 1 only; returns ``f(ce_override) -> result``."""
    if mechanism not in ("baseline", "ce", "ce-risk-seeking"):
        raise ValueError(f"unknown mechanism {mechanism!r}")
    d = np.asarray(demands, dtype=np.int64)
    m = d.size
    c = np.asarray(costs, dtype=float)
    rep = c if reports is None else np.asarray(reports, dtype=float)
    linear = c.ndim == 1
    if mechanism == "ce-risk-seeking" and not linear:
        raise ValueError("'ce-risk-seeking' is the linear-cost variation; the general-cost CE "
                         "mechanism already uses the pi_max_{-i} variant ('ce')")
    n = c.shape[0]
    if not linear and c.shape[1] == m:
        c = np.hstack([np.zeros((n, 1)), c])
    if not linear and rep.shape[1] == m:
        rep = np.hstack([np.zeros((n, 1)), rep])
    p = sampling_distribution(distribution, n - 1 if linear else n, d)
    if mechanism == "baseline":
        res = baseline_linear(rep, d, p) if linear else baseline_general(rep, d, p)
        return lambda _over: res
    if linear:
        e0 = truthful_ce_reports_linear(c, utilities, rep, p)
        oracle = counterfactual_oracle(linear_cost_matrix(c, m), utilities, p)
    else:
        e0 = truthful_ce_reports_general(c, utilities, rep, p)
        oracle = counterfactual_oracle(c, utilities, p)
    cache: dict[bytes, np.ndarray] = {}

    def cached(payment: np.ndarray) -> np.ndarray:
        key = np.asarray(payment, float).tobytes()
        if key not in cache:
            cache[key] = oracle(payment)
        return cache[key]

    def run(over: dict[int, float] | None) -> MechanismResult:
        e = e0.copy()
        for i, v in (over or {}).items():
            e[i] = v
        if linear:
            return ce_linear(rep, e, d, p, risk_seeking_variant=mechanism == "ce-risk-seeking",
                             counterfactual_ce=cached)
        return ce_general(rep, e, d, p, cached)
    return run


# ------------------------------------------------------------------ misreport search
@dataclass(frozen=True)
class Deviation:
    """The best misreport found for one seller (certainty equivalents in money units)."""

    seller: int
    truthful_ce: float
    best_ce: float
    best_report: Any
    best_ce_report: float | None
    min_truthful_value: float

    @property
    def gain(self) -> float:
        """best_ce − truthful_ce (≤ 0 up to round-off when truthful reporting is optimal)."""
        if self.best_ce == -np.inf:
            return -np.inf
        return self.best_ce - self.truthful_ce


def best_misreport(mechanism: str, costs: np.ndarray, utilities: Sequence[Utility],
                   demands: Sequence[int] | np.ndarray, seller: int,
                   report_grid: Sequence[Any], ce_grid: Sequence[float] = (),
                   distribution: Any = "ordering") -> Deviation:
    """Exhaustive search over a grid of (ĉ_i, ê_i) for seller ``seller``; others truthful.

    Every other seller reports his true cost and his truthful certainty equivalent for
    the lottery the mechanism actually asks about (recomputed for each deviation, since
    ĉ_i can move π^max).  The seller's utility is compared through his certainty
    equivalent of the outcome under his *true* cost.  ``report_grid`` holds scalars
    (linear costs) or cost rows c(1..m) (general costs); ``ce_grid`` is the set of ê_i
    tried besides the truthful one (ignored by Baseline Mechanisms).

    Returns
    -------
    Deviation
        The best report found and its CE, the truthful CE, and the smallest ex-post net
        value of truthful reporting (ex-post individual rationality is ≥ 0).
    """
    c = np.asarray(costs, dtype=float)
    m = int(np.asarray(demands).size)
    linear = c.ndim == 1
    u = utilities[seller]
    cost_row = c[seller] * np.arange(m + 1) if linear else (
        c[seller] if c.shape[1] == m + 1 else np.concatenate([[0.0], c[seller]]))
    truth = run_truthful(mechanism, c, utilities, demands, distribution)
    t_vals = truth.seller_values(seller, cost_row)
    t_ce = truth.seller_ce(seller, cost_row, u)
    mask = truth.sampled[seller] & (truth.p > 0)
    min_val = float(t_vals[mask].min()) if mask.any() else 0.0
    best = (t_ce, None, None)
    e_options: list[float | None] = [None]
    if mechanism != "baseline":
        e_options += [float(v) for v in ce_grid]
    for rep in report_grid:
        reports = c.copy()
        reports[seller] = rep
        runner = _prepare(mechanism, c, utilities, demands, distribution, reports)
        for e in e_options:
            res = runner(None if e is None else {seller: e})
            ce = res.seller_ce(seller, cost_row, u)
            if ce > best[0]:
                best = (ce, rep, e)
    rep_out = best[1].tolist() if isinstance(best[1], np.ndarray) else best[1]
    return Deviation(seller, t_ce, best[0], rep_out, best[2], min_val)
