"""More statements of [FL12] as claims: Lemma 4.4's "only if", Section 3.1's encoding,
Section 4.1's envy-free remark, and Lemmas 2.1 and 4.1 (recorded, not checked).

Collected in :data:`CLAIMS` and appended to :data:`solver.ironing.claims.CLAIMS` (registered
by :mod:`solver.ironing.plugin`; importing this module registers nothing).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np

from ..claims.registry import CheckContext, Claim, ClaimList, ClaimResult
from ..opt import LinearProgram
from ..opt import solve as solve_lp
from ..tolerances import INEQUALITY

PAPER = ("FL12: Fleischer, Lyu, Approximately Optimal Auctions for Selling Privacy when Costs "
         "are Correlated with Data")

Check = Callable[[CheckContext], ClaimResult]
#: Collected here, registered by :mod:`solver.ironing.plugin`.
_COLLECTED = ClaimList(PAPER)
_collect = _COLLECTED.check
_unchecked = _COLLECTED.unchecked


# ------------------------------------------------------------------ Lemma 4.4, only if


def _step_allocation(rng: np.random.Generator, b: float) -> tuple[np.ndarray, np.ndarray]:
    """A random non-increasing step function ``x̄``: breaks ``0 < s_1 < … < s_K = b`` and the
    value on each piece (``x̄ = 0`` beyond ``b``)."""
    k = int(rng.integers(2, 6))
    breaks = np.sort(rng.uniform(0, b, k - 1))
    breaks = np.append(breaks, b)
    values = np.sort(rng.uniform(0.05, 1.0, k))[::-1]
    return breaks, values


def _x_of(t: np.ndarray, breaks: np.ndarray, values: np.ndarray) -> np.ndarray:
    idx = np.searchsorted(breaks, t, side="right")
    return np.where(idx < len(values), values[np.minimum(idx, len(values) - 1)], 0.0)


def payment_formula(t: np.ndarray, breaks: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Lemma 4.4 (ii): ``E[p(v)] = v x̄(v) + ∫_v^∞ x̄(s) ds`` for a step ``x̄``."""
    t = np.asarray(t, float)
    lefts = np.concatenate([[0.0], breaks[:-1]])
    tail = np.array([float(np.sum(values * np.clip(breaks - np.maximum(lefts, s), 0, None)))
                     for s in t])
    return t * _x_of(t, breaks, values) + tail


def grid_payment_range(types: np.ndarray, x: np.ndarray) -> tuple[str, np.ndarray | None,
                                                                   np.ndarray | None]:
    """The payments of every BIC mechanism on the type grid with allocation ``x``.

    LP over ``p`` with ``p_l - p_k ≤ t_k (x_l - x_k)`` (type k does not mimic l) and
    ``p_k ≥ t_k x_k`` (nor the type ``∞`` with ``x̄(∞) = 0``, ``E[p(∞)] = 0``; for
    ``x_k = 0`` also ``p_k ≤ 0``).  Returns the status and the minimal and maximal payment
    vectors (``min Σp``, ``max Σp``).
    """
    m = len(types)
    rows, rhs = [], []
    for k in range(m):
        for ell in range(m):
            if k != ell:
                r = np.zeros(m)
                r[ell], r[k] = 1.0, -1.0
                rows.append(r)
                rhs.append(types[k] * (x[ell] - x[k]))
        r = np.zeros(m)
        r[k] = -1.0
        rows.append(r)
        rhs.append(-types[k] * x[k])
        if x[k] == 0:
            r = np.zeros(m)
            r[k] = 1.0
            rows.append(r)
            rhs.append(0.0)
    a, b = np.array(rows), np.array(rhs)
    out = []
    for sense in ("min", "max"):
        sol = solve_lp(LinearProgram(c=np.ones(m), A_ub=a, b_ub=b, lb=np.full(m, -np.inf),
                                     ub=np.full(m, np.inf), sense=sense))
        if sol.status != "optimal":
            return sol.status, None, None
        out.append(np.asarray(sol.x, float))
    return "optimal", out[0], out[1]


