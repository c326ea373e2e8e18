"""Reports of bench rows: ratio statistics per algorithm × size, box plots, scaling, worst cases.

:func:`summary` aggregates the rows of :func:`solver.bench.run` (or of a ``--store``) per
algorithm × the family parameters that vary: how many ratios count, their median, p95 and
max, and the unproven / infeasible / error counts.  Only rows of status ``ok`` (OPT proven
optimal, the answer feasible) enter the ratio statistics; an ``unproven`` row (OPT not
proven, e.g. a time limit) is counted, never averaged in (issue #14 item 3).

:func:`write_report` (``solver report STORE`` on a bench store) writes ``report.md`` with,
per problem and family: that table, box plots of the ratio per size value (one panel per
algorithm), a scaling plot of the ALG and OPT seconds against each size parameter (the x
axis named after it: ``B``, ``N``, ``n``...), and the worst cases, each saved as a rerun
file (``{"bench": {...}, "instance": {...}}``, the format of ``solver worst --out``) with
the command that replays it (``solver bench --rerun FILE``: ALG, OPT and the ratio).  Every
title states the objective and the ratio's sense: ``ALG/OPT`` for payments and costs
(sampling's expected payment [GAH12, Section 5.1]), ``OPT/ALG`` for revenue and welfare
(pricing's revenue [CCK25, eq. (5)]).
"""

from __future__ import annotations

import json
import math
import shlex
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InstanceError
from ..sweep.report import box_panels, md_table, new_figure, sort_key, store_tables
from ..sweep.store import StoreError
from .interface import get_evaluator, get_family
from .runner import COLUMNS, load

#: Worst cases listed (and saved as rerun files) per algorithm by default.
TOP_WORST = 3
#: The upper quantile of the ratio reported beside the median and the max.
UPPER_QUANTILE = 0.95
#: Statistic columns of :func:`summary`, after the grouping columns.
STAT_COLUMNS = ("count", "median", "p95", "max", "unproven", "infeasible", "error")
#: Prefix of the DataFrame column holding a family parameter (``param.N``).
PARAM = "param."
#: File-name prefix of the worst-case rerun files in a report's directory.
WORST_PREFIX = "worst-"


@dataclass
class BenchReport:
    """What :func:`write_report` (or :func:`report_lines`) produced.

    Attributes
    ----------
    path
        ``report.md`` (``None`` from :func:`report_lines`).
    lines
        The Markdown lines.
    tables
        Per ``"problem/family"``: the ratio table (:func:`summary` of its rows).
    figures
        Per PNG file name: the matplotlib ``Figure`` saved there.
    worst
        One dict per worst case: ``problem``, ``family``, ``algorithm``, ``sense``,
        ``ratio``, ``file`` (``None`` when the instance could not be rebuilt), ``command``.
    """

    path: Path | None = None
    lines: list[str] = field(default_factory=list)
    tables: dict[str, Any] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)
    worst: list[dict[str, Any]] = field(default_factory=list)


# ---------------------------------------------------------------------------- parameters


def param_names(df: Any) -> list[str]:
    """The family parameters of the rows (from the ``param.<name>`` columns), sorted."""
    return sorted(c[len(PARAM):] for c in df.columns if str(c).startswith(PARAM))


def _canon(v: Any) -> str:
    return json.dumps(v, sort_keys=True, default=str)


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool)


def varying_params(df: Any, numeric: bool = False) -> list[str]:
    """Parameters taking two values or more over the rows (only numeric ones if ``numeric``)."""
    out = []
    for k in param_names(df):
        vals = df[PARAM + k]
        if vals.map(_canon).nunique() < 2:
            continue
        if numeric and not all(_is_number(v) for v in vals):
            continue
        out.append(k)
    return out


def with_defaults(df: Any) -> Any:
    """The rows with every parameter the family has (its default where a run left one out).

    ``solver bench --grid`` stores only the parameters of the grid; the instance was made
    with the family's defaults for the others (:meth:`solver.bench.Family.make`), so they
    are filled in (``params`` and ``param.<name>``) for families registered here.
    """
    defaults: dict[Any, Mapping[str, Any]] = {}
    for f in df["family"].dropna().unique():
        try:
            defaults[f] = get_family(str(f)).defaults
        except InstanceError:  # a family of a plugin not loaded here: as stored
            defaults[f] = {}
    full = [{**defaults.get(f, {}), **(p if isinstance(p, Mapping) else {})}
            for f, p in zip(df["family"], df["params"], strict=True)]
    d = df.drop(columns=[c for c in df.columns if str(c).startswith(PARAM)])
    d["params"] = full
    for k in sorted({k for p in full for k in p}):
        d[PARAM + k] = [p.get(k) for p in full]
    return d


