"""Tolerances of the pricing package (numbers, not literals in code).

Every tolerance applied to valuations, prices or revenue is *relative*: it is multiplied by
the instance's value scale ``max |v|`` (:func:`solver.pricing.envy_free.value_scale`) or by
the largest revenue the instance admits (``sum_j v_j(N)``, the IRB bound), so that scaling
every valuation by ``10^k`` changes no decision of the code and scales every reported number
by ``10^k``.
"""

#: Feasibility slack when checking IRB/EFB of a scheme, relative to ``max |v|``.
FEAS = 1e-9
#: Utilities within ``TIE * max |v|`` of the maximum count as tied in eq. 4 (largest size
#: wins).
TIE = 1e-9
#: Agreement between two exact revenue computations (MILP vs enumeration, two backends),
#: relative to ``max(1, |revenue|)`` in tests on valuations in ``[0, 1]``.
REVENUE = 1e-6
#: Relative tolerance of numerical integrals against closed forms (eq. 11).
QUAD = 1e-7
#: A-posteriori check of a reported answer (:mod:`solver.pricing.evaluate`): recomputed and
#: reported revenues, bound and objective must agree within ``CHECK * sum_j v_j(N)``.
CHECK = 1e-7
#: Bellman-Ford on the price graph stops when no price improves by more than this, relative
#: to ``max |v|``: a zero-weight cycle of the difference constraints that rounding made
#: negative is not a negative cycle, and every constraint holds within it.
PRICE_SLACK = 1e-12
#: Smallest relative revenue improvement a heuristic step must make to be taken.
IMPROVE = 1e-12
#: Below this ``a = tau sqrt(m) / sigma`` the eq. 11 closed forms are evaluated by their
#: Taylor series (the closed forms cancel catastrophically as ``a -> 0``).
SERIES_BELOW = 0.1
#: Valuations below ``MODEL_ZERO * max |v|`` enter the MILPs as 0: below every solver's
#: tolerances they only make the model ill-conditioned (HiGHS called the pairwise MILP of
#: ``[[1e-300, 1e-300, 1], [5e-324, 1e-200, 1e-100]]`` infeasible); the scheme is repriced
#: on the exact values, so this changes no reported price beyond ``FEAS``.
MODEL_ZERO = 1e-12
#: Increasing differences (single-crossing valuations, :mod:`solver.pricing.
#: single_crossing`): after sorting the buyers, each increment ``v_j(m) - v_j(m - 1)`` may
#: fall by at most ``SINGLE_CROSSING * max |v|`` from one buyer to the next (rounding of
#: computed valuations); a larger fall means the DP does not apply.
SINGLE_CROSSING = 1e-12
#: Largest relative dual infeasibility of the duals behind a row-generated root bound
#: (:mod:`solver.pricing.bounds`) for the bound to count as certified.
ROOT_DUAL = 1e-9
#: A separated cut (:mod:`solver.pricing.cuts`) is added when the LP point violates it by more
#: than this, relative to ``max |v|`` (the cut LP is built on ``V / max |v|``).  Above the
#: LP's feasibility tolerance (1e-7 in HiGHS) a row already in the LP is never violated
#: by more than this, so no row is separated twice in a row.
CUT_VIOLATION = 1e-6
#: Sizes whose differences ``D(m) = v_j(m) - v_k(m)`` lie within this (relative to
#: ``max |v|``) of each other are one threshold class of the TH/SD cuts: a prefix of the
#: sizes sorted by ``D`` ends only where ``D`` drops by more, so rounding (a scaled copy of
#: the instance) cannot split a tie, and every prefix is a set ``{m : D(m) >= t}``.
CUT_TIE = 1e-12
#: The cut rounds stop when the certified bound improved by less than this (relative) per
#: round on average over the last :data:`~solver.pricing.cuts.STALL_ROUNDS` rounds.
CUT_STALL = 1e-5
