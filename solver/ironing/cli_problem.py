"""The ``ironing`` problem for ``solver solve`` (Fleischer-Lyu Sections 4.2-4.3, Appendix A).

Instance (exactly one distribution form)::

    {"problem": "ironing",
     "values": [c_1, ...], "probabilities": [f_1, ...]            # discrete atoms
     | "distribution": {"scipy": "beta", "params": [2, 5], "loc": 0, "scale": 1}
     | "piecewise_uniform": {"breaks": [b_0, ..., b_m], "masses": [m_1, ..., m_m]}
     | "mixture": {"components": [<one of the three forms>, ...], "weights": [...]},
     "units": w, "players": n,        # optional, together: procurement benchmarks
     "grid_tol": 1e-10}               # optional: grid error target for continuous F

Rules: atoms must be strictly increasing and >= 0 -- unsorted or duplicated atoms are
*rejected*, not sorted or merged (a duplicate is more likely a typo than an intent);
probabilities must be > 0 and sum to 1 within ``solver.tolerances.PROBABILITY_SUM``;
densities must be positive on the support (Assumption 1), which must be bounded and in
``[0, inf)``; ``1 <= units < players``.

``--method``: ``hull`` (default, exact vectorised hull), ``pava``
(``scipy.optimize.isotonic_regression``), ``qp`` (isotonic QP via ``solver.opt``, backend
from ``--backend``), ``lp`` (convex-minorant LP via ``solver.opt``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InstanceError
from ..problems import SolveOptions, register_problem
from ..tolerances import PROBABILITY_SUM
from ..validate import as_array as _as_array
from ..validate import as_int, reject_unknown, require_mapping
from ..validate import as_number as _as_number
from .distributions import (
    DENSITY_CHECK_POINTS,
    GRID_TOL,
    Continuous,
    Discrete,
    PiecewiseUniform,
    mixture,
)
from .ironing import IronedCurve, iron_curve
from .procurement import cost_interval, ironing_r, procurement_report

FORMS = ("values", "distribution", "piecewise_uniform", "mixture")
#: Relative inset of the density check's end points, and the density floor (times 1/(b-a)).
DENSITY_EDGE = 1e-9
DENSITY_FLOOR = 1e-6
#: Number of evenly spaced costs at which continuous virtual costs are reported.
REPORT_POINTS = 101


#: Largest number of players accepted (the exact formulas work far beyond; this bounds input).
MAX_PLAYERS = 10**9


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


def _probabilities(raw: Any, field: str, size: int) -> np.ndarray:
    p = as_array(raw, field, minimum=0.0)
    if p.size != size:
        raise InstanceError(field, f"must have {size} entries (one per atom/piece), got {p.size}")
    zero = np.flatnonzero(p == 0)
    if zero.size:
        raise InstanceError(f"{field}[{zero[0]}]", "must be > 0 (a zero mass leaves a gap; "
                                                   "drop the atom or piece)")
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
        return mixture(comps, w)
    except ValueError as exc:
        raise InstanceError(pre + "mixture", str(exc)) from None


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
    return IroningInstance(dist, w, n, tol)


def _iron(q: np.ndarray, H: np.ndarray, method: str, opts: SolveOptions
          ) -> tuple[IronedCurve, str]:
    curve = iron_curve(q, H)
    if method == "hull":
        return curve, "exact:hull"
    w = np.diff(q)
    if method == "pava":
        from scipy.optimize import isotonic_regression

        ironed = isotonic_regression(curve.slopes, weights=w).x
        backend = "exact:scipy-pava"
    elif method == "qp":
        from .models import ironed_by_qp

        ironed, sol = ironed_by_qp(curve.slopes, w, opts.backend, opts.time_limit)
        backend = sol.backend
    elif method == "lp":
        from .models import minorant_by_lp

        G, sol = minorant_by_lp(q, H, opts.backend, opts.time_limit)
        ironed = np.diff(G) / w
        backend = sol.backend
    else:
        raise InstanceError("method", f"must be one of hull, pava, qp, lp, got {method!r}")
    return IronedCurve(curve.q, curve.H, curve.G, curve.hull, curve.slopes, np.asarray(ironed),
                       curve.intervals), backend


def solve(inst: IroningInstance, opts: SolveOptions) -> dict[str, Any]:
    """Virtual costs, ironed virtual costs and intervals; benchmarks when w, n are given."""
    t0 = time.perf_counter()
    dist = inst.dist
    cc = dist.cost_curve(inst.grid_tol)
    curve, backend = _iron(cc.q, cc.H, opts.method or "hull", opts)
    intervals = []
    for i, j in curve.intervals:
        a, b = cost_interval(dist, curve, i, j)
        intervals.append({"costs": [a, b], "quantiles": [float(curve.q[i]), float(curve.q[j])],
                          "ironed_virtual_cost": float(curve.ironed[i])})
    out: dict[str, Any] = {"status": "optimal", "backend": backend,
                           "distribution": dist.describe(),
                           "anti_regular": not curve.intervals,
                           "ironed_intervals": intervals,
                           "max_H_minus_G": curve.gap}
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
        out["virtual_costs"] = dist.virtual_cost(z)
        out["ironed_virtual_costs"] = curve.ironed[cells]
        out["grid_points"] = int(curve.q.size)
        out["grid_error_bound"] = cc.error_bound
        out["grid_error_is_rigorous"] = cc.error_is_bound
    out["r"] = ironing_r(dist, curve)
    if inst.units is not None:
        rep = procurement_report(dist, inst.players, inst.units, curve, cc.error_bound).as_dict()
        out["objective"] = rep.pop("optimal_payment")
        out.update(units=inst.units, players=inst.players)
        out.update({k: v for k, v in rep.items() if k not in ("n", "w", "r")})
    else:
        out["objective"] = None
    out["seconds"] = time.perf_counter() - t0
    return out


register_problem(
    "ironing", parse, solve,
    "Fleischer-Lyu: virtual costs, convex-hull ironing, optimal BIC w-unit procurement, "
    "envy-free benchmark and Mechanism 1's payment.")