def _by_names(df: Any, by: str | Sequence[str] | None, numeric: bool = False) -> list[str]:
    """The grouping parameters: ``by`` checked against the rows, or the varying ones."""
    if by is None:
        return varying_params(df, numeric)
    names = [by] if isinstance(by, str) else list(by)
    known = param_names(df)
    out = []
    for b in names:
        k = str(b).removeprefix(PARAM)
        if k not in known:
            raise InstanceError("by", f"no parameter {k!r} in the bench rows (their "
                                      f"parameters: {', '.join(known) or 'none'})")
        out.append(k)
    return out


# ---------------------------------------------------------------------------- summary


def _stats(g: Any) -> dict[str, Any]:
    ok = g.loc[g["status"] == "ok", "ratio"].dropna()
    return {"count": int(ok.size),
            "median": float(ok.median()) if ok.size else math.nan,
            "p95": float(ok.quantile(UPPER_QUANTILE)) if ok.size else math.nan,
            "max": float(ok.max()) if ok.size else math.nan,
            "unproven": int((g["status"] == "unproven").sum()),
            "infeasible": int((g["status"] == "infeasible").sum()),
            "error": int((g["status"] == "error").sum())}


def summary(df: Any, by: str | Sequence[str] | None = None) -> Any:
    """Ratio statistics per algorithm × parameters, over the rows of :func:`solver.bench.run`.

    Parameters
    ----------
    df
        Bench rows (:func:`solver.bench.run`, :func:`solver.bench.load`).
    by
        A parameter name (``"N"`` or ``"param.N"``) or a list of them; default: every
        parameter that takes two values or more in ``df``.  ``[]``: per algorithm only.

    Returns
    -------
    pandas.DataFrame
        Columns ``algorithm``, ``sense``, ``family`` (only when ``df`` holds several
        families), one per parameter of ``by`` (named after it; ``param.<name>`` if the name
        is taken), then ``count`` (ratios that count: rows of status ``ok``), ``median``,
        ``p95``, ``max`` (of those ratios; ``nan`` without any), and the ``unproven``,
        ``infeasible`` and ``error`` row counts.  Rows are sorted by algorithm, then by the
        parameters' values.

    Raises
    ------
    InstanceError
        On ``by``: a name that is not a parameter of the rows.
    """
    import pandas as pd

    d = with_defaults(df)
    keys = _by_names(d, by)
    fam = ["family"] if d["family"].nunique() > 1 else []
    taken = {"algorithm", "sense", "family", *STAT_COLUMNS}
    names = [k if k not in taken else PARAM + k for k in keys]
    cols = ["algorithm", "sense", *fam, *names]
    if d.empty:
        return pd.DataFrame(columns=[*cols, *STAT_COLUMNS])
    group_on = ["algorithm", "sense", *fam, *(PARAM + k for k in keys)]
    tmp = d.assign(**{f"_g{i}": d[c].map(_canon) for i, c in enumerate(group_on)})
    out = []
    for _, g in tmp.groupby([f"_g{i}" for i in range(len(group_on))], sort=False,
                            dropna=False):
        first = g.iloc[0]
        out.append({**{n: first[c] for n, c in zip(cols, group_on, strict=True)}, **_stats(g)})
    out.sort(key=lambda r: tuple(sort_key(r[c]) for c in cols))
    return pd.DataFrame(out, columns=[*cols, *STAT_COLUMNS])


# ---------------------------------------------------------------------------- store


def load_store(path: str | Path) -> Any:
    """The rows of a ``solver bench --store`` file (:func:`solver.bench.load`), checked first.

    Raises
    ------
    StoreError
        ``not a solver store`` (no ``bench`` table of :data:`solver.bench.COLUMNS`) or
        ``damaged`` (SQLite cannot read it); nothing is written.
    """
    path = Path(path)
    if "bench" not in store_tables(path):
        raise StoreError(path, "not a solver store", "an SQLite database without the bench "
                                                     "table of solver bench --store")
    try:
        con = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, timeout=30)
        try:
            cols = tuple(r[1] for r in con.execute("PRAGMA table_info(bench)"))
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError(path, "damaged", f"{type(exc).__name__}: {exc}") from None
    if cols != COLUMNS:
        raise StoreError(path, "not a solver store", f"its bench table has columns "
                                                     f"{', '.join(cols)}")
    try:
        return load(path)
    except (sqlite3.DatabaseError, json.JSONDecodeError, TypeError, ValueError) as exc:
        raise StoreError(path, "damaged", f"{type(exc).__name__}: {exc}") from None


