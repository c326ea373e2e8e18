"""Tolerances of the ironing package (shared ones live in :mod:`solver.tolerances`).

All are relative: to ``max |H|`` for the cost curve, to the largest ironed virtual cost for
slopes, to the payment scale ``w * max cost`` for the procurement benchmarks; so an instance
whose costs are multiplied by any factor is judged alike.
"""

#: A-posteriori check of an ironing (:mod:`solver.ironing.certificate`): largest violation of
#: monotonicity, of ``G <= H`` and of "G touches H at its kinks and ends" (relative).
CERTIFICATE = 1e-8
#: A grid point counts as put on ``H`` by a backend when ``H - G <= POLISH_TOUCH * max|H|``
#: (:func:`solver.ironing.models.polish_minorant`; generous on purpose: extra candidates are
#: dropped by the hull, a missed vertex is caught by the certificate).
POLISH_TOUCH = 1e-5
#: Smallest probability mass of an atom, piece or mixture weight: below it the cumulative
#: distribution does not resolve the cell (``F_k - F_{k-1}`` loses all digits at 1e-16).
MASS_MIN = 1e-12
