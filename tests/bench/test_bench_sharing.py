"""solver.bench for ``sharing`` [AMMO22]: evaluator, checks, shipped algorithms, families,
``solver bench`` / ``solver worst`` / ``--rerun`` (in-process CLI)."""

from __future__ import annotations

import json
import math
import sys
import textwrap

import numpy as np
import pytest
from typer.testing import CliRunner

import solver.bench as B
import solver.sharing as S
from solver.bench import shipped_sharing as SS
from solver.cli import app
from solver.errors import InstanceError

runner = CliRunner()
#: Agreement of a value or ratio with the one computed directly (same arithmetic).
RATIO_TOL = 1e-9
#: Agreement with the 6-digit figures of the notes' Example B-1 tables.
TABLE_TOL = 1e-6

#: Example B-1 at n = 8, ρ = 0.5, v = 2 (shared/notes 003, §4.1 oracle table): every
#: profile of k sharers has payoff Π(k); Π(8) = 0.751515 (a = 1), k* = 5 with 0.877976.
B1 = {"n": 8, "rho": 0.5, "v": 2.0}
B1_ALL, B1_OPT, B1_KSTAR = 0.751515, 0.877976, 5

USER_MODULE = '''
import numpy as np
import solver.sharing as S


def top_variance(instance, rng):
    """The half of the users with the largest variances share (as indices)."""
    order = np.argsort(-np.diag(instance.covariance), kind="stable")
    return {"sharers": sorted(int(i) for i in order[: max(1, instance.n // 2)])}


def with_prices(instance, rng):
    """Everybody shares, at 10 % over the minimal prices (still a user equilibrium)."""
    a = np.ones(instance.n, dtype=bool)
    out = S.outcome(instance.covariance, instance.privacy_values, a,
                    instance.noise_variance)
    return a, 1.1 * out["prices"]
'''


@pytest.fixture()
def user_module(tmp_path):
    d = tmp_path / "userpkg"
    d.mkdir()
    (d / "my_sharing_algs.py").write_text(textwrap.dedent(USER_MODULE))
    sys.path.insert(0, str(d))
    yield d
    sys.path.remove(str(d))
    sys.modules.pop("my_sharing_algs", None)


def _b1(**kw):
    return B.get_family("sharing.example-b1").make({**B1, **kw}, 0)


def _ev():
    return B.get_evaluator("sharing")


def _k_mask(n, k):
    return np.arange(n) < k


# ----------------------------------------------------------------------------- evaluator


def check_evaluator(evaluate) -> None:
    """The assertions a correct sharing evaluator passes (a wrong variant fails one)."""
    inst = _b1()
    n, v = inst.n, inst.privacy_values
    # the paper's example: a = 1 against the optimum over all profiles, to the table's digits
    assert evaluate(inst, np.ones(n, bool)).value == pytest.approx(B1_ALL, abs=TABLE_TOL)
    assert evaluate(inst, _k_mask(n, B1_KSTAR)).value == pytest.approx(B1_OPT, abs=TABLE_TOL)
    # every k against the closed form and the package's own objective
    closed = S.example_b1.profit_by_k(n, 0.5, 2.0)
    for k in range(1, n + 1):
        got = evaluate(inst, {"sharers": list(range(n - k, n))})
        assert got.feasible and got.value == pytest.approx(closed[k], rel=RATIO_TOL)
        assert got.value == pytest.approx(S.evaluate(inst.covariance, _k_mask(n, k),
                                                     S.platform_objective(v)), rel=RATIO_TOL)
    # prices: the minimal ones are feasible and give U; 1 % less and a sharer withholds
    mask = _k_mask(n, B1_KSTAR)
    p = S.outcome(inst.covariance, v, mask)["prices"]
    assert evaluate(inst, (mask, p)).feasible
    assert evaluate(inst, (mask, 1.5 * p)).value == pytest.approx(
        B1_OPT - 0.5 * p.sum(), abs=TABLE_TOL)
    low = p.copy()
    low[0] *= 0.99
    assert any("user 0 would withhold" in s for s in evaluate(inst, (mask, low)).violations)
    # a non-sharer offered exactly what sharing costs her stays out; a little more, she joins
    joined = mask.copy()
    joined[n - 1] = True
    cost = v[n - 1] * (S.leakage(inst.covariance, joined)[n - 1]
                       - S.leakage(inst.covariance, mask)[n - 1])
    lure = p.copy()
    lure[n - 1] = cost
    assert evaluate(inst, (mask, lure)).feasible
    lure[n - 1] = cost * (1 + 1e-6)
    assert any(f"user {n - 1} would share" in s
               for s in evaluate(inst, (mask, lure)).violations)
    # indices are never read as a mask, nor a mask as indices
    assert evaluate(inst, [0, 3]).violations
    assert evaluate(inst, {"sharers": [0, 3]}).value == pytest.approx(closed[2], rel=RATIO_TOL)


