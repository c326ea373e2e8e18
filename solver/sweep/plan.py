"""A sweep's task list: experiment × grid (or instance directory) × seeds, with stable keys.

A task is identified by ``key = sha256(experiment, canonical params JSON, seed)``: the same
sweep planned again (on any machine, in any order) yields the same keys, which is what makes
resume exact.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InstanceError

INSTANCE_SUFFIXES = (".json", ".yaml", ".yml")


@dataclass(frozen=True)
class Task:
    """One unit of work: run ``experiment`` on ``params`` with ``seed``."""

    key: str
    experiment: str
    params: dict[str, Any]
    seed: int

    @property
    def params_json(self) -> str:
        return canonical_json(self.params)


def canonical_json(obj: Any) -> str:
    """Sorted-keys, compact, strict JSON (numpy values converted) used for keys and storage."""
    from ..io import to_jsonable

    return json.dumps(to_jsonable(obj), sort_keys=True, separators=(",", ":"), allow_nan=False)


def task_key(experiment: str, params: Mapping[str, Any], seed: int) -> str:
    """Stable 32-hex-digit key of (experiment, params, seed)."""
    blob = canonical_json([experiment, dict(params), int(seed)])
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


def expand_grid(grid: Any, field: str = "grid") -> list[dict[str, Any]]:
    """Parameter sets of a grid.

    ``grid`` is a mapping of parameter name to a list of values (cartesian product, in
    the order given; a scalar stands for a one-value list), a list of parameter mappings
    (taken as is), or ``None`` (one empty parameter set).
    """
    if grid is None:
        return [{}]
    if isinstance(grid, Mapping):
        names = [str(k) for k in grid]
        axes = []
        for k in grid:
            v = grid[k]
            if isinstance(v, list | tuple):
                if not v:
                    raise InstanceError(f"{field}.{k}", "must be a non-empty list")
                axes.append(list(v))
            else:
                axes.append([v])
        return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*axes)]
    if isinstance(grid, list):
        for i, p in enumerate(grid):
            if not isinstance(p, Mapping):
                raise InstanceError(f"{field}[{i}]", "must be an object of parameters")
        return [dict(p) for p in grid]
    raise InstanceError(field, "must be an object of lists or a list of objects, got "
                               f"{type(grid).__name__}")


def read_grid(source: str | Path) -> Any:
    """A grid from a JSON/YAML file, or from inline JSON/YAML text when no such file exists."""
    from ..io import parse_text, read_raw

    p = Path(source)
    if p.suffix.lower() in INSTANCE_SUFFIXES or p.exists():
        return read_raw(p)
    return parse_text(str(source), source="grid")


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def instance_params(directory: str | Path, validate: bool = True) -> list[dict[str, Any]]:
    """One parameter set per instance file of ``directory`` (recursively, sorted).

    Each set is ``{"instance": absolute path, "instance_sha": content digest}`` so an edited
    file is a new task.  With ``validate`` every file is parsed first (validation at the
    edge): a bad file raises :class:`~solver.errors.InstanceError` naming the file and field
    before anything runs or is written.
    """
    from ..io import load_instance

    d = Path(directory)
    if not d.is_dir():
        raise InstanceError(str(directory), "is not a directory")
    files = sorted(p for p in d.rglob("*") if p.suffix.lower() in INSTANCE_SUFFIXES
                   and p.is_file())
    if not files:
        raise InstanceError(str(directory), "contains no .json/.yaml instance files")
    out = []
    for f in files:
        if validate:
            try:
                load_instance(f)
            except InstanceError as exc:
                field = exc.field if exc.field.startswith(f.name) else f"{f.name}: {exc.field}"
                raise InstanceError(field, exc.rule) from None
        out.append({"instance": str(f.resolve()), "instance_sha": _file_digest(f)})
    return out


def seed_list(seeds: int | Sequence[int]) -> list[int]:
    """``N`` means seeds 0..N-1; a sequence is taken as is."""
    if isinstance(seeds, int):
        if seeds < 1:
            raise InstanceError("seeds", f"must be >= 1, got {seeds}")
        return list(range(seeds))
    return [int(s) for s in seeds]


def plan(experiment: str, param_sets: Iterable[Mapping[str, Any]],
         seeds: int | Sequence[int] = 1) -> list[Task]:
    """The task list: every parameter set × every seed, duplicates removed, order kept."""
    tasks: dict[str, Task] = {}
    seeds_ = seed_list(seeds)
    for p in param_sets:
        params = json.loads(canonical_json(dict(p)))
        for s in seeds_:
            k = task_key(experiment, params, s)
            tasks.setdefault(k, Task(k, experiment, params, s))
    return list(tasks.values())
