"""Competing platforms: Lemma 4, Theorem 4 (Parts 1, 2-1, 2-2), Definition B-1 (lines 9-187).

Parts 3-1 and 3-2, all pure user equilibria and the joint (joining + sharing) first best are in
:mod:`.competition_part3`.

Model (RECON from the proofs, re-derived).  Two platforms post prices ``p¹, p²``.  User ``i``
joins platform ``b_i ∈ {1, 2}`` and shares (``a_i = 1``) or not.  With ``J_k`` the users on
``k`` and ``S_k ⊆ J_k`` its sharers, user i's payoff is
``c_i(J_{b_i}) + a_i p^{b_i}_i - v_i I_i(S_{b_i})`` (only the platform she joins learns about
her, from data shared there; line 11); platform k earns ``Σ_{i∈J_k} I_i(S_k) - Σ_{i∈S_k} p^k_i``.
Joining values ``c_i(J)`` are given by the caller; the family used in the checks is
``c_i(J) = c0_i + γ|J|`` (monotone, Assumption 1 when ``c0_i + γ > v_i σ_i²``), for which
``δ = γ`` and ``Δ = γ(n - 1)``.

Thresholds (by enumeration over subsets):

* (B-1), line 61: ``δ̲ = Σ_j I_j(V) + max_i v_i (I_i(V∖i) - I_i({i}))`` (read with the sum
  outside the max, re-derived).
* (B-3): ``Δ̄`` — the text's ``max`` and the ``min`` the proof needs (re-derived); both returned.
* (B-4): ``v̄ = min{1/2, min_{i∈S, I_i(V)≠I_i(S)} (I_i(V)-I_i(S)) /
  (I_i(V)-I_i(S)+I_i(S^c∪{i})-I_i({i}))}``.
* (B-16) δ̃ and Part 3-1's (B-13)-(B-15): :mod:`.competition_part3`.

The deviation checker tests a price/profile pair: every user's 3 alternative actions
(exhaustive unilateral deviations), and the platform deviation families the proofs use —
platform 2 raising any prices up to the cap ``Σ_j I_j(V)`` (Theorem B-1, line 69; a user's
gain from switching is increasing in the price, so the cap is the worst case), platform 2
attracting any subset at its least prices + ε, profitable only if profitable in *every* pure
user equilibrium (Definition B-1's selection; mixed user equilibria are not enumerated), and
platform 1 cutting any one price (minimality, "Theorem 2").
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np

from .leakage import leakage, mask_from_indices

__all__ = ["linear_joining_values", "network_strengths", "threshold_b1", "threshold_b3",
           "threshold_b4", "user_payoffs", "user_deviation_gain", "check_equilibrium",
           "platform2_deviation",
           "theorem4_part1_prices", "theorem4_part21_prices", "theorem4_part22_prices"]

JoinFn = Callable[[int, frozenset[int]], float]


def linear_joining_values(c0: np.ndarray, gamma: float) -> JoinFn:
    """``c_i(J) = c0_i + γ|J|``."""
    return lambda i, j: float(c0[i] + gamma * len(j))


def network_strengths(n: int, c: JoinFn) -> tuple[float, float]:
    """``(δ, Δ)``: δ = min_i min_{J∋i, J≠V} c_i(V) - c_i(J); Δ = max_i c_i(V) - c_i({i})."""
    full = frozenset(range(n))
    delta = np.inf
    for i in range(n):
        others = [j for j in range(n) if j != i]
        for k in range(n - 1):
            for rest in itertools.combinations(others, k):
                delta = min(delta, c(i, full) - c(i, frozenset(rest) | {i}))
    big = max(c(i, full) - c(i, frozenset({i})) for i in range(n))
    return float(delta), float(big)


def _inf(sigma: np.ndarray, s: set[int] | frozenset[int], noise: float) -> np.ndarray:
    n = sigma.shape[0]
    return leakage(sigma, mask_from_indices(n, s), noise) if s else np.zeros(n)


def threshold_b1(sigma: np.ndarray, v: np.ndarray, noise: float = 1.0) -> float:
    """δ̲ of (B-1)."""
    n = len(v)
    full = _inf(sigma, set(range(n)), noise)
    best = -np.inf
    for i in range(n):
        wo = _inf(sigma, set(range(n)) - {i}, noise)[i]
        alone = _inf(sigma, {i}, noise)[i]
        best = max(best, v[i] * (wo - alone))
    return float(full.sum() + best)


def threshold_b3(sigma: np.ndarray, v: np.ndarray, noise: float = 1.0) -> tuple[float, float]:
    """``(Δ̄_min, Δ̄_max)`` of (B-3): the proof's min reading and the text's max."""
    n = len(v)
    full = _inf(sigma, set(range(n)), noise)
    terms1, terms2 = [], []
    for k in range(0, n + 1):
        for s in itertools.combinations(range(n), k):
            ss = set(s)
            sc = set(range(n)) - ss
            i_s = _inf(sigma, ss, noise)
            i_sc = _inf(sigma, sc, noise)
            for i in sc:
                alone = _inf(sigma, {i}, noise)[i]
                terms1.append((1 - v[i]) * full[i] + v[i] * (2 * alone - i_sc[i]))
            if ss:
                acc = 0.0
                for i in ss:
                    i_sci = _inf(sigma, sc | {i}, noise)[i]
                    acc += full[i] - (1 - v[i]) * i_s[i] - v[i] * i_sci
                terms2.append(acc / (2 * len(ss)))
    return float(min(min(terms1), min(terms2))), float(max(max(terms1), max(terms2)))


def threshold_b4(sigma: np.ndarray, noise: float = 1.0) -> float:
    """v̄ of (B-4)."""
    n = sigma.shape[0]
    full = _inf(sigma, set(range(n)), noise)
    best = 0.5
    for k in range(1, n + 1):
        for s in itertools.combinations(range(n), k):
            ss = set(s)
            sc = set(range(n)) - ss
            i_s = _inf(sigma, ss, noise)
            for i in ss:
                num = full[i] - i_s[i]
                if abs(num) <= 1e-14:
                    continue
                den = num + _inf(sigma, sc | {i}, noise)[i] - _inf(sigma, {i}, noise)[i]
                best = min(best, num / den)
    return float(best)


def user_payoffs(sigma: np.ndarray, v: np.ndarray, c: JoinFn, p1: np.ndarray, p2: np.ndarray,
                 join: np.ndarray, share: np.ndarray, noise: float = 1.0) -> np.ndarray:
    """Each user's payoff ``c_i(J_b) + a_i p^b_i - v_i I_i(S_b)``."""
    n = len(v)
    out = np.zeros(n)
    for k, p in ((1, p1), (2, p2)):
        jk = frozenset(np.flatnonzero(join == k).tolist())
        sk = {i for i in jk if share[i]}
        inf = _inf(sigma, sk, noise)
        for i in jk:
            out[i] = c(i, jk) + share[i] * p[i] - v[i] * inf[i]
    return out


