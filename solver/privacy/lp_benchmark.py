"""LP benchmark: the best ε-DP mechanism that is truthful for every privacy utility allowed.

Variables ``p[s, o] = Pr[o | s]`` for every state ``s`` (every profile ``θ ∈ Θ^n``, or, with
``mode="histograms"``, every histogram of types; both give the same optimum because the LP
is invariant under permuting players, so averaging an optimal mechanism over permutations
gives an optimal anonymous one — the tests check the two agree).  Maximise the expected
outcome welfare ``Σ_s w(s) Σ_o p[s, o] Σ_i U(θ_i, o)`` with ``w`` the uniform distribution on
profiles, subject to:

* ``Σ_o p[s, o] = 1``, ``p >= 0``;
* ε-DP (Definition 3.2): ``p[s, o] <= e^ε p[s', o]`` for every neighbouring pair ``s ~ s'``
  (one player's report changed);
* truthfulness in expectation against every privacy utility of Assumption 3.1.

Linearisation of the last constraint.  For a lie ``a -> b`` moving the state ``s -> s'`` the
adversarial gain is (★) of :mod:`solver.privacy.verifier`:
``Σ_o (p[s',o] - p[s,o]) U(a,o) + Σ_o |p[s',o] - p[s,o]| F(ratio(o))``.  The ratio depends on
``p`` (non-convex), but ε-DP caps it at ``e^ε`` and F is non-decreasing, so
``F(ratio(o)) <= φ := F(e^ε)`` (Proposition 3.3).  We therefore impose, for fixed ε and F,

    Σ_o (p[s',o] - p[s,o]) U(a,o) + φ Σ_o d[{s,s'}, o] <= 0,
    d[{s,s'}, o] >= p[s',o] - p[s,o],   d[{s,s'}, o] >= p[s,o] - p[s',o],

which is linear and *exact* for the adversary class ``|U^priv| <= F(e^ε)`` that Proposition 3.3
leaves after ε-DP (the class the paper's proofs use, Lemma 5.2); for the finer per-outcome
class it is a sufficient condition, so the LP optimum is the best welfare certifiable through
Proposition 3.3.  Mechanisms 4.1 (run at ``ε/2`` so that its exact DP level is ``ε``) and 6.1
meet these constraints when their theorems' conditions hold, so their welfare is a lower bound
on the LP optimum; the difference is the welfare they give up.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse import csgraph

from .. import budget
from ..errors import InstanceError, SizeLimitError
from ..opt import LinearProgram, solve
from ..problems import SolveOptions, require_method
from ..validate import (
    as_array,
    as_choice,
    as_int,
    as_number,
    reject_unknown,
    require,
    require_mapping,
)
from .model import PrivacyBound, parse_epsilon, parse_privacy_bound
from .tolerances import DROP_COEFFICIENT, MECHANISM_FEASIBILITY, WELFARE_AGREEMENT

#: Stated size limit of the LP benchmark (variables p and d together).
MAX_VARIABLES = 20_000
#: Largest welfare magnitude (n times the largest utility) accepted: the reported objective
#: and bound stay finite.
MAX_WELFARE = 1e307
#: The one method (``--method``).
METHODS = ("lp",)


@dataclass(frozen=True)
class States:
    """States of the LP, their weights, type counts and the directed lie edges."""

    keys: list[tuple[int, ...]]           # profile tuples or histograms
    weight: np.ndarray                    # probability of each state under uniform profiles
    counts: np.ndarray                    # counts[s, a] = number of players of type a
    edges: list[tuple[int, int, int, int]]  # (s, s', a, b): a type-a player reports b
    pairs: dict[tuple[int, int], int]     # unordered neighbour pair -> index


def _multinomial(h: tuple[int, ...]) -> float:
    out = math.factorial(sum(h))
    for x in h:
        out //= math.factorial(x)
    return float(out)


def enumerate_states(n: int, T: int, mode: str) -> States:
    """All profiles (``mode="profiles"``) or histograms (``"histograms"``) with their edges."""
    from .facility import compositions

    if mode == "profiles":
        keys = list(itertools.product(range(T), repeat=n))
        index = {k: i for i, k in enumerate(keys)}
        weight = np.full(len(keys), 1.0 / T**n)
        counts = np.array([np.bincount(k, minlength=T) for k in keys])
        edges = []
        for s, k in enumerate(keys):
            for i in range(n):
                for b in range(T):
                    if b != k[i]:
                        k2 = k[:i] + (b,) + k[i + 1:]
                        edges.append((s, index[k2], k[i], b))
    else:
        keys = list(compositions(n, T))
        index = {k: i for i, k in enumerate(keys)}
        weight = np.array([_multinomial(k) / T**n for k in keys])
        counts = np.array(keys)
        edges = []
        for s, k in enumerate(keys):
            for a in range(T):
                if k[a] == 0:
                    continue
                for b in range(T):
                    if b != a:
                        k2 = list(k)
                        k2[a] -= 1
                        k2[b] += 1
                        edges.append((s, index[tuple(k2)], a, b))
    pairs: dict[tuple[int, int], int] = {}
    for s, s2, _, _ in edges:
        key = (min(s, s2), max(s, s2))
        if key not in pairs:
            pairs[key] = len(pairs)
    return States(keys, weight, counts, edges, pairs)


def size_of(n: int, T: int, O: int, mode: str) -> int:
    """Number of LP variables without building the model."""
    if mode == "profiles":
        S = T**n
        E = S * n * (T - 1) // 2
    else:
        S = math.comb(n + T - 1, T - 1)
        if S * O > MAX_VARIABLES:
            return S * O  # already over the limit: do not enumerate the histograms
        # unordered pairs of histograms differing by moving one player
        E = sum(sum(1 for a in range(T) if h[a] > 0) * (T - 1)
                for h in _comps(n, T)) // 2
    return (S + E) * O


def _comps(n: int, T: int):
    from .facility import compositions
    return compositions(n, T)


def privacy_value(F: PrivacyBound, eps: float) -> float:
    """``φ = F(e^ε)`` without overflow (``inf`` where it exceeds the float range)."""
    return float(F.of_log_ratio(eps))


@dataclass(frozen=True)
class Model:
    """The structure of one benchmark LP (see :func:`build_lp`).

    ``cls[s]`` is the block of probability variables state ``s`` uses: states joined by a
    lie whose truthfulness row forces equal distributions (``φ`` above half the liar's
    utility range, see :func:`build_lp`) share one block.  Variables are ``P[c, o]``
    (``c < n_classes``) followed by ``d[k, o]`` for the class pairs ``dpairs[k]``.
    """

    states: States
    U: np.ndarray
    phi: float
    eps: float
    cls: np.ndarray
    n_classes: int
    dpairs: tuple[tuple[int, int], ...]
    dp_rows: bool
    notes: tuple[str, ...]

    def probs(self, x: np.ndarray) -> np.ndarray:
        """The mechanism ``p[s, o]`` of every state from an LP point."""
        O = self.U.shape[1]
        P = np.asarray(x, dtype=float)[: self.n_classes * O].reshape(self.n_classes, O)
        return P[self.cls]

    def state_welfare(self) -> np.ndarray:
        """``w[s, o] = Σ_i U(θ_i, o)`` for every state and outcome (LP units)."""
        return self.states.counts @ self.U


def _half_ranges(U: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Midrange ``m_a`` and half range ``h_a`` of every type's utility row."""
    hi, lo = U.max(axis=1), U.min(axis=1)
    return 0.5 * (hi + lo), 0.5 * (hi - lo)


