"""LP benchmark: backend agreement, profiles vs histograms, mechanisms feasible, size limit."""

from __future__ import annotations

import math

import numpy as np
import pytest

from solver.errors import InstanceError, SizeLimitError
from solver.opt import available_backends, solve
from solver.privacy import PrivateMechanismLPInstance as LPI
from solver.privacy import lp_benchmark
from solver.privacy.model import PrivacyBound
from solver.tolerances import BACKEND_AGREEMENT

F = PrivacyBound("log", 1.0)


def test_every_backend_agrees():
    lp, _ = lp_benchmark.build_lp(3, np.eye(2), 0.3, F, "profiles")
    objs = {}
    for be in available_backends(lp):
        sol = solve(lp, backend=be)
        assert sol.status == "optimal", be
        objs[be] = sol.objective
    assert len(objs) >= 2
    vals = np.array(list(objs.values()))
    assert np.ptp(vals) <= BACKEND_AGREEMENT, objs


@pytest.mark.parametrize("family, n, locs, eps", [
    ("election", 4, None, 0.3),
    ("facility", 3, (0.0, 0.5, 1.0), 0.25),
    ("facility", 2, (0.0, 0.3, 1.0), 0.1),
])
def test_profiles_equal_histograms_and_mechanism_feasible(family, n, locs, eps):
    res = {m: lp_benchmark.solve_lp(LPI(n, eps, F, family, locations=locs, mode=m))
           for m in ("profiles", "histograms")}
    assert abs(res["profiles"]["objective"] - res["histograms"]["objective"]) <= 1e-7
    r = res["histograms"]
    assert r["mechanism_feasible"]
    assert r["objective"] >= r["mechanism_welfare"] - 1e-9
    assert r["objective"] <= r["optimal_welfare_without_privacy"] + 1e-9


def test_truthfulness_constraint_binds_for_a_large_privacy_value():
    """With φ = F(e^ε) above half the gap every responsive mechanism is excluded."""
    big = PrivacyBound("log", 10.0)
    r = lp_benchmark.solve_lp(LPI(3, 0.3, big, "election", mode="histograms"))
    assert r["objective"] == pytest.approx(1.5, abs=1e-7)     # a constant (or coin) mechanism
    assert not r["mechanism_feasible"]


def test_size_limit():
    with pytest.raises(SizeLimitError) as e:
        LPI.from_dict({"problem": "private-mechanism-lp", "n": 9, "family": "facility",
                       "locations": [0, 0.5, 1], "epsilon": 0.5,
                            "privacy_bound": {"kind": "log", "kappa": 1}})
    assert e.value.field == "n" and "histograms" in str(e.value)
    inst = LPI.from_dict({"problem": "private-mechanism-lp", "n": 9, "family": "facility",
                               "mode": "histograms", "locations": [0, 0.5, 1],
                               "epsilon": 0.5, "privacy_bound": {"kind": "log", "kappa": 1}})
    assert inst.n == 9
    with pytest.raises(SizeLimitError):
        lp_benchmark.build_lp(12, np.eye(3), 0.5, F, "profiles")


@pytest.mark.parametrize("raw, field", [
    ({"n": 3, "family": "election", "epsilon": 0, "privacy_bound": {"kind": "log"}},
     "epsilon"),
    ({"n": 0, "family": "election", "epsilon": 1, "privacy_bound": {"kind": "log"}}, "n"),
    ({"n": 2, "family": "facility", "locations": [0, 1, 0.5], "epsilon": 1,
      "privacy_bound": {"kind": "log"}}, "locations[2]"),
    ({"n": 2, "family": "custom", "utility": [[1, 0]], "epsilon": 1,
      "privacy_bound": {"kind": "log"}}, "utility"),
    ({"n": 2, "family": "election", "epsilon": 1}, "privacy_bound"),
])
def test_bad_input(raw, field):
    with pytest.raises(InstanceError) as e:
        LPI.from_dict({"problem": "private-mechanism-lp", **raw})
    assert e.value.field == field


def test_custom_utilities_solve():
    inst = LPI.from_dict({"problem": "private-mechanism-lp", "n": 2, "family": "custom",
                               "utility": [[3, 0, 1], [0, 2, 2]], "epsilon": 0.5,
                               "privacy_bound": {"kind": "linear", "kappa": 0.2}})
    r = lp_benchmark.solve_lp(inst)
    assert r["status"] == "optimal" and math.isfinite(r["objective"])


@pytest.mark.parametrize(("n", "T"), [(1, 2), (2, 3), (3, 2), (4, 3)])
def test_profile_graph_is_the_product_order_with_every_lie(n, T):
    """profile_graph (shared by the LP and the bench evaluator) against the definition:
    itertools.product order, histograms, and each lie (s, s', a, b) in (s, i, b) order."""
    import itertools

    from solver.privacy.lp_benchmark import profile_graph

    keys = list(itertools.product(range(T), repeat=n))
    index = {k: i for i, k in enumerate(keys)}
    edges = [(s, index[k[:i] + (b,) + k[i + 1:]], k[i], b)
             for s, k in enumerate(keys) for i in range(n) for b in range(T) if b != k[i]]
    prof, counts, E = profile_graph(n, T)
    assert [tuple(k) for k in prof.tolist()] == keys
    assert counts.tolist() == [np.bincount(k, minlength=T).tolist() for k in keys]
    assert [tuple(e) for e in E.tolist()] == edges
