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


class BackendUnavailableError(SolverError):
    """The requested backend is not installed or cannot handle the model."""


class NotCertifiedError(SolverError):
    """Raised by ``Solution.certify()`` when the solve was not proven optimal."""
