import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from twin.errors import DefectError
from twin.wafer.defects import DEFAULT_RATES, Defects, synthetic_defects

chips = st.integers(0, 383)
pairs = lambda n: st.frozensets(st.tuples(chips, st.integers(0, n - 1)), max_size=20)  # noqa: E731

defect_maps = st.builds(
    Defects,
    hicanns=st.frozensets(chips, max_size=10),
    denmems=pairs(512),
    hlines=pairs(64),
    vlines=pairs(256),
    drivers=pairs(224),
    dnc_mergers=pairs(8),
    fpgas_without_highspeed=st.frozensets(st.integers(0, 47), max_size=3),
)


@given(defect_maps)
def test_json_round_trip(defects):
    assert Defects.from_json(defects.to_json()) == defects


def test_save_load_round_trip(tmp_path):
    d = synthetic_defects(3)
    path = d.save(tmp_path / "defects.json")
    assert Defects.load(path) == d


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("not json", "not valid JSON"),
        ('{"hicanns": []}', "not a defect map"),
        ('{"format": "bss1-twin-defects", "chips": []}', "unknown keys"),
        ('{"format": "bss1-twin-defects", "hicanns": [400]}', "outside 0..383"),
        ('{"format": "bss1-twin-defects", "vlines": [[1, 256]]}', "outside 0..255"),
    ],
)
def test_malformed_documents_give_clear_errors(text, match):
    with pytest.raises(DefectError, match=match):
        Defects.from_json(text)


def test_missing_file_is_a_defect_error(tmp_path):
    with pytest.raises(DefectError, match="cannot read"):
        Defects.load(tmp_path / "nope.json")


def test_synthetic_defects_are_reproducible_and_seed_dependent():
    assert synthetic_defects(7) == synthetic_defects(7)
    assert synthetic_defects(7) != synthetic_defects(8)


@pytest.mark.parametrize(
    ("kind", "per_chip"), [("denmems", 512), ("vlines", 256), ("drivers", 224)]
)
def test_synthetic_defect_rates_match_within_binomial_bounds(kind, per_chip):
    rate = DEFAULT_RATES[kind]
    n = 384 * per_chip
    counts = [len(getattr(synthetic_defects(s), kind)) for s in range(5)]
    sd = np.sqrt(n * rate * (1 - rate))
    for count in counts:
        assert abs(count - n * rate) < 5 * sd


def test_synthetic_map_keeps_public_facts():
    d = synthetic_defects(0)
    assert 383 in d.hicanns
    assert d.fpgas_without_highspeed == {5, 43}


def test_zero_rates_give_only_the_fixed_facts():
    d = synthetic_defects(0, rates=dict.fromkeys(DEFAULT_RATES, 0.0))
    assert d.hicanns == {383}
    assert not d.denmems
    assert not d.vlines


def test_unknown_rate_kind_raises():
    with pytest.raises(DefectError, match="unknown defect kinds"):
        synthetic_defects(0, rates={"wires": 0.1})


def test_json_is_canonical():
    d = synthetic_defects(1)
    assert json.loads(d.to_json()) == json.loads(
        Defects.from_json(d.to_json()).to_json()
    )
