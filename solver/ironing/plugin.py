"""Registers the ironing problem and its claims (imported by :mod:solver.plugins)."""
