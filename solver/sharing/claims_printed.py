"""Printed statements of [AMMO22] beside the library's repaired readings (``sharing.*``).

Each statement is registered as printed (``expected="counterexample"`` where the check
refutes it, with a rerunnable counterexample in ``worst_case``); a repaired reading is a
separate claim whose statement says what was changed.  Collected in :data:`CLAIMS` and
appended to :data:`solver.sharing.claims.CLAIMS` (registered by :mod:`solver.sharing.plugin`;
importing this module registers nothing).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..claims.registry import CheckContext, Claim, ClaimList, ClaimResult
from ..opt import LinearProgram
from ..opt import solve as solve_lp
from . import example_b1 as b1
from .competition import (
    check_equilibrium,
    linear_joining_values,
    theorem4_part22_prices,
    threshold_b3,
    threshold_b4,
)
from .enumeration import enumerate_gray
from .leakage import leakage
from .objectives import platform_objective, surplus_objective
from .tolerances import CHECK

PAPER = ("AMMO22: Acemoglu, Makhdoumi, Malekian, Ozdaglar, Too Much Data: Prices and "
         "Inefficiencies in Data Markets, online appendix")
RHOS = (0.3, 0.5, 0.8)
#: Efficiency gaps ``W(a^W) - W(a^E)`` at or below this count as "efficient".
EFFICIENCY_GAP = CHECK

Check = Callable[[CheckContext], ClaimResult]
#: Collected here, registered by :mod:`solver.sharing.plugin`.
_COLLECTED = ClaimList(PAPER)
_collect = _COLLECTED.check


def _cov(rng: np.random.Generator, n: int) -> np.ndarray:
    """A random well-conditioned covariance matrix (every pair correlated)."""
    a = rng.normal(size=(n, n))
    return a @ a.T / n + 0.05 * np.eye(n)


def _inst(sigma: np.ndarray, v: np.ndarray) -> dict:
    """A ``sharing`` instance file (``solver solve``) for ``(Σ, v)``."""
    return {"problem": "sharing", "covariance": np.round(sigma, 12).tolist(),
            "privacy_values": np.round(np.asarray(v, float), 12).tolist()}


def _mask(n: int, *users: int) -> np.ndarray:
    m = np.zeros(n, bool)
    m[list(users)] = True
    return m


# ------------------------------------------------------------------ Example B-1


@_collect("sharing.example-B-1-optimal-switch", section="Example B-1 (reader's reading)",
          expected="counterexample",
          statement="As printed, read as the platform's optimal choice: as n → ∞ the "
                    "platform's optimal profile is a = 1 when v ≤ 1/(1-ρ)² and a = 0 when "
                    "v > 1/(1-ρ)² (checked at v = 0.95 and 1.05 times the threshold, n ≥ 1000, "
                    "against the exact optimum over all profiles; the all-versus-none "
                    "comparison is sharing.example-B-1-threshold)")
def _b1_switch(ctx: CheckContext) -> ClaimResult:
    ns = ctx.trials([1000, 10**4, 10**5], [1000, 10**4, 10**5, 10**6])
    rows, bad = {}, 0
    for rho in RHOS:
        lim = 1 / (1 - rho) ** 2
        for factor, want in ((0.95, "all"), (1.05, "none")):
            v = factor * lim
            for n in ns:
                k, pi = b1.true_optimum(n, rho, v)
                prof = b1.profit_by_k(n, rho, v)
                good = k == n if want == "all" else k == 0
                bad += not good
                rows[f"rho={rho},v={factor}*limit,n={n}"] = {
                    "k*": k, "k*/n": round(k / n, 6), "Pi*": round(pi, 6),
                    "Pi(all)": round(float(prof[-1]), 6), "Pi(none)": round(float(prof[0]), 6)}
    k, pi = b1.true_optimum(1000, 0.5, 3.96)
    all_pi = float(b1.profit_by_k(1000, 0.5, 3.96)[-1])
    n8 = 8
    k8, pi8 = b1.true_optimum(n8, 0.5, 2.0)
    sig8 = 0.5 * np.eye(n8) + 0.5
    wc = {"summary": f"n = 1000, ρ = 0.5, v = 3.96 ≤ 4: the optimum buys k* = {k} sharers, "
                     f"payoff {pi:.6g} against Π(a = 1) = {all_pi:.6g}",
          "rerun": "solver.sharing.example_b1.true_optimum(1000, 0.5, 3.96) and "
                   "profit_by_k(1000, 0.5, 3.96)[-1]",
          "small_instance": {"summary": f"n = 8, ρ = 0.5, v = 2: k* = {k8}, Π* = {pi8:.6f}",
                             "instance": _inst(sig8, np.full(n8, 2.0))}}
    return ClaimResult(bad == 0, computed={"k*": k, "Pi*": round(pi, 6),
                                           "Pi(all)": round(all_pi, 6)},
                       paper_value={"k*": 1000}, worst_case=wc,
                       details={"cases_not_switching": bad, "table": rows},
                       message="the optimum buys k* ≈ Θ(√n) sharers on both sides of the "
                               "threshold: the switch holds only as Π(1) versus Π(0)")


# ------------------------------------------------------------------ Theorem 4 Part 2-2


def _part22_case(rng: np.random.Generator, ctx_n: int, delta_of: Callable[[float, float], float],
                 reading: str) -> tuple[bool, dict]:
    """One Part 2-2 instance with ``Δ = delta_of(Δ̄_min, Δ̄_max)`` and the given (B-5) reading."""
    n = int(rng.integers(2, ctx_n + 1))
    sig = _cov(rng, n)
    v = threshold_b4(sig) * rng.uniform(0.02, 1.0, n)            # v_i ≤ v̄ (B-4)
    dmin, dmax = threshold_b3(sig, v)
    delta = delta_of(dmin, dmax)
    gamma = delta / (n - 1)                                       # Δ = c_i(V) - c_i({i})
    c0 = v * np.diag(sig) + 0.1
    c = linear_joining_values(c0, gamma)
    p1, p2 = theorem4_part22_prices(sig, v, c, reading=reading)
    ones = np.ones(n, int)
    r = check_equilibrium(sig, v, c, p1, p2, ones, ones)
    case = {"summary": f"n = {n}, Δ = {delta:.6g} (Δ̄ min {dmin:.4g}, max {dmax:.4g}); "
                       f"user gain {r['user_gain']:.4g} ({r['user_deviation']}), platform-2 "
                       f"gain {r['platform2_gain']:.3g}, cut keeps {r['platform1_cut_keeps']}",
            "instance": _inst(sig, v),
            "competition": {"joining_values": "c_i(J) = c0_i + gamma |J|",
                            "c0": c0.tolist(), "gamma": gamma,
                            "p1": p1.tolist(), "p2": p2.tolist(), "join": ones.tolist(),
                            "share": ones.tolist(),
                            "rerun": "solver.sharing.competition.check_equilibrium"}}
    return bool(r["ok"]), case


@_collect("sharing.theorem-4-part-2-2-as-printed-B-3",
          section="Theorem 4 Part 2-2 (B-3) as printed", expected="counterexample",
          statement="(B-3) as printed, Δ̄ = max{max_{i,S∌i}(…), max_S(…)}: if Δ ≤ Δ̄ and "
                    "v_i ≤ v̄ (B-4), all users sharing on platform 1 at the (B-5) prices is an "
                    "equilibrium (checked at Δ = Δ̄ with p² as the proof substitutes it, so "
                    "only the max is as printed)")
def _p22_b3(ctx: CheckContext) -> ClaimResult:
    rng = ctx.rng()
    trials = ctx.trials(4, 12)
    fails, worst = 0, None
    for _ in range(trials):
        ok, case = _part22_case(rng, 4, lambda lo, hi: hi, "A7")
        if not ok:
            fails += 1
            worst = worst or case
    return ClaimResult(fails == 0, computed=fails, worst_case=worst,
                       details={"instances": trials, "not_equilibrium": f"{fails}/{trials}"},
                       message="the max admits Δ far above the proof's bound; repaired "
                               "reading: sharing.theorem-4-part-2-2")


@_collect("sharing.theorem-4-part-2-2-as-printed-B-5",
          section="Theorem 4 Part 2-2 (B-5) as printed", expected="counterexample",
          statement="(B-5) as printed, p²_i = (1-v_i) I_i(V) + I_i({i}): with Δ ≤ Δ̄ (min "
                    "reading of (B-3)) and v_i ≤ v̄, all users sharing on platform 1 at these "
                    "prices is an equilibrium")
def _p22_b5(ctx: CheckContext) -> ClaimResult:
    rng = ctx.rng()
    trials = ctx.trials(4, 12)
    fails, worst = 0, None
    for _ in range(trials):
        ok, case = _part22_case(rng, 4, lambda lo, hi: 0.9 * lo, "literal")
        if not ok:
            fails += 1
            worst = worst or case
    return ClaimResult(fails == 0, computed=fails, worst_case=worst,
                       details={"instances": trials, "not_equilibrium": f"{fails}/{trials}"},
                       message="with + I_i({i}) a user gains by sharing alone on platform 2; "
                               "repaired reading (+ v_i I_i({i})): sharing.theorem-4-part-2-2")


# ------------------------------------------------------------------ Theorem 4 Part 2-3


def part23_bounds(sigma: np.ndarray, v: np.ndarray, delta: float, b11_factor: float
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(lower_B10, lower_B12, upper_B11)`` on x of Theorem 4 Part 2-3, ``Δ_i = Δ``.

    (B-10): ``x_i ≥ (1-v_i) I_i({i}) + v_i I_i(V) - Δ``; (B-12): the same bound (for
    ``c_i(V) - c_i({i}) = Δ`` the two coincide); (B-11): ``x_j ≤ I_j(V) + Σ_{i≠j} (1-v_i)
    (I_i(V) - I_i(V∖{j})) + v_i (I_i({i}) - I_i({i,j})) + b11_factor·Δ`` (printed factor 3,
    repaired ``3(|V|-1)``).
    """
    n = len(v)
    full = leakage(sigma, np.ones(n, bool))
    alone = np.array([leakage(sigma, _mask(n, i))[i] for i in range(n)])
    lo10 = (1 - v) * alone + v * full - delta
    lo12 = (1 - v) * alone + v * full - delta
    up = np.empty(n)
    for j in range(n):
        wo = leakage(sigma, ~_mask(n, j))
        acc = 0.0
        for i in range(n):
            if i != j:
                pair = leakage(sigma, _mask(n, i, j))[i]
                acc += (1 - v[i]) * (full[i] - wo[i]) + v[i] * (alone[i] - pair)
        up[j] = full[j] + acc + b11_factor * delta
    return lo10, lo12, up


