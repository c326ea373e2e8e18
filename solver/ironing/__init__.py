"""Virtual costs, convex-hull ironing, optimal procurement and the Fleischer-Lyu mechanism.

Paper: Fleischer & Lyu, "Approximately Optimal Auctions for Selling Privacy when Costs are
Correlated with Data" (seed 001).  Sections 3-4 and Appendix A.

Stable API (other packages may rely on these signatures)
--------------------------------------------------------
``solver.ironing.hull.lower_convex_hull(x, y) -> numpy.ndarray[int64]``
    Indices of the strict lower-convex-hull vertices of points with strictly increasing
    ``x`` (first and last always included).  Vectorised; same output as
    ``solver.ironing.hull.monotone_chain(x, y)`` (the O(K) Python reference).
``solver.ironing.ironing.iron_slopes(slopes, weights) -> numpy.ndarray``
    Weighted isotonic regression (non-decreasing) of ``slopes`` with positive ``weights``,
    the slopes of the convex minorant of the cumulative-sum diagram (computed by vectorised
    pooling of adjacent violators, ``solver.ironing.pooling``); equal to
    ``scipy.optimize.isotonic_regression(slopes, weights=weights).x``.  Myerson ironing of
    virtual *values* ``psi(v) = v - (1 - F(v))/f(v)`` (selling): pass ``psi`` at values sorted
    increasingly with the masses (or cell probabilities) as weights; the result is the
    ironed virtual value, non-decreasing in ``v`` (slope of the convex hull of
    ``int_0^q psi(F^{-1}(t)) dt``).
``solver.ironing.ironing.iron_curve(q, H) -> IronedCurve``
    Ironing of a cost curve given at quantile points (fields ``G``, ``slopes``, ``ironed``,
    ``intervals``).
"""

from .hull import lower_convex_hull, monotone_chain
from .ironing import IronedCurve, iron_curve, iron_slopes

__all__ = ["IronedCurve", "iron_curve", "iron_slopes", "lower_convex_hull", "monotone_chain"]
