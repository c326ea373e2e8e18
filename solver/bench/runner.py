"""Run algorithms on instance families against the certified OPT, store and summarise.

One *task* is one instance (family, parameter set, seed): its OPT is solved once, by the
problem's own certified ``solve``, and every algorithm is run on it and evaluated by the
problem's evaluator (:mod:`solver.bench.interface`).  One row per (task, algorithm):

``status``
    ``ok`` (feasible answer, OPT proven optimal: the ratio counts), ``unproven`` (OPT not
    proven — e.g. a time limit — the ratio is only the interval ``ratio_lo..ratio_hi`` the
    bound gives, ``ratio`` is empty and the row never enters ratio statistics),
    ``infeasible`` (the answer breaks a rule, listed in ``violations``) or ``error`` (the
    algorithm or the solve raised: ``error``).
``ratio``
    In the sense named by ``sense``: ``ALG/OPT`` for payments and costs, ``OPT/ALG`` for
    revenue and welfare (>= 1 for a feasible answer).

Rows go to the ``bench`` table of an SQLite file (``--store``), one transaction per task.
"""

from __future__ import annotations

import hashlib
import json
import math
import sqlite3
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InstanceError
from .interface import (
    SENSE_MIN,
    Algorithm,
    Evaluation,
    Evaluator,
    Opt,
    get_evaluator,
    get_family,
    load_algorithm,
)
from .shipped import OPT_TOL

#: Columns of a bench row (and of the ``bench`` table), in order.
COLUMNS = ("key", "problem", "family", "params", "seed", "algorithm", "sense", "alg", "opt",
           "opt_status", "opt_bound", "opt_backend", "ratio", "ratio_lo", "ratio_hi",
           "status", "violations", "error", "alg_seconds", "opt_seconds")
#: Row statuses.
ROW_STATUSES = ("ok", "unproven", "infeasible", "error")

_SCHEMA = ("CREATE TABLE IF NOT EXISTS bench (" + ", ".join(
    f"{c} {'TEXT PRIMARY KEY' if c == 'key' else ''}" for c in COLUMNS) + ")")


def _nan(x: Any) -> float:
    return float("nan") if x is None else float(x)


def ratio_interval(sense: str, alg: float, opt: Opt) -> tuple[float, float, float]:
    """``(ratio, lo, hi)``: the ratio if OPT is proven, else the interval its bound gives.

    Parameters
    ----------
    sense
        ``ALG/OPT`` (minimisation) or ``OPT/ALG`` (maximisation).
    alg
        The algorithm's evaluated value (feasible).
    opt
        The certified solve.

    Returns
    -------
    tuple of float
        For a proven OPT, ``(r, r, r)``; otherwise ``(nan, lo, hi)`` with OPT anywhere
        between the incumbent and the bound (``hi = inf`` without a bound).
    """
    inc, bnd = opt.objective, opt.bound
    if opt.proven:
        r = alg / inc if sense == SENSE_MIN else inc / alg
        return r, r, r
    with np.errstate(divide="ignore", invalid="ignore"):
        if sense == SENSE_MIN:  # OPT in [bound, incumbent], ALG >= OPT
            lo = max(1.0, alg / inc) if math.isfinite(inc) and inc > 0 else 1.0
            hi = alg / bnd if math.isfinite(bnd) and bnd > 0 else math.inf
        else:  # OPT in [incumbent, bound], ALG <= OPT
            lo = max(1.0, inc / alg) if math.isfinite(inc) and alg > 0 else 1.0
            hi = bnd / alg if math.isfinite(bnd) and alg > 0 else math.inf
    return math.nan, float(lo), float(hi)


def _key(problem: str, family: str, params: Mapping[str, Any], seed: int, alg: str) -> str:
    raw = json.dumps([problem, family, dict(params), seed, alg], sort_keys=True, default=str)
    return hashlib.sha1(raw.encode()).hexdigest()[:20]


