"""Validation at the edge: turn raw JSON/YAML values into checked numpy data.

Every failure raises :class:`~solver.errors.InstanceError` naming the field (a dotted path
such as ``valuations[2][5]``) and the rule it broke.  Problem parsers compose these helpers
so that bad input never reaches a model.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from .budget import validate_max_memory
from .errors import InstanceError

#: Largest integer magnitude accepted anywhere (every integer up to it is exact as a float).
MAX_EXACT_INT = 2**53


def require_mapping(raw: Any, field: str = "instance") -> Mapping[str, Any]:
    """``raw`` must be a JSON object."""
    if not isinstance(raw, Mapping):
        raise InstanceError(field, f"must be an object, got {type(raw).__name__}")
    return raw


def require(raw: Mapping[str, Any], name: str, prefix: str = "") -> Any:
    """Field ``name`` must be present."""
    if name not in raw:
        raise InstanceError(prefix + name, "is required")
    return raw[name]


def field_key(key: Any) -> str:
    """A mapping key as it appears in a field path, never empty or blank.

    Ordinary names are shown as they are; the empty key, keys with leading or trailing
    blanks, control characters or ``": "`` (which would read as the field/rule separator)
    are shown JSON-quoted, the empty one as ``"" (empty key)``.
    """
    text = key if isinstance(key, str) else str(key)
    if text == "":
        return '"" (empty key)'
    if text != text.strip() or ": " in text or not text.isprintable():
        return json.dumps(text)
    return text


def reject_unknown(raw: Mapping[str, Any], allowed: Iterable[str], prefix: str = "") -> None:
    """No field outside ``allowed`` (catches typos such as ``"demand"`` for ``"demands"``)."""
    allowed = set(allowed)
    extra = sorted((k for k in raw if k not in allowed), key=str)
    if extra:
        raise InstanceError(prefix + field_key(extra[0]),
                            f"unknown field; allowed fields: {', '.join(sorted(allowed))}")


def _first_bad(mask: np.ndarray) -> tuple[int, ...]:
    return tuple(int(i) for i in np.argwhere(mask)[0])


def _path(field: str, idx: tuple[int, ...]) -> str:
    return field + "".join(f"[{i}]" for i in idx)


def as_number(value: Any, field: str, *, minimum: float | None = None,
              maximum: float | None = None, strict_min: bool = False,
              strict_max: bool = False) -> float:
    """A finite real number within the given bounds."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InstanceError(field, f"must be a number, got {type(value).__name__}")
    try:
        v = float(value)
    except OverflowError:  # a JSON integer beyond the float range
        raise InstanceError(field, f"must be finite, got an integer with {len(str(value))} "
                                   "digits") from None
    if not math.isfinite(v):
        raise InstanceError(field, f"must be finite, got {value}")
    if minimum is not None and (v <= minimum if strict_min else v < minimum):
        raise InstanceError(field, f"must be {'>' if strict_min else '>='} {minimum}, got {v}")
    if maximum is not None and (v >= maximum if strict_max else v > maximum):
        raise InstanceError(field, f"must be {'<' if strict_max else '<='} {maximum}, got {v}")
    return v