def test_evaluator_matches_example_b1_and_the_package_objective():
    assert _ev().sense == "OPT/ALG" and _ev().instance_type is S.SharingInstance
    check_evaluator(_ev().evaluate)


def _surplus_instead_of_payoff(inst, answer):
    e = SS.evaluate_sharing(inst, answer)
    return B.Evaluation(e.details.get("surplus", math.nan), e.violations, e.details)


def _prices_ignored(inst, answer):
    if isinstance(answer, tuple):
        answer = answer[0]
    return SS.evaluate_sharing(inst, answer)


def _no_price_checks(inst, answer):
    e = SS.evaluate_sharing(inst, answer)
    return B.Evaluation(e.value, tuple(s for s in e.violations if "would" not in s), e.details)


def _indices_as_mask(inst, answer):
    if isinstance(answer, list):
        answer = {"sharers": answer}
    return SS.evaluate_sharing(inst, answer)


def _all_leakage_counted(inst, answer):  # forgets the prices: U = Σ_i I_i(S)
    e = SS.evaluate_sharing(inst, answer)
    return B.Evaluation(e.value + sum(e.details.get("prices", [])), e.violations, e.details)


@pytest.mark.parametrize("wrong", [_surplus_instead_of_payoff, _prices_ignored,
                                   _no_price_checks, _indices_as_mask, _all_leakage_counted])
def test_wrong_evaluator_variants_fail_the_checks(wrong):
    with pytest.raises(AssertionError):
        check_evaluator(wrong)


def test_opt_is_the_certified_solve_and_large_n_approaches_the_papers_limits():
    opt = _ev().solve(_b1(), None)
    assert opt.proven and opt.objective == pytest.approx(B1_OPT, abs=TABLE_TOL)
    assert opt.backend == "exact:gray-enumeration"
    greedy_file = S.SharingInstance.from_dict({**_b1().to_dict(), "method": "greedy"})
    assert _ev().solve(greedy_file, None).proven  # OPT is certified whatever the file asks
    df = B.run("sharing", ["greedy"], "sharing.random", {"n": 12}, 1, time_limit=1e-4)
    assert df["opt_status"].iloc[0] == "time_limit" and df["status"].iloc[0] == "unproven"
    assert math.isnan(df["ratio"].iloc[0]) and df["ratio_lo"].iloc[0] >= 1.0
    # Example B-1 as n -> ∞ at a = 1: platform 1/(2-ρ) - v(1-ρ)²/(2-ρ) = 1/3 per user and
    # surplus (1-v)/(2-ρ) = -2/3 per user; at n = 1000 the notes' table gives 0.331004
    n, rho, v = 1000, 0.5, 2.0
    inst = S.SharingInstance(covariance=(1 - rho) * np.eye(n) + rho * np.ones((n, n)),
                             privacy_values=np.full(n, v))
    e = _ev().evaluate(inst, np.ones(n, bool))
    lim = S.example_b1.limits(rho, v)
    assert e.value / n == pytest.approx(0.331004, abs=TABLE_TOL)
    assert abs(e.value / n - lim["platform_per_user"]) < 3 / n
    assert e.details["surplus"] / n == pytest.approx(-0.666002, abs=TABLE_TOL)


