"""Tolerances of the sharing package (shared ones live in :mod:`solver.tolerances`)."""

#: Two profile values within TIE count as tied (re-derived); the tie-break then applies.
TIE = 1e-10
#: Largest allowed difference between Gray-code (rank-one updated) and direct values.
DRIFT = 1e-8
#: |E[Φ A] - E[Φ̄ A]| allowed with the ironed Φ̄ (PAVA on a 4000-point quantile grid, so
#: Φ̄ is flat only up to the grid's resolution; observed ≤ 2e-4).
IRONED_GRID = 1e-3
#: Largest |Σ_ij - Σ_ji| accepted, relative to max |Σ_ij| (then Σ is symmetrised).
SYMMETRY = 1e-12
#: A-posteriori check of a reported profile (relative to the sum of the magnitudes of the
#: terms compared): leakage, prices, payoffs and surplus recomputed by LU solves, and no
#: single flip beating an "optimal" profile by more than this.
CHECK = 1e-8
#: Slack for a quantity that is exactly zero or of known sign in exact arithmetic, computed
#: from order-one values in a few operations (a payoff lower bound, the slope of an ironed
#: virtual value, the sign of a leakage difference): rounding only.
ROUNDING = 1e-12
#: Largest violation of leakage monotonicity (more sharers leak more) and of diminishing own
#: marginal leakage accepted (differences of LU-solved leakages of order one).
MONOTONE = 1e-10
#: Example B-1's finite-n threshold v_n* at n = 10^4 must be within this fraction of its
#: limit 1/(1-ρ)² (it converges at rate 1/n).
THRESHOLD_LIMIT = 0.01
#: Example B-1's closed-form values at n = 10^5 against their n → ∞ limits (error O(1/n)).
FINITE_N_LIMIT = 1e-3
#: Rate 1/n: the relative change of n·error over the last two decades of n stays below this.
RATE_DRIFT = 0.05
#: A deliberately wrong payment rule counts as caught when its payment-identity gap exceeds
#: this; rules are tried only where E[Φ A] exceeds it too.
DETECT = 1e-6