def _forced(h: np.ndarray, phi: float) -> np.ndarray:
    """Types whose lies must leave the distribution unchanged (``φ > h_a``).

    With ``δ = p[s'] - p[s]`` summing to 0, ``Σ_o δ_o U(a, o) >= -h_a Σ_o |δ_o|``, so the
    truthfulness row gives ``(φ - h_a) Σ_o |δ_o| <= 0``: for ``φ > h_a`` exactly ``δ = 0``.
    """
    return phi > h


def build_lp(n: int, U: np.ndarray, eps: float, F: PrivacyBound | float,
             mode: str = "profiles") -> tuple[LinearProgram, Model]:
    """The LP of the module docstring, written with bounded coefficients.

    ``F`` is the privacy-bound function, or directly ``φ = F(e^ε)`` in the units of ``U``.
    Rows (every coefficient in ``[-1, 1]``, the largest of each row ``±1``):

    * truthfulness of a lie by type ``a`` from ``s`` to ``s'``, divided by ``h_a`` (half the
      range of ``U(a, ·)``) with ``U`` shifted by its midrange (exact: ``Σ_o δ_o = 0``):
      ``Σ_o δ_o (U(a,o) - m_a)/h_a + (φ/h_a) Σ_o d_o <= 0``.  Where ``φ > h_a`` the row
      holds iff ``p[s] = p[s']`` (:func:`_forced`): such states share one block of variables
      (connected components), so a huge ``φ`` (large ε) never meets the solver;
    * ε-DP as ``e^{-ε} p[s,o] - p[s',o] <= 0`` (no ``e^ε`` coefficient); dropped when
      ``e^{-ε} < DROP_COEFFICIENT`` (see :mod:`solver.privacy.tolerances`);
    * ``d >= ±(p[s'] - p[s])`` only where some truthfulness row uses ``d``.

    Coefficients below ``DROP_COEFFICIENT`` of their row's largest are dropped.  Raises
    :class:`SizeLimitError` past ``MAX_VARIABLES``.
    """
    U = np.asarray(U, dtype=float)
    T, O = U.shape
    nv = size_of(n, T, O, mode)
    if nv > MAX_VARIABLES:
        raise SizeLimitError("n", f"the {mode} LP for n={n}, |Θ|={T}, |O|={O} has {nv} "
                             f"variables, more than the limit {MAX_VARIABLES}",
                             "mode 'histograms', or the exact distributions of Mechanisms "
                             "4.1/6.1 (problems 'election', 'facility-location')")
    # every edge is a Python tuple (~100 bytes) and up to 3 O sparse entries (16 bytes)
    n_edges = float(nv) * max(n, 1) * max(T - 1, 1)
    budget.check_memory("n", n_edges * (100.0 + 48.0 * O), f"the {mode} LP benchmark",
                        "mode 'histograms' or a smaller n")
    phi = privacy_value(F, eps) if isinstance(F, PrivacyBound) else float(F)
    st = enumerate_states(n, T, mode)
    budget.check_deadline("building the LP benchmark")
    S = len(st.keys)
    E = np.array(st.edges, dtype=np.int64).reshape(-1, 4)
    mid, h = _half_ranges(U)
    forced = _forced(h, phi)
    notes: list[str] = []
    # states joined by a forced lie share one distribution
    fe = E[forced[E[:, 2]]] if E.size else E
    graph = sp.coo_matrix((np.ones(len(fe)), (fe[:, 0], fe[:, 1])), shape=(S, S)) \
        if len(fe) else sp.coo_matrix((S, S))
    n_classes, cls = csgraph.connected_components(graph, directed=True, connection="weak")
    if forced.all() and T > 0:
        notes.append("phi = F(e^eps) exceeds half of every type's utility range: truthfulness "
                     "forces one distribution for every state (a constant mechanism)")
    elif forced.any():
        notes.append(f"{int(n_classes)} blocks of states share a distribution (lies by types "
                     "with phi above half their utility range must not move it)")
    C = int(n_classes)
    cE = np.column_stack([cls[E[:, 0]], cls[E[:, 1]], E[:, 2]]) if E.size else \
        np.zeros((0, 3), dtype=np.int64)
    between = cE[:, 0] != cE[:, 1]
    # truthfulness rows: one per (class, class', liar type), for liars not forced and with
    # a non-constant utility row (h_a = 0 and φ = 0 is vacuous)
    keep = between & ~forced[cE[:, 2]] & (h[cE[:, 2]] > 0)
    trows = np.unique(cE[keep], axis=0) if keep.any() else np.zeros((0, 3), dtype=np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        d_coef = np.where(h > 0, phi / h, 0.0)
    uses_d = d_coef[trows[:, 2]] >= DROP_COEFFICIENT if len(trows) else np.zeros(0, bool)
    pair_key = np.sort(trows[uses_d, :2], axis=1) if uses_d.any() else np.zeros((0, 2), int)
    dpairs, pinv = (np.unique(pair_key, axis=0, return_inverse=True) if len(pair_key)
                    else (np.zeros((0, 2), dtype=np.int64), np.zeros(0, dtype=np.int64)))
    pinv = np.asarray(pinv).reshape(-1)
    D = len(dpairs)
    npv = C * O
    nvar = npv + D * O
    # objective: Σ_s w_s Σ_o p[cls(s), o] W[s, o], aggregated per class
    c = np.zeros((C, O))
    np.add.at(c, cls, st.weight[:, None] * (st.counts @ U))
    A_eq = sp.csr_matrix((np.ones(npv), (np.repeat(np.arange(C), O), np.arange(npv))),
                         shape=(C, nvar))
    r: list[np.ndarray] = []
    ci: list[np.ndarray] = []
    v: list[np.ndarray] = []
    row = 0
    o_idx = np.arange(O)
    # truthfulness
    if len(trows):
        Uc = (U - mid[:, None]) / np.where(h > 0, h, 1.0)[:, None]
        Uc = np.where(np.abs(Uc) >= DROP_COEFFICIENT, Uc, 0.0)
        R = len(trows)
        rows_t = np.repeat(np.arange(R), O)
        co = Uc[trows[:, 2]].ravel()
        r += [rows_t, rows_t]
        ci += [(trows[:, 1, None] * O + o_idx).ravel(), (trows[:, 0, None] * O + o_idx).ravel()]
        v += [co, -co]
        if D:
            tr_d = np.flatnonzero(uses_d)
            rows_d = np.repeat(tr_d, O)
            r.append(rows_d)
            ci.append((npv + pinv[:, None] * O + o_idx).ravel())
            v.append(np.repeat(d_coef[trows[tr_d, 2]], O))
        row += R
    budget.check_deadline("building the LP benchmark")
    # ε-DP between blocks: e^{-ε} P[c, o] - P[c', o] <= 0, both directions
    cpairs = np.unique(np.sort(cE[between, :2], axis=1), axis=0) if between.any() else \
        np.zeros((0, 2), dtype=np.int64)
    em = math.exp(-eps)
    dp_rows = em >= DROP_COEFFICIENT and len(cpairs) > 0
    if em < DROP_COEFFICIENT and len(cpairs):
        notes.append(f"eps-DP rows dropped: e^-eps = {em:.3g} is below {DROP_COEFFICIENT:g}, "
                     "so p[s',o] >= e^-eps p[s,o] is below every solver tolerance (the "
                     "optimum moves by at most |O| e^-eps of the welfare range)")
    if dp_rows:
        ordered = np.vstack([cpairs, cpairs[:, ::-1]])
        K2 = len(ordered)
        rows_p = row + np.arange(K2 * O)
        r += [rows_p, rows_p]
        ci += [(ordered[:, 0, None] * O + o_idx).ravel(), (ordered[:, 1, None] * O + o_idx).ravel()]
        v += [np.full(K2 * O, em), np.full(K2 * O, -1.0)]
        row += K2 * O
    # d >= ±(P[c'] - P[c])
    if D:
        base = row + 2 * (np.arange(D)[:, None] * O + o_idx).ravel()
        pc, pc2 = (dpairs[:, 0, None] * O + o_idx).ravel(), (dpairs[:, 1, None] * O + o_idx).ravel()
        dv = (npv + np.arange(D)[:, None] * O + o_idx).ravel()
        one = np.ones(D * O)
        r += [base, base, base, base + 1, base + 1, base + 1]
        ci += [pc2, pc, dv, pc, pc2, dv]
        v += [one, -one, -one, one, -one, -one]
        row += 2 * D * O
    A_ub = sp.csr_matrix((np.concatenate(v) if v else np.zeros(0),
                          (np.concatenate(r) if r else np.zeros(0, int),
                           np.concatenate(ci) if ci else np.zeros(0, int))), shape=(row, nvar))
    cvec = np.concatenate([c.ravel(), np.zeros(D * O)])
    lp = LinearProgram(c=cvec, A_ub=A_ub if row else None, b_ub=np.zeros(row) if row else None,
                       A_eq=A_eq, b_eq=np.ones(C), ub=np.ones(nvar), sense="max")
    model = Model(st, U, phi, float(eps), np.asarray(cls), C,
                  tuple(map(tuple, dpairs.tolist())), bool(dp_rows), tuple(notes))
    return lp, model


def check_mechanism(model: Model, probs: np.ndarray) -> dict[str, float]:
    """Largest violation of each constraint family by a mechanism ``probs[s, o]``.

    All in probability units (scale free): ``distribution`` (``|Σ_o p - 1|`` and ``-p``),
    ``dp`` (``e^{-ε} p[s,o] - p[s',o]`` over ordered neighbours), ``truthfulness`` (the
    gain (★) with ``|U^priv| <= φ`` of every lie, divided by ``h_a``; for a type with
    ``φ > h_a``, ``Σ_o |p[s'] - p[s]|``).
    """
    p = np.asarray(probs, dtype=float)
    st = model.states
    out = {"distribution": float(max(np.max(np.abs(p.sum(axis=1) - 1.0)),
                                     np.max(-p, initial=0.0)))}
    E = np.array(st.edges, dtype=np.int64).reshape(-1, 4)
    if not len(E):
        out.update(dp=0.0, truthfulness=0.0)
        return out
    delta = p[E[:, 1]] - p[E[:, 0]]
    out["dp"] = float(max(np.max(math.exp(-model.eps) * p[E[:, 0]] - p[E[:, 1]]), 0.0))
    mid, h = _half_ranges(model.U)
    a = E[:, 2]
    l1 = np.abs(delta).sum(axis=1)
    forced = _forced(h, model.phi)[a]
    with np.errstate(divide="ignore", invalid="ignore"):
        Uc = (model.U - mid[:, None]) / np.where(h > 0, h, 1.0)[:, None]
        gain = (delta * Uc[a]).sum(axis=1) + np.where(h[a] > 0, model.phi / h[a], 0.0) * l1
    viol = np.where(forced, l1, np.where(h[a] > 0, gain, 0.0))
    out["truthfulness"] = float(max(np.max(viol), 0.0))
    return out


def check_solution(model: Model, probs: np.ndarray, objective: float) -> str:
    """The a-posteriori check of an LP optimum; ``""`` if it holds, else what failed.

    The mechanism ``probs[s, o]`` is a distribution for every state, meets the ε-DP and
    truthfulness rows (:func:`check_mechanism`, within ``MECHANISM_FEASIBILITY``) and its
    welfare equals ``objective`` (LP units, within ``WELFARE_AGREEMENT`` of the largest
    state welfare).
    """
    p = np.asarray(probs, dtype=float)
    if p.shape != (len(model.states.keys), model.U.shape[1]) or not np.all(np.isfinite(p)):
        return f"the mechanism has shape {p.shape} or a non-finite entry"
    viol = check_mechanism(model, p)
    for k in ("distribution", "dp", "truthfulness"):
        if not viol[k] <= MECHANISM_FEASIBILITY:
            name = {"distribution": "is not a probability distribution",
                    "dp": "violates an epsilon-DP row", "truthfulness":
                    "violates a truthfulness row"}[k]
            return f"the mechanism {name} by {viol[k]:.3g}"
    Wst = model.state_welfare()
    scale = max(float(np.max(np.abs(Wst))), 1e-300)
    welfare = float(model.states.weight @ (p * Wst).sum(axis=1))
    if not abs(welfare - objective) <= WELFARE_AGREEMENT * scale:
        return (f"the mechanism's welfare {welfare!r} differs from the objective "
                f"{objective!r}")
    return ""


def normalised_model(inst: LPInstance) -> tuple[LinearProgram, Model, float]:
    """The LP of ``inst`` with utilities divided by ``σ = max |U|``, and ``σ``."""
    U = np.array(inst.utility)
    sigma = float(np.max(np.abs(U)))
    sigma = sigma if sigma > 0 else 1.0
    phi = privacy_value(inst.privacy_bound, inst.epsilon)
    lp, model = build_lp(inst.n, U / sigma, inst.epsilon, phi / sigma, inst.mode)
    return lp, model, sigma


def check_result(inst: LPInstance, out: Mapping[str, Any]) -> str:
    """The problem's own evaluator on a reported answer (``mechanism``, ``objective``).

    ``""`` when the reported mechanism passes :func:`check_solution` against the objective.
    """
    if out.get("mechanism") is None or out.get("objective") is None:
        return "no mechanism or objective reported"
    _, model, sigma = normalised_model(inst)
    return check_solution(model, np.asarray(out["mechanism"], dtype=float),
                          float(out["objective"]) / sigma)


def mechanism_probs(st: States, family: str, eps: float, U: np.ndarray,
                    locations: np.ndarray | None) -> np.ndarray:
    """Outcome distributions of Mechanism 4.1 (at ``ε/2``) or 6.1 (at ``ε``) for every state."""
    from . import election, facility

    out = []
    for cnt in st.counts:
        if family == "election":
            pa = election.prob_a(int(cnt[0]) - int(cnt[1]), eps / 2)
            out.append([pa, 1 - pa])
        else:
            out.append(facility.distribution(np.asarray(cnt), eps)[0])
    return np.array(out)


# ----------------------------------------------------------------------------- CLI problem
@dataclass(frozen=True)
class LPInstance:
    """``{"problem": "private-mechanism-lp", "n": 3, "family": ..., "epsilon": e, ...}``."""

    n: int
    utility: tuple[tuple[float, ...], ...]
    epsilon: float
    privacy_bound: PrivacyBound
    family: str
    mode: str
    locations: tuple[float, ...] | None = None


def parse(raw: Mapping[str, Any]) -> LPInstance:
    """Validate: ``family`` election (``utility_gap``), facility (``locations``) or custom
    (``utility``, a |Θ| x |O| matrix)."""
    raw = require_mapping(raw)
    reject_unknown(raw, ("problem", "name", "description", "n", "family", "utility",
                         "utility_gap", "locations", "epsilon", "privacy_bound", "mode"))
    # any n this large is far past MAX_VARIABLES; the cap keeps size_of's arithmetic small
    n = as_int(require(raw, "n"), "n", minimum=1, maximum=10_000)
    family = as_choice(raw.get("family", "custom"), "family", ("election", "facility", "custom"))
    mode = as_choice(raw.get("mode", "profiles"), "mode", ("profiles", "histograms"))
    eps = parse_epsilon(raw)
    F = parse_privacy_bound(require(raw, "privacy_bound"))
    locs = None
    # welfare is a sum of n utilities: keep it (and its scale) inside the float range
    top = MAX_WELFARE / n
    if family == "election":
        g = as_number(raw.get("utility_gap", 1.0), "utility_gap", minimum=0.0, strict_min=True,
                      maximum=top)
        U = np.array([[g, 0.0], [0.0, g]])
    elif family == "facility":
        loc = as_array(require(raw, "locations"), "locations", strictly_increasing=True,
                       minimum=0.0, maximum=1.0, min_len=2)
        U = -np.abs(loc[:, None] - loc[None, :])
        locs = tuple(float(x) for x in loc)
    else:
        U = as_array(require(raw, "utility"), "utility", ndim=2, minimum=-top, maximum=top)
        if U.shape[0] < 2:
            raise InstanceError("utility", "must have at least 2 types (rows)")
    nv = size_of(n, U.shape[0], U.shape[1], mode)
    if nv > MAX_VARIABLES:
        raise SizeLimitError("n", f"the {mode} LP has {nv} variables, more than the limit "
                             f"{MAX_VARIABLES}", "mode 'histograms' or a smaller n")
    return LPInstance(n, tuple(tuple(float(v) for v in row) for row in U), eps, F, family,
                      mode, locs)


def solve_instance(inst: LPInstance, backend: str = "auto",
                   time_limit: float | None = None) -> dict[str, Any]:
    """Solve the benchmark LP and compare with the paper's mechanism for the family.

    The utilities are divided by their largest magnitude ``σ`` (and ``φ`` with them) before
    the model is built, and objective and bound multiplied back: the LP the backend sees is
    the same at every scale of the data.  A result is ``optimal`` only if the mechanism it
    describes passes :func:`check_solution`; the LP is always feasible (a constant mechanism
    meets every row), so a backend's ``infeasible``/``unbounded`` is reported as ``error``.
    """
    t0 = time.perf_counter()
    U = np.array(inst.utility)
    lp, model, sigma = normalised_model(inst)
    phi = privacy_value(inst.privacy_bound, inst.epsilon)
    st = model.states
    sol = solve(lp, backend=backend, time_limit=time_limit)
    out: dict[str, Any] = dict(sol.certificate())
    for k in ("objective", "bound"):
        if out.get(k) is not None:
            out[k] = out[k] * sigma
    if sol.status == "optimal":
        problem = check_solution(model, model.probs(sol.x), sol.objective)
        if problem:
            out.update(status="error", message=f"a-posteriori check failed: {problem}")
    elif sol.status in ("infeasible", "unbounded"):
        out.update(status="error", objective=None, message=(
            f"{sol.backend} reported the model {sol.status}, but a constant mechanism is "
            f"feasible and every variable is bounded (numerical trouble in the backend)"))
    out.update(variables=lp.n_vars, constraints=lp.n_constraints, states=len(st.keys),
               blocks=model.n_classes, phi=phi)
    if model.notes:
        out["notes"] = list(model.notes)
    best = float(st.weight @ (st.counts @ U).max(axis=1))
    out["optimal_welfare_without_privacy"] = best
    if out["status"] == "optimal":
        out["mechanism"] = model.probs(sol.x)
    if inst.family in ("election", "facility"):
        probs = mechanism_probs(st, inst.family, inst.epsilon, U,
                                None if inst.locations is None else np.array(inst.locations))
        viol = check_mechanism(model, probs)
        mw = float(st.weight @ (probs * (st.counts @ U)).sum(axis=1))
        worst = max(viol.values())
        out.update(mechanism_welfare=mw,
                   mechanism_feasible=bool(worst <= MECHANISM_FEASIBILITY),
                   mechanism_violation=worst)
        if out["status"] == "optimal":
            out["welfare_given_up"] = float(out["objective"] - mw)
    out["seconds"] = time.perf_counter() - t0
    return out


def solve_cli(inst: LPInstance, opts: SolveOptions) -> dict[str, Any]:
    """CLI adapter honouring ``opts.backend``, ``opts.time_limit`` and ``opts.method``."""
    require_method(opts, METHODS, METHODS[0])
    return solve_instance(inst, backend=getattr(opts, "backend", "auto") or "auto",
                          time_limit=getattr(opts, "time_limit", None))
