"""Certainty equivalents: closed forms against direct/numeric computation (Section 3)."""

import numpy as np
import pytest

from solver.errors import InstanceError
from solver.sampling import utility as U
from solver.sampling.distributions import independent_distribution, ordering_distribution
from solver.tolerances import EXACT

D43 = np.array([100] * 50 + [200] * 150)


def test_section43_certainty_equivalents() -> None:
    k = np.arange(201)
    u = U.cara(0.002)
    ce_o = u.certainty_equivalent(10.0 * k, ordering_distribution(1000, D43))
    # the notes' closed form: -ln(0.8 + 0.1 e^-4 + 0.1 e^-3) / 0.002
    assert ce_o == pytest.approx(-np.log(0.8 + 0.1 * np.exp(-4) + 0.1 * np.exp(-3)) / 0.002,
                                 abs=1e-9)
    assert round(ce_o, 2) == 107.33
    ce_i = u.certainty_equivalent(10.0 * k, independent_distribution(1000, D43))
    direct = -(50 * np.log(0.9 + 0.1 * np.exp(-0.02)) + 150 * np.log(0.8 + 0.2 * np.exp(-0.02)))
    assert ce_i == pytest.approx(direct / 0.002, abs=1e-7)
    assert round(ce_i, 2) == 347.16


@pytest.mark.parametrize("u", [U.linear(), U.cara(0.3), U.cara(-0.2), U.crra(0.5),
                               U.crra(2.0, 50.0), U.crra(1.0, 20.0), U.crra(-0.5, 1.0)])
def test_closed_form_matches_numeric_inverse(u: U.Utility) -> None:
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 10, size=(20, 6))
    p = rng.dirichlet(np.ones(6), size=20)
    closed = u.certainty_equivalent(x, p)
    numeric = U.custom(lambda z: u(z)).certainty_equivalent(x, p)  # brentq inverse
    assert np.allclose(closed, numeric, atol=1e-7)
    # definition: u(CE) = E[u(X)]
    assert np.allclose(u(closed), np.sum(p * u(x), axis=1), atol=1e-9)


def test_ce_against_risk_attitude_and_normalisation() -> None:
    x, p = np.array([0.0, 100.0]), np.array([0.5, 0.5])
    assert U.cara(0.05).certainty_equivalent(x, p) < 50 < U.cara(-0.05).certainty_equivalent(x, p)
    assert U.linear().certainty_equivalent(x, p) == 50
    for u in (U.cara(0.4), U.crra(0.3), U.crra(3.0, 7.0), U.cara(-1.0)):
        assert u(np.array(0.0)) == 0.0
        assert u.certainty_equivalent(np.array([7.0]), np.array([1.0])) == pytest.approx(7.0)


def test_cara_large_payments_do_not_overflow() -> None:
    ce = U.cara(5.0).certainty_equivalent(np.array([-1e4, 1e4]), np.array([0.5, 0.5]))
    assert ce == pytest.approx(-1e4 + np.log(2) / 5, rel=1e-9)


def test_zero_probability_outcomes_ignored_and_crra_ruin() -> None:
    u = U.crra(2.0, 10.0)
    assert u.certainty_equivalent(np.array([-50.0, 3.0]), np.array([0.0, 1.0])) == \
        pytest.approx(3.0)
    assert u.certainty_equivalent(np.array([-50.0, 3.0]), np.array([0.5, 0.5])) == -np.inf


def test_custom_with_given_inverse() -> None:
    u = U.custom(lambda z: np.cbrt(z), inverse=lambda y: y ** 3)
    assert u.certainty_equivalent(np.array([0.0, 8.0]), np.array([0.5, 0.5])) == \
        pytest.approx(1.0, abs=EXACT)


@pytest.mark.parametrize("spec,field", [
    ({"kind": "cara"}, "u.a"),
    ({"kind": "exp", "a": 1}, "u.kind"),
    ({"kind": "cara", "a": float("nan")}, "u.a"),
    ({"kind": "crra", "gamma": 2.0}, "u.wealth"),
    ({"kind": "crra", "gamma": 0.5, "wealth": -1}, "u.wealth"),
    ({"kind": "linear", "a": 1}, "u.a"),
])
def test_bad_specs(spec: dict, field: str) -> None:
    with pytest.raises(InstanceError) as e:
        U.from_spec(spec, "u")
    assert e.value.field == field