def judge(ev: Evaluator, instance: Any, alg: Algorithm, seed: int, opt: Opt,
          opt_seconds: float) -> dict[str, Any]:
    """Run ``alg`` on ``instance`` (rng seeded by ``seed``), evaluate it, take the ratio.

    Returns
    -------
    dict
        The row fields of :data:`COLUMNS` but ``key``, ``family``, ``params``, ``seed``.
    """
    row: dict[str, Any] = {"problem": ev.problem, "algorithm": alg.name, "sense": ev.sense,
                           "opt": opt.objective, "opt_status": opt.status,
                           "opt_bound": opt.bound, "opt_backend": opt.backend,
                           "opt_seconds": opt_seconds, "alg": math.nan, "ratio": math.nan,
                           "ratio_lo": math.nan, "ratio_hi": math.nan, "violations": [],
                           "error": None, "alg_seconds": math.nan}
    t0 = time.perf_counter()
    try:
        answer = alg.fn(instance, np.random.default_rng(seed))
        row["alg_seconds"] = time.perf_counter() - t0
        evaluation: Evaluation = ev.evaluate(instance, answer)
    except Exception as exc:  # the user's algorithm (or a malformed answer) failed
        row.update(status="error", error=f"{type(exc).__name__}: {exc}")
        return row
    alg_val = evaluation.value
    row["alg"] = alg_val
    viol = list(evaluation.violations)
    if not viol and opt.proven and math.isfinite(alg_val):
        scale = OPT_TOL * max(1.0, abs(opt.objective))
        better = (alg_val < opt.objective - scale if ev.sense == SENSE_MIN
                  else alg_val > opt.objective + scale)
        if better:
            viol.append(f"value {alg_val:.12g} beats the certified OPT {opt.objective:.12g}: "
                        f"no feasible mechanism attains it")
    row["violations"] = viol
    if viol or not math.isfinite(alg_val):
        row["status"] = "infeasible"
        return row
    if opt.status not in ("optimal", "time_limit"):
        row.update(status="error", error=f"OPT solve ended with status {opt.status}")
        return row
    r, lo, hi = ratio_interval(ev.sense, alg_val, opt)
    row.update(ratio=r, ratio_lo=lo, ratio_hi=hi, status="ok" if opt.proven else "unproven")
    return row


def _solve_opt(ev: Evaluator, instance: Any, time_limit: float | None) -> tuple[Opt, float]:
    t0 = time.perf_counter()
    try:
        opt = ev.solve(instance, time_limit)
    except Exception as exc:
        opt = Opt("error", math.nan, math.nan, f"{type(exc).__name__}: {exc}")
    return opt, time.perf_counter() - t0


def run_task(problem: str, algs: Sequence[str | Algorithm], family: str,
             params: Mapping[str, Any], seed: int,
             time_limit: float | None = None) -> list[dict[str, Any]]:
    """Every algorithm on one instance of ``family`` (``params``, ``seed``): its rows."""
    ev = get_evaluator(problem)
    fam = get_family(family, problem)
    algos = [load_algorithm(a, problem) for a in algs]
    base = {"family": family, "params": dict(params), "seed": int(seed)}
    try:
        instance = fam.make(params, seed)
    except Exception as exc:
        return [{**base, "key": _key(problem, family, params, seed, a.name),
                 "problem": problem, "algorithm": a.name, "sense": ev.sense,
                 "status": "error", "violations": [],
                 "error": f"instance: {type(exc).__name__}: {exc}"} for a in algos]
    opt, opt_s = _solve_opt(ev, instance, time_limit)
    return [{**base, "key": _key(problem, family, params, seed, a.name),
             **judge(ev, instance, a, seed, opt, opt_s)} for a in algos]


def _task_star(args: tuple[Any, ...]) -> list[dict[str, Any]]:
    from ..plugins import load_user_plugins

    load_user_plugins()
    return run_task(*args)


# ----------------------------------------------------------------------------- store


def _sql_value(col: str, v: Any) -> Any:
    if col in ("params", "violations"):
        return json.dumps(v, sort_keys=True, default=str)
    if isinstance(v, float) and not math.isfinite(v):
        return None if math.isnan(v) else ("inf" if v > 0 else "-inf")
    return v


