"""solver.bench for ironing [FL12]: evaluator, algorithms, families, bench / worst / --rerun."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats
from typer.testing import CliRunner

import solver.bench as B
import solver.ironing as I
from solver.bench import shipped_ironing as SI
from solver.cli import app
from solver.errors import InstanceError
from solver.tolerances import EXACT, INEQUALITY

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()
#: FL12 notes Example C: atoms {1, 2, 3} with probabilities {0.5, 0.1, 0.4}.
EXAMPLE_C = {"values": [1.0, 2.0, 3.0], "probabilities": [0.5, 0.1, 0.4]}
#: ``ironing.three-piece`` parameters of data/ironing/near_tight_n100.json.
NEAR_TIGHT = {"players": 100, "rate": 0.5, "below": 1.0, "gap_mass": -6.0,
              "low_width": -6.0, "high_width": -6.0}


def _example_c(n: int, w: int) -> I.IroningInstance:
    return I.IroningInstance(**EXAMPLE_C, units=w, players=n)


def _cli(args: list[str]):
    res = runner.invoke(app, args)
    return res


def _instances() -> list[I.IroningInstance]:
    """Example C at every (n, w) of the notes' table, and family members of both kinds."""
    out = [_example_c(n, w) for n, w in ((3, 1), (3, 2), (10, 5), (10, 6), (10, 7), (10, 8))]
    fam = B.get_family("ironing.discrete-random")
    out += [fam.make({}, s) for s in range(6)]
    tp = B.get_family("ironing.three-piece")
    out += [tp.make(NEAR_TIGHT, 0), tp.make({}, 0), tp.make(dict(NEAR_TIGHT, below=0.7), 0)]
    out.append(I.IroningInstance.from_dict(
        json.loads((ROOT / "data/ironing/example_b_piecewise.json").read_text())))
    return out


def _check_values() -> None:
    """The evaluator's values against the ironing package's own, computed independently."""
    ev = B.get_evaluator("ironing")
    algs = B.algorithms("ironing")
    for inst in _instances():
        n, w = inst.players, inst.units
        rep = I.procurement_report(inst.dist, n, w)
        res = I.solve(inst)
        mech = ev.evaluate(inst, algs["mechanism-1"].fn(inst, np.random.default_rng(0)))
        assert mech.feasible, mech.violations
        assert mech.value == pytest.approx(I.mechanism_payment(inst.dist, n, w), rel=EXACT)
        assert mech.details["expected_units"] == pytest.approx(w, rel=EXACT)
        opt = ev.evaluate(inst, algs["optimal-bic"].fn(inst, np.random.default_rng(0)))
        assert opt.feasible, opt.violations
        assert opt.value == pytest.approx(res.objective, rel=EXACT)
        assert opt.value == pytest.approx(rep.optimal_payment, rel=1e-6)
        bench = ev.solve(inst, None)
        assert bench.proven
        assert bench.objective == pytest.approx(I.envy_free_benchmark(inst.dist, n, w),
                                                rel=EXACT)


# ----------------------------------------------------------------------------- evaluator


def test_sense_and_benchmark():
    ev = B.get_evaluator("ironing")
    assert ev.sense == "ALG/OPT" and "envy-free" in ev.objective


def test_values_match_the_package_and_the_notes():
    _check_values()
    ev = B.get_evaluator("ironing")
    c = _example_c(10, 7)  # notes Example C (10, 7): Mech1 16.5, OPT 15.2656, EF 19.4462
    assert ev.evaluate(c, {"prices": [2, 3], "probabilities": [0.75, 0.25]}).value == \
        pytest.approx(16.5, rel=EXACT)
    assert ev.solve(c, None).objective == pytest.approx(19.4461592248, rel=EXACT)
    # by hand: price 3 is accepted by everybody (F(3) = 1): 10 * 3 * 1
    assert ev.evaluate(c, 3.0).value == pytest.approx(30.0, rel=EXACT)
    # (3, 1): c = 1/3 < F(1): no alpha^-, price 1 with probability 2/3 -> w * 1 = 1
    c31 = _example_c(3, 1)
    ans = B.algorithms("ironing")["mechanism-1"].fn(c31, None)
    assert ans["prices"][0] is None
    assert ev.evaluate(c31, ans).value == pytest.approx(1.0, rel=EXACT)
    # a step rule is its lottery: x = (1, 0.5, 0) at costs (1, 2, 3) = price 1 w.p. 0.5 and
    # price 2 w.p. 0.5: 10 * (0.5 * 1 * 0.5 + 0.5 * 2 * 0.6) = 8.5, 5.5 units
    rule = ev.evaluate(_example_c(10, 5), {"allocation": [1.0, 0.5, 0.0]})
    assert rule.value == pytest.approx(8.5, rel=EXACT)
    assert rule.details["expected_units"] == pytest.approx(5.5, rel=EXACT)


