"""The loader's limits (issue #11, item 5): alias bombs, nesting, keys, directories, huge ints.

Every case is a one-line ``error: FIELD: RULE`` with exit 2 (``tests/contract.py``), decided
before any problem sees the data, and fast: the limits are measured on the parsed file, not
on its expansion.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from contract import check_contract, run_solve
from typer.testing import CliRunner

from solver import io
from solver.cli import app
from solver.errors import InstanceError
from solver.sweep.builtin import count_numbers

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def _input_error(out, field: str | None = None, rule: str | None = None) -> str:
    """Exit 2 with one ``error: FIELD: RULE`` line; return that line."""
    check_contract(out)
    assert out.rc == 2, (out.rc, out.stdout[:300], out.stderr[:300])
    line = out.stderr.strip()
    if field is not None:
        assert line.startswith(f"error: {field}: "), line
    if rule is not None:
        assert rule in line, line
    return line


def _laughs(levels: int = 9, width: int = 9) -> str:
    """A "billion laughs" YAML: ``width ** levels`` values from a few hundred bytes."""
    lines = ["problem: pricing", "supply: 1",
             "x0: &x0 [" + ",".join(["1"] * width) + "]"]
    for i in range(1, levels - 1):
        lines.append(f"x{i}: &x{i} [" + ",".join([f"*x{i - 1}"] * width) + "]")
    lines.append("valuations: [" + ",".join([f"*x{levels - 2}"] * width) + "]")
    return "\n".join(lines) + "\n"


def test_yaml_alias_bomb_refused_fast(tmp_path):
    f = tmp_path / "laughs.yaml"
    f.write_text(_laughs())
    assert f.stat().st_size < 700
    t0 = time.perf_counter()
    line = _input_error(run_solve(f), "laughs.yaml", "values once YAML aliases are expanded")
    assert time.perf_counter() - t0 < 5
    assert f"{io.MAX_VALUES:,}" in line


def test_yaml_anchored_rows_expanding_to_a_huge_matrix(tmp_path):
    # 125 KB of YAML: one anchored row of 5000 numbers aliased 20000 times (10^8 values;
    # it took 3.6 GB and 48 s before the limit)
    row = "[" + ", ".join(["0.5"] * 5000) + "]"
    f = tmp_path / "matrix.yaml"
    f.write_text("problem: pricing\nsupply: 1\nvaluations:\n- &r " + row + "\n"
                 + "- *r\n" * 19999)
    t0 = time.perf_counter()
    _input_error(run_solve(f), "matrix.yaml", "once YAML aliases are expanded")
    assert time.perf_counter() - t0 < 10


def test_shared_rows_below_the_limit_are_accepted():
    row = "[" + ", ".join(["0.5"] * 10) + "]"
    raw = io.parse_text("a:\n- &r " + row + "\n" + "- *r\n" * 9)
    assert len(raw["a"]) == 10 and io.inspect_tree(raw) == 1 + 1 + 10 * 11


def test_recursive_alias_is_refused():
    with pytest.raises(InstanceError, match="contains itself") as e:
        io.parse_text("problem: pricing\nvaluations: &a [1, *a]\n")
    assert e.value.field == "valuations[1]"  # where the alias points back


def test_value_limit_applies_to_json_too():
    with pytest.raises(InstanceError, match="values once YAML aliases") as e:
        io.inspect_tree({"a": [0] * io.MAX_VALUES}, "big.json")
    assert e.value.field == "big.json"
    assert io.inspect_tree({"a": [0] * (io.MAX_VALUES - 2)}) == io.MAX_VALUES


@pytest.mark.parametrize("suffix", ["yaml", "json"])
def test_deep_nesting_is_an_input_error(tmp_path, suffix):
    depth = 1000  # YAML deeper than ~500 was a RecursionError on every problem
    inner = "[" * depth + "1" + "]" * depth
    f = tmp_path / f"deep.{suffix}"
    text = (f"problem: pricing\nvaluations: {inner}\n" if suffix == "yaml"
            else f'{{"problem": "pricing", "valuations": {inner}}}')
    f.write_text(text)
    _input_error(run_solve(f), None, f"nested deeper than {io.MAX_DEPTH} levels")


def test_depth_limit_boundary():
    ok = "[" * (io.MAX_DEPTH - 1) + "1" + "]" * (io.MAX_DEPTH - 1)
    assert io.parse_text('{"a": ' + ok + "}")["a"]
    assert io.parse_text("a: " + ok + "\n")["a"]
    deep = "[" + ok + "]"
    for text in ('{"a": ' + deep + "}", "a: " + deep + "\n"):
        with pytest.raises(InstanceError, match="nested deeper") as e:
            io.parse_text(text, source="f")
        assert e.value.field in ("a", "f")


def test_directory_is_named_as_such(tmp_path):
    _input_error(run_solve(tmp_path), str(tmp_path), "is a directory")


def test_empty_key_is_named(tmp_path):
    line = _input_error(run_solve({"problem": "pricing", "": 1}), None, "unknown field")
    assert line.startswith('error: "" (empty key): unknown field'), line


def test_integer_yaml_key_must_be_a_string(tmp_path):
    f = tmp_path / "intkey.yaml"
    f.write_text("problem: vcg\nutilities:\n  1: [1, 2]\nepsilon: 0.5\nmax_utility: 2\n")
    _input_error(run_solve(f), "utilities.1", "keys must be strings")


def test_yaml_nan_is_refused_by_path():
    with pytest.raises(InstanceError, match="finite") as e:
        io.parse_text("problem: x\nv: [1, .nan]\n")
    assert e.value.field == "v[1]"


def test_huge_float_integer_is_the_right_rule_and_no_warning():
    raw = json.loads((ROOT / "data/privacy/facility_q20_n10000.json").read_text())
    raw["counts"] = [1e300] + raw["counts"][1:]
    out = run_solve(raw)
    line = _input_error(out, "counts[0]", "got 1e+300")  # was "must contain at least one
    # player" after a RuntimeWarning: the cast of 1e300 to int64
    assert "2**53" in line or "9007199254740992" in line, line
    assert "Warning" not in out.stderr and line == out.stderr.strip()


def test_as_int_of_a_huge_float():
    from solver.validate import as_array, as_int

    with pytest.raises(InstanceError, match="2\\*\\*53 in magnitude, got 1e\\+300"):
        as_int(1e300, "n")
    with pytest.raises(InstanceError, match="<= 10, got 1e\\+300"):
        as_array([1, 1e300], "c", integer=True, maximum=10)  # the field's own bound first
    with pytest.raises(InstanceError, match="c\\[0\\]: must be at most 2\\*\\*53 in "
                                            "magnitude, got 1e\\+300"):
        as_array([1e300, 1], "c", integer=True, minimum=0)
    assert as_array([2.0**53, 0], "c", integer=True).tolist() == [2**53, 0]


def test_non_regular_and_unreadable_files(tmp_path):
    assert "file not found" in _input_error(run_solve(tmp_path / "none.json"))
    f = tmp_path / "bin.json"
    f.write_bytes(b"\xff\xfe{")
    _input_error(run_solve(f), str(f), "not UTF-8")


def test_count_numbers_reuses_shared_objects():
    leaf = [1, 2.5, True, "x"]        # two numbers (bool and str are not)
    node = leaf
    for _ in range(8):                # 9**8 = 43 M leaves if expanded: seconds of walking
        node = [node] * 9
    t0 = time.perf_counter()
    assert count_numbers({"v": node, "n": 3}) == 2 * 9**8 + 1
    assert time.perf_counter() - t0 < 2


def test_sweep_instance_scan_refuses_the_alias_bomb(tmp_path):
    d = tmp_path / "inst"
    d.mkdir()
    (d / "laughs.yaml").write_text(_laughs())
    store = tmp_path / "s.sqlite"
    t0 = time.perf_counter()
    r = runner.invoke(app, ["sweep", "solve", "--instances", str(d), "--store", str(store),
                            "--workers", "0", "--quiet"])
    assert time.perf_counter() - t0 < 10
    assert r.exit_code == 2, (r.exit_code, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "laughs.yaml" in lines[0] and "aliases" in lines[0], lines
    assert not store.exists()
