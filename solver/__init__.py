"""solver: an optimisation-backed mechanism solver for data markets and privacy pricing.

Every optimum it reports carries its certificate (status, objective, bound, gap, backend);
see :mod:`solver.opt` for the one optimisation interface and the README for the design
problems.  Importing this package is cheap: the design problems load on first use.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__: str = version("solver")
except PackageNotFoundError:  # pragma: no cover - running from a source tree not installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
