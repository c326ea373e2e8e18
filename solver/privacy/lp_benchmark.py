"""LP benchmark [CCKMV13]: the best ε-DP mechanism truthful against every ``|U^priv| <= F(e^ε)``.

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

which is linear and *exact* for the adversary class ``|U^priv(o)| <= F(e^ε)`` that
Proposition 3.3 leaves after ε-DP (the class the paper's proofs use, [CCKMV13, Lemma 5.2]).
That class is **larger** than Assumption 3.1's ``|U^priv(o)| <= F(ratio(o))`` (the ratio of
an ε-DP mechanism is at most ``e^ε``, often less), so the LP's constraint is only sufficient
and its optimum is a **lower bound** on the best mechanism truthful against every
Assumption-3.1 utility (the result field ``benchmark`` says so).  Example: one voter, utility
gap 0.3, ε = 0.4, ``F = ln``: ``φ = 0.4`` exceeds half the gap, the LP forces a constant
mechanism (0.15), while the literal benchmark is ``gap (1 + tanh(gap/4))/2 = 0.161229``
(``Pr[own candidate] = e^{g/2}/(1 + e^{g/2})``: the log-odds constraint
``ln ρ_A + ln ρ_B <= gap`` binds).  :func:`literal_benchmark` computes the literal benchmark
for one-player instances (branch and bound over per-outcome ratio caps, each an LP), and
``solve`` reports it as ``literal_benchmark`` (with its upper bound) when ``n = 1``.

Mechanisms 4.1 (run at ``ε/2`` so that its exact DP level is ``ε``; its sufficient condition
is then ``gap >= 2F(e^{2(ε/2)}) = 2F(e^ε)``, the one reading of Theorem 4.2 used throughout)
and 6.1 meet these constraints when their theorems' conditions hold, so their welfare is a
lower bound on the LP optimum; the difference is the welfare they give up.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse import csgraph

from .. import budget
from ..errors import SizeLimitError
from ..opt import LinearProgram, solve
from .model import PrivacyBound
from .tolerances import DROP_COEFFICIENT, MECHANISM_FEASIBILITY, WELFARE_AGREEMENT

#: What the ``objective`` of ``private-mechanism-lp`` is (the result field ``benchmark``).
BENCHMARK = ("lower bound: the best eps-DP mechanism truthful against every privacy utility "
             "with |U_priv(o)| <= F(e^eps); the Assumption-3.1 benchmark (|U_priv(o)| <= "
             "F(ratio(o))) is at least this")
#: Cells of the literal benchmark's branch and bound in a solve (one-player instances).
LITERAL_SOLVE_CELLS = 300
#: Stated size limit of the LP benchmark (variables p and d together).
MAX_VARIABLES = 20_000


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


def profile_graph(n: int, T: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every profile of ``n`` players with ``T`` types and every single-player lie, by array.

    Returns
    -------
    profiles, counts, edges
        ``profiles[s, i]`` (shape ``(T^n, n)``, in ``itertools.product(range(T), repeat=n)``
        order), ``counts[s, a]`` (the histogram of profile ``s``), and ``edges[e] = (s, s',
        a, b)``: player ``i`` of type ``a`` in ``s`` reports ``b != a``, giving ``s'``; in the
        order of ``s``, then ``i``, then ``b``.
    """
    prof = np.indices((T,) * n, dtype=np.int64).reshape(n, -1).T
    idx = np.arange(prof.shape[0], dtype=np.int64)
    counts = np.zeros((prof.shape[0], T), dtype=np.int64)
    np.add.at(counts, (np.repeat(idx, n), prof.reshape(-1)), 1)
    place = T ** np.arange(n - 1, -1, -1, dtype=np.int64)
    a = prof[:, :, None]                                   # (S, n, 1)
    b = np.arange(T, dtype=np.int64)[None, None, :]        # (1, 1, T)
    moved = np.broadcast_to(b != a, (prof.shape[0], n, T))
    s2 = idx[:, None, None] + (b - a) * place[None, :, None]
    shape = moved.shape
    edges = np.stack([np.broadcast_to(idx[:, None, None], shape), np.broadcast_to(s2, shape),
                      np.broadcast_to(a, shape), np.broadcast_to(b, shape)], axis=-1)[moved]
    return prof, counts, edges


