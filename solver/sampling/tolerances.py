"""Named tolerances of the sampling problems (relative to the instance's scale throughout).

Every tolerance here multiplies a quantity in the instance's own units (the largest
payment, the price Π, a lottery's spread), so scaling every amount of money by 10^k leaves
each decision unchanged.
"""

#: Below this value of |a|·(spread of a lottery) the CARA certainty equivalent is computed
#: by its cumulant series to fourth order (truncation error ~ (|a|·spread)^4 / 120 of the
#: spread, below 1e-18 here); above it by ``expm1``/``log1p``.
CARA_SERIES_MAX = 1e-4
#: Above this value of |a|·spread the CARA certainty equivalent is computed by a
#: log-sum-exp (no ``1 + tiny`` cancellation and no overflow for any a or payment).
CARA_LOGSUMEXP_MIN = 1.0
#: Below this value of max|X| / w (lottery against background wealth) the CRRA certainty
#: equivalent is E[X] − γ Var(X)/(2w) (error O((max|X|/w)²) = 1e-16 of max|X| here).
CRRA_SERIES_MAX = 1e-8
#: A CE Mechanism threshold must save more than this fraction of Π per unit (Section 4.2:
#: Π − r̄ > tol·|Π|) to count, so that round-off in a certainty equivalent of a degenerate
#: lottery creates no threshold.
THRESHOLD_GAIN = 1e-12
#: Relative tolerance (of the largest payment) of the a-posteriori checks on Π^OPT: the
#: recomputed cost against the solver's objective and bound, the LP relaxation below it,
#: the ordering and independent distributions above it.
CERTIFICATE = 1e-7
#: Largest distance, in sellers, of a backend's integer variable (y_k, the number of sellers
#: of degree >= k) from an integer; backends' own integrality tolerances are 1e-6 to 1e-9.
#: The rounded histogram is then checked exactly (Gale–Ryser in integers) and its cost
#: recomputed, so this only decides whether the rounding is trusted at all.
INTEGRALITY = 1e-5
#: Relative tolerance of the Lemma 4.2 mean check on an explicit distribution p.
MEAN_COUNT = 1e-9
#: Second differences of a cost row up to this fraction of the largest cost count as zero
#: when ``costs_concave`` is reported.
CONCAVITY = 1e-12
#: Slack on a misreport gain in a truthfulness claim, in money (certainty-equivalent) units,
#: for round-off in certainty equivalents; also the ex-post IR slack and (relative to the
#: certainty equivalent's scale) the Corollary 4.5 comparison.
MISREPORT_GAIN = 1e-7
#: The CE Mechanism's price against the Baseline's (and the Baseline's against c^max), in
#: money units: sums of a thousand certainty equivalents round to a few 1e-12 of them.
PRICE_COMPARISON = 1e-8
#: Printed precision of a dollar price in [GAH12, Section 4.3] ("$6.53"): half a cent.
PRINTED_CENT = 0.005
