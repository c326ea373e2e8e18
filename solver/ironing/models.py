"""Ironing as optimisation models through :mod:`solver.opt` (independent cross-checks).

Two formulations of the same object as the convex hull (notes, Section 3.6):

I-QP  weighted L2 isotonic regression of the raw cell slopes ``h_k`` with weights ``w_k``:
      ``min sum_k w_k (psi_k - h_k)^2`` s.t. ``psi_k <= psi_{k+1}``;  its optimum is the
      ironed virtual cost (slope of the convex minorant of the cumulative-sum diagram).
I-LP  the convex minorant itself: ``max sum_k G_k`` s.t. ``G_k <= H_k`` and the slopes of
      ``G`` non-decreasing; the unique optimum is the greatest convex minorant on the grid
      (the pointwise maximum of convex minorants; any positive weights give it).

Both models are data (:class:`~solver.opt.LinearProgram`); ``solve`` picks the backend.

Conditioning.  On a fine grid the convexity rows of the I-LP written in ``G`` compare
second differences of ``G`` (of order ``H'' delta^2``, ~1e-10 here) with a solver
tolerance applied to terms of order ``|H|``: the tolerance, not the data, decides which
points touch.  :func:`gap_lp` writes the same LP in the gaps ``x = H - G >= 0`` with each
row in slope units (the right-hand side is the jump of the raw slopes, the data): a solver's
``x`` is then accurate to its tolerance in slope units.  The QP is already in slope units.

Polish.  A backend's answer is finished by :func:`polish_minorant`: the points it puts on
``H`` (within :data:`POLISH_TOUCH`, relative) are the candidate hull vertices, and the
minorant is rebuilt exactly through the lower hull of those points alone.  If every true
vertex is among them the result is the exact greatest convex minorant; if the backend missed
one, the rebuilt minorant crosses ``H`` there and the a-posteriori check
(:func:`solver.ironing.certificate.check_ironing`) rejects the answer.  The polish reports how
many points the backend selected and how far it was from the polished minorant, so the
backend's own accuracy stays visible.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..errors import SolverError
from ..opt import LinearProgram, Solution, solve
from .hull import lower_convex_hull
from .tolerances import POLISH_TOUCH


def isotonic_qp(slopes, weights) -> LinearProgram:
    """The I-QP as ``0.5 psi' (2W) psi - 2 (W h)' psi + h' W h`` with a chain of ``<=``."""
    h = np.asarray(slopes, dtype=float)
    w = np.asarray(weights, dtype=float)
    K = h.size
    ones = np.ones(max(K - 1, 0))
    A = sp.diags([ones, -ones], [0, 1], shape=(max(K - 1, 0), K), format="csr")
    return LinearProgram(
        c=-2.0 * w * h, A_ub=A, b_ub=np.zeros(max(K - 1, 0)),
        lb=np.full(K, -np.inf), ub=np.full(K, np.inf),
        Q=sp.diags(2.0 * w, format="csr"), sense="min", offset=float(w @ (h * h)),
    )


def convex_minorant_lp(q, H) -> LinearProgram:
    """The I-LP on points ``(q_k, H_k)``; variables ``G_0..G_K``."""
    q = np.asarray(q, dtype=float)
    H = np.asarray(H, dtype=float)
    K = q.size
    d = np.diff(q)
    m = max(K - 2, 0)
    # slope_{k-1} - slope_k <= 0, slope_k = (G_{k+1} - G_k)/d_k, for k = 1..K-2
    rows = np.repeat(np.arange(m), 3)
    k = np.arange(1, K - 1)
    cols = np.stack([k - 1, k, k + 1], axis=1).reshape(-1)
    vals = np.stack([-1.0 / d[:-1], 1.0 / d[:-1] + 1.0 / d[1:], -1.0 / d[1:]],
                    axis=1).reshape(-1)
    A = sp.csr_matrix((vals, (rows, cols)), shape=(m, K))
    return LinearProgram(c=np.ones(K), A_ub=A, b_ub=np.zeros(m),
                         lb=np.full(K, -np.inf), ub=H, sense="max")