def threshold_b8(sigma: np.ndarray, v: np.ndarray) -> float:
    """Δ̃ of (B-8), second term read ``max_j Σ_{i≠j}(I_i({i,j}) - I_i({i}))/(2(3|V|-2))``."""
    n = len(v)
    alone = np.array([leakage(sigma, _mask(n, i))[i] for i in range(n)])
    second = max(sum(leakage(sigma, _mask(n, i, j))[i] - alone[i] for i in range(n) if i != j)
                 for j in range(n))
    return float(min(np.min(0.5 * (1 - v) * alone), second / (2 * (3 * n - 2))))


def part23_lp_status(sigma: np.ndarray, v: np.ndarray, delta: float, b11_factor: float) -> str:
    """Status of the LP ``{x : (B-10), (B-11), (B-12)}`` (zero objective, x free)."""
    lo10, lo12, up = part23_bounds(sigma, v, delta, b11_factor)
    n = len(v)
    eye = np.eye(n)
    lp = LinearProgram(c=np.zeros(n), A_ub=np.vstack([-eye, -eye, eye]),
                       b_ub=np.concatenate([-lo10, -lo12, up]), lb=np.full(n, -np.inf),
                       ub=np.full(n, np.inf))
    return solve_lp(lp).status


@_collect("sharing.theorem-4-part-2-3-lp", section="Theorem 4 Part 2-3 (B-8)-(B-12)",
          statement="The proof's step: with Δ = Δ̃ (B-8) there is ṽ < 1 such that for every "
                    "low value v_i = v ≥ ṽ no platform-1 prices x satisfy (B-10), (B-11) and "
                    "(B-12) together (an LP in x, infeasible), both with (B-11)'s 3Δ as "
                    "printed and with 3(|V|-1)Δ (re-derived); the LP is feasible for small v")
