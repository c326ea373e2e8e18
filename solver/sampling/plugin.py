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

from ..problems import register_package
from .claims_mechanisms import CLAIMS as MECHANISM_CLAIMS
from .claims_optimum import CLAIMS as OPTIMUM_CLAIMS
from .claims_printed import CLAIMS as PRINTED_CLAIMS
from .experiments import EXPERIMENTS
from .problem import MECHANISM_SPEC, SAMPLING_SPEC

register_package(problems=(SAMPLING_SPEC, MECHANISM_SPEC),
                 claims=(*OPTIMUM_CLAIMS, *MECHANISM_CLAIMS, *PRINTED_CLAIMS),
                 experiments=EXPERIMENTS)
