"""The ``ironing`` problem [FL12, Sections 4.2-4.3, Appendix A]: its instance type and solve.

An :class:`IroningInstance` is built from Python arrays or read from an instance file
(:meth:`IroningInstance.from_dict`); both paths validate the same way, at construction.
Instance-file fields (exactly one distribution form; the table of docs/ironing.md gives
types, constraints and defaults)::

    {"problem": "ironing",
     "values": [c_1, ...], "probabilities": [f_1, ...]            # discrete atoms
     | "distribution": {"scipy": "beta", "params": [2, 5], "loc": 0, "scale": 1}
     | "piecewise_uniform": {"breaks": [b_0, ..., b_m], "masses": [m_1, ..., m_m]}
     | "mixture": {"components": [<one of the three forms>, ...], "weights": [...]},
     "units": w, "players": n,        # optional, together: procurement benchmarks
     "grid_tol": 1e-9}                # optional: grid error target for continuous F,
                                      # relative to the largest cost

Rules (one convention per quantity): atoms must be strictly increasing and >= 0 --
unsorted or duplicated atoms are *rejected*, not sorted or merged (a duplicate is more
likely a typo than an intent); ``probabilities`` are probabilities, not counts: each at
least ``MASS_MIN`` (1e-12) and summing to 1 within ``solver.tolerances.PROBABILITY_SUM``;
densities must be positive on the support ([FL12, Assumption 1]), which must be bounded
and in ``[0, inf)``, with its largest cost 0 or in ``[COST_MIN, COST_MAX]``;
``1 <= units < players`` (``units`` is the number bought, ``players`` the number of
sellers, not a total).

``method`` (:data:`METHODS`, the default first): ``pava`` (scipy's weighted PAVA,
:func:`scipy.optimize.isotonic_regression`, the engine), ``hull`` (the exact vectorised
lower hull of :mod:`solver.ironing.hull`, an independent check) -- both take no
``backend`` --, ``qp`` (isotonic QP via ``solver.opt``, backend from ``backend``), ``lp``
(the minorant LP in gap form via ``solver.opt``); qp/lp answers are polished to the exact
minorant through the points the backend put on the cost curve
(:func:`.models.polish_minorant`, reported under ``polish``).  Every answer passes
:mod:`.certificate` before it is reported optimal.  ``objective`` is the optimal
procurement payment [FL12, Lemma 4.7] with ``units``/``players``, else the area between the
cost curve and its convex minorant (the I-LP's optimum).  Grid and model sizes are estimated
before anything is built and refused past the budget (field ``grid_tol``).
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import budget
from ..errors import InstanceError
from ..problems import (
    ProblemSpec,
    SolveOptions,
    require_method,
    require_no_backend,
    solve_typed,
)
from ..result import Result
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
from .hull import lower_convex_hull
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
#: The problem's registered name (the ``problem`` field of its instance files).
NAME = "ironing"
#: One line for ``solver list``.
DESCRIPTION = ("Fleischer-Lyu [FL12]: virtual costs, ironing (scipy PAVA), optimal BIC w-unit "
               "procurement, envy-free benchmark and Mechanism 1's payment.")
#: Methods, the default first, and the backend name of the exact ones (no ``backend``).
METHODS: tuple[str, ...] = ("pava", "hull", "qp", "lp")
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


def _dist_mapping(dist: Any) -> dict[str, Any]:
    """A frozen ``scipy.stats`` distribution as the instance file's ``distribution`` field."""
    gen = getattr(dist, "dist", None)
    name = getattr(gen, "name", None)
    if not isinstance(name, str):
        raise InstanceError("distribution", "must be a mapping {scipy, params, loc, scale} or "
                                            "a frozen scipy.stats continuous distribution, got "
                                            f"{type(dist).__name__}")
    kwds = dict(getattr(dist, "kwds", {}))
    out: dict[str, Any] = {"scipy": name}
    args = [float(a) for a in getattr(dist, "args", ())]
    shape = {k: float(v) for k, v in kwds.items() if k not in ("loc", "scale")}
    if shape and args:
        raise InstanceError("distribution", "give the shape parameters of a frozen "
                                            "distribution all by position or all by name")
    out["params"] = shape if shape else args
    # scipy's positional order after the shapes is (loc, scale)
    nshape = len(gen.shapes.split(",")) if getattr(gen, "shapes", None) else 0
    extra = args[nshape:]
    if extra:
        out["params"] = args[:nshape]
        kwds.setdefault("loc", extra[0])
        if len(extra) > 1:
            kwds.setdefault("scale", extra[1])
    for key in ("loc", "scale"):
        if key in kwds:
            out[key] = float(kwds[key])
    return out


def _plain(obj: Any) -> Any:
    """Numbers, lists and mappings of an instance field as plain JSON values."""
    from ..io import to_jsonable

    return to_jsonable(obj)


def _readonly(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=float)
    a.setflags(write=False)
    return a


