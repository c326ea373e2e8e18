"""Typed machine output of ``reproduce --json`` and ``verify --json`` (issue #14 item 7).

Numbers are numbers, structures are JSON lists and objects, text is words: never a Python
repr such as ``"(2.0, 5.0, ...)"`` or ``"{'ironed': ...}"``.  Both outputs are loaded with
pandas and their columns' dtypes checked.  Terminal tables fit 80 columns with every claim
id whole.
"""

from __future__ import annotations

import ast
import io as _io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from rich.console import Console

from solver.claims.registry import abs_error, typed
from solver.cli import _claim_table

SOLVER = str(Path(sys.executable).with_name("solver"))
#: Quick theorem checks for ``verify --quick --json`` (a refuted, an unchecked, a dict-valued).
VERIFY_SUBSET = ["sampling.theorem-5.1", "sampling.footnote-2", "sampling.theorem-4.1",
                 "sampling.theorem-5.3-as-printed", "ironing.section-3.1-encoding",
                 "ironing.theorem-4.3"]
NUMERIC = ("abs_error", "tolerance", "seconds")
#: Width of the narrow terminal the tables must fit.
NARROW = 80


def _cli_json(*args: str) -> list[dict[str, Any]]:
    out = subprocess.run([SOLVER, *args, "--json"], capture_output=True, text=True,
                         check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def reproduce_rows() -> list[dict[str, Any]]:
    return _cli_json("reproduce")


@pytest.fixture(scope="module")
def verify_rows() -> list[dict[str, Any]]:
    return _cli_json("verify", *VERIFY_SUBSET, "--quick", "--workers", "2")


def _is_repr(value: Any) -> bool:
    """Whether ``value`` is a string holding a Python container's repr."""
    if not isinstance(value, str) or not value.strip().startswith(("(", "[", "{")):
        return False
    try:
        return isinstance(ast.literal_eval(value.strip()), tuple | list | dict | set)
    except (ValueError, SyntaxError):
        return False


def _walk(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [x for v in value.values() for x in _walk(v)]
    if isinstance(value, list):
        return [x for v in value for x in _walk(v)]
    return [value]


def _check_typed(df: pd.DataFrame) -> None:
    for col in NUMERIC:
        assert col in df.columns, col
        assert df[col].dtype == np.float64, (col, df[col].dtype)
    for col in ("paper_value", "computed", "worst_case", "details"):
        if col not in df.columns:
            continue
        for cell in df[col]:
            for leaf in _walk(cell):
                assert leaf is None or isinstance(leaf, bool | int | float | str), leaf
                assert not _is_repr(leaf), (col, leaf)
    for col in ("claim", "status", "kind"):
        assert df[col].map(type).eq(str).all(), col


def test_reproduce_json_is_typed(reproduce_rows: list[dict[str, Any]]) -> None:
    df = pd.DataFrame(reproduce_rows)
    _check_typed(df)
    assert (df["status"] == "ok").all(), df[df["status"] != "ok"][["claim", "message"]]
    both = df["paper_value"].map(lambda v: isinstance(v, int | float)) & df["computed"].map(
        lambda v: isinstance(v, int | float))
    assert both.sum() >= 5
    assert df.loc[both, "abs_error"].notna().all()
    assert np.allclose(df.loc[both, "abs_error"],
                       (df.loc[both, "computed"].astype(float)
                        - df.loc[both, "paper_value"].astype(float)).abs())
    byid = {r["claim"]: r for r in reproduce_rows}
    piece = byid["ironing.example-notes-B-piecewise-ironing"]
    assert isinstance(piece["computed"], list) and isinstance(piece["paper_value"], list)
    disc = byid["ironing.example-notes-C-discrete-ironing"]
    assert isinstance(disc["computed"], dict) and isinstance(disc["computed"]["ironed"], list)


def test_reproduce_loads_with_read_json(reproduce_rows: list[dict[str, Any]]) -> None:
    df = pd.read_json(_io.StringIO(json.dumps(reproduce_rows)), orient="records")
    assert df["tolerance"].dtype == np.float64 and df["seconds"].dtype == np.float64


def test_verify_json_is_typed(verify_rows: list[dict[str, Any]]) -> None:
    df = pd.DataFrame(verify_rows)
    _check_typed(df)
    checked = df[df["status"] != "not checked"]
    # a theorem's computed value is its worst value (a number) or a structure, never words
    assert checked["computed"].map(lambda v: isinstance(v, int | float | dict | list)).all()
    assert checked["details"].map(lambda d: isinstance(d.get("check", ""), str)).all()


def test_typed_helper() -> None:
    assert typed("(2.0, 5.0, 8.0)") == [2.0, 5.0, 8.0]
    assert typed("{'ironed': [1, 5], '(2,1)': 2.0}") == {"ironed": [1, 5], "(2,1)": 2.0}
    assert typed(np.array([[1, 2]])) == [[1, 2]]
    assert typed(np.float32(0.5)) == 0.5 and typed(np.int64(3)) == 3
    assert typed("independent of n") == "independent of n" and typed("(not a repr") == \
        "(not a repr"
    assert typed(float("inf")) is None
    from fractions import Fraction

    assert typed(Fraction(1, 4)) == 0.25
    assert abs_error(1.5, 1) == 0.5 and abs_error("a", 1.0) is None
    assert abs_error(True, 1.0) is None


def _render(rows: list[dict[str, Any]], example: bool) -> list[str]:
    con = Console(width=NARROW, record=True, file=_io.StringIO(), color_system=None)
    con.print(_claim_table(rows, "t", example=example, width=NARROW))
    return con.export_text().splitlines()


def test_tables_fit_80_columns_with_whole_ids(reproduce_rows: list[dict[str, Any]],
                                              verify_rows: list[dict[str, Any]]) -> None:
    for rows, example in ((reproduce_rows, True), (verify_rows, False)):
        lines = _render(rows, example)
        assert max(len(x) for x in lines) <= NARROW
        for r in rows:
            assert any(r["claim"] in x for x in lines), r["claim"]
