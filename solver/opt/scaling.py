"""Scale-free models: equilibrate a :class:`LinearProgram` before any backend sees it.

Backends decide feasibility, optimality and integrality with *absolute* tolerances (HiGHS:
primal and dual feasibility 1e-7, ``mip_abs_gap`` 1e-6; CBC alike), so a model whose data are
all of order 1e-7 is solved as if its objective were zero: the pricing MILP of
``small_revenue.json`` x 1e-6 came back "optimal" with revenue 0 (the truth is 2.2e-6).
:func:`equilibrate` removes the data's scale before the solve, :func:`unscale` maps the answer
back, and the library's own certificate checks (:mod:`solver.opt.certificate`) run on the
scaled model, where "1e-7" means the same thing whatever units the instance was written in.

The scaling is geometric-mean equilibration (Curtis and Reid's idea, iterated as in
Ruiz's equilibration) of the homogenised matrix

    [ c    | .  ]     objective row, factor sigma
    [ A_ub | b_ub ]   one factor r_i per row
    [ A_eq | b_eq ]
    [ I    | lb, ub ] one factor per finite non-zero bound

with one factor ``s_j`` per *continuous* column (integer columns and the right-hand-side
column keep factor 1, so integrality and the meaning of b survive).  Every factor is rounded
to a power of two, so scaling and unscaling are exact in floating point.  After it, the
model is

    c' = sigma * s * c,   A' = R A S,   b' = R b,   lb' = lb / s,   ub' = ub / s,
    Q' = sigma * S Q S,   offset' = sigma * offset,

and a solution maps back as ``x = s * x'``, objective and bound ``/ sigma``, duals
``y = r * y' / sigma``.  Scaling an instance by any power of ten leaves ``x'`` (for a
homogeneous model) unchanged up to the power-of-two rounding: the backend sees the same
numbers.  A quadratic model keeps ``s = 1`` (only rows and the objective are scaled), so
``Q`` stays as conditioned as the problem wrote it.

Written here rather than taken from a library: scipy and HiGHS scale internally but keep
their absolute tolerances in the caller's units, which is exactly the defect; no package we
depend on exposes an equilibration with integer columns held fixed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .problem import LinearProgram
from .result import Solution, relative_gap

#: Geometric-mean passes; the factors change by < 2x after about five on the models here.
PASSES = 8


@dataclass(frozen=True)
class Scaling:
    """Factors of :func:`equilibrate` (see the module docstring)."""

    row_ub: np.ndarray
    row_eq: np.ndarray
    col: np.ndarray
    obj: float

    @property
    def is_identity(self) -> bool:
        """Whether every factor is 1."""
        return bool(self.obj == 1.0 and np.all(self.col == 1.0) and np.all(self.row_ub == 1.0)
                    and np.all(self.row_eq == 1.0))


def _pow2(f: np.ndarray) -> np.ndarray:
    """Nearest power of two, 1 where ``f`` is not a positive finite number."""
    f = np.asarray(f, dtype=float)
    ok = np.isfinite(f) & (f > 0)
    out = np.ones_like(f)
    out[ok] = np.exp2(np.round(np.log2(f[ok])))
    return out


def _row_extremes(M: sp.csr_matrix, extra: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-row max and min of the non-zero magnitudes of ``[M | extra]`` (nan if none)."""
    m = M.shape[0]
    big = np.full(m, -np.inf)
    small = np.full(m, np.inf)
    if M.nnz:
        A = abs(M).tocsr()
        A.eliminate_zeros()
        nz = np.diff(A.indptr) > 0
        big[nz] = A.max(axis=1).toarray().ravel()[nz]
        inv = A.copy()
        inv.data = 1.0 / inv.data
        small[nz] = 1.0 / inv.max(axis=1).toarray().ravel()[nz]
    e = np.abs(extra)
    has = (e > 0) & np.isfinite(e)
    big = np.where(has, np.maximum(big, e), big)
    small = np.where(has, np.minimum(small, e), small)
    none = ~np.isfinite(big)
    big[none] = np.nan
    small[none] = np.nan
    return big, small


def _geo(big: np.ndarray, small: np.ndarray) -> np.ndarray:
    """Factor ``1 / sqrt(big * small)`` (1 where the row or column is empty)."""
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        f = 1.0 / np.sqrt(big * small)
    f[~np.isfinite(f)] = 1.0
    return f


