"""Registers the pricing problem and its claims (imported by :mod:solver.plugins)."""
