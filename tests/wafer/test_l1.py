from collections import Counter

import pytest

from twin.wafer.l1 import (
    N_HLINES,
    N_VLINES,
    RESERVED_L1_ADDRESSES,
    USABLE_L1_ADDRESSES,
    crossbar_hlines,
    crossbar_vlines,
    hline_east,
    hline_west,
    sending_hline,
    vline_north,
    vline_south,
)


def test_each_hline_has_four_switches_per_side():
    for h in range(N_HLINES):
        vs = crossbar_vlines(h)
        assert len(set(vs)) == 8
        assert sum(v < 128 for v in vs) == 4


def test_each_vline_meets_exactly_two_hlines_and_relation_is_symmetric():
    degree = Counter(v for h in range(N_HLINES) for v in crossbar_vlines(h))
    assert set(degree) == set(range(N_VLINES))
    assert set(degree.values()) == {2}
    for v in range(N_VLINES):
        for h in crossbar_hlines(v):
            assert v in crossbar_vlines(h)


def test_crossbar_has_512_switches_per_chip():
    assert sum(len(crossbar_vlines(h)) for h in range(N_HLINES)) == 512


@pytest.mark.parametrize(
    ("forward", "backward", "n"),
    [(hline_east, hline_west, N_HLINES), (vline_north, vline_south, N_VLINES)],
)
def test_continuation_maps_are_inverse_bijections(forward, backward, n):
    images = [forward(line) for line in range(n)]
    assert sorted(images) == list(range(n))
    assert all(backward(forward(line)) == line for line in range(n))


def test_vertical_continuation_stays_in_its_half():
    for v in range(N_VLINES):
        assert (vline_north(v) < 128) == (v < 128)


def test_usable_addresses_exclude_reserved_ones():
    assert len(USABLE_L1_ADDRESSES) == 64 - len(RESERVED_L1_ADDRESSES) == 59
    assert not set(USABLE_L1_ADDRESSES) & RESERVED_L1_ADDRESSES
    # The disabling addresses are exactly those with low nibble 0b0001.
    assert {a for a in RESERVED_L1_ADDRESSES if a} == {
        a for a in range(64) if a % 16 == 1
    }


def test_sending_repeaters_drive_every_eighth_hline():
    lines = [sending_hline(d) for d in range(8)]
    assert sorted(lines) == list(range(6, 64, 8))
    with pytest.raises(ValueError, match="DNC merger"):
        sending_hline(8)