def store_rows(path: str | Path, rows: Iterable[Mapping[str, Any]]) -> int:
    """Insert (or replace, by ``key``) rows in the ``bench`` table of ``path``."""
    con = sqlite3.connect(str(path))
    try:
        con.execute("PRAGMA journal_mode=WAL")
        con.execute(_SCHEMA)
        n = 0
        with con:
            for r in rows:
                con.execute(f"INSERT OR REPLACE INTO bench ({', '.join(COLUMNS)}) VALUES "
                            f"({', '.join('?' * len(COLUMNS))})",
                            [_sql_value(c, r.get(c)) for c in COLUMNS])
                n += 1
        return n
    except sqlite3.DatabaseError as exc:
        raise InstanceError("store", f"{path}: not a usable SQLite file: {exc}") from None
    finally:
        con.close()


def load(path: str | Path) -> Any:
    """The ``bench`` table of a store as a pandas DataFrame (numbers as floats).

    ``params`` is expanded into one column per family parameter (``param.<name>``);
    ``violations`` is a list per row.
    """
    import pandas as pd

    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        df = pd.read_sql_query(f"SELECT {', '.join(COLUMNS)} FROM bench", con)
    finally:
        con.close()
    return frame(df.to_dict("records"), from_store=True)


def frame(rows: Sequence[Mapping[str, Any]], from_store: bool = False) -> Any:
    """Rows as a DataFrame: numeric columns as floats, ``param.<name>`` columns added."""
    import pandas as pd

    recs = []
    for r in rows:
        rec = {c: r.get(c) for c in COLUMNS}
        if from_store:
            rec["params"] = json.loads(rec["params"] or "{}")
            rec["violations"] = json.loads(rec["violations"] or "[]")
        recs.append(rec)
    df = pd.DataFrame(recs, columns=list(COLUMNS))
    for c in ("alg", "opt", "opt_bound", "ratio", "ratio_lo", "ratio_hi", "alg_seconds",
              "opt_seconds"):
        df[c] = pd.to_numeric(df[c].replace({"inf": math.inf, "-inf": -math.inf}),
                              errors="coerce").astype(float)
    df["seed"] = df["seed"].astype(int)
    names = sorted({k for p in df["params"] for k in p})
    for k in names:
        df[f"param.{k}"] = [p.get(k) for p in df["params"]]
    return df


# ----------------------------------------------------------------------------- run


def expand_grid(grid: Mapping[str, Any] | str | None) -> list[dict[str, Any]]:
    """A grid ``{"name": [values...] | value}`` as the list of its parameter sets."""
    import itertools

    if grid is None:
        return [{}]
    if isinstance(grid, str):
        try:
            grid = json.loads(grid)
        except json.JSONDecodeError as exc:
            raise InstanceError("grid", f"must be a JSON object: {exc.msg}") from None
    if not isinstance(grid, Mapping):
        raise InstanceError("grid", f"must be a JSON object of parameter lists, got "
                                    f"{type(grid).__name__}")
    keys = list(grid)
    vals = [v if isinstance(v, list) else [v] for v in grid.values()]
    for k, v in zip(keys, vals, strict=True):
        if not v:
            raise InstanceError(f"grid.{k}", "must list at least one value")
    return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*vals)]


