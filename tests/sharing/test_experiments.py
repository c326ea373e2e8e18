"""The sharing sweep experiment: heuristics against the exact optimum."""

from __future__ import annotations

import json

import numpy as np
import pytest

from solver.problems import solve_file
from solver.sharing.experiments import heuristic_ratio, random_covariance


def test_random_covariance_is_psd_and_seeded():
    a = random_covariance(np.random.default_rng(3), 9)
    b = random_covariance(np.random.default_rng(3), 9)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(a, a.T)
    assert np.linalg.eigvalsh(a).min() > 0


@pytest.mark.parametrize("alg", ["greedy", "local-search"])
@pytest.mark.parametrize("seed", range(4))
def test_heuristic_never_beats_exact_and_instance_reruns(alg, seed, tmp_path):
    r = heuristic_ratio({"algorithm": alg, "n": 9}, seed)
    assert r["ratio"] >= 1 - 1e-12 and r["value"] <= r["opt"] + 1e-12
    f = tmp_path / "inst.json"
    f.write_text(json.dumps(r["instance"]))
    out = solve_file(f)
    assert out["status"] == "optimal"
    assert out["objective"] == pytest.approx(r["opt"], abs=1e-9)
