"""solver report: sections, figures, worst-case files that `solver solve` reruns, slopes."""

from __future__ import annotations

import json
import re
import time

from typer.testing import CliRunner

from solver.cli import app, solve_file
from solver.sweep import Store, run_sweep

from . import toy


def _theorem51_rows():
    # synthetic records in the shape of the sampling.theorem51-ratio experiment
    return [{"key": f"t{n}", "experiment": "sampling.theorem51-ratio", "params": f'{{"n":{n}}}',
             "seed": 0, "version": "0", "status": "ok", "error": None,
             "record": f'{{"n": {n}, "ratio": {2 - 1 / n}}}', "started": time.time(),
             "seconds": 0.01, "host": "h"} for n in (2, 4, 8, 16)]


def test_report_sections_figures_and_worst_cases(tmp_path):
    store = tmp_path / "s.sqlite"
    run_sweep("sweeptest.ratio", {"algorithm": ["greedy", "random"],
                                  "size": [10, 20, 40, 80]}, seeds=3, store=store,
              workers=0, progress=False)
    run_sweep("sampling.figure2", {"case": ["a", "b"]}, store=store, workers=0,
              progress=False)
    run_sweep("bench.spin", [{"fail": True}], store=store, workers=0, progress=False)
    with Store(store) as st:
        st.add(_theorem51_rows())
    out = tmp_path / "rep"
    r = CliRunner().invoke(app, ["report", str(store), "--out", str(out)])
    assert r.exit_code == 0, r.output
    md = (out / "report.md").read_text()
    for heading in ("## Summary", "### Errors", "## Approximation ratios against OPT",
                    "## Worst cases found", "## Scaling", "### Figure 2(a)", "### Figure 2(b)",
                    "## Pricing Private Data, Theorem 5.1"):
        assert heading in md, heading
    for png in ("ratios.png", "scaling.png", "figure2-a.png", "figure2-b.png",
                "theorem51.png"):
        assert (out / png).stat().st_size > 5000, png
        assert f"]({png})" in md
    # Figure 2(a): positions 1-100 sampled by all 200 buyers, 101-200 by 150 (Section 4.3)
    assert "| 200 | 0.1 |" in md and "| 150 | 0.1 |" in md and "| 0 | 0.8 |" in md
    # scaling: the synthetic time is 1e-6 size^1.5, so both slopes are 1.5
    slopes = re.findall(r"\| (greedy|random) \| 12 \| 10 \| 80 \| ([0-9.]+) \|", md)
    assert [(a, round(float(s), 3)) for a, s in slopes] == [("greedy", 1.5), ("random", 1.5)]
    # worst cases: the largest ratios, each rerunnable with `solver solve`
    files = sorted((out / "worst").glob("*.json"))
    assert 2 <= len(files) <= 6
    for f in files:
        res = solve_file(f)
        assert res["problem"] == toy.TOY_PROBLEM and res["status"] == "optimal"
        assert f"`solver solve worst/{f.name}`" in md


def test_report_missing_store(tmp_path):
    r = CliRunner().invoke(app, ["report", str(tmp_path / "none.sqlite")])
    assert r.exit_code == 2 and "no such sweep store" in r.output


def _ratio_rows(experiment, records, params):
    return [{"key": f"{experiment}-{i}", "experiment": experiment, "params": json.dumps(p),
             "seed": i, "version": "0", "status": "ok", "error": None,
             "record": json.dumps(r), "started": time.time(), "seconds": 0.01, "host": "h"}
            for i, (r, p) in enumerate(zip(records, params, strict=True))]


def _md_table(md, heading):
    lines = md[md.index(heading):].split("\n\n", 2)[1].splitlines()
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    return [dict(zip(header, (c.strip() for c in ln.strip("|").split("|")), strict=True))
            for ln in lines[2:]]