def _p23_lp(ctx: CheckContext) -> ClaimResult:
    rng = ctx.rng()
    etas = (0.3, 0.1, 1e-2, 1e-3, 1e-4)
    trials = ctx.trials(3, 25)
    bad, worst, rows, control_feasible = 0, None, [], 0
    for _ in range(trials):
        n = int(rng.integers(2, ctx.trials(5, 6)))
        sig = _cov(rng, n)
        row: dict = {"n": n}
        for name, factor in (("printed_3", 3.0), ("repaired_3(n-1)", 3.0 * (n - 1))):
            status = []
            for eta in etas:
                v = np.full(n, 1 - eta)
                status.append(part23_lp_status(sig, v, threshold_b8(sig, v), factor))
            # infeasible from some η on, down to the smallest
            k = len(etas)
            while k > 0 and status[k - 1] == "infeasible":
                k -= 1
            row[name] = {"v_tilde": None if k == len(etas) else round(1 - etas[k], 6),
                         "statuses": status}
            if k == len(etas) or "error" in status:
                bad += 1
                worst = {"summary": f"{name}: LP not infeasible as v → 1 ({status})",
                         "instance": _inst(sig, np.full(n, 1 - etas[-1]))}
        v0 = np.full(n, 0.2)
        control_feasible += part23_lp_status(sig, v0, threshold_b8(sig, v0), 3.0) == "optimal"
        rows.append(row)
    if worst is None:
        worst = {"summary": f"infeasible as v → 1 in all {trials} instances (both readings)"}
    ok = bad == 0 and control_feasible > 0
    return ClaimResult(ok, computed=bad, worst_case=worst,
                       details={"instances": trials, "rows": rows[:5],
                                "control_v=0.2_feasible": f"{control_feasible}/{trials}"},
                       message="an LP over the proof's necessary conditions (B-10)-(B-12); "
                               "that every equilibrium satisfies them rests on the proof's "
                               "deviation arguments (sharing.theorem-4-part-2-3)")


