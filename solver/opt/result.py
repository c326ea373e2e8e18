"""The result of a solve, with its certificate.

Every optimum this library reports carries: status, objective, best bound, gap and backend.
Only ``status == "optimal"`` counts as proven; :meth:`Solution.certify` raises otherwise.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np

from ..errors import NotCertifiedError

Status = Literal["optimal", "time_limit", "infeasible", "unbounded", "error", "approximate"]
#: ``approximate`` is for heuristics and approximation algorithms asked for by name: a feasible
#: answer with no optimality proof (a bound and gap when the method has one).
STATUSES: tuple[str, ...] = ("optimal", "time_limit", "infeasible", "unbounded", "error",
                             "approximate")
#: Statuses that prove something about the model (the race of ``portfolio`` stops at them).
DEFINITIVE: tuple[str, ...] = ("optimal", "infeasible", "unbounded")
#: Statuses the command line answers with exit 0: a proven optimum, or the answer of a
#: heuristic asked for by name.
EXIT_OK_STATUSES: tuple[str, ...] = ("optimal", "approximate")
#: Statuses whose ``x`` is a point of the model (an optimum or an incumbent).
WITH_POINT: tuple[str, ...] = ("optimal", "time_limit")


@dataclass
class Solution:
    """Outcome of :func:`solver.opt.solve`.

    Attributes
    ----------
    status
        ``"optimal"`` (proven within the backend's MIP gap), ``"time_limit"`` (stopped early;
        ``x``/``objective`` are the incumbent if one exists, ``bound`` the best bound),
        ``"infeasible"``, ``"unbounded"`` or ``"error"``.
    x
        Primal solution (``None`` if none was found).
    objective
        Objective value of ``x`` in the problem's sense, offset included (``nan`` if none).
    bound
        Best proven bound on the optimum (equal to ``objective`` for a solved LP).
    gap
        Relative gap ``|objective - bound| / max(1, |objective|)``; ``0`` when proven optimal.
    duals
        Dual values where the backend provides them: keys ``"ub"`` and ``"eq"``
        (sensitivity of the objective in the problem's sense).
    backend
        Name of the backend, e.g. ``"highs"``, ``"cvxpy:CLARABEL"``, ``"pulp:CBC"``.
    seconds
        Wall-clock time of the backend call.
    message
        The backend's own status text.
    """

    status: Status
    x: np.ndarray | None
    objective: float
    bound: float
    gap: float
    backend: str
    seconds: float
    duals: dict[str, np.ndarray] | None = None
    message: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def failed(cls, backend: str, seconds: float, why: str, status: Status = "error",
               bound: float = float("nan"), extra: dict[str, Any] | None = None) -> Solution:
        """A result with no point: ``error`` by default, or ``infeasible``/``unbounded``/
        ``time_limit`` (then ``bound`` may carry the best bound found)."""
        return cls(status, None, float("nan"), bound, float("inf"), backend, seconds, None,
                   why, dict(extra or {}))

    @property
    def is_optimal(self) -> bool:
        """Whether the solve was proven optimal."""
        return self.status == "optimal"

    def certify(self) -> Solution:
        """Return ``self`` if proven optimal; raise :class:`NotCertifiedError` otherwise."""
        if self.status != "optimal":
            raise NotCertifiedError(
                f"solve not certified optimal: status={self.status}, objective={self.objective}, "
                f"bound={self.bound}, gap={self.gap}, backend={self.backend} ({self.message})"
            )
        return self

    def certificate(self) -> dict[str, Any]:
        """The certificate as a JSON-ready dict: status, objective, bound, gap, backend, seconds."""
        def f(v: float) -> float | None:
            return None if v is None or not np.isfinite(v) else float(v)

        return {
            "status": self.status,
            "objective": f(self.objective),
            "bound": f(self.bound),
            "gap": f(self.gap),
            "backend": self.backend,
            "seconds": round(float(self.seconds), 6),
        }

    def to_dict(self) -> dict[str, Any]:
        """All fields, arrays as lists."""
        d = asdict(self)
        d["x"] = None if self.x is None else np.asarray(self.x).tolist()
        if self.duals is not None:
            d["duals"] = {k: np.asarray(v).tolist() for k, v in self.duals.items()}
        return d


def relative_gap(objective: float, bound: float) -> float:
    """``|objective - bound| / max(1, |objective|)``; ``inf`` if either is not finite."""
    if objective is None or bound is None or not (np.isfinite(objective) and np.isfinite(bound)):
        return float("inf")
    return abs(objective - bound) / max(1.0, abs(objective))


def minimised_bound(value: float | None, problem: Any) -> float:
    """A solver's bound, reported for the minimisation it ran, in ``problem``'s own sense.

    Every wrapped solver minimises (a maximisation is handed over negated) and none of them
    sees the objective constant ``problem.offset``; both are put back here.  ``None``, a
    non-finite value or a ``±1e30`` "no bound" sentinel give ``nan``.
    """
    if value is None or not np.isfinite(value) or abs(value) >= 1e30:
        return float("nan")
    return (-float(value) if problem.sense == "max" else float(value)) + problem.offset
