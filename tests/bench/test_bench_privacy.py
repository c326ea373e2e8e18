"""solver.bench for the privacy problem [CCKMV13]: evaluator, algorithms, families, CLI."""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest
from typer.testing import CliRunner

import solver.bench as B
import solver.privacy as Pv
from solver.bench import shipped_privacy as SP
from solver.cli import app
from solver.errors import InstanceError

#: Agreement of two computations of the same loss (sums of a few dozen terms of order one).
VALUE_TOL = 1e-12
#: Agreement of a ratio with the one recomputed from the LP optimum.
RATIO_TOL = 1e-9

runner = CliRunner()


def _lp(n: int = 1, eps: float = math.log(3.0), kappa: float = 0.0, **kw):
    kw.setdefault("family", "election")
    return Pv.PrivateMechanismLPInstance(n=n, epsilon=eps,
                                         privacy_bound={"kind": "log", "kappa": kappa}, **kw)


def _randomised_response(eps: float) -> np.ndarray:
    """One voter: report the own candidate with probability e^eps / (1 + e^eps)."""
    r = math.exp(eps) / (1.0 + math.exp(eps))
    return np.array([[r, 1.0 - r], [1.0 - r, r]])


def _direct_loss(inst, P) -> float:
    """The welfare loss by explicit loops over itertools.product (independent code)."""
    U = np.asarray(inst.utility)
    T, O = U.shape
    total = 0.0
    for s, prof in enumerate(itertools.product(range(T), repeat=inst.n)):
        w = [sum(U[a, o] for a in prof) for o in range(O)]
        total += sum(P[s][o] * (max(w) - w[o]) for o in range(O))
    return total / T**inst.n


@pytest.fixture(scope="module")
def ev():
    return B.get_evaluator("privacy")


# ----------------------------------------------------------------------------- evaluator


def test_registration_and_sense(ev):
    assert ev.sense == "ALG/OPT" and ev.instance_type is Pv.PrivateMechanismLPInstance
    assert {"uniform", "best-constant", "mechanism-4.1", "mechanism-6.1"} <= set(
        B.algorithms("privacy"))
    fams = B.families("privacy")
    assert {"privacy.random", "privacy.theorem-4.2", "privacy.theorem-6.3"} <= set(fams)
    assert fams["privacy.theorem-6.3"].neighbour is not None


def test_uniform_ratio_by_hand(ev):
    """One voter, gap 1, eps = ln 3, F = 0: the best eps-DP mechanism is randomised response
    (Pr[own candidate] = 3/4, loss 1/4); uniform loses 1/2: ratio exactly 2."""
    inst = _lp()
    opt = ev.solve(inst, None)
    assert opt.proven and opt.objective == pytest.approx(0.25, rel=RATIO_TOL)
    uni = ev.evaluate(inst, np.full((2, 2), 0.5))
    assert uni.feasible and uni.value == pytest.approx(0.5, rel=VALUE_TOL)
    row = B.runner.judge(ev, inst, B.load_algorithm("uniform", "privacy"), 0, opt, 0.0)
    assert row["status"] == "ok" and row["ratio"] == pytest.approx(2.0, rel=RATIO_TOL)
    rr = ev.evaluate(inst, _randomised_response(math.log(3.0)))
    assert rr.feasible and rr.value == pytest.approx(0.25, rel=VALUE_TOL)


@pytest.mark.parametrize("seed", range(6))
def test_values_match_direct_computation_and_the_lp(ev, seed):
    """On random instances: the loss of any table equals the explicit-loop loss; the LP's own
    optimal mechanism is feasible and its loss is OPT; Mechanisms 4.1 / 6.1 get the welfare
    the package itself reports for them (``mechanism_welfare``)."""
    kind = ("election", "facility", "custom")[seed % 3]
    inst = B.get_family("privacy.random").make({"kind": kind}, seed)
    d = Pv.solve(inst).to_dict()
    rng = np.random.default_rng(seed)
    P = rng.dirichlet(np.ones(inst.utility.shape[1]), size=inst.utility.shape[0] ** inst.n)
    assert ev.evaluate(inst, P).value == pytest.approx(_direct_loss(inst, P), abs=VALUE_TOL)
    lp = ev.evaluate(inst, {"mechanism": d["mechanism"]})
    opt = ev.solve(inst, None)
    assert lp.feasible, lp.violations
    assert lp.value == pytest.approx(opt.objective, rel=1e-7, abs=VALUE_TOL)
    assert lp.details["welfare"] == pytest.approx(d["objective"], rel=1e-7)
    assert opt.objective == pytest.approx(d["optimal_welfare_without_privacy"] - d["objective"])
    if kind != "custom":
        name = "mechanism-4.1" if kind == "election" else "mechanism-6.1"
        got = ev.evaluate(inst, B.load_algorithm(name, "privacy").fn(inst, rng))
        assert got.details["welfare"] == pytest.approx(d["mechanism_welfare"], rel=1e-9)
        assert got.feasible == d["mechanism_feasible"]