@_collect("ironing.lemma-4.4-only-if", section="4.2, Lemma 4.4 (A.1), only if",
          tolerance=INEQUALITY,
          statement="Lemma 4.4, only if: a BIC procurement mechanism has (i) x̄_i "
                    "non-increasing and (ii) E[p_i(v)] = v x̄_i(v) + ∫_v^∞ x̄_i(t) dt.  On type "
                    "grids (LP over payments): a non-monotone x̄ admits no BIC payments, and "
                    "for a monotone step x̄ every BIC payment vector brackets (ii), the bracket "
                    "shrinking with the mesh")
def _lemma_4_4_only_if(ctx: CheckContext) -> ClaimResult:
    rng = ctx.rng()
    trials = ctx.trials(3, 20)
    sizes = ctx.trials((12, 48), (12, 48, 120))
    worst_out, worst_width_ratio, nonmono_feasible, wc = 0.0, 0.0, 0, None
    widths: dict[str, float] = {}
    for t in range(trials):
        b = float(rng.uniform(1, 3))
        top = 1.25 * b
        breaks, values = _step_allocation(rng, b)
        for m in sizes:
            types = np.linspace(0, top, m)
            x = _x_of(types, breaks, values)
            status, lo, hi = grid_payment_range(types, x)
            if status != "optimal":
                worst_out = np.inf
                wc = {"summary": f"monotone x̄ gave LP status {status}", "breaks":
                      breaks.tolist(), "values": values.tolist(), "grid": m}
                continue
            p = payment_formula(types, breaks, values)
            out = float(max(np.max(lo - p), np.max(p - hi), 0.0))
            mesh = top / (m - 1)
            width = float(np.max(hi - lo))
            widths[f"trial{t},m={m}"] = round(width, 6)
            worst_width_ratio = max(worst_width_ratio, width / (mesh * values[0]))
            if out > worst_out:
                worst_out, wc = out, {"summary": f"(ii) outside the BIC payment range by "
                                                 f"{out:.3g} (grid {m})",
                                      "breaks": breaks.tolist(), "values": values.tolist()}
        # (i): swap two values so x̄ increases somewhere: no BIC payments exist
        types = np.linspace(0, top, sizes[0])
        x = _x_of(types, breaks, values)
        pos = np.flatnonzero(np.diff(x) < 0)
        if pos.size:
            j = int(pos[0])
            x[j], x[j + 1] = x[j + 1], x[j]
            status, _, _ = grid_payment_range(types, x)
            nonmono_feasible += status != "infeasible"
    ok = worst_out <= INEQUALITY and worst_width_ratio <= 1 + INEQUALITY and \
        nonmono_feasible == 0
    if wc is None:
        wc = {"summary": f"(ii) inside every BIC payment range; width ≤ "
                         f"{worst_width_ratio:.3f}·mesh·x̄(0)"}
    return ClaimResult(ok, computed=worst_out, worst_case=wc,
                       details={"instances": trials, "grids": list(sizes),
                                "max_width/(mesh*x(0))": round(float(worst_width_ratio), 6),
                                "bracket_widths": dict(list(widths.items())[:6]),
                                "non_monotone_feasible": f"{nonmono_feasible}/{trials}"})


# ------------------------------------------------------------------ Section 3.1 encoding


def encode_as_printed(d_entries: np.ndarray, h: int) -> np.ndarray:
    """Section 3.1 as printed: ``D'_i = 1 + Σ_{j=0}^{d-1} D_ij d^j`` (entries in ``[h]``)."""
    d_entries = np.asarray(d_entries, int)
    d = d_entries.shape[1]
    return 1 + d_entries @ (d ** np.arange(d))