def gap_lp(q, H) -> LinearProgram:
    """The I-LP in the gaps ``x_k = H_k - G_k`` (module docstring, "Conditioning").

    ``min sum_k a_k x_k`` (``a_k`` the trapezoid weights: the area between ``H`` and ``G``)
    s.t. ``x >= 0``, ``x_0 = x_K = 0`` and, for each inner point, the slope of ``G`` on its
    right minus the slope on its left is non-negative, written as
    ``D_k [(x_{k+1} - x_k)/d_k - (x_k - x_{k-1})/d_{k-1}] <= D_k (h_k - h_{k-1})`` with
    ``D_k = d_{k-1} d_k / (d_{k-1} + d_k)`` (rows of unit order in slope units).
    """
    q = np.asarray(q, dtype=float)
    H = np.asarray(H, dtype=float)
    K = q.size
    d = np.diff(q)
    h = np.diff(H) / d
    m = max(K - 2, 0)
    k = np.arange(1, K - 1)
    dd = d[:-1] * d[1:] / (d[:-1] + d[1:])
    rows = np.repeat(np.arange(m), 3)
    cols = np.stack([k - 1, k, k + 1], axis=1).reshape(-1)
    vals = (np.stack([1.0 / d[:-1], -1.0 / d[:-1] - 1.0 / d[1:], 1.0 / d[1:]], axis=1)
            * dd[:, None]).reshape(-1)
    A = sp.csr_matrix((vals, (rows, cols)), shape=(m, K))
    area = np.zeros(K)
    area[:-1] += 0.5 * d
    area[1:] += 0.5 * d
    ub = np.full(K, np.inf)
    ub[[0, -1]] = 0.0
    return LinearProgram(c=area, A_ub=A, b_ub=np.diff(h) * dd, lb=np.zeros(K), ub=ub,
                         sense="min")


@dataclass(frozen=True)
class Polished:
    """A backend's minorant finished by :func:`polish_minorant`.

    Attributes
    ----------
    G
        The polished minorant at the grid points.
    hull
        Its vertices (indices into the grid).
    active_points
        Points the backend put on ``H`` (the candidates; endpoints included).
    max_correction
        ``max |G - G_backend| / max|H|``: the backend's own accuracy.
    """

    G: np.ndarray
    hull: np.ndarray
    active_points: int
    max_correction: float

    def as_dict(self, grid_points: int) -> dict[str, float | int]:
        return {"active_points": self.active_points, "grid_points": grid_points,
                "max_correction": self.max_correction}


def polish_minorant(q, H, G_backend, touch: float = POLISH_TOUCH) -> Polished:
    """Exact minorant through the lower hull of the points a backend put on ``H``."""
    q = np.asarray(q, dtype=float)
    H = np.asarray(H, dtype=float)
    Gb = np.asarray(G_backend, dtype=float)
    scale = float(np.max(np.abs(H)))
    if not np.isfinite(Gb).all():
        raise SolverError("the backend returned a non-finite minorant")
    cand = np.flatnonzero(H - Gb <= touch * scale)
    cand = np.union1d(cand, [0, q.size - 1])
    hull = cand[lower_convex_hull(q[cand], H[cand])]
    G = np.interp(q, q[hull], H[hull])
    corr = float(np.max(np.abs(G - Gb))) / scale if scale > 0 else 0.0
    return Polished(G, hull, int(cand.size), corr)


def _solved(sol: Solution) -> Solution:
    if sol.status != "optimal" or sol.x is None:
        raise BackendStopped(sol)
    return sol


class BackendStopped(Exception):
    """The backend returned no proven optimum (time limit, error): carries its solution."""

    def __init__(self, sol: Solution) -> None:
        super().__init__(f"{sol.backend}: {sol.status} ({sol.message})")
        self.solution = sol


def _unit(v: np.ndarray) -> float:
    """Scale that brings ``v`` to unit magnitude (1 for a zero vector)."""
    m = float(np.max(np.abs(v))) if v.size else 0.0
    return m if m > 0 else 1.0


