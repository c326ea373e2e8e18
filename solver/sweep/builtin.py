"""The built-in experiments: claims, instance solves, a CPU benchmark (the sampling figures
are in :mod:`solver.sampling.experiments`).

Each is a module-level function registered with :func:`solver.sweep.experiment`, so that
worker processes (and Dask workers) receive it by reference.  Heavy imports happen inside
the functions.
"""

from __future__ import annotations

import math
import os
import time
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .experiments import experiment
from .params import Param

# ---------------------------------------------------------------------------- helpers


def _scalar(v: Any) -> bool:
    return v is None or isinstance(v, bool | int | float | str)


def flatten_scalars(obj: Mapping[str, Any], prefix: str = "",
                    keep: tuple[str, ...] = ()) -> dict[str, Any]:
    """Flatten nested mappings into ``a.b`` keys, keeping scalars only.

    Lists and arrays are dropped (a record is one row of a table); keys listed in ``keep``
    are kept whole whatever their type (e.g. an ``instance`` dict for the report).
    """
    out: dict[str, Any] = {}
    for k, v in obj.items():
        name = f"{prefix}{k}"
        if k in keep and not prefix:
            out[name] = v
        elif isinstance(v, Mapping):
            out.update(flatten_scalars(v, name + "."))
        elif _scalar(v):
            out[name] = v
    return out


def _is_container(v: Any) -> bool:
    return isinstance(v, Mapping | list | tuple)


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def count_numbers(raw: Any) -> int:
    """Number of numeric entries in a parsed instance: the generic ``size`` of a solve.

    Iterative (no recursion limit), and a shared sub-object (a YAML alias) is counted once
    and its count reused, so the time is that of the parsed file, not of its expansion
    (which the loader bounds by :data:`solver.io.MAX_VALUES` anyway).
    """
    if not _is_container(raw):
        return int(_is_number(raw))
    memo: dict[int, int] = {}
    done = object()
    # a frame: [container, iterator over its values, numbers counted so far]
    stack: list[list[Any]] = [[raw, iter(_values(raw)), 0]]
    while stack:
        frame = stack[-1]
        child = next(frame[1], done)
        if child is done:
            stack.pop()
            memo[id(frame[0])] = frame[2]
            if stack:
                stack[-1][2] += frame[2]
        elif not _is_container(child):
            frame[2] += _is_number(child)
        elif id(child) in memo:
            frame[2] += memo[id(child)]
        elif all(f[0] is not child for f in stack):  # a cycle is counted once
            stack.append([child, iter(_values(child)), 0])
    return memo[id(raw)]


def _values(v: Any) -> Any:
    """The values of a container (a mapping's values, a sequence's items)."""
    return v.values() if isinstance(v, Mapping) else v


def _rng(params: Mapping[str, Any], seed: int) -> np.random.Generator:
    """A generator from the seed and the parameters (stable across processes)."""
    import json

    tag = zlib.crc32(json.dumps(params, sort_keys=True, default=str).encode())
    return np.random.default_rng([int(seed), tag])


# ---------------------------------------------------------------------------- claim


def check_claim_params(params: Mapping[str, Any]) -> None:
    """``claim`` must name (or prefix) a registered claim of ``solver verify --list``."""
    from ..claims import select
    from ..errors import InstanceError

    cid = params.get("claim")
    try:
        found = select([str(cid)])
    except KeyError:
        found = []
    if not found:
        raise InstanceError("claim", f"unknown claim {cid!r}; see `solver verify --list`")


@experiment("claim", description="run a registered claim of `solver verify` (param: claim, "
                                 "quick)", check=check_claim_params,
            params={"claim": Param("str", required=True, help="a claim id of `solver verify "
                                                              "--list`"),
                    "quick": Param("bool")})
def claim_experiment(params: Mapping[str, Any], seed: int) -> dict[str, Any]:
    """Run the claim ``params['claim']`` with ``CheckContext(seed, quick)``.

    The record holds the claim's status (``claim_status``: ok / FAIL / not checked), its
    scalar ``computed`` and ``paper_value``, the worst case's summary and, when the claim
    gives one, the worst case's ``instance`` dict (rerunnable with ``solver solve``).  A claim
    whose check crashes is a task error.
    """
    from ..claims import CheckContext, select

    cid = str(params["claim"])
    found = select([cid])
    exact = [c for c in found if c.id == cid]
    claim = exact[0] if exact else found[0]
    row = claim.run(CheckContext(seed=int(seed), quick=bool(params.get("quick", False))))
    if row["status"] == "error":
        raise RuntimeError(f"claim {claim.id} crashed: {row.get('message', '')}")
    rec: dict[str, Any] = {"claim": claim.id, "kind": claim.kind,
                           "claim_status": row["status"], "ok": row["status"] == "ok",
                           "claim_seconds": row.get("seconds")}
    for k in ("computed", "paper_value", "message"):
        if _scalar(row.get(k)):
            rec[k] = row.get(k)
    wc = row.get("worst_case")
    if isinstance(wc, Mapping):
        rec["worst_case"] = str(wc.get("summary", ""))
        if isinstance(wc.get("instance"), Mapping):
            rec["instance"] = dict(wc["instance"])
        rec.update(flatten_scalars({k: v for k, v in wc.items()
                                    if k not in ("summary", "instance")}, "worst."))
    if isinstance(row.get("details"), Mapping):
        rec.update(flatten_scalars(row["details"], "details."))
    return rec


