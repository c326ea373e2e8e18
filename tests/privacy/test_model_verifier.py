"""Privacy model (Section 3) and the truthfulness verifier (closed form vs LP)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from solver.errors import InstanceError
from solver.opt import available_backends
from solver.privacy.model import (
    PrivacyBound,
    dp_level,
    log_ratio_per_outcome,
    parse_privacy_bound,
    safe_log,
)
from solver.privacy.verifier import gain_closed_form, gain_lp, gains_table
from solver.tolerances import BACKEND_AGREEMENT, EXACT


def test_builtin_bounds_values():
    assert PrivacyBound("log", 2.0)(math.e) == pytest.approx(2.0)
    assert PrivacyBound("linear", 0.5)(3.0) == pytest.approx(1.0)
    assert PrivacyBound("log", 1.0)(1.0) == 0.0
    assert PrivacyBound("log", 1.0).of_log_ratio(0.7) == pytest.approx(0.7)
    assert PrivacyBound("linear", 1.0).of_log_ratio(0.7) == pytest.approx(math.e**0.7 - 1)
    # the threshold inverts 2F(e^eps) = gap
    for F in (PrivacyBound("log", 0.3), PrivacyBound("linear", 2.0),
              PrivacyBound("callable", fn=lambda x: (x - 1) ** 2)):
        e = F.threshold_epsilon(1.0)
        assert 2 * F(math.exp(e)) == pytest.approx(1.0, rel=1e-9)


@pytest.mark.parametrize("fn, rule", [
    (lambda x: -1.0 * (x - 1), "non-negative"),
    (lambda x: 0.5 + math.log(x), "tend to 0"),
    (lambda x: 1.0 / x - 1.0 + 0.0 if x > 1.5 else 0.0, "non-negative"),
])
def test_bad_callable_bounds(fn, rule):
    with pytest.raises(InstanceError) as e:
        PrivacyBound("callable", fn=fn)
    assert e.value.field == "privacy_bound.fn" and rule in e.value.rule


def test_parse_privacy_bound_errors():
    assert parse_privacy_bound({"kind": "log", "kappa": 2}).kappa == 2
    with pytest.raises(InstanceError) as e:
        parse_privacy_bound({"kind": "log", "kappa": -1})
    assert e.value.field == "privacy_bound.kappa"
    with pytest.raises(InstanceError) as e:
        parse_privacy_bound({"kind": "cubic"})
    assert e.value.field == "privacy_bound.kind"
    with pytest.raises(InstanceError) as e:
        parse_privacy_bound({"kind": "log", "kapa": 1})
    assert e.value.field == "privacy_bound.kapa"


def test_ratio_and_dp_level():
    p = np.array([[0.5, 0.5, 0.0], [0.25, 0.75, 0.0]])
    lr = log_ratio_per_outcome(safe_log(p))
    assert lr == pytest.approx([math.log(2), math.log(1.5), 0.0])
    assert dp_level([(safe_log(p[0]), safe_log(p[1]))]) == pytest.approx(math.log(2))
    q = np.array([[1.0, 0.0], [0.5, 0.5]])
    assert np.isinf(log_ratio_per_outcome(safe_log(q))[1])
    assert math.isinf(dp_level([(safe_log(q[0]), safe_log(q[1]))]))


def test_gain_lp_equals_closed_form_on_every_backend():
    rng = np.random.default_rng(3)
    P, Q = rng.dirichlet(np.ones(5)), rng.dirichlet(np.ones(5))
    uP, uQ, b = rng.normal(size=5), rng.normal(size=5), rng.exponential(size=5)
    cf = gain_closed_form(P, Q, uP, uQ, b)
    from solver.opt import LinearProgram
    backends = available_backends(LinearProgram(c=np.ones(5), A_ub=np.zeros((1, 5)),
                                                b_ub=np.zeros(1)))
    assert backends
    for be in backends:
        g, sol = gain_lp(P, Q, uP, uQ, b, backend=be)
        assert abs(g - cf) <= BACKEND_AGREEMENT, be
        assert sol.status == "optimal"


def test_gain_infinite_bound():
    P, Q = np.array([1.0, 0.0]), np.array([0.5, 0.5])
    b = np.array([0.0, np.inf])
    assert math.isinf(gain_closed_form(P, Q, np.zeros(2), np.zeros(2), b))
    assert math.isinf(gain_lp(P, Q, np.zeros(2), np.zeros(2), b)[0])


def test_gains_table_matches_pairwise_closed_form():
    rng = np.random.default_rng(5)
    prob = rng.dirichlet(np.ones(4), size=3)
    b = rng.exponential(size=4)
    util = rng.normal(size=(3, 4))
    g = gains_table(prob, b, util)
    for a in range(3):
        for t in range(3):
            want = 0.0 if a == t else gain_closed_form(prob[a], prob[t], util[a], util[a], b)
            assert abs(g[a, t] - want) <= EXACT
