"""Exceptions shared across the library.

``InstanceError`` is raised for bad input and always names the offending field and the
rule it broke; the CLI maps it to exit code 2.  ``SolverError`` covers backend failures
(exit code 1); ``NotCertifiedError`` is raised by :meth:`solver.opt.Solution.certify`.
"""

from __future__ import annotations


class SolverLibraryError(Exception):
    """Base class of every error raised on purpose by this library."""


class InstanceError(SolverLibraryError, ValueError):
    """Bad input: names the field (``field``) and the rule it broke (``rule``).

    Parameters
    ----------
    field
        Dotted path of the offending field, e.g. ``"demands[3]"`` or ``"valuations[2][5]"``.
    rule
        What the field must satisfy, phrased as a constraint (``"must be >= 0"``).
    """

    def __init__(self, field: str, rule: str) -> None:
        self.field = field
        self.rule = rule
        super().__init__(f"{field}: {rule}")


class SizeLimitError(InstanceError):
    """An instance too large for an exhaustive method; the message names the method that scales."""

    def __init__(self, field: str, rule: str, alternative: str) -> None:
        self.alternative = alternative
        super().__init__(field, f"{rule}; use {alternative} instead")


class SolverError(SolverLibraryError, RuntimeError):
    """A backend failed, or a requested backend is missing or unsuitable."""


class BackendUnavailableError(InstanceError, SolverError):
    """The requested backend is unknown, not installed or cannot handle the model.

    It is bad input (the ``backend`` field, exit 2): the message lists the backends that
    would work.
    """

    def __init__(self, rule: str) -> None:
        super().__init__("backend", rule)


class NotCertifiedError(SolverError):
    """Raised by ``Solution.certify()`` when the solve was not proven optimal."""


class TimeLimitReached(SolverError):
    """The deadline of :mod:`solver.budget` passed before a result existed (exit 1).

    The command line reports it as status ``time_limit`` with no incumbent.
    """


class CertificateError(SolverError):
    """A result failed the library's own a-posteriori check (:mod:`solver.opt.certificate`)."""