@pytest.mark.parametrize("answer, words", [
    ([0, 3], "0/1 (or boolean) vector of length n = 8"),          # indices, bare
    ([1, 0, 1], "got shape (3,)"),
    (np.ones((2, 4)), "got shape (2, 4)"),
    ([0, 1, 2, 0, 0, 0, 0, 0], "entries must be 0 or 1, got [2]"),
    ([0.5] * 8, "entries must be 0 or 1"),
    (["a"] * 8, "0/1 (or boolean) vector"),
    (None, "0/1 (or boolean) vector"),
    ([], "got shape (0,)"),
    ({"sharers": [0, 8]}, "must lie in 0..7, got [8]"),
    ({"sharers": [-1]}, "must lie in 0..7, got [-1]"),
    ({"sharers": [2, 2, 5]}, "duplicate user indices [2]"),
    ({"sharers": [True, False]}, "integer user indices"),
    ({"sharers": [1.0, 2.0]}, "integer user indices"),
    ({"sharers": [[1], [2]]}, "integer user indices"),
    ({"profile": [1] * 8, "sharers": [0]}, "exactly one of"),
    ({}, "exactly one of"),
    ({"profile": [1] * 8, "price": [0] * 8}, "unknown keys ['price']"),
    ({"profile": [1] * 8, "prices": [0.1] * 7}, "prices: must be 8 finite numbers"),
    ((np.ones(8), np.full(8, np.nan)), "prices: must be 8 finite numbers"),
])
def test_malformed_profiles_are_violations_without_a_value(answer, words):
    e = _ev().evaluate(_b1(), answer)
    assert not e.feasible and math.isnan(e.value)
    assert any(words in s for s in e.violations), e.violations


def test_every_accepted_form_gives_the_same_value():
    inst = _b1()
    mask = _k_mask(8, 3)
    p = S.outcome(inst.covariance, inst.privacy_values, mask)["prices"]
    forms = [mask, mask.astype(int).tolist(), mask.astype(float), tuple(mask.tolist()),
             {"profile": mask}, {"sharers": [2, 0, 1]}, {"sharers": np.array([0, 1, 2])},
             {"sharers": [0, 1, 2], "prices": p}, (mask, p), (mask.astype(int), list(p))]
    vals = []
    for f in forms:
        e = _ev().evaluate(inst, f)
        assert e.feasible, (f, e.violations)
        assert e.details["sharers"] == [0, 1, 2]
        vals.append(e.value)
    assert vals == pytest.approx([S.example_b1.profit_by_k(8, 0.5, 2.0)[3]] * len(forms),
                                 rel=RATIO_TOL)


def test_nonpositive_payoff_has_an_infinite_or_unit_ratio():
    ev = _ev()
    assert ev.evaluate(_b1(), np.zeros(8, bool)).feasible  # buys nothing: payoff 0
    e = ev.evaluate(_b1(v=3.0), np.ones(8, bool))  # beyond v_8* = 2.3669: Π(1) < 0
    assert e.value == pytest.approx(-1.296970, abs=TABLE_TOL) and e.feasible
    # the notes' table at n = 8: v = 2.5 has k* = 3 (0.25, a = 1: -0.272727); v = 3 has k* = 0
    df = B.run("sharing", ["share-all", "local-search"], "sharing.example-b1",
               {"v": [2.5, 3.0]}, 1)
    rows = {(r["algorithm"], r["params"]["v"]): r for r in df.to_dict("records")}
    # OPT = 0.25 > 0 >= ALG: nothing of a positive optimum; OPT = 0 >= ALG: inf too
    assert rows[("share-all", 2.5)]["status"] == "ok"
    assert rows[("share-all", 2.5)]["ratio"] == math.inf
    assert rows[("share-all", 3.0)]["ratio"] == math.inf  # OPT 0 beats a negative payoff
    ls = rows[("local-search", 2.5)]
    assert ls["status"] == "ok" and ls["opt"] == pytest.approx(0.25, abs=TABLE_TOL)
    assert ls["ratio"] == pytest.approx(1.0, rel=RATIO_TOL)
    # OPT = 0: the empty profile is optimal, and its ratio is 1 (not 0/0)
    ls = rows[("local-search", 3.0)]
    assert ls["opt"] == 0.0 and ls["alg"] == 0.0
    assert ls["status"] == "ok" and ls["ratio"] == 1.0


