"""Backend registry: every backend the library knows, whether or not it is installed."""

from __future__ import annotations

from .base import Backend
from .cvxpy_backend import LP_SOLVERS, MIP_SOLVERS, QP_SOLVERS, CvxpyBackend
from .highs import HighsScipy
from .portfolio import PortfolioBackend
from .pulp_backend import PulpBackend


def all_backends() -> dict[str, Backend]:
    """Every known backend by name (installed or not), in order of preference for ``auto``."""
    out: dict[str, Backend] = {"highs": HighsScipy()}
    out["pulp:CBC"] = PulpBackend("CBC")
    out["pulp:HiGHS"] = PulpBackend("HiGHS")
    for s in dict.fromkeys(LP_SOLVERS + MIP_SOLVERS + QP_SOLVERS):
        out[f"cvxpy:{s}"] = CvxpyBackend(s)
    out["cvxpy"] = CvxpyBackend(None)
    out["pulp"] = PulpBackend("CBC")
    out["portfolio"] = PortfolioBackend()
    return out


__all__ = ["Backend", "CvxpyBackend", "HighsScipy", "PortfolioBackend", "PulpBackend",
           "all_backends"]
