"""Named tolerances of the privacy problems (relative to the data's scale unless stated).

The package-wide ones live in :mod:`solver.tolerances`; these are the privacy models' own.
"""

#: A-posteriori check of the LP benchmark's mechanism: every row is a probability
#: distribution, every ε-DP row ``e^{-ε} p[s,o] - p[s',o] <= 0`` and every truthfulness row
#: (divided by its largest coefficient) holds within this (probability units: unitless).
MECHANISM_FEASIBILITY = 1e-6
#: The welfare recomputed from the reported mechanism must equal the objective to this,
#: relative to the largest welfare of any outcome in any state.
WELFARE_AGREEMENT = 1e-7
#: LP coefficients below this fraction of their row's largest are dropped (the row changes
#: by at most this times the row's ``l1`` norm of probabilities, i.e. ``<= 2e-10``); an ε-DP
#: row with ``e^{-ε}`` below it is dropped altogether (``p[s',o] >= e^{-ε} p[s,o]`` is then
#: below every solver's feasibility tolerance, and the optimum moves by at most
#: ``|O| e^{-ε}`` of the welfare range, by mixing with a constant mechanism).
DROP_COEFFICIENT = 1e-10
#: Mechanism 7.1's verifier needs every output probability to relative accuracy: below this
#: a probability may have lost it (products of ``|O|`` factors underflow), and the verifier
#: refuses rather than report an infinite privacy ratio that is not there.
VCG_PROBABILITY_FLOOR = 1e-280
#: Mechanism 6.1's noise-difference pmf comes from numpy's linear-space convolution when every
#: entry of the two negative-binomial pmfs is above this (each is then exact to rounding and
#: only products below 1e-300 are lost, absolutely); a split where one is not (huge ε, or
#: hundreds of locations at small ε) is convolved in log space.
CONVOLUTION_FLOOR = 1e-300
#: A reported location matches a location if it is within this fraction of the smallest gap
#: between locations (scale free; the old absolute 1e-12 merged locations below 1e-12).
REPORT_MATCH = 1e-9
#: A truthfulness or IR claim checked exactly (closed-form pmfs, every histogram of the
#: others): the largest gain of a lie or of abstaining at the condition's threshold must be
#: at most this (utility units; the gains are differences of sums of order one).
GAIN_AT_THRESHOLD = 1e-12
#: Lemma 7.2's privacy ratio from Mechanism 7.1's exhaustive verifier: ln-ratio / ε may
#: exceed 1 by this (the output probabilities are products of ``|O|`` Laplace cdfs).
VCG_LOG_RATIO = 1e-6
#: Two outcomes' welfare losses closer than this (welfare units, of order n) count as
#: equal when a tail event ``loss >= Δ`` is formed.
WELFARE_TIE = 1e-12
#: The slope of ln(Pr) against the electorate size read off [CCKMV13, Section 1.2]'s
#: skewed-election example must match the printed -1/3 to this (three digits).
SLOPE = 1e-3
