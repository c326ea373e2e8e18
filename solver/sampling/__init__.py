"""Pricing Private Data [GAH12]: unbiased sampling of sellers' data and its mechanisms.

The problems: :class:`SamplingInstance` (Π^OPT, the least expected payment per seller over
unbiased sampling distributions) and :class:`MechanismInstance` (the Baseline and CE
Mechanisms on reported costs), both validated at construction, and :func:`solve` (either
one, with its certificate, as ``solver solve`` prints it).

The building blocks take raw arrays in the paper's conventions and refuse any other:
``demands`` are sample sizes d_b in ``0..n``; p and π are indexed by the count
``k = 0..m``; general cost matrices of :mod:`solver.sampling.mechanisms` are
``c_i(0..m)`` with column 0 = 0 (:attr:`MechanismInstance.cost_matrix`), where instances
take ``c_i(1..m)`` rows.  Count distributions: :func:`ordering_distribution` (ψ*),
:func:`independent_distribution`, :func:`seller_counts`, :func:`ordering_bands`,
:func:`expected_payment`, :func:`mean_count`; Π^OPT: :func:`optimal_payment` (the certified
degree-histogram MILP), :func:`dp_optimum` and :func:`brute_force_optimum` (exhaustive
references), :func:`compact_lp` and :func:`subset_lp` (the LP over Ψ); mechanisms:
:func:`baseline_linear`, :func:`ce_linear`, :func:`baseline_general`, :func:`ce_general`,
:func:`run_truthful`, :func:`best_misreport`; risk attitudes: :class:`Utility`,
:func:`linear`, :func:`cara`, :func:`crra`, :func:`custom`, :func:`from_spec`; instance
families: :func:`theorem_5_1_instance`, :func:`theorem_5_1_instance_a`,
:func:`random_demands`, :func:`random_payment`, :func:`random_instance`.
Importing this package registers nothing (:mod:`solver.sampling.plugin` does).
"""

from __future__ import annotations

from .brute_force import brute_force_optimum, dp_optimum
from .distributions import (
    expected_payment,
    independent_distribution,
    mean_count,
    ordering_bands,
    ordering_distribution,
    seller_counts,
)
from .families import (
    random_demands,
    random_instance,
    random_payment,
    theorem_5_1_instance,
    theorem_5_1_instance_a,
)
from .mechanisms import (
    MechanismResult,
    baseline_general,
    baseline_linear,
    best_misreport,
    ce_general,
    ce_linear,
    run_truthful,
    sampling_distribution,
)
from .optimum import SamplingOptimum, optimal_payment
from .problem import MechanismInstance, SamplingInstance, payment_from_costs, solve
from .relaxation import RelaxationResult, compact_lp, subset_lp
from .utility import Utility, cara, crra, custom, from_spec, linear

__all__ = [
    "MechanismInstance", "MechanismResult", "RelaxationResult", "SamplingInstance",
    "SamplingOptimum", "Utility", "baseline_general", "baseline_linear", "best_misreport",
    "brute_force_optimum", "cara", "ce_general", "ce_linear", "compact_lp", "crra", "custom",
    "dp_optimum", "expected_payment", "from_spec", "independent_distribution", "linear",
    "mean_count", "optimal_payment", "ordering_bands", "ordering_distribution",
    "payment_from_costs", "random_demands", "random_instance", "random_payment",
    "run_truthful", "sampling_distribution", "seller_counts", "solve", "subset_lp",
    "theorem_5_1_instance", "theorem_5_1_instance_a",
]
