"""``solver report STORE``: a Markdown report with tables and PNG figures.

Sections appear when the store holds the data they need:

* summary per experiment (tasks, ok, errors, versions, time) and the errors met;
* approximation ratios against OPT (records with ``ratio``) per algorithm × size (the
  record's ``size`` when it takes two values or more, or the columns of ``--by``): the
  number of ratios in each group (column ``ratios``), their min, median, mean, p95 and max,
  and box plots per size.  A record whose OPT was not proven optimal (an ``opt_status`` or
  ``status`` field other than ``optimal``) never enters them; the report counts it;
* worst cases (records with an ``instance`` dict): each written to ``worst/*.json`` so that
  ``solver solve worst/FILE.json`` reruns it;
* scaling (records with ``size`` and ``seconds``): time against size, log-log, with the
  least-squares slope of log time on log size per algorithm/problem;
* Pricing Private Data: Figure 2 (a)/(b) from ``sampling.figure2`` records and the
  Theorem 5.1 ratio as n grows from ``sampling.theorem51-ratio`` records [GAH12].

What ``size`` counts is named on the axes and in the headers: the record's ``size_name``
field when it has one, else the parameter (or record field) equal to ``size`` on every
record of the experiment (``n`` for ``sampling.random-ratio``, ``m`` for
``sampling.theorem51-ratio``), else ``size``.  A record's ``sense`` field (``ALG/OPT`` or
``OPT/ALG``, as in :mod:`solver.bench`) is stated in the ratio titles.

A store of ``solver bench --store`` (a ``bench`` table) gets the report of
:mod:`solver.bench.report` instead (or in addition, in a file holding both tables).

Figures are drawn with matplotlib's Agg canvas directly (no global backend switch).
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InstanceError

MAX_WORST = 20
#: Record field an experiment may set to name what its ``size`` counts (``"n"``, ``"m"``).
SIZE_NAME_FIELD = "size_name"
#: Record field stating a ratio's sense (``ALG/OPT`` or ``OPT/ALG``).
SENSE_FIELD = "sense"
#: Record fields holding the status of the OPT a ratio was taken against (first found).
OPT_STATUS_FIELDS = ("opt_status", "status")
#: OPT statuses under which a ratio is proven (any other string: unproven, left out).
PROVEN_STATUSES = ("optimal", "ok")
#: The upper quantile reported beside the median and the max.
UPPER_QUANTILE = 0.95
#: DataFrame columns of a sweep store that are metadata, never a size parameter.
_META = ("key", "experiment", "seed", "version", "task_status", "error", "started",
         "task_seconds", "host", "size", SIZE_NAME_FIELD, SENSE_FIELD)


# ---------------------------------------------------------------------------- helpers

#: Longest table cell shown whole (longer ones are cut, except in the ``whole`` columns).
MAX_CELL = 80


def _fmt(v: Any, whole: bool = False) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, float | np.floating):
        return f"{float(v):.6g}"
    s = str(v).replace("|", "\\|").replace("\n", " ")
    return s if whole or len(s) <= MAX_CELL else s[:MAX_CELL - 3] + "..."


def md_table(header: Sequence[str], rows: Sequence[Sequence[Any]],
             whole: Sequence[int] = ()) -> str:
    """A GitHub-flavoured Markdown table (cells of the columns ``whole`` are never cut)."""
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(_fmt(c, i in whole) for i, c in enumerate(r)) + " |"
            for r in rows]
    return "\n".join(out)


def new_figure(w: float = 6.4, h: float = 4.0) -> Any:
    """A matplotlib ``Figure`` on its own Agg canvas (no global backend, no pyplot)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(w, h), dpi=110, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _save(fig: Any, out: Path, name: str) -> str:
    fig.savefig(out / name)
    return name


def _num(df: Any, col: str) -> Any:
    import pandas as pd

    return pd.to_numeric(df[col], errors="coerce")