def user_deviation_gain(sigma, v, c, p1, p2, join, share, noise: float = 1.0
                        ) -> tuple[float, int, tuple[int, int]]:
    """Largest gain of a unilateral user deviation over the 4 pure actions, with who/what."""
    base = user_payoffs(sigma, v, c, p1, p2, join, share, noise)
    best = (-np.inf, -1, (0, 0))
    for i in range(len(v)):
        for b, a in itertools.product((1, 2), (0, 1)):
            if b == join[i] and a == share[i]:
                continue
            j2, s2 = join.copy(), share.copy()
            j2[i], s2[i] = b, a
            g = user_payoffs(sigma, v, c, p1, p2, j2, s2, noise)[i] - base[i]
            if g > best[0]:
                best = (float(g), i, (b, a))
    return best


def platform2_deviation(sigma, v, c, p1, join, share, noise: float = 1.0, eps: float = 1e-7
                        ) -> tuple[float, list[int]]:
    """Best deviation of platform 2 (idle in the incumbent) over subsets ``T`` it attracts.

    For each nonempty ``T`` (everyone on platform 1 in the incumbent), platform 2 pays each
    ``i ∈ T`` the least price making "join 2 and share" a best response when the rest of
    ``T`` does the same, plus ``eps`` (strict preference, as the ``+ε`` of Theorem 4 Part
    3-1's deviation), and zero to everyone else.  Definition B-1 lets the incumbent pick the
    post-deviation user equilibrium, so for ``n ≤ 6`` the deviation counts only if platform 2
    earns more than 0 in *every* pure user equilibrium at the new prices (all ``4^n``
    profiles enumerated, :func:`.competition_part3.user_equilibria`); for larger ``n`` only if
    the incumbent stops being a user equilibrium.  Returns the best guaranteed profit (0 if
    none is positive) and its ``T``.
    """
    from .competition_part3 import platform_profits, subset_table, user_equilibria

    n = len(v)
    tables = subset_table(sigma, c, noise) if n <= 6 else None
    best, arg = 0.0, []
    for k in range(1, n + 1):
        for t in itertools.combinations(range(n), k):
            tt = np.array(t)
            j2 = join.copy()
            s2 = share.copy()
            j2[tt], s2[tt] = 2, 1
            base = user_payoffs(sigma, v, c, p1, np.zeros(n), j2, s2, noise)
            p2 = np.zeros(n)
            for i in t:
                alt = -np.inf
                for b, a in ((1, 1), (1, 0), (2, 0)):
                    j3, s3 = j2.copy(), s2.copy()
                    j3[i], s3[i] = b, a
                    alt = max(alt, user_payoffs(sigma, v, c, p1, np.zeros(n), j3, s3,
                                                noise)[i])
                p2[i] = max(alt - base[i], 0.0) + eps
            profit = float(_inf(sigma, set(t), noise)[tt].sum() - p2.sum())
            if profit <= best + 1e-9:
                continue
            if tables is not None:
                eqs = user_equilibria(sigma, v, c, p1, p2, noise, tables=tables)
                if not eqs:
                    continue
                profit = min(platform_profits(sigma, p1, p2, j, s, noise)[1] for j, s in eqs)
                if profit > best + 1e-9:
                    best, arg = profit, list(t)
            else:
                g, _, _ = user_deviation_gain(sigma, v, c, p1, p2, join, share, noise)
                if g > 1e-9:
                    best, arg = profit, list(t)
    return best, arg


