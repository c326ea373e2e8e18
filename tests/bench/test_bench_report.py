"""solver.bench.summary and `solver report` on a bench store (issue #14 item 5).

One small store (pricing.random, N in 3/5/6, 2 seeds, two algorithms, a few seconds), plus
a forced unproven task (the evaluator's solve patched to stop on a time limit); its reports
are checked against pandas computations on the stored rows.
"""

from __future__ import annotations

import dataclasses
import math
import re
import sqlite3
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import solver.bench as B
from solver.bench import report as R
from solver.cli import app
from solver.errors import InstanceError

#: Agreement of a report number with pandas: the table prints 6 significant digits.
PRINTED_REL = 5e-6
#: Agreement of a replayed ratio with the stored one.
RATIO_REL = 1e-9
#: A ratio written by hand into an unproven row: it must never show in the statistics.
POISON = 50.0
ALGS = ["single-price", "k-types"]
SIZES = [3, 5, 6]
runner = CliRunner()


def _unproven_solve(solve):
    def patched(inst, time_limit):
        opt = solve(inst, time_limit)  # the real optimum, reported as not proven
        return B.Opt("time_limit", opt.objective, opt.objective * 1.1, "patched")
    return patched


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("bench") / "runs.sqlite"
    t0, c0 = time.perf_counter(), time.process_time()
    B.run("pricing", ALGS, "pricing.random", {"B": [4], "N": SIZES}, seeds=2, store=path)
    ev = B.get_evaluator("pricing")
    B.register_evaluator(dataclasses.replace(ev, solve=_unproven_solve(ev.solve)))
    try:  # one more instance (seed 2, N = 5) whose OPT is "not proven"
        B.run("pricing", ALGS, "pricing.random", {"B": [4], "N": [5]}, seeds=[2], store=path)
    finally:
        B.register_evaluator(ev)
    with sqlite3.connect(path) as db:  # ... and a ratio written into one of its rows by hand
        n = db.execute("UPDATE bench SET ratio = ? WHERE status = 'unproven' AND "
                       "algorithm = 'single-price'", (POISON,)).rowcount
    assert n == 1
    print(f"store: {time.perf_counter() - t0:.2f} s wall, {time.process_time() - c0:.2f} s CPU")
    return path


@pytest.fixture(scope="module")
def report(store, tmp_path_factory):
    out = tmp_path_factory.mktemp("rep")
    return R.write_report(store, out, top=2), out


def _table(md: str, heading_start: str) -> pd.DataFrame:
    """The first Markdown table after the heading starting with ``heading_start``."""
    part = md[md.index(heading_start):]
    lines = [ln for ln in part.splitlines() if ln.startswith("|")]
    end = next((i for i in range(1, len(lines)) if lines[i].startswith("| algorithm")),
               len(lines))  # the next table starts with its own header
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    rows = [[c.strip() for c in ln.strip("|").split("|")] for ln in lines[2:end]
            if not ln.startswith("|---")]
    rows = [r for r in rows if len(r) == len(header)]
    return pd.DataFrame(rows, columns=header)


def _expected(df: pd.DataFrame) -> dict[tuple[str, int], dict[str, float]]:
    out = {}
    for (alg, n), g in df.groupby(["algorithm", "param.N"]):
        ok = g.loc[g["status"] == "ok", "ratio"]
        out[(alg, int(n))] = {"ratios": ok.size, "median": ok.median(),
                              "p95": ok.quantile(0.95), "max": ok.max(),
                              "unproven": int((g["status"] == "unproven").sum())}
    return out


