"""Instance files (JSON or YAML) to validated instance objects, and results to JSON.

Every malformed input becomes an :class:`~solver.errors.InstanceError` naming the field:
unreadable files, invalid JSON (with line and column), ``NaN``/``Infinity`` literals, a
top level that is not an object, a missing or unknown ``problem``.  Field-level rules are
the problem's own parser's job (see :mod:`solver.validate`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .errors import InstanceError
from .problems import ProblemSpec, get_problem
from .validate import require, require_mapping

#: Instance files larger than this are refused before parsing.
MAX_FILE_BYTES = 256 * 1024 * 1024


def _first_nonfinite(obj: Any, path: str = "") -> str | None:
    """Dotted/indexed path of the first non-finite float in parsed JSON, or None."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return path or "instance"
    if isinstance(obj, Mapping):
        for k, v in obj.items():
            found = _first_nonfinite(v, f"{path}.{k}" if path else str(k))
            if found:
                return found
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            found = _first_nonfinite(v, f"{path}[{i}]")
            if found:
                return found
    return None


def parse_text(text: str, source: str = "instance") -> Any:
    """Parse JSON (or YAML when the text is not JSON-shaped) into Python objects."""
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
            raise InstanceError(source, "is nested too deeply") from None
        bad = _first_nonfinite(obj)
        if bad:
            raise InstanceError(bad, "must be finite (NaN and Infinity are not numbers here)")
        return obj
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InstanceError(source, f"is not valid JSON or YAML: {str(exc).splitlines()[0]}"
                            ) from None


def read_raw(path: str | Path) -> Any:
    """Read an instance file into raw Python objects (no problem-level validation)."""
    p = Path(path)
    if not p.is_file():
        raise InstanceError(str(path), "file not found")
    if p.stat().st_size > MAX_FILE_BYTES:
        raise InstanceError(str(path), f"file larger than {MAX_FILE_BYTES} bytes")
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InstanceError(str(path), "is not UTF-8 text") from None
    return parse_text(text, source=p.name)


def load_instance(source: str | Path | Mapping[str, Any]) -> tuple[ProblemSpec, Any]:
    """Validate a file path or an already-parsed mapping; return (problem spec, instance)."""
    raw = read_raw(source) if isinstance(source, str | Path) else source
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
