"""The ``ironing`` evaluator, shipped algorithms and families of :mod:`solver.bench` [FL12].

**Instance.**  A :class:`solver.ironing.IroningInstance` with ``units`` w and ``players``
n: n i.i.d. costs from F, buy w units [FL12, Section 4, the single-type auction].

**Answers.**  Every answer is a (lottery over) posted prices, or the interim allocation
rule of a BIC mechanism, which the taxation principle turns into one:

* a posted price ``α`` (a number): a player accepts iff ``v <= α`` (ties accept, [FL12,
  Section 3]) and is paid ``α``;
* a randomised posted price ``{"prices": [α⁻, α⁺], "probabilities": [1 - β, β]}``
  [FL12, Section 3.1, "Discrete Cost Distributions"], any number of prices; a price
  ``None`` is "no offer" (Mechanism 1's missing ``α⁻`` when ``w/n < F(c_1)``);
* an allocation rule ``{"allocation": [x_1, ..., x_K]}`` at the atoms of a discrete F, or
  ``{"costs": [z_0 < ... < z_m], "allocation": [x_0, ..., x_m]}`` for any F: the interim
  probability ``x̄(v) = x_j`` of buying from a player of cost ``v ∈ (z_{j-1}, z_j]``
  (``x_0`` below ``z_0``, 0 above ``z_m``), paid by Lemma 4.4 (ii),
  ``E[p(v)] = v x̄(v) + ∫_v^∞ x̄(t) dt`` [FL12, Lemma 4.4].  A non-increasing step rule is
  exactly the lottery offering price ``z_j`` with probability ``x_j - x_{j+1}``, and that is
  how it is evaluated.

**Value.**  The expected total payment, computed here from F and never read from the
answer: ``n Σ_j ω_j z_j F(z_j)`` for prices ``z_j`` offered with probability ``ω_j``
(Section 4.1's ``n(c⁻(α⁻(1-β) + α⁺β) + (c⁺ - c⁻)α⁺β)`` for Mechanism 1), with expected
units ``n Σ_j ω_j F(z_j)``.

**Feasibility checked.**  *Units:* at least w in expectation, within ``UNITS_RTOL``
relative to w.  The paper's rule is equality: Mechanism 1 makes every player accept with
probability exactly ``c = w/n`` and so "buys in expectation w" [FL12, Sections 3.1 and 4];
buying more is accepted (it only costs more: virtual costs are ``>= 0``).  *BIC:* an
allocation rule must be non-increasing [FL12, Lemma 4.4 (i)] with values in [0, 1]; a
lottery's probabilities must be ``>= 0`` and sum to 1.  *IR:* an accepting player is paid
a price at least his cost (posted prices), and Lemma 4.4 (ii) leaves ``∫_v^∞ x̄ >= 0`` of
utility (rules): both hold by construction once the checks above pass.  *Ex-ante bound:*
no BIC mechanism buying ``u`` units in expectation pays less than ``n G(u/n)``, G the
ironed cost curve (derived from [FL12, Appendix A, Lemma A.4's proof]: ``E[p_i] = ∫ h x̄
>= ∫ g x̄ >= G(∫ x̄)``); a value below it (beyond the grid error) is reported, which guards
the evaluator itself.

**OPT: the envy-free benchmark** ``w E[v_(w+1)]`` [FL12, Section 4.1, Lemma 4.1], the
least expected payment of a dominant-strategy truthful, EPIR, envy-free mechanism buying
exactly w units (the uniform (w+1)-th-cost auction attains it), in closed form for discrete
and piecewise-uniform F.  Its status is that of :func:`solver.ironing.solve` on the
instance (which reports it as ``envy_free_benchmark``).  This is the benchmark of
**Theorem 4.3** (Mechanism 1 pays at most twice it, for any non-negative F) and of
**Theorem 4.6** (anti-regular F, where it equals the optimal BIC payment by Lemma 4.5), so
``ALG/OPT <= 2`` for ``mechanism-1`` on every instance, approached by the near-tight
family of ``ironing.three-piece`` (derived sharp form ``1/Pr[Bin(n, w/n) <= w]``).  The
optimal BIC payment of Lemma 4.7 (the package's ``objective``, Theorem 4.8's benchmark)
is *not* used: against it Mechanism 1's ratio is unbounded (only ``2r``, Theorem 4.8;
12.56 on ``data/ironing/near_tight_n100.json``).

**Ratios below 1 are legitimate** [FL12, Section 4]: Mechanism 1 buys w units only in
expectation while the benchmark buys exactly w (uniform F: ratio ``w(n+1)/(n(w+1)) < 1``),
and the optimal BIC mechanism pays at most the benchmark.  The benchmark is therefore not
a lower bound on the answers (the ex-ante bound above is).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import ironing as I
from ..errors import InstanceError
from ..ironing.procurement import expected_min_binomial
from ..tolerances import PROBABILITY_SUM
from .interface import (
    SENSE_MIN,
    Evaluation,
    Evaluator,
    Family,
    Opt,
    register_algorithm,
    register_evaluator,
    register_family,
)

#: Relative tolerance of the units check: expected units >= w (1 - UNITS_RTOL).
UNITS_RTOL = 1e-9
#: Tolerance of an allocation rule's range [0, 1] and monotonicity (probabilities).
ALLOCATION_TOL = 1e-12
#: Relative tolerance (to the payment scale n · largest cost) of the ex-ante bound check.
EX_ANTE_RTOL = 1e-9
#: Smallest mass a ``ironing.three-piece`` piece is given (keeps F strictly increasing).
PIECE_MASS_MIN = 1e-9

NAN = float("nan")


# ============================================================================ evaluation


def _lottery_payment(prices: np.ndarray, accept: np.ndarray, weights: np.ndarray) -> float:
    """Expected payment per player of a lottery over posted prices: ``Σ_j ω_j z_j F(z_j)``.

    An accepting player (``v <= z_j``, probability ``F(z_j)``) is paid the offered price
    [FL12, Section 4.1, the payment of Mechanism 1's extension].
    """
    return float(np.sum(weights * prices * accept))


def _bad(message: str) -> Evaluation:
    return Evaluation(NAN, (f"answer: {message}",))


def _as_vector(raw: Any, name: str) -> np.ndarray | str:
    """A finite 1-D float vector, or the text of what is wrong with it."""
    try:
        v = np.asarray(raw, dtype=float)
    except (TypeError, ValueError):
        return f"{name} must be a list of numbers"
    if v.ndim != 1 or v.size == 0:
        return f"{name} must be a non-empty list of numbers, got shape {v.shape}"
    if not np.all(np.isfinite(v)):
        return f"{name} has a non-finite entry"
    return v


def _parse_lottery(inst: I.IroningInstance, answer: Any
                   ) -> tuple[np.ndarray, np.ndarray, list[str], str] | Evaluation:
    """``(prices, weights, violations, kind)`` of an answer (module docstring), or the
    :class:`Evaluation` of a malformed one.  "No offer" prices are dropped (never
    accepted, never paid)."""
    if isinstance(answer, (bool, np.bool_)):
        return _bad("a posted price must be a number, not a bool")
    if isinstance(answer, (int, float, np.integer, np.floating)):
        a = float(answer)
        if not math.isfinite(a):
            return _bad(f"a posted price must be finite, got {a!r}")
        return np.array([a]), np.array([1.0]), [], "posted price"
    if not isinstance(answer, Mapping):
        return _bad("must be a posted price, {'prices', 'probabilities'} or "
                    "{'allocation'[, 'costs']}")
    if "allocation" in answer:
        return _parse_rule(inst, answer)
    if "prices" not in answer or "probabilities" not in answer:
        return _bad("a randomised posted price needs 'prices' and 'probabilities'")
    raw = answer["prices"]
    if not isinstance(raw, (list, tuple, np.ndarray)) or len(raw) == 0:
        return _bad("'prices' must be a non-empty list (None: no offer)")
    offered = [p is not None for p in raw]
    prices = _as_vector([0.0 if p is None else p for p in raw], "'prices'")
    if isinstance(prices, str):
        return _bad(prices)
    probs = _as_vector(answer["probabilities"], "'probabilities'")
    if isinstance(probs, str):
        return _bad(probs)
    if probs.size != prices.size:
        return _bad(f"'probabilities' needs one entry per price ({prices.size}), got "
                    f"{probs.size}")
    bad = []
    if probs.min() < -PROBABILITY_SUM:
        bad.append(f"probability {probs.min():.3g} < 0 (price {int(np.argmin(probs))})")
    if abs(probs.sum() - 1.0) > PROBABILITY_SUM * probs.size:
        bad.append(f"probabilities sum to {probs.sum():.12g}, not 1")
    keep = np.array(offered)
    return prices[keep], probs[keep], bad, "randomised posted price"


def _parse_rule(inst: I.IroningInstance, answer: Mapping[str, Any]
                ) -> tuple[np.ndarray, np.ndarray, list[str], str] | Evaluation:
    """An allocation rule as its lottery: price ``z_j`` with probability ``x_j - x_{j+1}``."""
    x = _as_vector(answer["allocation"], "'allocation'")
    if isinstance(x, str):
        return _bad(x)
    if answer.get("costs") is None:
        if not isinstance(inst.dist, I.Discrete):
            return _bad("an allocation rule of a continuous F needs its 'costs' grid")
        z: np.ndarray | str = np.asarray(inst.dist.values, dtype=float)
    else:
        z = _as_vector(answer["costs"], "'costs'")
    if isinstance(z, str):
        return _bad(z)
    if z.size != x.size:
        return _bad(f"'allocation' needs one entry per cost ({z.size}; the atoms when "
                    f"'costs' is omitted), got {x.size}")
    if np.any(np.diff(z) <= 0):
        i = int(np.flatnonzero(np.diff(z) <= 0)[0]) + 1
        return _bad(f"'costs' must be strictly increasing (costs[{i}] = {z[i]!r})")
    bad = []
    if x.min() < -ALLOCATION_TOL or x.max() > 1 + ALLOCATION_TOL:
        bad.append(f"allocation must lie in [0, 1], got [{x.min():.6g}, {x.max():.6g}]")
    rise = np.flatnonzero(np.diff(x) > ALLOCATION_TOL)
    if rise.size:
        j = int(rise[0])
        bad.append(f"not BIC: the allocation rises from {x[j]:.6g} to {x[j + 1]:.6g} at "
                   f"cost {z[j + 1]:.6g} (it must be non-increasing, [FL12, Lemma 4.4 (i)])")
    weights = x - np.append(x[1:], 0.0)
    return z, weights, bad, "allocation rule"


def _players_units(inst: I.IroningInstance) -> tuple[int, int]:
    """``(n, w)``; an instance without them is an InstanceError on ``units``."""
    if inst.units is None or inst.players is None:
        raise InstanceError("units", "the ironing benchmark needs units and players (w < n)")
    return int(inst.players), int(inst.units)


def _ironed(inst: I.IroningInstance) -> tuple[I.IronedCurve, float]:
    """The ironed cost curve on the instance's grid, and its grid error bound."""
    top = float(inst.dist.support[1])
    cc = inst.dist.cost_curve(inst.grid_tol * (top if top > 0 else 1.0))
    return I.iron_curve(cc.q, cc.H), float(cc.error_bound)


def evaluate_ironing(inst: I.IroningInstance, answer: Any) -> Evaluation:
    """Expected total payment of a (randomised) posted price or BIC allocation rule.

    Parameters
    ----------
    inst
        An instance with ``units`` and ``players``.
    answer
        A posted price, ``{"prices": [...], "probabilities": [...]}`` or
        ``{"allocation": [...], "costs": [...]}`` (module docstring).

    Returns
    -------
    Evaluation
        ``value`` = ``n Σ_j ω_j z_j F(z_j)`` [FL12, Section 4.1; Lemma 4.4 (ii) for rules];
        violations: fewer than w units in expectation, a lottery that is not one, a rule
        that is not BIC or not in [0, 1], a value below the ex-ante bound; ``details``:
        ``kind``, ``expected_units``, ``acceptance`` (per player) and ``ex_ante_bound``.
    """
    if inst.units is None or inst.players is None:
        return Evaluation(NAN, ("instance: the ironing benchmark needs units and players",))
    n, w = _players_units(inst)
    parsed = _parse_lottery(inst, answer)
    if isinstance(parsed, Evaluation):
        return parsed
    prices, weights, bad, kind = parsed
    accept = np.asarray(inst.dist.cdf(prices), dtype=float)
    acceptance = float(np.sum(weights * accept))
    units = n * acceptance
    value = n * _lottery_payment(prices, accept, weights)
    if units < w * (1.0 - UNITS_RTOL):
        bad.append(f"buys {units:.12g} units in expectation, fewer than w = {w} (every "
                   f"player must accept with probability w/n = {w / n:.6g} [FL12, Sections "
                   f"3.1 and 4])")
    details: dict[str, Any] = {"kind": kind, "expected_units": units,
                               "acceptance": acceptance}
    if not bad:
        curve, err = _ironed(inst)
        bound = n * float(curve.G_at(min(1.0, acceptance)))
        details["ex_ante_bound"] = bound
        scale = n * max(abs(float(inst.dist.support[1])), abs(value))
        if value < bound - n * err - EX_ANTE_RTOL * scale:
            bad.append(f"value {value:.12g} is below the ex-ante bound n G(u/n) = "
                       f"{bound:.12g}: no BIC mechanism buying u = {units:.6g} units in "
                       f"expectation pays less [FL12, Appendix A]")
    return Evaluation(value, tuple(bad), details)


def _ironing_solve(inst: I.IroningInstance, time_limit: float | None) -> Opt:
    """The envy-free benchmark ``w E[v_(w+1)]`` [FL12, Lemma 4.1], with the status of
    :func:`solver.ironing.solve` on ``inst``."""
    _players_units(inst)
    d = I.solve(inst, time_limit=time_limit).to_dict()
    ef = d.get("envy_free_benchmark")
    ef = NAN if ef is None else float(ef)
    if ef == 0.0:
        raise InstanceError("values", "every cost is 0: the envy-free benchmark is 0 and no "
                                      "ratio is defined")
    return Opt(str(d.get("status")), ef, ef,
               f"{d.get('backend', '')}; envy-free benchmark w E[v_(w+1)] [FL12, Lemma 4.1]")


# ============================================================================ algorithms


def _mechanism_1(inst: I.IroningInstance, rng: np.random.Generator) -> Any:
    """Mechanism 1 at ``c = w/n`` with the Section 3.1 extension for atoms [FL12].

    Posts ``α = F^{-1}(w/n)``; when no ``α`` has ``F(α) = w/n``, offers ``α⁺`` with
    probability ``β = (w/n - c⁻)/(c⁺ - c⁻)`` and ``α⁻`` otherwise
    (:func:`solver.ironing.contract`).
    """
    n, w = _players_units(inst)
    k = I.contract(inst.dist, w / n)
    if k.beta == 1.0 and k.alpha_minus == k.alpha_plus:
        return float(k.alpha_plus)
    return {"prices": [k.alpha_minus, k.alpha_plus], "probabilities": [1.0 - k.beta, k.beta]}


def _deterministic_price(inst: I.IroningInstance, rng: np.random.Generator) -> float:
    """Baseline: the smallest posted price buying at least w in expectation (``α⁺``: Mechanism
    1 without the Section 3.1 randomisation; the same for continuous F)."""
    n, w = _players_units(inst)
    return float(I.contract(inst.dist, w / n).alpha_plus)


def _optimal_bic(inst: I.IroningInstance, rng: np.random.Generator) -> dict[str, Any]:
    """The optimal BIC mechanism [FL12, Lemma 4.7] as its interim allocation rule.

    Buying the w smallest ironed virtual costs with uniform ties gives a player in the
    ironed block (hull edge) ``(q_a, q_b]`` the interim probability
    ``(M(q_b) - M(q_a)) / (n (q_b - q_a))``; on the instance's quantile grid (the atoms for
    discrete F), paid by Lemma 4.4 (ii), its value is the package's optimal payment.
    """
    n, w = _players_units(inst)
    curve, _ = _ironed(inst)
    q, hull = curve.q, curve.hull
    M = expected_min_binomial(n, w, q[hull])  # the package's own (procurement.py)
    per_edge = np.diff(M) / (n * np.diff(q[hull]))
    x = np.repeat(per_edge, np.diff(hull))  # one value per cell (q_{k-1}, q_k]
    x = np.minimum.accumulate(np.clip(x, 0.0, 1.0))  # rounding only: already monotone
    if isinstance(inst.dist, I.Discrete):
        return {"allocation": x.tolist()}
    costs = np.asarray(inst.dist.ppf(q[1:]), dtype=float)
    _, first = np.unique(costs, return_index=True)  # a cell of zero cost width is empty
    return {"costs": costs[first].tolist(), "allocation": x[first].tolist()}


# ============================================================================ families


def _gen_discrete_random(rng: np.random.Generator, atoms_max: int,
                         players_max: int) -> I.IroningInstance:
    """K in 2..atoms_max distinct atoms on the 0.01 grid of [0, 10), Dirichlet(0.7)
    probabilities (floored at 1e-9), n in 2..players_max, w in 1..n-1."""
    a_max = _bounded_int(atoms_max, "atoms_max", 2, 1000)
    n_max = _bounded_int(players_max, "players_max", 2, 10**6)
    K = int(rng.integers(2, a_max + 1))
    values = np.sort(rng.choice(1000, K, replace=False)) / 100.0
    p = rng.dirichlet(np.full(K, 0.7))
    p = np.maximum(p, PIECE_MASS_MIN)
    n = int(rng.integers(2, n_max + 1))
    w = int(rng.integers(1, n))
    return I.IroningInstance(values=values, probabilities=p / p.sum(), units=w, players=n)


def _bounded_int(v: Any, name: str, lo: int, hi: int) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer, float)) or v != int(v):
        raise InstanceError(f"grid.{name}", f"must be an integer, got {v!r}")
    if not lo <= int(v) <= hi:
        raise InstanceError(f"grid.{name}", f"must be in {lo}..{hi}, got {int(v)}")
    return int(v)


