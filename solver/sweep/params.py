"""Declared parameters of an experiment, checked before a sweep runs or stores anything.

An experiment registered with ``params={name: Param(...)}`` has every parameter set of a
sweep checked when the sweep is planned: an unknown name, a value of the wrong type or
outside the allowed ``choices`` or range, and a missing required parameter raise
:class:`~solver.errors.InstanceError` (``solver sweep`` exits 2; nothing runs, nothing is
stored).  An experiment without declared parameters (``params=None``) gets only its own
``check``.

Every experiment declares its own parameters where it is registered (the sampling ones in
:mod:`solver.sampling.experiments`); nothing is declared here by experiment name.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ..errors import InstanceError

ParamType = Literal["int", "number", "bool", "str", "mapping", "any"]


@dataclass(frozen=True)
class Param:
    """One declared parameter of an experiment.

    Attributes
    ----------
    type
        ``"int"``, ``"number"`` (int or float, finite), ``"bool"``, ``"str"``, ``"mapping"``
        or ``"any"``.
    required
        Whether every parameter set must give it.
    choices
        The allowed values (``None``: any value of the type).
    minimum
        The least allowed number (``int``/``number`` only).
    help
        What it is, in words (shown in the error).
    """

    type: ParamType = "any"
    required: bool = False
    choices: tuple[Any, ...] | None = None
    minimum: float | None = None
    help: str = ""

    def check(self, name: str, value: Any) -> None:
        """Raise ``InstanceError(name, rule)`` unless ``value`` is allowed."""
        t = self.type
        if value is None and not self.required:
            return
        if t == "bool" and not isinstance(value, bool):
            raise InstanceError(name, f"must be true or false, got {value!r}")
        if t in ("int", "number"):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InstanceError(name, f"must be a number, got {value!r}")
            if t == "int" and not (isinstance(value, int) or float(value).is_integer()):
                raise InstanceError(name, f"must be an integer, got {value!r}")
            if not math.isfinite(float(value)):
                raise InstanceError(name, f"must be finite, got {value!r}")
            if self.minimum is not None and value < self.minimum:
                raise InstanceError(name, f"must be >= {self.minimum:g}, got {value!r}")
        if t == "str" and not isinstance(value, str):
            raise InstanceError(name, f"must be a string, got {value!r}")
        if t == "mapping" and not isinstance(value, Mapping):
            raise InstanceError(name, f"must be an object, got {value!r}")
        if self.choices is not None and value not in self.choices:
            raise InstanceError(name, f"must be one of {', '.join(map(repr, self.choices))}, "
                                      f"got {value!r}")


def check_param_sets(experiment: str, params: Mapping[str, Param] | None,
                     sets: Sequence[Mapping[str, Any]]) -> None:
    """Check every parameter set against the declared ``params`` (see the module docstring).

    Raises
    ------
    InstanceError
        Naming the parameter and the rule: an unknown name (with the known ones), a bad
        value, or a required parameter the grid lacks.
    """
    if params is None:
        return
    known = ", ".join(sorted(params)) or "none"
    for ps in sets:
        for name in ps:
            if name not in params:
                raise InstanceError(name, f"unknown parameter of {experiment!r} "
                                                    f"(known: {known})")
        for name, spec in params.items():
            if name in ps:
                spec.check(name, ps[name])
            elif spec.required:
                what = f" ({spec.help})" if spec.help else ""
                raise InstanceError(name, f"is required by {experiment!r}{what}: "
                                                    "add it to the grid")
