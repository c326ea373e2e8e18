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
