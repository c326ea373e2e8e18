"""Mechanism 7.1: VCG with discrete-Laplace noise on each outcome's value (Section 7).

Types are utility vectors ``θ ∈ {0..M}^{|O|}``; ``W_o = Σ_j θ_j[o]``; noise
``Pr[λ_o = k] ∝ exp(-t|k|)`` with ``t = ε/(M|O|)``; ``V_o = W_o + λ_o + o/|O|``;
``o* = argmax V`` (no ties: the fractional parts differ); payment information
``π = {(o, V_o* - V_o) : V_o >= V_o* - M}`` (it contains ``(o*, 0)``); payment
``P(θ_i, o*, π) = max_{(o, v) ∈ π} (θ_i[o*] - θ_i[o]) - v``.

Exact output distribution.  Write ``X_o = W_o + λ_o`` (integer) and ``g_o = X_o* - X_o``.
The output ``(o*, π)`` is ``a = o*`` and, for each ``o ≠ a``, either ``g_o`` (released) or
"not released".  Since ``V_a > V_o`` and ``V_a - V_o <= M`` translate into integer ranges,

* ``o > a``: released ``g_o ∈ {1..M}``, not released ``g_o >= M + 1``;
* ``o < a``: released ``g_o ∈ {0..M-1}``, not released ``g_o >= M``,

so there are ``|O| (M+1)^{|O|-1}`` outputs and, conditioning on ``X_a = x``, the other
``λ_o`` are independent:

    Pr[a, g] = Σ_x p(x - W_a) Π_{released o} p(x - g_o - W_o) Π_{others} Pr[λ_o <= x - thr_o - W_o].

The sum over ``x`` is truncated to ``|x - W_a| <= K``; it drops at most
``Pr[|λ| > K] = 2e^{-t(K+1)}/(1+e^{-t})`` from each ``a``'s total: ``|O|`` times that is the
reported ``tail_bound``.  Only differences of ``W`` matter (shift invariance), which the
exhaustive checks use.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InstanceError, SizeLimitError
from ..validate import as_array, as_int, reject_unknown, require, require_mapping
from .model import PrivacyBound, log_ratio_per_outcome, parse_epsilon, parse_privacy_bound
from .verifier import bounds_from_logratio, gains_table

#: Largest type space (M+1)^{|O|} the CLI verifier enumerates.
MAX_TYPES = 256


def lap_pmf(k: Any, t: float) -> np.ndarray:
    """``Pr[λ = k] = tanh(t/2) e^{-t|k|}``."""
    return math.tanh(t / 2) * np.exp(-t * np.abs(np.asarray(k, dtype=float)))


def lap_cdf(k: Any, t: float) -> np.ndarray:
    """``Pr[λ <= k]`` (closed form of the two geometric tails)."""
    k = np.floor(np.asarray(k, dtype=float))
    z = 1 + math.exp(-t)
    return np.where(k >= 0, 1 - np.exp(-t * (np.maximum(k, 0) + 1)) / z,
                    np.exp(t * np.minimum(k, 0)) / z)


def truncation(t: float, tail: float = 1e-16) -> tuple[int, float]:
    """``K`` with ``Pr[|λ| > K] <= tail`` and the exact value of that probability."""
    K = int(math.ceil(math.log(2 / tail) / t))
    return K, 2 * math.exp(-t * (K + 1)) / (1 + math.exp(-t))


@dataclass(frozen=True)
class Outputs:
    """The output space: ``outputs[j] = (a, g)`` with ``g[o] = gap or -1`` (not released)."""

    nO: int
    M: int
    items: list[tuple[int, tuple[int, ...]]]

    @staticmethod
    def make(nO: int, M: int) -> Outputs:
        """Enumerate the ``|O| (M+1)^{|O|-1}`` outputs."""
        items = []
        for a in range(nO):
            opts = [list(range(1, M + 1)) + [-1] if o > a else list(range(0, M)) + [-1]
                    for o in range(nO) if o != a]
            for combo in itertools.product(*opts):
                g = list(combo)
                g.insert(a, 0)
                items.append((a, tuple(g)))
        return Outputs(nO, M, items)

    def payments(self, types: np.ndarray) -> np.ndarray:
        """``P(θ, o*, π)`` for every type (rows) and output (columns)."""
        nO = self.nO
        out = np.zeros((types.shape[0], len(self.items)))
        for j, (a, g) in enumerate(self.items):
            best = np.zeros(types.shape[0])
            for o in range(nO):
                if o == a or g[o] < 0:
                    continue
                v = g[o] + (a - o) / nO
                best = np.maximum(best, types[:, a] - types[:, o] - v)
            out[:, j] = best
        return out

    def outcome(self) -> np.ndarray:
        """The selected outcome ``o*`` of every output."""
        return np.array([a for a, _ in self.items])


def distribution(W: np.ndarray, eps: float, M: int, tail: float = 1e-16
                 ) -> tuple[np.ndarray, float, Outputs]:
    """``Pr[(o*, π)]`` for a batch of value vectors ``W`` (shape ``(B, |O|)`` or ``(|O|,)``).

    Returns the probabilities (``(B, N)``, in :meth:`Outputs.make` order), the tail bound and
    the output space.
    """
    W = np.atleast_2d(np.asarray(W, dtype=float))
    B, nO = W.shape
    t = eps / (M * nO)
    K, tl = truncation(t, tail)
    j = np.arange(-K, K + 1, dtype=float)
    pa = lap_pmf(j, t)
    outs = Outputs.make(nO, M)
    blocks = []
    for a in range(nO):
        facs = []
        for o in range(nO):
            if o == a:
                continue
            rel = np.arange(1, M + 1) if o > a else np.arange(0, M)
            thr = M + 1 if o > a else M
            shift = (W[:, a] - W[:, o])[:, None, None]          # B x 1 x 1
            f_rel = lap_pmf(j[None, None, :] + shift - rel[None, :, None], t)
            f_not = lap_cdf(j[None, None, :] + shift - thr, t)
            facs.append(np.concatenate([f_rel, f_not], axis=1))  # B x (M+1) x J
        letters = "cdefgh"[: nO - 1]
        spec = "j," + ",".join(f"b{c}j" for c in letters) + "->b" + letters
        blocks.append(np.einsum(spec, pa, *facs).reshape(B, -1))
    return np.concatenate(blocks, axis=1), nO * tl, outs


def all_types(nO: int, M: int) -> np.ndarray:
    """Every type ``{0..M}^{|O|}`` (the zero vector is the non-participation type ⊥)."""
    return np.array(list(itertools.product(range(M + 1), repeat=nO)), dtype=float)


def verify_others(W_others: np.ndarray, eps: float, M: int, F: PrivacyBound,
                  types: np.ndarray | None = None) -> dict[str, Any]:
    """Gains (★) of every lie for every true type, with the others' values ``W_others`` fixed.

    Also returns the exact ε-DP level over the reports and the ingredients of Lemmas 7.3/7.4.
    """
    nO = W_others.size
    types = all_types(nO, M) if types is None else types
    prob, tl, outs = distribution(W_others[None, :] + types, eps, M)
    with np.errstate(divide="ignore"):
        lr = log_ratio_per_outcome(np.log(prob))
    b = bounds_from_logratio(F, lr)
    pay = outs.payments(types)                                 # pay[t, j]
    val = types[:, outs.outcome()]                             # val[a, j] = θ_a[o*]
    util = val[:, None, :] - pay[None, :, :]                   # util[a, t, j]
    g = gains_table(prob, b, util)
    return {"gains": g, "log_ratio": lr, "prob": prob, "tail_bound": tl, "outputs": outs,
            "types": types, "util": util}


def coupled(W_others: np.ndarray, th: np.ndarray, th2: np.ndarray, eps: float, M: int
            ) -> tuple[float, float]:
    """``Pr_r[o* changes]`` and ``Pr_r[o* same ∧ π changes]`` under the common noise ``r``."""
    nO = W_others.size
    t = eps / (M * nO)
    K, _ = truncation(t)
    j = np.arange(-K, K + 1, dtype=float)
    W, W2 = W_others + th, W_others + th2
    delta = th2 - th
    same = 0.0
    same_pi = 0.0
    for a in range(nO):
        f_same = lap_pmf(j, t)        # λ_a = j (relative to 0)
        f_pi = f_same.copy()
        for o in range(nO):
            if o == a:
                continue
            off = 1 if o > a else 0
            lim = np.minimum(W[a] - W[o], W2[a] - W2[o]) + j - off
            f_same = f_same * lap_cdf(lim, t)
            if delta[a] != delta[o]:
                thr = M + 1 if o > a else M
                lim2 = np.minimum(W[a] - W[o], W2[a] - W2[o]) + j - thr
                f_pi = f_pi * lap_cdf(lim2, t)
            else:
                f_pi = f_pi * lap_cdf(lim, t)
        same += float(f_same.sum())
        same_pi += float(f_pi.sum())
    return 1.0 - same, same - same_pi


def others_vectors(n: int, nO: int, M: int) -> np.ndarray:
    """Every ``W_-i`` of ``n-1`` others up to a common shift (min coordinate 0)."""
    R = (n - 1) * M
    vs = np.array(list(itertools.product(range(R + 1), repeat=nO)), dtype=float)
    return vs[vs.min(axis=1) == 0]


# ----------------------------------------------------------------------------- CLI problem
@dataclass(frozen=True)
class VCGInstance:
    """``{"problem": "vcg", "utilities": [[...], ...], "epsilon": e, "max_utility": M}``."""

    utilities: tuple[tuple[int, ...], ...]
    epsilon: float
    max_utility: int
    privacy_bound: PrivacyBound | None = None


def parse(raw: Mapping[str, Any]) -> VCGInstance:
    """Validate: utilities are integers in ``{0..M}``, one row per player."""
    raw = require_mapping(raw)
    reject_unknown(raw, ("problem", "name", "description", "utilities", "epsilon",
                         "max_utility", "privacy_bound"))
    M = as_int(require(raw, "max_utility"), "max_utility", minimum=1)
    U = as_array(require(raw, "utilities"), "utilities", ndim=2, integer=True, minimum=0,
                 maximum=M, min_len=2)
    eps = parse_epsilon(raw)
    F = parse_privacy_bound(raw["privacy_bound"]) if "privacy_bound" in raw else None
    if F is not None and (M + 1) ** U.shape[1] > MAX_TYPES:
        raise SizeLimitError("utilities", f"(M+1)^|O| = {(M + 1) ** U.shape[1]} types exceed "
                             f"the verifier's limit {MAX_TYPES}",
                             "the distribution without 'privacy_bound'")
    if U.shape[1] > 6:
        raise InstanceError("utilities", f"must have at most 6 outcomes, got {U.shape[1]}")
    return VCGInstance(tuple(tuple(int(v) for v in r) for r in U), eps, M, F)


def solve(inst: VCGInstance, opts: Any = None) -> dict[str, Any]:
    """Exact output distribution, expected welfare and payments, and the verifier."""
    t0 = time.perf_counter()
    U = np.array(inst.utilities, dtype=float)
    M = inst.max_utility
    W = U.sum(axis=0)
    prob, tl, outs = distribution(W, inst.epsilon, M)
    p = prob[0]
    oc = outs.outcome()
    p_out = np.bincount(oc, weights=p, minlength=U.shape[1])
    ew = float(p_out @ W)
    pay = outs.payments(U) @ p
    out: dict[str, Any] = {
        "status": "optimal", "objective": ew, "backend": "exact:truncated-summation",
        "outcome_distribution": p_out, "expected_welfare": ew,
        "optimal_welfare": float(W.max()), "expected_payments": pay, "tail_bound": tl,
        "outputs": len(outs.items),
    }
    if inst.privacy_bound is not None:
        worst = -math.inf
        arg: dict[str, Any] = {}
        dp = 0.0
        types = all_types(U.shape[1], M)
        for i in range(U.shape[0]):
            Wo = W - U[i]
            r = verify_others(Wo, inst.epsilon, M, inst.privacy_bound, types)
            dp = max(dp, float(r["log_ratio"].max()))
            a = int(np.flatnonzero((types == U[i]).all(axis=1))[0])
            r["gains"][a, a] = -np.inf         # the truthful report is not a lie
            k = int(np.argmax(r["gains"][a]))
            if r["gains"][a, k] > worst:
                worst = float(r["gains"][a, k])
                arg = {"player": i, "report": types[k].astype(int).tolist()}
        nO = U.shape[1]
        F = inst.privacy_bound
        out.update(truthful=bool(worst <= 0), worst_gain=worst, worst_misreport=arg,
                   dp_level=dp,
                   paper_condition=bool(2 * F(math.exp(inst.epsilon)) * nO
                                        * (1 + 2 * M * math.exp(inst.epsilon / nO)) <= 1))
    out["seconds"] = time.perf_counter() - t0
    return out