def as_int(value: Any, field: str, *, minimum: int | None = None,
           maximum: int | None = None) -> int:
    """An integer (``3.0`` is accepted, ``3.5`` and ``True`` are not) within bounds.

    Magnitudes above :data:`MAX_EXACT_INT` (2**53, the largest range in which every integer is
    exact in floating point) are rejected whatever the bounds, so no model meets an integer it
    cannot represent or a size it would loop over for ever.
    """
    if isinstance(value, bool):
        raise InstanceError(field, "must be an integer, got bool")
    if isinstance(value, float) and value.is_integer():
        if abs(value) > MAX_EXACT_INT:  # before int(): 1e300 is an integer-valued float
            raise InstanceError(field, f"must be at most 2**53 in magnitude, got {value:g}")
        value = int(value)
    if not isinstance(value, int):
        raise InstanceError(field, f"must be an integer, got {value!r}")
    if abs(value) > MAX_EXACT_INT:
        raise InstanceError(field, f"must be at most 2**53 in magnitude, got an integer with "
                                   f"{len(str(abs(value)))} digits")
    if minimum is not None and value < minimum:
        raise InstanceError(field, f"must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise InstanceError(field, f"must be <= {maximum}, got {value}")
    return value


def as_array(value: Any, field: str, *, ndim: int = 1, integer: bool = False,
             minimum: float | None = None, maximum: float | None = None,
             strict_min: bool = False, nondecreasing: bool = False,
             strictly_increasing: bool = False, min_len: int = 1,
             max_len: int | None = None) -> np.ndarray:
    """A rectangular numeric array of ``ndim`` dimensions, finite, with element-wise rules.

    Monotonicity rules apply along the last axis.
    """
    if not isinstance(value, list | tuple | np.ndarray):
        raise InstanceError(field, f"must be a list, got {type(value).__name__}")
    # check raggedness / types element by element for a precise field path
    def walk(v: Any, depth: int, idx: tuple[int, ...]) -> None:
        if depth < ndim:
            if not isinstance(v, list | tuple | np.ndarray):
                raise InstanceError(_path(field, idx), f"must be a list (array of {ndim} dims)")
            for i, w in enumerate(v):
                walk(w, depth + 1, idx + (i,))
        elif isinstance(v, bool) or not isinstance(v, int | float | np.integer | np.floating):
            raise InstanceError(_path(field, idx), f"must be a number, got {type(v).__name__}")

    walk(value, 0, ())
    try:
        arr = np.asarray(value, dtype=float)
    except OverflowError:  # a JSON integer beyond the float range
        raise InstanceError(field, "must be finite: an entry is an integer beyond the float "
                                   "range") from None
    except ValueError:
        arr = None
    if arr is None or arr.ndim != ndim:
        if ndim >= 2 and isinstance(value, list | tuple) and value:
            n0 = len(value[0])
            for i, row in enumerate(value):
                if len(row) != n0:
                    raise InstanceError(f"{field}[{i}]", f"has length {len(row)}, expected "
                                                         f"{n0} (rows must be equal)")
        raise InstanceError(field, f"must be a rectangular array of {ndim} dimension(s)")
    if arr.ndim == 0 or arr.shape[-1] < min_len:
        raise InstanceError(field, f"must have at least {min_len} entries")
    if max_len is not None and arr.shape[-1] > max_len:
        raise InstanceError(field, f"must have at most {max_len} entries, got {arr.shape[-1]}")
    bad = ~np.isfinite(arr)
    if bad.any():
        idx = _first_bad(bad)
        raise InstanceError(_path(field, idx), f"must be finite, got {arr[idx]}")
    if integer:
        bad = arr != np.round(arr)
        if bad.any():
            idx = _first_bad(bad)
            raise InstanceError(_path(field, idx), f"must be an integer, got {arr[idx]}")
    if minimum is not None:
        bad = arr <= minimum if strict_min else arr < minimum
        if bad.any():
            idx = _first_bad(bad)
            raise InstanceError(_path(field, idx),
                                f"must be {'>' if strict_min else '>='} {minimum}, got {arr[idx]}")
    if maximum is not None:
        bad = arr > maximum
        if bad.any():
            idx = _first_bad(bad)
            raise InstanceError(_path(field, idx), f"must be <= {maximum}, got {arr[idx]}")
    if integer:
        # after the bounds (a field's own maximum is the more precise rule), before the cast:
        # an integer-valued float such as 1e300 has no int64 counterpart
        bad = np.abs(arr) > MAX_EXACT_INT
        if bad.any():
            idx = _first_bad(bad)
            raise InstanceError(_path(field, idx),
                                f"must be at most 2**53 in magnitude, got {arr[idx]:g}")
    if (nondecreasing or strictly_increasing) and arr.shape[-1] > 1:
        d = np.diff(arr, axis=-1)
        bad = d <= 0 if strictly_increasing else d < 0
        if bad.any():
            idx = _first_bad(bad)
            idx2 = idx[:-1] + (idx[-1] + 1,)
            word = "strictly increasing" if strictly_increasing else "non-decreasing"
            raise InstanceError(_path(field, idx2),
                                f"must be {word}: {arr[idx2]} follows {arr[idx]}")
    return arr.astype(int) if integer else arr


def as_choice(value: Any, field: str, choices: Iterable[str]) -> str:
    """One of a fixed set of strings."""
    choices = list(choices)
    if value not in choices:
        raise InstanceError(field, f"must be one of {', '.join(map(str, choices))}, got {value!r}")
    return str(value)


_BYTE_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}
_BYTES_RE = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*([KMGT]?)(?:I?B)?\s*$",
                       re.IGNORECASE)


def parse_bytes(text: str | float | None, field: str = "max_memory") -> float | None:
    """A memory size: a number of bytes, or one with a binary suffix (``512M``, ``2G``).

    ``K``, ``M``, ``G``, ``T`` (optionally followed by ``B`` or ``iB``, any case) are powers
    of 1024.  ``None`` stays ``None``; anything else that is not a positive finite size is an
    :class:`~solver.errors.InstanceError` on ``field``.

    Parameters
    ----------
    text
        The size: a number of bytes, or a string such as ``"512M"``, ``"1.5GiB"``, ``"1e9"``.
    field
        The field named in the error (``max_memory`` for ``--max-memory``).

    Returns
    -------
    float or None
        The size in bytes.
    """
    if text is None:
        return None
    if isinstance(text, int | float) and not isinstance(text, bool):
        return validate_max_memory(float(text), field)
    m = _BYTES_RE.match(str(text))
    if not m:
        raise InstanceError(field, f"must be a number of bytes, optionally with a suffix K, M, "
                                   f"G or T (powers of 1024), got {text!r}")
    return validate_max_memory(float(m.group(1)) * _BYTE_UNITS[m.group(2).upper()], field)
