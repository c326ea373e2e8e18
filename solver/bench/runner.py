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

Rows go to the ``bench`` table of an SQLite file (``--store``, :class:`BenchStore`): one
connection per run, one transaction per task.  Tasks run in this process (the evaluator,
family and algorithms resolved once per run), in worker processes (``workers``) or on a
Dask cluster (``scheduler``, :func:`solver.sweep.executors.dask_map`); the rows come back
in task order whichever runs them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import sqlite3
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InstanceError
from .interface import (
    SENSE_MIN,
    Algorithm,
    Evaluation,
    Evaluator,
    Family,
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


def ratio_interval(sense: str, alg: float, opt: Opt, *,
                   bounds_answers: bool = True) -> tuple[float, float, float]:
    """``(ratio, lo, hi)``: the ratio if OPT is proven, else the interval its bound gives.

    Parameters
    ----------
    sense
        ``ALG/OPT`` (minimisation) or ``OPT/ALG`` (maximisation).
    alg
        The algorithm's evaluated value (feasible).
    opt
        The certified solve.
    bounds_answers
        Whether OPT bounds every feasible answer (:attr:`Evaluator.opt_bounds_answers`):
        only then is ``lo`` at least 1.

    Returns
    -------
    tuple of float
        For a proven OPT, ``(r, r, r)``; otherwise ``(nan, lo, hi)`` with OPT anywhere
        between the incumbent and the bound (``hi = inf`` without a bound).
    """
    inc, bnd = opt.objective, opt.bound
    if opt.proven:
        r = _ratio(sense, alg, inc)
        return r, r, r
    floor = 1.0 if bounds_answers else 0.0  # ALG >= OPT (min) / ALG <= OPT (max) or not
    with np.errstate(divide="ignore", invalid="ignore"):
        if sense == SENSE_MIN:  # OPT in [bound, incumbent]
            lo = max(floor, alg / inc) if math.isfinite(inc) and inc > 0 else floor
            hi = alg / bnd if math.isfinite(bnd) and bnd > 0 else math.inf
        else:  # OPT in [incumbent, bound]
            lo = max(floor, inc / alg) if math.isfinite(inc) and alg > 0 else floor
            hi = bnd / alg if math.isfinite(bnd) and alg > 0 else math.inf
    return math.nan, float(lo), float(hi)


def _ratio(sense: str, alg: float, opt: float) -> float:
    """ALG/OPT or OPT/ALG, with the degenerate denominators named rather than divided by.

    The denominator (OPT for ``ALG/OPT``, ALG for ``OPT/ALG``) can be 0 or negative: a
    sharing profile's payoff is 0 when nobody shares and negative beyond [AMMO22, Example
    B-1]'s threshold.  Then the ratio is 1 when the numerator is no better (equal within
    :data:`~solver.bench.shipped.OPT_TOL`, relative) and ``inf`` otherwise: the answer earns
    nothing of a positive optimum (JSON prints it as ``null``, a non-finite number).
    """
    num, den = (alg, opt) if sense == SENSE_MIN else (opt, alg)
    if den > 0:
        return num / den
    if num <= den or math.isclose(num, den, rel_tol=OPT_TOL, abs_tol=0.0):
        return 1.0
    return math.inf


def _key(problem: str, family: str, params: Mapping[str, Any], seed: int, alg: str) -> str:
    raw = json.dumps([problem, family, dict(params), seed, alg], sort_keys=True, default=str)
    return hashlib.sha1(raw.encode()).hexdigest()[:20]


def judge(ev: Evaluator, instance: Any, alg: Algorithm, seed: int, opt: Opt,
          opt_seconds: float) -> dict[str, Any]:
    """Run ``alg`` on ``instance`` (rng seeded by ``seed``), evaluate it, take the ratio.

    A value better than the certified OPT is a violation only where OPT bounds every
    feasible answer (:attr:`Evaluator.opt_bounds_answers`; not for a benchmark of another
    mechanism class, e.g. FL12's envy-free benchmark, where ratios below 1 are legitimate).

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
    bounds = ev.opt_bounds_answers
    if not viol and bounds and opt.proven and math.isfinite(alg_val):
        scale = OPT_TOL * max(abs(opt.objective), abs(alg_val))  # relative: scale-free
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
    r, lo, hi = ratio_interval(ev.sense, alg_val, opt, bounds_answers=bounds)
    row.update(ratio=r, ratio_lo=lo, ratio_hi=hi, status="ok" if opt.proven else "unproven")
    return row


def _solve_opt(ev: Evaluator, instance: Any, time_limit: float | None) -> tuple[Opt, float]:
    t0 = time.perf_counter()
    try:
        opt = ev.solve(instance, time_limit)
    except Exception as exc:
        opt = Opt("error", math.nan, math.nan, f"{type(exc).__name__}: {exc}")
    return opt, time.perf_counter() - t0


def _error_rows(ev: Evaluator, family: str, names: Sequence[str], params: Mapping[str, Any],
                seed: int, error: str) -> list[dict[str, Any]]:
    """The ``error`` rows of a task that produced no instance (or whose worker was lost)."""
    return [{"family": family, "params": dict(params), "seed": int(seed),
             "key": _key(ev.problem, family, params, seed, name), "problem": ev.problem,
             "algorithm": name, "sense": ev.sense, "status": "error", "violations": [],
             "error": error} for name in names]


def _task_rows(ev: Evaluator, fam: Family, algos: Sequence[Algorithm],
               params: Mapping[str, Any], seed: int,
               time_limit: float | None) -> list[dict[str, Any]]:
    """Every (resolved) algorithm on one instance of ``fam``: OPT solved once, the rows."""
    family = fam.name
    try:
        instance = fam.make(params, seed)
    except Exception as exc:
        return _error_rows(ev, family, [a.name for a in algos], params, seed,
                           f"instance: {type(exc).__name__}: {exc}")
    opt, opt_s = _solve_opt(ev, instance, time_limit)
    base = {"family": family, "params": dict(params), "seed": int(seed)}
    return [{**base, "key": _key(ev.problem, family, params, seed, a.name),
             **judge(ev, instance, a, seed, opt, opt_s)} for a in algos]


def run_task(problem: str, algs: Sequence[str | Algorithm], family: str,
             params: Mapping[str, Any], seed: int,
             time_limit: float | None = None) -> list[dict[str, Any]]:
    """Every algorithm on one instance of ``family`` (``params``, ``seed``): its rows.

    Looks the evaluator, the family and the algorithms up by name (what a worker process
    or a Dask worker runs); :func:`run` in this process resolves them once per run.
    """
    ev = get_evaluator(problem)
    return _task_rows(ev, get_family(family, problem),
                      [load_algorithm(a, problem) for a in algs], params, seed, time_limit)


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


_INSERT = (f"INSERT OR REPLACE INTO bench ({', '.join(COLUMNS)}) VALUES "
           f"({', '.join('?' * len(COLUMNS))})")


class BenchStore:
    """The ``bench`` table of an SQLite file, open for a whole run.

    One connection for the run (opening one per task cost about a millisecond each) and one
    transaction per :meth:`add` (a task's rows), in WAL mode with ``synchronous=NORMAL``:
    a killed run keeps every task it committed.  A file that is not SQLite is an
    ``InstanceError`` on ``store`` when it is opened, before anything runs.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = path
        try:
            self.con = sqlite3.connect(str(path))
        except sqlite3.DatabaseError as exc:
            raise InstanceError("store", f"{path}: cannot open an SQLite file: {exc}"
                                ) from None
        try:
            self.con.execute("PRAGMA journal_mode=WAL")
            self.con.execute("PRAGMA synchronous=NORMAL")
            self.con.execute(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            self.con.close()
            raise InstanceError("store", f"{path}: not a usable SQLite file: {exc}") from None

    def add(self, rows: Iterable[Mapping[str, Any]]) -> int:
        """Insert (or replace, by ``key``) ``rows`` in one transaction; how many."""
        values = [[_sql_value(c, r.get(c)) for c in COLUMNS] for r in rows]
        try:
            with self.con:
                self.con.executemany(_INSERT, values)
        except sqlite3.DatabaseError as exc:
            raise InstanceError("store", f"{self.path}: cannot write: {exc}") from None
        return len(values)

    def close(self) -> None:
        """Close the connection."""
        self.con.close()

    def __enter__(self) -> BenchStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def store_rows(path: str | Path, rows: Iterable[Mapping[str, Any]]) -> int:
    """Insert (or replace, by ``key``) rows in the ``bench`` table of ``path``."""
    with BenchStore(path) as st:
        return st.add(rows)


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
        store: str | Path | None = None, workers: int | None = None,
        time_limit: float | None = None, scheduler: Any = None) -> Any:
    """Benchmark algorithms on a family against the certified OPT.

    Parameters
    ----------
    problem
        ``sampling``, ``pricing``, ... (:func:`solver.bench.evaluators`).
    algorithms
        Registered names, ``package.module:function`` paths, or callables
        ``fn(instance, rng) -> answer`` (a callable defined in ``__main__`` or a local
        scope needs ``workers=1`` and no ``scheduler``).
    family
        A registered family of ``problem`` (:func:`solver.bench.families`).
    grid
        ``{"param": [values]}`` (a JSON string too); every combination is run.
    seeds
        How many seeds (``0..seeds-1``) or the seeds themselves.
    store
        An SQLite file receiving the rows (table ``bench``, one transaction per task).
    workers
        Processes (tasks are instances: OPT is solved once per instance); default 1 (in
        this process).
    time_limit
        Seconds for each OPT solve; an OPT not proven in time makes ``unproven`` rows.
    scheduler
        A Dask scheduler address ``tcp://HOST:PORT`` or a ``distributed.Client``: the tasks
        run on that cluster (not with ``workers``); the rows are those of a local run, in
        the same order (``alg_seconds`` and ``opt_seconds`` aside).  A task whose Dask
        workers keep dying gives ``error`` rows.

    Returns
    -------
    pandas.DataFrame
        One row per (instance, algorithm), the columns of :data:`COLUMNS` plus
        ``param.<name>``, in grid × seed × algorithm order.

    Raises
    ------
    InstanceError
        Bad input (unknown problem, family, parameter, algorithm, ``workers`` with
        ``scheduler``, an unreachable scheduler, a store that is not SQLite), before
        anything runs.
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
    if scheduler is not None and workers is not None:
        raise InstanceError("scheduler", "give a scheduler or workers, not both")
    n_workers = 1 if workers is None else int(workers)
    if n_workers < 1:
        raise InstanceError("workers", f"must be >= 1, got {workers}")
    for s in sets:  # a bad value: exit 2 now, not an error row per task
        fam.validate(s, seed_list[0] if seed_list else 0)
    tasks = [(s, seed) for s in sets for seed in seed_list]
    remote = scheduler is not None or (n_workers > 1 and len(tasks) > 1)
    if remote:
        for a in algos:
            if "<" in a.name or a.name.startswith("__main__:"):
                raise InstanceError("algorithm", f"{a.name} cannot be imported by a worker "
                                                 f"process: use workers=1 (no scheduler), "
                                                 f"or define it at module level in an "
                                                 f"importable module")
    named = [a.name for a in algos]
    args = [(ev.problem, named, family, s, seed, time_limit) for s, seed in tasks]
    got: list[list[dict[str, Any]]] = [[] for _ in tasks]
    with contextlib.ExitStack() as stack:
        client = None
        if scheduler is not None:  # connect first: an unreachable one stores nothing
            from ..sweep.executors import scheduler_client

            client = stack.enter_context(scheduler_client(scheduler))
        st = stack.enter_context(BenchStore(store)) if store is not None else None

        def done(i: int, rows: list[dict[str, Any]]) -> None:
            got[i] = rows
            if st is not None:
                st.add(rows)

        if client is not None:
            from ..sweep.executors import dask_map

            for i, rows, exc in dask_map(client, _task_star, [(a,) for a in args],
                                         name="bench"):
                if exc is not None:
                    s, seed = tasks[i]
                    rows = _error_rows(ev, family, named, s, seed,
                                       f"{type(exc).__name__}: {exc}")
                done(i, rows)
        elif not remote:
            for i, (s, seed) in enumerate(tasks):
                done(i, _task_rows(ev, fam, algos, s, seed, time_limit))
        else:
            from ..workers import recovering_map

            for i, rows in recovering_map(_task_star, [(a,) for a in args], n_workers):
                if rows is None:  # its worker died twice: charged to this task alone
                    s, seed = tasks[i]
                    rows = _error_rows(ev, family, named, s, seed, "WorkerLost: the worker "
                                       "process died twice running this task")
                done(i, rows)
    return frame([r for rows in got for r in rows])


def summary(df: Any, by: str | Sequence[str] | None = None) -> Any:
    """Per algorithm × parameters (``by``; default: every varying one): count, median, p95
    and max ratio over ``ok`` rows, and the unproven / infeasible / error counts
    (:func:`solver.bench.report.summary`)."""
    from .report import summary as _summary

    return _summary(df, by)


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
    # the bench metadata names the benchmarked problem; an instance's own ``problem`` may be
    # the name of the solver problem behind it (``private-mechanism-lp`` for ``privacy``)
    problem = str(meta.get("problem") or inst_raw.get("problem"))
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