def check_equilibrium(sigma, v, c, p1, p2, join, share, noise: float = 1.0,
                      eps: float = 1e-6) -> dict:
    """Deviation checker (module docstring).  ``ok`` when no family finds a profitable move.

    * ``user_gain``: best unilateral user deviation (must be ≤ tolerance);
    * ``platform2_gain``: best profitable subset deviation of platform 2
      (:func:`platform2_deviation`: least prices + ε, profitable in every pure user
      equilibrium; must be 0);
    * ``platform2_cap_gain``: with platform 2 at the cap ``Σ_j I_j(V)`` on every user, the best
      user deviation from the incumbent (informative: ≤ 0 means no price platform 2 may offer
      dislodges anyone);
    * ``platform1_cut_keeps``: users whose sharing survives a price cut of ``eps`` (must be
      empty: platform 1 pays minimal prices).
    """
    n = len(v)
    ug = user_deviation_gain(sigma, v, c, p1, p2, join, share, noise)
    cap = float(_inf(sigma, set(range(n)), noise).sum())
    cg = user_deviation_gain(sigma, v, c, p1, np.full(n, cap), join, share, noise)
    p2gain, p2set = platform2_deviation(sigma, v, c, p1, join, share, noise)
    keeps = []
    for i in np.flatnonzero((join == 1) & (share == 1)):
        q = p1.copy()
        q[i] -= eps
        g, who, _ = user_deviation_gain(sigma, v, c, q, p2, join, share, noise)
        if not (g > 0 and who == i):
            keeps.append(int(i))
    tol = 1e-9
    return {"ok": ug[0] <= tol and p2gain <= tol and not keeps,
            "user_gain": ug[0], "user_deviation": {"user": ug[1], "action": ug[2]},
            "platform2_gain": p2gain, "platform2_set": p2set,
            "platform2_cap": cap, "platform2_cap_gain": cg[0],
            "platform1_cut_keeps": keeps}


def theorem4_part1_prices(sigma, v, c: JoinFn, noise: float = 1.0
                          ) -> tuple[np.ndarray, np.ndarray]:
    """Theorem 4 Part 1 prices (diagonal Σ) for low-value users; 0 for high-value users."""
    n = len(v)
    full = frozenset(range(n))
    p1, p2 = np.zeros(n), np.zeros(n)
    for i in range(n):
        if v[i] > 1:
            continue
        alone = _inf(sigma, {i}, noise)[i]
        gap = c(i, full) - c(i, frozenset({i}))
        if gap >= (1 - v[i]) * alone:
            p1[i] = p2[i] = v[i] * alone
        else:
            p1[i], p2[i] = alone - gap, alone
    return p1, p2


def theorem4_part21_prices(sigma, v, c: JoinFn, noise: float = 1.0
                           ) -> tuple[np.ndarray, np.ndarray]:
    """(B-2): ``p¹_i = v_i(I_i(V) - I_i(V∖i))``, ``p²_i = c_i(V) - c_i({i}) - v_i I_i(V∖i)
    + v_i I_i({i})``."""
    n = len(v)
    full = frozenset(range(n))
    iv = _inf(sigma, full, noise)
    p1, p2 = np.zeros(n), np.zeros(n)
    for i in range(n):
        wo = _inf(sigma, full - {i}, noise)[i]
        alone = _inf(sigma, {i}, noise)[i]
        p1[i] = v[i] * (iv[i] - wo)
        p2[i] = c(i, full) - c(i, frozenset({i})) - v[i] * wo + v[i] * alone
    return p1, p2


def theorem4_part22_prices(sigma, v, c: JoinFn, noise: float = 1.0, reading: str = "A7"
                           ) -> tuple[np.ndarray, np.ndarray]:
    """(B-5): ``p¹_i = I_i(V) - (c_i(V) - c_i({i}))``, ``p²_i = (1-v_i) I_i(V) + w I_i({i})``.

    ``reading="A7"``: ``w = v_i`` (what the proof substitutes, re-derived); ``"literal"``:
    ``w = 1`` as printed in (B-5).
    """
    n = len(v)
    full = frozenset(range(n))
    iv = _inf(sigma, full, noise)
    p1, p2 = np.zeros(n), np.zeros(n)
    for i in range(n):
        alone = _inf(sigma, {i}, noise)[i]
        p1[i] = iv[i] - (c(i, full) - c(i, frozenset({i})))
        p2[i] = (1 - v[i]) * iv[i] + (v[i] if reading == "A7" else 1.0) * alone
    return p1, p2
