"""The ``sharing`` evaluator, shipped algorithms and families of :mod:`solver.bench` [AMMO22].

Everything here calls :mod:`solver.sharing`'s public functions only (its ``__all__``).

The problem [AMMO22, online appendix]: users' types are ``x ~ N(0, Σ)``, a sharer reveals
``x_i`` plus noise of variance ``τ``, and the platform chooses which users share and pays
them; a user's data also leaks information about the others (appendix line 262).  OPT is
the certified optimum of :func:`solver.sharing.solve`: the platform's largest payoff

    U(S) = Σ_i I_i(S) - Σ_{i∈S} p_i,   p_i = v_i (I_i(S) - I_i(S∖i)),

at the minimal prices that make every sharer share [AMMO22, Appendix, Theorem 4 Part 3-2
(line 187) and the proof of Theorem 6 Part 1 (line 266)].  A :class:`SharingInstance` has
no other objective: the surplus ``W(S) = Σ_i (1 - v_i) I_i(S)`` [AMMO22, Appendix,
Proposition B-1] is reported in ``details`` only.  Payoff is maximised: ratio ``OPT/ALG``.

The answer is a sharing profile, in the package's convention (:mod:`solver.sharing`): a 0/1
or boolean vector of length ``n``, user ``i`` being entry ``i``, counting from 0 — **never** a
list of sharer indices.  Sharer indices go in a mapping ``{"sharers": [0, 3]}``; a bare
vector that is not 0/1 of length ``n`` (``[0, 3]``, which looks like indices) is refused
with a violation saying so, never guessed.  Prices are optional: ``{"profile": a, "prices":
p}``, ``{"sharers": [...], "prices": p}`` or a pair ``(profile, prices)`` (one price per
user, a non-sharer's price is offered but never paid).  Without prices the value is
``U(S)`` at the minimal prices, computed by :func:`solver.sharing.outcome`; with prices it is
``Σ_i I_i(S) - Σ_{i∈S} p_i``, and ``S`` must be a user equilibrium under them (user payoff
``a_i p_i - v_i I_i(a)``, line 266): every sharer at least indifferent to withholding,
``p_i >= v_i (I_i(S) - I_i(S∖i))``, and no non-sharer better off sharing,
``p_j <= v_j (I_j(S ∪ j) - I_j(S))``.

A payoff ``U <= 0`` is feasible (nobody sharing earns exactly 0, everyone sharing beyond
Example B-1's threshold loses): its ratio ``OPT/ALG`` is ``inf`` when OPT is positive and 1
when OPT is 0 too (:func:`solver.bench.runner.ratio_interval`).  ``share-none`` is not
shipped: its payoff is identically 0.

Algorithms: ``greedy`` and ``local-search`` (:func:`solver.sharing.greedy`,
:func:`solver.sharing.local_search` on the platform objective, run on ``(Σ/s, τ/s)`` with
``s`` the largest variance so their absolute tie tolerances are relative), ``share-all``
(``a = 1``) and ``low-value`` (exactly the users with ``v_i <= 1``).  Families:
``sharing.random`` (a factor covariance) and ``sharing.example-b1`` [AMMO22, Appendix,
Example B-1], searchable: at ``n = 8, ρ = 0.5, v = 2`` all sharing earns 0.751515 and the
optimum (5 sharers) 0.877976, and as ``v`` rises to the threshold ``v_n* = 1/s_n²`` where
the all-share payoff vanishes (:mod:`solver.sharing.example_b1`) the ratio of ``share-all``
grows without bound, which ``solver worst`` finds from random starts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from scipy.special import expit, logit

from .. import sharing as SH
from ..validate import as_int, as_number
from .interface import (
    SENSE_MAX,
    Evaluation,
    Evaluator,
    Family,
    Opt,
    register_algorithm,
    register_evaluator,
    register_family,
)

__all__ = ["evaluate_sharing"]

#: Relative tolerance of the price checks (participation, no profitable joining), times
#: the instance's payoff scale ``Σ_i (1 + v_i) Σ_ii``.
PRICE_TOL = 1e-9
#: The keys a mapping answer may have.
ANSWER_KEYS = ("profile", "sharers", "prices")
#: Largest ``n`` of ``sharing.random`` (the certified OPT enumerates 2^n profiles twice).
RANDOM_MAX_USERS = 16
#: Bounds of the ``sharing.example-b1`` search space (n small enough for a fast exact OPT;
#: ρ in (0, 1) as in [AMMO22, Example B-1]'s threshold 1/(1-ρ)²).
B1_BOUNDS: dict[str, tuple[float, float]] = {"n": (2, 12), "rho": (0.02, 0.98),
                                             "v": (0.05, 50.0)}
#: Random starts put ``v`` this fraction of the way from 1 to the threshold ``v_n*`` (above
#: ~0.2 the all-share profile is rarely optimal, so the start is off the ratio-1 plateau).
B1_START = (0.2, 0.9)
#: Log-uniform range of a hill-climbing step on ``v`` (log scale) and ``ρ`` (logit scale).
B1_STEP = (1e-4, 0.3)


def _py(x: Any) -> Any:
    """A numpy scalar as the Python number it holds (a grid may hold numpy values)."""
    return x.item() if isinstance(x, np.generic) else x


def _payoff_scale(inst: SH.SharingInstance) -> float:
    """``Σ_i (1 + v_i) Σ_ii``: the largest magnitude a payoff or price sum can reach."""
    return float(np.sum((1.0 + inst.privacy_values) * np.diag(inst.covariance)))


# ============================================================================ evaluator


def _sharing_solve(inst: SH.SharingInstance, time_limit: float | None) -> Opt:
    """The certified OPT: the instance's method if exact, else an exact one (a ``greedy``
    instance would give only an ``approximate`` OPT, which no ratio can use)."""
    method = inst.method
    if method == "greedy":
        method = "exhaustive" if inst.n <= SH.EXHAUSTIVE_MAX_USERS else "branch-and-bound"
    r = SH.solve(inst, time_limit=time_limit, method=method)
    return Opt.of_result(r)


def _mask(raw: Any, n: int) -> tuple[np.ndarray | None, str | None]:
    """A profile vector as a boolean mask, or the reason it is not one."""
    hint = (f"a profile is a 0/1 (or boolean) vector of length n = {n}, one entry per user "
            f"(solver.sharing's convention); give sharer indices as {{'sharers': [...]}}")
    try:
        a = np.asarray(raw)
    except (TypeError, ValueError):
        return None, f"answer: {hint}"
    if a.dtype.kind not in "biuf" or a.ndim != 1 or a.size != n:
        got = f"shape {a.shape}" if a.dtype.kind in "biuf" else f"{type(raw).__name__}"
        return None, f"answer: {hint}; got {got}"
    if a.dtype.kind != "b" and not np.isin(a, (0, 1)).all():
        odd = sorted(set(a[~np.isin(a, (0, 1))].tolist()))
        return None, (f"answer: profile entries must be 0 or 1, got {odd[:5]} (sharer "
                      f"indices? {hint})")
    return a.astype(bool), None


def _sharers(raw: Any, n: int) -> tuple[np.ndarray | None, str | None]:
    """Sharer indices (0-based, in range, distinct) as a boolean mask, or the reason not."""
    try:
        idx = np.asarray(raw)
    except (TypeError, ValueError):
        return None, "sharers: must be a list of user indices"
    if idx.size == 0:
        return np.zeros(n, dtype=bool), None
    if idx.ndim != 1 or idx.dtype.kind not in "iu":
        return None, (f"sharers: must be a flat list of integer user indices 0..{n - 1}, got "
                      f"{idx.tolist() if idx.dtype.kind in 'biuf' else type(raw).__name__} "
                      f"(a 0/1 vector goes in 'profile')")
    bad = sorted({int(i) for i in idx if not 0 <= i < n})
    if bad:
        return None, f"sharers: indices count from 0 and must lie in 0..{n - 1}, got {bad}"
    vals, counts = np.unique(idx, return_counts=True)
    if (counts > 1).any():
        return None, f"sharers: duplicate user indices {vals[counts > 1].tolist()}"
    return SH.mask_from_indices(n, idx.tolist()), None


def _is_vector(x: Any) -> bool:
    """Whether ``x`` is one-dimensional (a profile or a price vector, not a mask entry)."""
    try:
        return bool(np.ndim(x) == 1)
    except ValueError:  # ragged
        return False


def _parse(answer: Any, n: int) -> tuple[np.ndarray | None, np.ndarray | None, list[str]]:
    """``(mask, prices or None, violations)`` of an answer (forms in the module docstring)."""
    prices_raw = None
    if isinstance(answer, Mapping):
        unknown = sorted(str(k) for k in answer if k not in ANSWER_KEYS)
        if unknown:
            return None, None, [f"answer: unknown keys {unknown} (allowed: "
                                f"{', '.join(ANSWER_KEYS)})"]
        if ("profile" in answer) == ("sharers" in answer):
            return None, None, ["answer: give exactly one of 'profile' (a 0/1 vector of "
                                "length n) and 'sharers' (user indices)"]
        prices_raw = answer.get("prices")
        mask, why = (_mask(answer["profile"], n) if "profile" in answer
                     else _sharers(answer["sharers"], n))
    else:
        if isinstance(answer, tuple) and len(answer) == 2 and all(
                _is_vector(part) for part in answer):
            answer, prices_raw = answer
        mask, why = _mask(answer, n)
    if why is not None:
        return None, None, [why]
    if prices_raw is None:
        return mask, None, []
    try:
        prices = np.asarray(prices_raw, dtype=float)
    except (TypeError, ValueError):
        return None, None, ["prices: must be numbers, one per user"]
    if prices.shape != (n,) or not np.all(np.isfinite(prices)):
        return None, None, [f"prices: must be {n} finite numbers, one per user (a "
                            f"non-sharer's is offered, never paid), got shape {prices.shape}"]
    return mask, prices, []


def _price_violations(inst: SH.SharingInstance, mask: np.ndarray, prices: np.ndarray,
                      leak: np.ndarray) -> list[str]:
    """Rules under which ``mask`` is a user equilibrium at ``prices`` [AMMO22, line 266]."""
    sigma, v, tau = inst.covariance, inst.privacy_values, inst.noise_variance
    tol = PRICE_TOL * _payoff_scale(inst)
    bad = []
    own = leak - SH.leakage_without_each(sigma, mask, tau)  # I_i(S) - I_i(S∖i), sharers
    for i in np.flatnonzero(mask):
        need = v[i] * own[i]
        if prices[i] < need - tol:
            bad.append(f"user {i} would withhold: price {prices[i]:.10g} < v_i (I_i(S) - "
                       f"I_i(S∖i)) = {need:.10g} (participation, [AMMO22, Appendix, "
                       f"Theorem 6 Part 1 proof])")
    # joining adds j's own signal to S: I_j(S ∪ j) - I_j(S) = P_jj² / (P_jj + τ), P_jj the
    # posterior variance given S (the own-data update of solver.sharing.leakage)
    post = SH.posterior_variances(sigma, mask, tau)
    gain = v * post * post / (post + tau)
    for j in np.flatnonzero(~mask):
        if prices[j] > gain[j] + tol:
            bad.append(f"user {j} would share: price {prices[j]:.10g} > v_j (I_j(S ∪ j) - "
                       f"I_j(S)) = {gain[j]:.10g}, so S is not a user equilibrium")
    return bad


def evaluate_sharing(inst: SH.SharingInstance, answer: Any) -> Evaluation:
    """The platform's payoff at a sharing profile (and prices), with the market's checks.

    Parameters
    ----------
    inst
        The instance.
    answer
        A 0/1 (or boolean) profile of length ``n``; ``{"profile": ..., "prices": ...}``,
        ``{"sharers": [indices], "prices": ...}`` (prices optional) or ``(profile,
        prices)``.

    Returns
    -------
    Evaluation
        ``value`` = ``U(S)`` at the minimal prices (:func:`solver.sharing.outcome`) or at
        the given prices [AMMO22, Appendix, line 266]; ``details``: ``sharers``, the
        ``prices`` paid and the ``surplus`` ``W(S)`` [AMMO22, Appendix, Proposition B-1].
        Violations: a malformed profile (no value), prices under which ``S`` is not a user
        equilibrium.
    """
    n = inst.n
    mask, prices, bad = _parse(answer, n)
    if mask is None:
        return Evaluation(float("nan"), tuple(bad))
    out = SH.outcome(inst.covariance, inst.privacy_values, mask, inst.noise_variance)
    if prices is None:
        value, paid = float(out["platform_payoff"]), np.asarray(out["prices"], dtype=float)
    else:
        bad += _price_violations(inst, mask, prices, np.asarray(out["leakage"]))
        paid = np.where(mask, prices, 0.0)
        value = float(np.sum(out["leakage"]) - paid.sum())
    return Evaluation(value, tuple(bad), {"sharers": np.flatnonzero(mask).tolist(),
                                          "prices": paid.tolist(),
                                          "surplus": float(out["surplus"])})


# ============================================================================ algorithms


def _unit(inst: SH.SharingInstance) -> tuple[np.ndarray, float]:
    """``(Σ/s, τ/s)``, ``s`` the largest variance: the heuristics' tolerances are absolute."""
    s = float(np.diag(inst.covariance).max())
    s = s if s > 0 else 1.0
    return inst.covariance / s, inst.noise_variance / s