# ---------------------------------------------------------------------------- sections


def _objective(problem: str) -> str:
    try:
        return get_evaluator(problem).objective
    except InstanceError:  # a problem of a plugin not loaded here
        return f"{problem} objective"


def _instances(d: Any) -> int:
    """Distinct instances (problem, family, parameters, seed) among the rows."""
    return len(set(zip(d["problem"], d["family"], d["params"].map(_canon), d["seed"],
                       strict=True)))


def _tag(s: Any) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in str(s))


def _label(values: Sequence[Any]) -> str:
    return ", ".join(str(v) for v in values)


def _ratio_figure(sec: Any, keys: list[str], title: str, sense: str) -> Any | None:
    ok = sec[(sec["status"] == "ok") & sec["ratio"].notna()]
    if ok.empty:
        return None
    panels = []
    if keys:
        for alg, g in ok.groupby("algorithm", sort=True):
            boxes: dict[str, tuple[Any, list[float]]] = {}
            for r in g.to_dict("records"):
                vals = tuple(r[PARAM + k] for k in keys)
                boxes.setdefault(_canon(vals), (vals, []))[1].append(r["ratio"])
            ordered = sorted(boxes.values(), key=lambda b: tuple(sort_key(v) for v in b[0]))
            panels.append((str(alg), [(_label(v), rs) for v, rs in ordered]))
        xlabel = ", ".join(keys)
    else:
        panels = [("", [(str(a), g["ratio"].to_numpy(float))
                        for a, g in ok.groupby("algorithm", sort=True)])]
        xlabel = "algorithm"
    return box_panels(panels, xlabel, f"ratio {sense}", title)


def _scaling(sec: Any, keys: list[str], title: str) -> tuple[Any | None, list[list[Any]]]:
    """Figure of ALG and OPT seconds against each numeric key, and its table rows."""
    import pandas as pd

    numeric = [k for k in keys if all(_is_number(v) for v in sec[PARAM + k])]
    if not numeric:
        return None, []
    fig = new_figure(min(16.0, 5.2 * len(numeric) + 1.0), 4.0)
    axes = fig.subplots(1, len(numeric), squeeze=False)[0]
    tasks = sec.assign(_task=[_canon([p, s]) for p, s in zip(sec["params"], sec["seed"],
                                                             strict=True)])
    tasks = tasks.drop_duplicates("_task")
    for ax, k in zip(axes, numeric, strict=True):
        col = PARAM + k
        for i, (alg, g) in enumerate(sec.groupby("algorithm", sort=True)):
            g = g[g["alg_seconds"] > 0]
            if g.empty:
                continue
            x = pd.to_numeric(g[col]).to_numpy(float)
            ax.scatter(x, g["alg_seconds"], s=10, alpha=0.5, color=f"C{i % 10}")
            med = g.groupby(col)["alg_seconds"].median().sort_index()
            ax.plot(med.index.to_numpy(float), med.to_numpy(), marker="o",
                    color=f"C{i % 10}", label=f"ALG: {alg}")
        t = tasks[tasks["opt_seconds"] > 0]
        if not t.empty:
            med = t.groupby(col)["opt_seconds"].median().sort_index()
            ax.plot(med.index.to_numpy(float), med.to_numpy(), marker="s", color="k",
                    ls="--", label="OPT (certified solve)")
        ax.set_yscale("log")
        ax.set_xlabel(k)
        ax.set_ylabel("seconds (median line)")
        ax.set_title(f"seconds against {k}")
        ax.legend(fontsize=8)
    fig.suptitle(title)
    rows = []
    for alg, g in sec.groupby("algorithm", sort=True):
        parts: dict[str, tuple[Any, Any]] = {}
        for vals, h in g.groupby([PARAM + k for k in keys], sort=False, dropna=False):
            vals = vals if isinstance(vals, tuple) else (vals,)
            parts[_canon(vals)] = (vals, h)
        for vals, h in sorted(parts.values(), key=lambda p: tuple(sort_key(v) for v in p[0])):
            rows.append([alg, *vals, int(h["alg_seconds"].notna().sum()),
                         float(h["alg_seconds"].median()), float(h["opt_seconds"].median())])
    return fig, rows