def test_non_dp_answer_is_a_violation(ev):
    inst = _lp(n=2, eps=0.5)
    W = SP.profiles(inst).welfare
    majority = (W == W.max(axis=1, keepdims=True)).astype(float)
    majority /= majority.sum(axis=1, keepdims=True)
    bad = ev.evaluate(inst, majority)
    assert any("differentially private" in v and "Definition 3.2" in v for v in bad.violations)
    assert bad.details["dp_level"] == math.inf
    one = _lp(eps=0.7)
    assert ev.evaluate(one, _randomised_response(0.7)).feasible            # exactly eps-DP
    over = ev.evaluate(one, _randomised_response(0.7 * 1.001))           # 0.1 % over
    assert any("differentially private" in v for v in over.violations)
    assert not any("differentially private" in v
                   for v in ev.evaluate(one, _randomised_response(0.35)).violations)


def test_rows_must_be_probability_vectors(ev):
    inst = _lp(n=2, eps=0.5)
    S = SP.profiles(inst).welfare.shape[0]
    half = ev.evaluate(inst, np.full((S, 2), 0.25))
    assert any("sums to" in v and "not 1" in v for v in half.violations)
    neg = np.full((S, 2), 0.5)
    neg[1] = [1.5, -0.5]
    assert any("< 0" in v for v in ev.evaluate(inst, neg).violations)
    assert ev.evaluate(inst, np.full((S - 1, 2), 0.5)).violations      # one row short
    assert ev.evaluate(inst, {"mechanism": None}).violations
    assert ev.evaluate(inst, np.full((S, 2), np.nan)).violations


def test_truthfulness_uses_phi_of_proposition_3_3(ev):
    """Randomised response: a lie moves ``2r - 1`` of mass, gaining ``(2r-1)(2 phi - gap)``:
    truthful iff ``phi = F(e^eps) <= gap / 2`` (here ``phi = kappa eps``)."""
    eps = 0.5
    P = _randomised_response(eps)
    ok = ev.evaluate(_lp(eps=eps, kappa=0.45 / eps), P)          # phi = 0.45 < 1/2
    assert ok.feasible, ok.violations
    bad = ev.evaluate(_lp(eps=eps, kappa=0.55 / eps), P)         # phi = 0.55 > 1/2
    assert any("not truthful" in v for v in bad.violations)
    r = math.exp(eps) / (1 + math.exp(eps))
    assert bad.details["worst_gain"] == pytest.approx((2 * r - 1) * (2 * 0.55 - 1.0))
    flipped = ev.evaluate(_lp(eps=eps), P[:, ::-1])               # anti-RR: lying pays
    assert any("not truthful" in v for v in flipped.violations)
    assert not any("differentially" in v for v in flipped.violations)


def test_zero_optimal_loss_has_no_ratio(ev):
    inst = _lp(n=2, eps=1.0, family="custom", utility=[[1.0, 0.0], [1.0, 0.5]])
    opt = ev.solve(inst, None)
    assert opt.status == "error" and "no ratio" in opt.backend


# ----------------------------------------------------------------------------- families


def test_random_family_kinds_and_bad_parameters(ev):
    fam = B.get_family("privacy.random")
    kinds = {fam.make({}, s).family for s in range(12)}
    assert kinds == {"election", "facility", "custom"}
    for s in range(3):
        inst = fam.make({"kind": "custom", "size_max": 3}, s)
        assert inst.n >= 2 and ev.solve(inst, None).objective > 0
        assert Pv.PrivateMechanismLPInstance.from_dict(inst.to_dict()) == inst
    for bad in ({"n_max": 1}, {"kind": "vcg"}, {"size_max": 1}):
        with pytest.raises(InstanceError):
            fam.make(bad, 0)


def test_mechanism_4_1_on_theorem_4_2(ev):
    """Observed: where Theorem 4.2's condition holds, Mechanism 4.1 at eps/2 attains the LP
    optimum for an even number of voters, but not for an odd one (its tie ``Δ >= r`` then
    favours A at the two closest profiles; the loss ratio is the same for n = 3 and 5)."""
    fam = B.get_family("privacy.theorem-4.2")
    ratios = {}
    for n in (2, 3, 4, 5):
        inst = fam.make({"n": n, "epsilon": 1.0}, 0)
        opt = ev.solve(inst, None)
        e = ev.evaluate(inst, SP._mechanism_4_1(inst, np.random.default_rng(0)))
        assert e.feasible, e.violations
        ratios[n] = e.value / opt.objective
        assert ev.evaluate(inst, SP._uniform(inst, None)).value > 1.05 * opt.objective
    assert ratios[2] == pytest.approx(1.0, rel=1e-7) and ratios[4] == pytest.approx(1.0,
                                                                                    rel=1e-7)
    assert ratios[3] > 1.1 and ratios[5] == pytest.approx(ratios[3], rel=1e-6)