# ----------------------------------------------------------------------------- algorithms


def test_shipped_algorithms_are_thin_wrappers_and_scale_free():
    algs = B.algorithms("sharing")
    assert {"greedy", "local-search", "share-all", "low-value"} <= set(algs)
    inst = B.get_family("sharing.random").make({"n": 7}, 3)
    v = inst.privacy_values
    obj = S.platform_objective(v)
    for name, ref in (("greedy", S.greedy), ("local-search", S.local_search)):
        prof = algs[name].fn(inst, np.random.default_rng(0))
        assert np.array_equal(prof, ref(inst.covariance, obj, inst.noise_variance).profile)
        tiny = S.SharingInstance(covariance=inst.covariance * 1e-12, privacy_values=v,
                                 noise_variance=inst.noise_variance * 1e-12)
        assert np.array_equal(algs[name].fn(tiny, np.random.default_rng(0)), prof)
    assert np.array_equal(algs["low-value"].fn(inst, None), v <= 1)
    assert algs["share-all"].fn(inst, None).all()


def test_families_are_seeded_validated_and_listed():
    fam = B.get_family("sharing.random", "sharing")
    a, b = fam.make({"n": 5}, 7), fam.make({"n": 5}, 7)
    assert a == b and a != fam.make({"n": 5}, 8)
    assert (a.privacy_values < 1).any()  # OPT > 0: one low-value user
    with pytest.raises(InstanceError, match="grid.n"):
        fam.make({"n": SS.RANDOM_MAX_USERS + 1}, 0)
    with pytest.raises(InstanceError, match="grid.rho"):
        B.get_family("sharing.example-b1").make({"rho": 1.0}, 0)
    rng = np.random.default_rng(0)
    b1 = B.get_family("sharing.example-b1")
    for _ in range(20):
        p = b1.random_params(rng)
        assert 1 < p["v"] < S.example_b1.pairwise_threshold(p["n"], p["rho"])
        q = b1.neighbour(p, rng)
        assert set(q) == set(b1.defaults) and isinstance(q["n"], int)
        lo, hi = SS.B1_BOUNDS["n"]
        assert lo <= q["n"] <= hi and 0 < q["rho"] < 1
    r = runner.invoke(app, ["list", "--json"])
    fams = {f["name"]: f for f in json.loads(r.stdout)["families"]}
    assert fams["sharing.example-b1"]["searchable"] is True
    assert fams["sharing.random"]["problem"] == "sharing"


# ----------------------------------------------------------------------------- CLI


def _direct_profile(alg, inst, user):
    """The profile of ``alg`` computed here, without the bench wrappers."""
    sig, v, tau = inst.covariance, inst.privacy_values, inst.noise_variance
    if alg == "greedy":
        s = sig.diagonal().max()
        return S.greedy(sig / s, S.platform_objective(v), tau / s).profile
    if alg == "share-all":
        return np.ones(inst.n, bool)
    return S.mask_from_indices(inst.n, user.top_variance(inst, None)["sharers"])