def encode(d_entries: np.ndarray, h: int) -> np.ndarray:
    """The repaired encoding ``D'_i = 1 + Σ_j (D_ij - 1) h^j``: a bijection ``[h]^d → [h^d]``."""
    d_entries = np.asarray(d_entries, int)
    d = d_entries.shape[1]
    return 1 + (d_entries - 1) @ (h ** np.arange(d))


def _encoding_defects(enc: Callable[[np.ndarray, int], np.ndarray], d: int, h: int
                      ) -> tuple[int, int]:
    """``(collisions, out_of_range)`` of ``enc`` over all of ``[h]^d``."""
    tuples = np.array(list(itertools.product(range(1, h + 1), repeat=d)), int)
    codes = enc(tuples, h)
    collisions = len(codes) - len(np.unique(codes))
    out = int(np.sum((codes < 1) | (codes > h**d)))
    return collisions, out


_GRID = [(d, h) for d in (1, 2, 3) for h in (1, 2, 3, 4)]


def _encoding_check(enc: Callable[[np.ndarray, int], np.ndarray], name: str,
                    ctx: CheckContext) -> ClaimResult:
    rng = ctx.rng()
    bad, worst, count_err = [], None, 0
    for d, h in _GRID:
        col, out = _encoding_defects(enc, d, h)
        if col or out:
            bad.append(f"d={d},h={h}: {col} collisions, {out} codes outside [h^d]")
            if col and (worst is None or "colliding_entries" not in worst):
                tuples = np.array(list(itertools.product(range(1, h + 1), repeat=d)), int)
                codes = enc(tuples, h)
                vals, counts = np.unique(codes, return_counts=True)
                dup = int(vals[counts > 1][0])
                worst = {"summary": bad[-1], "d": d, "h": h, "code": dup,
                         "colliding_entries": tuples[codes == dup].tolist()}
            elif worst is None:
                worst = {"summary": bad[-1], "d": d, "h": h}
        # counting: |{i : D_i = a}| = |{i : D'_i = code(a)}| on a random database
        db = rng.integers(1, h + 1, size=(40, d))
        target = rng.integers(1, h + 1, size=(1, d))
        want = int(np.sum(np.all(db == target, axis=1)))
        got = int(np.sum(enc(db, h) == enc(target, h)[0]))
        count_err += want != got
    ok = not bad and count_err == 0
    return ClaimResult(ok, computed=len(bad), worst_case=worst or {
        "summary": f"{name}: bijective onto [h^d] on every (d, h) of {_GRID}"},
        details={"defects": bad, "count_mismatches": count_err})


@_collect("ironing.section-3.1-encoding-as-printed", section="3.1, General Database Entries",
          expected="counterexample",
          statement="As printed: D'_i = 1 + Σ_{j=0}^{d-1} D_ij·d^j maps D_i ∈ [h]^d into [h^d] "
                    "so that counting D'_i = 1 + Σ a_j d^j counts {i : ∀j D_ij = a_j} (checked "
                    "over all of [h]^d, d ≤ 3, h ≤ 4)")
def _encoding_printed(ctx: CheckContext) -> ClaimResult:
    return _encoding_check(encode_as_printed, "as printed", ctx)


@_collect("ironing.section-3.1-encoding", section="3.1, General Database Entries (repaired)",
          statement="Repaired: base h and digits D_ij - 1, D'_i = 1 + Σ_j (D_ij - 1) h^j, is a "
                    "bijection [h]^d → [h^d] (the printed base d collides when h > d and "
                    "starts above 1), so the single-attribute mechanism counts the "
                    "multi-attribute query exactly")
def _encoding_repaired(ctx: CheckContext) -> ClaimResult:
    return _encoding_check(encode, "repaired", ctx)


# ------------------------------------------------------------------ Section 4.1 remark