def _parse(raw: Mapping[str, Any]) -> tuple[Any, int | None, int | None, float, str]:
    """Validate an ``ironing`` mapping: ``(distribution, units, players, grid_tol, form)``."""
    raw = require_mapping(raw)
    reject_unknown(raw, FIELDS)
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
    return dist, w, n, tol, form


#: The instance-file fields.
FIELDS = ("problem", "values", "probabilities", "distribution", "piecewise_uniform",
          "mixture", "units", "players", "grid_tol")


@dataclass(frozen=True, eq=False)
class IroningInstance:
    """Single-type w-unit procurement of private data [FL12, Sections 3-4]: a cost
    distribution ``F`` and, optionally, ``units`` bought from ``players`` sellers.

    Built from Python arrays (``IroningInstance(values=np.array([1, 2, 3]),
    probabilities=np.array([.5, .1, .4]), units=7, players=10)``) or from an instance
    file's mapping (:meth:`from_dict`); both are validated at construction, the same way
    (rules in the module docstring), and a bad field raises
    :class:`~solver.errors.InstanceError` naming it.  Give exactly one distribution form.

    Attributes
    ----------
    values
        Atoms ``c_1 < ... < c_K``, ``>= 0``, strictly increasing (unsorted or duplicated
        atoms are rejected, not sorted); stored as a read-only float array.
    probabilities
        Their probabilities (not counts), each ``>= 1e-12``, summing to 1 within 1e-9;
        stored read-only, normalised to sum 1.
    distribution
        ``{"scipy": name, "params": [...] or {...}, "loc": 0, "scale": 1}`` or a frozen
        ``scipy.stats`` continuous distribution (stored as that mapping): bounded support in
        ``[0, inf)``, density positive on it [FL12, Assumption 1].
    piecewise_uniform
        ``{"breaks": [b_0 < ... < b_m], "masses": [m_1, ..., m_m]}`` (masses sum to 1);
        stored with read-only arrays.
    mixture
        ``{"components": [<mappings of the forms above>], "weights": [...]}``.
    units, players
        ``w`` and ``n``, both or neither, ``1 <= w < n <= 10^9``: with them the solve
        reports the procurement benchmarks.
    grid_tol
        Grid error target for continuous ``F``, relative to the largest cost, in
        ``[1e-14, 1e-2]``.
    """

    values: Any = None
    probabilities: Any = None
    distribution: Any = None
    piecewise_uniform: Any = None
    mixture: Any = None
    units: int | None = None
    players: int | None = None
    grid_tol: float = GRID_TOL
    #: The validated distribution object (:mod:`solver.ironing.distributions`).
    dist: Any = dataclasses.field(init=False, repr=False)
    #: Which distribution form was given (``"values"``, ``"distribution"``, ...).
    form: str = dataclasses.field(init=False, repr=False)

    def __post_init__(self) -> None:
        raw: dict[str, Any] = {}
        for key in ("values", "probabilities"):
            val = getattr(self, key)
            if val is not None:
                raw[key] = val.tolist() if isinstance(val, np.ndarray) else val
        dist_raw = self.distribution
        if dist_raw is not None and not isinstance(dist_raw, Mapping):
            dist_raw = _dist_mapping(dist_raw)
        for key, val in (("distribution", dist_raw), ("piecewise_uniform",
                                                      self.piecewise_uniform),
                         ("mixture", self.mixture)):
            if val is not None:
                raw[key] = _plain(val) if isinstance(val, Mapping) else val
        for key in ("units", "players"):
            val = getattr(self, key)
            if val is not None:
                raw[key] = val.item() if isinstance(val, np.generic) else val
        if self.grid_tol != GRID_TOL:
            raw["grid_tol"] = (self.grid_tol.item() if isinstance(self.grid_tol, np.generic)
                               else self.grid_tol)
        dist, w, n, tol, form = _parse(raw)
        put = object.__setattr__
        put(self, "dist", dist)
        put(self, "form", form)
        put(self, "units", w)
        put(self, "players", n)
        put(self, "grid_tol", tol)
        if form == "values":
            put(self, "values", _readonly(dist.values))
            put(self, "probabilities", _readonly(dist.probabilities))
        elif form == "distribution":
            put(self, "distribution", raw["distribution"])
        elif form == "piecewise_uniform":
            put(self, "piecewise_uniform", {"breaks": _readonly(dist.breaks),
                                            "masses": _readonly(dist.masses)})
        else:
            put(self, "mixture", raw["mixture"])

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> IroningInstance:
        """Validate an instance file's mapping (fields in the module docstring).

        Parameters
        ----------
        raw
            The mapping; ``problem``, if present, must be ``"ironing"``.

        Returns
        -------
        IroningInstance
            The validated, immutable instance.

        Raises
        ------
        InstanceError
            Naming the field and the rule.
        """
        raw = require_mapping(raw)
        reject_unknown(raw, FIELDS)
        if "problem" in raw and raw["problem"] != NAME:
            raise InstanceError("problem", f"must be {NAME!r}, got {raw['problem']!r}")
        kw = {k: v for k, v in raw.items() if k != "problem"}
        if "grid_tol" in kw:
            kw["grid_tol"] = as_number(kw["grid_tol"], "grid_tol", minimum=1e-14,
                                       maximum=1e-2)
        return cls(**kw)

    def to_dict(self) -> dict[str, Any]:
        """The instance-file mapping (``from_dict(to_dict())`` gives an equal instance).

        Returns
        -------
        dict
            Plain JSON values, ``"problem": "ironing"`` first.
        """
        out: dict[str, Any] = {"problem": NAME}
        if self.form == "values":
            out["values"] = self.values.tolist()
            out["probabilities"] = self.probabilities.tolist()
        else:
            out[self.form] = _plain(getattr(self, self.form))
        if self.units is not None:
            out["units"] = int(self.units)
            out["players"] = int(self.players)
        out["grid_tol"] = float(self.grid_tol)
        return out