def test_wrong_payment_rule_is_caught(monkeypatch):
    """A deliberately wrong evaluator (every unit paid the lowest offered price) fails the
    value check, and its own ex-ante bound flags it."""
    def lowest_price(prices, accept, weights):
        return float(np.min(prices) * np.sum(weights * accept))

    monkeypatch.setattr(SI, "_lottery_payment", lowest_price)
    with pytest.raises(AssertionError):
        _check_values()
    ev = B.get_evaluator("ironing")
    got = ev.evaluate(_example_c(10, 7), {"prices": [2, 3], "probabilities": [0.75, 0.25]})
    assert got.value == pytest.approx(14.0) and any("ex-ante" in v for v in got.violations)


@pytest.mark.parametrize("answer, words", [
    (2.0, "fewer than w = 7"),  # F(2) = 0.6: 6 units in expectation
    ({"prices": [1, 2], "probabilities": [0.5, 0.5]}, "fewer than w"),
    ({"prices": [2, 3], "probabilities": [0.5, 0.6]}, "sum to"),
    ({"prices": [2, 3], "probabilities": [-0.1, 1.1]}, "< 0"),
    ({"allocation": [0.5, 1.0, 0.6]}, "Lemma 4.4 (i)"),
    ({"allocation": [1.2, 1.0, 0.6]}, "[0, 1]"),
    ({"allocation": [1.0, 1.0]}, "one entry per cost"),
    ({"allocation": [1, 1, 1], "costs": [1, 3, 2]}, "strictly increasing"),
    (float("nan"), "finite"),
    (True, "bool"),
    ("cheap", "must be a posted price"),
    ({"prices": [2, "x"], "probabilities": [0.5, 0.5]}, "numbers"),
    ({"value": 1.0}, "needs 'prices'"),
])
def test_infeasible_or_malformed_answers_are_reported(answer, words):
    got = B.get_evaluator("ironing").evaluate(_example_c(10, 7), answer)
    assert got.violations and any(words in v for v in got.violations), got.violations


def test_an_answer_never_sets_its_value():
    ev = B.get_evaluator("ironing")
    got = ev.evaluate(_example_c(10, 7), {"prices": [3.0], "probabilities": [1.0],
                                           "value": 0.0})
    assert got.value == pytest.approx(30.0, rel=EXACT)


def test_instance_without_units_is_refused():
    inst = I.IroningInstance(**EXAMPLE_C)
    ev = B.get_evaluator("ironing")
    assert "units and players" in ev.evaluate(inst, 2.0).violations[0]
    with pytest.raises(InstanceError, match="units"):
        ev.solve(inst, None)


def test_anti_regular_optimum_equals_the_benchmark():
    """Lemma 4.5: for anti-regular F (uniform here) the optimal BIC mechanism pays the
    envy-free benchmark, so the sanity row has ratio 1; Mechanism 1 pays less (notes
    Example A: w(n+1)/(n(w+1)) = 0.9167 at (10, 5))."""
    inst = I.IroningInstance(piecewise_uniform={"breaks": [0, 1], "masses": [1]}, units=5,
                             players=10)
    ev = B.get_evaluator("ironing")
    opt = ev.solve(inst, None).objective
    algs = B.algorithms("ironing")
    assert ev.evaluate(inst, algs["optimal-bic"].fn(inst, None)).value / opt == \
        pytest.approx(1.0, rel=1e-6)
    assert ev.evaluate(inst, algs["mechanism-1"].fn(inst, None)).value / opt == \
        pytest.approx(5 * 11 / (10 * 6), rel=1e-6)


# ----------------------------------------------------------------------------- families


def test_three_piece_contains_the_near_tight_instance():
    inst = B.get_family("ironing.three-piece").make(NEAR_TIGHT, 0)
    ref = json.loads((ROOT / "data/ironing/near_tight_n100.json").read_text())
    assert inst.to_dict() == I.IroningInstance.from_dict(ref).to_dict()
    ev = B.get_evaluator("ironing")
    r = ev.evaluate(inst, B.algorithms("ironing")["mechanism-1"].fn(inst, None)).value
    assert r / ev.solve(inst, None).objective == pytest.approx(1.85254, abs=1e-5)


@pytest.mark.parametrize("family, params, field", [
    ("ironing.three-piece", {"players": 1}, "grid.players"),
    ("ironing.three-piece", {"below": 3.0}, "grid.below"),
    ("ironing.three-piece", {"gap_mass": "x"}, "grid.gap_mass"),
    ("ironing.discrete-random", {"atoms_max": 1}, "grid.atoms_max"),
    ("ironing.discrete-random", {"players_max": 2.5}, "grid.players_max"),
])
def test_bad_family_parameters_name_the_field(family, params, field):
    with pytest.raises(InstanceError) as exc:
        B.get_family(family).make(params, 0)
    assert exc.value.field == field


def test_families_are_seeded_and_the_search_moves_stay_valid():
    fam = B.get_family("ironing.discrete-random")
    assert fam.make({}, 3).to_dict() == fam.make({}, 3).to_dict()
    assert fam.make({}, 3).to_dict() != fam.make({}, 4).to_dict()
    tp = B.get_family("ironing.three-piece")
    rng = np.random.default_rng(0)
    p = tp.random_params(rng)
    for _ in range(200):
        p = tp.neighbour(p, rng)
        inst = tp.make(p, 0)
        assert 1 <= inst.units < inst.players
    r = _cli(["list", "--json"])
    fams = {f["name"]: f for f in json.loads(r.stdout)["families"]}
    assert fams["ironing.three-piece"]["searchable"] is True
    assert fams["ironing.discrete-random"]["searchable"] is False


