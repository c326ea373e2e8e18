"""Valid cuts for rev^OPT(N) and the cut-strengthened root bound [CCK25, eq. (2)].

The pairwise LP (the relaxation of eq. 2, :mod:`solver.pricing.bounds`) is the optimal
*lottery* menu; its gap to rev^OPT is the value of randomisation.  Part of it is closed by
inequalities that every deterministic envy-free scheme satisfies but lotteries need not.
They need the payment of each (buyer, size) pair, so the LP here is a lifting of eq. 2.

Model (payment lifting).  For types ``k`` (identical buyers merged, weights ``w_k``) and
sizes ``m = 0..N``, ``x_km`` is the probability that ``k`` gets ``m`` and ``z_km`` her
payment then (the issue's ``0 <= z_km <= v_k(m) x_km``).  Written as
``x_km = a_km + b_km``, ``z_km = v_k(m) b_km`` with ``a, b >= 0``, the triangle
``0 <= z <= v x`` becomes two boxed variables, so the LP has only the assignment rows
``sum_m (a_km + b_km) = 1`` besides the cuts, and every variable is boxed (its
weak-duality bound is valid for *any* sign-feasible duals).  The objective is
``sum_k w_k sum_m v_k(m) b_km`` (revenue), ``U_j = sum_m v_j(m) a_jm`` is buyer ``j``'s
utility and, with ``D_jk(m) = v_j(m) - v_k(m)``, the utility ``j`` would get from ``k``'s
option at size ``m`` is ``r_jk(m) = v_j(m) x_km - z_km = v_j(m) a_km + D_jk(m) b_km``.
Sizes on a flat step of a buyer's own valuation are fixed to 0 as in
:func:`~solver.pricing.envy_free.pairwise_milp` (without loss, proof there).

Cut families, for every ordered pair of types ``j != k``:

``EF(j, k)``
    ``U_j >= sum_m r_jk(m)``: the EFB row of eq. 2 (the pairwise LP's row).
``S1(j, k, m)``
    ``U_j >= r_jk(m)``.
``TH(j, k, t, S)``
    ``sum_{a in A_t} v_j(a) a_ja >= sum_{b in S} r_jk(b)`` for ``A_t = {m : D_jk(m) >= t}``
    and any ``S`` subset of ``A_t``.
``SD(j, k, t)``
    ``sum_{a in A_t} x_ja >= sum_{b in A_t} x_kb``.

Validity (every envy-free IR scheme satisfies every cut).  A deterministic scheme
``(m_j, p_j)`` [CCK25, Section 2.1] is the point ``x_{j, m_j} = 1``, ``z_{j, m_j} = p_j``
(``b = p_j / v_j(m_j)``, ``a = 1 - b``; ``a = 1`` when ``v_j(m_j) = 0``, where IRB forces
``p_j = 0``), all else 0.  Then ``v_j(a) a_ja`` is ``u_j = v_j(m_j) - p_j`` at ``a = m_j``
and 0 elsewhere, and ``r_jk(b)`` is ``v_j(m_k) - p_k`` at ``b = m_k`` and 0 elsewhere.  IRB
is ``u_j >= 0`` and EFB is ``u_j >= v_j(m_k) - p_k``.

* EF is EFB.  S1: its right side is ``v_j(m_k) - p_k <= u_j`` (EFB) if ``m = m_k`` and
  ``0 <= u_j`` (IRB) otherwise.
* Adding EFB of ``j`` towards ``k`` and of ``k`` towards ``j`` gives
  ``v_j(m_j) - v_k(m_j) >= v_j(m_k) - v_k(m_k)``, i.e. ``D_jk(m_j) >= D_jk(m_k)``: if
  ``m_k`` is in ``A_t`` so is ``m_j``.
* TH: if ``m_k`` is in ``S`` (so in ``A_t``), ``m_j`` is in ``A_t`` and the left side is
  ``u_j >= v_j(m_k) - p_k``, the right side (EFB).  Otherwise the right side is 0 and the
  left side is ``u_j`` or 0, both ``>= 0`` (IRB).
* SD: the left side is ``[m_j in A_t] >= [m_k in A_t]``, the right side, by the implication.

With ``t`` below every ``D`` (``A_t`` = all sizes) TH is EF for ``S`` = all sizes and S1 for
``S = {m}``, and its most violated member (``S`` = the sizes with ``r_jk > 0``) is at least as
violated as both.  The rounds add EF rows first (the pairwise LP root; kept), then the most
violated TH, SD and S1 cut of each pair (deleted again once slack): S1 rows, though
dominated at the point that separates them, are other rows, and adding them lowered the
bound faster (:data:`CUTS_PER_TYPE`).

Separation.  For a pair, ``A_t`` is a prefix of the sizes sorted by decreasing ``D_jk``
(ending where ``D`` drops, :data:`~solver.pricing.tolerances.CUT_TIE`), and for a prefix the
best ``S`` is its sizes with ``r_jk > 0``; so the most violated TH of a pair is the largest
prefix sum of ``max(r_jk, 0) - v_j a_j`` in that order, and the most violated SD the largest
prefix sum of ``x_k - x_j``: one sort per pair (once, it depends on ``V`` only) and one
``cumsum`` per round over all pairs, no loop over ``(j, k, t)``.

Bound.  :func:`cut_bound` runs the rounds through the ``highs`` backend's
``solve_cuts`` capability (:func:`solver.opt.lazy.solve_cutting_planes`: HiGHS row addition
with warm starts); the reported bound is the weak-duality bound of the LP duals (sign
projected; their dual feasibility is checked), times ``max |v|``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from ..errors import InstanceError
from ..opt import LinearProgram, get_backend
from .envy_free import model_values, value_scale
from .tolerances import CUT_STALL, CUT_TIE, CUT_VIOLATION

__all__ = ["FAMILIES", "CutBound", "CutModel", "Separator", "cut_bound", "cut_model",
           "scheme_point", "separate_family"]

#: The cut families :func:`separate_family` knows (module docstring).
FAMILIES = ("ef", "s1", "th", "sd")
#: Most violated EF rows added per round, per type (as :data:`solver.pricing.bounds.
#: ROWS_PER_ROUND`).
EF_PER_TYPE = 5
#: Most violated cuts added per round and family, per type.  Measured at uniform 100 x 100
#: (bound after 16 / 20 / 30 CPU s, 32 s runs on a shared 2-core machine): TH + SD + S1 at 5
#: per type 96.721 / 96.706 / 96.700; at 3: 96.874 / 96.771 / 96.703; at 8: 96.747 / 96.709 /
#: 96.702; TH + SD at 5: 96.740 / 96.713 / 96.704; TH + S1: 96.756 / 96.729 / 96.717.
CUTS_PER_TYPE = 5
#: Rounds over which :data:`~solver.pricing.tolerances.CUT_STALL` is averaged.
STALL_ROUNDS = 3
#: Pairs separated at once: chunks of about this many (pair, size) entries bound the memory
#: of a round (a few arrays of this many floats).
CHUNK = 1 << 20


@dataclass(frozen=True)
class CutModel:
    """The payment-lifted LP of the module docstring, with the separation's sort.

    Attributes
    ----------
    T
        Types' valuations over ``max |v|`` (``(nt, N + 1)``, ``T[:, 0] = 0``).
    w
        Their weights (numbers of identical buyers).
    scale
        ``max |v|``: the LP's values times ``scale`` are in the valuations' units.
    lp
        The base LP: variables ``a`` (``nt * (N + 1)``, row-major) then ``b``; assignment
        rows; boxes.
    jj, kk
        The ordered pairs ``j != k``.
    order, ends
        Per pair, the sizes by decreasing ``D_jk`` and where a threshold class ends.
    """

    T: np.ndarray
    w: np.ndarray
    scale: float
    lp: LinearProgram
    jj: np.ndarray
    kk: np.ndarray
    order: np.ndarray
    ends: np.ndarray

    @property
    def nt(self) -> int:
        return int(self.T.shape[0])

    @property
    def n(self) -> int:
        return int(self.T.shape[1])

    def split(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(a, b)`` of a point, each ``(nt, N + 1)``."""
        nx = self.nt * self.n
        return x[:nx].reshape(self.nt, self.n), x[nx:2 * nx].reshape(self.nt, self.n)

    def size_mass(self, x: np.ndarray) -> np.ndarray:
        """``sum_k w_k x_km`` per size ``m``: how much the LP point sells of each size."""
        a, b = self.split(x)
        return self.w @ (a + b)


