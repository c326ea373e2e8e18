"""Hypothesis building blocks shared by every package's ``test_fuzz.py`` (issue #11 item 7).

* :func:`mutate` / :func:`mutated`: a valid instance with 1-3 mutations, each replacing a
  leaf by an edge value (:data:`EDGE`), shortening or lengthening a list, or (``drop=True``)
  removing a field;
* :data:`EXPONENTS`: the ``k`` of the ``10^k`` scalings (with :func:`tests.contract.scaled`);
* :func:`run_checked` / :func:`check_run`: the error contract
  (:func:`tests.contract.check_contract`) and, on exit 0, the problem's own evaluator.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from hypothesis import strategies as st

from tests.contract import Outcome, check_contract, run_solve

#: Edge numbers every fuzz test tries (zero, signs, the float range, integers past it).
EDGE_NUMBERS: list[Any] = [0, -1, 1e-300, 1e300, -1e300, 10**400, 2**63, 1e-12, 1e12]
#: Values of the wrong type.
EDGE_TYPES: list[Any] = ["x", None, True, [], [1]]
#: The default edge values of :func:`mutate`.
EDGE: list[Any] = [*EDGE_NUMBERS, 0.5, *EDGE_TYPES, {"a": 1}]
#: The ``k`` of the ``10^k`` scale-invariance fuzz tests.
EXPONENTS = st.integers(-12, 12)

Leaf = Callable[[Any], bool]
Path = tuple[Any, ...]


def is_number(v: Any) -> bool:
    """A number leaf (bools are not numbers here)."""
    return isinstance(v, int | float) and not isinstance(v, bool)


def is_scalar(v: Any) -> bool:
    """A number or string leaf."""
    return is_number(v) or isinstance(v, str)


def is_any(v: Any) -> bool:
    """Every leaf (``None`` and bools included)."""
    return True


def paths(obj: Any, leaf: Leaf = is_number, prefix: Path = ()) -> list[Path]:
    """Every path to a list or to a ``leaf`` inside ``obj`` (not the ``problem`` field)."""
    out: list[Path] = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k != "problem":
                out += paths(v, leaf, (*prefix, k))
    elif isinstance(obj, list):
        out.append(prefix)
        for i, v in enumerate(obj):
            out += paths(v, leaf, (*prefix, i))
    elif leaf(obj):
        out.append(prefix)
    return out


def get(obj: Any, path: Path) -> Any:
    """The node at ``path``."""
    for p in path:
        obj = obj[p]
    return obj


def set_at(obj: Any, path: Path, value: Any) -> None:
    """Replace the node at (non-empty) ``path``."""
    get(obj, path[:-1])[path[-1]] = value


def mutate(draw: st.DrawFn, inst: Mapping[str, Any], edge: Sequence[Any] = EDGE, *,
           leaf: Leaf = is_number, drop: bool = False) -> dict[str, Any]:
    """A deep copy of ``inst`` with 1-3 drawn mutations.

    Parameters
    ----------
    draw
        Hypothesis' draw function.
    inst
        A valid instance mapping.
    edge
        The values a leaf may be replaced by.
    leaf
        Which leaves may be mutated (:func:`is_number`, :func:`is_scalar`, :func:`is_any`).
    drop
        Whether a mutation may remove the field (one time in ten).

    Returns
    -------
    dict
        The mutated instance.
    """
    out = copy.deepcopy(dict(inst))
    for _ in range(draw(st.integers(1, 3))):
        found = paths(out, leaf)
        if not found:                     # every field is already a non-leaf
            break
        path = draw(st.sampled_from(found))
        node = get(out, path)
        if isinstance(node, list) and node and draw(st.booleans()):
            if draw(st.booleans()):
                node.pop()
            else:
                node.append(copy.deepcopy(node[-1]))
        elif path:
            if drop and draw(st.integers(0, 9)) == 0:
                get(out, path[:-1]).pop(path[-1])              # a missing field
            else:
                set_at(out, path, copy.deepcopy(draw(st.sampled_from(list(edge)))))
    return out


@st.composite
def mutated(draw: st.DrawFn, bases: Sequence[Mapping[str, Any]], edge: Sequence[Any] = EDGE,
            *, leaf: Leaf = is_number, drop: bool = False) -> dict[str, Any]:
    """A drawn base of ``bases``, mutated by :func:`mutate`."""
    return mutate(draw, draw(st.sampled_from(list(bases))), edge, leaf=leaf, drop=drop)


Accept = Callable[[dict[str, Any], dict[str, Any]], None]


def check_run(inst: Mapping[str, Any], out: Outcome, accept: Accept | None = None, *,
              quiet: bool = False, no_notes: bool = False) -> Outcome:
    """The error contract of ``out``; on exit 0, ``accept(inst, result)`` (an evaluator).

    Parameters
    ----------
    inst
        The instance that was solved.
    out
        What :func:`tests.contract.run_solve` returned.
    accept
        The problem's evaluator, raising ``AssertionError`` on a wrong answer.
    quiet
        On exit 0: no ``Warning`` on stderr.
    no_notes
        On exit 0: no ``notes`` at all (warnings become notes).

    Returns
    -------
    Outcome
        ``out``, for chaining.
    """
    check_contract(out)
    if out.rc == 0:
        if quiet:
            assert "Warning" not in out.stderr, out.stderr     # no warnings on a clean run
        if no_notes:
            assert "notes" not in out.result, out.result["notes"]
        if accept is not None:
            accept(dict(inst), out.result)
    return out


def run_checked(inst: Mapping[str, Any], *args: str, accept: Accept | None = None,
                quiet: bool = False, no_notes: bool = False) -> Outcome:
    """:func:`tests.contract.run_solve` ``(inst, *args)`` then :func:`check_run`."""
    return check_run(inst, run_solve(inst, *args), accept, quiet=quiet, no_notes=no_notes)
