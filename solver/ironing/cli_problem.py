"""The ``ironing`` problem for ``solver solve`` (Fleischer-Lyu Sections 4.2-4.3, Appendix A).

Instance (exactly one distribution form)::

    {"problem": "ironing",
     "values": [c_1, ...], "probabilities": [f_1, ...]            # discrete atoms
     | "distribution": {"scipy": "beta", "params": [2, 5], "loc": 0, "scale": 1}
     | "piecewise_uniform": {"breaks": [b_0, ..., b_m], "masses": [m_1, ..., m_m]}
     | "mixture": {"components": [<one of the three forms>, ...], "weights": [...]},
     "units": w, "players": n,        # optional, together: procurement benchmarks
     "grid_tol": 1e-9}                # optional: grid error target for continuous F,
                                      # relative to the largest cost

Rules: atoms must be strictly increasing and >= 0 -- unsorted or duplicated atoms are
*rejected*, not sorted or merged (a duplicate is more likely a typo than an intent);
probabilities must be at least ``MASS_MIN`` (1e-12) and sum to 1 within
``solver.tolerances.PROBABILITY_SUM``; densities must be positive on the support
(Assumption 1), which must be bounded and in ``[0, inf)``, with its largest cost 0 or in
``[COST_MIN, COST_MAX]``; ``1 <= units < players``.

``--method``: ``hull`` (default, exact vectorised hull), ``pava``
(``scipy.optimize.isotonic_regression``) -- both take no ``--backend`` --, ``qp`` (isotonic
QP via ``solver.opt``, backend from ``--backend``), ``lp`` (the minorant LP in gap form via
``solver.opt``); qp/lp answers are polished to the exact minorant through the points the
backend put on the cost curve (:func:`.models.polish_minorant`, reported under ``polish``).
Every answer passes :mod:`.certificate` before it is reported optimal.  ``objective`` is the
optimal procurement payment with ``units``/``players``, else the area between the cost curve
and its convex minorant (the I-LP's optimum).  Grid and model sizes
are estimated before anything is built and refused past the budget (field ``grid_tol``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import budget
from ..errors import InstanceError
from ..problems import SolveOptions, register_problem, require_method, require_no_backend
from ..tolerances import PROBABILITY_SUM
from ..validate import as_array as _as_array
from ..validate import as_int, reject_unknown, require_mapping
from ..validate import as_number as _as_number
from .certificate import check_ironing, check_payment
from .distributions import (
    DENSITY_CHECK_POINTS,
    GRID_TOL,
    Continuous,
    Discrete,
    PiecewiseUniform,
    mixture,
)
from .ironing import IronedCurve, curve_from_hull, iron_curve
from .procurement import (
    cost_interval,
    ironing_r,
    procurement_report,
    raw_virtual_payment_from_curve,
)
from .tolerances import MASS_MIN

FORMS = ("values", "distribution", "piecewise_uniform", "mixture")
#: Relative inset of the density check's end points, and the density floor (times 1/(b-a)).
DENSITY_EDGE = 1e-9
DENSITY_FLOOR = 1e-6
#: Number of evenly spaced costs at which continuous virtual costs are reported.
REPORT_POINTS = 101


#: Largest number of players accepted (the exact formulas work far beyond; this bounds input).
MAX_PLAYERS = 10**9
#: Range of the largest cost (payments up to ``MAX_PLAYERS * COST_MAX`` and virtual costs up
#: to ``COST_MAX / MASS_MIN`` stay far inside the float range).
COST_MIN = 1e-250
COST_MAX = 1e250
#: Methods, and the backend name of the exact ones (which take no ``--backend``).
METHODS = ("hull", "pava", "qp", "lp")
EXACT_BACKENDS = {"hull": "exact:hull", "pava": "exact:scipy-pava"}
#: Peak bytes per grid cell of the exact path (grid, hull, report), measured with margin ...
GRID_BYTES_PER_CELL = 400.0
#: ... and of the qp/lp models through solver.opt and a backend (cvxpy: ~2.7 KB measured),
#: with their work per cell (an estimate: backend times grow faster than linearly with the
#: ironed span, see docs/ironing.md).
MODEL_BYTES_PER_CELL = 4000.0
MODEL_OPS_PER_CELL = 8000.0


def _overflow(field: str) -> InstanceError:
    return InstanceError(field, "must be finite (an integer beyond the float range)")


def as_array(value: Any, field: str, **kw: Any) -> np.ndarray:
    """:func:`solver.validate.as_array`, with integers beyond float range rejected by field."""
    try:
        return _as_array(value, field, **kw)
    except OverflowError:
        raise _overflow(field) from None


def as_number(value: Any, field: str, **kw: Any) -> float:
    """:func:`solver.validate.as_number`, with integers beyond float range rejected by field."""
    try:
        return _as_number(value, field, **kw)
    except OverflowError:
        raise _overflow(field) from None


@dataclass(frozen=True)
class IroningInstance:
    """A validated ``ironing`` instance."""

    dist: Any
    units: int | None
    players: int | None
    grid_tol: float
    form: str = "values"


def _mass_floor(p: np.ndarray, field: str) -> None:
    small = np.flatnonzero(p < MASS_MIN)
    if small.size:
        i = int(small[0])
        raise InstanceError(f"{field}[{i}]", f"must be at least {MASS_MIN:g}, got {float(p[i])!r} "
                                             f"(a smaller mass vanishes in the cumulative "
                                             f"distribution in double precision); drop the "
                                             f"atom or piece, or merge it with a neighbour")


def _probabilities(raw: Any, field: str, size: int) -> np.ndarray:
    p = as_array(raw, field, minimum=0.0)
    if p.size != size:
        raise InstanceError(field, f"must have {size} entries (one per atom/piece), got {p.size}")
    zero = np.flatnonzero(p == 0)
    if zero.size:
        raise InstanceError(f"{field}[{zero[0]}]", "must be > 0 (a zero mass leaves a gap; "
                                                   "drop the atom or piece)")
    _mass_floor(p, field)
    s = float(p.sum())
    if abs(s - 1.0) > PROBABILITY_SUM:
        raise InstanceError(field, f"must sum to 1 within {PROBABILITY_SUM:g}, got {s!r}")
    return p / s


def _sorted_atoms(raw: Any, field: str) -> np.ndarray:
    v = as_array(raw, field, minimum=0.0)
    d = np.diff(v)
    bad = np.flatnonzero(d <= 0)
    if bad.size:
        i = int(bad[0]) + 1
        word = "duplicates" if d[bad[0]] == 0 else "is out of order after"
        raise InstanceError(f"{field}[{i}]", f"must be strictly increasing ({v[i]!r} {word} "
                                             f"{v[i - 1]!r}); unsorted or duplicated entries "
                                             "are rejected, not sorted or merged")
    return v


def _scipy_dist(raw: Any, field: str) -> Continuous:
    from scipy import stats

    raw = require_mapping(raw, field)
    reject_unknown(raw, ("scipy", "params", "loc", "scale"), field + ".")
    name = raw.get("scipy")
    gen = getattr(stats, name, None) if isinstance(name, str) else None
    if not isinstance(gen, stats.rv_continuous):
        raise InstanceError(field + ".scipy", f"must name a continuous scipy.stats "
                                              f"distribution, got {name!r}")
    params = raw.get("params", [])
    kwargs: dict[str, float] = {}
    if isinstance(params, Mapping):
        kwargs = {str(k): as_number(v, f"{field}.params.{k}") for k, v in params.items()}
        args: list[float] = []
    else:
        args = list(as_array(params, field + ".params", min_len=0)) if params else []
    loc = as_number(raw.get("loc", 0.0), field + ".loc")
    scale = as_number(raw.get("scale", 1.0), field + ".scale", minimum=0.0, strict_min=True)
    try:
        frozen = gen(*args, loc=loc, scale=scale, **kwargs)
        a, b = (float(t) for t in frozen.support())
    except Exception as exc:  # scipy raises TypeError/ValueError for wrong parameters
        raise InstanceError(field + ".params", f"rejected by scipy.stats.{name}: {exc}") from None
    if not (math.isfinite(a) and math.isfinite(b)) or not b > a:
        raise InstanceError(field, f"support must be a bounded interval [a, b] (Assumption 1), "
                                   f"got [{a}, {b}] (invalid parameters or unbounded; truncate "
                                   f"it, e.g. truncexpon)")
    if a < 0:
        raise InstanceError(field, f"support must lie in [0, inf) (costs are non-negative), "
                                   f"starts at {a}")
    # Assumption 1: f positive on the closed support [a, b].  Checked on a grid whose end
    # points sit DENSITY_EDGE * (b - a) inside the support; "positive" means at least
    # DENSITY_FLOOR times the uniform density 1/(b - a) (a density that vanishes at an end,
    # such as beta(2, 5), gives F^{-1} an infinite slope and phi = z + F/f is unbounded).
    z = np.linspace(a, b, DENSITY_CHECK_POINTS)
    z[0] += DENSITY_EDGE * (b - a)
    z[-1] -= DENSITY_EDGE * (b - a)
    with np.errstate(all="ignore"):
        f = np.asarray(frozen.pdf(z), dtype=float)
    floor = DENSITY_FLOOR / (b - a)
    bad = np.flatnonzero(~(f >= floor) | ~np.isfinite(f))
    if bad.size:
        raise InstanceError(field, f"density must be positive and finite on the support "
                                   f"[{a:.6g}, {b:.6g}] (Assumption 1; rule: f >= "
                                   f"{DENSITY_FLOOR:g}/(b - a)); f({z[bad[0]]:.6g}) = "
                                   f"{f[bad[0]]:.3g}")
    return Continuous(frozen, name)


def _piecewise(raw: Any, field: str) -> PiecewiseUniform:
    raw = require_mapping(raw, field)
    reject_unknown(raw, ("breaks", "masses"), field + ".")
    if "breaks" not in raw or "masses" not in raw:
        raise InstanceError(field, "needs 'breaks' and 'masses'")
    b = _sorted_atoms(raw["breaks"], field + ".breaks")
    m = as_array(raw["masses"], field + ".masses", minimum=0.0)
    if m.size != b.size - 1:
        raise InstanceError(field + ".masses", f"must have len(breaks) - 1 = {b.size - 1} "
                                               f"entries, got {m.size}")
    zero = np.flatnonzero(m == 0)
    if zero.size:
        raise InstanceError(f"{field}.masses[{zero[0]}]",
                            "must be > 0: a zero-mass piece makes the density vanish inside "
                            "the support (Assumption 1)")
    _mass_floor(m, field + ".masses")
    s = float(m.sum())
    if abs(s - 1.0) > PROBABILITY_SUM:
        raise InstanceError(field + ".masses", f"must sum to 1 within {PROBABILITY_SUM:g}, "
                                               f"got {s!r}")
    return PiecewiseUniform(b, m / s)


def _component(raw: Any, field: str) -> Any:
    raw = require_mapping(raw, field)
    forms = [k for k in FORMS if k in raw]
    if len(forms) != 1:
        raise InstanceError(field or "instance",
                            f"must give exactly one of {', '.join(FORMS)}")
    form = forms[0]
    if form == "values":
        reject_unknown(raw, ("values", "probabilities"), field + "." if field else "")
        pre = field + "." if field else ""
        v = _sorted_atoms(raw["values"], pre + "values")
        if "probabilities" not in raw:
            raise InstanceError(pre + "probabilities", "is required with values")
        p = _probabilities(raw["probabilities"], pre + "probabilities", v.size)
        return Discrete(v, p)
    pre = field + "." if field else ""
    reject_unknown(raw, (form,), pre)
    if form == "distribution":
        return _scipy_dist(raw[form], pre + "distribution")
    if form == "piecewise_uniform":
        return _piecewise(raw[form], pre + "piecewise_uniform")
    mraw = require_mapping(raw[form], pre + "mixture")
    reject_unknown(mraw, ("components", "weights"), pre + "mixture.")
    comps_raw = mraw.get("components")
    if not isinstance(comps_raw, list) or not comps_raw:
        raise InstanceError(pre + "mixture.components", "must be a non-empty list")
    comps = [_component(c, f"{pre}mixture.components[{i}]") for i, c in enumerate(comps_raw)]
    w = _probabilities(mraw.get("weights"), pre + "mixture.weights", len(comps))
    try:
        mix = mixture(comps, w)
    except ValueError as exc:
        raise InstanceError(pre + "mixture", str(exc)) from None
    masses = (mix.probabilities if isinstance(mix, Discrete) else
              mix.masses if isinstance(mix, PiecewiseUniform) else None)
    if masses is not None and masses.min() < MASS_MIN:
        raise InstanceError(pre + "mixture.weights", f"give a combined mass of "
                                                     f"{masses.min():.3g} < {MASS_MIN:g} to "
                                                     f"one atom or piece (it would vanish in "
                                                     f"the cumulative distribution)")
    return mix


def parse(raw: Mapping[str, Any]) -> IroningInstance:
    """Validate an ``ironing`` instance (see the module docstring for the rules)."""
    raw = require_mapping(raw)
    reject_unknown(raw, ("problem", "values", "probabilities", "distribution",
                         "piecewise_uniform", "mixture", "units", "players", "grid_tol"))
    body = {k: v for k, v in raw.items() if k in FORMS or k == "probabilities"}
    dist = _component(body, "")
    has_w, has_n = "units" in raw, "players" in raw
    if has_w != has_n:
        raise InstanceError("players" if has_w else "units", "is required together with "
                                                             + ("units" if has_w else "players"))
    w = n = None
    if has_w:
        n = as_int(raw["players"], "players", minimum=2, maximum=MAX_PLAYERS)
        w = as_int(raw["units"], "units", minimum=1, maximum=MAX_PLAYERS)
        if w >= n:
            raise InstanceError("units", f"must be < players = {n} (v_(w+1) must exist), got {w}")
    tol = as_number(raw.get("grid_tol", GRID_TOL), "grid_tol", minimum=1e-14, maximum=1e-2)
    top = float(dist.support[1])
    form = next(k for k in FORMS if k in raw)
    if top > 0 and not COST_MIN <= top <= COST_MAX:
        raise InstanceError(form, f"the largest cost must be 0 or within [{COST_MIN:g}, "
                                  f"{COST_MAX:g}], got {top:.6g} (payments and virtual costs "
                                  f"would leave the float range); rescale the costs")
    return IroningInstance(dist, w, n, tol, form)


def _iron(q: np.ndarray, H: np.ndarray, method: str, opts: SolveOptions
          ) -> tuple[IronedCurve, str, dict[str, Any]]:
    """Iron by ``method``; qp/lp answers are polished (:func:`.models.polish_minorant`).

    Raises :class:`.models.BackendStopped` when a backend returns no proven optimum.
    """
    if method == "hull":
        return iron_curve(q, H), EXACT_BACKENDS["hull"], {}
    w = np.diff(q)
    if method == "pava":
        from scipy.optimize import isotonic_regression

        curve = iron_curve(q, H)
        ironed = isotonic_regression(curve.slopes, weights=w).x
        return (IronedCurve(curve.q, curve.H, curve.G, curve.hull, curve.slopes,
                            np.asarray(ironed), curve.intervals), EXACT_BACKENDS["pava"], {})
    from .models import ironed_by_qp, minorant_by_lp, polish_minorant

    if method == "qp":
        psi, sol = ironed_by_qp(np.diff(H) / w, w, opts.backend,
                                budget.remaining_time(opts.time_limit))
        G_backend = H[0] + np.concatenate(([0.0], np.cumsum(psi * w)))
    else:
        G_backend, sol = minorant_by_lp(q, H, opts.backend,
                                        budget.remaining_time(opts.time_limit))
    budget.check_deadline("polishing the backend's minorant")
    pol = polish_minorant(q, H, G_backend)
    return curve_from_hull(q, H, pol.hull), sol.backend, {"polish": pol.as_dict(int(q.size))}


def _ratio(a: float, b: float) -> float | None:
    """``a / b``, ``None`` when ``b = 0`` (e.g. every cost is 0: all payments are 0)."""
    return a / b if b != 0 else None


def _check_resources(dist: Any, tol: float, method: str) -> int:
    """Grid cells at ``tol``, refused past the memory/work budget before anything is built."""
    cells = int(dist.grid_cells(tol))
    budget.check_memory("grid_tol", GRID_BYTES_PER_CELL * cells,
                        f"the quantile grid of {cells} cells", "a larger grid_tol")
    if method in ("qp", "lp"):
        alt = "--method hull (exact, vectorised) or a larger grid_tol"
        budget.check_memory("grid_tol", MODEL_BYTES_PER_CELL * cells,
                            f"the {method} model on {cells} grid cells", alt)
        budget.check_work("grid_tol", MODEL_OPS_PER_CELL * cells,
                          f"the {method} model on {cells} grid cells", alt)
    return cells


def solve(inst: IroningInstance, opts: SolveOptions) -> dict[str, Any]:
    """Virtual costs, ironed virtual costs and intervals; benchmarks when w, n are given.

    ``grid_tol`` is relative to the largest cost, so the grid of a rescaled instance is the
    same.  Every answer passes :func:`.certificate.check_ironing` (and, with benchmarks,
    :func:`.certificate.check_payment`) before it is reported optimal; a failed check gives
    status ``error`` with the reason in ``message``.
    """
    t0 = time.perf_counter()
    method = require_method(opts, METHODS, "hull") or "hull"
    if method in EXACT_BACKENDS:
        require_no_backend(opts, EXACT_BACKENDS[method])
    dist = inst.dist
    top = float(dist.support[1])
    tol = inst.grid_tol * (top if top > 0 else 1.0)
    _check_resources(dist, tol, method)
    cc = dist.cost_curve(tol)
    budget.check_deadline("building the cost curve")
    if not (np.diff(cc.q) > 0).all() or not np.isfinite(cc.H).all():
        raise InstanceError(inst.form, "gives a quantile grid that is not strictly increasing "
                                       "in double precision (a mass or a piece is too small)")
    from .models import BackendStopped

    try:
        curve, backend, extra = _iron(cc.q, cc.H, method, opts)
    except BackendStopped as stop:
        sol = stop.solution
        return {"status": sol.status if sol.status != "optimal" else "error",
                "objective": None, "backend": sol.backend,
                "message": f"{method} backend returned {sol.status}: {sol.message}",
                "seconds": time.perf_counter() - t0}
    budget.check_deadline("ironing")
    intervals = []
    for i, j in curve.intervals:
        a, b = cost_interval(dist, curve, i, j)
        intervals.append({"costs": [a, b], "quantiles": [float(curve.q[i]), float(curve.q[j])],
                          "ironed_virtual_cost": float(curve.ironed[i])})
    out: dict[str, Any] = {"status": "optimal", "backend": backend,
                           "distribution": dist.describe(),
                           "anti_regular": not curve.intervals,
                           "ironed_intervals": intervals,
                           "max_H_minus_G": curve.gap, **extra}
    if isinstance(dist, Discrete):
        out["values"] = dist.values
        out["virtual_costs"] = curve.slopes
        out["ironed_virtual_costs"] = curve.ironed
    else:
        a, b = dist.support
        z = np.linspace(a, b, REPORT_POINTS)
        cells = np.clip(np.searchsorted(curve.q, dist.cdf(z), side="left") - 1, 0,
                        curve.slopes.size - 1)
        out["cost_grid"] = z
        with np.errstate(divide="ignore", invalid="ignore"):
            out["virtual_costs"] = dist.virtual_cost(z)
        out["ironed_virtual_costs"] = curve.ironed[cells]
        out["grid_points"] = int(curve.q.size)
        out["grid_error_bound"] = cc.error_bound
        out["grid_error_is_rigorous"] = cc.error_is_bound
    out["r"] = ironing_r(dist, curve)
    failed = check_ironing(cc.q, cc.H, curve.ironed)
    if inst.units is not None and inst.players is not None:
        n, w = inst.players, inst.units
        rep = procurement_report(dist, n, w, curve, cc.error_bound)
        opt = rep.optimal_payment
        raw = raw_virtual_payment_from_curve(curve, n, w)
        failed = failed or check_payment(opt, rep.ex_ante_bound, raw,
                                         max(abs(opt), abs(raw), abs(rep.ex_ante_bound)))
        out["objective"] = opt
        out.update(units=w, players=n, envy_free_benchmark=rep.envy_free_benchmark,
                   mechanism_payment=rep.mechanism_payment, ex_ante_bound=rep.ex_ante_bound,
                   optimal_payment_error_bound=rep.optimal_payment_error_bound,
                   ratio_mechanism_to_optimal=_ratio(rep.mechanism_payment, opt),
                   ratio_mechanism_to_envy_free=_ratio(rep.mechanism_payment,
                                                       rep.envy_free_benchmark),
                   ratio_optimal_to_envy_free=_ratio(opt, rep.envy_free_benchmark))
    else:
        # no benchmarks asked for: the ironing's own optimum, the area between H and its
        # convex minorant (the I-LP's objective; 0 iff nothing is ironed on this grid)
        out["objective"] = float(np.trapezoid(cc.H - curve.G, cc.q))
        out["objective_meaning"] = "area between the cost curve and its convex minorant"
    if failed is not None:
        out["status"] = "error"
        out["message"] = f"a-posteriori check failed: {failed}"
    out["seconds"] = time.perf_counter() - t0
    return out


register_problem(
    "ironing", parse, solve,
    "Fleischer-Lyu: virtual costs, convex-hull ironing, optimal BIC w-unit procurement, "
    "envy-free benchmark and Mechanism 1's payment.")
