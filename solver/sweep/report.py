"""``solver report STORE``: a Markdown report with tables and PNG figures.

Sections appear when the store holds the data they need:

* summary per experiment (tasks, ok, errors, versions, time) and the errors met;
* approximation ratios per algorithm against OPT (records with ``ratio`` and
  ``algorithm``): table and box plot;
* worst cases (records with an ``instance`` dict): each written to ``worst/*.json`` so that
  ``solver solve worst/FILE.json`` reruns it;
* scaling (records with ``size`` and ``seconds``): time against size, log-log, with the
  least-squares slope of log time on log size per algorithm/problem;
* Pricing Private Data: Figure 2 (a)/(b) from ``sampling.figure2`` records and the
  Theorem 5.1 ratio as n grows from ``sampling.theorem51-ratio`` records.

Figures are drawn with matplotlib's Agg canvas directly (no global backend switch).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

MAX_WORST = 20


# ---------------------------------------------------------------------------- helpers

def _fmt(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, float | np.floating):
        return f"{float(v):.6g}"
    s = str(v).replace("|", "\\|").replace("\n", " ")
    return s if len(s) <= 80 else s[:77] + "..."


def md_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A GitHub-flavoured Markdown table."""
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(_fmt(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def _figure(w: float = 6.4, h: float = 4.0) -> Any:
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


def _group_col(df: Any) -> str:
    for c in ("algorithm", "method", "problem", "backend"):
        if c in df.columns and df[c].notna().any():
            return c
    return "experiment"


# ---------------------------------------------------------------------------- sections

def _summary(df: Any) -> list[str]:
    rows = []
    for exp, g in df.groupby("experiment", sort=True):
        rows.append([exp, len(g), int((g.task_status == "ok").sum()),
                     int((g.task_status == "error").sum()), g.seed.nunique(),
                     ", ".join(sorted(map(str, g.version.dropna().unique()))),
                     float(g.task_seconds.sum()), float(g.task_seconds.mean())])
    out = ["## Summary", "", md_table(["experiment", "tasks", "ok", "errors", "seeds",
                                        "version", "task seconds (sum)", "mean"], rows), ""]
    err = df[df.task_status == "error"]
    if len(err):
        first = err.error.fillna("").map(lambda s: s.splitlines()[0] if s else "")
        counts = first.groupby([err.experiment, first]).size().sort_values(ascending=False)
        out += ["### Errors", "", md_table(["experiment", "error", "tasks"],
                                           [[e, m, n] for (e, m), n in counts.head(10).items()]),
                ""]
    return out


def _ratios(df: Any, out: Path) -> list[str]:
    if "ratio" not in df.columns:
        return []
    d = df[df.task_status == "ok"].copy()
    d["ratio"] = _num(d, "ratio")
    d = d[d.ratio.notna()]
    if d.empty:
        return []
    gcol = "algorithm" if "algorithm" in d.columns and d.algorithm.notna().any() else "experiment"
    groups = [(str(k), g.ratio.to_numpy()) for k, g in d.groupby(gcol, sort=True)]
    rows = [[k, v.size, v.min(), np.median(v), v.mean(), np.quantile(v, 0.95), v.max()]
            for k, v in groups]
    fig = _figure(max(5.0, 1.2 * len(groups) + 2), 4.0)
    ax = fig.add_subplot()
    ax.boxplot([v for _, v in groups], showfliers=False)
    rng = np.random.default_rng(0)
    for i, (_, v) in enumerate(groups, start=1):
        ax.scatter(i + rng.uniform(-0.15, 0.15, v.size), v, s=8, alpha=0.5, color="C0")
    ax.set_xticks(range(1, len(groups) + 1), [k for k, _ in groups], rotation=20)
    ax.axhline(1.0, color="k", lw=0.8, ls="--", label="OPT")
    ax.set_ylabel("ratio to OPT")
    ax.set_title("Approximation ratio against OPT")
    ax.legend()
    name = _save(fig, out, "ratios.png")
    return ["## Approximation ratios against OPT", "",
            md_table([gcol, "n", "min", "median", "mean", "p95", "max"], rows), "",
            f"![ratios]({name})", ""]


def _worst(df: Any, out: Path, params_of: dict[str, dict[str, Any]]) -> list[str]:
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
              .groupby(label, sort=True).head(3).head(MAX_WORST))
    wdir = out / "worst"
    wdir.mkdir(exist_ok=True)
    for old in wdir.glob("*.json"):  # files of an earlier report of this directory
        old.unlink()
    rows = []
    for _, r in picked.iterrows():
        tag = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in str(r[label]))
        fname = f"{tag}-{r.key[:8]}.json"
        (wdir / fname).write_text(json.dumps(r.instance, indent=1) + "\n")
        summary = r.get("worst_case", "") if "worst_case" in d.columns else ""
        ratio = r.get("ratio") if "ratio" in d.columns else None
        params = ", ".join(f"{k}={v}" for k, v in (params_of.get(r.key) or {}).items()
                           if k not in ("instance", "instance_sha"))
        rows.append([r[label], ratio, summary, params, r.seed,
                     f"`solver solve worst/{fname}`"])
    return ["## Worst cases found", "",
            "Each instance is written to `worst/`; rerun it with the command shown.", "",
            md_table([label, "ratio", "summary", "params", "seed", "rerun"], rows), ""]


def _scaling(df: Any, out: Path) -> list[str]:
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
    fig = _figure()
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
    ax.set_xlabel("size")
    ax.set_ylabel(f"{tcol} (s)")
    ax.set_title("Scaling: time against size (log-log)")
    ax.legend(fontsize=8)
    name = _save(fig, out, "scaling.png")
    return ["## Scaling", "",
            "Slope = least-squares fit of log(time) on log(size): time ≈ C · size^slope.", "",
            md_table([gcol, "tasks", "min size", "max size", "slope"], rows), "",
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
        fig = _figure(9.0, 3.4)
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
    fig = _figure()
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


def write_report(store: str | Path, out: str | Path) -> Path:
    """Write ``report.md`` (and its figures, worst-case files) into ``out``; return its path."""
    from .store import Store, load

    out = Path(out)
    df = load(store)  # a damaged or foreign store is refused before anything is written
    with Store(store, readonly=True) as st:
        params_of = {r["key"]: r["params"] for r in st.rows()}
    out.mkdir(parents=True, exist_ok=True)
    lines = [f"# Sweep report: `{Path(store).name}`", "",
             f"{len(df)} tasks from {df.experiment.nunique()} experiment(s).", ""]
    if len(df):
        lines += _summary(df)
        lines += _ratios(df, out)
        lines += _worst(df, out, params_of)
        for section in (_scaling, _figure2, _theorem51):
            lines += section(df, out)
    path = out / "report.md"
    path.write_text("\n".join(lines) + "\n")
    return path