def test_solver_bench_sharing_end_to_end(user_module, tmp_path):
    store = tmp_path / "runs.sqlite"
    r = runner.invoke(app, ["bench", "sharing", "--algorithm", "greedy", "--algorithm",
                            "share-all", "--algorithm", "my_sharing_algs:top_variance",
                            "--algorithm", "my_sharing_algs:with_prices", "--family",
                            "sharing.random", "--grid", '{"n": [4, 6]}', "--seeds", "2",
                            "--store", str(store), "--json"])
    assert r.exit_code == 0, r.output
    assert len(r.stdout.splitlines()) == 2 * 2 * 4
    import my_sharing_algs as U

    df = B.load(store)
    assert len(df) == 16 and set(df["sense"]) == {"OPT/ALG"}
    fam = B.get_family("sharing.random")
    for row in df.to_dict("records"):
        inst = fam.make(row["params"], row["seed"])
        sig, v, tau = inst.covariance, inst.privacy_values, inst.noise_variance
        opt = S.solve(inst)
        assert row["opt_status"] == "optimal" and row["opt"] == pytest.approx(opt.objective)
        alg = row["algorithm"]
        if alg == "my_sharing_algs:with_prices":
            a, p = U.with_prices(inst, None)
            val = float(S.leakage(sig, a, tau).sum() - p.sum())
        else:
            val = S.outcome(sig, v, _direct_profile(alg, inst, U), tau)["platform_payoff"]
        assert row["alg"] == pytest.approx(val, rel=RATIO_TOL)
        if val > 0:
            assert row["status"] == "ok"
            assert row["ratio"] == pytest.approx(opt.objective / val, rel=RATIO_TOL)
        else:  # nothing of a positive optimum (1 if OPT is 0 too)
            assert row["status"] == "ok"
            assert float(row["ratio"]) == (1.0 if opt.objective <= val else math.inf)


def test_solver_worst_finds_share_all_far_from_optimal_and_rerun_replays(tmp_path):
    out, store = tmp_path / "worst.json", tmp_path / "w.sqlite"
    r = runner.invoke(app, ["worst", "sharing", "--algorithm", "share-all", "--family",
                            "sharing.example-b1", "--restarts", "3", "--steps", "30",
                            "--seed", "2", "--target", "5", "--budget", "60", "--out",
                            str(out), "--store", str(store), "--json"])
    assert r.exit_code == 0, r.output
    res = json.loads(r.stdout)
    assert res["ratio"] > 5 and res["sense"] == "OPT/ALG"
    ratios = B.load(store)["ratio"].tolist()
    assert ratios == sorted(ratios) and ratios[0] < res["ratio"] == pytest.approx(ratios[-1])
    # the worst instance is Example B-1 itself: check against the closed form
    p = res["params"]
    k_star, best = S.example_b1.true_optimum(p["n"], p["rho"], p["v"])
    at_all = S.example_b1.profit_by_k(p["n"], p["rho"], p["v"])[p["n"]]
    assert k_star < p["n"] and res["ratio"] == pytest.approx(best / at_all, rel=1e-7)
    r = runner.invoke(app, ["bench", "--rerun", str(out)])
    assert r.exit_code == 0, r.output
    lines = dict(line.split(": ", 1) for line in r.stdout.splitlines())
    assert float(lines["ratio (OPT/ALG)"]) == pytest.approx(res["ratio"], rel=RATIO_TOL)
    assert float(lines["ALG"]) == pytest.approx(at_all, rel=1e-7)


def test_worst_climbs_from_a_random_start():
    fam = B.get_family("sharing.example-b1")
    start = fam.random_params(np.random.default_rng(102))
    res = B.worst("sharing", "share-all", "sharing.example-b1", restarts=2, steps=40, seed=2,
                  start=start, target=5.0, budget_seconds=60)
    first = res.improvements[0]
    assert first["params"] == fam.check(start) and first["ratio"] < 2
    assert res.ratio > 5 and len(res.improvements) > 2
    assert [r["ratio"] for r in res.improvements] == sorted(r["ratio"] for r in res.improvements)
