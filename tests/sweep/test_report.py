"""solver report: sections, figures, worst-case files that `solver solve` reruns, slopes."""

from __future__ import annotations

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
