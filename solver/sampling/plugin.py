"""Everything Pricing Private Data [GAH12] contributes to the library, registered in one place.

Imported by :mod:`solver.plugins` (importing :mod:`solver.sampling` registers nothing):

* the problems ``sampling`` (:class:`~solver.sampling.problem.SamplingInstance`: Π^OPT,
  the ordering and independent distributions, the LP over Ψ) and ``sampling-mechanism``
  (:class:`~solver.sampling.problem.MechanismInstance`: the Baseline and CE Mechanisms),
  both solved by :func:`solver.sampling.solve`, with their methods;
* the claims ``sampling.*``: the paper's examples, lemmas and theorems as executable checks
  (:data:`solver.sampling.claims_optimum.CLAIMS`,
  :data:`solver.sampling.claims_mechanisms.CLAIMS`,
  :data:`solver.sampling.claims_printed.CLAIMS`: printed statements and footnotes);
* the sweep experiments ``sampling.random-ratio``, ``sampling.figure2`` and
  ``sampling.theorem51-ratio`` (:data:`solver.sampling.experiments.EXPERIMENTS`).
"""

from __future__ import annotations

from ..claims.registry import Claim, register, register_unchecked
from ..problems import ProblemSpec, register_problem
from ..sweep.experiments import experiment
from .claims_mechanisms import CLAIMS as MECHANISM_CLAIMS
from .claims_optimum import CLAIMS as OPTIMUM_CLAIMS
from .claims_printed import CLAIMS as PRINTED_CLAIMS
from .experiments import EXPERIMENTS
from .problem import MECHANISM_SPEC, SAMPLING_SPEC


def _register_problem(spec: ProblemSpec) -> None:
    register_problem(spec.name, spec.parse, spec.solve, description=spec.description,
                     methods=spec.methods)


def _register_claim(claim: Claim) -> None:
    """Add one :class:`~solver.claims.registry.Claim` to the registry, unchanged."""
    if claim.kind == "unchecked" or claim.check is None:
        register_unchecked(claim.id, paper=claim.paper, section=claim.section,
                           statement=claim.statement, reason=claim.reason)
    else:
        register(claim.id, paper=claim.paper, section=claim.section,
                 statement=claim.statement, kind=claim.kind, tolerance=claim.tolerance,
                 reason=claim.reason, expected=claim.expected)(claim.check)


for _spec in (SAMPLING_SPEC, MECHANISM_SPEC):
    _register_problem(_spec)
for _claim in (*OPTIMUM_CLAIMS, *MECHANISM_CLAIMS, *PRINTED_CLAIMS):
    _register_claim(_claim)
for _exp in EXPERIMENTS:
    experiment(_exp.name, _exp.description, _exp.check)(_exp.fn)