def enumerate_states(n: int, T: int, mode: str) -> States:
    """All profiles (``mode="profiles"``) or histograms (``"histograms"``) with their edges."""
    from .facility import compositions

    if mode == "profiles":
        prof, counts, E = profile_graph(n, T)
        keys = [tuple(k) for k in prof.tolist()]
        weight = np.full(len(keys), 1.0 / T**n)
        edges = [tuple(e) for e in E.tolist()]
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


def normalised_model(inst: Any) -> tuple[LinearProgram, Model, float]:
    """The LP of ``inst`` with utilities divided by ``σ = max |U|``, and ``σ``."""
    U = np.array(inst.utility)
    sigma = float(np.max(np.abs(U)))
    sigma = sigma if sigma > 0 else 1.0
    phi = privacy_value(inst.privacy_bound, inst.epsilon)
    lp, model = build_lp(inst.n, U / sigma, inst.epsilon, phi / sigma, inst.mode)
    return lp, model, sigma


def check_result(inst: Any, out: Mapping[str, Any]) -> str:
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


def solve_lp(inst: Any, backend: str = "auto",
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
    out.update(benchmark=BENCHMARK, variables=lp.n_vars, constraints=lp.n_constraints,
               states=len(st.keys), blocks=model.n_classes, phi=phi)
    if inst.n == 1 and np.isfinite(phi):
        lit = literal_benchmark(U, inst.epsilon, inst.privacy_bound,
                                max_cells=LITERAL_SOLVE_CELLS)
        if lit is not None:
            out.update(literal_benchmark=lit["value"], literal_benchmark_bound=lit["bound"])
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


# ----------------------------------------------------------------------------- literal benchmark
#: Largest ``|Θ| |O|`` of the one-player instances whose literal benchmark is computed.
LITERAL_MAX_ENTRIES = 9
#: Largest number of outcomes of the literal benchmark (its cells split ``[0, ε]^{|O|}``).
LITERAL_MAX_OUTCOMES = 3
#: The literal benchmark stops when its bound is within this of its value (relative to the
#: largest utility magnitude) ...
LITERAL_GAP = 1e-4
#: ... or after this many cells.
LITERAL_MAX_CELLS = 1000


def _capped_lp(U: np.ndarray, dp_caps: np.ndarray, f_caps: np.ndarray) -> tuple[float, Any]:
    """The one-player LP with per-outcome caps: ``p[t,o] <= e^{dp_caps[o]} p[t',o]`` and, for
    every lie ``a -> b``, ``Σ_o (p[b,o]-p[a,o]) U(a,o) + Σ_o f_caps[o] |p[b,o]-p[a,o]| <= 0``.

    Returns the optimum of ``(1/|Θ|) Σ_t Σ_o p[t,o] U(t,o)`` and the mechanism.
    """
    from scipy.optimize import linprog

    T, O = U.shape
    pairs = [(a, b) for a in range(T) for b in range(a + 1, T)]
    npv = T * O
    nv = npv + len(pairs) * O
    rows: list[np.ndarray] = []

    def p(t: int, o: int) -> int:
        return t * O + o

    for o in range(O):
        e = math.exp(float(dp_caps[o]))
        for t in range(T):
            for t2 in range(T):
                if t != t2:
                    r = np.zeros(nv)
                    r[p(t, o)], r[p(t2, o)] = 1.0, -e
                    rows.append(r)
    for k, (a, b) in enumerate(pairs):
        for o in range(O):
            dv = npv + k * O + o
            for sgn in (1.0, -1.0):
                r = np.zeros(nv)
                r[p(b, o)], r[p(a, o)], r[dv] = sgn, -sgn, -1.0
                rows.append(r)
        for liar, other in ((a, b), (b, a)):
            r = np.zeros(nv)
            for o in range(O):
                r[p(other, o)] += U[liar, o]
                r[p(liar, o)] -= U[liar, o]
                r[npv + k * O + o] = f_caps[o]
            rows.append(r)
    A_eq = np.zeros((T, nv))
    for t in range(T):
        A_eq[t, t * O:(t + 1) * O] = 1.0
    c = np.zeros(nv)
    c[:npv] = -(U / T).ravel()
    res = linprog(c, A_ub=np.array(rows), b_ub=np.zeros(len(rows)), A_eq=A_eq,
                  b_eq=np.ones(T), bounds=(0, 1), method="highs")
    if res.status != 0:
        return -math.inf, None
    return float(-res.fun), res.x[:npv].reshape(T, O)


def literal_benchmark(U: Any, eps: float, F: PrivacyBound, *, gap: float = LITERAL_GAP,
                      max_cells: int = LITERAL_MAX_CELLS) -> dict[str, Any] | None:
    """The best ε-DP one-player mechanism truthful against **every** Assumption-3.1 utility.

    For one player, Assumption 3.1's ratio of outcome ``o`` is ``ρ_o = max_t p[t,o] /
    min_t p[t,o]``, and a lie ``a -> b`` gains at most ``Σ_o δ_o U(a,o) + Σ_o |δ_o|
    F(ρ_o)`` [CCKMV13, Section 3] (the verifier's closed form), with ``δ = p[b] - p[a]``:
    a non-convex constraint.  For fixed caps ``ρ_o <= e^{c_o}`` it is an LP
    (:func:`_capped_lp` with ``dp_caps = f_caps``-arguments ``c`` and ``F(e^c)``), and the
    benchmark is the maximum of that LP over ``c ∈ [0, ε]^{|O|}``.  On a cell
    ``[lo, hi]`` of caps the LP with DP caps ``hi`` and privacy values ``F(e^{lo})`` bounds
    every mechanism whose ratios lie in the cell (a relaxation), and the LP at the cell's
    centre is a feasible mechanism: branch and bound on cells (split on the widest side)
    closes the gap.  (The :func:`build_lp` benchmark is the LP at ``c = (ε, ..., ε)``,
    hence never above this.)

    Parameters
    ----------
    U
        ``U[t][o]``, the player's outcome utility by type (row) and outcome (column).
    eps
        The mechanism's DP level ε.
    F
        The privacy-bound function (non-decreasing).
    gap, max_cells
        Stop when ``bound - value <= gap · max|U|``, or after ``max_cells`` cells.

    Returns
    -------
    dict or None
        ``value`` (a feasible mechanism's welfare: a lower bound), ``bound`` (an upper
        bound), ``caps`` (``ln ρ`` of the best mechanism), ``mechanism``, ``cells``;
        ``None`` where ``|Θ||O| > LITERAL_MAX_ENTRIES`` or ``|O| > LITERAL_MAX_OUTCOMES``
        (not tractable here).
    """
    import heapq

    U = np.asarray(U, dtype=float)
    T, O = U.shape
    if T * O > LITERAL_MAX_ENTRIES or O > LITERAL_MAX_OUTCOMES:
        return None
    scale = max(float(np.max(np.abs(U))), 1e-300)
    Us = U / scale

    def fvals(c: np.ndarray) -> np.ndarray:
        return np.asarray(F.of_log_ratio(c), dtype=float).reshape(O) / scale

    lo0, hi0 = np.zeros(O), np.full(O, float(eps))
    best_v, best_p = _capped_lp(Us, hi0, fvals(hi0))      # the build_lp benchmark's point
    best_c = hi0.copy()
    ub0, _ = _capped_lp(Us, hi0, fvals(lo0))
    heap: list[tuple[float, int, np.ndarray, np.ndarray]] = [(-ub0, 0, lo0, hi0)]
    cells, seq = 0, 1
    bound = ub0
    while heap and cells < max_cells:
        neg_ub, _, lo, hi = heapq.heappop(heap)
        bound = -neg_ub
        if bound - best_v <= gap:
            break
        cells += 1
        mid = 0.5 * (lo + hi)
        v, pm = _capped_lp(Us, mid, fvals(mid))
        if v > best_v:
            best_v, best_p, best_c = v, pm, mid
        j = int(np.argmax(hi - lo))
        for a, b in ((lo[j], mid[j]), (mid[j], hi[j])):
            lo2, hi2 = lo.copy(), hi.copy()
            lo2[j], hi2[j] = a, b
            ub, _ = _capped_lp(Us, hi2, fvals(lo2))
            if ub > best_v + gap:
                heapq.heappush(heap, (-ub, seq, lo2, hi2))
                seq += 1
    else:
        bound = max([best_v] + [-h[0] for h in heap])
    bound = max(bound, best_v)
    return {"value": best_v * scale, "bound": bound * scale, "caps": best_c,
            "mechanism": best_p, "cells": cells}
