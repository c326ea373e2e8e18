"""solver.bench: evaluators, families, solver bench / worst / --rerun, user algorithms."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import solver.bench as B
import solver.pricing as P
import solver.sampling as S

ROOT = Path(__file__).resolve().parents[2]
#: Agreement of a stored ratio with the one computed directly.
RATIO_TOL = 1e-9

USER_MODULE = '''
import numpy as np
import solver.pricing as P
import solver.sampling as S


def posted_price(instance, rng):
    """One price per data point, 0.8 of the buyers' mean per-point value at full size."""
    V = instance.V
    N = V.shape[1] - 1
    price = 0.8 * float(V[:, N].mean()) / N
    return price * np.arange(N + 1)


def mixture(instance, rng):
    """Half the ordering distribution, half independent samples (still unbiased)."""
    a = S.ordering_distribution(instance.sellers, instance.demands)
    b = S.independent_distribution(instance.sellers, instance.demands)
    return 0.5 * a + 0.5 * b


def dies_at_4(instance, rng):
    """The ordering distribution, but the worker process dies on n = 4."""
    import os

    if instance.sellers == 4:
        os._exit(3)
    return S.ordering_distribution(instance.sellers, instance.demands)


def biased(instance, rng):
    p = np.zeros(instance.demands.size + 1)
    p[0] = 1.0
    return p
