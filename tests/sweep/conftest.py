"""Register the synthetic problem and claim of :mod:`tests.sweep.toy` for these tests only."""

from __future__ import annotations

import pytest

from solver.claims import register
from solver.claims.registry import _CLAIMS
from solver.problems import _PROBLEMS, register_problem

from . import toy


@pytest.fixture(autouse=True, scope="package")
def toy_registrations():
    register_problem(toy.TOY_PROBLEM, toy.parse_toy, toy.solve_toy, "sum of values (tests)")
    register(toy.TOY_CLAIM, paper="sweep tests", section="-", kind="theorem",
             statement="a toy claim that holds, with a worst case")(toy.toy_claim)
    yield
    _PROBLEMS.pop(toy.TOY_PROBLEM, None)  # leave the registries as other tests expect them
    _CLAIMS.pop(toy.TOY_CLAIM, None)