def test_ratio_table_counts_ratios_per_algorithm_and_named_size(tmp_path):
    """`ratios` is the number of ratios in each (algorithm, n) group, never the n parameter
    nor a task count: a task whose OPT is not proven (opt_status time_limit) is left out."""
    recs, params = [], []
    for alg, n, seeds in (("greedy", 4, 3), ("greedy", 16, 2), ("random", 4, 1),
                          ("random", 16, 4)):
        for s in range(seeds):
            recs.append({"algorithm": alg, "ratio": 1.0 + 0.1 * s, "size": n,
                         "seconds": 1e-3 * n, "opt_status": "optimal", "sense": "OPT/ALG"})
            params.append({"algorithm": alg, "n": n, "s": s})
    recs.append({"algorithm": "greedy", "ratio": 9.0, "size": 4, "seconds": 1e-3,
                 "opt_status": "time_limit", "sense": "OPT/ALG"})  # not proven: left out
    params.append({"algorithm": "greedy", "n": 4, "s": 99})
    store = tmp_path / "r.sqlite"
    with Store(store) as st:
        st.add(_ratio_rows("sweeptest.named", recs, params))
    out = tmp_path / "rep"
    r = CliRunner().invoke(app, ["report", str(store), "--out", str(out)])
    assert r.exit_code == 0, r.output
    md = (out / "report.md").read_text()
    table = _md_table(md, "## Approximation ratios against OPT (OPT/ALG)")
    got = {(row["algorithm"], int(row["n"])): (int(row["ratios"]), float(row["max"]))
           for row in table}
    assert got == {("greedy", 4): (3, 1.2), ("greedy", 16): (2, 1.1), ("random", 4): (1, 1.0),
                   ("random", 16): (4, 1.3)}
    assert "1 ratio(s) against an OPT not proven optimal" in md
    (summary,) = _md_table(md, "## Summary")
    assert (summary["tasks"], summary["ok"], summary["ok, OPT not proven"]) == ("11", "11", "1")
    assert "## Scaling: time against n" in md and "| min n | max n |" in md


def test_size_name_field_names_the_axis(tmp_path):
    recs = [{"algorithm": "a", "ratio": 1.0, "size": m, "seconds": 1e-4 * m,
             "size_name": "buyers m"} for m in (10, 20, 40)]
    store = tmp_path / "s.sqlite"
    with Store(store) as st:
        st.add(_ratio_rows("sweeptest.named-m", recs, [{"i": i} for i in range(3)]))
    out = tmp_path / "rep"
    assert CliRunner().invoke(app, ["report", str(store), "--out", str(out)]).exit_code == 0
    md = (out / "report.md").read_text()
    assert "## Scaling: time against buyers m" in md
    assert [row["buyers m"] for row in _md_table(md, "## Approximation ratios")] == \
        ["10", "20", "40"]


def test_worst_cases_of_a_registered_algorithm_replay_with_its_value(tmp_path):
    """A sampling.random-ratio worst case is a `solver bench --rerun` file: the replay
    prints the algorithm's value and the ratio, equal to the record's (not OPT only)."""
    store = tmp_path / "s.sqlite"
    run_sweep("sampling.random-ratio", {"algorithm": ["independent"], "n": [3], "m": [3]},
              seeds=2, store=store, workers=0, progress=False)
    out = tmp_path / "rep"
    r = CliRunner().invoke(app, ["report", str(store), "--out", str(out)])
    assert r.exit_code == 0, r.output
    md = (out / "report.md").read_text()
    files = sorted((out / "worst").glob("*.json"))
    assert files
    with Store(store) as st:
        ratios = [row["record"]["ratio"] for row in st.rows()]
    for f in files:
        assert f"`solver bench --rerun worst/{f.name}`" in md
        got = CliRunner().invoke(app, ["bench", "--rerun", str(f), "--json"])
        assert got.exit_code == 0, got.output
        row = json.loads(got.stdout)
        assert row["algorithm"] == "independent" and row["status"] == "ok"
        assert any(abs(row["ratio"] - x) <= 1e-9 * x for x in ratios)
