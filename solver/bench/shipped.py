"""The evaluators, shipped algorithms and public families of :mod:`solver.bench`.

Everything here calls the problem packages' public functions only (their ``__all__``).

``sampling`` [GAH12]: the answer is a count distribution ``p(0..m)`` (``p[k]`` the
probability that a given seller is sampled by ``k`` buyers), or a mapping with key ``"p"``.
Its value is Π = Σ_k p(k) π(k) [GAH12, Section 5.1] (a payment: ratio ALG/OPT).  Checked:
a probability vector of length m + 1, and unbiasedness — every unbiased ψ has mean count
Σ_b d_b / n [GAH12, Lemma 4.2] — and, once OPT is known, not below the certified Π^OPT (a
cheaper ``p`` is realised by no unbiased ψ).

``pricing`` [CCK25]: the answer is a pricing curve ``q(0..N)`` (ordered-item pricing,
[CCK25, eq. (4)-(5)]: the buyers' own choices make it individually rational and envy-free
by construction) or a pair ``(sizes, prices)`` (one size and price per buyer), checked for
individual rationality and envy-freeness [CCK25, Section 2.1].  Its value is the revenue
(ratio OPT/ALG).  Revenue instances only (no ``costs``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import pricing as P
from .. import sampling as S
from ..tolerances import PROBABILITY_SUM
from .interface import (
    SENSE_MAX,
    SENSE_MIN,
    Evaluation,
    Evaluator,
    Family,
    Opt,
    register_algorithm,
    register_evaluator,
    register_family,
)

#: Relative tolerance of the unbiasedness check: |mean count - D/n| <= this * max(1, D/n).
MEAN_COUNT_TOL = 1e-7
#: Relative tolerance of the "not better than the certified OPT" check.
OPT_TOL = 1e-7
#: Relative tolerance of the IR / EF check of a (sizes, prices) pricing answer.
EF_TOL = 1e-9


# ============================================================================ sampling


def _sampling_solve(inst: S.SamplingInstance, time_limit: float | None) -> Opt:
    return Opt.of_result(S.solve(inst, time_limit=time_limit))


def evaluate_sampling(inst: S.SamplingInstance, answer: Any) -> Evaluation:
    """Π(p) of a count distribution, with its probability and unbiasedness checks.

    Parameters
    ----------
    inst
        The instance.
    answer
        ``p(0..m)`` or a mapping with key ``"p"``.

    Returns
    -------
    Evaluation
        ``value`` = Σ_k p(k) π(k) [GAH12, Section 5.1]; ``details``: ``mean_count``.
    """
    if isinstance(answer, Mapping):
        answer = answer.get("p")
    m = int(inst.demands.size)
    try:
        p = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return Evaluation(float("nan"), ("answer: must be a count distribution p(0..m)",))
    if p.ndim != 1 or p.size != m + 1:
        return Evaluation(float("nan"), (f"answer: p must have length m + 1 = {m + 1} "
                                         f"(p[k], k = 0..m), got shape {p.shape}",))
    if not np.all(np.isfinite(p)):
        return Evaluation(float("nan"), ("answer: p has a non-finite entry",))
    bad: list[str] = []
    if p.min() < -PROBABILITY_SUM:
        bad.append(f"p(k) >= 0 fails at k = {int(np.argmin(p))} ({p.min():.3g})")
    if abs(p.sum() - 1.0) > PROBABILITY_SUM * max(1, m):
        bad.append(f"sum of p is {p.sum():.12g}, not 1")
    target = float(inst.demands.sum()) / inst.sellers
    mc = float(S.mean_count(p))
    if abs(mc - target) > MEAN_COUNT_TOL * max(1.0, target):
        bad.append(f"biased: mean count {mc:.12g} != sum(d)/n = {target:.12g} "
                   f"[GAH12, Lemma 4.2]")
    value = float(S.expected_payment(p, np.asarray(inst.payment, dtype=float)))
    return Evaluation(value, tuple(bad), {"mean_count": mc})


def _ordering(inst: S.SamplingInstance, rng: np.random.Generator) -> np.ndarray:
    """The ordering distribution ψ* [GAH12, Section 4.3]."""
    return S.ordering_distribution(inst.sellers, inst.demands)


def _independent(inst: S.SamplingInstance, rng: np.random.Generator) -> np.ndarray:
    """Independent uniform samples [GAH12, Section 4.3]."""
    return S.independent_distribution(inst.sellers, inst.demands)


def _sampling_instance(n: int, demands: Any, payment: Any) -> S.SamplingInstance:
    return S.SamplingInstance(sellers=int(n), demands=np.asarray(demands),
                              payment=np.asarray(payment, dtype=float))


def _gen_sampling_random(rng: np.random.Generator, n_max: int, m_max: int,
                         style: str | None) -> S.SamplingInstance:
    return _sampling_instance(*S.random_instance(rng, n_max=n_max, m_max=m_max, style=style))


def _gen_theorem_5_1(rng: np.random.Generator, n: int) -> S.SamplingInstance:
    return _sampling_instance(*S.theorem_5_1_instance(n))


#: Bounds of the ``sampling.step-max`` search space (m <= the sampling MAX_BUYERS).
STEP_MAX_BOUNDS = {"n": (2, 30), "big": (1, 30), "n_big": (1, 5), "singles": (0, 900),
                   "threshold": (1, 30)}


def _gen_step_max(rng: np.random.Generator, n: int, big: int, n_big: int, singles: int,
                  threshold: int) -> S.SamplingInstance:
    """Theorem 5.1's setting: concave costs, π the max of c(k) = t·[k >= 1] and c(k) = k."""
    n = int(n)
    demands = np.array([min(int(big), n)] * int(n_big) + [1] * int(singles), dtype=np.int64)
    k = np.arange(demands.size + 1, dtype=float)
    payment = np.maximum(k, float(threshold))
    payment[0] = 0.0
    return _sampling_instance(n, demands, payment)


