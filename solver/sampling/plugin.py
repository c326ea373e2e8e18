"""Registers the sampling problems and claims (imported by :mod:`solver.plugins`)."""

from . import claims_mechanisms, claims_optimum, cli_problem, experiments  # noqa: F401
