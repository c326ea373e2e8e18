"""Registers the privacy problems and claims (imported by :mod:`solver.plugins`)."""

from ..problems import register_problem
from . import (
                 claims,  # noqa: F401  (registers the privacy.* claims)
                 election,
                 facility,
                 lp_benchmark,
                 vcg,
)

register_problem("election", election.parse, election.solve,
                 "Mechanism 4.1: private two-candidate election (exact, with truthfulness check)",
                 methods=election.METHODS)
register_problem("facility-location", facility.parse, facility.solve,
                 "Mechanism 6.1: private discrete facility location (exact distribution)",
                 methods=facility.METHODS)
register_problem("vcg", vcg.parse, vcg.solve,
                 "Mechanism 7.1: VCG with discrete-Laplace noise (exact for small |O|)",
                 methods=vcg.METHODS)
register_problem("private-mechanism-lp", lp_benchmark.parse, lp_benchmark.solve_cli,
                 "LP benchmark: best ε-DP mechanism truthful for every Assumption-3.1 utility",
                 methods=lp_benchmark.METHODS)