def _rerun_file(r: Mapping[str, Any], path: Path) -> str | None:
    """Write the rerun file of row ``r`` to ``path`` (the format of ``solver worst --out``);
    ``None`` if done, else why the instance cannot be rebuilt here."""
    try:
        fam = get_family(str(r["family"]), str(r["problem"]))
    except InstanceError:
        return f"family {r['family']} is not registered"
    try:
        params = fam.check(r["params"])
        instance = fam.make(params, int(r["seed"])).to_dict()
    except Exception as exc:  # the family's generator failing on the stored parameters
        return f"{type(exc).__name__}: {exc}"
    path.write_text(json.dumps({
        "bench": {"problem": r["problem"], "algorithm": r["algorithm"], "family": r["family"],
                  "params": params, "seed": int(r["seed"]), "ratio": r["ratio"],
                  "sense": r["sense"]},
        "instance": instance}, indent=1, default=float) + "\n")
    return None


def _worst_cases(sec: Any, out: Path, top: int, sense: str,
                 rep: BenchReport) -> list[list[Any]]:
    ok = sec[(sec["status"] == "ok") & sec["ratio"].notna()]
    rows = []
    for alg, g in ok.groupby("algorithm", sort=True):
        for r in g.sort_values("ratio", ascending=False, kind="stable").head(top).to_dict(
                "records"):
            path = out / f"{WORST_PREFIX}{_tag(alg)}-{str(r['key'])[:8]}.json"
            why = _rerun_file(r, path)
            command = (f"solver bench --rerun {shlex.quote(str(path))}" if why is None
                       else f"(not replayable here: {why})")
            replay = f"`{command}`" if why is None else command
            if why is None and ("<" in str(alg) or str(alg).startswith("__main__:")):
                replay += " with `--algorithm module:function` (a script's callable)"
            rep.worst.append({"problem": r["problem"], "family": r["family"],
                              "algorithm": alg, "sense": sense, "ratio": r["ratio"],
                              "file": path if why is None else None, "command": command})
            shown = ", ".join(f"{k}={v}" for k, v in sorted(r["params"].items()))
            rows.append([alg, r["ratio"], r["alg"], r["opt"], shown, int(r["seed"]), replay])
    return rows


def _section(sec: Any, problem: str, family: str, out: Path, by: list[str] | None,
             top: int, rep: BenchReport) -> list[str]:
    senses = sorted(map(str, sec["sense"].dropna().unique()))
    sense = " / ".join(senses) or "ratio"
    objective = _objective(problem)
    what = f"ratio {sense} of the {objective}"
    present = [k for k in param_names(sec) if sec["params"].map(lambda p, k=k: k in p).any()]
    if by is None:
        keys = varying_params(sec, numeric=True)
        lacking: list[str] = []
    else:
        keys = [k for k in by if k in present]
        lacking = [k for k in by if k not in present]
    pooled = [k for k in varying_params(sec) if k not in keys]
    table = summary(sec, by=keys)
    rep.tables[f"{problem}/{family}"] = table
    per = " × ".join(["algorithm", *keys])
    lines = [f"## {problem} on `{family}`: {what}", "",
             f"{len(sec)} rows, {_instances(sec)} instances. The ratio is {sense} (OPT: "
             f"the certified optimum of the "
             f"{objective}; ALG: the algorithm's answer as the library evaluates it; >= 1, "
             f"1 = optimal).", "",
             f"### {what[0].upper() + what[1:]} per {per}", ""]
    stat_hdr = ["ratios", "median", f"p{round(100 * UPPER_QUANTILE)}", "max", "unproven",
                "infeasible", "error"]
    lines += [md_table(["algorithm", *keys, *stat_hdr],
                       [[r["algorithm"], *(r[c] for c in table.columns[2:2 + len(keys)]),
                         *(r[c] for c in STAT_COLUMNS)] for r in table.to_dict("records")]),
              ""]
    n_unp = int((sec["status"] == "unproven").sum())
    n_inf = int((sec["status"] == "infeasible").sum())
    n_err = int((sec["status"] == "error").sum())
    lines += [f"`ratios`: rows of status `ok` (OPT proven optimal, answer feasible), the only "
              f"ones whose ratio enters the median, p{round(100 * UPPER_QUANTILE)} and max. "
              f"Unproven rows never enter them: {n_unp} unproven row(s) (OPT not proven "
              f"optimal, e.g. a time limit; only the interval `ratio_lo..ratio_hi` is known) "
              f"are left out, as are {n_inf} infeasible and {n_err} error row(s)."]
    if pooled:
        lines += ["", f"Pooled in each row (they vary but are not grouped by): "
                      f"{', '.join(pooled)}; choose the grouping with `--by`."]
    if lacking:
        lines += ["", f"Not a parameter of `{family}`: {', '.join(lacking)}."]
    lines.append("")
    tag = _tag(family)
    fig = _ratio_figure(sec, keys, f"{problem} on {family}: {what}"
                        + (f" per {', '.join(keys)}" if keys else ""), sense)
    if fig is not None:
        name = f"bench-{tag}-ratios.png"
        fig.savefig(out / name)
        rep.figures[name] = fig
        lines += [f"![{what} per {per}]({name})", ""]
    lines += [f"### Scaling: ALG and OPT seconds against {', '.join(keys) or 'size'} "
              f"({objective}, ratio {sense})", ""]
    fig, srows = _scaling(sec, keys, f"{problem} on {family}: seconds against "
                                     f"{', '.join(keys)} ({objective}, ratio {sense})")
    if fig is None:
        lines += ["No numeric parameter varies in these rows: no scaling plot (choose one "
                  "with `--by`).", ""]
    else:
        name = f"bench-{tag}-scaling.png"
        fig.savefig(out / name)
        rep.figures[name] = fig
        lines += [md_table(["algorithm", *keys, "timed rows", "median ALG seconds",
                            "median OPT seconds"], srows), "",
                  f"![seconds against {', '.join(keys)}]({name})", ""]
    wrows = _worst_cases(sec, out, top, sense, rep)
    lines += [f"### Worst cases: largest {what} (top {top} per algorithm)", ""]
    if wrows:
        lines += ["Each instance is saved in the report's directory; the command replays it "
                  "(the algorithm's value, the certified OPT and the ratio). An algorithm "
                  "named `module:function` must be importable there (e.g. on `PYTHONPATH`).",
                  "", md_table(["algorithm", f"ratio {sense}", "ALG", "OPT", "params", "seed",
                                "replay"], wrows, whole=(6,)), ""]
    else:
        lines += ["No row of status `ok`: no worst case.", ""]
    return lines


