"""The result of solving a design problem, with its certificate, for Python and the CLI alike.

Every problem's ``solve`` returns a :class:`Result`: the certificate (``status``,
``objective``, ``bound``, relative ``gap``, ``backend``, ``seconds``, ``message``) plus the
problem's own fields, reachable as attributes (``res.sizes``) or items (``res["sizes"]``).
:meth:`Result.to_dict` is exactly the object ``solver solve FILE --json`` prints, and
:meth:`Result.certify` raises unless the optimum was proven.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import NotCertifiedError
from .opt.result import EXIT_OK_STATUSES, STATUSES

#: The certificate's fields, in the order they are printed.
CERTIFICATE_FIELDS: tuple[str, ...] = ("status", "objective", "bound", "gap", "backend",
                                       "seconds")


def _num(v: Any) -> float | None:
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


@dataclass
class Result(Mapping[str, Any]):
    """A design problem's answer and its certificate.

    Attributes
    ----------
    problem
        The problem's registered name (the ``problem`` field of an instance file).
    status
        One of :data:`solver.opt.STATUSES`; only ``"optimal"`` is a proof.
    objective, bound, gap
        The value of the answer, the best proven bound on the optimum (``None`` where the
        method has none) and the relative gap between them.
    backend
        The backend or exact method that produced it (``"highs"``, ``"exact:closed-form"``).
    seconds
        Wall-clock seconds.
    message
        Why the status is not ``optimal`` (a backend's text, a failed check), or ``""``.
    fields
        The problem's own fields (``sizes``, ``prices``, ``curve``, ...).
    """

    problem: str
    status: str
    objective: float | None
    bound: float | None = None
    gap: float | None = None
    backend: str = ""
    seconds: float = 0.0
    message: str = ""
    fields: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}, got "
                             f"{self.status!r}")

    @classmethod
    def from_dict(cls, problem: str, d: Mapping[str, Any]) -> Result:
        """Build from a problem's JSON-ready dict (certificate keys plus its own fields)."""
        own = {k: v for k, v in d.items()
               if k not in CERTIFICATE_FIELDS + ("problem", "message")}
        return cls(problem=problem, status=str(d["status"]), objective=d.get("objective"),
                   bound=d.get("bound"), gap=d.get("gap"), backend=str(d.get("backend", "")),
                   seconds=float(d.get("seconds") or 0.0), message=str(d.get("message") or ""),
                   fields=own)

    # ------------------------------------------------------------------ certificate
    @property
    def is_optimal(self) -> bool:
        """Whether the optimum was proven."""
        return self.status == "optimal"

    @property
    def exit_code(self) -> int:
        """The command line's exit code for this result (0 proven or approximate, else 1)."""
        return 0 if self.status in EXIT_OK_STATUSES else 1

    def certificate(self) -> dict[str, Any]:
        """Status, objective, bound, gap, backend and seconds, JSON-ready."""
        return {"status": self.status, "objective": _num(self.objective),
                "bound": _num(self.bound), "gap": _num(self.gap), "backend": self.backend,
                "seconds": float(self.seconds)}

    def certify(self) -> Result:
        """Return ``self`` if proven optimal; raise :class:`NotCertifiedError` otherwise."""
        if self.status != "optimal":
            raise NotCertifiedError(
                f"{self.problem}: not certified optimal: status={self.status}, "
                f"objective={self.objective}, bound={self.bound}, gap={self.gap}, "
                f"backend={self.backend}" + (f" ({self.message})" if self.message else ""))
        return self

    def to_dict(self) -> dict[str, Any]:
        """Exactly what ``solver solve FILE --json`` prints (strict-JSON values)."""
        from .io import to_jsonable

        out: dict[str, Any] = {"problem": self.problem, **self.certificate()}
        if self.message:
            out["message"] = self.message
        out.update(self.fields)
        return to_jsonable(out)

    # ------------------------------------------------------------------ field access
    def __getattr__(self, name: str) -> Any:
        # only called for names that are not dataclass fields
        fields = self.__dict__.get("fields", {})
        if name in fields:
            return fields[name]
        raise AttributeError(f"{type(self).__name__} of {self.__dict__.get('problem')!r} has "
                             f"no field {name!r}; fields: {', '.join(sorted(fields))}")

    def __getitem__(self, key: str) -> Any:
        if key in CERTIFICATE_FIELDS or key in ("problem", "message"):
            return getattr(self, key)
        return self.fields[key]

    def __iter__(self) -> Iterator[str]:
        yield "problem"
        yield from CERTIFICATE_FIELDS
        if self.message:
            yield "message"
        yield from self.fields

    def __len__(self) -> int:
        return sum(1 for _ in self)
