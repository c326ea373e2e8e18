"""Placeholder: the sharing evaluator, shipped algorithms and families of solver.bench."""