def sort_key(v: Any) -> tuple[int, Any]:
    """Order table rows by a parameter value: numbers numerically, then text, then missing."""
    if v is None or (isinstance(v, float | np.floating) and math.isnan(v)):
        return (2, "")
    if isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool):
        return (0, float(v))
    return (1, v if isinstance(v, str) else json.dumps(v, sort_keys=True, default=str))


def store_tables(path: str | Path) -> set[str]:
    """The tables of an SQLite store (``tasks``: ``solver sweep``; ``bench``: ``solver bench``).

    Raises
    ------
    StoreError
        ``not a solver store`` (not an SQLite file) or ``damaged`` (SQLite cannot read it, or
        its ``quick_check`` fails), exactly as :class:`solver.sweep.Store` does.
    """
    from .store import StoreError, _check_header

    path = Path(path)
    _check_header(path)
    try:
        con = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, timeout=30)
        try:
            check = [r[0] for r in con.execute("PRAGMA quick_check")]
            names = {r[0] for r in con.execute("SELECT name FROM sqlite_master "
                                               "WHERE type = 'table'")}
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError(path, "damaged", f"{type(exc).__name__}: {exc}") from None
    if check != ["ok"]:
        raise StoreError(path, "damaged", "quick_check: " + "; ".join(map(str, check[:2])))
    return names


def box_panels(panels: Sequence[tuple[str, Sequence[tuple[str, Any]]]], xlabel: str,
               ylabel: str, title: str, reference: float | None = 1.0) -> Any:
    """Box plots side by side: one panel per entry of ``panels``, one box per ``(label,
    values)`` of it, with the values jittered on top (non-finite values are not drawn).

    Parameters
    ----------
    panels
        ``(panel title, [(box label, values), ...])``; empty boxes are left out.
    xlabel, ylabel, title
        Axis labels (the x label under every panel) and the figure's title.
    reference
        A dashed horizontal line labelled OPT (``None``: none).

    Returns
    -------
    matplotlib.figure.Figure
    """
    drawn = [(name, [(lab, np.asarray(v, dtype=float)[np.isfinite(np.asarray(v, float))])
                     for lab, v in boxes]) for name, boxes in panels]
    drawn = [(name, [(lab, v) for lab, v in boxes if v.size]) for name, boxes in drawn]
    drawn = [(name, boxes) for name, boxes in drawn if boxes] or [("", [])]
    nbox = sum(len(b) for _, b in drawn)
    fig = new_figure(min(16.0, max(5.0, 0.8 * nbox + 1.6 * len(drawn) + 1.0)), 4.2)
    axes = fig.subplots(1, len(drawn), sharey=True, squeeze=False)[0]
    rng = np.random.default_rng(0)
    for ax, (name, boxes) in zip(axes, drawn, strict=True):
        if boxes:
            ax.boxplot([v for _, v in boxes], showfliers=False)
            for i, (_, v) in enumerate(boxes, start=1):
                ax.scatter(i + rng.uniform(-0.15, 0.15, v.size), v, s=8, alpha=0.5,
                           color="C0")
            labels = [lab for lab, _ in boxes]
            ax.set_xticks(range(1, len(boxes) + 1), labels,
                          rotation=20 if max(map(len, labels)) > 4 else 0)
        if reference is not None:
            ax.axhline(reference, color="k", lw=0.8, ls="--", label="OPT")
        ax.set_title(name)
        ax.set_xlabel(xlabel)
    axes[0].set_ylabel(ylabel)
    if reference is not None:
        axes[0].legend(fontsize=8)
    fig.suptitle(title)
    return fig


def _numeric(col: Any) -> Any:
    import pandas as pd

    try:
        return pd.to_numeric(col, errors="coerce")
    except (TypeError, ValueError):  # lists or dicts in the column
        return pd.Series(np.nan, index=col.index)


