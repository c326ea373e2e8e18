"""Theorem 4 Parts 3-1 and 3-2 (competing platforms; appendix lines 147-187).

Builds on :mod:`.competition` (user payoff ``c_i(J_b) + a_i p^b_i - v_i I_i(S_b)``, platform k
earns ``Σ_{i∈J_k} I_i(S_k) - Σ_{i∈S_k} p^k_i``).  Everything here enumerates, so ``n ≤ 6``.

* :func:`subset_table` — ``I_i(S)`` for every ``S ⊆ V`` (bitmask index) and ``c_i(J)`` likewise.
* :func:`user_equilibria` — *all* pure user equilibria ``(b, a) ∈ {1,2}^n × {0,1}^n`` for
  given prices (4^n profiles, each user's 3 alternatives, vectorised over profiles).  Needed
  because Definition B-1 (line 15) lets the incumbent pick the post-deviation user
  equilibrium: a platform deviation is profitable only if it is profitable in *every* user
  equilibrium it induces.
* :func:`joint_first_best` — the planner's optimum over joining *and* sharing, surplus
  ``Σ_i c_i(J_{b_i}) + (1 - v_i) I_i(S_{b_i})`` (line 156), with the best split
  (``J_1, J_2 ≠ ∅``) beside it.
* :func:`full_bonus_joining_values` — ``c_i(J) = c0_i + γ·1[J = V]`` (monotone; δ = Δ = γ).
  The linear family of :mod:`.competition` has ``Δ = (n-1)δ``, which leaves no room for
  Part 3-1's window ``δ̄ < δ ≤ Δ < Δ̄`` when ``|V^l_2| ≥ 1``; this family has δ = Δ.

Part 3-2 (lines 177-187, (B-16)): ``δ > δ̃ = max_i v_i I_i(V) + Σ_j I_j(V)`` ⇒ the first best
``a^W`` on platform 1 with ``p¹_i = v_i(I_i(a^W) - I_i(a_i=0, a^W_{-i}))``, ``p² = 0`` is an
equilibrium.  Part 3-1 (lines 147-175): with ``V^l_1`` the low-value users uncorrelated
(``Σ_ij = 0``) with every high-value user and ``V^l_2 = V^l ∖ V^l_1`` (re-derived), the first
best is all on one platform with only ``V^l_1`` sharing, and platform 2 has a profitable
deviation — Case 1 (``V^l_1 ⊥ V^l_2``): ``p̃²_i = Δ + v_i I_i(V^l_2) + ε`` on ``V^l_2``
(the ``+ε`` is ours: without it the users are exactly indifferent when ``|V^l_2| = 1`` and
Definition B-1 keeps the incumbent); Case 2 (``j ∈ V^l_2`` correlated with ``V^l_1``):
``p̃²_j = c_j(V) - c_j({j}) + v_j I_j({j}) - v_j I_j(V^l_1) + ε``.
"""

from __future__ import annotations

import numpy as np

from .competition import JoinFn
from .leakage import leakage

__all__ = ["full_bonus_joining_values", "subset_table", "user_equilibria", "platform_profits",
           "joint_first_best", "threshold_b16", "part31_sets", "part31_deviation_prices",
           "part31_conditions", "random_part31_instance", "least_supporting_prices"]

TOL = 1e-9


def full_bonus_joining_values(c0: np.ndarray, gamma: float) -> JoinFn:
    """``c_i(J) = c0_i + γ·1[J = V]`` with ``n = len(c0)``: δ = Δ = γ."""
    n = len(c0)
    return lambda i, j: float(c0[i] + (gamma if len(j) == n else 0.0))


def subset_table(sigma: np.ndarray, c: JoinFn, noise: float = 1.0
                 ) -> tuple[np.ndarray, np.ndarray]:
    """``(I, C)`` with ``I[S, i] = I_i(S)`` and ``C[J, i] = c_i(J)`` (``C = nan`` if i ∉ J)."""
    n = sigma.shape[0]
    masks = ((np.arange(2**n)[:, None] >> np.arange(n)) & 1).astype(bool)
    inf = np.zeros((2**n, n))
    cc = np.full((2**n, n), np.nan)
    for k, mk in enumerate(masks):
        if mk.any():
            inf[k] = leakage(sigma, mk, noise)
        members = frozenset(np.flatnonzero(mk).tolist())
        for i in members:
            cc[k, i] = c(i, members)
    return inf, cc


def _profiles(n: int) -> tuple[np.ndarray, np.ndarray]:
    """All ``(J2 mask, share mask)`` pairs as integer codes, J2 = users on platform 2."""
    full = np.arange(4**n)
    return full >> n, full & (2**n - 1)


