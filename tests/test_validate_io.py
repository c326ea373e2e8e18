"""Validation at the edge: every bad input names its field and rule."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from solver import io
from solver.cli import app
from solver.errors import InstanceError
from solver.problems import SolveOptions, register_problem
from solver.validate import as_array, as_choice, as_int, as_number, reject_unknown, require


def test_as_array_rules_name_the_index():
    with pytest.raises(InstanceError) as e:
        as_array([[0.1, 0.2], [0.3, float("nan")]], "valuations", ndim=2)
    assert e.value.field == "valuations[1][1]" and "finite" in e.value.rule
    with pytest.raises(InstanceError) as e:
        as_array([[0.1, 0.2], [0.3]], "valuations", ndim=2)
    assert e.value.field == "valuations[1]"
    with pytest.raises(InstanceError) as e:
        as_array([0.1, 0.5, 0.4], "v", nondecreasing=True)
    assert e.value.field == "v[2]" and "non-decreasing" in e.value.rule
    with pytest.raises(InstanceError) as e:
        as_array([1, 2, 2], "x", strictly_increasing=True)
    assert e.value.field == "x[2]"
    with pytest.raises(InstanceError) as e:
        as_array([1, -2], "d", minimum=0)
    assert e.value.field == "d[1]" and ">= 0" in e.value.rule
    with pytest.raises(InstanceError) as e:
        as_array([1, 2.5], "d", integer=True)
    assert e.value.field == "d[1]"
    with pytest.raises(InstanceError) as e:
        as_array([1, "a"], "d")
    assert e.value.field == "d[1]" and "number" in e.value.rule
    with pytest.raises(InstanceError):
        as_array([], "d")
    np.testing.assert_array_equal(as_array([1, 2], "d", integer=True), [1, 2])


def test_scalars_and_fields():
    assert as_int(3.0, "n") == 3
    for bad in (True, 3.5, "3", None):
        with pytest.raises(InstanceError):
            as_int(bad, "n")
    with pytest.raises(InstanceError, match="n: must be >= 1"):
        as_int(0, "n", minimum=1)
    with pytest.raises(InstanceError, match="finite"):
        as_number(float("inf"), "eps")
    with pytest.raises(InstanceError, match="> 0"):
        as_number(0, "eps", minimum=0, strict_min=True)
    with pytest.raises(InstanceError, match="one of"):
        as_choice("x", "method", ["a", "b"])
    with pytest.raises(InstanceError, match="demand: unknown field"):
        reject_unknown({"demand": 1, "problem": "p"}, ["demands", "problem"])
    with pytest.raises(InstanceError, match="sellers: is required"):
        require({}, "sellers")


def test_parse_text_rejects_nan_and_reports_position():
    with pytest.raises(InstanceError, match="finite") as e:
        io.parse_text('{"a": [1, {"b": NaN}]}')
    assert e.value.field == "a[1].b"
    with pytest.raises(InstanceError, match="2\\*\\*53"):
        as_int(10**400, "n")
    with pytest.raises(InstanceError, match="line 1 column"):
        io.parse_text('{"a": [1, 2')
    with pytest.raises(InstanceError, match="empty"):
        io.parse_text("   ")
    assert io.parse_text("problem: x\nn: 3\n") == {"problem": "x", "n": 3}


def test_to_jsonable_is_strict():
    out = io.dumps({"a": np.float64("nan"), "b": np.arange(2), "c": (np.int64(1), True)})
    assert json.loads(out) == {"a": None, "b": [0, 1], "c": [1, True]}


# A tiny problem registered by the test exercises the CLI contract without any paper's model.
def _parse_toy(raw):
    reject_unknown(raw, ["problem", "x", "fail"])
    return (as_number(require(raw, "x"), "x", minimum=0), bool(raw.get("fail", False)))


def _solve_toy(inst, opts: SolveOptions):
    x, fail = inst
    return {"status": "error" if fail else "optimal", "objective": 2 * x, "backend": "exact:toy",
            "seconds": 0.0, "double": 2 * x}


register_problem("toy-test", _parse_toy, _solve_toy, "test-only problem")
runner = CliRunner()


def test_cli_contract_exit_codes(tmp_path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"problem": "toy-test", "x": 1.5}))
    res = runner.invoke(app, ["solve", str(good), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert {"problem", "status", "objective", "backend", "seconds"} <= set(out)
    assert out["objective"] == 3.0 and out["problem"] == "toy-test"

    failing = tmp_path / "fail.json"
    failing.write_text(json.dumps({"problem": "toy-test", "x": 1, "fail": True}))
    assert runner.invoke(app, ["solve", str(failing), "--json"]).exit_code == 1

    cases = {
        '{"problem": "toy-test", "x": -1}': "x: must be >= 0",
        '{"problem": "toy-test"}': "x: is required",
        '{"problem": "toy-test", "x": 1, "y": 2}': "y: unknown field",
        '{"problem": "nope", "x": 1}': "problem: must be one of",
        '{"x": 1}': "problem: is required",
        '[1, 2]': "instance: must be an object",
        '{"problem": "toy-test", "x": NaN}': "finite",
        '{"problem": "toy-test", "x": [1': "not valid JSON",
    }
    for i, (text, msg) in enumerate(cases.items()):
        f = tmp_path / f"bad{i}.json"
        f.write_text(text)
        res = runner.invoke(app, ["solve", str(f), "--json"])
        assert res.exit_code == 2, (text, res.output)
        assert msg in res.stderr, (text, res.stderr)
        assert "Traceback" not in res.output
        assert len(res.stderr.strip().splitlines()) == 1
    res = runner.invoke(app, ["solve", str(tmp_path / "missing.json")])
    assert res.exit_code == 2 and "file not found" in res.stderr


def test_expected_counterexample_claims_flip_to_fail_when_the_check_passes():
    from solver.claims.registry import CheckContext, Claim, ClaimResult

    def refuted(ctx):
        return ClaimResult(ok=False, message="counterexample found")

    def passing(ctx):
        return ClaimResult(ok=True)

    mk = lambda fn: Claim("t.x", "p", "s", "st", "theorem", fn, expected="counterexample")  # noqa: E731
    assert mk(refuted).run(CheckContext())["status"] == "refuted"
    row = mk(passing).run(CheckContext())
    assert row["status"] == "FAIL" and "expected a counterexample" in row["message"]
    plain = Claim("t.y", "p", "s", "st", "theorem", refuted)
    assert plain.run(CheckContext())["status"] == "FAIL"


def test_claim_selection_is_exact_or_dotted_prefix_or_glob():
    from solver.claims import select

    ids = [c.id for c in select(["privacy.theorem-4.2"])]
    assert ids == ["privacy.theorem-4.2"]
    both = {c.id for c in select(["privacy.theorem-4.2*"])}
    assert {"privacy.theorem-4.2", "privacy.theorem-4.2-as-printed"} <= both
    pkg = select(["sampling"])
    assert pkg and all(c.id.startswith("sampling.") for c in pkg)
    with pytest.raises(KeyError, match="unknown claim"):
        select(["sampling.no-such-claim"])


def test_integers_beyond_float_range_are_input_errors():
    with pytest.raises(InstanceError, match="eps: must be finite"):
        as_number(10**400, "eps")
    with pytest.raises(InstanceError, match="d: must be finite"):
        as_array([1, 10**400], "d")


def test_field_key_is_never_empty_or_blank():
    from solver.validate import field_key

    assert field_key("demands") == "demands"
    assert field_key("") == '"" (empty key)'
    assert field_key(" a") == '" a"' and field_key("a: b") == '"a: b"'
    assert field_key("tab\there") == '"tab\\there"' and field_key(3) == "3"
    with pytest.raises(InstanceError) as e:
        reject_unknown({"": 1, "problem": "p"}, ["problem"])
    assert e.value.field == '"" (empty key)' and "unknown field" in e.value.rule
    with pytest.raises(InstanceError) as e:
        reject_unknown({"   ": 1}, ["problem"], prefix="options.")
    assert e.value.field == 'options."   "'
