"""A-posteriori checks of an ironing answer, whatever method produced it.

Ironing (Fleischer-Lyu Appendix A) on a grid ``0 = q_0 < ... < q_K = 1`` with cost curve
``H`` reports ironed slopes ``g`` per cell.  With ``G = H_0 + cumsum(g w)`` they are the
ironing exactly when

1. ``g`` is non-decreasing (``G`` convex),
2. ``G <= H`` at every grid point (``G`` a minorant), and
3. ``G = H`` at both ends and at every kink of ``G`` (where ``g`` increases).

Sufficiency: between consecutive touching points ``a < b`` any convex minorant ``C`` has
``C <= H = G`` at ``a`` and ``b``, hence ``C <= G`` on ``[a, b]`` (``G`` is the chord there);
so ``G`` is the greatest convex minorant.  The slopes of the greatest convex minorant are
the weighted isotonic regression of the raw slopes, so this also certifies PAVA and the QP.

Procurement benchmarks (Section 4, derived in the notes): ``OPT = sum_k g_k dM_k`` with
``M(q) = E[min(Bin(n, q), w)]`` concave, so summation by parts gives
``n G(w/n) <= OPT <= sum_k h_k dM_k`` (the raw-virtual-cost payment of buying the w lowest
costs, a feasible BIC mechanism): both are checked.

Tolerances (:data:`~.tolerances.CERTIFICATE`) are relative to ``max |H|``, to the largest
ironed slope and to the payment scale, so the checks are scale invariant.
"""

from __future__ import annotations

import numpy as np

from .tolerances import CERTIFICATE


def check_ironing(q: np.ndarray, H: np.ndarray, ironed: np.ndarray,
                  tol: float = CERTIFICATE) -> str | None:
    """The first failed condition of the module docstring, or ``None``.

    Parameters
    ----------
    q, H
        The grid and the cost curve on it.
    ironed
        Reported ironed virtual cost on each of the ``K`` cells.
    tol
        Relative tolerance.
    """
    q = np.asarray(q, dtype=float)
    H = np.asarray(H, dtype=float)
    g = np.asarray(ironed, dtype=float)
    if g.shape != (q.size - 1,):
        return f"{g.size} ironed values for {q.size - 1} cells"
    if not np.isfinite(g).all():
        return "ironed virtual costs are not finite"
    w = np.diff(q)
    G = H[0] + np.concatenate(([0.0], np.cumsum(g * w)))
    sh = tol * max(float(np.max(np.abs(H))), np.finfo(float).tiny)
    sg = tol * max(float(np.max(np.abs(g))) if g.size else 0.0, np.finfo(float).tiny)
    dg = np.diff(g)
    bad = np.flatnonzero(dg < -sg)
    if bad.size:
        k = int(bad[0])
        return (f"ironed virtual costs decrease between cells {k} and {k + 1} "
                f"({float(g[k])!r} > {float(g[k + 1])!r})")
    over = G - H
    bad = np.flatnonzero(over > sh)
    if bad.size:
        k = int(bad[np.argmax(over[bad])])
        return f"the minorant exceeds the cost curve at q = {float(q[k])!r} by {over[k]:.3g}"
    if abs(G[-1] - H[-1]) > sh:
        return f"the minorant ends at {float(G[-1])!r}, not at H(1) = {float(H[-1])!r}"
    kinks = np.flatnonzero(dg > sg) + 1
    gap = H[kinks] - G[kinks]
    bad = np.flatnonzero(gap > sh)
    if bad.size:
        k = int(kinks[bad[np.argmax(gap[bad])]])
        return (f"the minorant has a kink at q = {float(q[k])!r} where it lies {H[k] - G[k]:.3g} "
                f"below the cost curve (not the greatest convex minorant)")
    return None


def check_payment(opt: float, ex_ante: float, raw_payment: float, scale: float,
                  tol: float = CERTIFICATE) -> str | None:
    """``ex_ante <= OPT <= raw_payment`` within ``tol * scale`` (module docstring)."""
    slack = tol * max(scale, np.finfo(float).tiny)
    if not np.isfinite(opt):
        return f"the optimal payment {opt!r} is not finite"
    if opt < ex_ante - slack:
        return f"the optimal payment {opt!r} is below the ex-ante bound n G(w/n) = {ex_ante!r}"
    if opt > raw_payment + slack:
        return (f"the optimal payment {opt!r} exceeds the payment {raw_payment!r} of buying "
                f"the w lowest costs")
    return None
