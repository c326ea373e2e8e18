"""Placeholder: the ironing evaluator, shipped algorithms and families of solver.bench."""
