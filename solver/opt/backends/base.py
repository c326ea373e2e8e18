"""What a backend declares and must do.

A backend turns a :class:`~solver.opt.problem.LinearProgram` into a
:class:`~solver.opt.result.Solution`.  It never knows which paper a model came from.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from ..problem import LinearProgram
from ..result import Solution


class Backend(ABC):
    """Abstract backend.

    Attributes
    ----------
    name
        Registry name (``"highs"``, ``"cvxpy:CLARABEL"``, ``"pulp:CBC"``, ...).
    supports_integer, supports_quadratic
        Capabilities; :func:`solver.opt.solve` refuses a model the backend cannot handle.
    gives_bound
        Whether a time-limited MILP reports a best bound (otherwise ``bound`` is ``nan``).
    honours_time_limit
        Whether a solve returns within its time limit plus about a second on its own.  For a
        backend that does not, :func:`solver.opt.solve` runs a time-limited solve in a worker
        process and kills it past the limit (:mod:`solver.opt.backends.isolation`).
    overrun_per_nonzero
        Seconds by which the backend is measured to overrun its limit per non-zero of the
        model (its clock is looked at between iterations that grow with the model);
        :func:`solver.opt.solve` hands it that much less time.
    supports_lazy_rows, supports_cutting_planes
        Whether the backend can re-solve an LP after adding rows, from the previous basis:
        ``solve_lazy`` (rows from a given pool, added when violated:
        :func:`solver.opt.lazy.solve_lazy_lp`) and ``solve_cuts`` (rows from a separation
        callback, in rounds: :func:`solver.opt.lazy.solve_cutting_planes`).  Only ``highs``
        has them (``scipy.optimize.linprog`` cannot add rows).
    """

    name: str = ""
    supports_integer: bool = False
    supports_quadratic: bool = False
    gives_bound: bool = False
    honours_time_limit: bool = True
    overrun_per_nonzero: float = 0.0
    supports_lazy_rows: bool = False
    supports_cutting_planes: bool = False

    @abstractmethod
    def is_installed(self) -> bool:
        """Whether the underlying package (and solver) can be imported and run."""

    def can_solve(self, problem: LinearProgram) -> bool:
        """Whether this backend handles the problem's features."""
        if problem.is_mip and not self.supports_integer:
            return False
        if problem.is_quadratic and not self.supports_quadratic:
            return False
        if problem.is_mip and problem.is_quadratic:
            return False  # no MIQP backend is wired in
        return True

    def why_not(self, problem: LinearProgram) -> str:
        """Human-readable reason why :meth:`can_solve` is false."""
        if not self.is_installed():
            return "not installed"
        if problem.is_mip and problem.is_quadratic:
            return "mixed-integer quadratic programs are not supported"
        if problem.is_mip and not self.supports_integer:
            return "does not support integer variables"
        if problem.is_quadratic and not self.supports_quadratic:
            return "does not support a quadratic objective"
        return ""

    @abstractmethod
    def solve(self, problem: LinearProgram, time_limit: float | None = None,
              options: dict | None = None) -> Solution:
        """Solve ``problem``; never raises for solver-side failures (status ``"error"``).

        ``options`` are passed to the underlying solver unchanged (HiGHS option names for
        ``highs``, solver keyword arguments for cvxpy, solver parameters for PuLP).
        """
