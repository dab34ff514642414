import pytest

from twin.errors import WaferSpecError
from twin.units import bio_ms_to_hw_s, bio_rate_to_hw, hw_rate_to_bio, hw_s_to_bio_ms
from twin.wafer.bandwidth import BANDWIDTH, Bandwidth


def test_every_limit_converts_through_the_one_speedup():
    for name, limit in BANDWIDTH.limits.items():
        assert BANDWIDTH.bio(name) == pytest.approx(limit.rate_hw / BANDWIDTH.speedup)
        assert limit.source


def test_recording_limit_matches_the_seed_claim_for_one_neuron_per_chip():
    # 25 MEvent/s per chip at speed-up 1e4 is the 2.5 kHz the seed quotes.
    assert BANDWIDTH.bio("recording_per_hicann") == pytest.approx(2500.0)


def test_clock_derived_limits_scale_with_the_pll():
    fast = Bandwidth.with_pll(250e6)
    assert fast.hw("priority_encoder") == pytest.approx(
        2 * BANDWIDTH.hw("priority_encoder")
    )
    assert fast.hw("recording_per_hicann") == BANDWIDTH.hw("recording_per_hicann")


def test_other_speedup_rescales_bio_rates():
    slow = BANDWIDTH.replace(speedup=1e3)
    assert slow.bio("input_per_fpga") == pytest.approx(
        10 * BANDWIDTH.bio("input_per_fpga")
    )


def test_planned_rate_uses_utilisation():
    assert BANDWIDTH.planned_bio("input_per_hicann") == pytest.approx(
        0.8 * BANDWIDTH.bio("input_per_hicann")
    )


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"speedup": 0.0}, "speedup"),
        ({"input_utilisation": 1.5}, "utilisation"),
        ({"pll_hz": 50e6}, "PLL"),
    ],
)
def test_bad_values_raise(change, match):
    with pytest.raises(WaferSpecError, match=match):
        BANDWIDTH.replace(**change)


def test_unknown_limit_names_the_known_ones():
    with pytest.raises(WaferSpecError, match="recording_per_hicann"):
        BANDWIDTH.hw("nope")


@pytest.mark.parametrize("t", [0.1, 1.0, 10_000.0])
def test_time_and_rate_conversions_invert(t):
    assert hw_s_to_bio_ms(bio_ms_to_hw_s(t)) == pytest.approx(t)
    assert hw_rate_to_bio(bio_rate_to_hw(t)) == pytest.approx(t)
