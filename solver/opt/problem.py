"""The one model type every design problem builds: a (mixed-integer) linear or quadratic program.

    minimise (or maximise)   c @ x + 0.5 * x @ Q @ x + offset
    subject to               A_ub @ x <= b_ub
                             A_eq @ x == b_eq
                             lb <= x <= ub          (entries may be +-inf)
                             x[j] integer where integrality[j]

Constraint matrices are ``scipy.sparse`` CSR throughout.  Problem modules construct a
``LinearProgram`` and call :func:`solver.opt.solve`; they never import a backend.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import scipy.sparse as sp

Sense = Literal["min", "max"]


def _as_csr(A, n: int, name: str) -> sp.csr_matrix:
    if A is None:
        return sp.csr_matrix((0, n))
    M = sp.csr_matrix(A, dtype=float)
    if M.shape[1] != n:
        raise ValueError(f"{name} has {M.shape[1]} columns, expected {n}")
    return M


def _as_vec(b, m: int, name: str) -> np.ndarray:
    if b is None:
        b = np.zeros(m)
    v = np.asarray(b, dtype=float).reshape(-1)
    if v.shape[0] != m:
        raise ValueError(f"{name} has length {v.shape[0]}, expected {m}")
    return v


@dataclass(frozen=True)
class LinearProgram:
    """A sparse (MI)LP/QP in matrix form; see the module docstring for the exact semantics.

    Parameters
    ----------
    c
        Linear objective coefficients, shape ``(n,)``.
    A_ub, b_ub
        Inequality constraints ``A_ub @ x <= b_ub`` (any array-like or sparse matrix).
    A_eq, b_eq
        Equality constraints ``A_eq @ x == b_eq``.
    lb, ub
        Variable bounds; ``None`` means ``0`` and ``+inf`` respectively.
    integrality
        Boolean mask, ``True`` where the variable must be integer.
    Q
        Optional symmetric positive semidefinite matrix of the quadratic term
        ``0.5 * x @ Q @ x`` (convex for ``sense="min"``; concave for ``"max"`` means
        ``-Q`` is what the backend sees).
    sense
        ``"min"`` or ``"max"``.
    offset
        Constant added to the objective.
    names
        Optional variable names (for debugging and LP-file export).
    """

    c: np.ndarray
    A_ub: sp.csr_matrix = None  # type: ignore[assignment]
    b_ub: np.ndarray = None  # type: ignore[assignment]
    A_eq: sp.csr_matrix = None  # type: ignore[assignment]
    b_eq: np.ndarray = None  # type: ignore[assignment]
    lb: np.ndarray = None  # type: ignore[assignment]
    ub: np.ndarray = None  # type: ignore[assignment]
    integrality: np.ndarray = None  # type: ignore[assignment]
    Q: sp.csr_matrix | None = None
    sense: Sense = "min"
    offset: float = 0.0
    names: tuple[str, ...] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        c = np.asarray(self.c, dtype=float).reshape(-1)
        n = c.shape[0]
        object.__setattr__(self, "c", c)
        A_ub = _as_csr(self.A_ub, n, "A_ub")
        A_eq = _as_csr(self.A_eq, n, "A_eq")
        object.__setattr__(self, "A_ub", A_ub)
        object.__setattr__(self, "A_eq", A_eq)
        object.__setattr__(self, "b_ub", _as_vec(self.b_ub, A_ub.shape[0], "b_ub"))
        object.__setattr__(self, "b_eq", _as_vec(self.b_eq, A_eq.shape[0], "b_eq"))
        lb = np.zeros(n) if self.lb is None else np.broadcast_to(
            np.asarray(self.lb, dtype=float), (n,)).copy()
        ub = np.full(n, np.inf) if self.ub is None else np.broadcast_to(
            np.asarray(self.ub, dtype=float), (n,)).copy()
        if np.any(lb > ub):
            j = int(np.argmax(lb > ub))
            raise ValueError(f"variable {j}: lower bound {lb[j]} exceeds upper bound {ub[j]}")
        object.__setattr__(self, "lb", lb)
        object.__setattr__(self, "ub", ub)
        integ = np.zeros(n, dtype=bool) if self.integrality is None else np.broadcast_to(
            np.asarray(self.integrality, dtype=bool), (n,)).copy()
        object.__setattr__(self, "integrality", integ)
        if self.Q is not None:
            Q = sp.csr_matrix(self.Q, dtype=float)
            if Q.shape != (n, n):
                raise ValueError(f"Q has shape {Q.shape}, expected {(n, n)}")
            object.__setattr__(self, "Q", Q)
        if self.sense not in ("min", "max"):
            raise ValueError(f"sense must be 'min' or 'max', got {self.sense!r}")
        for arr in (c, self.b_ub, self.b_eq):
            if np.any(np.isnan(arr)):
                raise ValueError("objective or right-hand side contains NaN")

    # ----------------------------------------------------------------- properties
    @property
    def n_vars(self) -> int:
        """Number of variables."""
        return int(self.c.shape[0])

    @property
    def n_constraints(self) -> int:
        """Number of rows (inequalities plus equalities)."""
        return int(self.A_ub.shape[0] + self.A_eq.shape[0])

    @property
    def is_mip(self) -> bool:
        """Whether any variable is integer."""
        return bool(self.integrality.any())

    @property
    def is_quadratic(self) -> bool:
        """Whether the objective has a non-zero quadratic term."""
        return self.Q is not None and self.Q.nnz > 0

    def objective_value(self, x: np.ndarray) -> float:
        """Objective at ``x`` in the problem's own sense (offset included)."""
        x = np.asarray(x, dtype=float)
        val = float(self.c @ x) + self.offset
        if self.is_quadratic:
            val += 0.5 * float(x @ (self.Q @ x))
        return val

    def max_violation(self, x: np.ndarray, scaled: bool = False) -> float:
        """Largest violation of any constraint, bound or integrality at ``x`` (0 if feasible).

        With ``scaled``, each row's violation is divided by ``1 + |b_i| + sum_j |A_ij x_j|``
        and each bound's by ``1 + |bound|`` (integrality stays absolute): the measure
        :func:`solver.opt.solve` uses to decide whether a backend's point is a solution, since
        an absolute violation would reject correct points of models with large coefficients.
        A point of the wrong shape or with a non-finite entry has violation ``inf``.
        """
        x = np.asarray(x, dtype=float)
        if x.shape != (self.n_vars,) or not np.all(np.isfinite(x)):
            return float("inf")
        v = [0.0]
        for A, b, eq in ((self.A_ub, self.b_ub, False), (self.A_eq, self.b_eq, True)):
            if A.shape[0]:
                r = A @ x - b
                r = np.abs(r) if eq else r
                if scaled:
                    r = r / (1.0 + np.abs(b) + abs(A) @ np.abs(x))
                v.append(float(np.max(r)))
        with np.errstate(invalid="ignore"):
            lo = np.where(np.isfinite(self.lb), self.lb - x, 0.0)
            hi = np.where(np.isfinite(self.ub), x - self.ub, 0.0)
            if scaled:
                lo = lo / (1.0 + np.abs(np.where(np.isfinite(self.lb), self.lb, 0.0)))
                hi = hi / (1.0 + np.abs(np.where(np.isfinite(self.ub), self.ub, 0.0)))
        v += [float(np.max(lo, initial=0.0)), float(np.max(hi, initial=0.0))]
        if self.is_mip:
            xi = x[self.integrality]
            v.append(float(np.max(np.abs(xi - np.round(xi)), initial=0.0)))
        return max(v)

    def scaled_violation(self, x: np.ndarray) -> float:
        """``max_violation(x, scaled=True)``: rows and bounds relative to their size."""
        return self.max_violation(x, scaled=True)

    def relaxed(self) -> LinearProgram:
        """The continuous relaxation (integrality dropped)."""
        return LinearProgram(
            c=self.c, A_ub=self.A_ub, b_ub=self.b_ub, A_eq=self.A_eq, b_eq=self.b_eq,
            lb=self.lb, ub=self.ub, integrality=np.zeros(self.n_vars, dtype=bool), Q=self.Q,
            sense=self.sense, offset=self.offset, names=self.names,
        )
