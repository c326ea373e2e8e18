"""Registers the pricing problem and its claims (imported by :mod:`solver.plugins`)."""

from ..problems import register_problem
from . import claims  # noqa: F401  (registers the pricing.* claims)
from .cli_problem import parse, solve

register_problem(
    "pricing", parse, solve,
    "Envy-free data pricing (Chen-Clinton-Kandasamy): rev^OPT(N) by MILP, ordered-item "
    "pricing curve, profit OPT over N",
)
