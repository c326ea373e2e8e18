"""Instance files (JSON or YAML) to validated instance objects, and results to JSON.

Every malformed input becomes an :class:`~solver.errors.InstanceError` naming the field:
unreadable files (missing, a directory, over :data:`MAX_FILE_BYTES`, not UTF-8), invalid
JSON (with line and column) or YAML, ``NaN``/``Infinity`` literals, keys that are not
strings, nesting deeper than :data:`MAX_DEPTH`, more than :data:`MAX_VALUES` values once YAML
aliases are expanded (alias bombs), a top level that is not an object, a missing or unknown
``problem``.  Field-level rules are the problem's own parser's job (see
:mod:`solver.validate`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from .errors import InstanceError
from .problems import ProblemSpec, get_problem
from .validate import field_key, require, require_mapping

#: Instance files larger than this are refused before parsing (64 MiB: about 10^7 numbers
#: of JSON, which is :data:`MAX_VALUES`).
MAX_FILE_BYTES = 64 * 1024 * 1024
#: Deepest nesting of lists and objects accepted (the instance formats nest a few levels).
MAX_DEPTH = 100
#: Most values (numbers, strings, lists and objects together) one file may hold, counted
#: after YAML aliases are expanded (a 500-byte alias bomb stands for 4e8 of them).
MAX_VALUES = 10**7


class _LimitExceeded(Exception):
    """Raised inside the YAML loader when the nesting limit is passed (carries the rule)."""


class LimitedSafeLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses nesting deeper than :data:`MAX_DEPTH`.

    The depth is counted while composing, before PyYAML's recursive composer can exhaust
    the interpreter's stack.  Alias expansion is bounded afterwards by :func:`inspect_tree`
    (aliases construct shared objects, so the parsed value is small; it is every later walk
    that would expand it).
    """

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if not self.check_event(yaml.SequenceStartEvent, yaml.MappingStartEvent):
            return super().compose_node(parent, index)  # a scalar or an alias: no level
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _LimitExceeded(f"is nested deeper than {MAX_DEPTH} levels")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _top(path: str, source: str) -> str:
    """The top-level field of a path (a depth error names the field, not 100 indices)."""
    head = path.split("[", 1)[0].split(".", 1)[0]
    return head or source


def _child_path(path: str, key: Any) -> str:
    name = field_key(key)
    return f"{path}.{name}" if path else name


_NUMBER_TYPES = frozenset((int, float, bool))


def _numeric_row(v: list[Any] | tuple[Any, ...]) -> bool:
    """Whether ``v`` holds only finite ints/floats/bools (checked at C speed; a False sends
    the row through the element-by-element walk, which names the offending entry)."""
    if not set(map(type, v)) <= _NUMBER_TYPES:
        return False
    try:
        return all(map(math.isfinite, v))
    except OverflowError:   # an int beyond the float range: a number, and finite
        return all(type(x) is not float or math.isfinite(x) for x in v)


def inspect_tree(obj: Any, source: str = "instance") -> int:
    """Check a parsed instance against the loader's limits; return its expanded size.

    In one iterative walk (document order, no recursion): every float is finite, every
    mapping key is a string, nesting is at most :data:`MAX_DEPTH` deep, and the number of
    values after YAML aliases are expanded is at most :data:`MAX_VALUES`.  Shared
    sub-objects (YAML aliases) are walked once and their expanded size is reused, so an
    alias bomb is measured in the time of its source, not of its expansion; a recursive
    alias (an object inside itself) is refused.

    Raises
    ------
    InstanceError
        On the first failure, naming the path of the offending value (``source`` for the
        size limit).
    """
    too_many = (f"holds more than {MAX_VALUES:,} values once YAML aliases are expanded "
                "(the loader's limit)")
    # memo: id of a finished container -> (expanded size, height); active: ids on the stack
    memo: dict[int, tuple[int, int]] = {}
    active: set[int] = set()
    total = 0
    # a frame: [container, path, depth, children iterator, total at entry, height below]
    stack: list[list[Any]] = []

    def visit(v: Any, path: str, depth: int) -> None:
        nonlocal total
        if isinstance(v, Mapping | list | tuple):
            key = id(v)
            if key in memo:
                size, height = memo[key]
                if depth + height > MAX_DEPTH:
                    raise InstanceError(_top(path, source),
                                        f"is nested deeper than {MAX_DEPTH} levels")
                total += size
                if stack:
                    stack[-1][5] = max(stack[-1][5], height)
            elif key in active:
                raise InstanceError(path or source, "contains itself (a recursive YAML alias)")
            else:
                if depth >= MAX_DEPTH:
                    raise InstanceError(_top(path, source),
                                        f"is nested deeper than {MAX_DEPTH} levels")
                total += 1
                if isinstance(v, list | tuple) and _numeric_row(v):
                    total += len(v)          # fast path: a row of finite numbers
                    memo[key] = (len(v) + 1, 1)
                    if stack:
                        stack[-1][5] = max(stack[-1][5], 1)
                    if total > MAX_VALUES:
                        raise InstanceError(source, too_many)
                    return
                active.add(key)
                if isinstance(v, Mapping):
                    for k in v:
                        if not isinstance(k, str):
                            raise InstanceError(_child_path(path, k), "keys must be strings, "
                                                f"got {type(k).__name__} {k!r}")
                    children = ((_child_path(path, k), w) for k, w in v.items())
                else:
                    children = ((f"{path}[{i}]", w) for i, w in enumerate(v))
                stack.append([v, path, depth, children, total - 1, 0])
        else:
            total += 1
            if isinstance(v, float) and not math.isfinite(v):
                raise InstanceError(path or source,
                                    "must be finite (NaN and Infinity are not numbers here)")
        if total > MAX_VALUES:
            raise InstanceError(source, too_many)

    visit(obj, "", 0)
    while stack:
        frame = stack[-1]
        nxt = next(frame[3], None)
        if nxt is not None:
            visit(nxt[1], nxt[0], frame[2] + 1)
            continue
        stack.pop()
        key = id(frame[0])
        active.discard(key)
        height = frame[5] + 1
        memo[key] = (total - frame[4], height)
        if stack:
            stack[-1][5] = max(stack[-1][5], height)
    return total