def size_names(df: Any, params_of: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """Per experiment, the name of what its records' ``size`` counts.

    The record's ``size_name`` field (one value) when there is one; else the parameter
    equal to ``size`` on every record of the experiment (at least two distinct sizes, so a
    coincidence cannot name it), else such a record field; else ``"size"``.
    """
    out: dict[str, str] = {}
    if "size" not in df.columns:
        return out
    for exp, g in df.groupby("experiment", sort=True):
        x = _numeric(g["size"])
        rows, x = g[x.notna()], x[x.notna()]
        out[str(exp)] = "size"
        if rows.empty:
            continue
        if SIZE_NAME_FIELD in rows.columns:
            named = rows[SIZE_NAME_FIELD].dropna().astype(str).unique()
            if len(named) == 1:
                out[str(exp)] = str(named[0])
                continue
        if x.nunique() < 2:
            continue
        params = set().union(*((params_of.get(k) or {}).keys() for k in rows["key"]))
        found = [c for c in rows.columns if c not in _META and not str(c).startswith("_")
                 and np.array_equal(_numeric(rows[c]).to_numpy(float), x.to_numpy(float))]
        pick = [c for c in found if c in params] or found
        if len(pick) == 1:
            out[str(exp)] = str(pick[0])
    return out


def _unproven_mask(d: Any) -> Any:
    """Rows whose record says OPT was not proven optimal (first of OPT_STATUS_FIELDS)."""
    import pandas as pd

    status = pd.Series(None, index=d.index, dtype=object)
    for c in reversed(OPT_STATUS_FIELDS):  # the first field wins where both are set
        if c in d.columns:
            status = d[c].where(d[c].map(lambda v: isinstance(v, str)), status)
    return status.map(lambda v: isinstance(v, str) and v not in PROVEN_STATUSES)


def _sense_of(d: Any) -> str | None:
    """The one ratio sense the records state (``None``: none, or several)."""
    if SENSE_FIELD not in d.columns:
        return None
    senses = d[SENSE_FIELD].dropna().astype(str).unique()
    return str(senses[0]) if len(senses) == 1 else None


def _group_col(df: Any) -> str:
    for c in ("algorithm", "method", "problem", "backend"):
        if c in df.columns and df[c].notna().any():
            return c
    return "experiment"


# ---------------------------------------------------------------------------- sections

def _summary(df: Any) -> list[str]:
    rows = []
    statuses = any(c in df.columns for c in OPT_STATUS_FIELDS)
    for exp, g in df.groupby("experiment", sort=True):
        ok = g[g.task_status == "ok"]
        rows.append([exp, len(g), len(ok),
                     *([int(_unproven_mask(ok).sum())] if statuses else []),
                     int((g.task_status == "error").sum()), g.seed.nunique(),
                     ", ".join(sorted(map(str, g.version.dropna().unique()))),
                     float(g.task_seconds.sum()), float(g.task_seconds.mean())])
    out = ["## Summary", "", md_table(["experiment", "tasks", "ok",
                                        *(["ok, OPT not proven"] if statuses else []),
                                        "errors", "seeds", "version", "task seconds (sum)",
                                        "mean"], rows), ""]
    if statuses:
        out += ["`ok, OPT not proven`: tasks that ran but whose record's "
                f"`{'` or `'.join(OPT_STATUS_FIELDS)}` is not `optimal` (e.g. a time limit).",
                ""]
    err = df[df.task_status == "error"]
    if len(err):
        first = err.error.fillna("").map(lambda s: s.splitlines()[0] if s else "")
        counts = first.groupby([err.experiment, first]).size().sort_values(ascending=False)
        out += ["### Errors", "", md_table(["experiment", "error", "tasks"],
                                           [[e, m, n] for (e, m), n in counts.head(10).items()]),
                ""]
    return out


def _ratio_keys(d: Any, names: Mapping[str, str], by: Sequence[str] | None
                ) -> list[tuple[str, str]]:
    """``(column, header)`` of the size columns the ratio table groups by."""
    if by:
        missing = [b for b in by if b not in d.columns]
        if missing:
            raise InstanceError("by", f"no column {', '.join(missing)} in the ratio records "
                                      f"(they have {', '.join(map(str, d.columns))})")
        return [(b, b) for b in by]
    if "size" not in d.columns or _numeric(d["size"]).nunique() < 2:
        return []
    used = {names.get(str(e), "size") for e in d["experiment"].unique()}
    return [("size", used.pop() if len(used) == 1 else "size")]


def _ratios(df: Any, out: Path, params_of: Mapping[str, Mapping[str, Any]] | None = None,
            by: Sequence[str] | None = None) -> list[str]:
    if "ratio" not in df.columns:
        return []
    d = df[df.task_status == "ok"].copy()
    d["ratio"] = _num(d, "ratio")
    d = d[d.ratio.notna()]
    if d.empty:
        return []
    unproven = _unproven_mask(d)
    n_unproven = int(unproven.sum())
    d = d[~unproven]
    if d.empty:
        return ["## Approximation ratios against OPT", "",
                f"No ratio against a proven OPT: all {n_unproven} ratio(s) were taken against "
                "an OPT not proven optimal and are left out.", ""]
    gcol = "algorithm" if "algorithm" in d.columns and d.algorithm.notna().any() else "experiment"
    names = size_names(df, params_of or {})
    keys = _ratio_keys(d, names, by)
    sense = _sense_of(d)
    with_sense = sense is None and SENSE_FIELD in d.columns
    several = gcol != "experiment" and d["experiment"].nunique() > 1
    cols = [*(["experiment"] if several else []), gcol, *([SENSE_FIELD] if with_sense else []),
            *(c for c, _ in keys)]
    groups = []
    for k, g in d.groupby(cols, sort=False, dropna=False):
        k = k if isinstance(k, tuple) else (k,)
        groups.append((k, g.ratio.to_numpy(float)))
    groups.sort(key=lambda kv: tuple(sort_key(v) for v in kv[0]))
    rows = [[*k, v.size, v.min(), np.median(v), v.mean(), np.quantile(v, UPPER_QUANTILE),
             v.max()] for k, v in groups]
    what = f"ratio {sense}" if sense else "ratio"
    size_hdr = ", ".join(h for _, h in keys)
    panels: dict[str, list[tuple[str, Any]]] = {}
    n_id = len(cols) - len(keys)  # the columns naming a panel (or a box, without keys)
    for k, v in groups:
        ident = " · ".join(map(str, k[:n_id]))
        panel = ident if keys else ""
        label = ", ".join(map(str, k[n_id:])) if keys else ident
        panels.setdefault(panel, []).append((label, v))
    fig = box_panels(list(panels.items()), size_hdr if keys else gcol, f"{what} to OPT",
                     f"Approximation {what} against OPT"
                     + (f" per {gcol} × {size_hdr}" if keys else ""))
    name = _save(fig, out, "ratios.png")
    note = ("`ratios`: how many ratios the row aggregates (one per task record with a "
            "ratio); the other columns are statistics of those ratios"
            + (f", {sense} (≥ 1; 1 = optimal)" if sense else "") + ".")
    used = {e: names.get(str(e), "size") for e in sorted(d["experiment"].unique())}
    if keys and keys[0][0] == "size" and len(set(used.values())) > 1:
        note += " What `size` counts: " + "; ".join(f"{e}: {n}" for e, n in used.items()) + "."
    if n_unproven or any(c in d.columns for c in OPT_STATUS_FIELDS):
        note += (f" {n_unproven} ratio(s) against an OPT not proven optimal (record "
                 f"`{'` or `'.join(OPT_STATUS_FIELDS)}` other than `optimal`) are left out.")
    heading = (f"## Approximation ratios against OPT ({sense})" if sense
               else "## Approximation ratios against OPT")
    return [heading, "",
            md_table([*cols[:n_id], *(h for _, h in keys), "ratios", "min",
                      "median", "mean", f"p{round(100 * UPPER_QUANTILE)}", "max"], rows), "",
            note, "", f"![ratios]({name})", ""]


def _bench_problem(instance: Mapping[str, Any], algorithm: Any) -> str | None:
    """The bench problem under which ``algorithm`` replays ``instance`` (``None``: none)."""
    if not isinstance(algorithm, str) or not isinstance(instance, Mapping):
        return None
    from ..bench import algorithms, evaluators

    problem = instance.get("problem")
    if problem not in evaluators() or algorithm not in algorithms(str(problem)):
        return None
    return str(problem)


def _worst(df: Any, out: Path, params_of: Mapping[str, Mapping[str, Any]],
           top: int = 3) -> list[str]:
    if "instance" not in df.columns:
        return []
    d = df[df.instance.map(lambda v: isinstance(v, dict))].copy()
    if d.empty:
        return []
    if "ratio" in d.columns:
        d["_rank"] = _num(d, "ratio").fillna(-np.inf)
    else:
        d["_rank"] = 0.0
    if "claim_status" in d.columns:
        d["_rank"] += np.where(d.claim_status == "FAIL", 1e300, 0.0)
    label = _group_col(d) if "claim" not in d.columns else "claim"
    d["_inst"] = d.instance.map(lambda v: json.dumps(v, sort_keys=True, default=str))
    picked = (d.sort_values("_rank", ascending=False, kind="stable")
              .drop_duplicates("_inst")
              .groupby(label, sort=True).head(top).head(MAX_WORST))
    wdir = out / "worst"
    wdir.mkdir(exist_ok=True)
    for old in wdir.glob("*.json"):  # files of an earlier report of this directory
        old.unlink()
    rows = []
    for _, r in picked.iterrows():
        tag = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in str(r[label]))
        fname = f"{tag}-{r.key[:8]}.json"
        alg = r.get("algorithm") if "algorithm" in d.columns else None
        problem = _bench_problem(r.instance, alg)
        if problem is not None:  # replayable with the algorithm: ALG, OPT and the ratio
            meta = {"problem": problem, "algorithm": str(alg), "seed": int(r.seed),
                    "ratio": r.get("ratio"), "experiment": r.get("experiment")}
            body: Any = {"bench": meta, "instance": r.instance}
            cmd = f"`solver bench --rerun worst/{fname}`"
        else:
            body, cmd = r.instance, f"`solver solve worst/{fname}`"
        (wdir / fname).write_text(json.dumps(body, indent=1, default=str) + "\n")
        summary = r.get("worst_case", "") if "worst_case" in d.columns else ""
        ratio = r.get("ratio") if "ratio" in d.columns else None
        params = ", ".join(f"{k}={v}" for k, v in (params_of.get(r.key) or {}).items()
                           if k not in ("instance", "instance_sha"))
        rows.append([r[label], ratio, summary, params, r.seed, cmd])
    sense = _sense_of(d) if "ratio" in d.columns else None
    return ["## Worst cases found", "",
            "Each instance is written to `worst/`; rerun it with the command shown: "
            "`solver bench --rerun` where the record's algorithm is a registered one of its "
            "problem (it prints the algorithm's value, the certified OPT and the ratio), "
            "else `solver solve` (OPT only; the algorithm's value and the ratio are the "
            "record's).", "",
            md_table([label, f"ratio {sense}" if sense else "ratio", "summary", "params",
                      "seed", "rerun"], rows, whole=(5,)), ""]


