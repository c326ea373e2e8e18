"""Ordered-item pricing and the mean-estimation data marketplace [CCK25].

The problem: :class:`PricingInstance` (valuations ``v_j(1..N)`` as in instance files,
validated at construction) and :func:`solve` (rev^OPT(N) [CCK25, eq. (2)] or the profit
OPT [CCK25, eq. (3)], with its certificate, as ``solver solve`` prints it).

The building blocks take valuation arrays in the paper's convention, rows
``v_j(0), ..., v_j(N)`` with ``v_j(0) = 0`` (:attr:`PricingInstance.V`), and refuse any
other (:func:`as_valuations`; ``from_one=True`` where offered takes ``v_j(1..N)`` rows):
:func:`ef_revenue` (the exact MILP, eq. (2)), the single-crossing DP :func:`dp_revenue`
(:func:`single_crossing_order`), the certified row-generated root bound
:func:`root_bound`, :func:`purchases` and :func:`curve_revenue`
(ordered-item pricing, eq. (4)-(5)), :func:`profit_opt` and :func:`algorithm1` (eq. (3),
Algorithm 1), the approximation algorithms :func:`grid_dp`, :func:`k_types_enumeration` and
:func:`local_search`, the eq. (11) valuations :func:`valuation_curve`, and Algorithm 2
(:func:`build_mechanism`, :func:`simulate`).  Importing this package registers nothing
(:mod:`solver.pricing.plugin` does).
"""

from __future__ import annotations

from .approx import grid_dp, k_types_enumeration, local_search
from .bounds import RootBound, root_bound
from .envy_free import (
    RevenueResult,
    as_valuations,
    brute_force_revenue,
    curve_revenue,
    ef_revenue,
    is_envy_free,
    lemma1_curve,
    merge_identical_buyers,
    optimal_prices,
    purchases,
    single_price_revenue,
)
from .evaluate import check_answer
from .families import instance_dict, random_valuations
from .mechanism import (
    Mechanism,
    Strategy,
    best_deviation,
    build_mechanism,
    expected_utility,
    honest,
    simulate,
)
from .problem import ErrorValueSpec, PricingInstance, solve
from .profit import ProfitResult, algorithm1, profit_opt
from .single_crossing import dp_revenue, is_single_crossing, single_crossing_order
from .valuations import valuation_curve

__all__ = [
    "ErrorValueSpec", "Mechanism", "PricingInstance", "ProfitResult", "RevenueResult", "RootBound",
    "Strategy", "algorithm1", "as_valuations", "best_deviation", "brute_force_revenue",
    "build_mechanism", "check_answer", "curve_revenue", "dp_revenue", "ef_revenue",
    "expected_utility", "grid_dp", "honest", "instance_dict", "is_envy_free", "is_single_crossing",
    "k_types_enumeration", "lemma1_curve", "local_search", "merge_identical_buyers",
    "optimal_prices", "profit_opt", "purchases", "random_valuations", "root_bound", "simulate",
    "single_crossing_order", "single_price_revenue", "solve", "valuation_curve",
]
