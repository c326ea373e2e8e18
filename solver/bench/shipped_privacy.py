"""Placeholder: the privacy evaluator, shipped algorithms and families of solver.bench."""