def test_report_table_equals_pandas(report, store):
    rep, out = report
    md = (out / "report.md").read_text()
    table = _table(md, "### Ratio OPT/ALG of the revenue per algorithm × N")
    want = _expected(B.load(store))
    assert len(table) == len(ALGS) * len(SIZES) == len(want)
    for r in table.to_dict("records"):
        exp = want[(r["algorithm"], int(r["N"]))]
        assert int(r["ratios"]) == exp["ratios"]
        assert int(r["unproven"]) == exp["unproven"]
        for col in ("median", "p95", "max"):
            assert float(r[col]) == pytest.approx(exp[col], rel=PRINTED_REL), (r, col)
    assert sorted(int(n) for n in table["N"][table["algorithm"] == ALGS[0]]) == SIZES


def test_unproven_rows_are_counted_not_averaged(report, store):
    rep, out = report
    md = (out / "report.md").read_text()
    assert "Unproven rows never enter them: 2 unproven row(s)" in md
    s = B.summary(B.load(store))
    row = s[(s["algorithm"] == "single-price") & (s["N"] == 5)].iloc[0]
    assert row["count"] == 2 and row["unproven"] == 1
    assert row["max"] < POISON  # the hand-written ratio of the unproven row stays out
    assert (s["max"] < POISON).all() and s["count"].sum() == len(ALGS) * len(SIZES) * 2
    assert rep.tables["pricing/pricing.random"]["unproven"].sum() == 2


def test_titles_state_sense_and_objective_and_x_axis_is_the_parameter(report):
    rep, out = report
    ratios = rep.figures["bench-pricing.random-ratios.png"]
    scaling = rep.figures["bench-pricing.random-scaling.png"]
    for fig in (ratios, scaling):
        assert "OPT/ALG" in fig.get_suptitle() and "revenue" in fig.get_suptitle()
        assert (out / next(k for k, v in rep.figures.items() if v is fig)).stat().st_size > 5000
    assert [ax.get_xlabel() for ax in scaling.axes] == ["N"]
    assert {ax.get_xlabel() for ax in ratios.axes} == {"N"}
    assert sorted(ax.get_title() for ax in ratios.axes) == sorted(ALGS)
    md = (out / "report.md").read_text()
    headings = [ln for ln in md.splitlines() if ln.startswith("## ") or ln.startswith("### ")]
    assert headings and all("OPT/ALG" in h for h in headings), headings


def test_sampling_rows_give_alg_over_opt(tmp_path):
    df = B.run("sampling", ["ordering", "independent"], "sampling.random",
               {"n_max": [3, 6], "m_max": [4]}, seeds=2)
    rep = R.write_report(df, tmp_path)
    fig = rep.figures["bench-sampling.random-ratios.png"]
    assert "ALG/OPT" in fig.get_suptitle() and "expected payment" in fig.get_suptitle()
    assert [ax.get_xlabel() for ax in rep.figures["bench-sampling.random-scaling.png"].axes
            ] == ["n_max"]


def test_worst_cases_replay_through_the_cli(report, store):
    rep, out = report
    md = (out / "report.md").read_text()
    assert len(rep.worst) == 2 * len(ALGS)  # top 2 per algorithm
    stored = B.load(store)
    for w in rep.worst:
        assert w["file"] is not None and Path(w["file"]).parent == out
        assert f"`{w['command']}`" in md
        assert w["command"] == f"solver bench --rerun {w['file']}"
        r = runner.invoke(app, w["command"].split()[1:])
        assert r.exit_code == 0, r.output
        got = dict(line.split(": ", 1) for line in r.stdout.splitlines())
        assert float(got["ratio (OPT/ALG)"]) == pytest.approx(w["ratio"], rel=RATIO_REL)
        assert got["algorithm"] == w["algorithm"]
    for alg in ALGS:  # the listed ones are the largest proven ratios of each algorithm
        ok = stored[(stored["algorithm"] == alg) & (stored["status"] == "ok")]
        top = sorted(ok["ratio"], reverse=True)[:2]
        assert [w["ratio"] for w in rep.worst if w["algorithm"] == alg] == pytest.approx(top)


