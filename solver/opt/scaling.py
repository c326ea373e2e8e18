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


def _seg_extremes(vals: np.ndarray, indptr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-segment max and min of ``vals`` (segments of a CSR/CSC ``indptr``; -inf/inf if
    empty)."""
    k = indptr.shape[0] - 1
    mx = np.full(k, -np.inf)
    mn = np.full(k, np.inf)
    nz = np.diff(indptr) > 0
    if vals.size and nz.any():
        starts = indptr[:-1][nz]
        mx[nz] = np.maximum.reduceat(vals, starts)
        mn[nz] = np.minimum.reduceat(vals, starts)
    return mx, mn


def _with(mx: np.ndarray, mn: np.ndarray, extra: np.ndarray) -> None:
    """Fold one more (log) entry per segment into ``mx``/``mn`` in place (nan = none)."""
    has = np.isfinite(extra)
    np.maximum(mx, np.where(has, extra, -np.inf), out=mx)
    np.minimum(mn, np.where(has, extra, np.inf), out=mn)


def _log_factor(mx: np.ndarray | float, mn: np.ndarray | float) -> np.ndarray:
    """``log2`` of the geometric factor ``1 / sqrt(max * min)`` (0 for an empty segment)."""
    with np.errstate(invalid="ignore"):
        f = -0.5 * (mx + mn)
    return np.where(np.isfinite(f), f, 0.0)


def _log2abs(v: np.ndarray) -> np.ndarray:
    """``log2 |v|``, ``nan`` where ``v`` is zero or not finite."""
    v = np.abs(np.asarray(v, dtype=float))
    ok = (v > 0) & np.isfinite(v)
    out = np.full(v.shape, np.nan)
    out[ok] = np.log2(v[ok])
    return out


#: Scale factors are kept within 2^-MAX_EXP .. 2^MAX_EXP so that no scaled datum overflows.
MAX_EXP = 900


def _scale_csr(M: sp.csr_matrix, r: np.ndarray, s: np.ndarray) -> sp.csr_matrix:
    """``diag(r) @ M @ diag(s)`` for a CSR ``M``, in one pass over its entries."""
    out = M.copy()
    if out.nnz:
        out.data = out.data * np.repeat(r, np.diff(out.indptr)) * s[out.indices]
    return out


def equilibrate(p: LinearProgram, passes: int = PASSES) -> tuple[LinearProgram, Scaling]:
    """The scaled model and its factors (module docstring).

    All arithmetic is on ``log2`` magnitudes, so data from 5e-324 to 1e308 neither overflows
    nor underflows; each pass costs a few vector operations over the non-zeros (about 0.1 s
    for the 2e6 non-zeros of the 100 x 100 pricing MILP).
    """
    n = p.n_vars
    A = sp.vstack([p.A_ub, p.A_eq], format="csr") if p.n_constraints else sp.csr_matrix((0, n))
    A.eliminate_zeros()
    A.sum_duplicates()
    m = A.shape[0]
    Lr = _log2abs(A.data)                    # row-ordered log magnitudes
    Ac = A.tocsc()
    Lc = _log2abs(Ac.data)                   # column-ordered
    lb_rhs = _log2abs(np.concatenate([p.b_ub, p.b_eq]))
    lc = _log2abs(p.c)
    lbnd = [_log2abs(np.where(np.isfinite(b), b, 0.0)) for b in (p.lb, p.ub)]
    free = ~p.integrality & (not p.is_quadratic)
    lr = np.zeros(m)
    ls = np.zeros(n)
    for _ in range(passes):
        # rows: entries |a_ij| s_j and |b_i|
        mx, mn = _seg_extremes(Lr + ls[A.indices], A.indptr)
        _with(mx, mn, lb_rhs)
        lr = _log_factor(mx, mn)
        if not free.any():
            break
        # the objective row's own factor, then columns (continuous only): entries
        # r_i |a_ij|, sigma |c_j|, and each bound row's entry t_j = 1 / sqrt(s_j |bound_j|)
        cs = lc + ls
        lsig = _log_factor(np.nanmax(cs, initial=-np.inf), np.nanmin(cs, initial=np.inf))
        mx, mn = _seg_extremes(Lc + lr[Ac.indices], Ac.indptr)
        _with(mx, mn, lsig + lc)
        for lbd in lbnd:
            _with(mx, mn, -0.5 * (ls + lbd))
        ls = np.where(free, _log_factor(mx, mn), 0.0)
    s = np.exp2(np.clip(np.round(ls), -MAX_EXP, MAX_EXP))
    r = np.exp2(np.clip(np.round(lr), -MAX_EXP, MAX_EXP))
    # final objective factor from the final columns: the largest |c'_j| becomes ~1
    cmax = np.nanmax(lc + np.log2(s), initial=-np.inf)
    if p.is_quadratic and p.Q is not None and p.Q.nnz:
        cmax = max(cmax, float(np.nanmax(_log2abs(p.Q.data), initial=-np.inf)))
    sigma = float(np.exp2(np.clip(-np.round(cmax), -MAX_EXP, MAX_EXP))) \
        if np.isfinite(cmax) else 1.0
    sc = Scaling(row_ub=r[: p.A_ub.shape[0]], row_eq=r[p.A_ub.shape[0]:], col=s, obj=sigma)
    if sc.is_identity:
        return p, sc
    q = None
    if p.Q is not None:
        Q = sp.csr_matrix(p.Q)
        q = _scale_csr(Q, sigma * s, s)
    with np.errstate(invalid="ignore", over="ignore"):
        scaled = LinearProgram(
            c=sigma * s * p.c,
            A_ub=_scale_csr(sp.csr_matrix(p.A_ub), sc.row_ub, s), b_ub=sc.row_ub * p.b_ub,
            A_eq=_scale_csr(sp.csr_matrix(p.A_eq), sc.row_eq, s), b_eq=sc.row_eq * p.b_eq,
            lb=p.lb / s, ub=p.ub / s, integrality=p.integrality, Q=q, sense=p.sense,
            offset=sigma * p.offset, names=p.names)
    finite = all(np.all(np.isfinite(v)) for v in (scaled.c, scaled.b_ub, scaled.b_eq,
                                                  scaled.A_ub.data, scaled.A_eq.data))
    if not finite:   # data spanning more than the float range: leave the model as written
        return p, Scaling(np.ones(p.A_ub.shape[0]), np.ones(p.A_eq.shape[0]), np.ones(n), 1.0)
    return scaled, sc


def dynamic_range(p: LinearProgram) -> float:
    """Largest over smallest non-zero ``|a_ij|`` of the constraint matrix (1 if none)."""
    data = np.abs(np.concatenate([p.A_ub.data, p.A_eq.data]))
    data = data[data > 0]
    if not data.size:
        return 1.0
    with np.errstate(over="ignore"):
        return float(data.max() / data.min())


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
