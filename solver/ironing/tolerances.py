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
#: Exhaustive checks of finitely many cases evaluated in closed form (acceptance
#: probabilities, utilities and misreport gains of a few products each, values of order
#: one): a violation beyond rounding.
EXHAUSTIVE = 1e-12
#: Lemma 3.7's unbiasedness: largest ``|mean(s) - n1|`` over the configurations, in standard
#: errors (a few dozen means of 2e4 to 4e5 draws; a false alarm at 5.5 has probability
#: about 4e-8 per mean).
BIAS_Z = 5.5
#: Lemma 3.7's failure probability is bounded by the upper end of a one-sided Wilson interval
#: at this error level (so a false FAIL has probability at most 1e-6 per configuration).
WILSON_ONE_SIDED = 1e-6