def parse_text(text: str, source: str = "instance") -> Any:
    """Parse JSON (or YAML when the text is not JSON-shaped) into Python objects.

    The result has passed :func:`inspect_tree`: finite floats, string keys, bounded depth
    and bounded size (YAML aliases included).
    """
    stripped = text.lstrip()
    if not stripped:
        raise InstanceError(source, "is empty")
    if stripped[0] in "{[":
        try:
            obj = json.loads(text)  # accepts NaN/Infinity literals; rejected below by path
        except json.JSONDecodeError as exc:
            raise InstanceError(source, f"is not valid JSON: {exc.msg} at line {exc.lineno} "
                                        f"column {exc.colno}") from None
        except RecursionError:
            raise InstanceError(source, f"is nested deeper than {MAX_DEPTH} levels") from None
    else:
        try:
            obj = yaml.load(text, Loader=LimitedSafeLoader)  # noqa: S506 (a SafeLoader)
        except _LimitExceeded as exc:
            raise InstanceError(source, str(exc)) from None
        except yaml.YAMLError as exc:
            raise InstanceError(source, "is not valid JSON or YAML: "
                                        f"{str(exc).splitlines()[0]}") from None
        except RecursionError:  # pragma: no cover - the depth limit comes first
            raise InstanceError(source, f"is nested deeper than {MAX_DEPTH} levels") from None
    inspect_tree(obj, source)
    return obj


def read_raw(path: str | Path) -> Any:
    """Read an instance file into raw Python objects (no problem-level validation)."""
    p = Path(path)
    if p.is_dir():
        raise InstanceError(str(path), "is a directory, not an instance file")
    if not p.exists():
        raise InstanceError(str(path), "file not found")
    if not p.is_file():
        raise InstanceError(str(path), "is not a regular file")
    try:
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InstanceError(str(path), f"file larger than {MAX_FILE_BYTES} bytes "
                                           f"({size} bytes)")
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InstanceError(str(path), "is not UTF-8 text") from None
    except OSError as exc:
        raise InstanceError(str(path), f"could not be read: {exc.strerror or exc}") from None
    return parse_text(text, source=p.name)


def load_instance(source: str | Path | Mapping[str, Any]) -> tuple[ProblemSpec, Any]:
    """Validate a file path or an already-parsed mapping; return (problem spec, instance)."""
    if isinstance(source, str | Path):
        raw = read_raw(source)
    else:
        raw = source
        inspect_tree(raw)
    raw = require_mapping(raw)
    name = require(raw, "problem")
    spec = get_problem(name)
    try:
        inst = spec.parse(raw)
    except InstanceError:
        raise
    except (TypeError, ValueError, KeyError, IndexError, OverflowError, MemoryError) as exc:
        # a parser bug must still surface as bad input with a field, never a traceback
        raise InstanceError("instance", f"could not be read as a {name} instance "
                                        f"({type(exc).__name__}: {exc})") from None
    return spec, inst


def to_jsonable(obj: Any) -> Any:
    """Convert numpy scalars/arrays, tuples and non-finite floats into strict-JSON values."""
    if isinstance(obj, Mapping):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, np.bool_ | bool):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating | float):
        v = float(obj)
        return v if math.isfinite(v) else None
    if hasattr(obj, "to_dict"):
        return to_jsonable(obj.to_dict())
    return obj


def dumps(obj: Any, indent: int | None = None) -> str:
    """Strict JSON text of ``obj`` (non-finite numbers become ``null``)."""
    return json.dumps(to_jsonable(obj), indent=indent, allow_nan=False)
