"""Bad input names the buyer and index."""

import math

import pytest

from solver.errors import InstanceError
from solver.pricing import PricingInstance

OK = [[0.1, 0.2, 0.3], [0.2, 0.2, 0.9]]


@pytest.mark.parametrize("raw, field", [
    ({"valuations": [[0.1, 0.2, 0.3], [0.2, 0.2, 1.5]], "supply": 3}, "valuations[1][2]"),
    ({"valuations": [[0.1, 0.2, 0.3], [0.2, -0.1, 0.4]], "supply": 3}, "valuations[1][1]"),
    ({"valuations": [[0.1, 0.2, 0.3], [0.5, 0.4, 0.9]], "supply": 3}, "valuations[1][1]"),
    ({"valuations": [[0.1, 0.2, 0.3], [0.2, 0.3]], "supply": 3}, "valuations[1]"),
    ({"valuations": [[0.1, math.nan, 0.3], [0.2, 0.3, 0.4]], "supply": 3}, "valuations[0][1]"),
    ({"valuations": OK, "supply": 0}, "supply"),
    ({"valuations": OK, "supply": 4}, "supply"),
    ({"valuations": OK, "costs": [0.1, -0.2]}, "costs[1]"),
    ({"valuations": OK}, "supply"),
    ({"valuations": [], "supply": 1}, "valuations"),
    ({"valuations": OK, "supply": 2, "suply": 3}, "suply"),
    ({"valuations": [{"kind": "step", "tolerance": 0.3}], "supply": 3}, "sigma"),
    ({"valuations": [{"kind": "cubic", "tolerance": 0.3}], "supply": 3, "sigma": 1},
     "valuations[0].kind"),
    ({"valuations": [{"kind": "step", "tolerance": -1}], "supply": 3, "sigma": 1},
     "valuations[0].tolerance"),
    ({"valuations": [{"kind": "step", "tolerance": 1}], "costs": [0.0], "sigma": 1},
     "max_supply"),
])
def test_bad_input_names_field(raw, field):
    with pytest.raises(InstanceError) as e:
        PricingInstance.from_dict({"problem": "pricing", **raw})
    assert e.value.field == field


def test_decreasing_names_later_index():
    raw = {"valuations": [[0.1] * 6, [0.1] * 6, [0.1, 0.2, 0.3, 0.4, 0.5, 0.45]], "supply": 6}
    with pytest.raises(InstanceError) as e:
        PricingInstance.from_dict(raw)
    assert e.value.field == "valuations[2][5]"


def test_parse_good_and_immutable():
    inst = PricingInstance.from_dict({"problem": "pricing", "valuations": OK, "supply": 2})
    assert inst.V.shape == (2, 3) and inst.V[0, 0] == 0 and inst.N_max == 2
    with pytest.raises(ValueError):
        inst.V[0, 1] = 1.0
    inst = PricingInstance.from_dict({"valuations": [{"kind": "linear", "tolerance": 0.5}],
                                      "sigma": 1.0, "costs": [0.25, 0.5]})
    assert inst.V.shape == (1, 5)   # floor(|B| / c_1) = 4