def envy_free_price_spread(costs: np.ndarray, bought: np.ndarray, a: int, b: int,
                           cap: float) -> tuple[str, float]:
    """``max p_a - p_b`` over payments ``0 ≤ p ≤ cap`` meeting envy-freeness
    ``p_i - v_i x_i ≥ p_j - v_i x_j`` for the deterministic allocation ``bought``."""
    n = len(costs)
    x = bought.astype(float)
    rows, rhs = [], []
    for i in range(n):
        for j in range(n):
            if i != j:
                r = np.zeros(n)
                r[j], r[i] = 1.0, -1.0           # p_j - p_i ≤ v_i (x_j - x_i)
                rows.append(r)
                rhs.append(costs[i] * (x[j] - x[i]))
    c = np.zeros(n)
    c[a], c[b] = 1.0, -1.0
    sol = solve_lp(LinearProgram(c=c, A_ub=np.array(rows), b_ub=np.array(rhs),
                                 lb=np.zeros(n), ub=np.full(n, cap), sense="max"))
    return sol.status, float(sol.objective) if sol.status == "optimal" else float("nan")


@_collect("ironing.section-4.1-envy-free-single-price", section="4.1, Envy-free Benchmark",
          tolerance=INEQUALITY,
          statement="Every envy-free multi-unit procurement mechanism buys all the data it "
                    "buys at one price: for the w lowest costs bought, the LP max p_a - p_b "
                    "over envy-free payments is 0 for every pair of bought players")
def _envy_free(ctx: CheckContext) -> ClaimResult:
    rng = ctx.rng()
    trials = ctx.trials(5, 40)
    worst, wc, infeasible = 0.0, None, 0
    for _ in range(trials):
        n = int(rng.integers(3, 7))
        costs = rng.uniform(0, 2, n)
        w = int(rng.integers(2, n + 1))
        bought = np.zeros(n, bool)
        bought[np.argsort(costs)[:w]] = True
        a, b = (int(i) for i in rng.choice(np.flatnonzero(bought), 2, replace=False))
        status, spread = envy_free_price_spread(costs, bought, a, b, cap=4.0)
        if status != "optimal":
            infeasible += 1
            continue
        if spread > worst:
            worst, wc = spread, {"summary": f"bought players {a}, {b} paid prices differing "
                                            f"by {spread:.3g}", "costs": costs.tolist(),
                                 "bought": bought.tolist()}
    ok = worst <= INEQUALITY and infeasible == 0
    return ClaimResult(ok, computed=worst, worst_case=wc or {
        "summary": f"max price spread {worst:.2e} over {trials} profiles"},
        details={"instances": trials, "lp_not_optimal": infeasible})


# ------------------------------------------------------------------ unchecked

_unchecked(
    "ironing.lemma-2.1", section="2.2, Lemma 2.1",
    statement="If the F_i are arbitrary with unbounded range, for any k < n/2 no k-accurate, "
              "direct, BIC, EIIR and perfectly data-private mechanism exists",
    reason="an impossibility over all mechanisms (every randomised map from reports and data "
           "to estimates and payments) and all cost distributions with unbounded range; no "
           "finite computation ranges over that class, and the proof's step (a player "
           "overbids a cost v' > E[p]/(ε E[x])) needs the unbounded support itself")
_unchecked(
    "ironing.lemma-4.1", section="4.1, Lemma 4.1 (Theorem 4.6 of the paper's [8])",
    statement="No dominant-strategy truthful, EPIR, envy-free w-unit procurement mechanism "
              "has total expected payment below w E[v_(w+1)]",
    reason="a lower bound over all mechanisms of the class, quoted from another paper "
           "without proof; the library evaluates the benchmark w E[v_(w+1)] itself "
           "(ironing.theorem-4.3, ironing.theorem-4.6) and checks the single-price remark "
           "it rests on (ironing.section-4.1-envy-free-single-price)")

#: The claims of this module (appended to :data:`solver.ironing.claims.CLAIMS`).
CLAIMS: tuple[Claim, ...] = tuple(_COLLECTED)
