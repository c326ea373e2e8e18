"""The ``pricing`` problem behind ``solver solve`` (see :mod:`solver.pricing.instance`).

* ``supply`` given: ``objective = rev^OPT(N)`` (eq. 2) with ``sizes``, ``prices`` and the
  pricing ``curve`` ``q(0..N)``; with ``costs`` also ``profit = objective - c_1 N``.
* ``supply`` omitted (``costs`` given): ``objective`` = profit OPT (eq. 3) and the chosen
  ``supply``.

``--method``: ``milp`` / ``pairwise`` (eq. 2 rows, default), ``curve`` (compact curve MILP),
``brute``
(enumeration, small instances only), ``grid`` / ``ktypes`` (approximation algorithms with the
instance's ``epsilon``); for the profit search ``fast`` (default, exact) or ``algorithm1``
(exact MILP at every ``N``), or ``grid`` / ``ktypes`` as Algorithm 1's ``A``.  An unknown
method is an input error; so is a ``--backend`` other than ``auto`` for the methods that use
none (``brute``, ``grid``, ``ktypes``, ``local``).

Approximations are not certified: they report ``status = "approximate"`` (outside
:data:`solver.opt.STATUSES`, so the CLI exits 1 rather than claim an optimum), ``exact: false``
and ``backend = "approx:<name>"``; their ``objective`` is the true eq. 5 revenue of the curve.

Every answer is checked by :func:`solver.pricing.evaluate.check_answer` before it is
returned; one that fails becomes status ``error`` (exit 1) with a ``message`` naming the
check.  ``--time-limit`` covers model building and the heuristics; a memory or work estimate
over the budget of :mod:`solver.budget` is refused before anything is built (exit 2).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from ..budget import limits, remaining_time
from ..problems import SolveOptions, require_method, require_no_backend
from . import resources
from .approx import grid_dp, k_types_enumeration, local_search
from .envy_free import curve_revenue, ef_revenue, merge_identical_buyers, purchases
from .evaluate import check_answer
from .instance import PricingInstance, parse
from .profit import algorithm1, profit_opt, search_bound

EXACT = {None: "pairwise", "milp": "pairwise", "curve": "curve", "pairwise": "pairwise",
         "brute": "brute"}
APPROX = ("grid", "ktypes", "local")
METHODS = ("milp", "pairwise", "curve", "brute", "grid", "ktypes", "local", "fast",
           "algorithm1")


def _approx(inst: PricingInstance, name: str, repeats: float = 1.0):
    """The approximation ``name`` as ``A(V_N) -> q``, its work checked for the full size."""
    T, _, _ = merge_identical_buyers(inst.V)
    nt, n = T.shape
    if name == "grid":
        resources.check_grid(nt, n, inst.epsilon, repeats)
        return lambda Vn: grid_dp(Vn, inst.epsilon)
    if name == "ktypes":
        resources.check_ktypes(nt, n, inst.epsilon, repeats)
        return lambda Vn: k_types_enumeration(Vn, inst.epsilon)
    resources.check_local(nt, n, 3, repeats)
    return lambda Vn: local_search(Vn, time_budget=remaining_time())


def _solve(inst: PricingInstance, opts: SolveOptions, m: str | None) -> dict[str, Any]:
    V = inst.V
    if inst.supply is not None:
        if m in APPROX:
            t0 = time.perf_counter()
            q = _approx(inst, m)(V)
            sizes = purchases(V, q)
            out = {"status": "approximate", "exact": False, "objective": curve_revenue(V, q),
                   "bound": None, "gap": None, "backend": f"approx:{m}",
                   "seconds": time.perf_counter() - t0, "sizes": sizes, "prices": q[sizes],
                   "curve": q, "epsilon": inst.epsilon}
        else:
            if m in ("fast", "algorithm1"):
                m = None
            r = ef_revenue(V, backend=opts.backend, time_limit=opts.time_limit,
                           formulation=EXACT[m])
            out = r.as_dict()
            out["exact"] = True
        out["supply"] = inst.supply
        if inst.costs:
            out["profit"] = float(out["objective"]) - inst.c1 * inst.supply
        return out
    # profit OPT over N
    c1 = inst.c1
    if m in APPROX:
        t0 = time.perf_counter()
        res = algorithm1(V, c1, _approx(inst, m, repeats=max(1, search_bound(V, c1))))
        return {"status": "approximate", "exact": False, "objective": max(res["profit"], 0.0),
                "algorithm1_profit": res["profit"], "supply": res["N"],
                "sizes": res["sizes"], "prices": res["prices"], "curve": res["curve"],
                "backend": f"approx:{m}", "seconds": time.perf_counter() - t0,
                "bound": None, "gap": None, "epsilon": inst.epsilon}
    method = "algorithm1" if m == "algorithm1" else "fast"
    formulation = EXACT.get(m, "pairwise") if m != "brute" else "brute"
    p = profit_opt(V, c1, backend=opts.backend, time_limit=opts.time_limit, method=method,
                   formulation=formulation)
    out = {"status": p.status, "exact": True, "objective": p.objective,
           "bound": p.bound if np.isfinite(p.bound) else None,
           "gap": p.gap if np.isfinite(p.gap) else None, "backend": p.backend,
           "seconds": p.seconds, "supply": p.supply, "search": method,
           "milp_solves": p.n_solves, "c1": c1}
    if p.message:
        out["message"] = p.message
    if p.revenue is not None:
        out.update(revenue=p.revenue.objective, sizes=p.revenue.sizes,
                   prices=p.revenue.prices, curve=p.revenue.curve)
    else:
        out.update(revenue=0.0, sizes=np.zeros(inst.B, int), prices=np.zeros(inst.B),
                   curve=np.zeros(1))
    return out


def solve(inst: PricingInstance, opts: SolveOptions) -> dict[str, Any]:
    """Solve a parsed instance; see the module docstring for the fields."""
    m = require_method(opts, METHODS)
    if m in APPROX:
        require_no_backend(opts, f"approx:{m}")
    elif m == "brute":
        require_no_backend(opts, "exact:enumeration")
    with limits(time_limit=opts.time_limit):
        out = _solve(inst, opts, m)
    failed = check_answer(inst, out)
    if failed:
        out["status"] = "error"
        prior = out.get("message")
        out["message"] = (f"a-posteriori check failed: {failed}"
                          + (f" ({prior})" if prior else ""))
    return out


__all__ = ["parse", "solve"]
