"""The ``pricing`` problem behind ``solver solve`` (see :mod:`solver.pricing.instance`).

* ``supply`` given: ``objective = rev^OPT(N)`` (eq. 2) with ``sizes``, ``prices`` and the
  pricing ``curve`` ``q(0..N)``; with ``costs`` also ``profit = objective - c_1 N``.
* ``supply`` omitted (``costs`` given): ``objective`` = profit OPT (eq. 3) and the chosen
  ``supply``.

``--method``: ``milp`` / ``pairwise`` (eq. 2 rows, default), ``curve`` (compact curve MILP),
``brute``
(enumeration, small instances only), ``grid`` / ``ktypes`` (approximation algorithms with the
instance's ``epsilon``); for the profit search ``fast`` (default, exact) or ``algorithm1``
(exact MILP at every ``N``), or ``grid`` / ``ktypes`` as Algorithm 1's ``A``.

Approximations are not certified: they report ``status = "approximate"`` (outside
:data:`solver.opt.STATUSES`, so the CLI exits 1 rather than claim an optimum), ``exact: false``
and ``backend = "approx:<name>"``; their ``objective`` is the true eq. 5 revenue of the curve.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from ..errors import InstanceError
from ..problems import SolveOptions
from .approx import grid_dp, k_types_enumeration, local_search
from .envy_free import curve_revenue, ef_revenue, purchases
from .instance import PricingInstance, parse
from .profit import algorithm1, profit_opt

EXACT = {None: "pairwise", "milp": "pairwise", "curve": "curve", "pairwise": "pairwise",
         "brute": "brute"}
APPROX = {"grid": grid_dp, "ktypes": k_types_enumeration,
          "local": lambda V, eps: local_search(V)}


def _approx(inst: PricingInstance, name: str):
    fn = APPROX[name]
    return lambda Vn: fn(Vn, inst.epsilon)


def solve(inst: PricingInstance, opts: SolveOptions) -> dict[str, Any]:
    """Solve a parsed instance; see the module docstring for the fields."""
    V = inst.V
    m = opts.method
    if m not in EXACT and m not in APPROX and m not in ("fast", "algorithm1"):
        raise InstanceError("method", "must be one of milp, pairwise, curve, brute, grid, "
                            f"ktypes, local, fast, algorithm1; got {m!r}")
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
        res = algorithm1(V, c1, _approx(inst, m))
        return {"status": "approximate", "exact": False, "objective": max(res["profit"], 0.0),
                "algorithm1_profit": res["profit"], "supply": res["N"],
                "sizes": res["sizes"], "prices": res["prices"], "curve": res["curve"],
                "backend": f"approx:{m}", "seconds": time.perf_counter() - t0,
                "bound": None, "gap": None, "epsilon": inst.epsilon}
    method = "algorithm1" if m == "algorithm1" else "fast"
    p = profit_opt(V, c1, backend=opts.backend, time_limit=opts.time_limit, method=method)
    out = {"status": p.status, "exact": True, "objective": p.objective, "bound": p.bound,
           "gap": p.gap, "backend": p.backend, "seconds": p.seconds, "supply": p.supply,
           "search": method, "milp_solves": p.n_solves, "c1": c1}
    if p.revenue is not None:
        out.update(revenue=p.revenue.objective, sizes=p.revenue.sizes,
                   prices=p.revenue.prices, curve=p.revenue.curve)
    else:
        out.update(revenue=0.0, sizes=np.zeros(inst.B, int), prices=np.zeros(inst.B),
                   curve=np.zeros(1))
    return out


__all__ = ["parse", "solve"]
