"""Truthfulness verifier: the largest gain any privacy utility of Assumption 3.1 gives a lie.

Fix player ``i``, the others' reports ``θ_-i``, the true type ``a`` and a misreport ``t``.
Let ``P = M(a, θ_-i)`` and ``Q = M(t, θ_-i)`` be the outcome distributions and ``u_P, u_Q`` the
player's outcome utility (minus payment, Section 7) on each output.  Under Assumption 3.1 the
privacy utility ``U(o) = U^priv(a, o, M, θ_-i)`` is *one* function of the outcome (it does not
depend on the report, Section 3) constrained only by ``|U(o)| <= b(o) := F(ratio(o))``, where
``ratio(o)`` is the max/min over *all* reports of ``Pr[M(·, θ_-i) = o]``.  The adversarial
gain of the lie (Definition 3.4, truthfulness in expectation) is the LP

    max_U   E_Q[u_Q] - E_P[u_P] + Σ_o (Q(o) - P(o)) U(o)    s.t.  -b(o) <= U(o) <= b(o),

whose optimum sets ``U(o) = b(o) sign(Q(o) - P(o))`` (the same argument as Lemma 5.2), giving
the closed form

    gain = E_Q[u_Q] - E_P[u_P] + Σ_o |Q(o) - P(o)| b(o)                         (★)

(with ``0 · ∞ = 0``; an outcome with ``b = ∞`` and ``Q ≠ P`` makes the gain ``+∞``).  The
mechanism is certified truthful on an instance when every gain is ``<= 0``.  For *universal*
truthfulness with a coupling ``r`` (Definition 3.4, second part) the per-``r`` gain is
``u(o') - u(o) + b(o) + b(o')`` whenever the coupled outcomes differ, so its worst case is a
max over the outcome pairs that can co-occur.
"""

from __future__ import annotations

import numpy as np

from ..opt import LinearProgram, solve
from .model import PrivacyBound


def gain_closed_form(P: np.ndarray, Q: np.ndarray, uP: np.ndarray, uQ: np.ndarray,
                     b: np.ndarray) -> float:
    """The adversarial gain (★) of reporting ``Q``'s type instead of ``P``'s."""
    P, Q, uP, uQ, b = (np.asarray(v, dtype=float) for v in (P, Q, uP, uQ, b))
    d = np.abs(Q - P)
    with np.errstate(invalid="ignore"):
        priv = np.where(d > 0, d * np.where(np.isinf(b), np.inf, b), 0.0)
    return float(Q @ uQ - P @ uP + priv.sum())


def gain_lp(P: np.ndarray, Q: np.ndarray, uP: np.ndarray, uQ: np.ndarray, b: np.ndarray,
            backend: str = "auto") -> tuple[float, object]:
    """The same gain solved as the LP over ``U`` through :func:`solver.opt.solve`.

    Returns the gain and the :class:`~solver.opt.Solution` (its certificate).
    """
    P, Q, uP, uQ, b = (np.asarray(v, dtype=float) for v in (P, Q, uP, uQ, b))
    lp = LinearProgram(c=Q - P, lb=-b, ub=b, sense="max", offset=float(Q @ uQ - P @ uP),
                       A_ub=np.zeros((1, P.size)), b_ub=np.zeros(1))
    sol = solve(lp, backend=backend)
    if sol.status == "unbounded":
        return float("inf"), sol
    sol.certify()
    return float(sol.objective), sol


def bounds_from_logratio(F: PrivacyBound, log_ratio: np.ndarray) -> np.ndarray:
    """``b(o) = F(ratio(o))`` from log-ratios (``inf`` stays ``inf`` for κ > 0)."""
    lr = np.asarray(log_ratio, dtype=float)
    finite = np.isfinite(lr)
    out = np.full(lr.shape, np.inf)
    if finite.any():
        out[finite] = F.of_log_ratio(lr[finite])
    return out


def gains_table(prob: np.ndarray, b: np.ndarray, util: np.ndarray,
                true_types: np.ndarray | None = None) -> np.ndarray:
    """Gains (★) of every misreport for every true type, with ``θ_-i`` fixed.

    Parameters
    ----------
    prob
        ``prob[t, o] = Pr[M(t, θ_-i) = o]`` for every report ``t``.
    b
        Privacy bound per outcome, ``F(ratio(o))``.
    util
        ``util[a, t, o]``: utility of true type ``a`` on outcome ``o`` after reporting ``t``
        (outcome utility minus payment); shape ``(A, T, O)``, or ``(A, O)`` when the report
        does not enter (no payments).
    true_types
        Row of ``prob`` that each true type ``a`` reports when truthful (default ``arange``).

    Returns
    -------
    numpy.ndarray
        ``gain[a, t]``; the diagonal (truthful report) is 0.
    """
    prob = np.asarray(prob, dtype=float)
    util = np.asarray(util, dtype=float)
    A = util.shape[0]
    T = prob.shape[0]
    if util.ndim == 2:
        util = np.broadcast_to(util[:, None, :], (A, T, util.shape[1]))
    rows = np.arange(A) if true_types is None else np.asarray(true_types)
    eu = np.einsum("to,ato->at", prob, util)                  # E_{M(t)}[u_a(·; t)]
    base = eu[np.arange(A), rows]                              # truthful
    d = np.abs(prob[None, :, :] - prob[rows][:, None, :])      # |Q - P| per (a, t, o)
    bb = np.broadcast_to(b, d.shape)
    with np.errstate(invalid="ignore"):                        # 0 · inf is taken as 0
        priv = np.where(d > 0, d * bb, 0.0).sum(axis=2)
    g = eu - base[:, None] + priv
    g[np.arange(A), rows] = 0.0
    return g


def gains_of_type(prob: np.ndarray, b: np.ndarray, util_a: np.ndarray, a: int) -> np.ndarray:
    """Row ``a`` of :func:`gains_table` (reports do not enter the utility): ``O(T·O)``.

    ``util_a[o]`` is the true type's utility of outcome ``o``; ``gain[a] = 0``.
    """
    prob = np.asarray(prob, dtype=float)
    eu = prob @ np.asarray(util_a, dtype=float)
    d = np.abs(prob - prob[a])
    with np.errstate(invalid="ignore"):
        priv = np.where(d > 0, d * np.broadcast_to(b, d.shape), 0.0).sum(axis=1)
    g = eu - eu[a] + priv
    g[a] = 0.0
    return g


def universal_gain(u_truth: float, u_lie: float, b_truth: float, b_lie: float) -> float:
    """Per-coin gain of a lie that moves the outcome (Definition 3.4, universal)."""
    return float(u_lie - u_truth + b_truth + b_lie)
