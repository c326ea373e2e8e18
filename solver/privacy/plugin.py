"""Registers the privacy problem and its claims (imported by :mod:solver.plugins)."""