def _greedy(inst: SH.SharingInstance, rng: np.random.Generator) -> np.ndarray:
    """Forward greedy on the platform payoff (:func:`solver.sharing.greedy`)."""
    sigma, tau = _unit(inst)
    return SH.greedy(sigma, SH.platform_objective(inst.privacy_values), tau).profile


def _local_search(inst: SH.SharingInstance, rng: np.random.Generator) -> np.ndarray:
    """1- and 2-flip local search from greedy (:func:`solver.sharing.local_search`)."""
    sigma, tau = _unit(inst)
    return SH.local_search(sigma, SH.platform_objective(inst.privacy_values), tau).profile


def _share_all(inst: SH.SharingInstance, rng: np.random.Generator) -> np.ndarray:
    """Every user shares (``a = 1``, [AMMO22, Appendix, Example B-1])."""
    return np.ones(inst.n, dtype=bool)


def _low_value(inst: SH.SharingInstance, rng: np.random.Generator) -> np.ndarray:
    """Exactly the users with ``v_i <= 1``, who share in every equilibrium [AMMO22,
    Appendix, line 248, the analogue of Lemma 3]."""
    return SH.platform_objective(inst.privacy_values).fix_in_mask()


# ============================================================================ families


def _gen_random(rng: np.random.Generator, n: int, factors: int, v_max: float,
                noise_variance: float) -> SH.SharingInstance:
    """Σ = B Bᵀ + diag(d) (B: n × factors, N(0, 1/factors); d ~ U(0.1, 1)), v ~ U(0, v_max)
    with one random user made low-value (v < 1), so OPT > 0."""
    n = as_int(_py(n), "grid.n", minimum=1, maximum=RANDOM_MAX_USERS)
    k = as_int(_py(factors), "grid.factors", minimum=1)
    v_max = as_number(_py(v_max), "grid.v_max", minimum=0.0, strict_min=True)
    b = rng.normal(0.0, 1.0 / np.sqrt(k), size=(n, k))
    sigma = b @ b.T + np.diag(rng.uniform(0.1, 1.0, size=n))
    v = rng.uniform(0.0, v_max, size=n)
    v[rng.integers(n)] = rng.uniform(0.0, min(1.0, v_max))
    return SH.SharingInstance(covariance=sigma, privacy_values=v,
                              noise_variance=_py(noise_variance))