def test_cli_report_of_a_bench_store(store, tmp_path):
    out = tmp_path / "rep"
    r = runner.invoke(app, ["report", str(store), "--out", str(out), "--by", "N,B",
                            "--top", "1"])
    assert r.exit_code == 0, r.output
    assert r.stdout.strip() == str(out / "report.md")
    md = (out / "report.md").read_text()
    assert "per algorithm × N × B" in md and len(list(out.glob("worst-*.json"))) == len(ALGS)
    bad = tmp_path / "bad"
    r = runner.invoke(app, ["report", str(store), "--out", str(bad), "--by", "nope"])
    assert r.exit_code == 2 and "error: by: no parameter 'nope'" in r.stderr
    assert not bad.exists()


def test_summary_groups_by_a_list_or_every_varying_parameter(store):
    df = B.load(store)
    default = B.summary(df)
    assert list(default.columns) == ["algorithm", "sense", "N", *R.STAT_COLUMNS]
    assert default.equals(B.summary(df, by=["N"])) and default.equals(B.summary(df, "param.N"))
    two = B.summary(df, by=["N", "B"])
    assert list(two.columns[:4]) == ["algorithm", "sense", "N", "B"] and len(two) == len(default)
    alone = B.summary(df, by=[])
    assert list(alone["algorithm"]) == sorted(ALGS)
    ok = df[df["status"] == "ok"]
    for r in alone.to_dict("records"):
        mine = ok.loc[ok["algorithm"] == r["algorithm"], "ratio"]
        assert r["count"] == mine.size and r["median"] == pytest.approx(mine.median())
        assert r["p95"] == pytest.approx(mine.quantile(0.95))
    with pytest.raises(InstanceError, match="by"):
        B.summary(df, by="nope")


def test_summary_of_an_empty_run_and_of_missing_parameters():
    s = B.summary(B.runner.frame([]))
    assert s.empty and list(s.columns) == ["algorithm", "sense", *R.STAT_COLUMNS]
    df = B.run("pricing", ["single-price"], "pricing.random", {"N": [3]}, seeds=1)
    full = R.with_defaults(df)  # the family's defaults for what the grid left out
    assert full["params"].iloc[0] == {"B": 5, "N": 3, "kind": "uniform"}
    assert math.isfinite(B.summary(df)["max"].iloc[0])


def test_a_file_with_both_tables_gets_both_reports(tmp_path):
    from solver.sweep import run_sweep

    path = tmp_path / "both.sqlite"
    run_sweep("bench.spin", {"ms": [0]}, store=path, workers=0, progress=False)
    B.run("pricing", ["single-price"], "pricing.random", {"N": [3, 4]}, seeds=1, store=path)
    r = runner.invoke(app, ["report", str(path), "--out", str(tmp_path / "r")])
    assert r.exit_code == 0, r.output
    md = (tmp_path / "r" / "report.md").read_text()
    assert "# Sweep report" in md and "# Bench rows" in md
    assert re.search(r"\| single-price \| 3 \| 1 \|", md)


def test_a_foreign_bench_table_is_refused(tmp_path):
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE bench (a, b)")
    r = runner.invoke(app, ["report", str(path), "--out", str(tmp_path / "r")])
    assert r.exit_code == 2 and "error: store: not a solver store" in r.stderr
    assert "columns a, b" in r.stderr and not (tmp_path / "r").exists()


def test_cli_bench_prints_a_summary_over_proven_rows():
    from typer.testing import CliRunner

    from solver.cli import app

    r = CliRunner().invoke(app, ["bench", "sampling", "--algorithm", "ordering", "--family",
                                 "sampling.theorem-5.1", "--grid", '{"n": [3, 4]}'],
                           terminal_width=200)
    assert r.exit_code == 0, r.output
    assert "summary: ratio ALG/OPT over proven rows" in r.output
    # one summary row per algorithm x n, each with count 1 and its ratio as the max
    assert "1.26667" in r.output and "1.375" in r.output