#: The ``ironing.three-piece`` search space: players (an integer), ``rate`` (w/n), ``below``
#: (a multiple of w/n) and the base-10 logarithms of the middle piece's mass and of the
#: outer pieces' widths.
THREE_PIECE_BOUNDS: dict[str, tuple[float, float]] = {
    "players": (2, 200), "rate": (0.005, 0.995), "below": (0.05, 2.0),
    "gap_mass": (-9.0, -0.5), "low_width": (-9.0, -0.3), "high_width": (-9.0, 1.0)}
_INTEGER = ("players",)


def _three_piece_units(players: int, rate: float) -> int:
    """``w = round(rate · n)``, kept in ``1..n-1``."""
    return int(min(players - 1, max(1, round(rate * players))))


def _gen_three_piece(rng: np.random.Generator, players: int, rate: float, below: float,
                     gap_mass: float, low_width: float, high_width: float
                     ) -> I.IroningInstance:
    """Theorem 4.3's extremal shape: uniform pieces ``[0, a]``, ``[a, 1]``, ``[1, 1 + b]``.

    ``n = players``, ``w = round(rate · n)`` (in ``1..n-1``), ``a = 10^low_width``,
    ``b = 10^high_width``; the mass up to cost 1 is ``below · w/n`` (capped below 1), of
    which ``10^gap_mass`` (at most half) sits on the middle piece.  ``players=100, rate=0.5,
    below=1, gap_mass=-6, low_width=-6, high_width=-6`` is
    ``data/ironing/near_tight_n100.json`` (notes Section 5.1: ratio 1.85254).
    """
    vals = {"players": players, "rate": rate, "below": below, "gap_mass": gap_mass,
            "low_width": low_width, "high_width": high_width}
    for key, (lo, hi) in THREE_PIECE_BOUNDS.items():
        v = vals[key]
        if key in _INTEGER:
            vals[key] = _bounded_int(v, key, int(lo), int(hi))
        elif (isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating))
              or not lo <= float(v) <= hi):
            raise InstanceError(f"grid.{key}", f"must be a number in [{lo}, {hi}], got {v!r}")
    n = int(vals["players"])
    w = _three_piece_units(n, float(vals["rate"]))
    s = min(float(vals["below"]) * w / n, 1.0 - PIECE_MASS_MIN)
    m2 = min(10.0 ** float(vals["gap_mass"]), 0.5 * s)
    breaks = [0.0, 10.0 ** float(vals["low_width"]), 1.0,
              1.0 + 10.0 ** float(vals["high_width"])]
    return I.IroningInstance(piecewise_uniform={"breaks": breaks,
                                                "masses": [s - m2, m2, 1.0 - s]},
                             units=w, players=n)