def _gen_b1(rng: np.random.Generator, n: int, rho: float, v: float) -> SH.SharingInstance:
    """[AMMO22, Appendix, Example B-1]: Σ_ii = 1, Σ_ij = ρ, every v_i = v, unit noise."""
    n = as_int(_py(n), "grid.n", minimum=int(B1_BOUNDS["n"][0]), maximum=int(B1_BOUNDS["n"][1]))
    rho = as_number(_py(rho), "grid.rho", minimum=0.0, maximum=1.0, strict_max=True)
    v = as_number(_py(v), "grid.v", minimum=0.0)
    sigma = (1.0 - rho) * np.eye(n) + rho * np.ones((n, n))
    return SH.SharingInstance(covariance=sigma, privacy_values=np.full(n, v))


def _clip_b1(p: dict[str, Any]) -> dict[str, Any]:
    (n_lo, n_hi), (r_lo, r_hi), (v_lo, v_hi) = (B1_BOUNDS[k] for k in ("n", "rho", "v"))
    return {"n": int(min(n_hi, max(n_lo, round(float(p["n"]))))),
            "rho": float(min(r_hi, max(r_lo, float(p["rho"])))),
            "v": float(min(v_hi, max(v_lo, float(p["v"]))))}


def _b1_neighbour(p: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    """One or two of: ``n`` by ±1 or ±2, ``ρ`` by a step on the logit scale, ``v`` by a
    step on the log scale (steps log-uniform in :data:`B1_STEP`, so moves get fine enough
    to close in on the threshold where the all-share payoff vanishes)."""
    q = dict(p)
    for key in rng.choice(["n", "rho", "v"], size=int(rng.integers(1, 3)), replace=False):
        sign = float(rng.choice([-1.0, 1.0]))
        step = float(np.exp(rng.uniform(*np.log(B1_STEP))))
        if key == "n":
            q["n"] = int(q["n"]) + int(sign) * int(rng.integers(1, 3))
        elif key == "rho":
            q["rho"] = float(expit(logit(float(q["rho"])) + sign * step))
        else:
            q["v"] = float(q["v"]) * float(np.exp(sign * step))
    return _clip_b1(q)


def _b1_random(rng: np.random.Generator) -> dict[str, Any]:
    """A random start with ``1 < v < v_n*`` (:data:`B1_START`), where all sharing still pays
    (``U(1) > 0``, :func:`solver.sharing.example_b1.pairwise_threshold`)."""
    n = int(rng.integers(3, 11))
    rho = float(rng.uniform(0.1, 0.9))
    v_star = float(SH.example_b1.pairwise_threshold(n, rho))
    return _clip_b1({"n": n, "rho": rho, "v": 1.0 + rng.uniform(*B1_START) * (v_star - 1.0)})


# ============================================================================ registration

register_evaluator(Evaluator("sharing", SH.SharingInstance, SENSE_MAX,
                             "platform payoff U (minimal prices unless given)",
                             evaluate_sharing, _sharing_solve))

register_algorithm("greedy", "sharing", _greedy,
                   "forward greedy on the platform payoff (no guarantee)")
register_algorithm("local-search", "sharing", _local_search,
                   "1- and 2-flip local search from greedy (no guarantee)")
register_algorithm("share-all", "sharing", _share_all,
                   "every user shares, a = 1 [AMMO22, Example B-1]")
register_algorithm("low-value", "sharing", _low_value,
                   "exactly the users with v_i <= 1 share [AMMO22, Lemma 3 analogue]")

register_family(Family("sharing.random", "sharing", _gen_random,
                       {"n": 6, "factors": 2, "v_max": 3.0, "noise_variance": 1.0},
                       "random factor covariance B Bᵀ + diag(d), values U(0, v_max) with one "
                       "low-value user; n <= 16"))
register_family(Family("sharing.example-b1", "sharing", _gen_b1,
                       {"n": 8, "rho": 0.5, "v": 2.0},
                       "[AMMO22, Example B-1]: one community, Σ_ij = ρ, equal v; a = 1 is far "
                       "from optimal near v = 1/s_n² (deterministic); searchable",
                       _b1_neighbour, _b1_random))