def report_lines(df: Any, out: str | Path, by: str | Sequence[str] | None = None,
                 top: int = TOP_WORST) -> BenchReport:
    """The Markdown sections of :func:`write_report` (figures and rerun files written to
    ``out``, which must exist), without the page's title; ``path`` is ``None``."""
    out = Path(out)
    d = with_defaults(df)
    names = _by_names(d, by) if by is not None else None
    if top < 1:
        raise InstanceError("top", f"must be >= 1, got {top}")
    for old in out.glob(f"{WORST_PREFIX}*.json"):  # files of an earlier report here
        old.unlink()
    rep = BenchReport()
    for (problem, family), sec in d.groupby(["problem", "family"], sort=True):
        rep.lines += _section(sec, str(problem), str(family), out, names, top, rep)
    return rep


def write_report(store_or_df: str | Path | Any, out: str | Path,
                 by: str | Sequence[str] | None = None, top: int = TOP_WORST) -> BenchReport:
    """Write ``report.md`` of bench rows into ``out`` (figures and rerun files beside it).

    Parameters
    ----------
    store_or_df
        A ``solver bench --store`` file, or the DataFrame of :func:`solver.bench.run`.
    out
        The report's directory (created).
    by
        Size parameter(s) the tables and plots are per (default: every numeric parameter
        that varies in a family's rows).
    top
        Worst cases per algorithm, each saved as ``out/worst-...json`` for
        ``solver bench --rerun``.

    Returns
    -------
    BenchReport

    Raises
    ------
    StoreError
        The file is not a bench store, or is damaged (nothing is written).
    InstanceError
        ``by`` names no parameter of the rows; ``top`` < 1.
    """
    if isinstance(store_or_df, str | Path):
        df = load_store(store_or_df)
        name = f"`{Path(store_or_df).name}`"
    else:
        df = store_or_df
        name = "rows of `solver.bench.run`"
    d = with_defaults(df)
    if by is not None:
        _by_names(d, by)  # bad input: refused before anything is written
    if top < 1:
        raise InstanceError("top", f"must be >= 1, got {top}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rep = report_lines(d, out, by, top)
    n_inst = _instances(d)
    head = [f"# Bench report: {name}", "",
            f"{len(d)} rows ({n_inst} instances × their algorithms) of "
            f"{d['problem'].nunique()} problem(s), {d['family'].nunique()} family(ies). "
            "A ratio is ALG/OPT for payments and costs, OPT/ALG for revenue and welfare: "
            ">= 1 for a feasible answer, 1 = optimal.", ""]
    rep.lines = head + rep.lines
    rep.path = out / "report.md"
    rep.path.write_text("\n".join(rep.lines) + "\n")
    return rep