def equilibrate(p: LinearProgram, passes: int = PASSES) -> tuple[LinearProgram, Scaling]:
    """The scaled model and its factors (module docstring)."""
    n = p.n_vars
    A = sp.vstack([p.A_ub, p.A_eq], format="csr") if p.n_constraints else sp.csr_matrix((0, n))
    b = np.concatenate([p.b_ub, p.b_eq])
    m = A.shape[0]
    free = ~p.integrality & (not p.is_quadratic)
    lbf = np.where(np.isfinite(p.lb), p.lb, 0.0)
    ubf = np.where(np.isfinite(p.ub), p.ub, 0.0)
    r = np.ones(m)
    s = np.ones(n)
    sigma = 1.0
    absA = abs(A).tocsc()
    for _ in range(passes):
        # rows: entries |a_ij| s_j and |b_i|
        big, small = _row_extremes(sp.csr_matrix(A @ sp.diags(s)), b)
        r = _geo(big, small)
        # objective row and bound rows have factors that make them O(1) too
        cs = np.abs(p.c) * s
        cnz = cs[cs > 0]
        sigma = 1.0 / np.sqrt(cnz.max() * cnz.min()) if cnz.size else 1.0
        if not free.any():
            break
        # columns (continuous only): entries r_i |a_ij|, sigma |c_j|, and the bound rows'
        # entries 1 * t_j with t_j = 1 / sqrt(s_j |bound_j|) (their own geometric factor).
        RA = sp.csc_matrix(sp.diags(r) @ absA)
        colbig = np.full(n, -np.inf)
        colsmall = np.full(n, np.inf)
        if RA.nnz:
            nzc = np.diff(RA.indptr) > 0
            colbig[nzc] = RA.max(axis=0).toarray().ravel()[nzc]
            inv = RA.copy()
            inv.data = 1.0 / inv.data
            colsmall[nzc] = 1.0 / inv.max(axis=0).toarray().ravel()[nzc]
        extras = [sigma * np.abs(p.c)]
        for bnd in (lbf, ubf):
            with np.errstate(divide="ignore"):
                t = np.where(bnd != 0, 1.0 / np.sqrt(s * np.abs(bnd)), 0.0)
            extras.append(t)
        for e in extras:
            has = e > 0
            colbig = np.where(has, np.maximum(colbig, e), colbig)
            colsmall = np.where(has, np.minimum(colsmall, e), colsmall)
        empty = ~np.isfinite(colbig)
        colbig[empty] = np.nan
        colsmall[empty] = np.nan
        s_new = _geo(colbig, colsmall)
        s = np.where(free, s_new, 1.0)
    s = _pow2(s)
    r = _pow2(r)
    # final objective factor from the final columns: the largest |c'_j| becomes ~1
    cs = np.abs(p.c) * s
    cmax = cs.max() if cs.size else 0.0
    if p.is_quadratic and p.Q is not None and p.Q.nnz:
        cmax = max(cmax, float(abs(p.Q).max()))
    sigma = float(_pow2(np.array([1.0 / cmax]))[0]) if cmax > 0 else 1.0
    sc = Scaling(row_ub=r[: p.A_ub.shape[0]], row_eq=r[p.A_ub.shape[0]:], col=s, obj=sigma)
    if sc.is_identity:
        return p, sc
    S = sp.diags(s)
    q = None
    if p.Q is not None:
        q = sigma * (S @ p.Q @ S)
    with np.errstate(invalid="ignore"):
        scaled = LinearProgram(
            c=sigma * s * p.c,
            A_ub=sp.diags(sc.row_ub) @ p.A_ub @ S, b_ub=sc.row_ub * p.b_ub,
            A_eq=sp.diags(sc.row_eq) @ p.A_eq @ S, b_eq=sc.row_eq * p.b_eq,
            lb=p.lb / s, ub=p.ub / s, integrality=p.integrality, Q=q, sense=p.sense,
            offset=sigma * p.offset, names=p.names)
    return scaled, sc


def unscale(sol: Solution, sc: Scaling, original: LinearProgram) -> Solution:
    """Map a solution of the scaled model back to ``original``'s units.

    The gap is kept as computed in the scaled model (where the objective is O(1)), so it is
    the same number whatever the instance's units.
    """
    if sc.is_identity:
        return sol
    x = None if sol.x is None else np.asarray(sol.x, dtype=float) * sc.col
    if x is not None:
        x = np.where(original.integrality, np.round(x), x)
    obj = original.objective_value(x) if x is not None else float("nan")
    bound = sol.bound / sc.obj if np.isfinite(sol.bound) else sol.bound
    duals = None
    if sol.duals is not None:
        duals = {"ub": np.asarray(sol.duals.get("ub", np.zeros(0))) * sc.row_ub / sc.obj,
                 "eq": np.asarray(sol.duals.get("eq", np.zeros(0))) * sc.row_eq / sc.obj}
    gap = sol.gap
    if not np.isfinite(gap) and x is not None:
        gap = relative_gap(sol.objective, sol.bound)
    extra = dict(sol.extra)
    extra["scaling"] = {"objective": sc.obj,
                        "columns": [float(sc.col.min(initial=1.0)),
                                    float(sc.col.max(initial=1.0))],
                        "rows": [float(min(sc.row_ub.min(initial=1.0),
                                           sc.row_eq.min(initial=1.0))),
                                 float(max(sc.row_ub.max(initial=1.0),
                                           sc.row_eq.max(initial=1.0)))]}
    return Solution(sol.status, x, obj, bound, gap, sol.backend, sol.seconds, duals,
                    sol.message, extra)
