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
