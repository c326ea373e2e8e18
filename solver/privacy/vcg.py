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
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import budget
from ..errors import InstanceError
from ..tolerances import EXACT as EXACT_TOL
from .model import PrivacyBound, log_ratio_per_outcome
from .tolerances import VCG_PROBABILITY_FLOOR
from .verifier import bounds_from_logratio, gains_table

#: Largest type space (M+1)^{|O|} the CLI verifier enumerates.
MAX_TYPES = 256
#: Largest number of outcomes |O| (the einsum of :func:`distribution` has one index each).
MAX_OUTCOMES = 6
#: Cost model (budget operations, ~1e8 a second): one (vector, output, noise value, outcome)
#: term of the truncated einsum (measured 1.2e8 to 4.3e8 a second), one (type, output,
#: outcome) step of the payment table, and the Python cost of one enumerated output (~1 µs).
COST_EINSUM_TERM = 1.0
COST_PAYMENT = 1.0
COST_OUTPUT = 100.0
#: Bytes per enumerated output in :class:`Outputs` (a tuple of |O| ints in a list).
BYTES_PER_OUTPUT = 120.0


def lap_pmf(k: Any, t: float) -> np.ndarray:
    """``Pr[λ = k] = tanh(t/2) e^{-t|k|}``."""
    return math.tanh(t / 2) * np.exp(-t * np.abs(np.asarray(k, dtype=float)))


def lap_cdf(k: Any, t: float) -> np.ndarray:
    """``Pr[λ <= k]`` (closed form of the two geometric tails)."""
    k = np.floor(np.asarray(k, dtype=float))
    z = 1 + math.exp(-t)
    return np.where(k >= 0, 1 - np.exp(-t * (np.maximum(k, 0) + 1)) / z,
                    np.exp(t * np.minimum(k, 0)) / z)


def truncation_point(t: float, tail: float = 1e-16) -> int:
    """``K`` with ``Pr[|λ| > K] <= tail`` (cheap for any ``t > 0``; capped at 1e15)."""
    if not t > 0:                        # ε / (M |O|) underflowed: no finite truncation
        return 10**15
    return int(min(math.ceil(math.log(2 / tail) / t), 1e15))


def truncation(t: float, tail: float = 1e-16) -> tuple[int, float]:
    """``K`` with ``Pr[|λ| > K] <= tail`` and the exact value of that probability."""
    K = truncation_point(t, tail)
    return K, 2 * math.exp(-t * (K + 1)) / (1 + math.exp(-t))


def cost(n_players: int, nO: int, M: int, eps: float, verify: bool) -> tuple[float, float]:
    """Estimated peak memory (bytes) and work (budget operations) of :func:`solve`.

    The distribution of one value vector (``B = 1``), and with ``verify`` one of all
    ``(M+1)^{|O|}`` types per player: each costs ``|O|`` einsum terms per (vector, output,
    noise value) and a ``B x N`` payment table, ``N = |O| (M+1)^{|O|-1}`` outputs.
    """
    t = eps / (M * nO)
    J = 2.0 * truncation_point(t) + 1
    N = nO * float(M + 1) ** (nO - 1)
    B = float(M + 1) ** nO if verify else 1.0
    rounds = n_players + 1 if verify else 1
    work = (COST_OUTPUT * N + rounds * (COST_EINSUM_TERM * B * N * J * nO
                                         + COST_PAYMENT * B * N * nO))
    per_block = (nO - 1) * B * (M + 1) * J + B * N / nO        # factors and einsum output
    memory = BYTES_PER_OUTPUT * N + 8.0 * (3 * per_block + 4 * B * N + 2 * J)
    if verify:
        memory += 8.0 * 4 * B * B * N                             # util[a, t, j] and gains
    return memory, work


def check_budget(n_players: int, nO: int, M: int, eps: float, verify: bool) -> None:
    """Refuse (exit 2) what :func:`solve` cannot do within the memory and work budget.

    The field named is ``epsilon`` when the noise truncation (``K ~ 37 M |O| / ε``) is the
    larger factor, ``max_utility`` when the output space (``|O| (M+1)^{|O|-1}``) is.
    """
    memory, work = cost(n_players, nO, M, eps, verify)
    t = eps / (M * nO)
    K = truncation_point(t)
    N = nO * float(M + 1) ** (nO - 1)
    what = (f"the exact output distribution of Mechanism 7.1 ({nO} outcomes, M = {M}: "
            f"{N:.3g} outputs, noise truncated at K = {K:.3g}"
            f"{'; the verifier over every type and player' if verify else ''})")
    field = "epsilon" if 2 * K + 1 > N else "max_utility"
    alt = None
    if verify:
        m0, w0 = cost(n_players, nO, M, eps, False)
        if m0 <= budget.current().max_memory and w0 <= budget.current().max_work:
            alt = "the distribution alone (no 'privacy_bound')"
    budget.check_memory(field, memory, what, alt)
    budget.check_work(field, work, what, alt)


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
    if not prob.min() >= VCG_PROBABILITY_FLOOR:
        # every output has positive probability; one this small may have lost its relative
        # accuracy (underflow), and its privacy ratio would be infinite for no reason
        raise InstanceError("epsilon", f"the verifier of Mechanism 7.1 needs every output "
                            f"probability above {VCG_PROBABILITY_FLOOR:g}; with epsilon = "
                            f"{eps:g}, M = {M} and these values the smallest is "
                            f"{prob.min():.3g} (underflow): use a smaller epsilon, or drop "
                            f"'privacy_bound' for the distribution alone")
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


def paper_condition(F: PrivacyBound, eps: float, nO: int, M: int) -> bool:
    """Theorem 7.5's condition ``2 F(e^ε) |O| (1 + 2M e^{ε/|O|}) <= 1``, in log space."""
    fe = F.of_log_ratio(eps)
    if fe == 0:
        return True
    # ln of the left side: ln 2 + ln F(e^ε) + ln |O| + ln(1 + 2M e^{ε/|O|})
    log_f = F.log_of_log_ratio(eps)
    log_tail = float(np.logaddexp(0.0, math.log(2 * M) + eps / nO))
    return bool(math.log(2 * nO) + log_f + log_tail <= 0)


def check_result(inst: Any, out: Mapping[str, Any]) -> str:
    """Recompute the answer from its own fields; ``""`` if it holds, else what failed.

    The outcome distribution is one (entries ``>= 0``, total 1 within the tail bound), the
    objective is its welfare (relative to the largest total value) and every expected
    payment lies in ``[0, M]`` (``π`` contains ``(o*, 0)``; no payment exceeds a gap of M).
    """
    p = np.asarray(out["outcome_distribution"], dtype=float)
    W = np.array(inst.utilities, dtype=float).sum(axis=0)
    scale = max(float(W.max()), 1.0)
    if not (np.all(np.isfinite(p)) and np.all(p >= 0)):
        return "the outcome distribution has a negative or non-finite entry"
    if abs(float(p.sum()) - 1) > out["tail_bound"] + EXACT_TOL:
        return f"the outcome distribution sums to {float(p.sum())!r}, not 1"
    if abs(float(p @ W) - out["objective"]) > EXACT_TOL * scale:
        return "the objective is not the welfare of the reported outcome distribution"
    pay = np.asarray(out["expected_payments"], dtype=float)
    M = inst.max_utility
    if not np.all((pay >= -EXACT_TOL * M) & (pay <= M * (1 + EXACT_TOL))):
        return "an expected payment lies outside [0, max_utility]"
    return ""