def cut_model(T: np.ndarray, w: np.ndarray | None = None) -> CutModel:
    """Build :class:`CutModel` for types ``T`` (rows ``v(0..N)``, ``v(0) = 0``) and weights.

    The LP is built on ``T / max |v|`` (values below :data:`~solver.pricing.tolerances.
    MODEL_ZERO` of it enter as 0, as in the MILPs), so it is the same for ``T`` and any
    positive multiple of it up to rounding.
    """
    T = np.asarray(T, dtype=float)
    nt, n = T.shape
    w = np.ones(nt) if w is None else np.asarray(w, dtype=float)
    scale = value_scale(T)
    if scale == 0:
        raise InstanceError("V", "every valuation is 0: there is nothing to bound")
    Tn = model_values(T, scale)
    nx = nt * n
    flat = np.zeros((nt, n), dtype=bool)
    flat[:, 1:] = Tn[:, 1:] <= Tn[:, :-1]
    ub_a = np.where(flat, 0.0, 1.0)
    ub_b = np.where(Tn > 0, ub_a, 0.0)
    c = np.concatenate([np.zeros(nx), (w[:, None] * Tn).reshape(-1)])
    rows = np.tile(np.repeat(np.arange(nt), n), 2)
    A_eq = sp.csr_matrix((np.ones(2 * nx), (rows, np.arange(2 * nx))), shape=(nt, 2 * nx))
    lp = LinearProgram(c=c, A_eq=A_eq, b_eq=np.ones(nt), lb=np.zeros(2 * nx),
                       ub=np.concatenate([ub_a.reshape(-1), ub_b.reshape(-1)]), sense="max")
    jj, kk = np.nonzero(~np.eye(nt, dtype=bool))
    itype = np.int16 if n < 2**15 else np.int32
    order = np.empty((jj.shape[0], n), dtype=itype)
    ends = np.empty((jj.shape[0], n), dtype=bool)
    for s in _chunks(jj.shape[0], n):
        D = Tn[jj[s]] - Tn[kk[s]]
        o = np.argsort(-D, axis=1, kind="stable")
        Ds = np.take_along_axis(D, o, axis=1)
        order[s] = o
        ends[s, :-1] = Ds[:, 1:] < Ds[:, :-1] - CUT_TIE
        ends[s, -1] = True
    return CutModel(Tn, w, scale, lp, jj, kk, order, ends)


