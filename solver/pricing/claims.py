"""The paper's statements as executable checks (``pricing.*``) [CCK25].

The paper prints no numerical example (its appendix holds proofs only), so every claim here
is a theorem check or an unchecked statement.  Importing this module registers nothing: it
collects the claims in :data:`CLAIMS`, which :mod:`solver.pricing.plugin` registers.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..claims.registry import CheckContext, Claim, ClaimResult, Kind
from .approx import grid_dp
from .envy_free import (
    brute_force_revenue,
    curve_revenue,
    ef_revenue,
    is_envy_free,
    lemma1_curve,
    optimal_prices,
    purchases,
)
from .families import instance_dict, random_valuations
from .mechanism import (
    Strategy,
    best_deviation,
    build_mechanism,
    expected_utility,
    honest,
    simulate,
)
from .profit import algorithm1, profit_opt
from .tolerances import QUAD, REVENUE
from .valuations import BUILTINS, by_quadrature, closed_form, error_value

PAPER = ("CCK25: Chen, Clinton, Kandasamy, Incentivizing Truthful Data Contributions in a "
         "Marketplace for Mean Estimation")
FAMILIES = ("uniform", "coarse", "estimation", "types2")

_COLLECTED: list[Claim] = []
Check = Callable[[CheckContext], ClaimResult]


def _theorem(id: str, *, paper: str, section: str, statement: str, kind: Kind,
             tolerance: float | None = None) -> Callable[[Check], Check]:
    """Collect a check function as a claim (registered by :mod:`solver.pricing.plugin`)."""
    def deco(fn: Check) -> Check:
        _COLLECTED.append(Claim(id, paper, section, statement, kind, fn, tolerance))
        return fn
    return deco


def _unchecked(id: str, *, paper: str, section: str, statement: str, reason: str) -> None:
    """Collect a statement the library records but does not check numerically."""
    _COLLECTED.append(Claim(id, paper, section, statement, "unchecked", None, None, reason))


def _small(ctx: CheckContext, count_quick: int, count_full: int, Bmax: int, Nmax: int):
    rng = ctx.rng()
    for t in range(count_quick if ctx.quick else count_full):
        B = int(rng.integers(1, Bmax + 1))
        N = int(rng.integers(1, Nmax + 1))
        yield t, random_valuations(rng, B, N, FAMILIES[t % len(FAMILIES)]), rng


@_theorem("pricing.lemma-1", paper=PAPER, section="2.2-2.3, Lemma 1",
          statement="rev^OPT(N) (envy-free schemes, eq. 2) equals the optimal ordered-item "
          "pricing revenue (eq. 5); the Lemma 1 curve of any envy-free scheme earns at least "
          "the scheme's revenue under the largest-size tie-break (eq. 4).", kind="theorem",
          tolerance=REVENUE)
def _lemma1(ctx: CheckContext) -> ClaimResult:
    worst, worst_case, n = np.inf, None, 0
    max_disagree = 0.0
    for _t, V, rng in _small(ctx, 12, 80, 4, 5):
        N = V.shape[1] - 1
        brute, _, _ = brute_force_revenue(V)
        r = ef_revenue(V)                        # curve MILP: OIP optimum (seller ties)
        max_disagree = max(max_disagree, abs(brute - r.objective))
        # the Lemma 1 curve of the optimum, and of random envy-free schemes
        schemes = [(r.sizes, r.prices)]
        for _ in range(5):
            m = rng.integers(0, N + 1, V.shape[0])
            p, ok = optimal_prices(V, m)
            if ok:
                schemes.append((m, p))
            q = np.concatenate([[0.0], np.sort(rng.random(N))])
            mm = purchases(V, q)
            schemes.append((mm, q[mm]))
        for m, p in schemes:
            assert is_envy_free(V, m, p)
            slack = curve_revenue(V, lemma1_curve(m, p, N)) - float(np.sum(p))
            n += 1
            if slack < worst:
                worst = slack
                worst_case = {"summary": f"curve revenue - scheme revenue = {slack:.3g}",
                              "instance": instance_dict(V, N), "sizes": m.tolist(),
                              "prices": p.tolist()}
    ok = worst >= -REVENUE and max_disagree <= REVENUE
    return ClaimResult(ok, computed=f"min slack {worst:.3g}; |brute - MILP| <= {max_disagree:.2g}",
                       worst_case=worst_case,
                       details={"schemes_checked": n, "max_brute_vs_milp": max_disagree})


@_theorem("pricing.rev-opt-structure", paper=PAPER, section="2.1-2.2, eq. 2-3",
          statement="rev^OPT(N) is non-decreasing in N and at most sum_j v_j(N) (the two "
          "facts the fast profit search relies on); the fast search finds the same OPT as "
          "Algorithm 1 with the exact MILP.", kind="theorem", tolerance=REVENUE)
def _structure(ctx: CheckContext) -> ClaimResult:
    worst, wc, solves = 0.0, None, [0, 0]
    for _t, V, rng in _small(ctx, 3, 20, 5, 8):
        revs = [ef_revenue(V[:, :N + 1]).objective for N in range(V.shape[1])]
        dec = max(0.0, max(a - b for a, b in zip(revs[:-1], revs[1:], strict=True))
                  if len(revs) > 1 else 0.0)
        over = max(r - V[:, N].sum() for N, r in enumerate(revs))
        c1 = float(rng.uniform(0.02, 0.5))
        f = profit_opt(V, c1)
        a = profit_opt(V, c1, method="algorithm1")
        solves[0] += f.n_solves
        solves[1] += a.n_solves
        err = max(dec, over, abs(f.objective - a.objective))
        if err >= worst:
            worst = err
            wc = {"summary": f"violation {err:.3g}", "instance": instance_dict(V, costs=[c1])}
    return ClaimResult(worst <= REVENUE, computed=f"max violation {worst:.3g}", worst_case=wc,
                       details={"milp_solves_fast": solves[0], "milp_solves_algorithm1":
                                solves[1]})


@_theorem("pricing.lemma-2", paper=PAPER, section="2.2, Lemma 2 (Appendix B)",
          statement="Algorithm 1 with an ordered-item pricing algorithm A earns profit >= "
          "OPT - (A's revenue loss at N_1^OPT); with A exact it earns OPT (eq. 3).",
          kind="theorem", tolerance=REVENUE)
def _lemma2(ctx: CheckContext) -> ClaimResult:
    worst, wc = np.inf, None
    eps = 0.1
    for _t, V, rng in _small(ctx, 4, 20, 4, 8):
        c1 = float(rng.uniform(0.05, 0.5))
        opt = profit_opt(V, c1)
        N1 = opt.supply
        for name, A in (("exact", lambda Vn: ef_revenue(Vn).curve),
                        ("grid", lambda Vn: grid_dp(Vn, eps))):
            res = algorithm1(V, c1, A)
            if N1 >= 1 and opt.revenue is not None:
                loss = opt.revenue.objective - curve_revenue(V[:, :N1 + 1], A(V[:, :N1 + 1]))
            else:
                loss = 0.0
            prof = max(res["profit"], 0.0)  # eq. 3 also allows N = 0
            slack = prof - (opt.objective - loss)
            if name == "exact":
                slack = min(slack, opt.objective - prof)  # equality both ways
            if slack < worst:
                worst = slack
                wc = {"summary": f"A={name}: profit - (OPT - loss) = {slack:.3g}",
                      "instance": instance_dict(V, costs=[c1])}
    return ClaimResult(worst >= -REVENUE, computed=f"min slack {worst:.3g}", worst_case=wc)


def _mech_instances(ctx: CheckContext, count_quick: int, count_full: int):
    rng = ctx.rng()
    for _ in range(count_quick if ctx.quick else count_full):
        B = int(rng.integers(2, 5 if ctx.quick else 7))
        N = int(rng.integers(4, 12 if ctx.quick else 25))
        V = random_valuations(rng, B, N, "estimation")
        c1 = float(rng.uniform(0.002, 0.03))
        costs = (c1, float(c1 + rng.uniform(0.0, 0.1)), float(rng.uniform(0.1, 1.0)))
        sigma = float(rng.uniform(0.5, 2.0))
        yield V, costs, sigma, rng


@_theorem("pricing.theorem-5.1-bb", paper=PAPER, section="5, Theorem 5.1 (BB), Appendix A",
          statement="Budget balance: sum_i pi_i^* = sum_j p_j^* on every realisation when "
          "contributors follow s^*.", kind="theorem", tolerance=1e-9)
def _bb(ctx: CheckContext) -> ClaimResult:
    worst, wc, dev_imb = 0.0, None, 0.0
    reps = 200 if ctx.quick else 2000
    for V, costs, sigma, rng in _mech_instances(ctx, 3, 10):
        mech = build_mechanism(V, costs, sigma)
        sim = simulate(mech, reps=reps, seed=int(rng.integers(2 ** 31)),
                       mu=float(rng.normal(0, 10)))
        scale = max(1.0, float(np.abs(sim.payments).max()))
        e = float(np.abs(sim.imbalance).max()) / scale
        if e >= worst:
            worst = e
            wc = {"summary": f"max |sum pi - sum p| / scale = {e:.3g}",
                  "instance": instance_dict(V, costs=costs, sigma=sigma)}
        # off-equilibrium (contributor 2 drops its point): not claimed by the paper
        dsim = simulate(mech, (honest(mech, 0), Strategy("drop", 1, 1)), reps=50, seed=1)
        dev_imb = max(dev_imb, float(np.abs(dsim.imbalance).max()))
    return ClaimResult(worst <= 1e-9, computed=f"max relative imbalance {worst:.3g}",
                       worst_case=wc,
                       details={"imbalance_when_a_size_check_fails": dev_imb,
                                "note": "BB is exact only when both size indicators agree "
                                        "(as under s^*); it is not claimed off equilibrium"})


@_theorem("pricing.theorem-5.1-irb-efb", paper=PAPER, section="5, Theorem 5.1 (IRB, EFB), "
          "eq. 16-17", statement="Under s^* the expected price of buyer j is q_j^+ "
          "whatever mu (eq. 16); hence IRB v_j(m_j^+) - q_j^+ >= 0 and EFB hold.",
          kind="theorem", tolerance=3.0)
def _irb(ctx: CheckContext) -> ClaimResult:
    worst_z, worst_ir, wc = 0.0, np.inf, None
    reps = 400 if ctx.quick else 4000
    for V, costs, sigma, rng in _mech_instances(ctx, 2, 8):
        mech = build_mechanism(V, costs, sigma)
        Vn = V[:, :mech.N_plus + 1]
        sizes, q = np.array(mech.sizes), np.array(mech.q_plus)
        ir = float(np.min(Vn[np.arange(len(sizes)), sizes] - q))
        ef = is_envy_free(Vn, sizes, q)
        for mu in (0.0, float(rng.normal(0, 100))):
            sim = simulate(mech, reps=reps, seed=int(rng.integers(2 ** 31)), mu=mu)
            m = sim.prices.mean(axis=0)
            se = sim.prices.std(axis=0, ddof=1) / np.sqrt(reps) + 1e-15
            z = float(np.max(np.abs(m - q) / se))
            worst_z = max(worst_z, z)
        if ir < worst_ir or not ef:
            worst_ir = min(worst_ir, ir) if ef else -np.inf
            wc = {"summary": f"min IRB slack {ir:.3g}, EFB {ef}",
                  "instance": instance_dict(V, costs=costs, sigma=sigma)}
    # z <= 4.5 over a few dozen buyer means: a false alarm has probability < 1e-3
    ok = worst_ir >= -REVENUE and worst_z <= 4.5
    return ClaimResult(ok, computed=f"max |mean price - q_j^+| = {worst_z:.2f} s.e.; "
                       f"min IRB slack {worst_ir:.3g}", worst_case=wc)


@_theorem("pricing.theorem-5.1-irc", paper=PAPER, section="5, Theorem 5.1 (IRC), Appendix A",
          statement="Under s^* contributor i's expected utility is W N_i^*/N^+ (closed form "
          "and Monte Carlo agree), which is >= 0 whenever W >= 0.", kind="theorem",
          tolerance=3.0)
def _irc(ctx: CheckContext) -> ClaimResult:
    worst_z, wc, worst_cf = 0.0, None, 0.0
    neg = None
    reps = 400 if ctx.quick else 4000
    for V, costs, sigma, rng in _mech_instances(ctx, 2, 8):
        mech = build_mechanism(V, costs, sigma)
        sim = simulate(mech, reps=reps, seed=int(rng.integers(2 ** 31)))
        for i in (0, 1):
            target = mech.W * mech.N_star[i] / mech.N_plus
            cf = expected_utility(mech, i, honest(mech, i))
            worst_cf = max(worst_cf, abs(cf - target))
            mean, hw = sim.mean_ci(sim.utilities[:, i], z=1.0)
            z = abs(mean - target) / max(hw, 1e-15)
            if z >= worst_z:
                worst_z = z
                wc = {"summary": f"contributor {i + 1}: MC {mean:.4g} vs W N*/N+ "
                      f"{target:.4g} ({z:.2f} s.e.)",
                      "instance": instance_dict(V, costs=costs, sigma=sigma)}
    # the inequality needs W >= 0: a market where c_2 - c_1 exceeds Algorithm 1's profit
    V = np.array([[0.0, 0.3, 0.35]])
    mech = build_mechanism(V, (0.01, 0.5), 1.0)
    if mech.W < 0:
        neg = {"instance": instance_dict(V, costs=[0.01, 0.5], sigma=1.0), "W": mech.W,
               "u_1": expected_utility(mech, 0, honest(mech, 0))}
    ok = worst_z <= 4.5 and worst_cf <= 1e-9
    return ClaimResult(ok, computed=f"closed form error {worst_cf:.2g}; MC within "
                       f"{worst_z:.2f} s.e.", worst_case=wc,
                       details={"irc_fails_when_W_negative": neg})


@_theorem("pricing.theorem-5.1-icc", paper=PAPER, section="5.1, Theorem 5.1 (ICC), Lemmas 7-9",
          statement="s^* is a Nash equilibrium: no deviation (collect n != N_i^*, fabricate "
          "from a fitted or shifted normal, pad with the mean, duplicate, drop, subsample) "
          "raises a contributor's expected utility.", kind="theorem", tolerance=1e-9)
def _icc(ctx: CheckContext) -> ClaimResult:
    best_gain, wc = -np.inf, None
    mc_err = 0.0
    for V, costs, sigma, _rng in _mech_instances(ctx, 3, 12):
        mech = build_mechanism(V, costs, sigma)
        for i in (0, 1):
            s, g = best_deviation(mech, i, quick=ctx.quick)
            if g > best_gain:
                best_gain = g
                wc = {"summary": f"contributor {i + 1}: best deviation {s} gains {g:.4g}",
                      "instance": instance_dict(V, costs=costs, sigma=sigma)}
        if not ctx.quick:  # Monte Carlo spot-check of the closed form
            s = Strategy("fabricate", max(1, mech.N_star[0] // 2), 0.5 * sigma)
            sim = simulate(mech, (s, honest(mech, 1)), reps=3000, seed=7)
            mean, hw = sim.mean_ci(sim.utilities[:, 0], z=1.0)
            mc_err = max(mc_err, abs(mean - expected_utility(mech, 0, s)) / max(hw, 1e-15))
    ok = best_gain <= 1e-9 and mc_err <= 4.5
    return ClaimResult(ok, computed=f"best deviation gain {best_gain:.4g}", worst_case=wc,
                       details={"monte_carlo_error_se": mc_err})


@_theorem("pricing.theorem-5.1-profit", paper=PAPER, section="5, Theorem 5.1; 4, Theorem 4",
          statement="profit(M^*, s^*) = W, and OPT - (c_2 - c_1) - (A's loss) <= W <= "
          "OPT - (c_2 - c_1) (the upper end is Theorem 4 for the equilibrium s^*).",
          kind="theorem", tolerance=REVENUE)
def _profit(ctx: CheckContext) -> ClaimResult:
    worst, wc = np.inf, None
    for V, costs, sigma, _rng in _mech_instances(ctx, 2, 8):
        c1, c2 = costs[0], costs[1]
        opt = profit_opt(V, c1)
        for name, A in (("exact", None), ("grid", lambda Vn: grid_dp(Vn, 0.05))):
            mech = build_mechanism(V, costs, sigma, A)
            # profit = sum_j E[p_j] - sum_i c_i N_i^* with E[p_j] = q_j^+ (eq. 16)
            prof = float(sum(mech.q_plus)) - c1 * mech.N_star[0] - c2 * mech.N_star[1]
            upper = opt.objective - (c2 - c1) - (prof)  # Theorem 4 slack
            eq = -abs(prof - mech.W)
            lower = 0.0
            if name == "exact" and opt.supply >= 2:
                lower = prof - (opt.objective - (c2 - c1))
            slack = min(upper, eq, lower)
            if slack < worst:
                worst = slack
                wc = {"summary": f"A={name}: W={mech.W:.4g}, OPT={opt.objective:.4g}, "
                      f"c2-c1={c2 - c1:.3g}", "instance": instance_dict(V, costs=costs,
                                                                       sigma=sigma)}
    return ClaimResult(worst >= -REVENUE, computed=f"min slack {worst:.3g}", worst_case=wc)


@_theorem("pricing.eq-11", paper=PAPER, section="3.1, eq. 11",
          statement="v^d(m) = inf_mu E[v^e(|mu_hat - mu|)] is the 1-D integral "
          "E[v^e(sigma |Z| / sqrt(m))]; closed forms for step/linear/quadratic agree with "
          "quadrature, lie in [0, 1] and are non-decreasing in m.", kind="theorem",
          tolerance=QUAD)
def _eq11(ctx: CheckContext) -> ClaimResult:
    rng = ctx.rng()
    worst, wc = 0.0, None
    m = np.arange(0, 30 if ctx.quick else 100)
    for kind in BUILTINS:
        for _ in range(2 if ctx.quick else 4):
            tau, sigma, a = float(rng.uniform(0.05, 2)), float(rng.uniform(0.2, 3)), 1.0
            cf = closed_form(kind, tau, sigma, m, a)
            qd = by_quadrature(error_value(kind, tau, a), sigma, m, (tau,))
            err = float(np.max(np.abs(cf - qd)))
            bad = bool(np.any(np.diff(cf) < -1e-12) or cf.min() < 0 or cf.max() > 1)
            if err >= worst or bad:
                worst = max(worst, err) if not bad else np.inf
                wc = {"summary": f"{kind} tau={tau:.3g} sigma={sigma:.3g}: |closed - quad| "
                      f"= {err:.2g}, monotone/range ok = {not bad}"}
    return ClaimResult(worst <= QUAD, computed=f"max |closed form - quad| = {worst:.2g}",
                       worst_case=wc)


_unchecked(
    "pricing.theorem-3", paper=PAPER, section="4, Theorem 3",
    statement="Under any mechanism, a dominant-strategy profile has every contributor "
    "collecting n_i = 0.",
    reason="quantifies over all mechanisms and all (randomised) submission functions; a "
    "numerical search over a finite family cannot establish it.  The ICC check exercises "
    "the related fact that fabricating from nothing is worth -inf under Algorithm 2.")
_unchecked(
    "pricing.lemma-5", paper=PAPER, section="4.2, Lemma 5",
    statement="If the other contributors collect no data, any contributor's best response "
    "collects none.",
    reason="a statement about every mechanism M and arbitrary submission functions; its "
    "proof is a minimax argument over all mu, not a property of an instance we could solve.")


#: Every ``pricing.*`` claim, in the order of the paper.
CLAIMS: tuple[Claim, ...] = tuple(_COLLECTED)

__all__ = ["CLAIMS"]
