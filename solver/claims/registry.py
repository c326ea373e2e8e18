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

import ast
import fnmatch
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal, TypeVar

import numpy as np

#: The type of a quick/full pair of settings.
T = TypeVar("T")
Kind = Literal["example", "theorem", "unchecked"]
Expected = Literal["holds", "counterexample"]
Sense = Literal["max", "min"]


@dataclass(frozen=True)
class CheckContext:
    """What a check receives: a seed, the budget and the claim's registered tolerance.

    Attributes
    ----------
    seed
        Seed of :meth:`rng`.
    quick
        Whether the check must finish in a few seconds (:meth:`trials` picks the count).
    tolerance
        The claim's registered :attr:`Claim.tolerance` (set by :meth:`Claim.run`); the one
        tolerance a check compares against, through :meth:`worst`.
    """

    seed: int = 0
    quick: bool = False
    tolerance: float | None = None

    def rng(self) -> np.random.Generator:
        """A fresh generator from the seed."""
        return np.random.default_rng(self.seed)

    @property
    def tol(self) -> float:
        """The registered tolerance as a number (raises if the claim registered none)."""
        if self.tolerance is None:
            raise ValueError("this claim registered no tolerance: register it with "
                             "tolerance=<a named constant of solver.tolerances>")
        return float(self.tolerance)

    def trials(self, quick: T, full: T) -> T:
        """``quick`` under ``ctx.quick`` (the test suite), else ``full`` (``solver verify``):
        a trial count, or any pair of settings (case lists, sizes)."""
        return quick if self.quick else full

    def worst(self, quantity: str, *, sense: Sense = "max", bound: float = 0.0,
              tolerance: float | None = None) -> Worst:
        """A :class:`Worst` tracker against the claim's registered tolerance.

        Parameters
        ----------
        quantity
            What is tracked, in words (``"|closed form - quadrature|"``).
        sense
            ``"max"``: the claim holds when every value is ``<= bound + tolerance`` (an
            error or a violation); ``"min"``: when every value is ``>= bound - tolerance``
            (a slack).
        bound
            The bound the values are compared with.
        tolerance
            Only for checks run outside the registry; default :attr:`tolerance`.

        Raises
        ------
        ValueError
            If neither the claim nor the call gives a tolerance.
        """
        tol = self.tolerance if tolerance is None else tolerance
        if tol is None:
            raise ValueError(f"no tolerance for {quantity!r}: register the claim with "
                             "tolerance=<a named constant of solver.tolerances>")
        return Worst(quantity, tolerance=float(tol), sense=sense, bound=bound)


