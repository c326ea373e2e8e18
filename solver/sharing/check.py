"""A-posteriori check of a ``sharing`` answer by computations independent of the search.

The search reports leakages, prices and payoffs from Cholesky factorisations and (for the
enumeration) rank-one updates.  Here they are recomputed from the reported profiles alone
with LU solves (:func:`numpy.linalg.solve`): ``I_i(S)`` for every user, ``I_i(S ∖ i)`` for
each sharer by a solve without ``i`` (an LU inverse for large profiles), prices
``p_i = v_i (I_i(S) - I_i(S ∖ i))``, the platform payoff ``Σ I - Σ p``, the surplus
``Σ (1 - v_i) I_i`` at both profiles and the too-much-data gap.  For an answer labelled
optimal, no single flip of a user may improve the platform payoff or the first-best surplus
(a necessary condition of optimality, cheap and independent of the search's bounds).  For
an answer with a bound (greedy, time limit), the bound must not be below the payoff.

Every comparison is relative to the magnitude of the terms compared (tolerance
:data:`~.tolerances.CHECK`), on the normalised data of :mod:`.resources` (where the largest
one-user leakage is of order one), so it is scale invariant.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .objectives import evaluate, platform_objective, surplus_objective
from .tolerances import CHECK

#: Profiles with at most this many sharers get ``I_i(S ∖ i)`` by one solve per sharer.
DIRECT_MAX = 60
#: Largest number of users for the single-flip optimality test (n evaluations of O(n³)).
FLIP_CHECK_MAX = 200


def leakage_lu(sigma: np.ndarray, mask: np.ndarray, noise: float) -> np.ndarray:
    """``I_i(S)`` for every user by one LU solve (no Cholesky, no update)."""
    s = np.flatnonzero(mask)
    if s.size == 0:
        return np.zeros(sigma.shape[0])
    k = sigma[np.ix_(s, s)] + noise * np.eye(s.size)
    w = np.linalg.solve(k, sigma[s, :])
    return np.einsum("sj,sj->j", sigma[s, :], w)


def leakage_without_self(sigma: np.ndarray, mask: np.ndarray, noise: float) -> np.ndarray:
    """``I_i(S ∖ i)`` for each sharer ``i`` (``I_i(S)`` for the others), independently."""
    out = leakage_lu(sigma, mask, noise)
    s = np.flatnonzero(mask)
    if s.size == 0:
        return out
    if s.size <= DIRECT_MAX:
        for i in s:
            rest = s[s != i]
            if rest.size == 0:
                out[i] = 0.0
                continue
            k = sigma[np.ix_(rest, rest)] + noise * np.eye(rest.size)
            out[i] = float(sigma[i, rest] @ np.linalg.solve(k, sigma[rest, i]))
        return out
    # Var(s_i | s_{S∖i}) = 1 / (K^{-1})_ii = r + τ with r = Var(x_i | s_{S∖i})
    kinv = np.linalg.inv(sigma[np.ix_(s, s)] + noise * np.eye(s.size))
    r = np.maximum(1.0 / np.diag(kinv) - noise, 0.0)
    out[s] = out[s] - r * r / (r + noise)
    return out


def _close(a: float, b: float, scale: float) -> bool:
    return bool(abs(a - b) <= CHECK * max(scale, np.finfo(float).tiny))


def check_answer(sigma: np.ndarray, v: np.ndarray, noise: float,
                 res: Mapping[str, Any], optimal: bool) -> str | None:
    """The first failed check on a (normalised) answer, or ``None`` when all pass.

    Parameters
    ----------
    sigma, v, noise
        The normalised instance the answer was computed on.
    res
        ``profile``, ``leakage``, ``prices``, ``objective``, ``surplus``,
        ``first_best_profile``, ``first_best_surplus``, ``too_much_data_gap`` and, for a
        non-optimal answer, ``bound`` (normalised units).
    optimal
        Whether the answer is labelled optimal (adds the single-flip test).
    """
    n = sigma.shape[0]
    a = np.asarray(res["profile"]).astype(bool)
    fb = np.asarray(res["first_best_profile"]).astype(bool)
    inf = leakage_lu(sigma, a, noise)
    wo = leakage_without_self(sigma, a, noise)
    prices = np.where(a, v * (inf - wo), 0.0)
    rep_inf = np.asarray(res["leakage"], dtype=float)
    rep_p = np.asarray(res["prices"], dtype=float)
    if not (np.isfinite(rep_inf).all() and np.isfinite(rep_p).all()):
        return "reported leakage or prices are not finite"
    sc_i = float(np.abs(inf).max()) if n else 0.0
    bad = np.flatnonzero(np.abs(rep_inf - inf) > CHECK * max(sc_i, np.finfo(float).tiny))
    if bad.size:
        i = int(bad[0])
        return f"leakage of user {i} is {rep_inf[i]!r}, an LU solve gives {inf[i]!r}"
    sc_p = float(np.abs(prices).max()) if n else 0.0
    bad = np.flatnonzero(np.abs(rep_p - prices) > CHECK * max(sc_p, sc_i, np.finfo(float).tiny))
    if bad.size:
        i = int(bad[0])
        return f"price of user {i} is {rep_p[i]!r}, recomputed {prices[i]!r}"
    terms = float(np.abs(inf).sum() + np.abs(prices).sum())
    payoff = float(inf.sum() - prices.sum())
    if not _close(float(res["objective"]), payoff, terms):
        return f"objective {res['objective']!r} != sum of leakages - prices = {payoff!r}"
    surplus = float(((1 - v) * inf).sum())
    if not _close(float(res["surplus"]), surplus, float(np.abs((1 - v) * inf).sum())):
        return f"surplus {res['surplus']!r} != sum_i (1 - v_i) I_i = {surplus!r}"
    inf_fb = leakage_lu(sigma, fb, noise)
    fb_val = float(((1 - v) * inf_fb).sum())
    fb_terms = float(np.abs((1 - v) * inf_fb).sum())
    if not _close(float(res["first_best_surplus"]), fb_val, fb_terms):
        return f"first-best surplus {res['first_best_surplus']!r} != recomputed {fb_val!r}"
    if not _close(float(res["too_much_data_gap"]), fb_val - surplus, fb_terms + terms):
        return "too_much_data_gap != first-best surplus - equilibrium surplus"
    bound = res.get("bound")
    if bound is not None and np.isfinite(bound) and bound < payoff - CHECK * max(terms, 1.0):
        return f"bound {bound!r} is below the payoff {payoff!r} of a maximisation"
    if optimal and n <= FLIP_CHECK_MAX:
        # normalised data: one unit is the order of the largest one-user leakage
        for name, obj, prof, val, sc in (
                ("platform payoff", platform_objective(v), a, payoff, terms),
                ("first-best surplus", surplus_objective(v), fb, fb_val, fb_terms)):
            tol = CHECK * max(sc, 1.0)
            for j in range(n):
                flip = prof.copy()
                flip[j] = ~flip[j]
                w = evaluate(sigma, flip, obj, noise)
                if w > val + tol:
                    return (f"not optimal: flipping user {j} raises the {name} from {val!r} "
                            f"to {w!r}")
    return None