def _scaling(df: Any, out: Path,
             params_of: Mapping[str, Mapping[str, Any]] | None = None) -> list[str]:
    if "size" not in df.columns:
        return []
    d = df[df.task_status == "ok"].copy()
    tcol = "seconds" if "seconds" in d.columns and _num(d, "seconds").notna().any() \
        else "task_seconds"
    d["_x"] = _num(d, "size")
    d["_y"] = _num(d, tcol)
    d = d[(d._x > 0) & (d._y > 0)]
    if d.empty or d._x.nunique() < 2:
        return []
    gcol = _group_col(d)
    names = size_names(d, params_of or {})
    used = sorted(set(names.values()))
    what = "; ".join(f"{e}: {n}" for e, n in names.items())
    short = used[0] if len(used) == 1 else "size"
    xname = short if len(used) == 1 else f"size ({what})"
    fig = new_figure()
    ax = fig.add_subplot()
    rows = []
    for i, (k, g) in enumerate(d.groupby(gcol, sort=True)):
        x, y = np.log(g._x.to_numpy(float)), np.log(g._y.to_numpy(float))
        ax.scatter(g._x, g._y, s=10, alpha=0.6, color=f"C{i % 10}")
        if np.unique(x).size >= 2:
            slope, icpt = np.polyfit(x, y, 1)
            xs = np.linspace(x.min(), x.max(), 50)
            ax.plot(np.exp(xs), np.exp(icpt + slope * xs), color=f"C{i % 10}",
                    label=f"{k}: slope {slope:.2f}")
        else:
            slope = float("nan")
            ax.plot([], [], color=f"C{i % 10}", label=str(k))
        rows.append([k, len(g), g._x.min(), g._x.max(), slope])
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(xname)
    ax.set_ylabel(f"{tcol} (s)")
    ax.set_title(f"Scaling: time against {short} (log-log)")
    ax.legend(fontsize=8)
    name = _save(fig, out, "scaling.png")
    return [f"## Scaling: time against {short}", "",
            f"Slope = least-squares fit of log(time) on log({short}): time ≈ C · "
            f"{short}^slope." + ("" if len(used) == 1 else f" What size counts: {what}."), "",
            md_table([gcol, "tasks", f"min {short}", f"max {short}", "slope"], rows), "",
            f"![scaling]({name})", ""]


