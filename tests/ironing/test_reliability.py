"""Issue #11 for ``ironing``: reproducers, scale invariance, cross-backend agreement after the
polish, the a-posteriori certificate, budgets and deadlines."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import numpy as np
import pytest

from solver.ironing import models, problem
from solver.ironing.certificate import check_ironing
from solver.ironing.models import gap_lp, isotonic_qp
from solver.opt import available_backends
from tests.contract import SCALES, check_contract, close, run_solve, scaled

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data" / "ironing"
#: The money fields of each shipped file (costs); probabilities and masses do not scale.
COST_FIELDS = {"example_b_piecewise.json": ["piecewise_uniform.breaks"],
               "example_c_discrete.json": ["values"],
               "near_tight_n100.json": ["piecewise_uniform.breaks"],
               "truncnorm_scipy.json": ["distribution.loc", "distribution.scale"]}
#: The file whose LP runs on every backend in the default suite (the QP on both backends is
#: the reproducer test); every file x method x backend runs with SOLVER_LONG_TESTS=1 (the
#: figures are in docs/ironing.md).
DEFAULT_MATRIX = ("near_tight_n100.json", "lp")
AGREE = 1e-7
LONG = os.environ.get("SOLVER_LONG_TESTS") == "1"


def load(name: str) -> dict:
    return json.loads((DATA / name).read_text())


@pytest.fixture(scope="module")
def hull_objectives() -> dict[str, float]:
    return {f: check_contract(run_solve(DATA / f)).objective for f in COST_FIELDS}


# ---------------------------------------------------------------- reproducers of issue #11
def test_reproducer_single_atom_at_zero():
    # was ZeroDivisionError (ratios 0/0): every payment is 0, the ratios are undefined
    out = check_contract(run_solve({"problem": "ironing", "values": [0], "probabilities": [1],
                                    "units": 1, "players": 2}))
    assert out.rc == 0 and out.status == "optimal" and out.objective == 0.0
    assert out.result["ratio_mechanism_to_optimal"] is None
    assert out.result["envy_free_benchmark"] == 0.0 and out.result["mechanism_payment"] == 0.0


def test_reproducer_tiny_probability():
    # was ValueError "x must be strictly increasing" from inside the hull
    out = check_contract(run_solve({"problem": "ironing", "values": [1, 2, 3],
                                    "probabilities": [0.5, 1e-300, 0.5]}))
    assert out.rc == 2 and "error: probabilities[1]: must be at least 1e-12" in out.stderr


@pytest.mark.parametrize("raw,field", [
    ({"piecewise_uniform": {"breaks": [0, 1, 2, 3], "masses": [0.5, 1e-300, 0.5]}},
     "piecewise_uniform.masses[1]"),
    ({"mixture": {"components": [{"values": [1, 2], "probabilities": [0.5, 0.5]},
                                 {"values": [3], "probabilities": [1]}],
                  "weights": [1, 1e-300]}}, "mixture.weights[1]"),
    ({"mixture": {"components": [{"values": [1, 2], "probabilities": [1 - 1e-7, 1e-7]},
                                 {"values": [3], "probabilities": [1]}],
                  "weights": [1e-7, 1 - 1e-7]}}, "mixture.weights"),
    ({"values": [1, 1e300], "probabilities": [0.5, 0.5]}, "values"),
])
def test_tiny_masses_and_huge_costs_are_exit_2(raw, field):
    out = check_contract(run_solve({"problem": "ironing", **raw}))
    assert out.rc == 2 and f"error: {field}:" in out.stderr, out.stderr


def test_reproducer_lp_on_cbc_is_exact_or_not_optimal(hull_objectives):
    # pulp:CBC gave 30.45524 "optimal" against 30.45494 elsewhere; now either the polished
    # exact minorant or a non-optimal status
    out = check_contract(run_solve(DATA / "example_b_piecewise.json", "--method", "lp",
                                   "--backend", "pulp:CBC"))
    if out.status == "optimal":
        assert close(out.objective, hull_objectives["example_b_piecewise.json"], AGREE)
    else:
        assert out.rc == 1


def test_reproducer_qp_clarabel_and_highs_agree_on_near_tight(hull_objectives):
    # the two QP backends differed by 3.6e-5; each now agrees with the hull to 1e-7 or is
    # not optimal (measured: both optimal, equal to the hull's objective to the last digit)
    ref = hull_objectives["near_tight_n100.json"]
    optimal = 0
    for b in ("cvxpy:CLARABEL", "cvxpy:HIGHS"):
        out = check_contract(run_solve(DATA / "near_tight_n100.json", "--method", "qp",
                                       "--backend", b))
        if out.status == "optimal":
            optimal += 1
            assert close(out.objective, ref, AGREE), (b, out.result)
        else:
            assert out.rc == 1, out.result
    assert optimal >= 1


def test_reproducer_qp_highs_time_limit_is_honoured():
    """truncnorm --method qp --backend cvxpy:HIGHS --time-limit 5 ran past 120 s.  The model
    is built in well under a second (grid 0.24 s, QP 0.02 s measured); the backend is the
    slow part, and its limit comes from solver.opt (measured: ~1.8 s past the limit)."""
    t0 = time.perf_counter()
    out = check_contract(run_solve(DATA / "truncnorm_scipy.json", "--method", "qp",
                                   "--backend", "cvxpy:HIGHS", "--time-limit", "2"))
    assert time.perf_counter() - t0 < 2 + 6
    assert out.rc in (0, 1)
    if out.rc == 1:
        assert out.status in ("time_limit", "error")


def test_instance_without_benchmarks_reports_the_ironing_area():
    """Without units/players there is no payment: the objective is the I-LP's optimum, the
    area between H and its convex minorant (Example C: 0.2 * (0.1 + 0.4) / 2 = 0.05), so an
    "optimal" result always has a finite objective; it is money times probability (scales)."""
    raw = {k: v for k, v in load("example_c_discrete.json").items()
           if k not in ("units", "players")}
    for s in (1.0, 1e-9):
        out = check_contract(run_solve(scaled(raw, s, ["values"])))
        assert out.rc == 0 and out.status == "optimal" and close(out.objective, 0.05 * s)


# ---------------------------------------------------------------- scale invariance
@pytest.mark.parametrize("name", sorted(COST_FIELDS))
def test_scale_invariance_hull(name, hull_objectives):
    """Costs (values, breaks, a scipy distribution's loc and scale) are money: every payment,
    the objective included, scales by the same factor; probabilities and masses do not."""
    raw = load(name)
    base = hull_objectives[name]
    for s in SCALES:
        out = check_contract(run_solve(scaled(raw, s, COST_FIELDS[name])))
        assert out.rc == 0 and out.status == "optimal", (s, out.result)
        assert close(out.objective, s * base), (s, out.objective, s * base)


@pytest.mark.parametrize("method,backend", [("lp", "highs"), ("qp", "cvxpy:CLARABEL")])
def test_scale_invariance_models(method, backend, hull_objectives):
    """The LP and the QP see the same (normalised) model at every scale: near_tight's slopes
    span 8e-8 to 5e5, the hardest conditioning of the shipped files."""
    name = "near_tight_n100.json"
    raw = load(name)
    base = hull_objectives[name]
    for s in (1e-12, 1e9) if not LONG else SCALES:
        out = check_contract(run_solve(scaled(raw, s, COST_FIELDS[name]), "--method", method,
                                       "--backend", backend))
        assert out.status == "optimal" and close(out.objective, s * base, AGREE), (s, out.result)


# ---------------------------------------------------------------- cross-backend agreement
def _cases() -> list[tuple[str, str, str]]:
    from solver.ironing.problem import IroningInstance

    out = []
    for name in sorted(COST_FIELDS):
        inst = IroningInstance.from_dict(load(name))
        cc = inst.dist.cost_curve(1e-3)  # only to ask which backends take each model kind
        w = np.diff(cc.q)
        for method, model in (("lp", gap_lp(cc.q, cc.H)),
                              ("qp", isotonic_qp(np.diff(cc.H) / w, w))):
            for b in available_backends(model):
                if b != "portfolio" and (LONG or (name, method) == DEFAULT_MATRIX):
                    out.append((name, method, b))
    return out


@pytest.mark.parametrize("name,method,backend", _cases())
def test_every_backend_agrees_or_is_not_optimal(name, method, backend, hull_objectives):
    """A backend that says optimal agrees with the exact hull to 1e-7 relative (after the
    polish: measured to rounding, ~1e-16); one that cannot prove its answer (CBC's duals,
    CLARABEL's "inaccurate" on near_tight's LP, HiGHS' QP on large grids) exits 1."""
    out = check_contract(run_solve(DATA / name, "--method", method, "--backend", backend,
                                   "--time-limit", "30"))
    if out.status == "optimal":
        assert close(out.objective, hull_objectives[name], AGREE), out.result
        pol = out.result["polish"]
        assert pol["active_points"] <= pol["grid_points"]
    else:
        assert out.rc == 1, out.result


# ---------------------------------------------------------------- a-posteriori checks
def test_backend_that_perturbs_its_minorant_is_caught(monkeypatch):
    """A backend whose minorant misses a vertex by more than the polish's touch tolerance:
    the polished minorant crosses H and the certificate turns optimal into error."""
    real = models.minorant_by_lp

    def perturbed(q, H, backend="auto", time_limit=None):
        G, sol = real(q, H, backend, time_limit)
        G = G.copy()
        G[1:-1] -= 1e-3 * np.max(np.abs(H))
        return G, sol

    monkeypatch.setattr(models, "minorant_by_lp", perturbed)
    out = check_contract(run_solve(DATA / "example_c_discrete.json", "--method", "lp"))
    assert out.rc == 1 and out.status == "error"
    assert "a-posteriori check failed" in out.result["message"]


def test_wrong_ironing_is_caught(monkeypatch):
    real = problem.iron_curve

    def unironed(q, H):
        c = real(q, H)
        return type(c)(c.q, c.H, c.G, c.hull, c.slopes, c.slopes.copy(), c.intervals)

    monkeypatch.setattr(problem, "iron_curve", unironed)
    out = check_contract(run_solve(DATA / "example_c_discrete.json"))
    assert out.rc == 1 and out.status == "error" and "decrease" in out.result["message"]


def test_certificate_accepts_the_hull_and_rejects_a_non_greatest_minorant():
    q = np.array([0, 0.5, 0.6, 1.0])
    H = np.array([0, 0.5, 1.2, 3.0])
    assert check_ironing(q, H, np.array([1.0, 5.0, 5.0])) is None
    # a convex minorant that is not the greatest: one straight chord from 0 to 3
    msg = check_ironing(q, H, np.array([3.0, 3.0, 3.0]))
    assert msg is not None and "exceeds" in msg
    msg = check_ironing(q, H, np.array([0.8, 5.0 + 0.2 / 0.5, 5.0]))
    assert msg is not None


# ---------------------------------------------------------------- methods, budgets, notes
def test_unknown_method_and_backend_for_exact_methods_are_exit_2():
    f = DATA / "example_c_discrete.json"
    out = check_contract(run_solve(f, "--method", "bogus"))
    assert out.rc == 2 and "error: method:" in out.stderr
    for m in ("hull", "pava"):
        out = check_contract(run_solve(f, "--method", m, "--backend", "highs"))
        assert out.rc == 2 and "error: backend:" in out.stderr


def test_model_size_refused_before_building():
    # grid_tol 1e-14 on Example B asks for the 2^21-cell grid: the qp model would need
    # an estimated 7.8 GiB; refused at once, naming grid_tol and the method that scales
    raw = {**load("example_b_piecewise.json"), "grid_tol": 1e-14}
    t0 = time.perf_counter()
    out = check_contract(run_solve(raw, "--method", "qp"))
    assert out.rc == 2 and time.perf_counter() - t0 < 5
    assert "error: grid_tol:" in out.stderr and "--method pava" in out.stderr
    out = check_contract(run_solve(raw, "--max-memory", "100M"))
    assert out.rc == 2 and "error: grid_tol:" in out.stderr


def test_shipped_files_have_no_notes():
    for f in sorted(DATA.glob("*.json")):
        out = check_contract(run_solve(f))
        assert out.rc == 0 and "notes" not in out.result, (f.name, out.result.get("notes"))
