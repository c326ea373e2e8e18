"""Tolerances of the pricing package (numbers, not literals in code)."""

#: Feasibility slack when checking IRB/EFB of a scheme or a shortest-path price vector.
FEAS = 1e-9
#: Utilities within TIE of the maximum count as tied in eq. 4 (largest size wins).
TIE = 1e-9
#: Agreement between two exact revenue computations (MILP vs enumeration, two backends).
REVENUE = 1e-6
#: Relative tolerance of numerical integrals against closed forms (eq. 11).
QUAD = 1e-7