# ---------------------------------------------------------------------------- solve


def check_solve_params(params: Mapping[str, Any]) -> None:
    """Validate one parameter set of the ``solve`` experiment (when the sweep is planned).

    ``instance`` is required; ``time_limit`` (seconds) must be positive and finite and
    ``max_memory`` a size (bytes or ``"512M"``, ``"2G"``) as on ``solver solve``;
    ``backend`` and ``method`` are strings, and ``backend`` names an installed backend
    (or ``auto``, or a problem's own ``exact:...`` name; :func:`solver.problems.check_backend`)
    so that ``--backend nosuch`` is refused before anything runs, as on ``solver solve``.
    """
    from ..budget import validate_time_limit
    from ..errors import InstanceError
    from ..problems import check_backend
    from ..validate import parse_bytes

    if "instance" not in params:
        raise InstanceError("instance", "is required (give --instances DIR, or instance "
                                        "paths in the grid)")
    validate_time_limit(params.get("time_limit"))
    parse_bytes(params.get("max_memory"))
    for key in ("backend", "method"):
        v = params.get(key)
        if v is not None and not isinstance(v, str):
            raise InstanceError(key, f"must be a string, got {type(v).__name__}")
    if params.get("backend") is not None:
        check_backend(params["backend"])


@experiment("solve", description="`solver solve` on an instance file (param: instance; "
                                 "optional backend, method, time_limit, max_memory)",
            check=check_solve_params,
            params={"instance": Param("str", required=True, help="an instance file"),
                    "instance_sha": Param("str"), "backend": Param("str"),
                    "method": Param("str"), "time_limit": Param("any"),
                    "max_memory": Param("any")})
def solve_experiment(params: Mapping[str, Any], seed: int) -> dict[str, Any]:
    """Solve the instance file ``params['instance']`` as ``solver solve`` does.

    The record is the CLI's result flattened to scalars (certificate fields status,
    objective, bound, gap, backend, seconds, plus the problem's own scalar fields) and
    ``size``: the result's own ``size`` when it has one, else the number of numeric
    entries in the instance file.  ``time_limit`` and ``max_memory`` open the same budget
    as on the command line (:func:`solver.problems.solve_file`).
    """
    from .. import io
    from ..problems import solve_file

    path = str(params["instance"])
    tl = params.get("time_limit")
    out = solve_file(path, backend=str(params.get("backend", "auto")),
                     time_limit=None if tl is None else float(tl),
                     method=params.get("method"), seed=int(seed),
                     max_memory=params.get("max_memory"))
    rec = flatten_scalars(io.to_jsonable(out))
    if "size" not in rec:
        rec["size"] = count_numbers(io.read_raw(path))
    return rec


# ---------------------------------------------------------------------------- benchmarks

#: Parameters of the synthetic experiments that only tell tasks apart (any value).
_TAGS = {"i": Param("any", help="a tag"), "k": Param("any", help="a tag")}



@experiment("bench.spin", description="CPU-bound synthetic task of `ms` milliseconds of CPU "
                                      "time (params: ms, fail)",
            params={"ms": Param("number", minimum=0), "fail": Param("bool"), **_TAGS})
def spin_experiment(params: Mapping[str, Any], seed: int) -> dict[str, Any]:
    """Busy-loop for ``ms`` ms of process CPU time and return a seeded random value.

    CPU time (not wall time) is used so a task is the same amount of work on a loaded
    machine.  ``fail: true`` raises, to exercise error recording.
    """
    if params.get("fail"):
        raise RuntimeError(f"bench.spin asked to fail (seed {seed})")
    ms = float(params.get("ms", 10.0))
    end = time.process_time() + ms / 1000.0
    x = 0
    while time.process_time() < end:
        for i in range(200):
            x += i
    value = float(_rng(params, seed).random())
    return {"value": value, "checksum": math.floor(value * 1e6)}


@experiment("bench.crash-once", description="kills its worker process the first time it "
                                            "runs (param: marker file); for retry tests",
            params={"marker": Param("str"), "always": Param("bool"), **_TAGS})
def crash_once_experiment(params: Mapping[str, Any], seed: int) -> dict[str, Any]:
    """Exit the worker process abruptly unless ``params['marker']`` exists (creates it first).

    With ``always: true`` it exits every time (a task that can never finish).

    Exercises the executor's handling of a lost worker: the retried task succeeds.
    """
    if params.get("always"):
        os._exit(17)
    marker = Path(str(params["marker"]))
    if not marker.exists():
        marker.write_text("crashed once\n")
        os._exit(17)
    return {"value": float(_rng(params, seed).random())}