def _chunks(P: int, n: int) -> list[slice]:
    step = max(1, CHUNK // max(1, n))
    return [slice(s, min(P, s + step)) for s in range(0, P, step)]


def scheme_point(model: CutModel, sizes: np.ndarray, prices: np.ndarray) -> np.ndarray:
    """The LP point of a deterministic scheme ``(m_j, p_j)`` of the types (module docstring:
    ``x_{j, m_j} = 1``, ``z_{j, m_j} = p_j``), prices in the valuations' units."""
    sizes = np.asarray(sizes, dtype=int)
    p = np.asarray(prices, dtype=float) / model.scale
    nt, n = model.nt, model.n
    v = model.T[np.arange(nt), sizes]
    frac = np.divide(p, v, out=np.zeros(nt), where=v > 0)
    x = np.zeros(2 * nt * n)
    x[np.arange(nt) * n + sizes] = 1.0 - frac
    x[nt * n + np.arange(nt) * n + sizes] = frac
    return x


def _gathers(model: CutModel, s: slice) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                  np.ndarray]:
    """For the pairs ``s``: flat indices of ``(j, m)`` and ``(k, m)`` in each pair's sorted
    order, ``v_j`` and ``D_jk`` in that order."""
    n = model.n
    o = model.order[s].astype(np.intp)
    gj = model.jj[s, None] * n + o
    gk = model.kk[s, None] * n + o
    T = model.T.reshape(-1)
    Vj = T[gj]
    return gj, gk, Vj, Vj - T[gk]