def _clip_step_max(p: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, (lo, hi) in STEP_MAX_BOUNDS.items():
        out[key] = int(min(hi, max(lo, round(p[key]))))
    out["big"] = min(out["big"], out["n"])
    out["threshold"] = min(out["threshold"], out["n_big"] + out["singles"])
    return out


def _step_max_neighbour(p: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    """A local move: one or two parameters by a log-uniform step (1 up to the value), or,
    one time in three, the whole instance rescaled (n, big, threshold by f, singles by f²)."""
    q = dict(p)
    if rng.random() < 1 / 3:
        f = float(np.exp(rng.uniform(-0.3, 0.3)))
        for key in ("n", "big", "threshold"):
            q[key] = q[key] * f
        q["singles"] = q["singles"] * f * f
        return _clip_step_max(q)
    keys = rng.choice(list(STEP_MAX_BOUNDS), size=int(rng.integers(1, 3)), replace=False)
    for key in keys:
        step = float(np.exp(rng.uniform(0.0, np.log(max(2.0, abs(q[key]))))))
        q[key] = q[key] + rng.choice([-1, 1]) * step
    return _clip_step_max(q)


def _step_max_random(rng: np.random.Generator) -> dict[str, Any]:
    return _clip_step_max({k: rng.integers(lo, max(lo + 1, hi // 3) + 1)
                           for k, (lo, hi) in STEP_MAX_BOUNDS.items()})


# ============================================================================ pricing


def _pricing_solve(inst: P.PricingInstance, time_limit: float | None) -> Opt:
    return Opt.of_result(P.solve(inst, time_limit=time_limit))


def evaluate_pricing(inst: P.PricingInstance, answer: Any) -> Evaluation:
    """Revenue of a pricing curve or of a (sizes, prices) scheme, with IR/EF checks.

    Parameters
    ----------
    inst
        A revenue instance (no ``costs``).
    answer
        A curve ``q(0..N)`` (length N + 1) or ``(sizes, prices)`` (one per buyer).

    Returns
    -------
    Evaluation
        ``value`` = revenue [CCK25, eq. (5)]; ``details``: the buyers' ``sizes``.
    """
    V = inst.V
    if inst.costs is not None:
        return Evaluation(float("nan"), ("instance: profit instances (costs) are not "
                                         "benchmarked; use a revenue instance",))
    if isinstance(answer, Mapping):
        answer = answer.get("curve", (answer.get("sizes"), answer.get("prices")))
    if isinstance(answer, tuple) and len(answer) == 2:
        try:
            sizes = np.asarray(answer[0], dtype=int)
            prices = np.asarray(answer[1], dtype=float)
        except (TypeError, ValueError):
            return Evaluation(float("nan"), ("answer: (sizes, prices) must be numbers",))
        B, N1 = V.shape
        if sizes.shape != (B,) or prices.shape != (B,):
            return Evaluation(float("nan"), (f"answer: sizes and prices need one entry per "
                                             f"buyer ({B})",))
        if sizes.min() < 0 or sizes.max() >= N1 or not np.all(np.isfinite(prices)):
            return Evaluation(float("nan"), (f"answer: sizes must be in 0..{N1 - 1} and "
                                             f"prices finite",))
        bad: tuple[str, ...] = ()
        if not P.is_envy_free(V, sizes, prices, tol=EF_TOL * max(1.0, float(np.abs(V).max()))):
            bad = ("not individually rational / envy-free [CCK25, Section 2.1]",)
        return Evaluation(float(prices.sum()), bad, {"sizes": sizes.tolist()})
    try:
        q = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return Evaluation(float("nan"), ("answer: must be a curve q(0..N) or (sizes, prices)",))
    if q.ndim != 1 or q.size != V.shape[1]:
        return Evaluation(float("nan"), (f"answer: a curve q(0..N) has length N + 1 = "
                                         f"{V.shape[1]} (q[0] the price of nothing), got "
                                         f"shape {q.shape}",))
    if not np.all(np.isfinite(q)):
        return Evaluation(float("nan"), ("answer: the curve has a non-finite price",))
    bad = () if q[0] <= 0 else (f"q(0) = {q[0]:.6g}: buying nothing must be free (IR)",)
    sizes = P.purchases(V, q)
    return Evaluation(float(P.curve_revenue(V, q)), bad, {"sizes": sizes.tolist()})


def _local_search(inst: P.PricingInstance, rng: np.random.Generator) -> np.ndarray:
    """Coordinate ascent on the curve (:func:`solver.pricing.local_search`)."""
    return P.local_search(inst.V)


def _grid_dp(inst: P.PricingInstance, rng: np.random.Generator) -> np.ndarray:
    """Price-grid ε DP, ε = 0.05 (:func:`solver.pricing.grid_dp`)."""
    return P.grid_dp(inst.V)


def _k_types(inst: P.PricingInstance, rng: np.random.Generator) -> np.ndarray:
    """K-types enumeration, ε = 0.05 [CCK25, Table 1]."""
    return P.k_types_enumeration(inst.V)


def _single_price(inst: P.PricingInstance, rng: np.random.Generator) -> np.ndarray:
    """The best single posted price for the whole dataset."""
    return P.single_price_revenue(inst.V)[1]


def _gen_pricing_random(rng: np.random.Generator, B: int, N: int,
                        kind: str) -> P.PricingInstance:
    V = P.random_valuations(rng, int(B), int(N), kind=str(kind))
    return P.PricingInstance(valuations=V[:, 1:], supply=int(N))


# ============================================================================ registration

register_evaluator(Evaluator("sampling", S.SamplingInstance, SENSE_MIN,
                             "expected payment per seller Π", evaluate_sampling,
                             _sampling_solve))
register_evaluator(Evaluator("pricing", P.PricingInstance, SENSE_MAX, "revenue",
                             evaluate_pricing, _pricing_solve))

register_algorithm("ordering", "sampling", _ordering, "the ordering distribution ψ* [GAH12]")
register_algorithm("independent", "sampling", _independent,
                   "independent uniform samples [GAH12, Section 4.3]")
register_algorithm("local-search", "pricing", _local_search, "coordinate ascent on the curve")
register_algorithm("grid-dp", "pricing", _grid_dp, "price-grid ε DP, ε = 0.05")
register_algorithm("k-types", "pricing", _k_types, "K-types enumeration [CCK25, Table 1]")
register_algorithm("single-price", "pricing", _single_price, "best single posted price")

register_family(Family("sampling.random", "sampling", _gen_sampling_random,
                       {"n_max": 5, "m_max": 5, "style": None},
                       "small random instances: n in 1..n_max, m in 1..m_max, a random "
                       "payment style"))
register_family(Family("sampling.theorem-5.1", "sampling", _gen_theorem_5_1, {"n": 5},
                       "instance B of [GAH12, Theorem 5.1]: one buyer wants n, n² + n want "
                       "one (deterministic)"))
register_family(Family("sampling.step-max", "sampling", _gen_step_max,
                       {"n": 5, "big": 5, "n_big": 1, "singles": 30, "threshold": 5},
                       "[GAH12, Theorem 5.1]'s setting: n_big buyers want `big`, `singles` "
                       "want one, π(k) = max(k, threshold) (max of concave costs); searchable",
                       _step_max_neighbour, _step_max_random))
register_family(Family("pricing.random", "pricing", _gen_pricing_random,
                       {"B": 5, "N": 6, "kind": "uniform"},
                       "B buyers, N data points, valuations of solver.pricing."
                       "random_valuations (kind uniform, coarse, estimation, types2)"))

# The other problems' evaluators, algorithms and families (each in its own module).
from . import shipped_ironing, shipped_privacy, shipped_sharing  # noqa: E402,F401
