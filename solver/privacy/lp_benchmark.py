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

from ..errors import InstanceError, SizeLimitError
from ..opt import LinearProgram, solve
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


def build_lp(n: int, U: np.ndarray, eps: float, F: PrivacyBound, mode: str = "profiles"
             ) -> tuple[LinearProgram, States]:
    """The LP of the module docstring; raises :class:`SizeLimitError` past ``MAX_VARIABLES``."""
    T, O = U.shape
    nv = size_of(n, T, O, mode)
    if nv > MAX_VARIABLES:
        raise SizeLimitError("n", f"the {mode} LP for n={n}, |Θ|={T}, |O|={O} has {nv} "
                             f"variables, more than the limit {MAX_VARIABLES}",
                             "mode 'histograms', or the exact distributions of Mechanisms "
                             "4.1/6.1 (problems 'election', 'facility-location')")
    st = enumerate_states(n, T, mode)
    S, E = len(st.keys), len(st.pairs)
    npv = S * O
    nvar = npv + E * O

    def P(s: int, o: int) -> int:
        return s * O + o

    def D(e: int, o: int) -> int:
        return npv + e * O + o

    c = np.zeros(nvar)
    c[:npv] = (st.weight[:, None] * (st.counts @ U)).ravel()
    # equalities
    rows = np.repeat(np.arange(S), O)
    A_eq = sp.csr_matrix((np.ones(npv), (rows, np.arange(npv))), shape=(S, nvar))
    b_eq = np.ones(S)
    r, cidx, val = [], [], []
    row = 0
    ee = math.exp(eps)
    phi = float(F(ee))
    seen_dp: set[tuple[int, int]] = set()
    for s, s2, a, _b in st.edges:
        if (s, s2) not in seen_dp:       # p[s,o] - e^ε p[s2,o] <= 0 (the reverse edge covers s2)
            seen_dp.add((s, s2))
            for o in range(O):
                r += [row, row]
                cidx += [P(s, o), P(s2, o)]
                val += [1.0, -ee]
                row += 1
        e = st.pairs[(min(s, s2), max(s, s2))]
        # truthfulness: Σ (p[s2]-p[s]) U[a] + φ Σ d <= 0
        for o in range(O):
            r += [row, row]
            cidx += [P(s2, o), P(s, o)]
            val += [U[a, o], -U[a, o]]
            if phi > 0:
                r.append(row)
                cidx.append(D(e, o))
                val.append(phi)
        row += 1
    for (s, s2), e in st.pairs.items():
        for o in range(O):
            r += [row, row, row, row + 1, row + 1, row + 1]
            cidx += [P(s2, o), P(s, o), D(e, o), P(s, o), P(s2, o), D(e, o)]
            val += [1.0, -1.0, -1.0, 1.0, -1.0, -1.0]
            row += 2
    A_ub = sp.csr_matrix((val, (r, cidx)), shape=(row, nvar))
    lp = LinearProgram(c=c, A_ub=A_ub, b_ub=np.zeros(row), A_eq=A_eq, b_eq=b_eq,
                       ub=np.ones(nvar), sense="max")
    return lp, st


def embed(st: States, O: int, probs: np.ndarray, lp: LinearProgram) -> np.ndarray:
    """The LP vector of a given mechanism (``probs[s, o]``), with the tightest ``d``."""
    x = np.zeros(lp.n_vars)
    x[:probs.size] = probs.ravel()
    npv = probs.size
    for (s, s2), e in st.pairs.items():
        x[npv + e * O: npv + (e + 1) * O] = np.abs(probs[s2] - probs[s])
    return x


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
    if family == "election":
        g = as_number(raw.get("utility_gap", 1.0), "utility_gap", minimum=0.0, strict_min=True)
        U = np.array([[g, 0.0], [0.0, g]])
    elif family == "facility":
        loc = as_array(require(raw, "locations"), "locations", strictly_increasing=True,
                       minimum=0.0, maximum=1.0, min_len=2)
        U = -np.abs(loc[:, None] - loc[None, :])
        locs = tuple(float(x) for x in loc)
    else:
        U = as_array(require(raw, "utility"), "utility", ndim=2)
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
    """Solve the benchmark LP and compare with the paper's mechanism for the family."""
    t0 = time.perf_counter()
    U = np.array(inst.utility)
    lp, st = build_lp(inst.n, U, inst.epsilon, inst.privacy_bound, inst.mode)
    sol = solve(lp, backend=backend, time_limit=time_limit)
    out: dict[str, Any] = dict(sol.certificate())
    out.update(variables=lp.n_vars, constraints=lp.n_constraints, states=len(st.keys),
               phi=float(inst.privacy_bound(math.exp(inst.epsilon))))
    best = float(st.weight @ (st.counts @ U).max(axis=1))
    out["optimal_welfare_without_privacy"] = best
    if inst.family in ("election", "facility"):
        probs = mechanism_probs(st, inst.family, inst.epsilon, U,
                                None if inst.locations is None else np.array(inst.locations))
        x = embed(st, U.shape[1], probs, lp)
        mw = lp.objective_value(x)
        out.update(mechanism_welfare=mw, mechanism_feasible=bool(lp.max_violation(x) <= 1e-9),
                   mechanism_violation=lp.max_violation(x))
        if sol.status == "optimal":
            out["welfare_given_up"] = float(sol.objective - mw)
    out["seconds"] = time.perf_counter() - t0
    return out


def solve_cli(inst: LPInstance, opts: Any) -> dict[str, Any]:
    """CLI adapter honouring ``opts.backend`` and ``opts.time_limit``."""
    return solve_instance(inst, backend=getattr(opts, "backend", "auto") or "auto",
                          time_limit=getattr(opts, "time_limit", None))
