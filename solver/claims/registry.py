"""One registry of the papers' theorems and examples as executable checks.

A claim has an id (``"sampling.theorem-5.1"``), the paper, section, statement, a kind and a
check function.  Kinds:

``example``
    A number the paper prints; ``solver reproduce`` shows the paper's value beside ours.
``theorem``
    A statement checked numerically (random seeded instances plus the paper's tight
    families); ``solver verify`` reports the worst case found.
``unchecked``
    A statement the library records but does not check numerically (e.g. an existence
    result or a statement about all mechanisms); ``reason`` says why.

A theorem may be registered with ``expected="counterexample"`` when the library's check
finds the statement false under the reading recorded in its docstring.  Its row then reads
``refuted`` (not a failure) while the counterexample is still found, and ``FAIL`` if the
check ever starts to pass, so a change in the model that silently removes the
counterexample is caught.

A check function takes a :class:`CheckContext` and returns a :class:`ClaimResult`.  With
``ctx.quick`` it must finish in a few seconds (the test suite runs every claim that way);
without it, it may run the full family.
"""

from __future__ import annotations

import fnmatch
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

Kind = Literal["example", "theorem", "unchecked"]
Expected = Literal["holds", "counterexample"]


@dataclass(frozen=True)
class CheckContext:
    """What a check receives: a seed (for a ``numpy.random.Generator``) and the budget."""

    seed: int = 0
    quick: bool = False

    def rng(self) -> np.random.Generator:
        """A fresh generator from the seed."""
        return np.random.default_rng(self.seed)


@dataclass
class ClaimResult:
    """Outcome of a check.

    Attributes
    ----------
    ok
        Whether the claim held (example reproduced within tolerance / no counterexample).
    computed
        Our value (a number, or a short string for structured results).
    paper_value
        The paper's printed value, for examples.
    worst_case
        For theorems: the worst instance found, as a dict (ideally an instance file that
        ``solver solve`` can rerun) with the quantity that measures it.
    details
        Anything else worth reporting (tables of ratios as n grows, counts of instances).
    """

    ok: bool
    computed: Any = None
    paper_value: Any = None
    worst_case: dict[str, Any] | None = None
    details: dict[str, Any] = field(default_factory=dict)
    message: str = ""


@dataclass(frozen=True)
class Claim:
    """A registered claim; see the module docstring."""

    id: str
    paper: str
    section: str
    statement: str
    kind: Kind
    check: Callable[[CheckContext], ClaimResult] | None = None
    tolerance: float | None = None
    reason: str = ""
    expected: Expected = "holds"

    def run(self, ctx: CheckContext | None = None) -> dict[str, Any]:
        """Run the check and return a JSON-ready row (``status`` is ``ok``/``FAIL``/``error``)."""
        ctx = ctx or CheckContext()
        row: dict[str, Any] = {
            "claim": self.id, "paper": self.paper, "section": self.section,
            "kind": self.kind, "statement": self.statement,
        }
        if self.kind == "unchecked" or self.check is None:
            row.update(status="not checked", reason=self.reason)
            return row
        t0 = time.perf_counter()
        try:
            res = self.check(ctx)
        except Exception as exc:  # a crashing check is reported, never hidden
            row.update(status="error", message=f"{type(exc).__name__}: {exc}",
                       seconds=round(time.perf_counter() - t0, 3))
            return row
        if self.expected == "counterexample":
            status = "FAIL" if res.ok else "refuted"
            if res.ok:
                res.message = ("expected a counterexample to this statement, but the check "
                               "passed: " + res.message)
        else:
            status = "ok" if res.ok else "FAIL"
        row.update(
            status=status, expected=self.expected,
            paper_value=res.paper_value, computed=res.computed,
            worst_case=res.worst_case, details=res.details, message=res.message,
            seconds=round(time.perf_counter() - t0, 3),
        )
        return row


_CLAIMS: dict[str, Claim] = {}


def register(id: str, *, paper: str, section: str, statement: str, kind: Kind,
             tolerance: float | None = None, reason: str = "", expected: Expected = "holds",
             ) -> Callable[[Callable[[CheckContext], ClaimResult]],
                           Callable[[CheckContext], ClaimResult]]:
    """Decorator registering a check function as a claim."""
    def deco(fn: Callable[[CheckContext], ClaimResult]) -> Callable[[CheckContext], ClaimResult]:
        _CLAIMS[id] = Claim(id, paper, section, statement, kind, fn, tolerance, reason,
                            expected)
        return fn
    return deco


def register_claim(claim: Claim) -> Claim:
    """Register a ready :class:`Claim` (what a package's ``plugin.py`` does with its claims
    module's ``CLAIMS``); registering the same id again replaces it."""
    _CLAIMS[claim.id] = claim
    return claim


def register_unchecked(id: str, *, paper: str, section: str, statement: str, reason: str) -> None:
    """Record a statement the library does not check numerically, with why."""
    _CLAIMS[id] = Claim(id, paper, section, statement, "unchecked", None, None, reason)


def all_claims() -> dict[str, Claim]:
    """Every registered claim, plugins loaded, sorted by id."""
    from ..plugins import load_plugins

    load_plugins()
    return dict(sorted(_CLAIMS.items()))


def _matches(claim_id: str, pattern: str) -> bool:
    """Exact id, a dotted prefix (``"sampling"`` matches ``"sampling.theorem-5.1"``), or a glob."""
    if "*" in pattern or "?" in pattern:
        return fnmatch.fnmatchcase(claim_id, pattern)
    return claim_id == pattern or claim_id.startswith(pattern.rstrip(".") + ".")


def select(ids: list[str] | None = None, kinds: tuple[str, ...] | None = None) -> list[Claim]:
    """Claims matching any of ``ids`` (see :func:`_matches`; all if none), of the given kinds.

    An exact id selects that claim only: ``privacy.theorem-4.2`` does not also run
    ``privacy.theorem-4.2-as-printed`` (use ``privacy.theorem-4.2*`` for both).
    """
    cl = all_claims()
    if ids:
        unknown = [i for i in ids if not any(_matches(c, i) for c in cl)]
        if unknown:
            raise KeyError(f"unknown claim {unknown[0]!r}; see `solver verify --list`")
    return [c for c in cl.values()
            if (not kinds or c.kind in kinds) and (not ids or any(_matches(c.id, i) for i in ids))]