def _clip_three_piece(p: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, (lo, hi) in THREE_PIECE_BOUNDS.items():
        v = min(hi, max(lo, float(p[key])))
        out[key] = int(round(v)) if key in _INTEGER else v
    return out


def _three_piece_neighbour(p: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    """A local move on one parameter (one time in four two), each by a log-uniform step:
    ``players`` by 1 up to its value, ``rate`` and ``below`` by 1e-4 up to 0.3, the
    logarithms by 0.01 up to 2."""
    q = dict(p)
    size = 1 if rng.random() < 0.75 else 2
    for key in rng.choice(list(THREE_PIECE_BOUNDS), size=size, replace=False):
        if key in _INTEGER:
            step = float(np.exp(rng.uniform(0.0, np.log(max(2.0, abs(q[key]))))))
        elif key in ("rate", "below"):
            step = float(10.0 ** rng.uniform(-4.0, np.log10(0.3)))
        else:
            step = float(10.0 ** rng.uniform(-2.0, np.log10(2.0)))
        q[key] = q[key] + rng.choice([-1, 1]) * step
    return _clip_three_piece(q)


def _three_piece_random(rng: np.random.Generator) -> dict[str, Any]:
    """A random restart: every parameter uniform in its range."""
    p = {k: float(rng.uniform(lo, hi)) for k, (lo, hi) in THREE_PIECE_BOUNDS.items()}
    return _clip_three_piece(p)


# ============================================================================ registration

register_evaluator(Evaluator("ironing", I.IroningInstance, SENSE_MIN,
                             "expected total payment for w units (against the envy-free "
                             "benchmark w E[v_(w+1)])", evaluate_ironing, _ironing_solve,
                             opt_bounds_answers=False))

register_algorithm("mechanism-1", "ironing", _mechanism_1,
                   "Mechanism 1's posted price F^-1(w/n), randomised at atoms [FL12, "
                   "Section 3.1]")
register_algorithm("deterministic-price", "ironing", _deterministic_price,
                   "the smallest posted price buying w in expectation (no randomisation)")
register_algorithm("optimal-bic", "ironing", _optimal_bic,
                   "the optimal BIC mechanism as an allocation rule [FL12, Lemma 4.7]")

register_family(Family("ironing.discrete-random", "ironing", _gen_discrete_random,
                       {"atoms_max": 6, "players_max": 40},
                       "random atoms (2..atoms_max on [0, 10)) with Dirichlet probabilities, "
                       "n in 2..players_max, w in 1..n-1"))
register_family(Family("ironing.three-piece", "ironing", _gen_three_piece,
                       {"players": 20, "rate": 0.3, "below": 0.8, "gap_mass": -1.0,
                        "low_width": -1.0, "high_width": -1.0},
                       "[FL12, Theorem 4.3]'s near-tight shape: uniform pieces [0, a], [a, 1], "
                       "[1, 1+b], mass below·w/n up to cost 1; searchable",
                       _three_piece_neighbour, _three_piece_random))
