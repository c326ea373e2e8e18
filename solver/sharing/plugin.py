"""Registers the sharing problem and its claims (imported by :mod:`solver.plugins`)."""

from . import claims, cli_problem, experiments  # noqa: F401
