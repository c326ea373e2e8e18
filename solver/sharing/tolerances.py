"""Tolerances of the sharing package (shared ones live in :mod:`solver.tolerances`)."""

#: Two profile values within TIE count as tied (notes §7 A13); the tie-break then applies.
TIE = 1e-10
#: Largest allowed difference between Gray-code (rank-one updated) and direct values.
DRIFT = 1e-8
#: |E[Φ A] - E[Φ̄ A]| allowed with the ironed Φ̄ (PAVA on a 4000-point quantile grid, so
#: Φ̄ is flat only up to the grid's resolution; observed ≤ 2e-4).
IRONED_GRID = 1e-3