def _payoffs(inf, cc, v, p1, p2, j2, sh) -> np.ndarray:
    """``(profiles, n)`` user payoffs for codes ``j2`` (platform-2 members), ``sh`` (sharers)."""
    n = len(v)
    allm = 2**n - 1
    bits = 1 << np.arange(n)
    on2 = (j2[:, None] & bits) > 0
    shares = (sh[:, None] & bits) > 0
    own_j = np.where(on2, j2[:, None], (allm & ~j2)[:, None])
    own_s = np.where(on2, (sh & j2)[:, None], (sh & ~j2 & allm)[:, None])
    idx = np.arange(n)[None, :]
    price = np.where(on2, p2[None, :], p1[None, :])
    return cc[own_j, idx] + shares * price - v[None, :] * inf[own_s, idx]


def user_equilibria(sigma, v, c: JoinFn, p1, p2, noise: float = 1.0, tables=None,
                    tol: float = TOL) -> list[tuple[np.ndarray, np.ndarray]]:
    """Every pure user equilibrium ``(join ∈ {1,2}^n, share ∈ {0,1}^n)`` at prices ``p¹, p²``."""
    n = len(v)
    inf, cc = tables if tables is not None else subset_table(sigma, c, noise)
    v, p1, p2 = (np.asarray(x, float) for x in (v, p1, p2))
    j2, sh = _profiles(n)
    base = _payoffs(inf, cc, v, p1, p2, j2, sh)
    stable = np.ones(len(j2), bool)
    for i in range(n):
        b = 1 << i
        for nj, ns in ((j2 ^ b, sh), (j2, sh ^ b), (j2 ^ b, sh ^ b)):
            alt = _payoffs(inf, cc, v, p1, p2, nj, ns)[:, i]
            stable &= alt <= base[:, i] + tol
    bits = 1 << np.arange(n)
    return [(np.where(j2[k] & bits, 2, 1), ((sh[k] & bits) > 0).astype(int))
            for k in np.flatnonzero(stable)]


def platform_profits(sigma, p1, p2, join, share, noise: float = 1.0) -> tuple[float, float]:
    """``(U¹, U²)``: ``Σ_{i∈J_k} I_i(S_k) - Σ_{i∈S_k} p^k_i``."""
    out = []
    for k, p in ((1, p1), (2, p2)):
        jk = np.asarray(join) == k
        sk = jk & (np.asarray(share) == 1)
        inf = leakage(sigma, sk, noise) if sk.any() else np.zeros(len(jk))
        out.append(float(inf[jk].sum() - np.asarray(p)[sk].sum()))
    return out[0], out[1]


def joint_first_best(sigma, v, c: JoinFn, noise: float = 1.0, tables=None) -> dict:
    """Planner's optimum over joining and sharing (line 156), and the best split."""
    n = len(v)
    inf, cc = tables if tables is not None else subset_table(sigma, c, noise)
    v = np.asarray(v, float)
    j2, sh = _profiles(n)
    zero = np.zeros(n)
    # surplus = Σ c_i(J_b) - v_i I_i(S_b) + I_i(S_b): payoffs at zero prices plus leakage
    pay = _payoffs(inf, cc, v, zero, zero, j2, sh)
    leak = _payoffs(inf, np.zeros_like(cc), -np.ones(n), zero, zero, j2, sh)
    w = (pay + leak).sum(1)
    allm = 2**n - 1
    split = (j2 != 0) & (j2 != allm)
    k = int(np.argmax(w))
    ks = int(np.flatnonzero(split)[np.argmax(w[split])]) if split.any() else -1
    bits = 1 << np.arange(n)
    return {"value": float(w[k]), "join": np.where(j2[k] & bits, 2, 1),
            "share": ((sh[k] & bits) > 0).astype(int),
            "best_split_value": float(w[ks]) if ks >= 0 else -np.inf,
            "best_one_platform_value": float(w[~split].max())}


def threshold_b16(sigma, v, noise: float = 1.0) -> float:
    """δ̃ of (B-16): ``max_i v_i I_i(V) + Σ_j I_j(V)``."""
    full = leakage(sigma, np.ones(len(v), bool), noise)
    return float(np.max(np.asarray(v) * full) + full.sum())


