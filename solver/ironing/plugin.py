"""Registers the ironing problem and its claims (imported by :mod:`solver.plugins`)."""

from . import claims, cli_problem  # noqa: F401
