"""Registers the sampling problem and its claims (imported by :mod:solver.plugins)."""
