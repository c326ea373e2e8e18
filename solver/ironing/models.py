"""Ironing as optimisation models through :mod:`solver.opt` (independent cross-checks).

Two formulations of the same object as the convex hull (notes, Section 3.6):

I-QP  weighted L2 isotonic regression of the raw cell slopes ``h_k`` with weights ``w_k``:
      ``min sum_k w_k (psi_k - h_k)^2`` s.t. ``psi_k <= psi_{k+1}``;  its optimum is the
      ironed virtual cost (slope of the convex minorant of the cumulative-sum diagram).
I-LP  the convex minorant itself: ``max sum_k G_k`` s.t. ``G_k <= H_k`` and the slopes of
      ``G`` non-decreasing; the unique optimum is the greatest convex minorant on the grid
      (the pointwise maximum of convex minorants; any positive weights give it).

Both models are data (:class:`~solver.opt.LinearProgram`); ``solve`` picks the backend.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..opt import LinearProgram, Solution, solve


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


def ironed_by_qp(slopes, weights, backend: str = "auto",
                 time_limit: float | None = None) -> tuple[np.ndarray, Solution]:
    """Ironed slopes from the I-QP (certified optimal, else ``NotCertifiedError``)."""
    sol = solve(isotonic_qp(slopes, weights), backend=backend, time_limit=time_limit).certify()
    return np.asarray(sol.x), sol


def minorant_by_lp(q, H, backend: str = "auto",
                   time_limit: float | None = None) -> tuple[np.ndarray, Solution]:
    """Convex minorant values ``G_k`` from the I-LP (certified optimal)."""
    sol = solve(convex_minorant_lp(q, H), backend=backend, time_limit=time_limit).certify()
    return np.asarray(sol.x), sol


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
