"""Registers the sharing problem and its claims (imported by :mod:solver.plugins)."""
