"""The error contract of ``solver solve``, as test helpers shared by every problem's tests.

``run_solve(instance, *args)`` writes ``instance`` (a dict) to a temporary JSON file and runs
``solver solve FILE --json *args`` in-process; :func:`check_contract` asserts the contract:

* exit 0: stdout is exactly one JSON object whose status is ``optimal`` or ``approximate``;
* exit 1: a non-optimal status (stdout, if any, is one JSON object with such a status) or a
  one-line ``solver error``/``internal error`` on stderr;
* exit 2: nothing on stdout and one stderr line ``error: FIELD: RULE``;
* never a traceback, never anything else on stdout.

``scaled(instance, factor, fields)`` multiplies the named numeric fields (nested lists
included) by ``factor``, for scale-invariance tests.
"""

from __future__ import annotations

import copy
import json
import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from solver.cli import app

runner = CliRunner()

#: The scales of the scale-invariance tests (issue: k in {-12, -9, -6, 0, 6, 9, 12}).
SCALES = (1e-12, 1e-9, 1e-6, 1.0, 1e6, 1e9, 1e12)
#: Scales that only shrink (for data bounded above, e.g. pricing valuations in [0, 1]).
DOWN_SCALES = (1e-12, 1e-9, 1e-6, 1.0)
#: Relative agreement required between a scaled answer and the unscaled one times the scale.
SCALE_AGREEMENT = 1e-7

def fuzz_examples(n: int) -> int:
    """``n`` examples for a fuzz test, times ``FUZZ_SCALE`` from the environment (default 1):
    ``FUZZ_SCALE=10 .venv/bin/python -m pytest tests -k fuzz`` is the longer run."""
    import os

    return max(1, int(n * float(os.environ.get("FUZZ_SCALE", "1"))))


_FIELD_LINE = re.compile(r"^error: \S.*: .+$")


@dataclass
class Outcome:
    """What one ``solver solve`` run did."""

    rc: int
    stdout: str
    stderr: str
    result: dict[str, Any] | None

    @property
    def status(self) -> str | None:
        return None if self.result is None else self.result.get("status")

    @property
    def objective(self) -> float | None:
        return None if self.result is None else self.result.get("objective")


def run_solve(instance: Mapping[str, Any] | str | Path, *args: str,
              json_out: bool = True) -> Outcome:
    """Run ``solver solve`` on a dict (written to a temp file) or a path; never raises."""
    with tempfile.TemporaryDirectory() as d:
        if isinstance(instance, Mapping):
            path = Path(d) / "instance.json"
            path.write_text(json.dumps(instance))
        else:
            path = Path(instance)
        argv = ["solve", str(path), *(["--json"] if json_out else []), *args]
        r = runner.invoke(app, argv, catch_exceptions=True)
    stdout, stderr = r.stdout, r.stderr
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        stderr += f"\nTraceback: uncaught {type(r.exception).__name__}: {r.exception}"
    result = None
    if json_out and stdout.strip():
        try:
            result = json.loads(stdout)
        except json.JSONDecodeError:
            result = None
    return Outcome(int(r.exit_code), stdout, stderr, result)


def check_contract(out: Outcome, json_out: bool = True) -> Outcome:
    """Assert the error contract (module docstring); return ``out`` for chaining."""
    assert "Traceback" not in out.stderr + out.stdout, out.stderr[-2000:]
    if out.rc == 0:
        assert out.result is not None, f"exit 0 without one JSON object: {out.stdout[:500]!r}"
        assert out.stdout.strip().count("\n") == 0 or out.stdout.strip().startswith("{"), \
            out.stdout[:500]
        assert out.status in ("optimal", "approximate"), out.result
    elif out.rc == 1:
        if out.stdout.strip():
            assert out.result is not None, f"stdout noise: {out.stdout[:500]!r}"
            assert out.status != "optimal", out.result
        else:
            assert out.stderr.strip(), "exit 1 with no message"
    elif out.rc == 2:
        assert not out.stdout.strip(), f"exit 2 with stdout: {out.stdout[:500]!r}"
        lines = [ln for ln in out.stderr.strip().splitlines() if ln.strip()]
        assert len(lines) == 1, out.stderr
        assert _FIELD_LINE.match(lines[0]), lines[0]
    else:
        raise AssertionError(f"exit code {out.rc}: {out.stderr[-2000:]}")
    return out


def scaled(instance: Mapping[str, Any], factor: float, fields: Iterable[str]) -> dict[str, Any]:
    """A deep copy of ``instance`` with each named field (a dotted path) times ``factor``."""
    out = copy.deepcopy(dict(instance))

    def mul(v: Any) -> Any:
        if isinstance(v, bool):
            return v
        if isinstance(v, int | float):
            return v * factor
        if isinstance(v, list):
            return [mul(w) for w in v]
        if isinstance(v, dict):
            return {k: mul(w) for k, w in v.items()}
        return v

    for f in fields:
        node: Any = out
        parts = f.split(".")
        for p in parts[:-1]:
            node = node[p]
        node[parts[-1]] = mul(node[parts[-1]])
    return out


def close(a: float, b: float, rel: float = SCALE_AGREEMENT) -> bool:
    """``|a - b| <= rel * max(|a|, |b|)``, exact for zeros."""
    return abs(a - b) <= rel * max(abs(a), abs(b))


def untimed(obj: Any) -> Any:
    """``obj`` without wall-clock fields (any key ending in ``seconds``), at every depth."""
    if isinstance(obj, Mapping):
        return {k: untimed(v) for k, v in obj.items() if not str(k).endswith("seconds")}
    if isinstance(obj, list):
        return [untimed(v) for v in obj]
    return obj


def cli_result(path: str | Path, *args: str) -> dict[str, Any]:
    """What ``solver solve PATH --json *args`` prints (the contract checked, exit 0)."""
    out = check_contract(run_solve(path, *args))
    assert out.rc == 0, out.stderr[-2000:]
    return out.result


def assert_same_as_cli(result: Any, path: str | Path, *args: str) -> dict[str, Any]:
    """``result.to_dict()`` (a :class:`solver.result.Result`) equals what
    ``solver solve PATH --json *args`` prints, ``seconds`` aside; returns the printed dict."""
    printed = cli_result(path, *args)
    assert untimed(result.to_dict()) == untimed(printed)
    return printed
