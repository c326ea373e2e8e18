"""The Python API of ``solver.sharing`` (issue #12): one instance type, one ``solve``.

A :class:`SharingInstance` built from numpy arrays and solved by
:func:`solver.sharing.solve` gives exactly what ``solver solve FILE --json`` prints for the
equivalent file; the raw-array entry points refuse a profile given as sharer indices.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import solver.sharing as sharing
from solver.claims.registry import all_claims
from solver.errors import InstanceError, NotCertifiedError
from solver.problems import get_problem
from solver.result import Result
from solver.sharing import SharingInstance, solve
from solver.sharing.claims import CLAIMS
from solver.sharing.experiments import EXPERIMENTS
from solver.sharing.problem import METHODS
from tests.contract import assert_same_as_cli

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data" / "sharing"
EXAMPLE = DATA / "example_b1_n8_v2.json"


def test_example_b1_from_arrays_is_what_the_cli_prints():
    n, rho = 8, 0.5
    inst = SharingInstance(covariance=(1 - rho) * np.eye(n) + rho * np.ones((n, n)),
                           privacy_values=np.full(n, 2.0))
    res = solve(inst)
    assert isinstance(res, Result) and res.certify() is res and res.exit_code == 0
    printed = assert_same_as_cli(res, EXAMPLE)
    assert list(res.to_dict()) == list(printed)               # same fields, same order
    assert res.objective == pytest.approx(0.877976, abs=1e-6)  # 5 sharers [AMMO22, Ex. B-1]
    assert res.profile == [1] * 5 + [0] * 3 and res["first_best_profile"] == [0] * n
    assert res.backend == "exact:gray-enumeration" and res.gap == 0.0
    assert res.bound == res.objective


@pytest.mark.parametrize("method, path", [
    ("exhaustive", EXAMPLE), ("greedy", EXAMPLE),
    ("branch-and-bound", DATA / "two_users_too_much_data.json"),   # (n = 8 takes ~10 s)
])
def test_methods_agree_with_the_cli(method, path):
    inst = SharingInstance.from_dict(json.loads(path.read_text()))
    res = solve(inst, method=method)
    assert_same_as_cli(res, path, "--method", method)
    if method == "greedy":
        assert res.status == "approximate" and res.exit_code == 0
        assert res.bound >= res.objective and res.gap >= 0     # the root bound: loose
        assert res.gap == pytest.approx((res.bound - res.objective) / max(1, res.objective))
        with pytest.raises(NotCertifiedError):
            res.certify()
    else:
        expected = 0.877976 if path == EXAMPLE else 0.722571
        assert res.certify().objective == pytest.approx(expected, abs=1e-6)


def test_the_gap_is_relative_whatever_the_units():
    """Scaling Σ and τ by 1e6 scales objective and bound, not the (relative) gap."""
    raw = json.loads((DATA / "random_n12.json").read_text())
    inst = SharingInstance.from_dict(raw)
    big = SharingInstance(covariance=inst.covariance * 1e6, privacy_values=inst.privacy_values,
                          noise_variance=inst.noise_variance * 1e6)
    a, b = solve(inst, method="greedy"), solve(big, method="greedy")
    assert a.status == b.status == "approximate"
    assert b.objective == pytest.approx(a.objective * 1e6, rel=1e-9)
    assert b.bound == pytest.approx(a.bound * 1e6, rel=1e-9)
    assert b.gap == pytest.approx(abs(b.bound - b.objective) / max(1.0, abs(b.objective)))
    assert b.gap <= a.gap + 1e-12


# ----------------------------------------------------------------------------- the instance
def test_round_trip_and_immutability():
    for f in sorted(DATA.glob("*.json")):
        inst = SharingInstance.from_dict(json.loads(f.read_text()))
        again = SharingInstance.from_dict(inst.to_dict())
        assert again == inst and hash(again) == hash(inst), f.name
        assert json.loads(json.dumps(inst.to_dict())) == inst.to_dict()
        for arr in (inst.covariance, inst.privacy_values):
            assert not arr.flags.writeable
        with pytest.raises(dataclasses.FrozenInstanceError):
            inst.method = "greedy"  # type: ignore[misc]
    inst = SharingInstance(covariance=[[1, 0.5], [0.5, 1]], privacy_values=(0.5, 2))
    assert inst.covariance.dtype == float and inst.noise_variance == 1.0
    assert inst.method == "exhaustive" and inst.n == 2


def test_construction_validates_like_a_file():
    good = {"covariance": np.eye(2), "privacy_values": np.array([1.0, 2.0])}
    cases = [
        ({"covariance": np.array([[1.0, 0.5], [0.4, 1.0]])}, "covariance[0][1]"),
        ({"covariance": np.array([[1.0, 2.0], [2.0, 1.0]])}, "covariance"),      # not PSD
        ({"covariance": np.ones(2)}, "covariance[0]"),                 # not a matrix
        ({"privacy_values": np.array([1.0, -1.0])}, "privacy_values[1]"),
        ({"privacy_values": np.array([1.0, 2.0, 3.0])}, "privacy_values"),
        ({"noise_variance": 0.0}, "noise_variance"),
        ({"noise_variance": 1e-12}, "noise_variance"),                         # ratio bound
        ({"method": "enumeration"}, "method"),
    ]
    for change, field in cases:
        kwargs = {**good, **change}
        with pytest.raises(InstanceError) as e:
            SharingInstance(**kwargs)
        assert e.value.field == field, change
        raw = {"problem": "sharing", **{k: (v.tolist() if isinstance(v, np.ndarray) else v)
                                        for k, v in kwargs.items()}}
        with pytest.raises(InstanceError) as e:
            SharingInstance.from_dict(raw)
        assert e.value.field == field, change
    assert SharingInstance(**good, noise_variance=np.float64(0.5)).noise_variance == 0.5
    with pytest.raises(InstanceError, match="must be 'sharing'"):
        SharingInstance.from_dict({"problem": "pricing", "covariance": [[1.0]],
                                   "privacy_values": [1.0]})
    with pytest.raises(InstanceError) as e:                 # a std is not the field's name
        SharingInstance.from_dict({"problem": "sharing", "covariance": [[1.0]],
                                   "privacy_values": [1.0], "noise_std": 1.0})
    assert e.value.field == "noise_std"


def test_solve_takes_an_instance_and_checks_the_options():
    raw = json.loads(EXAMPLE.read_text())
    with pytest.raises(TypeError, match="SharingInstance"):
        solve(raw)  # type: ignore[arg-type]
    inst = SharingInstance.from_dict(raw)
    with pytest.raises(InstanceError, match="method"):
        solve(inst, method="bogus")
    with pytest.raises(InstanceError, match="backend"):
        solve(inst, backend="highs")
    with pytest.raises(InstanceError, match="time_limit"):
        solve(inst, time_limit=0)
    assert solve(inst, backend="exact:gray-enumeration").status == "optimal"


def test_the_time_limit_is_honoured():
    rng = np.random.default_rng(6)
    a = rng.normal(size=(30, 30))
    inst = SharingInstance(covariance=a @ a.T / 30 + 0.05 * np.eye(30),
                           privacy_values=rng.uniform(1, 3, 30))
    res = solve(inst, method="branch-and-bound", time_limit=0.3)
    assert res.status in ("time_limit", "optimal") and res.seconds < 5
    if res.status == "time_limit" and res.objective is not None and res.bound is not None:
        assert res.bound >= res.objective and res.gap >= 0


# ----------------------------------------------------------------------------- conventions
def test_profiles_are_0_1_vectors_never_indices():
    sig = 0.5 * np.eye(3) + 0.5
    v = np.full(3, 2.0)
    with pytest.raises(ValueError, match="mask_from_indices"):
        sharing.outcome(sig, v, [0, 2])                    # indices, not a 0/1 vector
    with pytest.raises(ValueError, match="0 or 1"):
        sharing.outcome(sig, v, [0, 2, 1])
    with pytest.raises(ValueError, match="one entry per user"):
        sharing.outcome(sig, np.full(2, 2.0), [1, 0, 1])
    mask = sharing.mask_from_indices(3, [0, 2])
    assert mask.tolist() == [True, False, True]
    assert sharing.outcome(sig, v, mask)["profile"].tolist() == [1, 0, 1]
    with pytest.raises(ValueError, match="count from 0"):
        sharing.mask_from_indices(3, [3])                  # a 1-based index
    with pytest.raises(ValueError, match="count from 0"):
        sharing.mask_from_indices(3, [-1])                 # numpy would wrap it
    with pytest.raises(ValueError, match="0/1 rows"):
        importlib.import_module("solver.sharing.leakage").leakage_many(sig, [0, 1])


# ----------------------------------------------------------------------------- the package
def test_registration_lives_in_the_plugin():
    spec = get_problem("sharing")
    assert spec.methods == METHODS == ("exhaustive", "branch-and-bound", "greedy")
    assert spec.default_method == "exhaustive"
    assert spec.parse == SharingInstance.from_dict
    registered = {k: v for k, v in all_claims().items() if k.startswith("sharing.")}
    assert registered == {c.id: c for c in CLAIMS} and len(CLAIMS) >= 24
    from solver.sweep.experiments import experiments

    assert {n for n in experiments() if n.startswith("sharing.")} == {e[0] for e in EXPERIMENTS}
    code = ("import importlib, solver.sharing, solver.sharing.claims, "
            "solver.sharing.experiments, solver.problems as p, solver.claims.registry as r; "
            "e = importlib.import_module('solver.sweep.experiments'); "
            "print(len(p._PROBLEMS), len(r._CLAIMS), len(e._EXPERIMENTS))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=120)
    assert out.stdout.split() == ["0", "0", "0"], out.stderr


def test_all_names_resolve():
    assert {"SharingInstance", "solve", "enumerate_gray", "branch_and_bound", "greedy",
            "local_search", "leakage", "outcome", "platform_objective",
            "surplus_objective", "mask_from_indices"} <= set(sharing.__all__)
    for name in sharing.__all__:
        assert getattr(sharing, name) is not None, name
    from solver.sharing import enumerate_gray  # noqa: F401  (ImportError before #12)