def _figure2(df: Any, out: Path) -> list[str]:
    d = df[(df.experiment == "sampling.figure2") & (df.task_status == "ok")]
    if d.empty:
        return []
    lines = ["## Pricing Private Data, Figure 2: ordering distribution", "",
             "Left: buyers' demand histogram. Right: number of buyers that sample a seller "
             "as a function of his position in the uniformly random ordering (each position "
             "has probability 1/n').", ""]
    seen = set()
    for _, r in d.iterrows():
        tag = str(r.get("case")) if isinstance(r.get("case"), str) else r.key[:8]
        if tag in seen:
            continue
        seen.add(tag)
        fig = new_figure(9.0, 3.4)
        a1, a2 = fig.subplots(1, 2)
        sizes, counts = np.asarray(r.demand_sizes), np.asarray(r.demand_counts)
        a1.bar(sizes, counts, width=0.6 * (np.min(np.diff(sizes)) if sizes.size > 1 else 50),
               color="C0")
        a1.set_xlabel("sample size requested $d_b$")
        a1.set_ylabel("number of buyers")
        a1.set_xticks(sizes)
        a1.set_title("(i) demand histogram")
        bands = np.asarray(r.bands)
        xs = np.concatenate([[b[0] - 1, b[1]] for b in bands])
        ys = np.repeat(bands[:, 2], 2)
        a2.plot(xs, ys, color="C1", lw=2)
        a2.fill_between(xs, ys, alpha=0.2, color="C1")
        a2.set_xlabel(f"position in the ordering (n' = {int(r.n)})")
        a2.set_ylabel("times sampled $k_j$")
        a2.set_ylim(0, max(ys.max() * 1.1, 1))
        a2.set_xlim(0, int(r.n))
        a2.set_title("(ii) sampling of the ordering distribution")
        fig.suptitle(f"Figure 2({tag}): m = {int(r.m)} buyers")
        name = _save(fig, out, f"figure2-{tag}.png")
        pk = r.p_k if isinstance(r.p_k, dict) else {}
        lines += [f"### Figure 2({tag})", "",
                  md_table(["k (buyers sampling the seller)", "p(k)"],
                           sorted(((int(k), v) for k, v in pk.items()), reverse=True)), "",
                  f"Mean count Σ k p(k) = {float(r.mean_count):.4g} (= Σ_b d_b / n', "
                  "Lemma 4.2).", "", f"![figure 2({tag})]({name})", ""]
    return lines


