"""The one optimisation interface: :class:`LinearProgram`, :class:`Solution`, :func:`solve`."""

from .problem import LinearProgram
from .result import STATUSES, Solution
from .solve import available_backends, backend_names, get_backend, solve

__all__ = ["STATUSES", "LinearProgram", "Solution", "available_backends", "backend_names",
           "get_backend", "solve"]