def _iron(q: np.ndarray, H: np.ndarray, method: str, opts: SolveOptions
          ) -> tuple[IronedCurve, str, dict[str, Any]]:
    """Iron by ``method``; qp/lp answers are polished (:func:`.models.polish_minorant`).

    Raises :class:`.models.BackendStopped` when a backend returns no proven optimum.
    """
    if method == "pava":
        return iron_curve(q, H), EXACT_BACKENDS["pava"], {}
    if method == "hull":
        return curve_from_hull(q, H, lower_convex_hull(q, H)), EXACT_BACKENDS["hull"], {}
    w = np.diff(q)
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
        alt = "--method pava (exact, scipy PAVA) or hull, or a larger grid_tol"
        budget.check_memory("grid_tol", MODEL_BYTES_PER_CELL * cells,
                            f"the {method} model on {cells} grid cells", alt)
        budget.check_work("grid_tol", MODEL_OPS_PER_CELL * cells,
                          f"the {method} model on {cells} grid cells", alt)
    return cells


def _cli_solve(inst: IroningInstance, opts: SolveOptions) -> dict[str, Any]:
    """The registered solve: virtual costs, ironed virtual costs and intervals; benchmarks
    when w, n are given (the JSON-ready dict ``solver solve`` prints).

    ``grid_tol`` is relative to the largest cost, so the grid of a rescaled instance is the
    same.  Every answer passes :func:`.certificate.check_ironing` (and, with benchmarks,
    :func:`.certificate.check_payment`) before it is reported optimal; a failed check gives
    status ``error`` with the reason in ``message``.
    """
    method = require_method(opts, METHODS, METHODS[0]) or METHODS[0]
    if method in EXACT_BACKENDS:
        require_no_backend(opts, EXACT_BACKENDS[method])
    with budget.limits(time_limit=opts.time_limit):
        return _solve_ironing(inst, opts, method)


def _solve_ironing(inst: IroningInstance, opts: SolveOptions, method: str) -> dict[str, Any]:
    t0 = time.perf_counter()
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


#: The problem as :func:`solver.problems.solve_instance` runs it (``plugin`` registers the
#: same parse, solve, description and methods).
_SPEC = ProblemSpec(NAME, IroningInstance.from_dict, _cli_solve, DESCRIPTION, METHODS)


def solve(instance: IroningInstance, *, backend: str = "auto",
          time_limit: float | None = None, method: str | None = None,
          seed: int = 0) -> Result:
    """Iron the virtual costs and, with ``units``/``players``, price optimal procurement.

    Virtual costs ``phi(z) = z + F(z)/f(z)`` and their ironing [FL12, Appendix A, Lemma
    A.4]; with ``units``/``players``, the optimal BIC w-unit procurement payment [FL12,
    Lemma 4.7] (the ``objective``), the envy-free benchmark [FL12, Section 4.1] and
    Mechanism 1's payment [FL12, Theorem 4.3].  The same steps as ``solver solve FILE``
    (:func:`solver.problems.solve_instance`), so ``solve(IroningInstance.from_dict(raw))
    .to_dict()`` is what ``solver solve FILE --json`` prints for that file (``seconds``
    aside).

    Parameters
    ----------
    instance
        The instance.
    backend
        ``"auto"``, or for ``qp``/``lp`` an optimisation backend of :mod:`solver.opt`.
    time_limit
        Seconds, positive (``None``: none); covers the grid, the ironing and the backend.
    method
        One of :data:`METHODS` (``None``: ``"pava"``, scipy's weighted PAVA).
    seed
        Unused (every method is deterministic); accepted for the common signature.

    Returns
    -------
    Result
        The certificate (``status``, ``objective``, ``bound``, ``gap``, ``backend``,
        ``seconds``) and the fields of docs/ironing.md; ``.certify()`` raises unless optimal.

    Raises
    ------
    InstanceError
        A bad ``backend``, ``method`` or ``time_limit``, or an instance over the budget.
    SolverError
        A backend failed.
    """
    return solve_typed({IroningInstance: _SPEC}, instance, backend=backend,
                       time_limit=time_limit, method=method, seed=seed,
                       expected="an IroningInstance (IroningInstance(values=..., "
                                "probabilities=...) or IroningInstance.from_dict)")


__all__ = ["IroningInstance", "solve"]