def run(problem: str, algorithms: Sequence[str | Algorithm | Any], family: str,
        grid: Mapping[str, Any] | str | None = None, seeds: int | Sequence[int] = 1, *,
        store: str | Path | None = None, workers: int = 1,
        time_limit: float | None = None) -> Any:
    """Benchmark algorithms on a family against the certified OPT.

    Parameters
    ----------
    problem
        ``sampling``, ``pricing``, ... (:func:`solver.bench.evaluators`).
    algorithms
        Registered names, ``package.module:function`` paths, or callables
        ``fn(instance, rng) -> answer`` (callables need ``workers=1``).
    family
        A registered family of ``problem`` (:func:`solver.bench.families`).
    grid
        ``{"param": [values]}`` (a JSON string too); every combination is run.
    seeds
        How many seeds (``0..seeds-1``) or the seeds themselves.
    store
        An SQLite file receiving the rows (table ``bench``).
    workers
        Processes (tasks are instances: OPT is solved once per instance).
    time_limit
        Seconds for each OPT solve; an OPT not proven in time makes ``unproven`` rows.

    Returns
    -------
    pandas.DataFrame
        One row per (instance, algorithm), the columns of :data:`COLUMNS` plus
        ``param.<name>``.

    Raises
    ------
    InstanceError
        Bad input (unknown problem, family, parameter, algorithm), before anything runs.
    """
    ev = get_evaluator(problem)
    fam = get_family(family, problem)
    sets = expand_grid(grid)
    for s in sets:
        fam.check(s)
    algos = [load_algorithm(a, problem) for a in algorithms]
    if not algos:
        raise InstanceError("algorithm", "give at least one algorithm")
    seed_list = list(range(int(seeds))) if isinstance(seeds, int) else [int(s) for s in seeds]
    if workers < 1:
        raise InstanceError("workers", f"must be >= 1, got {workers}")
    tasks = [(ev.problem, algos, family, s, seed, time_limit) for s in sets for seed in seed_list]
    rows: list[dict[str, Any]] = []
    if workers == 1 or len(tasks) <= 1:
        for t in tasks:
            got = run_task(*t)
            if store is not None:
                store_rows(store, got)
            rows.extend(got)
    else:
        named = [a.name for a in algos]
        for a in algos:
            if "<" in a.name or a.name.startswith("__main__:"):
                raise InstanceError("algorithm", f"{a.name} cannot be imported by a worker "
                                                 f"process: use workers=1, or define it at "
                                                 f"module level in an importable module")
        with ProcessPoolExecutor(max_workers=workers) as pool:
            args = [(p, named, f, s, seed, tl) for (p, _, f, s, seed, tl) in tasks]
            for got in pool.map(_task_star, args):
                if store is not None:
                    store_rows(store, got)
                rows.extend(got)
    return frame(rows)


def summary(df: Any, by: str | None = None) -> Any:
    """Per algorithm (× ``by``, a ``param.<name>`` column or a parameter name): count, median,
    p95 and max ratio over ``ok`` rows, and the unproven / infeasible / error counts."""
    import pandas as pd

    keys = ["algorithm", "sense"]
    if by:
        keys.append(by if by in df.columns else f"param.{by}")
    out = []
    for k, g in df.groupby(keys, dropna=False):
        ok = g.loc[g["status"] == "ok", "ratio"]
        out.append({**dict(zip(keys, k if isinstance(k, tuple) else (k,), strict=True)),
                    "count": int(ok.size),
                    "median": float(ok.median()) if ok.size else math.nan,
                    "p95": float(ok.quantile(0.95)) if ok.size else math.nan,
                    "max": float(ok.max()) if ok.size else math.nan,
                    "unproven": int((g["status"] == "unproven").sum()),
                    "infeasible": int((g["status"] == "infeasible").sum()),
                    "error": int((g["status"] == "error").sum())})
    return pd.DataFrame(out)


# ----------------------------------------------------------------------------- rerun


def rerun(path: str | Path, algorithm: str | None = None,
          time_limit: float | None = None) -> dict[str, Any]:
    """Replay a worst-case file written by :func:`solver.bench.worst` (or an instance file
    with ``algorithm``): the algorithm's value, OPT and the ratio.

    Returns
    -------
    dict
        A row (:data:`COLUMNS` but ``key``) with ``instance`` added.
    """
    try:
        raw = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise InstanceError("rerun", f"{path}: cannot read a JSON file: {exc}") from None
    if not isinstance(raw, Mapping):
        raise InstanceError("rerun", f"{path}: must hold a JSON object")
    meta = raw.get("bench", {}) if "instance" in raw else {}
    inst_raw = raw.get("instance", raw)
    problem = str(inst_raw.get("problem", meta.get("problem")))
    ev = get_evaluator(problem)
    alg_spec = algorithm or meta.get("algorithm")
    if not alg_spec:
        raise InstanceError("algorithm", "this file names no algorithm: give --algorithm")
    alg = load_algorithm(alg_spec, problem)
    instance = ev.instance_type.from_dict(inst_raw)
    seed = int(meta.get("seed", 0))
    opt, opt_s = _solve_opt(ev, instance, time_limit)
    row = judge(ev, instance, alg, seed, opt, opt_s)
    return {"family": meta.get("family"), "params": meta.get("params", {}), "seed": seed,
            **row, "recorded_ratio": meta.get("ratio")}
