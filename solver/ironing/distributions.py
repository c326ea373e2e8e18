"""Cost distributions for the ironing problem (Fleischer-Lyu Sections 3-4, Assumption 1).

Four kinds, one interface (``support``, ``cdf``, ``ppf`` and :meth:`cost_curve`):

:class:`Discrete`
    Atoms ``c_1 < ... < c_K`` with masses.  Virtual costs are the slopes of the cost curve
    between atom quantiles (the paper defines phi only for densities; this is the discrete
    analogue, notes I-2), so the cost curve is *exact* on the atom partition.
:class:`PiecewiseUniform`
    Breakpoints and masses; density constant and positive on each piece.  ``F^{-1}`` is
    linear on each piece, so ``H(q) = q F^{-1}(q)`` is a convex quadratic on each piece and
    a uniform sub-grid of width ``delta`` has interpolation error exactly
    ``H'' delta^2 / 8``: the grid error is a bound, not an estimate.
:class:`Continuous`
    A frozen ``scipy.stats`` distribution with bounded support in ``[0, inf)``
    (Assumption 1: bounded support ``[a, b]``, density positive on it).  Adaptive quantile
    grid, refined where the midpoint deviation of ``H`` from its chord exceeds the
    tolerance (an estimate; exact for piecewise-quadratic ``H``).
:class:`Mixture`
    Weights over components; a mixture of discrete ones is :class:`Discrete`, of
    piecewise-uniform ones is :class:`PiecewiseUniform` (use :func:`mixture`); otherwise a
    continuous mixture with ``F^{-1}`` by vectorised bisection.

Costs are non-negative throughout (the paper's Section 4 needs ``F`` on ``[0, inf)``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .. import budget

#: Default bound on the grid error of ``G`` (absolute, cost units) for continuous curves.
GRID_TOL = 1e-9
#: Largest number of grid cells a continuous cost curve may use.
MAX_GRID = 1 << 21
#: Narrowest quantile cell the adaptive grid may create (an infinite slope of ``F^{-1}`` at
#: an end of the support cannot be resolved below it; the reported error says so).
MIN_CELL = 1e-12
#: Largest grid for scipy / mixture distributions (their ``ppf`` is the cost).
MAX_GRID_CONTINUOUS = 1 << 18
#: Relative step at which the mixture quantile function stops (a few ulps).
PPF_XTOL = 4e-16
#: Safeguard on its Newton/bisection steps (bisection alone needs 44 from the table bracket).
PPF_MAX_STEPS = 80
#: Points at which Assumption 1 (positive density) is checked for scipy distributions.
DENSITY_CHECK_POINTS = 4001


@dataclass(frozen=True)
class CostCurve:
    """A cost curve on a quantile partition: ``H(q_k) = q_k F^{-1}(q_k)``.

    ``exact`` says whether the piecewise-linear curve through these points *is* the model
    (discrete distributions); otherwise ``error_bound`` bounds ``max |G_grid - G|``
    (``error_is_bound`` False: an estimate).
    """

    q: np.ndarray
    H: np.ndarray
    exact: bool
    error_bound: float
    error_is_bound: bool


class _Base:
    kind: str = ""

    @property
    def support(self) -> tuple[float, float]:  # pragma: no cover - abstract
        raise NotImplementedError

    def cdf(self, z: ArrayLike) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def ppf(self, u: ArrayLike) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def sample(self, rng: np.random.Generator, size) -> np.ndarray:
        """Draws by inversion."""
        return self.ppf(rng.random(size))

    def mean(self) -> float:
        """Expected cost ``int_0^1 F^{-1}(u) du`` (quadrature)."""
        from scipy.integrate import quad

        return float(quad(lambda u: float(self.ppf(u)), 0, 1, limit=200)[0])


@dataclass(frozen=True)
class Discrete(_Base):
    """Atoms ``values`` (strictly increasing, >= 0) with ``probabilities`` (> 0, sum 1)."""

    values: np.ndarray
    probabilities: np.ndarray
    kind: str = field(default="discrete", init=False)

    def __post_init__(self) -> None:
        v = np.asarray(self.values, dtype=float)
        p = np.asarray(self.probabilities, dtype=float)
        if v.ndim != 1 or v.shape != p.shape or v.size == 0:
            raise ValueError("values and probabilities must be 1-D of equal length")
        if np.any(np.diff(v) <= 0) or v[0] < 0 or np.any(p <= 0):
            raise ValueError("values strictly increasing and >= 0, probabilities > 0")
        object.__setattr__(self, "values", v)
        object.__setattr__(self, "probabilities", p / p.sum())

    @property
    def cum(self) -> np.ndarray:
        """``F(c_k)``, with the last entry exactly 1."""
        F = np.cumsum(self.probabilities)
        F[-1] = 1.0
        return F

    @property
    def support(self) -> tuple[float, float]:
        return float(self.values[0]), float(self.values[-1])

    def cdf(self, z: ArrayLike) -> np.ndarray:
        idx = np.searchsorted(self.values, np.asarray(z, dtype=float), side="right")
        return np.concatenate(([0.0], self.cum))[idx]

    def ppf(self, u: ArrayLike) -> np.ndarray:
        u = np.asarray(u, dtype=float)
        k = np.searchsorted(self.cum, u, side="left")
        return self.values[np.minimum(k, self.values.size - 1)]

    def mean(self) -> float:
        return float(self.values @ self.probabilities)

    def grid_cells(self, tol: float = GRID_TOL) -> int:
        """Cells of :meth:`cost_curve` (one per atom)."""
        return int(self.values.size)

    def cost_curve(self, tol: float = GRID_TOL) -> CostCurve:
        F = self.cum
        return CostCurve(np.concatenate(([0.0], F)), np.concatenate(([0.0], F * self.values)),
                         exact=True, error_bound=0.0, error_is_bound=True)

    def virtual_costs(self) -> np.ndarray:
        """Discrete virtual costs ``phi_k = (F_k c_k - F_{k-1} c_{k-1}) / f_k`` (notes I-2)."""
        cc = self.cost_curve()
        return np.diff(cc.H) / np.diff(cc.q)

    def describe(self) -> dict[str, Any]:
        return {"kind": "discrete", "atoms": int(self.values.size)}


@dataclass(frozen=True)
class PiecewiseUniform(_Base):
    """Density constant on ``[breaks[j], breaks[j+1])`` with mass ``masses[j]`` (> 0)."""

    breaks: np.ndarray
    masses: np.ndarray
    kind: str = field(default="piecewise_uniform", init=False)

    def __post_init__(self) -> None:
        b = np.asarray(self.breaks, dtype=float)
        m = np.asarray(self.masses, dtype=float)
        if b.ndim != 1 or b.size != m.size + 1 or m.size == 0:
            raise ValueError("need len(breaks) == len(masses) + 1 >= 2")
        if np.any(np.diff(b) <= 0) or b[0] < 0 or np.any(m <= 0):
            raise ValueError("breaks strictly increasing and >= 0, masses > 0")
        object.__setattr__(self, "breaks", b)
        object.__setattr__(self, "masses", m / m.sum())

    @property
    def Q(self) -> np.ndarray:
        """Quantiles of the breakpoints, ``Q_0 = 0 < ... < Q_m = 1``."""
        Q = np.concatenate(([0.0], np.cumsum(self.masses)))
        Q[-1] = 1.0
        return Q

    @property
    def support(self) -> tuple[float, float]:
        return float(self.breaks[0]), float(self.breaks[-1])

    def cdf(self, z: ArrayLike) -> np.ndarray:
        return np.interp(np.asarray(z, dtype=float), self.breaks, self.Q)

    def ppf(self, u: ArrayLike) -> np.ndarray:
        return np.interp(np.asarray(u, dtype=float), self.Q, self.breaks)

    def pdf(self, z: ArrayLike) -> np.ndarray:
        z = np.asarray(z, dtype=float)
        dens = self.masses / np.diff(self.breaks)
        j = np.clip(np.searchsorted(self.breaks, z, side="right") - 1, 0, dens.size - 1)
        inside = (z >= self.breaks[0]) & (z <= self.breaks[-1])
        return np.where(inside, dens[j], 0.0)

    def mean(self) -> float:
        mids = 0.5 * (self.breaks[1:] + self.breaks[:-1])
        return float(mids @ self.masses)

    def _cells(self, tol: float) -> np.ndarray:
        """Cells per piece so that ``H'' delta^2 / 8 <= tol``, scaled down to ``MAX_GRID``."""
        Q, b = self.Q, self.breaks
        curv = 2.0 * np.diff(b) / np.diff(Q)  # H'' on each piece (q-space)
        width = np.diff(Q)
        with np.errstate(over="ignore"):
            want = np.minimum(np.ceil(width * np.sqrt(curv / (8.0 * tol))), 1e15)  # no int overflow
        cells = np.maximum(1, want).astype(np.int64)
        total = int(cells.sum())
        if total > MAX_GRID:
            cells = np.maximum(1, np.floor(cells * (MAX_GRID / total))).astype(np.int64)
        return cells

    def grid_cells(self, tol: float = GRID_TOL) -> int:
        """Cells of :meth:`cost_curve` at ``tol`` (computed from the pieces, nothing built)."""
        return int(self._cells(tol).sum())

    def cost_curve(self, tol: float = GRID_TOL) -> CostCurve:
        Q, b = self.Q, self.breaks
        curv = 2.0 * np.diff(b) / np.diff(Q)  # H'' on each piece (q-space)
        width = np.diff(Q)
        cells = self._cells(tol)
        parts = [np.linspace(Q[j], Q[j + 1], cells[j] + 1)[:-1] for j in range(cells.size)]
        q = np.concatenate(parts + [np.array([1.0])])
        # force exact breakpoints (linspace endpoints already are)
        H = q * self.ppf(q)
        delta = width / cells
        err = float(np.max(curv * delta ** 2 / 8.0))
        return CostCurve(q, H, exact=False, error_bound=err, error_is_bound=True)

    def virtual_cost(self, z: ArrayLike) -> np.ndarray:
        """``phi(z) = z + F(z)/f(z)`` (Section 4.2)."""
        z = np.asarray(z, dtype=float)
        return z + self.cdf(z) / self.pdf(z)

    def describe(self) -> dict[str, Any]:
        return {"kind": "piecewise_uniform", "pieces": int(self.masses.size)}


class _ContinuousBase(_Base):
    kind = "continuous"

    def pdf(self, z: ArrayLike) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def virtual_cost(self, z: ArrayLike) -> np.ndarray:
        """``phi(z) = z + F(z)/f(z)`` (Section 4.2)."""
        z = np.asarray(z, dtype=float)
        return z + self.cdf(z) / self.pdf(z)

    def breakpoints(self) -> np.ndarray:
        """Quantiles that must be grid points (kinks of ``H``)."""
        return np.array([0.0, 1.0])

    def grid_cells(self, tol: float = GRID_TOL) -> int:
        """Upper bound on the cells of :meth:`cost_curve` (the adaptive grid's cap)."""
        return MAX_GRID_CONTINUOUS + int(self.breakpoints().size)

    def cost_curve(self, tol: float = GRID_TOL) -> CostCurve:
        """Adaptive quantile grid: bisect cells whose midpoint deviates more than ``tol``."""
        q = np.union1d(np.linspace(0.0, 1.0, 1025), self.breakpoints())
        H = q * self.ppf(q)
        err = np.inf
        while True:
            budget.check_deadline("refining the quantile grid")
            mid = 0.5 * (q[1:] + q[:-1])
            Hm = mid * self.ppf(mid)
            dev = np.abs(0.5 * (H[1:] + H[:-1]) - Hm)
            bad = (dev > tol) & (np.diff(q) > MIN_CELL)
            err = float(dev.max())
            if not bad.any() or q.size + int(bad.sum()) > MAX_GRID_CONTINUOUS:
                break
            q = np.concatenate((q, mid[bad]))
            H = np.concatenate((H, Hm[bad]))
            order = np.argsort(q, kind="stable")
            q, H = q[order], H[order]
        return CostCurve(q, H, exact=False, error_bound=err, error_is_bound=False)


@dataclass(frozen=True)
class Continuous(_ContinuousBase):
    """A frozen ``scipy.stats`` continuous distribution with support in ``[0, inf)``."""

    dist: Any
    name: str = ""

    @property
    def support(self) -> tuple[float, float]:
        a, b = self.dist.support()
        return float(a), float(b)

    def cdf(self, z: ArrayLike) -> np.ndarray:
        return self.dist.cdf(z)

    def ppf(self, u: ArrayLike) -> np.ndarray:
        a, b = self.support
        u = np.asarray(u, dtype=float)
        out = np.asarray(self.dist.ppf(u), dtype=float)
        return np.where(u <= 0, a, np.where(u >= 1, b, out))

    def pdf(self, z: ArrayLike) -> np.ndarray:
        return self.dist.pdf(z)

    def mean(self) -> float:
        return float(self.dist.mean())

    def describe(self) -> dict[str, Any]:
        return {"kind": "scipy", "name": self.name}


@dataclass(frozen=True)
class ContinuousMixture(_ContinuousBase):
    """Mixture of continuous components; ``F^{-1}`` by vectorised bisection."""

    components: tuple[Any, ...]
    weights: np.ndarray

    @property
    def support(self) -> tuple[float, float]:
        s = [c.support for c in self.components]
        return min(a for a, _ in s), max(b for _, b in s)

    def cdf(self, z: ArrayLike) -> np.ndarray:
        return sum(w * np.asarray(c.cdf(z), dtype=float)
                   for w, c in zip(self.weights, self.components, strict=True))

    def pdf(self, z: ArrayLike) -> np.ndarray:
        return sum(w * np.asarray(c.pdf(z), dtype=float)
                   for w, c in zip(self.weights, self.components, strict=True))

    @cached_property
    def _table(self) -> tuple[np.ndarray, np.ndarray]:
        a, b = self.support
        z = np.linspace(a, b, 4097)
        return z, np.maximum.accumulate(np.asarray(self.cdf(z), dtype=float))

    def ppf(self, u: ArrayLike) -> np.ndarray:
        """``F^{-1}``: bracket from a CDF table of 4097 points, then safeguarded Newton.

        Each step keeps the bracket ``F(lo) < u <= F(hi)``; the Newton step ``z - (F(z) -
        u) / f(z)`` is taken when it falls inside the bracket and bisection otherwise (at
        the kinks where components start or end, and where the density vanishes).  Points
        stop when the step is below ``PPF_XTOL`` relative, so only unconverged points pay
        for further CDF evaluations: 5-8 instead of 44 bisection steps per point.

        Kept instead of scipy's vectorised bracketed root finder
        (``scipy.optimize.elementwise.find_root`` from the same table bracket), measured on
        2^18 + 1 quantiles (issue #12): scipy is 1.96x / 1.57x / 1.55x slower on the three
        mixtures of tests/ironing/test_mixture_quantile.py (0.90 s vs 0.46 s on the
        truncnorm + uniform one), and where ``F`` is flat (a gap between the components'
        supports) it returns any point of the flat stretch, 4.9e-4 away from the
        left-continuous quantile ``inf {z : F(z) >= u}`` that this method returns (to 1e-15).
        """
        u = np.asarray(u, dtype=float)
        shape = u.shape
        u = u.reshape(-1)
        a, b = self.support
        zt, Ft = self._table
        k = np.clip(np.searchsorted(Ft, u, side="left"), 1, zt.size - 1)
        lo, hi = zt[k - 1].copy(), zt[k].copy()
        z = 0.5 * (lo + hi)
        live = np.flatnonzero((u > 0) & (u < 1))
        for _ in range(PPF_MAX_STEPS):
            if live.size == 0:
                break
            zl, ul = z[live], u[live]
            F = np.asarray(self.cdf(zl), dtype=float)
            f = np.asarray(self.pdf(zl), dtype=float)
            up = F >= ul
            lo[live] = np.where(up, lo[live], zl)
            hi[live] = np.where(up, zl, hi[live])
            with np.errstate(divide="ignore", invalid="ignore"):
                newton = zl - (F - ul) / f
            tol = PPF_XTOL * (np.abs(zl) + (b - a))  # relative to the support's scale
            inside = np.isfinite(newton) & (newton > lo[live]) & (newton < hi[live])
            nz = np.where(inside, newton, 0.5 * (lo[live] + hi[live]))
            # a vanishing Newton step (F(z) = u to rounding) or a collapsed bracket: done
            settled = np.isfinite(newton) & (np.abs(newton - zl) <= tol)
            done = settled | (hi[live] - lo[live] <= tol)
            z[live] = np.where(settled, zl, nz)
            live = live[~done]
        z = np.clip(z, lo, hi)
        return np.where(u <= 0, a, np.where(u >= 1, b, z)).reshape(shape)

    def breakpoints(self) -> np.ndarray:
        pts = [np.atleast_1d(self.cdf(np.array(c.support))) for c in self.components]
        return np.clip(np.concatenate(pts + [np.array([0.0, 1.0])]), 0.0, 1.0)

    def mean(self) -> float:
        return float(sum(w * c.mean() for w, c in zip(self.weights, self.components,
                                                        strict=True)))

    def describe(self) -> dict[str, Any]:
        return {"kind": "mixture", "components": len(self.components)}


def mixture(components: Sequence[Any], weights: ArrayLike) -> _Base:
    """Mixture of distributions, kept exact where the family is closed under mixing.

    All :class:`Discrete`: a :class:`Discrete` on the union of atoms (masses added).
    All :class:`PiecewiseUniform`: a :class:`PiecewiseUniform` on the union of breakpoints
    (a piece outside a component's support gets nothing from it; a gap between supports is a
    vanishing density and raises ``ValueError``).  Otherwise :class:`ContinuousMixture`.
    """
    comps = tuple(components)
    w = np.asarray(weights, dtype=float)
    w = w / w.sum()
    if all(isinstance(c, Discrete) for c in comps):
        v = np.concatenate([c.values for c in comps])
        p = np.concatenate([wi * c.probabilities for wi, c in zip(w, comps, strict=True)])
        u, inv = np.unique(v, return_inverse=True)
        return Discrete(u, np.bincount(inv, weights=p))
    if all(isinstance(c, PiecewiseUniform) for c in comps):
        b = np.unique(np.concatenate([c.breaks for c in comps]))
        F = sum(wi * c.cdf(b) for wi, c in zip(w, comps, strict=True))
        m = np.diff(F)
        if np.any(m <= 0):
            raise ValueError("mixture density vanishes between component supports")
        return PiecewiseUniform(b, m)
    if any(isinstance(c, Discrete) for c in comps):
        raise ValueError("cannot mix discrete and continuous components")
    return ContinuousMixture(comps, w)


def as_distribution(dist: Any) -> Any:
    """A cost distribution of this module; a frozen ``scipy.stats`` one is wrapped.

    Parameters
    ----------
    dist
        A :class:`Discrete`, :class:`PiecewiseUniform`, :class:`Continuous` or
        :class:`ContinuousMixture` (returned unchanged), or a frozen continuous
        ``scipy.stats`` distribution such as ``stats.uniform(1, 2)`` (wrapped in
        :class:`Continuous`).

    Returns
    -------
    Discrete, PiecewiseUniform, Continuous or ContinuousMixture

    Raises
    ------
    TypeError
        Anything else (e.g. a scipy distribution not frozen: ``stats.uniform`` instead of
        ``stats.uniform(loc, scale)``, or a discrete scipy one: use :class:`Discrete`).
    ValueError
        A support that is not a bounded interval in ``[0, inf)`` [FL12, Assumption 1].
    """
    if isinstance(dist, _Base):
        return dist
    from scipy import stats

    gen = getattr(dist, "dist", None)
    if not isinstance(gen, stats.rv_continuous) or not hasattr(dist, "support"):
        raise TypeError(f"expected a cost distribution of solver.ironing.distributions or a "
                        f"frozen continuous scipy.stats distribution, got {type(dist).__name__}")
    a, b = (float(t) for t in dist.support())
    if not (np.isfinite(a) and np.isfinite(b) and b > a):
        raise ValueError(f"support must be a bounded interval [a, b] (Assumption 1), got "
                         f"[{a}, {b}]; truncate the distribution (e.g. truncexpon)")
    if a < 0:
        raise ValueError(f"support must lie in [0, inf) (costs are non-negative), starts at {a}")
    return Continuous(dist, str(gen.name))
