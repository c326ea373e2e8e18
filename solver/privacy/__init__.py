"""Truthful mechanisms for agents that value privacy [CCKMV13].

The problems (:mod:`solver.privacy.problem`): :class:`ElectionInstance` (Mechanism 4.1, on
the vote counts), :class:`FacilityInstance` (Mechanism 6.1, on the histogram of reports),
:class:`VCGInstance` (Mechanism 7.1, one utility row per player) and
:class:`PrivateMechanismLPInstance` (the LP benchmark, one utility row per type), each
validated at construction, and :func:`solve` (dispatching on the instance type, with its
certificate, as ``solver solve`` prints it).

The building blocks: :class:`PrivacyBound` (the function ``F`` of Assumption 3.1, applied
to a ratio ``x >= 1``), :func:`dp_level` (the exact ε-DP level of Definition 3.2),
:func:`log_ratio_per_outcome` (Assumption 3.1's ratio) and :func:`gain_closed_form` (the
most any allowed privacy utility gains from a lie, [CCKMV13, Section 3]); the mechanisms'
exact distributions live in the modules :mod:`~solver.privacy.election`,
:mod:`~solver.privacy.facility`, :mod:`~solver.privacy.vcg`,
:mod:`~solver.privacy.vcg_exhaustive` and :mod:`~solver.privacy.lp_benchmark`.  Importing
this package registers nothing (:mod:`solver.privacy.plugin` does).
"""

from __future__ import annotations

from .model import PrivacyBound, dp_level, log_ratio_per_outcome
from .problem import (
    ElectionInstance,
    FacilityInstance,
    PrivateMechanismLPInstance,
    VCGInstance,
    solve,
)
from .verifier import gain_closed_form

__all__ = ["ElectionInstance", "FacilityInstance", "PrivacyBound", "PrivateMechanismLPInstance",
           "VCGInstance", "dp_level", "gain_closed_form", "log_ratio_per_outcome", "solve"]
