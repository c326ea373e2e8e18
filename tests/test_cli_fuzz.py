"""Property-based fuzzing of `solver solve` with malformed instance files.

Every malformed file must exit with code 2 and one stderr line ``error: FIELD: RULE`` that
names the field, never a traceback, never a result on stdout, and nothing written anywhere
(``solver sweep solve --instances`` on the same file stores nothing).

Mutations start from every valid instance file under ``data/**/*.json`` (whatever problems
are registered when the suite runs) and from a small problem registered here, so the test
does not depend on which packages have data yet: truncated JSON, wrong types (top-level
fields and nested leaves), ``NaN``/``Infinity`` literals, integers beyond float range,
unknown problem names, extra fields, non-object top levels.
"""

from __future__ import annotations

import json
import re
import resource
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from solver.cli import app
from solver.io import load_instance
from solver.problems import SolveOptions, problems, register_problem
from solver.validate import as_array, as_int, reject_unknown, require
from tests.contract import fuzz_examples

ROOT = Path(__file__).resolve().parents[1]
FUZZ_PROBLEM = "fuzztest.knapsack"
runner = CliRunner()


def _parse_fuzz(raw: Mapping[str, Any]) -> tuple[int, tuple[float, ...], tuple[float, ...]]:
    reject_unknown(raw, ("problem", "capacity", "weights", "values", "options"))
    cap = as_int(require(raw, "capacity"), "capacity", minimum=0, maximum=10**6)
    w = as_array(require(raw, "weights"), "weights", minimum=0)
    v = as_array(require(raw, "values"), "values", minimum=0)
    if v.shape != w.shape:
        from solver.errors import InstanceError

        raise InstanceError("values", f"must have the length of weights ({w.size})")
    opts = raw.get("options", {})
    if not isinstance(opts, Mapping):
        from solver.errors import InstanceError

        raise InstanceError("options", "must be an object")
    reject_unknown(opts, ("greedy",), prefix="options.")
    if not isinstance(opts.get("greedy", False), bool):
        from solver.errors import InstanceError

        raise InstanceError("options.greedy", "must be true or false")
    return cap, tuple(w.tolist()), tuple(v.tolist())


def _solve_fuzz(inst: Any, opts: SolveOptions) -> dict[str, Any]:
    cap, w, v = inst
    best = 0.0
    for mask in range(1 << len(w)):
        sel = [i for i in range(len(w)) if mask >> i & 1]
        if sum(w[i] for i in sel) <= cap:
            best = max(best, sum(v[i] for i in sel))
    return {"status": "optimal", "objective": best, "backend": "exact:enumeration",
            "seconds": 0.0}


@pytest.fixture(autouse=True, scope="module")
def _fuzz_problem():
    """The fuzz problem exists only while this module runs (other tests never see it)."""
    from solver.problems import _PROBLEMS

    register_problem(FUZZ_PROBLEM, _parse_fuzz, _solve_fuzz, "0/1 knapsack (fuzz tests)")
    yield
    _PROBLEMS.pop(FUZZ_PROBLEM, None)


FUZZ_BASE = {"problem": FUZZ_PROBLEM, "capacity": 5, "weights": [1, 2, 3.5],
             "values": [2.0, 3, 4], "options": {"greedy": True}}


def _valid_bases() -> list[dict[str, Any]]:
    bases = [FUZZ_BASE]
    for f in sorted(ROOT.glob("data/**/*.json")):
        try:
            raw = json.loads(f.read_text())
            load_instance(raw)
        except Exception:  # only files that are valid today are mutated
            continue
        if f.stat().st_size < 200_000:
            bases.append(raw)
    return bases


BASES = _valid_bases()
NAMES = sorted(set(problems()) | {FUZZ_PROBLEM})