def part31_sets(sigma, v, tol: float = 0.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Masks ``(V^h, V^l_1, V^l_2)``: V^l_1 = low-value users with Σ_ij = 0 for all j ∈ V^h."""
    v = np.asarray(v, float)
    high = v > 1
    corr = np.abs(sigma) > tol
    touches = corr[:, high].any(1) if high.any() else np.zeros(len(v), bool)
    v1 = ~high & ~touches
    return high, v1, ~high & touches


def part31_conditions(sigma, v, noise: float = 1.0) -> dict:
    """Right-hand sides of (B-13), (B-14) and (B-15) and the case (1 or 2).

    (B-13): ``δ > (1/|V|) Σ_{V^l} (1-v_i)(I_i(V^l) - I_i(V^l_1))``;
    (B-14) (Case 1): ``Δ < (1/|V^l_2|) Σ_{V^l_2} (1-v_i) I_i(V^l_2)``;
    (B-15) (Case 2, user j): ``Δ < (1-v_j) I_j({j}) + v_j I_j(V^l_1)``.
    """
    v = np.asarray(v, float)
    n = len(v)
    high, v1, v2 = part31_sets(sigma, v)
    low = ~high

    def inf(mask):
        return leakage(sigma, mask, noise) if mask.any() else np.zeros(n)
    b13 = float(((1 - v) * (inf(low) - inf(v1)))[low].sum() / n)
    cross = (np.abs(sigma[np.ix_(v2, v1)]) > 0).any(1) if v1.any() else np.zeros(v2.sum(), bool)
    if cross.any():
        j = int(np.flatnonzero(v2)[np.flatnonzero(cross)[0]])
        alone = inf(np.eye(n, dtype=bool)[j])[j]
        return {"case": 2, "j": j, "delta_above": b13,
                "Delta_below": float((1 - v[j]) * alone + v[j] * inf(v1)[j])}
    b14 = float(((1 - v) * inf(v2))[v2].sum() / max(int(v2.sum()), 1))
    return {"case": 1, "delta_above": b13, "Delta_below": b14}


def part31_deviation_prices(sigma, v, c: JoinFn, eps: float = 1e-6, noise: float = 1.0
                            ) -> np.ndarray:
    """Platform 2's deviation prices of Part 3-1 (Case 1 or 2, with ``+ε``)."""
    from .competition import network_strengths

    v = np.asarray(v, float)
    n = len(v)
    _, v1, v2 = part31_sets(sigma, v)
    cond = part31_conditions(sigma, v, noise)
    p = np.zeros(n)
    full = frozenset(range(n))
    if cond["case"] == 1:
        big = network_strengths(n, c)[1]
        p[v2] = big + v[v2] * leakage(sigma, v2, noise)[v2] + eps
    else:
        j = cond["j"]
        alone = leakage(sigma, np.eye(n, dtype=bool)[j], noise)[j]
        i_v1 = leakage(sigma, v1, noise)[j]
        p[j] = c(j, full) - c(j, frozenset({j})) + v[j] * alone - v[j] * i_v1 + eps
    return p


def random_part31_instance(rng: np.random.Generator, case: int, v_high: tuple = (20.0, 50.0),
                           v_low: tuple = (0.5, 0.95)) -> tuple[np.ndarray, np.ndarray]:
    """``(Σ, v)`` meeting Part 3-1's structure: users ``H`` (high value), ``V^l_2``, ``V^l_1``.

    Two latent factors: ``f_1`` loads on ``H ∪ V^l_2``, ``f_2`` on ``V^l_1`` (and, in Case 2,
    on the first user of ``V^l_2``), plus independent idiosyncratic variance; so
    ``Σ_{V^l_1, H} = 0`` exactly, ``V^l_1 ⊥ V^l_2`` in Case 1 and not in Case 2.
    """
    nh, n2, n1 = (int(x) for x in rng.integers(1, 3, 3))
    if nh + n1 + n2 > 5:
        n1 = 1
    n = nh + n1 + n2
    h, v2, v1 = np.arange(nh), np.arange(nh, nh + n2), np.arange(nh + n2, n)
    load = np.zeros((n, 2))
    load[h, 0] = rng.uniform(0.5, 1.5, nh)
    load[v2, 0] = rng.uniform(0.5, 1.5, n2)
    load[v1, 1] = rng.uniform(0.5, 1.5, n1)
    if case == 2:
        load[v2[0], 1] = rng.uniform(0.5, 1.5)
    sigma = load @ load.T + np.diag(rng.uniform(0.2, 1.0, n))
    v = np.empty(n)
    v[h] = rng.uniform(*v_high, nh)
    v[nh:] = rng.uniform(*v_low, n - nh)
    return sigma, v


def least_supporting_prices(sigma, v, c: JoinFn, p_other, join, share, noise: float = 1.0
                            ) -> tuple[np.ndarray, bool]:
    """Least prices on each sharer's platform making ``(join, share)`` a user equilibrium.

    For a sharer ``i`` on platform ``k``: ``max(0, best alternative payoff - payoff at price
    0)`` (the other platform's prices ``p_other`` fixed).  Non-sharers cannot be paid
    (payments go to sharers), so the second value says whether every non-sharer already
    best-responds; if not, no prices of platform ``k`` sustain the profile.
    """
    from .competition import user_payoffs

    n = len(v)
    zero = np.zeros(n)
    p = np.zeros(n)
    sustainable = True
    for i in range(n):
        k = int(join[i])
        p1, p2 = (zero, p_other) if k == 1 else (p_other, zero)
        base = user_payoffs(sigma, v, c, p1, p2, join, share, noise)[i]
        best = -np.inf
        for b in (1, 2):
            for a in (0, 1):
                if b == join[i] and a == share[i]:
                    continue
                j2, s2 = join.copy(), share.copy()
                j2[i], s2[i] = b, a
                best = max(best, user_payoffs(sigma, v, c, p1, p2, j2, s2, noise)[i])
        if share[i]:
            p[i] = max(0.0, best - base)
        elif best > base + TOL:
            sustainable = False
    return p, sustainable