def ironed_by_qp(slopes, weights, backend: str = "auto",
                 time_limit: float | None = None) -> tuple[np.ndarray, Solution]:
    """Raw ironed slopes from the I-QP (proven optimal, else :class:`BackendStopped`).

    Isotonic regression is homogeneous (``iso(s h) = s iso(h)``), so the QP is solved on the
    slopes divided by their weighted mean magnitude ``s = sum w|h| / sum w`` (for a cost curve
    ``H(1) - H(0)``, the largest cost) and the weights divided by their sum, and the answer is
    multiplied back: the backend sees the same model whatever the unit of the costs.  (The
    largest slope would be a worse unit: virtual costs span many orders of magnitude when a
    piece has little mass, and an interior-point solver's absolute tolerances then swamp the
    small ones.)
    """
    h = np.asarray(slopes, dtype=float)
    w = np.asarray(weights, dtype=float)
    s = float(w @ np.abs(h)) / float(w.sum())
    s = s if s > 0 and np.isfinite(s) else _unit(h)
    sol = _solved(solve(isotonic_qp(h / s, w / w.sum()), backend=backend,
                        time_limit=time_limit))
    return s * np.asarray(sol.x), sol


def minorant_by_lp(q, H, backend: str = "auto",
                   time_limit: float | None = None) -> tuple[np.ndarray, Solution]:
    """Raw convex minorant values ``G_k = H_k - x_k`` from :func:`gap_lp` (proven optimal).

    Solved on ``H`` divided by its largest magnitude (the minorant is homogeneous in ``H``).
    """
    H = np.asarray(H, dtype=float)
    s = _unit(H)
    sol = _solved(solve(gap_lp(q, H / s), backend=backend, time_limit=time_limit))
    return H - s * np.asarray(sol.x), sol


def optimal_procurement_lp(values, probabilities, n: int, w: int) -> LinearProgram:
    """P1-LP (notes Section 4): optimal BIC w-unit procurement over all type profiles.

    Discrete costs ``values`` with ``probabilities``; variables ``y_i(t) in [0, 1]`` for every
    profile ``t in [K]^n`` and player ``i`` (allocation), then free interim payments
    ``P_i(k)``.  Constraints: ``sum_i y_i(t) = w``; BIC
    ``P_i(k) - c_k X_i(k) >= P_i(k') - c_k X_i(k')`` and interim IR
    ``P_i(k) - c_k X_i(k) >= 0`` with ``X_i(k) = sum_{t: t_i = k} Pr[t_{-i}] y_i(t)``.
    Objective: ``min sum_i sum_k f_k P_i(k)``.  Size ``n K^n + n K`` variables: a brute-force
    reference for the closed form (Lemma 4.7 / A.4) on small instances only.
    """
    c = np.asarray(values, dtype=float)
    f = np.asarray(probabilities, dtype=float)
    K = c.size
    T = np.indices((K,) * n).reshape(n, -1).T  # profiles x players
    nP = T.shape[0]
    pf = f[T]  # prob of each coordinate
    total = pf.prod(axis=1)
    others = total[:, None] / pf  # Pr[t_{-i}]
    ny = nP * n
    nv = ny + n * K
    # X_i(k) as rows over y
    rows = (np.arange(n)[None, :] * K + T).reshape(-1)  # row index i*K + t_i for (t, i)
    cols = np.arange(ny)
    X = sp.csr_matrix((others.reshape(-1), (rows, cols)), shape=(n * K, nv))

    def pay(i: int, k: int) -> sp.csr_matrix:
        return sp.csr_matrix(([1.0], ([0], [ny + i * K + k])), shape=(1, nv))

    blocks = []
    for i in range(n):
        for k in range(K):
            u_kk = pay(i, k) - c[k] * X[i * K + k]  # utility of type k reporting k
            blocks.append(-u_kk)  # IR
            for k2 in range(K):
                if k2 != k:
                    blocks.append(-u_kk + pay(i, k2) - c[k] * X[i * K + k2])
    A_ub = sp.vstack(blocks, format="csr")
    A_eq = sp.csr_matrix((np.ones(ny), (np.repeat(np.arange(nP), n), np.arange(ny))),
                         shape=(nP, nv))
    cost = np.concatenate((np.zeros(ny), np.tile(f, n)))
    lb = np.concatenate((np.zeros(ny), np.full(n * K, -np.inf)))
    ub = np.concatenate((np.ones(ny), np.full(n * K, np.inf)))
    return LinearProgram(c=cost, A_ub=A_ub, b_ub=np.zeros(A_ub.shape[0]), A_eq=A_eq,
                         b_eq=np.full(nP, float(w)), lb=lb, ub=ub, sense="min")