def test_theorem_6_3_family_moves_stay_in_bounds_and_6_1_stays_feasible(ev):
    fam = B.get_family("privacy.theorem-6.3")
    rng = np.random.default_rng(3)
    p = fam.random_params(rng)
    for _ in range(30):
        p = fam.neighbour(p, rng)
        assert p["q"] ** p["n"] <= SP.THEOREM_6_3_PROFILES
        for k, (lo, hi) in SP.THEOREM_6_3_BOUNDS.items():
            assert lo <= p[k] <= hi
    for params in ({}, {"q": 4, "n": 2, "epsilon": 3.0, "skew": 2.5}):
        inst = fam.make(params, 0)
        e = ev.evaluate(inst, SP._mechanism_6_1(inst, None))
        assert e.feasible, e.violations                             # Theorem 6.3
        assert e.value >= ev.solve(inst, None).objective * (1 - 1e-9)
    with pytest.raises(InstanceError):
        fam.make({"condition": 1.5}, 0)


def test_mechanisms_refuse_other_kinds():
    inst = B.get_family("privacy.random").make({"kind": "custom"}, 0)
    for name in ("mechanism-4.1", "mechanism-6.1"):
        with pytest.raises(InstanceError):
            B.load_algorithm(name, "privacy").fn(inst, None)


# ----------------------------------------------------------------------------- CLI


def test_cli_bench_end_to_end_stores_the_right_ratios(ev, tmp_path):
    store = tmp_path / "p.sqlite"
    r = runner.invoke(app, ["bench", "privacy", "--algorithm", "uniform", "--algorithm",
                            "mechanism-6.1", "--family", "privacy.theorem-6.3", "--grid",
                            '{"n": [2], "q": [3, 4], "epsilon": [0.5, 2.0]}', "--store",
                            str(store), "--json"])
    assert r.exit_code == 0, r.output
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(rows) == 8 and {x["status"] for x in rows} == {"ok"}
    fam = B.get_family("privacy.theorem-6.3")
    for row in rows:
        inst = fam.make(row["params"], row["seed"])
        alg = B.load_algorithm(row["algorithm"], "privacy").fn(inst, None)
        d = Pv.solve(inst).to_dict()
        opt = d["optimal_welfare_without_privacy"] - d["objective"]
        assert row["sense"] == "ALG/OPT"
        assert row["ratio"] == pytest.approx(_direct_loss(inst, alg) / opt, rel=RATIO_TOL)
    df = B.load(store)
    assert len(df) == 8 and (df["ratio"] >= 1 - RATIO_TOL).all()


def test_cli_bench_infeasible_and_error_rows():
    r = runner.invoke(app, ["bench", "privacy", "--algorithm", "mechanism-4.1", "--family",
                            "privacy.random", "--grid", '{"kind": ["custom"]}', "--json"])
    assert r.exit_code == 1
    row = json.loads(r.stdout)
    assert row["status"] == "error" and "election" in row["error"]
    r = runner.invoke(app, ["bench", "privacy", "--algorithm", "uniform", "--family",
                            "privacy.random", "--grid", '{"stars": [1]}'])
    assert r.exit_code == 2 and "error: grid" in r.stderr


@pytest.fixture(scope="module")
def worst_file(tmp_path_factory):
    out = tmp_path_factory.mktemp("w") / "worst.json"
    r = runner.invoke(app, ["worst", "privacy", "--algorithm", "mechanism-6.1", "--family",
                            "privacy.theorem-6.3", "--restarts", "1", "--steps", "2",
                            "--seed", "1", "--out", str(out), "--json"])
    assert r.exit_code == 0, r.output
    res = json.loads(r.stdout)
    assert res["sense"] == "ALG/OPT" and res["ratio"] > 1
    return out, res


def _rerun(path):
    r = runner.invoke(app, ["bench", "--rerun", str(path)])
    assert r.exit_code == 0, r.output
    return dict(line.split(": ", 1) for line in r.stdout.splitlines())


def test_rerun_replays_the_worst_instance(worst_file, tmp_path):
    out, res = worst_file
    raw = json.loads(out.read_text())
    assert raw["bench"]["problem"] == "privacy"
    # the instance without its solve-problem name, so rerun takes the bench metadata's
    raw["instance"].pop("problem")
    path = tmp_path / "replay.json"
    path.write_text(json.dumps(raw))
    lines = _rerun(path)
    assert float(lines["ratio (ALG/OPT)"]) == pytest.approx(res["ratio"], rel=RATIO_TOL)
    assert float(lines["ALG"]) / float(lines["OPT"].split()[0]) == pytest.approx(
        res["ratio"], rel=RATIO_TOL)


def test_rerun_replays_the_file_as_written(worst_file):
    out, res = worst_file
    lines = _rerun(out)
    assert float(lines["ratio (ALG/OPT)"]) == pytest.approx(res["ratio"], rel=RATIO_TOL)
