"""Tolerances of the sharing package (shared ones live in :mod:`solver.tolerances`)."""

#: Two profile values within TIE count as tied (notes §7 A13); the tie-break then applies.
TIE = 1e-10
#: Largest allowed difference between Gray-code (rank-one updated) and direct values.
DRIFT = 1e-8