# ------------------------------------------------------------------ Theorem B-3 parts 3, 4


def _gap(sigma: np.ndarray, v: np.ndarray, phi: np.ndarray) -> float:
    """``W(a^W) - W(a^E)``: a^E maximises the platform's objective at virtual values ``phi``."""
    eq = enumerate_gray(sigma, [platform_objective(phi)])[0].profile
    w_eq = float(((1 - v) * leakage(sigma, eq)).sum())
    return enumerate_gray(sigma, [surplus_objective(v)])[0].value - w_eq


def _part3_instance(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Σ by factors: high-value users load on f1, V̂ on f1 and f2, V^l_Φ on f2 only."""
    nh, nhat, nl = int(rng.integers(1, 3)), int(rng.integers(1, 3)), int(rng.integers(0, 2))
    n = nh + nhat + nl
    load = np.zeros((n, 2))
    load[:nh, 0] = rng.uniform(0.5, 1.5, nh)
    load[nh:nh + nhat] = rng.uniform(0.3, 1.2, (nhat, 2))
    load[nh + nhat:, 1] = rng.uniform(0.5, 1.5, nl)
    sig = load @ load.T + np.diag(rng.uniform(0.1, 0.5, n))
    kind = np.array([0] * nh + [1] * nhat + [2] * nl)
    v = np.where(kind == 2, rng.uniform(0.01, 0.5, n), 0.0)
    return sig, v, kind


@_collect("sharing.theorem-B-3-part-3", section="Theorem B-3 part 3",
          statement="High-value users uncorrelated with V^l_Φ, users V̂ ⊆ V^l ∖ V^l_Φ correlated "
                    "with a high-value user: for v^h large and v_i < ṽ for i ∈ V̂ the "
                    "equilibrium is inefficient (U[0,b] priors, Φ = 2v; read with ṽ > 1/2 so "
                    "that i stays in V̂: v_i = 1/2 + 10⁻⁴, v^h ∈ {20, 100, 1000})")
def _b3_part3(ctx: CheckContext) -> ClaimResult:
    rng = ctx.rng()
    trials = ctx.trials(6, 60)
    bad, worst, min_gap = 0, None, np.inf
    for _ in range(trials):
        sig, v, kind = _part3_instance(rng)
        for vh in (20.0, 100.0, 1000.0):
            v2 = np.where(kind == 0, vh, np.where(kind == 1, 0.5 + 1e-4, v))
            g = _gap(sig, v2, 2 * v2)
            min_gap = min(min_gap, g)
            if g <= EFFICIENCY_GAP:
                bad += 1
                worst = {"summary": f"efficient at v^h = {vh}: gap {g:.3g}",
                         "instance": _inst(sig, v2)}
    if worst is None:
        worst = {"summary": f"inefficient in all {trials}×3 cases; least gap {min_gap:.4g}"}
    return ClaimResult(bad == 0, computed=bad, worst_case=worst,
                       details={"instances": trials, "min_surplus_gap": float(min_gap)})


def _part4_instance(rng: np.random.Generator) -> tuple[np.ndarray, int]:
    """Block-diagonal Σ: a correlated high-value block and isolated low-value users."""
    nh, nl = int(rng.integers(2, 4)), int(rng.integers(1, 3))
    n = nh + nl
    sig = np.zeros((n, n))
    sig[:nh, :nh] = _cov(rng, nh)
    sig[nh:, nh:] = np.diag(rng.uniform(0.5, 2.0, nl))
    return sig, nh


_PART4_ETAS = (0.1, 1e-2, 1e-3, 1e-4, 1e-6)


def _part4_run(ctx: CheckContext, phi_of: Callable[[np.ndarray, np.ndarray], np.ndarray],
               ) -> tuple[int, dict | None, int]:
    """Instances where no v^h = 1 + η (η on :data:`_PART4_ETAS`) makes the equilibrium
    inefficient, the first such instance, and the number of instances."""
    rng = ctx.rng()
    trials = ctx.trials(8, 60)
    never, worst = 0, None
    for _ in range(trials):
        sig, nh = _part4_instance(rng)
        n = sig.shape[0]
        high = np.arange(n) < nh
        vl = rng.uniform(0.01, 0.5, n)
        gaps = []
        for eta in _PART4_ETAS:
            v = np.where(high, 1 + eta, vl)
            gaps.append(_gap(sig, v, phi_of(v, high)))
        if max(gaps) <= EFFICIENCY_GAP:
            never += 1
            worst = worst or {"summary": f"efficient at every v^h = 1 + η, η ∈ {_PART4_ETAS}"
                                         f" (gaps {np.round(gaps, 12).tolist()})",
                              "instance": _inst(sig, np.where(high, 1 + _PART4_ETAS[-1], vl))}
    return never, worst, trials


@_collect("sharing.theorem-B-3-part-4", section="Theorem B-3 part 4 as printed",
          expected="counterexample",
          statement="High-value users uncorrelated with low-value users, some correlated with "
                    "each other: for each such i there is v̄_i > 0 with v_i < v̄_i ⇒ "
                    "inefficient (read v̄_i > 1, else vacuous for v_i > 1; U[0,b] priors, "
                    "Φ = 2v; v^h = 1 + η down to η = 10⁻⁶)")
def _b3_part4(ctx: CheckContext) -> ClaimResult:
    never, worst, trials = _part4_run(ctx, lambda v, high: 2 * v)
    return ClaimResult(never == 0, computed=never, worst_case=worst,
                       details={"instances": trials, "efficient_for_all_eta": never},
                       message="Φ(v) = 2v ≥ 2 for v > 1: the platform need not buy correlated "
                               "high-value users however close v is to 1; the reading in "
                               "Φ is sharing.theorem-B-3-part-4-virtual-value")


@_collect("sharing.theorem-B-3-part-4-virtual-value", section="Theorem B-3 part 4 (repaired)",
          statement="Part 4 with the condition on the virtual value (the complete-information "
                    "Theorem 3 analogue, Φ = v): if Φ_i(v_i) → 1 as v_i ↓ 1 (U[1,b] priors for "
                    "high-value users, Φ = 2v - 1), v_i close enough to 1 makes the "
                    "equilibrium inefficient")
def _b3_part4_phi(ctx: CheckContext) -> ClaimResult:
    never, worst, trials = _part4_run(ctx, lambda v, high: np.where(high, 2 * v - 1, 2 * v))
    if worst is None:
        worst = {"summary": f"inefficient near v^h = 1 in all {trials} instances"}
    return ClaimResult(never == 0, computed=never, worst_case=worst,
                       details={"instances": trials, "efficient_for_all_eta": never})


#: The claims of this module (appended to :data:`solver.sharing.claims.CLAIMS`).
CLAIMS: tuple[Claim, ...] = tuple(_COLLECTED)
