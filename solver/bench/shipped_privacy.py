"""The ``privacy`` evaluator, shipped algorithms and families of :mod:`solver.bench` [CCKMV13].

**Instance.**  A :class:`solver.privacy.PrivateMechanismLPInstance`: ``n`` players, a type
set ``Θ`` (the rows of ``utility``), outcomes ``O`` (its columns), ε and the privacy-bound
function ``F`` of Assumption 3.1 [CCKMV13, Section 3].

**Answer.**  A mechanism as its table of outcome distributions: a matrix
``P[s, o] = Pr[M(θ^s) = o]`` with one row per **profile** ``θ^s ∈ Θ^n`` and one column per
outcome, the profiles in the order of ``itertools.product(range(|Θ|), repeat=n)`` (player
0 most significant; :func:`profiles` lists them), whatever the instance's ``mode`` (both
modes have the same optimum), or a mapping with key ``"mechanism"``.

**Value.**  The expected welfare loss against the non-private optimum under uniform
profiles,

    L(P) = |Θ|^-n Σ_s Σ_o P[s, o] (max_o' W(s, o') - W(s, o)),   W(s, o) = Σ_i U(θ^s_i, o),

the additive loss the paper bounds for its mechanisms ([CCKMV13, Proposition 4.3 (2)] for
Mechanism 4.1, [CCKMV13, Proposition 6.4 (2)] for Mechanism 6.1) and the welfare the LP
benchmark maximises, counted from the top.  It is a cost: the ratio is **ALG/OPT** (a loss
is never negative, and it does not move when a type's utility row is shifted, which the
welfare itself — negative on facility instances — would).

**Feasibility checked.**  Every row is a probability vector (``P >= 0``, each row summing to 1
within ``PROBABILITY_SUM · |O|``); ε-differential privacy [CCKMV13, Definition 3.2]:
``P[s, o] <= e^ε (1 + DP_RATIO_TOL) P[s', o]`` for every pair of profiles differing in one
player's report, through :func:`solver.privacy.dp_level` on log probabilities (a zero
against a positive probability is an infinite ratio); and truthfulness in expectation
[CCKMV13, Definition 3.4] against every privacy utility with ``|U^priv(o)| <= φ = F(e^ε)``
(the class Proposition 3.3 leaves for an ε-DP mechanism, the one Lemma 5.2 uses): the gain
(★) of :func:`solver.privacy.gain_closed_form` of every lie, ``Σ_o δ_o U(a, o) + φ Σ_o
|δ_o|`` with ``δ = P[s'] - P[s]``, must be at most ``TRUTH_TOL · max|U|``.  The instance has
no payments and no outside option, so there is no individual-rationality row.

**OPT.**  :func:`solver.privacy.solve`'s LP benchmark: the best ε-DP mechanism truthful
against every ``|U^priv(o)| <= F(e^ε)``, whose constraints are exactly the checks above, so
``OPT = max-welfare-without-privacy - LP optimum`` is the **true optimum** of the class the
evaluator accepts, and a row with status ``ok`` is a proven ratio.  Caveats:

* against the larger class of mechanisms truthful only against Assumption 3.1's
  ``|U^priv(o)| <= F(ratio(o))`` the LP is only a bound (the package's ``benchmark``
  field).  That is why the evaluator does **not** accept that class: an answer truthful
  only under Assumption 3.1 is reported infeasible here, never as beating a bound;
* the LP drops ε-DP rows where ``e^-ε < 1e-10`` (a relaxation: OPT's loss can only fall,
  by at most ``|O| e^-ε`` of the welfare range, so ratios are overstated, never
  understated) and coefficients below ``1e-10`` of their row
  (:data:`solver.privacy.tolerances.DROP_COEFFICIENT`: the optimum moves by at most that
  fraction, well inside the runner's ``OPT_TOL``);
* an instance with an outcome that every type weakly prefers has OPT loss 0 and no ratio:
  its OPT is reported with status ``error`` (the families never make one).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import privacy as Pv
from ..errors import InstanceError
from ..privacy.lp_benchmark import profile_graph
from ..tolerances import PROBABILITY_SUM
from .interface import (
    SENSE_MIN,
    Evaluation,
    Evaluator,
    Family,
    Opt,
    number_or_nan,
    register_algorithm,
    register_evaluator,
    register_family,
)

#: Relative tolerance of the ε-DP check: a probability ratio of neighbouring profiles may
#: exceed ``e^ε`` by this factor (``ln``-ratio ``<= ε + log1p(DP_RATIO_TOL)``).
DP_RATIO_TOL = 1e-9
#: A lie's gain (★) may be positive by this fraction of the utility scale ``max|U|``.
TRUTH_TOL = 1e-9
#: An OPT loss below this fraction of the welfare scale ``n max|U|`` counts as zero.
ZERO_LOSS = 1e-9
#: Largest answer (profiles times outcomes) the evaluator checks.
MAX_ANSWER_ENTRIES = 1_000_000


# ============================================================================ profiles


@dataclass(frozen=True)
class ProfileTable:
    """Every profile of an instance, in the answer's row order.

    Attributes
    ----------
    profiles
        ``profiles[s, i]``: player ``i``'s type in profile ``s``, shape ``(|Θ|^n, n)``, in
        the order of ``itertools.product(range(|Θ|), repeat=n)``.
    counts
        ``counts[s, a]``: players of type ``a`` in profile ``s`` (the histogram).
    welfare
        ``welfare[s, o] = Σ_i U(θ^s_i, o)``.
    lies
        ``(s, s', a)`` per row: a type-``a`` player of profile ``s`` reports another type,
        giving profile ``s'`` (every ordered neighbouring pair once).
    """

    profiles: np.ndarray
    counts: np.ndarray
    welfare: np.ndarray
    lies: np.ndarray


@functools.lru_cache(maxsize=16)
def profiles(inst: Pv.PrivateMechanismLPInstance) -> ProfileTable:
    """The profile table of ``inst`` (:class:`ProfileTable`), the answer's row order.

    Raises
    ------
    InstanceError
        On ``instance`` when ``|Θ|^n |O|`` exceeds :data:`MAX_ANSWER_ENTRIES`.
    """
    U = np.asarray(inst.utility, dtype=float)
    T, O = U.shape
    n = int(inst.n)
    if float(T) ** n * O > MAX_ANSWER_ENTRIES:
        raise InstanceError("instance", f"|types|^n |outcomes| = {T}^{n} x {O} exceeds the "
                                        f"{MAX_ANSWER_ENTRIES} entries the privacy evaluator "
                                        f"checks (answers are per profile)")
    prof, counts, edges = profile_graph(n, T)   # the LP benchmark's own enumeration
    table = ProfileTable(prof, counts, counts @ U, np.ascontiguousarray(edges[:, :3]))
    for arr in (table.profiles, table.counts, table.welfare, table.lies):
        arr.setflags(write=False)
    return table


def _scale(inst: Pv.PrivateMechanismLPInstance) -> float:
    """``max|U|`` (1 where every utility is 0)."""
    s = float(np.max(np.abs(np.asarray(inst.utility, dtype=float))))
    return s if s > 0 else 1.0


def _phi(inst: Pv.PrivateMechanismLPInstance) -> float:
    """``φ = F(e^ε)`` [CCKMV13, Proposition 3.3] (``inf`` past the float range)."""
    return float(inst.privacy_bound.of_log_ratio(inst.epsilon))


# ============================================================================ evaluator


def welfare_loss(inst: Pv.PrivateMechanismLPInstance, P: np.ndarray) -> float:
    """``L(P)``: expected welfare loss against the non-private optimum, uniform profiles."""
    W = profiles(inst).welfare
    regret = W.max(axis=1, keepdims=True) - W
    return float(np.mean(np.sum(np.asarray(P, dtype=float) * regret, axis=1)))


def evaluate_privacy(inst: Pv.PrivateMechanismLPInstance, answer: Any) -> Evaluation:
    """Welfare loss of a mechanism table, with its probability, ε-DP and truthfulness checks.

    Parameters
    ----------
    inst
        The instance.
    answer
        ``P[s, o]`` (one row per profile, :func:`profiles` order) or ``{"mechanism": P}``.

    Returns
    -------
    Evaluation
        ``value`` = ``L(P)`` (module docstring); ``details``: ``welfare`` (the LP's
        objective for ``P``), ``welfare_without_privacy``, ``dp_level`` (the exact ε of
        Definition 3.2) and ``worst_gain`` (the largest gain (★) of a lie).
    """
    if isinstance(answer, Mapping):
        answer = answer.get("mechanism")
    tab = profiles(inst)
    S, O = tab.welfare.shape
    try:
        P = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return Evaluation(math.nan, ("answer: must be a matrix P[profile, outcome] of "
                                     "numbers",))
    if P.shape != (S, O):
        return Evaluation(math.nan, (f"answer: P must have shape (|types|^n, |outcomes|) = "
                                     f"({S}, {O}), one row per profile, got {P.shape}",))
    if not np.all(np.isfinite(P)):
        return Evaluation(math.nan, ("answer: P has a non-finite entry",))
    bad: list[str] = []
    if P.min() < -PROBABILITY_SUM:
        s, o = (int(i) for i in np.unravel_index(int(np.argmin(P)), P.shape))
        bad.append(f"P[{s}, {o}] = {P[s, o]:.3g} < 0: rows must be probability vectors")
    off = np.abs(P.sum(axis=1) - 1.0)
    if off.max() > PROBABILITY_SUM * O:
        s = int(np.argmax(off))
        bad.append(f"row {s} of P sums to {P[s].sum():.12g}, not 1")
    with np.errstate(divide="ignore"):
        logp = np.log(np.maximum(P, 0.0))
    pairs = tab.lies[tab.lies[:, 0] < tab.lies[:, 1]]
    level = float(Pv.dp_level([(logp[s], logp[s2]) for s, s2, _ in pairs]))
    eps = float(inst.epsilon)
    if level > eps + math.log1p(DP_RATIO_TOL):
        bad.append(f"not {eps:.6g}-differentially private [CCKMV13, Definition 3.2]: the "
                   f"largest ln-ratio of neighbouring profiles is {level:.6g}")
    U = np.asarray(inst.utility, dtype=float)
    phi = _phi(inst)
    bvec = np.full(O, phi)
    gains = np.array([Pv.gain_closed_form(P[s], P[s2], U[a], U[a], bvec)
                      for s, s2, a in tab.lies]) if len(tab.lies) else np.zeros(1)
    k = int(np.argmax(gains))
    worst = float(gains[k])
    if worst > TRUTH_TOL * _scale(inst):
        s, s2, a = (int(v) for v in tab.lies[k])
        bad.append(f"not truthful against |U_priv| <= F(e^eps) = {phi:.6g} [CCKMV13, "
                   f"Definition 3.4, Proposition 3.3]: a type-{a} player gains {worst:.6g} "
                   f"by moving profile {s} to {s2}")
    W = tab.welfare
    best = float(np.mean(W.max(axis=1)))
    return Evaluation(welfare_loss(inst, P), tuple(bad),
                      {"welfare": float(np.mean(np.sum(P * W, axis=1))),
                       "welfare_without_privacy": best, "dp_level": level,
                       "worst_gain": worst})


def _privacy_solve(inst: Pv.PrivateMechanismLPInstance, time_limit: float | None) -> Opt:
    """OPT loss = welfare without privacy - the LP benchmark's optimum (module docstring)."""
    d = Pv.solve(inst, time_limit=time_limit).to_dict()
    top = number_or_nan(d.get("optimal_welfare_without_privacy"))
    loss, bound = top - number_or_nan(d.get("objective")), top - number_or_nan(d.get("bound"))
    status, backend = str(d.get("status")), str(d.get("backend", ""))
    if status == "optimal" and loss <= ZERO_LOSS * inst.n * _scale(inst):
        return Opt("error", loss, bound, f"{backend}: the optimal welfare loss is 0 (an "
                                         f"outcome every type weakly prefers): no ratio")
    return Opt(status, loss, bound, backend)


# ============================================================================ algorithms


def _uniform(inst: Pv.PrivateMechanismLPInstance, rng: np.random.Generator) -> np.ndarray:
    """Every outcome with probability 1/|O| on every profile (0-DP, truthful: constant)."""
    S, O = profiles(inst).welfare.shape
    return np.full((S, O), 1.0 / O)


def _best_constant(inst: Pv.PrivateMechanismLPInstance,
                   rng: np.random.Generator) -> np.ndarray:
    """The one outcome of largest expected welfare under uniform profiles, always."""
    W = profiles(inst).welfare
    P = np.zeros_like(W)
    P[:, int(np.argmax(W.mean(axis=0)))] = 1.0
    return P


def _by_histogram(inst: Pv.PrivateMechanismLPInstance, dist: Any) -> np.ndarray:
    """``P[s] = dist(histogram of s)`` for an anonymous mechanism, one call per histogram."""
    counts = profiles(inst).counts
    keys, inv = np.unique(counts, axis=0, return_inverse=True)
    rows = np.array([dist(k) for k in keys], dtype=float)
    return rows[np.asarray(inv).reshape(-1)]


def _mechanism_4_1(inst: Pv.PrivateMechanismLPInstance,
                   rng: np.random.Generator) -> np.ndarray:
    """Mechanism 4.1 [CCKMV13, Section 4] at ε/2 (exactly ε-DP: one vote moves Δ by 2).

    Outcome 0 is candidate A, voted by type 0 (the LP's ``election`` family); the
    distribution is :func:`solver.privacy.solve`'s ``prob_A`` on the vote counts.
    """
    if inst.family != "election":
        raise InstanceError("algorithm", f"mechanism-4.1 runs on election instances, not "
                                         f"{inst.family!r}")

    def dist(h: np.ndarray) -> list[float]:
        pa = Pv.solve(Pv.ElectionInstance(votes_a=int(h[0]), votes_b=int(h[1]),
                                          epsilon=inst.epsilon / 2)).to_dict()["prob_A"]
        return [pa, 1.0 - pa]

    return _by_histogram(inst, dist)


def _mechanism_6_1(inst: Pv.PrivateMechanismLPInstance,
                   rng: np.random.Generator) -> np.ndarray:
    """Mechanism 6.1 [CCKMV13, Section 6] at ε (ε-DP, Lemma 6.2): noisy-histogram median.

    On ``facility`` instances the outcomes are the locations; an ``election`` instance is
    the case ``Θ = {0, 1}`` of Section 6 (type and outcome 0 at location 0).
    """
    if inst.family == "facility":
        locs = np.asarray(inst.locations, dtype=float)
    elif inst.family == "election":
        locs = np.array([0.0, 1.0])
    else:
        raise InstanceError("algorithm", "mechanism-6.1 runs on facility (or election) "
                                         "instances, not 'custom'")

    def dist(h: np.ndarray) -> Any:
        return Pv.solve(Pv.FacilityInstance(locations=locs, counts=h,
                                            epsilon=inst.epsilon)).to_dict()["distribution"]

    return _by_histogram(inst, dist)


# ============================================================================ families

#: The three kinds of utility of the LP benchmark (``PrivateMechanismLPInstance.family``).
KINDS = ("election", "facility", "custom")
#: ε of ``privacy.random``: log-uniform on this range (welfare losses of order one).
EPS_RANGE = (0.1, 2.0)
#: ``φ = F(e^ε)`` of ``privacy.random`` as a fraction of ``max|U|``: uniform on
#: ``[0, PHI_MAX]`` (κ follows; above 1/2 Theorem 4.2's and 6.3's conditions may fail).
PHI_MAX = 0.75
#: Utilities of ``privacy.random`` are rounded to this many decimals (short instance files).
DECIMALS = 3


def _gen_random(rng: np.random.Generator, n_max: int, size_max: int,
                kind: str | None) -> Pv.PrivateMechanismLPInstance:
    """A small random instance; every type has its own favourite outcome (OPT loss > 0)."""
    n_max, size_max = int(n_max), int(size_max)
    if n_max < 2:
        raise InstanceError("grid.n_max", f"must be >= 2, got {n_max}")
    if size_max < 2:
        raise InstanceError("grid.size_max", f"must be >= 2, got {size_max}")
    if kind is not None and kind not in KINDS:
        raise InstanceError("grid.kind", f"must be one of {', '.join(KINDS)} or null, got "
                                         f"{kind!r}")
    kind = kind or str(rng.choice(KINDS))
    n = int(rng.integers(2, n_max + 1))
    T = int(rng.integers(2, size_max + 1))
    eps = round(float(np.exp(rng.uniform(*np.log(EPS_RANGE)))), 4)
    F: dict[str, Any] = {"kind": str(rng.choice(["log", "linear"])), "kappa": 0.0}
    extra: dict[str, Any] = {}
    if kind == "election":
        extra["utility_gap"] = round(float(rng.uniform(0.5, 2.0)), DECIMALS)
        scale = extra["utility_gap"]
    elif kind == "facility":
        grid = 10**DECIMALS
        extra["locations"] = np.sort(rng.choice(grid + 1, size=T, replace=False)) / grid
        scale = float(np.ptp(extra["locations"]))
    else:
        O = int(rng.integers(2, size_max + 1))
        U = np.round(rng.uniform(0.0, 1.0 - 10.0**-DECIMALS, size=(T, O)), DECIMALS)
        U[np.arange(T), np.arange(T) % O] = 1.0
        extra["utility"] = U
        scale = 1.0
    phi = float(rng.uniform(0.0, PHI_MAX)) * scale
    unit = eps if F["kind"] == "log" else math.expm1(eps)      # F(e^eps) at kappa = 1
    F["kappa"] = float(f"{phi / unit:.4g}")
    return Pv.PrivateMechanismLPInstance(n=n, epsilon=eps, privacy_bound=Pv.PrivacyBound(
                                             str(F["kind"]), float(F["kappa"])), family=kind,
                                         **extra)


def _gen_theorem_4_2(rng: np.random.Generator, n: int, epsilon: float,
                     condition: float) -> Pv.PrivateMechanismLPInstance:
    """``n`` voters, utility gap 1, ``F = κ ln`` with ``2 F(e^ε) = condition`` (<= 1: the
    condition 2 of [CCKMV13, Theorem 4.2] holds, so Mechanism 4.1 at ε/2 is feasible)."""
    eps, c = float(epsilon), float(condition)
    if not 0.0 <= c <= 1.0:
        raise InstanceError("grid.condition", f"must be in [0, 1] (2 F(e^eps) / gap, "
                                              f"Theorem 4.2), got {c}")
    return Pv.PrivateMechanismLPInstance(n=int(n), epsilon=eps, family="election",
                                         privacy_bound=Pv.PrivacyBound(
                                             "log", c / (2.0 * eps)),
                                         utility_gap=1.0)


#: Bounds of the ``privacy.theorem-6.3`` search space (``q^n <= THEOREM_6_3_PROFILES``).
THEOREM_6_3_BOUNDS = {"n": (2, 5), "q": (3, 4), "epsilon": (0.05, 5.0),
                      "condition": (0.0, 1.0), "skew": (0.25, 4.0)}
#: Largest number of profiles ``q^n`` of a ``privacy.theorem-6.3`` instance (LP solves of
#: well under a second).
THEOREM_6_3_PROFILES = 81


def _theorem_6_3_locations(q: int, skew: float) -> np.ndarray:
    """``ℓ_j = (j / (q - 1))^skew``, ``j = 0..q-1``: even spacing bent toward 0 or 1."""
    return np.linspace(0.0, 1.0, int(q)) ** float(skew)


def _gen_theorem_6_3(rng: np.random.Generator, n: int, q: int, epsilon: float,
                     condition: float, skew: float) -> Pv.PrivateMechanismLPInstance:
    """``n`` players on ``q`` locations (:func:`_theorem_6_3_locations`), ``F = κ ln`` with
    ``2 F(e^ε) = condition · min_{j≠k} |ℓ_j - ℓ_k|`` (<= the gap: [CCKMV13, Theorem 6.3]'s
    condition holds, so Mechanism 6.1 at ε is truthful and feasible here)."""
    eps, c = float(epsilon), float(condition)
    if not 0.0 <= c <= 1.0:
        raise InstanceError("grid.condition", f"must be in [0, 1] (2 F(e^eps) / min gap, "
                                              f"Theorem 6.3), got {c}")
    locs = _theorem_6_3_locations(int(q), float(skew))
    gap = float(np.min(np.diff(locs)))
    return Pv.PrivateMechanismLPInstance(n=int(n), epsilon=eps, family="facility",
                                         locations=locs,
                                         privacy_bound=Pv.PrivacyBound(
                                             "log", c * gap / (2.0 * eps)))


def _clip_theorem_6_3(p: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, (lo, hi) in THEOREM_6_3_BOUNDS.items():
        v = min(hi, max(lo, float(p[key])))
        out[key] = int(round(v)) if key in ("n", "q") else round(v, 4)
    while out["q"] ** out["n"] > THEOREM_6_3_PROFILES:
        out["n"] -= 1
    return out


def _theorem_6_3_neighbour(p: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    """One or two parameters moved: ``n`` or ``q`` by ±1, ε and ``skew`` by a factor
    ``e^{N(0, 0.3)}``, ``condition`` by ``N(0, 0.15)``."""
    q = dict(p)
    for key in rng.choice(list(THEOREM_6_3_BOUNDS), size=int(rng.integers(1, 3)),
                          replace=False):
        if key in ("n", "q"):
            q[key] = q[key] + int(rng.choice([-1, 1]))
        elif key == "condition":
            q[key] = q[key] + float(rng.normal(0.0, 0.15))
        else:
            q[key] = q[key] * float(np.exp(rng.normal(0.0, 0.3)))
    return _clip_theorem_6_3(q)


def _theorem_6_3_random(rng: np.random.Generator) -> dict[str, Any]:
    b = THEOREM_6_3_BOUNDS
    return _clip_theorem_6_3({
        "n": int(rng.integers(int(b["n"][0]), int(b["n"][1]) + 1)),
        "q": int(rng.integers(int(b["q"][0]), int(b["q"][1]) + 1)),
        "epsilon": float(np.exp(rng.uniform(*np.log(b["epsilon"])))),
        "condition": rng.uniform(*b["condition"]),
        "skew": float(np.exp(rng.uniform(*np.log(b["skew"]))))})


# ============================================================================ registration

register_evaluator(Evaluator("privacy", Pv.PrivateMechanismLPInstance, SENSE_MIN,
                             "expected welfare loss against the non-private optimum",
                             evaluate_privacy, _privacy_solve))

register_algorithm("uniform", "privacy", _uniform,
                   "uniform outcome on every profile (0-DP, constant)")
register_algorithm("best-constant", "privacy", _best_constant,
                   "the outcome of largest expected welfare, always (constant)")
register_algorithm("mechanism-4.1", "privacy", _mechanism_4_1,
                   "Mechanism 4.1 at eps/2 [CCKMV13, Section 4] (election instances)")
register_algorithm("mechanism-6.1", "privacy", _mechanism_6_1,
                   "Mechanism 6.1 at eps [CCKMV13, Section 6] (facility, election)")

register_family(Family("privacy.random", "privacy", _gen_random,
                       {"n_max": 3, "size_max": 3, "kind": None},
                       "small random LP-benchmark instances [CCKMV13]: n in 2..n_max players, "
                       "2..size_max types (and outcomes), kind election, facility or custom "
                       "(random if null), eps in [0.1, 2], F = kappa ln or kappa (x - 1) with "
                       "F(e^eps) in [0, 0.75 max|U|]"))
register_family(Family("privacy.theorem-4.2", "privacy", _gen_theorem_4_2,
                       {"n": 4, "epsilon": 0.5, "condition": 1.0},
                       "[CCKMV13, Theorem 4.2]'s setting: n voters, gap 1, F = kappa ln with "
                       "2 F(e^eps) = condition <= 1 (Mechanism 4.1 at eps/2 is feasible; "
                       "observed optimal for even n only)"))
register_family(Family("privacy.theorem-6.3", "privacy", _gen_theorem_6_3,
                       {"n": 3, "q": 3, "epsilon": 1.0, "condition": 1.0, "skew": 1.0},
                       "[CCKMV13, Theorem 6.3]'s setting: n players, q locations "
                       "(j/(q-1))^skew, F = kappa ln with 2 F(e^eps) = condition * min gap "
                       "<= min gap (Mechanism 6.1 is truthful); searchable (the paper has no "
                       "extremal instance)", _theorem_6_3_neighbour, _theorem_6_3_random))