# ----------------------------------------------------------------------------- bench / worst


def test_cli_bench_end_to_end(tmp_path):
    store = tmp_path / "ir.sqlite"
    grid = dict(NEAR_TIGHT, below=[1.0, 0.9], players=[40, 100])
    r = _cli(["bench", "ironing", "--algorithm", "mechanism-1", "--algorithm",
              "deterministic-price", "--family", "ironing.three-piece", "--grid",
              json.dumps(grid), "--store", str(store), "--json"])
    assert r.exit_code == 0, r.output
    assert len(r.stdout.splitlines()) == 8
    df = B.load(store)
    fam = B.get_family("ironing.three-piece")
    for row in df.to_dict("records"):
        assert row["status"] == "ok" and row["sense"] == "ALG/OPT", row
        inst = fam.make(row["params"], row["seed"])
        alg = I.mechanism_payment(inst.dist, inst.players, inst.units)
        ef = I.envy_free_benchmark(inst.dist, inst.players, inst.units)
        assert row["alg"] == pytest.approx(alg, rel=EXACT)
        assert row["opt"] == pytest.approx(ef, rel=EXACT)
        assert 1.0 < row["ratio"] <= 2.0 * (1 + INEQUALITY)  # Theorem 4.3


def _sharp(n: int, w: int) -> float:
    """``1/Pr[Bin(n, w/n) <= w]``, the sharp form of Theorem 4.3's factor 2 (derived)."""
    return float(1.0 / stats.binom.cdf(w, n, w / n))


def test_worst_climbs_toward_theorem_4_3_and_rerun_replays_it(tmp_path):
    """From the family's defaults and random restarts (not the near-tight point), the search
    passes 1.8 within a 15 s budget; every improvement obeys Theorem 4.3 (<= 2) and the
    sharp bound; ``--rerun`` prints ALG, OPT and the ratio."""
    out, store = tmp_path / "worst.json", tmp_path / "w.sqlite"
    r = _cli(["worst", "ironing", "--algorithm", "mechanism-1", "--family",
              "ironing.three-piece", "--restarts", "3", "--steps", "300", "--seed", "0",
              "--target", "1.8", "--budget", "15", "--out", str(out), "--store", str(store),
              "--json"])
    assert r.exit_code == 0, r.output
    res = json.loads(r.stdout)
    assert res["ratio"] > 1.8 and res["sense"] == "ALG/OPT"
    df = B.load(store)
    fam = B.get_family("ironing.three-piece")
    assert df["ratio"].max() == pytest.approx(res["ratio"])
    start = fam.make(fam.defaults, 0)
    assert start.players < 50  # restart 0 is far from the near-tight point
    for row in df.to_dict("records"):
        inst = fam.make(row["params"], 0)
        assert row["ratio"] <= 2.0 * (1 + INEQUALITY)
        assert row["ratio"] <= _sharp(inst.players, inst.units) * (1 + INEQUALITY)
    r = _cli(["bench", "--rerun", str(out)])
    assert r.exit_code == 0, r.output
    lines = dict(line.split(": ", 1) for line in r.stdout.splitlines())
    assert float(lines["ratio (ALG/OPT)"]) == pytest.approx(res["ratio"])
    alg, opt = float(lines["ALG"]), float(lines["OPT"].split()[0])
    assert alg / opt == pytest.approx(res["ratio"])
    inst = I.IroningInstance.from_dict(json.loads(out.read_text())["instance"])
    assert alg == pytest.approx(I.mechanism_payment(inst.dist, inst.players, inst.units))
    assert opt == pytest.approx(I.envy_free_benchmark(inst.dist, inst.players, inst.units))


_HAS_FLAG = "opt_bounds_answers" in {f.name for f in dataclasses.fields(B.Evaluator)}


@pytest.mark.xfail(not _HAS_FLAG, strict=True,
                   reason="runner.judge marks every value below OPT infeasible; FL12's "
                          "benchmark is not a bound on expected-w answers (needs an "
                          "Evaluator flag, see the ironing helper's report)")
def test_feasible_answers_below_the_benchmark_are_ok_rows():
    """[FL12, Section 4]: Mechanism 1 buys w only in expectation and the optimal BIC
    mechanism pays at most the benchmark, so ratios below 1 are legitimate rows."""
    df = B.run("ironing", ["mechanism-1", "optimal-bic"], "ironing.discrete-random", {}, 6)
    assert set(df["status"]) == {"ok"}, df[["algorithm", "status", "violations"]]
    assert (df["ratio"] < 1).any()
    assert df.loc[df["algorithm"] == "mechanism-1", "ratio"].max() <= 2 * (1 + INEQUALITY)
    assert not math.isnan(df["ratio"].max())
