"""Virtual costs, ironing, optimal procurement and the Fleischer-Lyu mechanism [FL12].

The problem: :class:`IroningInstance` (a cost distribution, optionally ``units`` and
``players``; validated at construction) and :func:`solve` (virtual and ironed virtual
costs, the optimal BIC procurement payment, the envy-free benchmark and Mechanism 1's
payment, with the certificate, as ``solver solve`` prints it).

Building blocks (docs/ironing.md):

* distributions [FL12, Assumption 1]: :class:`Discrete` (atoms strictly increasing,
  probabilities not counts), :class:`PiecewiseUniform`, :class:`Continuous` (a frozen
  ``scipy.stats`` distribution), :func:`mixture`;
* ironing [FL12, Appendix A]: :func:`iron_slopes` (weighted isotonic regression by
  :func:`scipy.optimize.isotonic_regression`), :func:`iron_curve` and
  :class:`IronedCurve`; :func:`lower_convex_hull` and :func:`monotone_chain`, the
  independent hull;
* benchmarks [FL12, Section 4]: :func:`procurement_report` (accepts frozen ``scipy.stats``
  distributions too), :func:`optimal_payment_from_curve`, :func:`envy_free_benchmark`,
  :func:`mechanism_payment`, :func:`contract`.

Importing this package registers nothing (:mod:`solver.ironing.plugin` does).
"""

from __future__ import annotations

from .distributions import Continuous, Discrete, PiecewiseUniform, as_distribution, mixture
from .hull import lower_convex_hull, monotone_chain
from .ironing import IronedCurve, iron_curve, iron_slopes
from .problem import IroningInstance, solve
from .procurement import (
    ProcurementReport,
    contract,
    envy_free_benchmark,
    mechanism_payment,
    optimal_payment_from_curve,
    procurement_report,
)

__all__ = [
    "Continuous", "Discrete", "IronedCurve", "IroningInstance", "PiecewiseUniform",
    "ProcurementReport", "as_distribution", "contract", "envy_free_benchmark", "iron_curve",
    "iron_slopes", "lower_convex_hull", "mechanism_payment", "mixture", "monotone_chain",
    "optimal_payment_from_curve", "procurement_report", "solve",
]