def separate_family(model: CutModel, x: np.ndarray, family: str
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Most violated cut of ``family`` per pair at ``x``: ``(violation, where)``.

    ``violation[p]`` is the largest ``right side - left side`` over the family's cuts of pair
    ``p`` (``<= 0``: none violated; the maximum over *all* ``t`` and ``S``, so it checks the
    whole family), ``where[p]`` the position in the pair's sorted order where its prefix
    ends (TH, SD; EF: the last) or the size (S1).
    """
    if family not in FAMILIES:
        raise InstanceError("family", f"must be one of {', '.join(FAMILIES)}, got {family!r}")
    P, n = model.order.shape
    nx = model.nt * n
    a, b = x[:nx], x[nx:2 * nx]
    viol = np.empty(P)
    where = np.empty(P, dtype=int)
    for s in _chunks(P, n):
        gj, gk, Vj, Ds = _gathers(model, s)
        rows = np.arange(gj.shape[0])
        if family == "sd":
            terms = (a[gk] + b[gk]) - (a[gj] + b[gj])
        else:
            L = Vj * a[gj]                      # v_j(m) a_jm: j's utility share at m
            R = Vj * a[gk] + Ds * b[gk]         # r_jk(m): j's utility from k's option at m
            if family == "ef":
                viol[s] = R.sum(axis=1) - L.sum(axis=1)
                where[s] = n - 1
                continue
            if family == "s1":
                i = np.argmax(R, axis=1)
                viol[s] = R[rows, i] - L.sum(axis=1)
                where[s] = model.order[s][rows, i]
                continue
            terms = np.maximum(R, 0.0) - L
        cs = np.where(model.ends[s], np.cumsum(terms, axis=1), -np.inf)
        i = np.argmax(cs, axis=1)
        viol[s] = cs[rows, i]
        where[s] = i
    return viol, where


def _rows(model: CutModel, x: np.ndarray, family: str, pairs: np.ndarray,
          where: np.ndarray) -> sp.csr_matrix:
    """The cuts ``right side - left side <= 0`` of ``family`` for ``pairs`` (``where`` from
    :func:`separate_family`) as sparse rows over the LP's variables."""
    nt, n = model.nt, model.n
    nx = nt * n
    T = model.T
    a, b = model.split(x)
    j, k = model.jj[pairs], model.kk[pairs]
    K = pairs.shape[0]
    if family == "s1":
        m = where
        full_r = np.repeat(np.arange(K), n)
        full_m = np.tile(np.arange(n), K)
        jr = j[full_r]
        r_i = [full_r, np.arange(K), np.arange(K)]
        c_i = [jr * n + full_m, k * n + m, nx + k * n + m]
        v_i = [-T[jr, full_m], T[j, m], T[j, m] - T[k, m]]
    else:
        o = model.order[pairs].astype(np.intp)
        r, c = np.nonzero(np.arange(n)[None, :] <= where[:, None])
        m = o[r, c]
        jr, kr = j[r], k[r]
        if family == "sd":
            # sum_{A_t} (x_k - x_j) <= 0, or the complement form when it is shorter
            # (equal on the LP: both assignment rows hold); same rows either way
            longer = (where + 1) > n // 2
            if longer.any():
                rc, cc = np.nonzero(np.arange(n)[None, :] > where[:, None])
                keep = ~longer[r]
                r, m, jr, kr = r[keep], m[keep], jr[keep], kr[keep]
                rl = rc[longer[rc]]
                ml = o[rl, cc[longer[rc]]]
                sign = np.concatenate([np.ones(r.shape[0]), -np.ones(rl.shape[0])])
                r = np.concatenate([r, rl])
                m = np.concatenate([m, ml])
                jr = np.concatenate([jr, j[rl]])
                kr = np.concatenate([kr, k[rl]])
            else:
                sign = np.ones(r.shape[0])
            r_i = [r, r, r, r]
            c_i = [kr * n + m, nx + kr * n + m, jr * n + m, nx + jr * n + m]
            v_i = [sign, sign, -sign, -sign]
        else:
            rv = T[jr, m] * a[kr, m] + (T[jr, m] - T[kr, m]) * b[kr, m]
            inS = np.ones(r.shape[0], dtype=bool) if family == "ef" else rv > 0
            r_i = [r, r[inS], r[inS]]
            c_i = [jr * n + m, kr[inS] * n + m[inS], nx + kr[inS] * n + m[inS]]
            v_i = [-T[jr, m], T[jr[inS], m[inS]], T[jr[inS], m[inS]] - T[kr[inS], m[inS]]]
    A = sp.csr_matrix((np.concatenate(v_i), (np.concatenate(r_i), np.concatenate(c_i))),
                      shape=(K, 2 * nx))
    A.sum_duplicates()
    A.eliminate_zeros()
    return A


class Separator:
    """The separation callback of the cut rounds (:data:`solver.opt.lazy.Separation`).

    First the EF rows (the pairwise LP root; kept), then, once no EF row is violated, the
    ``families`` cuts (deleted again once slack); ``None`` when nothing is violated by more
    than :data:`~solver.pricing.tolerances.CUT_VIOLATION`.  ``phase`` is ``"ef"`` or
    ``"cuts"``; ``counts`` the rows separated per family.
    """

    def __init__(self, model: CutModel, families: tuple[str, ...] = ("th", "sd", "s1"),
                 tol: float = CUT_VIOLATION) -> None:
        for f in families:
            if f not in FAMILIES or f == "ef":
                raise InstanceError("families", f"must be among s1, th, sd, got {f!r}")
        self.model, self.families, self.tol = model, tuple(families), tol
        self.phase = "ef"
        self.counts = dict.fromkeys(("ef", *self.families), 0)

    def _family(self, x: np.ndarray, family: str, per_round: int) -> sp.csr_matrix | None:
        viol, where = separate_family(self.model, x, family)
        pick = np.flatnonzero(viol > self.tol)
        if pick.size == 0:
            return None
        if pick.size > per_round:
            pick = pick[np.argsort(-viol[pick], kind="stable")[:per_round]]
        self.counts[family] += int(pick.size)
        return _rows(self.model, x, family, pick, where[pick])

    def __call__(self, x: np.ndarray):  # noqa: ANN204 - solver.opt.lazy.Cuts | None
        from ..opt.lazy import Cuts

        nt = self.model.nt
        if self.phase == "ef":
            A = self._family(x, "ef", EF_PER_TYPE * nt)
            if A is not None:
                return Cuts(A, np.zeros(A.shape[0]), removable=False)
            self.phase = "cuts"
        blocks = [B for f in self.families
                  if (B := self._family(x, f, CUTS_PER_TYPE * nt)) is not None]
        if not blocks:
            return None
        A = sp.vstack(blocks).tocsr()
        return Cuts(A, np.zeros(A.shape[0]), removable=True)


@dataclass
class CutBound:
    """The cut-strengthened root bound of :func:`cut_bound`.

    Attributes
    ----------
    status
        ``"optimal"`` (no cut of the families violated: the LP optimum over all of them),
        ``"stalled"``, ``"target"``, ``"time_limit"``, ``"iteration_limit"`` (all with a
        valid bound) or ``"error"`` (``bound`` is ``nan``).
    bound
        Upper bound on rev^OPT(N) in the valuations' units (capped by IRB,
        ``sum_j v_j(N)``).
    root
        The bound when the EF rows were done (the pairwise LP root), or ``nan``.
    rounds, seconds, cpu_seconds
        LP solves, wall and CPU seconds.
    history
        ``(round, wall s, CPU s, bound, separated rows in the LP)`` per round, the bound in
        the valuations' units (``nan``: not certified).
    counts
        Rows separated per family.
    dual_infeasibility
        Of the raw duals behind ``bound`` (the projected duals are feasible).
    model, x
        The LP and the point behind ``bound`` (for :meth:`CutModel.size_mass`).
    """

    status: str
    bound: float
    root: float
    rounds: int
    seconds: float
    cpu_seconds: float
    history: list[tuple[int, float, float, float, int]] = field(default_factory=list)
    counts: dict = field(default_factory=dict)
    dual_infeasibility: float = float("inf")
    model: CutModel | None = None
    x: np.ndarray | None = None


def cut_bound(V: np.ndarray, *, weights: np.ndarray | None = None,
              time_limit: float | None = None,
              families: tuple[str, ...] = ("th", "sd", "s1"),
              target: float | None = None, stall: float | None = CUT_STALL,
              from_one: bool = False) -> CutBound:
    """Upper bound on rev^OPT(N): the pairwise LP root plus TH/SD/S1 cut rounds.

    Parameters
    ----------
    V
        Valuations ``(B, N + 1)`` with ``V[:, 0] = 0`` (or rows ``v_j(1..N)`` with
        ``from_one=True``).  Identical rows are merged (exact).
    weights
        Numbers of buyers each row stands for (rows of ``V`` are then types).
    time_limit
        Seconds for the rounds (the bound stays valid when they stop early).
    families
        Cut families after the EF rows (among ``"th"``, ``"sd"``, ``"s1"``).
    target
        Stop once the bound is at most this (e.g. the incumbent's revenue), valuation units.
    stall
        Stop when the bound improves by less than this (relative) per round over
        :data:`STALL_ROUNDS` rounds of cuts; ``None``: only time, rounds or no violated cut.

    Returns
    -------
    CutBound
        The certified bound (module docstring), in the valuations' units.
    """
    from .bounds import _types

    t0, c0 = time.perf_counter(), time.process_time()
    T, w = _types(V, weights, from_one)
    if value_scale(T) == 0:
        return CutBound("optimal", 0.0, 0.0, 0, 0.0, 0.0, dual_infeasibility=0.0)
    model = cut_model(T, w)
    sep = Separator(model, families)
    ub_trivial = float(w @ T[:, -1])
    scale = model.scale
    left = None if time_limit is None else time_limit - (time.perf_counter() - t0)
    if left is not None and left <= 0:
        return CutBound("time_limit", ub_trivial, float("nan"), 0, time.perf_counter() - t0,
                        time.process_time() - c0)
    highs: Any = get_backend("highs")       # the capability is the highs backend's own
    r = highs.solve_cuts(
        model.lp, sep, time_limit=left, stall_tol=stall, stall_rounds=STALL_ROUNDS,
        target=None if target is None else target / scale)
    hist = [(h.round, h.seconds, h.cpu_seconds, h.bound * scale, h.rows) for h in r.history]
    status, bound = r.status, r.bound * scale
    if not np.isfinite(bound) or status in ("infeasible", "error"):
        status, bound = "error", float("nan")
    else:
        bound = min(bound, ub_trivial)
    root = float("nan")
    if sep.phase == "cuts":
        root = _root_of(r.history, sep.counts["ef"])
        root = (r.bound if not np.isfinite(root) else root) * scale
    return CutBound(status, float(bound), float(root), r.rounds, time.perf_counter() - t0,
                    time.process_time() - c0, hist, dict(sep.counts),
                    float(r.dual_infeasibility), model, r.x)


def _root_of(history: list, ef_rows: int) -> float:
    """The certified bound of the round whose point violated no EF row (the pairwise LP
    root, in LP units): the round after which the first removable cuts were added."""
    total = 0
    for h in history:
        total += h.added
        if total > ef_rows:
            return float(h.bound)
    return float("nan")