def test_bases_are_valid_and_solvable():
    assert BASES[0] is FUZZ_BASE and FUZZ_PROBLEM in problems()
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "ok.json"
        p.write_text(json.dumps(FUZZ_BASE))
        r = runner.invoke(app, ["solve", str(p), "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["objective"] == 6.0  # items 1 and 3


# ---------------------------------------------------------------------------- harness

class _Budget(Exception):
    """A solve ran past the fuzz budget (a malformed file must fail fast)."""


def _alarm(signum: int, frame: Any) -> None:
    raise _Budget("solve ran longer than the fuzz budget")


def _vm_bytes() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmSize"):
                return int(line.split()[1]) * 1024
    return 0


@contextmanager
def _guard(seconds: int = 30, extra_bytes: int = 4 * 2**30) -> Iterator[None]:
    """Bound time (SIGALRM) and address space (RLIMIT_AS) of one in-process run, so that a
    parser that lets a huge size through fails the test instead of eating the machine."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = _vm_bytes() + extra_bytes
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    old = signal.signal(signal.SIGALRM, _alarm)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
        signal.signal(signal.SIGALRM, old)


def _run(text: str, budget_s: int = 30) -> Any:
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "inst.json"
        p.write_text(text)
        with _guard(budget_s):
            r = runner.invoke(app, ["solve", str(p), "--json", "--time-limit", "5"])
        assert sorted(x.name for x in Path(d).iterdir()) == ["inst.json"]  # nothing written
    return r


def assert_input_error(r: Any, must_name: str | None = None) -> str:
    """Exit 2, one line ``error: FIELD: RULE`` on stderr, nothing on stdout, no traceback."""
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    assert r.exit_code == 2, (r.exit_code, r.stdout[:300], r.stderr[:300])
    assert "Traceback" not in r.stderr and r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    m = re.match(r"error: (\S.*?): (\S.*)$", lines[0])
    assert m, lines[0]
    if must_name is not None:
        assert must_name in m.group(1), (must_name, lines[0])
    return m.group(1)


def _leaves(obj: Any, path: tuple = ()) -> list[tuple]:
    if isinstance(obj, Mapping):
        return [p for k, v in obj.items() if path or k != "problem"
                for p in _leaves(v, (*path, k))]
    if isinstance(obj, list):
        return [p for i, v in enumerate(obj) for p in _leaves(v, (*path, i))]
    return [path]


def _get(obj: Any, path: tuple) -> Any:
    for k in path:
        obj = obj[k]
    return obj


def _set(obj: Any, path: tuple, value: Any) -> Any:
    obj = json.loads(json.dumps(obj))
    cur = obj
    for k in path[:-1]:
        cur = cur[k]
    cur[path[-1]] = value
    return obj


#: Free-text metadata fields: any JSON value there is harmless, so parsers may accept it.
META_FIELDS = {"description", "name", "comment", "comments", "source", "title", "notes",
               "reference", "paper"}
bases = st.sampled_from(BASES)
junk = st.one_of(st.text(max_size=8), st.lists(st.integers(), max_size=3),
                 st.dictionaries(st.text(max_size=4), st.integers(), max_size=2))


def _wrong_for(v: Any) -> st.SearchStrategy:
    """Values of a type that cannot stand where ``v`` stood."""
    if isinstance(v, bool):
        return st.sampled_from(["yes", [True], {"v": True}])
    if isinstance(v, int | float):
        return st.sampled_from(["1", "abc", [v, v], {"v": v}, [], True])
    if isinstance(v, str):
        return st.sampled_from([3, 2.5, [v], {"v": v}, True])
    if isinstance(v, list):
        return st.sampled_from(["[1, 2]", 7, {"0": 1}, True])
    return st.sampled_from(["x", 7, [1], True])


# ---------------------------------------------------------------------------- properties

@settings(max_examples=fuzz_examples(60), deadline=None)
@given(base=bases, cut=st.floats(0.0, 0.999))
def test_truncated_json(base, cut):
    text = json.dumps(base, indent=1)
    assert_input_error(_run(text[: int(len(text) * cut)]), must_name="inst.json")


@settings(max_examples=fuzz_examples(80), deadline=None)
@given(data=st.data())
def test_wrong_types(data):
    base = data.draw(bases)
    paths = _leaves(base) + [(k,) for k in base if k != "problem"]
    path = data.draw(st.sampled_from([p for p in paths if p[0] not in META_FIELDS]))
    cur = base
    for k in path:
        cur = cur[k]
    bad = data.draw(_wrong_for(cur))
    assert_input_error(_run(json.dumps(_set(base, path, bad))), must_name=str(path[0]))


@settings(max_examples=fuzz_examples(60), deadline=None)
@given(data=st.data(), lit=st.sampled_from(["NaN", "Infinity", "-Infinity", "1e400",
                                            "-1e999"]))
def test_nan_and_inf(data, lit):
    base = data.draw(bases)
    nums = [p for p in _leaves(base) if isinstance(_get(base, p), int | float)
            and not isinstance(_get(base, p), bool)]
    path = data.draw(st.sampled_from(nums))
    text = json.dumps(_set(base, path, "__MARK__")).replace('"__MARK__"', lit)
    field = assert_input_error(_run(text))
    # io.parse_text names the exact path of the non-finite literal
    expected = "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in path).lstrip(".")
    assert field == expected, (field, expected)


def _int_paths(base: Mapping[str, Any]) -> list[tuple]:
    return [p for p in _leaves(base) if type(_get(base, p)) is int]


HUGE_BASES = [b for b in BASES if _int_paths(b)]


@settings(max_examples=fuzz_examples(40), deadline=None)
@given(data=st.data(), huge=st.sampled_from([10**400, -(10**400), 10**1000]))
def test_huge_numbers(data, huge):
    base = data.draw(st.sampled_from(HUGE_BASES))
    path = data.draw(st.sampled_from(_int_paths(base)))
    assert_input_error(_run(json.dumps(_set(base, path, huge))))


@settings(max_examples=fuzz_examples(40), deadline=None)
@given(name=st.text(min_size=0, max_size=20).filter(lambda s: s not in NAMES),
       base=bases)
def test_unknown_problem_names(name, base):
    assert_input_error(_run(json.dumps({**base, "problem": name})), must_name="problem")


@settings(max_examples=fuzz_examples(40), deadline=None)
@given(base=bases, key=st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=10),
       value=junk)
def test_extra_fields(base, key, value):
    key = "zz_" + key
    assert_input_error(_run(json.dumps({**base, key: value})), must_name=key)


@settings(max_examples=fuzz_examples(60), deadline=None)
@given(name=st.sampled_from(NAMES),
       extra=st.dictionaries(st.text("abcdefghij", min_size=1, max_size=6).map("zz_".__add__),
                             junk, min_size=1, max_size=3))
def test_every_registered_problem_rejects_junk(name, extra):
    # for every registered problem: an object of unknown fields (and none required)
    assert_input_error(_run(json.dumps({"problem": name, **extra})))


@settings(max_examples=fuzz_examples(20), deadline=None)
@given(top=st.one_of(st.lists(st.integers(), max_size=3), st.integers(), st.text(max_size=5),
                     st.just(None), st.just({})))
def test_not_an_object_or_no_problem(top):
    text = json.dumps(top)
    r = _run(text)
    assert_input_error(r)


@pytest.mark.parametrize("text,field", [
    ('{"problem": "fuzztest.knapsack", "capacity": NaN', "bad.json"),
    ('{"problem": "no-such-problem"}', "problem"),
    ('{"problem": "sharing", "zz_extra": 1}', None),
    ("[1, 2", "bad.json"),
    ("", "bad.json"),
])
def test_real_subprocess_and_sweep_store_untouched(tmp_path, text, field):
    f = tmp_path / "inst" / "bad.json"
    f.parent.mkdir()
    f.write_text(text)
    r = subprocess.run([sys.executable, "-m", "solver.cli", "solve", str(f)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "Traceback" not in r.stderr and r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    if field:
        assert field in lines[0]
    store = tmp_path / "s.sqlite"
    r = subprocess.run([sys.executable, "-m", "solver.cli", "sweep", "solve", "--instances",
                        str(f.parent), "--store", str(store)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "bad.json" in r.stderr
    assert not store.exists()


# ---------------------------------------------------------------------------- options, YAML

def _run_args(text: str, *args: str, name: str = "inst.json") -> Any:
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / name
        p.write_text(text)
        with _guard(30):
            return runner.invoke(app, ["solve", str(p), "--json", *args])


@settings(max_examples=fuzz_examples(30), deadline=None)
@given(tl=st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                    st.sampled_from([-1.0, 0.0, -0.0, 1e-300, 1e300, float("nan")])),
       mem=st.one_of(st.none(), st.sampled_from(["0", "-1", "1e-300", "2G", "512M", "1.5g",
                                                 "x", "", "1e400", "3 T", "nanG"]),
                     st.text(max_size=6)))
def test_option_values_follow_the_contract(tl, mem):
    """Any --time-limit / --max-memory: a result (exit 0/1) or one ``error: FIELD:`` line."""
    args = ["--time-limit", repr(tl)] + ([] if mem is None else ["--max-memory", mem])
    r = _run_args(json.dumps(FUZZ_BASE), *args)
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    assert "Traceback" not in r.stderr
    bad_tl = not (tl > 0 and tl != float("inf"))
    if bad_tl:
        name = assert_input_error(r)
        assert name == "time_limit"
    elif r.exit_code == 2:
        assert assert_input_error(r) == "max_memory"
    else:
        assert r.exit_code == 0 and json.loads(r.stdout)["objective"] == 6.0


@settings(max_examples=fuzz_examples(25), deadline=None)
@given(levels=st.integers(1, 12), width=st.integers(1, 12), depth=st.integers(0, 300))
def test_yaml_aliases_and_nesting_are_bounded(levels, width, depth):
    """Alias trees of any shape and nesting of any depth: accepted or refused, in seconds."""
    lines = [f"problem: {FUZZ_PROBLEM}", "capacity: 5",
             "a0: &a0 [" + ",".join(["1"] * width) + "]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * width) + "]")
    lines.append("weights: " + "[" * depth + "1" + "]" * depth)
    lines.append("values: [1]")
    r = _run_args("\n".join(lines) + "\n", name="inst.yaml")
    sizes = [1 + width]                   # a0: a list of `width` numbers
    for _ in range(1, levels):
        sizes.append(1 + width * sizes[-1])
    expanded = 3 + sum(sizes) + (depth + 1) + 2   # root, problem, capacity; weights; values
    field = assert_input_error(r)
    if depth >= 100:  # found while composing, before any alias is counted
        assert field == "inst.yaml" and "nested deeper" in r.stderr
    elif expanded > 10**7:
        assert field == "inst.yaml" and "aliases" in r.stderr
    else:  # the loader let it through; the parser names the unknown anchor field
        assert field == "a0"