def _theorem51(df: Any, out: Path) -> list[str]:
    d = df[(df.experiment == "sampling.theorem51-ratio") & (df.task_status == "ok")]
    if d.empty or "ratio" not in d.columns:
        return []
    cols = [c for c in ("ratio", "ratio_A", "ratio_B") if c in d.columns]
    agg = d.assign(**{c: _num(d, c) for c in cols}).groupby("n")[cols].max().sort_index()
    from matplotlib.ticker import ScalarFormatter

    labels = {"ratio": "Π(ψ*)/Π^OPT", "ratio_A": "instance A: π(k) = min{k, n}",
              "ratio_B": "instance B: π(k) = max{k, n}"}
    fig = new_figure()
    ax = fig.add_subplot()
    drawn = [c for c in cols if c != "ratio"] or ["ratio"]
    for i, c in enumerate(drawn):
        ax.plot(agg.index, agg[c], marker="o", color=f"C{i}", label=labels[c])
    ax.axhline(2.0, color="k", ls="--", lw=0.8, label="2 (Theorem 5.1)")
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(ScalarFormatter())
    ax.xaxis.set_minor_formatter(ScalarFormatter())
    ax.tick_params(axis="x", which="minor", labelsize=7)
    ax.set_xlabel("n (sellers)")
    ax.set_ylabel("Π(ψ*) / Π^OPT (ordering distribution)")
    ax.set_title("Theorem 5.1: the oblivious ψ* loses a factor → 2")
    ax.legend()
    name = _save(fig, out, "theorem51.png")
    return ["## Pricing Private Data, Theorem 5.1: ratio as n grows", "",
            md_table(["n", *cols], [[int(n), *row] for n, row in zip(agg.index,
                                                                     agg.to_numpy(),
                                                                     strict=True)]),
            "", f"![theorem 5.1]({name})", ""]