'''


@pytest.fixture()
def user_module(tmp_path):
    d = tmp_path / "userpkg"
    d.mkdir()
    (d / "my_algs.py").write_text(textwrap.dedent(USER_MODULE))
    sys.path.insert(0, str(d))
    yield d
    sys.path.remove(str(d))
    sys.modules.pop("my_algs", None)


def _cli(args, pythonpath=None, **kw):
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = os.pathsep.join([str(pythonpath), env.get("PYTHONPATH", "")])
    return subprocess.run([sys.executable, "-m", "solver.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300, **kw)


# ----------------------------------------------------------------------------- evaluators


def test_senses_are_stated():
    assert B.get_evaluator("sampling").sense == "ALG/OPT"
    assert B.get_evaluator("pricing").sense == "OPT/ALG"


def test_sampling_evaluator_checks_unbiasedness_and_probability():
    inst = B.get_family("sampling.theorem-5.1").make({"n": 3}, 0)
    ev = B.get_evaluator("sampling")
    good = ev.evaluate(inst, S.ordering_distribution(inst.sellers, inst.demands))
    assert good.feasible
    m = inst.demands.size
    p = np.zeros(m + 1)
    p[0] = 1.0
    bad = ev.evaluate(inst, p)
    assert any("biased" in v and "Lemma 4.2" in v for v in bad.violations)
    half = ev.evaluate(inst, 0.5 * S.ordering_distribution(inst.sellers, inst.demands))
    assert any("sum of p" in v for v in half.violations)
    assert ev.evaluate(inst, [0.5, 0.5]).violations  # wrong length


def test_pricing_evaluator_checks_envy_freeness():
    inst = B.get_family("pricing.random").make({"B": 3, "N": 4}, 1)
    ev = B.get_evaluator("pricing")
    opt = P.solve(inst).to_dict()
    ok = ev.evaluate(inst, (np.array(opt["sizes"]), np.array(opt["prices"])))
    assert ok.feasible and ok.value == pytest.approx(opt["objective"])
    greedy = (np.full(3, 4), inst.V[:, 4].copy())  # everybody charged their full value...
    greedy[1][0] += 1.0  # ... and one buyer more than that: not IR
    assert ev.evaluate(inst, greedy).violations
    assert ev.evaluate(inst, np.ones(5)).violations  # q(0) > 0


def test_answer_beating_the_certified_opt_is_infeasible():
    ev = B.get_evaluator("sampling")
    inst = B.get_family("sampling.theorem-5.1").make({"n": 3}, 0)
    opt = B.Opt("optimal", 5.0, 5.0, "test")
    alg = B.Algorithm("cheat", "sampling",
                      lambda i, rng: S.ordering_distribution(i.sellers, i.demands))
    row = B.runner.judge(ev, inst, alg, 0, B.Opt("optimal", 100.0, 100.0), 0.0)
    assert row["status"] == "infeasible" and "beats the certified OPT" in row["violations"][0]
    assert B.runner.judge(ev, inst, alg, 0, opt, 0.0)["status"] == "ok"


def test_time_limited_opt_is_unproven_and_never_enters_statistics():
    df = B.run("sampling", ["ordering"], "sampling.theorem-5.1", {"n": [20]}, 1,
               time_limit=1e-4)
    r = df.iloc[0]
    assert r["opt_status"] != "optimal"
    assert r["status"] == "unproven" and math.isnan(r["ratio"])
    assert r["ratio_lo"] >= 1.0 and r["ratio_hi"] >= r["ratio_lo"]
    s = B.summary(df)
    assert int(s["count"].iloc[0]) == 0 and int(s["unproven"].iloc[0]) == 1


def test_ratio_interval_of_an_unproven_opt():
    lo_hi = B.ratio_interval("ALG/OPT", 10.0, B.Opt("time_limit", 8.0, 5.0))
    assert math.isnan(lo_hi[0]) and lo_hi[1:] == (1.25, 2.0)
    lo_hi = B.ratio_interval("OPT/ALG", 4.0, B.Opt("time_limit", 5.0, 8.0))
    assert lo_hi[1:] == (1.25, 2.0)


# ----------------------------------------------------------------------------- run / CLI


def test_run_from_python_matches_direct_values():
    df = B.run("sampling", ["ordering", "independent"], "sampling.theorem-5.1",
               {"n": [3, 4]}, 1)
    assert set(df["status"]) == {"ok"}
    for r in df.to_dict("records"):
        n, d, pi = S.theorem_5_1_instance(int(r["params"]["n"]))
        p = (S.ordering_distribution if r["algorithm"] == "ordering"
             else S.independent_distribution)(n, d)
        opt = S.optimal_payment(n, d, pi).objective
        assert r["ratio"] == pytest.approx(S.expected_payment(p, pi) / opt, rel=RATIO_TOL)


def test_user_algorithms_from_the_cli_store_the_right_ratios(user_module, tmp_path):
    store = tmp_path / "runs.sqlite"
    r = _cli(["bench", "pricing", "--algorithm", "my_algs:posted_price", "--family",
              "pricing.random", "--grid", '{"B": [3], "N": [4, 5]}', "--seeds", "2",
              "--store", str(store)], pythonpath=user_module)
    assert r.returncode == 0, r.stderr
    r = _cli(["bench", "sampling", "--algorithm", "my_algs:mixture", "--algorithm",
              "ordering", "--family", "sampling.random", "--grid", '{"n_max": [4]}',
              "--seeds", "3", "--store", str(store), "--json"], pythonpath=user_module)
    assert r.returncode == 0, r.stderr
    assert len(r.stdout.splitlines()) == 6
    df = B.load(store)
    assert len(df) == 4 + 6
    import my_algs

    fam_p, fam_s = B.get_family("pricing.random"), B.get_family("sampling.random")
    for row in df.to_dict("records"):
        assert row["status"] == "ok", row
        if row["problem"] == "pricing":
            inst = fam_p.make(row["params"], row["seed"])
            alg = P.curve_revenue(inst.V, my_algs.posted_price(inst, None))
            opt = P.solve(inst).objective
            assert row["sense"] == "OPT/ALG"
            assert row["ratio"] == pytest.approx(opt / alg, rel=RATIO_TOL)
        else:
            inst = fam_s.make(row["params"], row["seed"])
            f = (my_algs.mixture if row["algorithm"] == "my_algs:mixture"
                 else lambda i, r: S.ordering_distribution(i.sellers, i.demands))
            alg = S.expected_payment(f(inst, None), inst.payment)
            opt = S.solve(inst).objective
            assert row["sense"] == "ALG/OPT"
            assert row["ratio"] == pytest.approx(alg / opt, rel=RATIO_TOL)
    assert pd.api.types.is_float_dtype(df["ratio"])


def test_infeasible_user_answer_is_reported(user_module):
    df = B.run("sampling", ["my_algs:biased"], "sampling.theorem-5.1", {"n": 3}, 1)
    assert df["status"].iloc[0] == "infeasible"
    assert "biased" in df["violations"].iloc[0][0]


def test_workers_give_the_same_rows():
    a = B.run("pricing", ["local-search", "single-price"], "pricing.random", {"B": [3]}, 2)
    b = B.run("pricing", ["local-search", "single-price"], "pricing.random", {"B": [3]}, 2,
              workers=2)
    assert a["ratio"].tolist() == pytest.approx(b["ratio"].tolist())


@pytest.mark.parametrize("args, field", [
    (["--grid", '{"stars": [1]}'], "grid"),
    (["--family", "nope"], "family"),
    (["--algorithm", "no_such_module_xyz:f"], "algorithm"),
    (["--algorithm", "nope"], "algorithm"),
    (["--family", "pricing.random"], "family"),
])
def test_bad_bench_input_exits_2_before_running(args, field, tmp_path):
    base = {"--algorithm": "ordering", "--family": "sampling.theorem-5.1"}
    opts = dict(zip(args[::2], args[1::2], strict=True))
    full = ["bench", "sampling", "--store", str(tmp_path / "s.sqlite")]
    for k, v in {**base, **opts}.items():
        full += [k, v]
    r = _cli(full)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert f"error: {field}" in r.stderr
    assert not (tmp_path / "s.sqlite").exists()


def test_list_json_has_families():
    r = _cli(["list", "--json"])
    fams = {f["name"]: f for f in json.loads(r.stdout)["families"]}
    assert {"sampling.random", "sampling.theorem-5.1", "sampling.step-max",
            "pricing.random"} <= set(fams)
    assert fams["sampling.step-max"]["searchable"] is True


# ----------------------------------------------------------------------------- worst


def test_worst_rediscovers_theorem_5_1_ratio_and_rerun_replays_it(tmp_path):
    out, store = tmp_path / "worst.json", tmp_path / "w.sqlite"
    r = _cli(["worst", "sampling", "--algorithm", "ordering", "--family",
              "sampling.step-max", "--restarts", "2", "--steps", "50", "--seed", "4",
              "--target", "1.8", "--budget", "120", "--out", str(out), "--store",
              str(store), "--json"])
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout)
    assert res["ratio"] > 1.8 and res["sense"] == "ALG/OPT"
    ratios = B.load(store)["ratio"].tolist()
    assert ratios == sorted(ratios) and ratios[-1] == pytest.approx(res["ratio"])
    r = _cli(["bench", "--rerun", str(out)])
    assert r.returncode == 0, r.stderr
    lines = dict(line.split(": ", 1) for line in r.stdout.splitlines())
    assert float(lines["ratio (ALG/OPT)"]) == pytest.approx(res["ratio"])
    assert float(lines["ALG"]) / float(lines["OPT"].split()[0]) == pytest.approx(res["ratio"])


@pytest.mark.parametrize("grid", ['{"n": ["x"]}', '{"n": [-3]}'])
def test_bad_parameter_value_exits_2_before_anything_runs(grid, tmp_path):
    """A value the family cannot build is one line on ``grid`` (exit 2), nothing stored."""
    from typer.testing import CliRunner

    from solver.cli import app

    store = tmp_path / "s.sqlite"
    r = CliRunner().invoke(app, ["bench", "sampling", "--algorithm", "ordering", "--family",
                                 "sampling.theorem-5.1", "--grid", grid, "--store",
                                 str(store)])
    assert r.exit_code == 2, r.output
    assert r.stderr.startswith("error: grid") and r.stderr.count("\n") == 1
    assert not store.exists() or B.load(store).empty


def test_a_dying_worker_costs_only_its_own_task(user_module):
    """A worker process that dies breaks the pool: its task reads error (WorkerLost), the
    others complete, in grid order."""
    df = B.run("sampling", ["my_algs:dies_at_4"], "sampling.theorem-5.1",
               {"n": [3, 4, 5]}, seeds=1, workers=2)
    by_n = {r["params"]["n"]: r for r in df.to_dict("records")}
    assert [r["params"]["n"] for r in df.to_dict("records")] == [3, 4, 5]
    assert by_n[4]["status"] == "error" and "WorkerLost" in by_n[4]["error"]
    for n in (3, 5):
        assert by_n[n]["status"] == "ok", by_n[n]
