"""The Python API of ``solver.privacy`` (issue #12): four instance types, one ``solve``.

For each problem an instance built from Python values (numpy arrays, a
:class:`~solver.privacy.PrivacyBound`) and solved by :func:`solver.privacy.solve` is
certified and gives exactly what ``solver solve FILE --json`` prints for the shipped file
(keys ending in ``seconds`` aside); ``from_dict(to_dict())`` round-trips; construction
validates as the files do; importing ``solver.privacy`` registers nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import solver.privacy as privacy
from solver.errors import InstanceError
from solver.privacy import (
    ElectionInstance,
    FacilityInstance,
    PrivacyBound,
    PrivateMechanismLPInstance,
    VCGInstance,
    solve,
)
from solver.privacy.claims import CLAIMS
from solver.result import Result
from tests.contract import assert_same_as_cli

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data" / "privacy"
LOG = PrivacyBound("log", 1.0)


def _from_arrays(name: str) -> Any:
    """The shipped file ``name`` rebuilt from Python values (not from its mapping)."""
    if name == "election_tied.json":
        return ElectionInstance(votes_a=51, votes_b=50, epsilon=0.25, privacy_bound=LOG)
    if name == "facility_small.json":
        return FacilityInstance(locations=np.linspace(0.0, 1.0, 5),
                                counts=np.array([1, 2, 1, 1, 2]), epsilon=0.125,
                                privacy_bound=LOG)
    if name == "vcg_small.json":
        U = np.array([[2, 0, 1], [0, 2, 2], [1, 1, 0], [2, 2, 0], [0, 0, 2]])
        return VCGInstance(utilities=U, epsilon=1.0, max_utility=2,
                           privacy_bound=PrivacyBound("log", 0.03))
    assert name == "lp_election.json"
    return PrivateMechanismLPInstance(n=4, epsilon=0.4, privacy_bound=LOG, family="election",
                                      utility_gap=1.0)


FILES = ["election_tied.json", "facility_small.json", "vcg_small.json", "lp_election.json"]


@pytest.mark.parametrize("name", FILES)
def test_from_arrays_is_what_the_cli_prints(name):
    inst = _from_arrays(name)
    res = solve(inst)
    assert isinstance(res, Result) and res.certify() is res
    printed = assert_same_as_cli(res, DATA / name)
    assert list(res.to_dict()) == list(printed)               # same fields, same order
    # the same instance as the file's, and a lossless round trip
    raw = json.loads((DATA / name).read_text())
    assert type(inst).from_dict(raw) == inst
    assert type(inst).from_dict(inst.to_dict()) == inst
    assert inst.to_dict()["problem"] == raw["problem"]


def test_facility_reports_and_counts_agree():
    a = FacilityInstance.from_reports([0, 0.5, 1], [0, 0.5, 0.5, 1], 1.0)
    b = FacilityInstance(locations=[0, 0.5, 1], counts=[1, 2, 1], epsilon=1.0)
    assert a == b and a.counts.tolist() == [1, 2, 1]
    assert not a.counts.flags.writeable and not a.locations.flags.writeable


def test_construction_validates_like_the_files():
    with pytest.raises(InstanceError, match="votes.A"):
        ElectionInstance(votes_a=-1, votes_b=2, epsilon=1.0)
    with pytest.raises(InstanceError, match="votes"):
        ElectionInstance(votes_a=0, votes_b=0, epsilon=1.0)
    with pytest.raises(InstanceError, match="epsilon"):
        ElectionInstance(votes_a=1, votes_b=0, epsilon=0.0)
    with pytest.raises(InstanceError, match=r"locations\[2\]"):
        FacilityInstance(locations=[0, 0.5, 0.5], counts=[1, 1, 1], epsilon=1.0)
    with pytest.raises(InstanceError, match="counts"):
        FacilityInstance(locations=[0, 0.5, 1], counts=[1, 1], epsilon=1.0)
    with pytest.raises(InstanceError, match=r"utilities\[0\]\[1\]"):
        VCGInstance(utilities=np.array([[0, 4], [1, 1]]), epsilon=1.0, max_utility=3)
    with pytest.raises(InstanceError, match="privacy_bound"):
        PrivateMechanismLPInstance(n=2, epsilon=1.0, privacy_bound=None,  # type: ignore[arg-type]
                                   family="election")
    with pytest.raises(InstanceError, match="utility"):
        PrivateMechanismLPInstance(n=2, epsilon=1.0, privacy_bound=LOG, family="election",
                                   utility=[[1, 0], [0, 1]])
    with pytest.raises(InstanceError, match="locations"):
        PrivateMechanismLPInstance(n=2, epsilon=1.0, privacy_bound=LOG, family="facility")


def test_lp_custom_round_trip_and_read_only_utility():
    inst = PrivateMechanismLPInstance(n=2, epsilon=0.5, privacy_bound=PrivacyBound("linear", 0.2),
                                      utility=np.array([[3, 0, 1], [0, 2, 2]]))
    assert not inst.utility.flags.writeable
    assert PrivateMechanismLPInstance.from_dict(inst.to_dict()) == inst
    res = solve(inst, backend="highs")
    assert res.certify().backend == "highs"


def test_solve_refuses_other_types_and_backends():
    with pytest.raises(TypeError, match="ElectionInstance"):
        solve({"problem": "election"})
    inst = ElectionInstance(votes_a=1, votes_b=0, epsilon=0.5)
    with pytest.raises(InstanceError, match="takes no optimisation backend"):
        solve(inst, backend="highs")
    with pytest.raises(InstanceError, match="method"):
        solve(inst, method="lp")
    vcg = _from_arrays("vcg_small.json")
    with pytest.raises(InstanceError, match="takes no optimisation backend"):
        solve(vcg, backend="nosuch")


def test_vcg_unknown_backend_is_refused_before_solving(monkeypatch):
    """``--backend nosuch`` on ``vcg`` is an input error raised before any work."""
    from solver.privacy import vcg

    def boom(*a: Any, **k: Any) -> None:
        raise AssertionError("solved before the backend was checked")

    monkeypatch.setattr(vcg, "distribution", boom)
    with pytest.raises(InstanceError, match="backend"):
        solve(_from_arrays("vcg_small.json"), backend="nosuch")


def test_time_limit_is_honoured():
    res = solve(_from_arrays("election_tied.json"), time_limit=30)
    assert res.status == "optimal"
    with pytest.raises(InstanceError, match="time_limit"):
        solve(_from_arrays("election_tied.json"), time_limit=0)


def test_public_names_and_import_registers_nothing():
    assert set(privacy.__all__) >= {"ElectionInstance", "FacilityInstance", "VCGInstance",
                                    "PrivateMechanismLPInstance", "PrivacyBound", "solve"}
    for name in privacy.__all__:
        assert getattr(privacy, name) is not None
    code = ("import solver.privacy, solver.privacy.claims, solver.problems as p, "
            "solver.claims.registry as r; "
            "print(len(p._PROBLEMS), len(r._CLAIMS))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    assert out.stdout.split() == ["0", "0"]
    assert len(CLAIMS) >= 24 and len({c.id for c in CLAIMS}) == len(CLAIMS)
    assert all(c.id.startswith("privacy.") for c in CLAIMS)