def write_report(store: str | Path, out: str | Path, by: Sequence[str] | None = None,
                 top: int = 3) -> Path:
    """Write ``report.md`` (and its figures, worst-case files) into ``out``; return its path.

    Parameters
    ----------
    store
        A store of ``solver sweep`` (table ``tasks``) or of ``solver bench --store`` (table
        ``bench``: :func:`solver.bench.report.write_report` writes the report), or both.
    out
        The report's directory (created).
    by
        Columns to group the ratio table by, beside the algorithm (default: the records'
        ``size`` when it varies; for a bench store, every varying numeric parameter).
    top
        Worst cases listed per algorithm.

    Raises
    ------
    StoreError
        Not a solver store, or damaged (nothing is written).
    InstanceError
        A ``by`` column that is not in the records.
    """
    from .store import Store, load

    out = Path(out)
    if top < 1:
        raise InstanceError("top", f"must be >= 1, got {top}")
    tables = store_tables(store)
    if "bench" in tables and "tasks" not in tables:
        from ..bench.report import write_report as bench_report

        return bench_report(store, out, by=by, top=top).path or out / "report.md"
    df = load(store)  # a damaged or foreign store is refused before anything is written
    with Store(store, readonly=True) as st:
        params_of = {r["key"]: r["params"] for r in st.rows()}
    bench_df = None
    known = set(map(str, df.columns))
    if "bench" in tables:  # both tables in one file: the bench sections follow
        from ..bench.report import load_store, param_names

        bench_df = load_store(store)
        known |= set(param_names(bench_df))
    missing = [b for b in by or () if b not in known]
    if missing:
        raise InstanceError("by", f"no column {', '.join(missing)} in the store's records")
    out.mkdir(parents=True, exist_ok=True)
    bench_lines: list[str] = []
    if bench_df is not None:
        from ..bench.report import report_lines

        bench_lines = report_lines(bench_df, out, by=[b for b in by or ()
                                                      if b in param_names(bench_df)] or None,
                                   top=top).lines
    sweep_by = [b for b in by or () if b in df.columns] or None
    lines = [f"# Sweep report: `{Path(store).name}`", "",
             f"{len(df)} tasks from {df.experiment.nunique()} experiment(s).", ""]
    if len(df):
        lines += _summary(df)
        lines += _ratios(df, out, params_of, sweep_by)
        lines += _worst(df, out, params_of, top)
        lines += _scaling(df, out, params_of)
        for section in (_figure2, _theorem51):
            lines += section(df, out)
    if bench_lines:
        lines += ["# Bench rows (`solver bench --store`)", "", *bench_lines]
    path = out / "report.md"
    path.write_text("\n".join(lines) + "\n")
    return path
