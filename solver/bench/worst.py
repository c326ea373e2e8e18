"""Worst-case search: the instance of a family on which an algorithm's ratio is largest.

Random restarts (the family's ``random_params``) followed by hill climbing (its
``neighbour`` moves on the instance's parameters), each candidate evaluated exactly as
:func:`solver.bench.run` does (certified OPT, the library's evaluator, feasibility
checks).  Only rows with a proven OPT (status ``ok``) count; every improvement of the best
ratio is stored (``--store``) and the worst instance is written to a file that
``solver bench --rerun FILE`` (:func:`solver.bench.rerun`) replays.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InstanceError
from .interface import Algorithm, get_evaluator, get_family, load_algorithm
from .runner import BenchStore, _key, _solve_opt, judge


@dataclass
class WorstResult:
    """What :func:`worst` found.

    Attributes
    ----------
    ratio
        The largest proven ratio (``nan`` if no candidate had one).
    params
        The family parameters of the worst instance.
    instance
        The worst instance (its ``to_dict()`` is in the saved file).
    evaluations
        Candidates evaluated.
    improvements
        The rows that improved the best ratio, in order.
    path
        Where the worst instance was saved (``None`` if not asked).
    """

    ratio: float
    params: dict[str, Any]
    instance: Any
    evaluations: int
    improvements: list[dict[str, Any]] = field(default_factory=list)
    path: Path | None = None


def worst(problem: str, algorithm: str | Algorithm | Callable[..., Any], family: str, *,
          restarts: int = 3, steps: int = 20, seed: int = 0,
          start: Mapping[str, Any] | None = None, store: str | Path | None = None,
          out: str | Path | None = None, time_limit: float | None = None,
          budget_seconds: float | None = None, target: float | None = None) -> WorstResult:
    """Search ``family`` for the instance maximising ``algorithm``'s ratio.

    Parameters
    ----------
    problem, algorithm, family
        As for :func:`solver.bench.run`; the family must be searchable (``neighbour``).
    restarts
        Random starting points (the first is ``start`` or the family's defaults).
    steps
        Hill-climbing moves per restart (a move is kept unless it lowers the ratio).
    seed
        Seeds the search (the algorithm gets ``seed`` as its own seed on every instance).
    start
        The first restart's parameters.
    store
        SQLite file receiving every improvement (table ``bench``).
    out
        JSON file for the worst instance (``solver bench --rerun FILE``).
    time_limit
        Seconds per OPT solve (an unproven OPT is never an improvement).
    budget_seconds
        Stop after this many seconds overall.
    target
        Stop as soon as a proven ratio reaches it.

    Returns
    -------
    WorstResult
    """
    ev = get_evaluator(problem)
    fam = get_family(family, problem)
    if fam.neighbour is None or fam.random_params is None:
        raise InstanceError("family", f"{family} is not searchable (it has no local moves)")
    alg = load_algorithm(algorithm, problem)
    rng = np.random.default_rng(seed)
    t0 = time.monotonic()
    best = WorstResult(math.nan, {}, None, 0)
    seen: dict[str, float] = {}

    def score(params: dict[str, Any]) -> tuple[float, Any, dict[str, Any] | None]:
        k = json.dumps(params, sort_keys=True, default=str)
        if k in seen:
            return seen[k], None, None
        inst = fam.make(params, seed)
        opt, opt_s = _solve_opt(ev, inst, time_limit)
        row = judge(ev, inst, alg, seed, opt, opt_s)
        best.evaluations += 1
        r = row["ratio"] if row["status"] == "ok" else -math.inf
        seen[k] = r
        return r, inst, row

    def out_of_time() -> bool:
        if target is not None and math.isfinite(best.ratio) and best.ratio >= target:
            return True
        return budget_seconds is not None and time.monotonic() - t0 > budget_seconds

    fam.check(start or {})  # bad input is refused before the store is created
    st = BenchStore(store) if store is not None else None  # one connection for the search
    try:  # random restarts, then hill climbing from each
        for restart in range(max(1, restarts)):
            if out_of_time():
                break
            cur = fam.check(start or {}) if restart == 0 else fam.check(fam.random_params(rng))
            cur_r, inst, row = score(cur)
            for _ in range(steps + 1):
                if row is not None and cur_r > (best.ratio if math.isfinite(best.ratio)
                                                else -math.inf):
                    best.ratio, best.params, best.instance = cur_r, dict(cur), inst
                    full = {**row, "family": family, "params": dict(cur), "seed": seed,
                            "key": _key(problem, family, cur, seed, alg.name)}
                    best.improvements.append(full)
                    if st is not None:
                        st.add([full])
                if out_of_time():
                    break
                cand = fam.check(fam.neighbour(dict(cur), rng))
                r, c_inst, c_row = score(cand)
                if r >= cur_r and math.isfinite(r):  # ties move too (plateaus)
                    cur, cur_r, inst, row = cand, r, c_inst, c_row
                else:
                    row = None
    finally:
        if st is not None:
            st.close()
    if out is not None and best.instance is not None:
        path = Path(out)
        path.write_text(json.dumps({
            "bench": {"problem": problem, "algorithm": alg.name, "family": family,
                      "params": best.params, "seed": seed, "ratio": best.ratio,
                      "sense": ev.sense},
            "instance": best.instance.to_dict()}, indent=1, default=float) + "\n")
        best.path = path
    return best