class Worst:
    """The worst value of one quantity over a check's cases, against one tolerance.

    ``see(value, instance, **case)`` records a case; the first strictly worse value (NaN
    counts as worst of all) is kept with its instance (ideally a file that ``solver solve``
    reruns) and the case's parameters. ``result()`` turns it into a :class:`ClaimResult`
    whose ``ok`` is :attr:`ok`.

    Parameters
    ----------
    quantity
        What is tracked, in words.
    tolerance
        The claim's tolerance (one number per claim).
    sense
        ``"max"`` (holds when every value ``<= bound + tolerance``) or ``"min"`` (holds when
        every value ``>= bound - tolerance``).
    bound
        The bound of the statement (default 0).

    Examples
    --------
    >>> w = Worst("violation", tolerance=1e-9)
    >>> w.see(0.0, {"n": 1}), w.see(1e-12, {"n": 2}, seed=3)
    (True, True)
    >>> w.ok, w.count, w.worst_case["seed"]
    (True, 2, 3)
    """

    def __init__(self, quantity: str, *, tolerance: float, sense: Sense = "max",
                 bound: float = 0.0) -> None:
        if sense not in ("max", "min"):
            raise ValueError(f"sense must be 'max' or 'min', got {sense!r}")
        self.quantity = quantity
        self.tolerance = float(tolerance)
        self.sense: Sense = sense
        self.bound = float(bound)
        self.value: float | None = None
        self.instance: Any = None
        self.case: dict[str, Any] = {}
        self.count = 0

    def _worse(self, v: float) -> bool:
        if self.value is None:
            return True
        if np.isnan(self.value):
            return False
        if np.isnan(v):
            return True
        return v > self.value if self.sense == "max" else v < self.value

    def see(self, value: float, instance: Any = None, **case: Any) -> bool:
        """Record one case; return whether it is the new worst."""
        v = float(value)
        self.count += 1
        if self._worse(v):
            self.value, self.instance, self.case = v, instance, dict(case)
            return True
        return False

    @property
    def ok(self) -> bool:
        """Whether every value seen is within the tolerance of the bound (none seen: True)."""
        if self.value is None:
            return True
        if np.isnan(self.value):
            return False
        if self.sense == "max":
            return self.value <= self.bound + self.tolerance
        return self.value >= self.bound - self.tolerance

    @property
    def summary(self) -> str:
        """``"<quantity> = <worst>"`` in words."""
        if self.value is None:
            return f"{self.quantity}: no case"
        return f"{self.quantity} = {self.value:.4g}"

    def describe(self) -> str:
        """The worst value against the bound and tolerance, in words."""
        op = "<=" if self.sense == "max" else ">="
        return (f"worst {self.summary} (needs {op} {self.bound:g} within {self.tolerance:g}; "
                f"{self.count} cases)")

    @property
    def worst_case(self) -> dict[str, Any] | None:
        """The worst case as a dict: summary, the case's parameters, the instance."""
        if self.value is None:
            return None
        out: dict[str, Any] = {"summary": self.summary, self.quantity: self.value}
        out.update(self.case)
        if self.instance is not None:
            out["instance"] = self.instance
        return out

    def result(self, *, ok: bool = True, computed: Any = None, paper_value: Any = None,
               details: dict[str, Any] | None = None, message: str = "",
               also: tuple[Worst, ...] = ()) -> ClaimResult:
        """The check's :class:`ClaimResult`.

        Parameters
        ----------
        ok
            A further condition the claim needs (``and``-ed with :attr:`ok` of this and
            ``also``).
        computed
            Default: the worst value, the tolerance and the number of cases.
        paper_value, message
            As in :class:`ClaimResult`.
        details
            Merged into the details, which always hold ``cases`` and ``tolerance``.
        also
            Further trackers of the same check (their worst cases go to ``details``).
        """
        trackers = (self, *also)
        good = bool(ok) and all(w.ok for w in trackers)
        if computed is None:  # a number (the worst value), the words go to the details
            computed = bad_first(trackers).value
        det: dict[str, Any] = {"cases": self.count, "tolerance": self.tolerance,
                               "check": "; ".join(w.describe() for w in trackers)}
        for w in also:
            det[f"worst {w.quantity}"] = w.worst_case
        det.update(details or {})
        bad = bad_first(trackers)
        return ClaimResult(good, computed=computed, paper_value=paper_value,
                           worst_case=bad.worst_case, details=det, message=message)


def bad_first(trackers: tuple[Worst, ...]) -> Worst:
    """The first tracker that fails, else the first one."""
    return next((w for w in trackers if not w.ok), trackers[0])


#: Opening characters of a string that may be a Python literal's repr (a tuple, list, dict).
_REPR_OPENERS = ("(", "[", "{")


def typed(value: Any) -> Any:
    """``value`` as typed JSON: numbers stay numbers, containers become lists and objects.

    numpy scalars and arrays become Python numbers and lists, tuples and sets lists,
    mappings objects (keys as strings), fractions and decimals floats, non-finite floats
    ``None``.  A string holding a Python literal's repr (``"(2.0, 5.0)"``,
    ``"{'ironed': [1, 5]}"``) is parsed back into the structure it prints, so a machine
    reader never meets a repr; any other string stays text.  Anything else becomes its
    ``str``.

    Examples
    --------
    >>> typed("(2.0, 5.0)"), typed({"a": (1, 2)}), typed("<= 1"), typed(float("nan"))
    ([2.0, 5.0], {'a': [1, 2]}, '<= 1', None)
    """
    if isinstance(value, str):
        text = value.strip()
        if text.startswith(_REPR_OPENERS):
            try:
                parsed = ast.literal_eval(text)
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                return value
            if isinstance(parsed, tuple | list | dict | set | frozenset):
                return typed(parsed)
        return value
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        v = float(value)
        return v if math.isfinite(v) else None
    if isinstance(value, dict) or hasattr(value, "items"):
        return {str(k): typed(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return [typed(v) for v in sorted(value, key=repr)]
    if isinstance(value, list | tuple):
        return [typed(v) for v in value]
    if isinstance(value, np.ndarray):
        return typed(value.tolist())
    if hasattr(value, "to_dict"):
        return typed(value.to_dict())
    try:
        return typed(float(value))  # Fraction, Decimal, sympy numbers
    except (TypeError, ValueError):
        return str(value)


def _number(value: Any) -> float | None:
    """``value`` as a float when it is a real number (not a bool), else ``None``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def abs_error(computed: Any, paper_value: Any) -> float | None:
    """``|computed - paper_value|`` when both are numbers, else ``None``."""
    a, b = _number(computed), _number(paper_value)
    if a is None or b is None:
        return None
    err = abs(a - b)
    return err if math.isfinite(err) else None


@dataclass
class ClaimResult:
    """Outcome of a check.

    Attributes
    ----------
    ok
        Whether the claim held (example reproduced within tolerance / no counterexample).
    computed
        Our value: a number where it is one (for a :class:`Worst` check, the worst value),
        else a structure (list, mapping) or, for words only, a string; :meth:`Claim.run`
        turns it into typed JSON (:func:`typed`).
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
        """Run the check and return a typed JSON-ready row.

        ``status`` is ``ok``/``FAIL``/``error``/``refuted``/``not checked``.  The values are
        typed JSON (:func:`typed`): ``paper_value`` and ``computed`` are numbers where the
        value is a number, lists or objects where it is structured, text only where it is
        words; ``tolerance`` is the claim's registered tolerance and ``abs_error``
        ``|computed - paper_value|`` when both are numbers (else ``None``).
        """
        ctx = ctx or CheckContext()
        row: dict[str, Any] = {
            "claim": self.id, "paper": self.paper, "section": self.section,
            "kind": self.kind, "statement": self.statement,
            "tolerance": None if self.tolerance is None else float(self.tolerance),
        }
        if self.kind == "unchecked" or self.check is None:
            row.update(status="not checked", reason=self.reason)
            return row
        # the claim's registered tolerance is the one its check compares against
        ctx = replace(ctx, tolerance=self.tolerance)
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
        paper_value, computed = typed(res.paper_value), typed(res.computed)
        row.update(
            status=status, expected=self.expected,
            paper_value=paper_value, computed=computed,
            abs_error=abs_error(computed, paper_value),
            worst_case=typed(res.worst_case), details=typed(res.details),
            message=str(res.message), seconds=round(time.perf_counter() - t0, 3),
        )
        return row


_CLAIMS: dict[str, Claim] = {}


class ClaimList(list[Claim]):
    """The claims a module collects, for its package's ``plugin.py`` to register.

    One collector for every claims module (they had nine hand-written copies of the same
    decorator): ``CLAIMS = ClaimList(PAPER)``, then ``@CLAIMS.check(id, section=...,
    statement=...)`` on a check function and ``CLAIMS.unchecked(id, ...)`` for a statement
    recorded with why it is not checked.  Importing the module registers nothing.
    """

    def __init__(self, paper: str = "") -> None:
        super().__init__()
        self.paper = paper

    def check(self, id: str, *, section: str, statement: str, kind: Kind = "theorem",
              paper: str | None = None, tolerance: float | None = None, reason: str = "",
              expected: Expected = "holds",
              ) -> Callable[[Callable[[CheckContext], ClaimResult]],
                            Callable[[CheckContext], ClaimResult]]:
        """Decorator collecting a check function as a :class:`Claim` (``paper`` defaults
        to the list's)."""
        def deco(fn: Callable[[CheckContext], ClaimResult]
                 ) -> Callable[[CheckContext], ClaimResult]:
            self.append(Claim(id, self.paper if paper is None else paper, section, statement,
                              kind, fn, tolerance, reason, expected))
            return fn
        return deco

    def unchecked(self, id: str, *, section: str, statement: str, reason: str,
                  paper: str | None = None) -> None:
        """Collect a statement the library records but does not check, with why."""
        self.append(Claim(id, self.paper if paper is None else paper, section, statement,
                          "unchecked", None, None, reason))


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
