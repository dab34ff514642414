import pytest

from twin.errors import WaferSpecError
from twin.wafer.coords import (
    HICANNS,
    N_HICANNS,
    RETICLES,
    ROW_X_RANGES,
    HICANNOnWafer,
    ReticleOnWafer,
)

EXPECTED_ROW_WIDTHS = (12, 12, 20, 20, 28, 28, 36, 36, 36, 36, 28, 28, 20, 20, 12, 12)


def test_wafer_has_384_chips_in_rows_of_known_width():
    assert N_HICANNS == 384 == len(HICANNS)
    widths = [sum(1 for h in HICANNS if h.y == y) for y in range(16)]
    assert tuple(widths) == EXPECTED_ROW_WIDTHS


def test_rows_are_centred_on_the_36_column_grid():
    for lo, hi in ROW_X_RANGES:
        assert lo + hi == 35


def test_enum_is_row_major_and_round_trips_for_every_chip():
    for enum, chip in enumerate(HICANNS):
        assert chip.enum == enum
        assert HICANNOnWafer.from_enum(enum) == chip
    assert list(HICANNS) == sorted(HICANNS, key=lambda h: (h.y, h.x))


@pytest.mark.parametrize(
    ("x", "y", "enum"), [(18, 7, 174), (16, 10, 276), (24, 4, 84), (9, 11, 297)]
)
def test_enum_matches_halco_examples(x, y, enum):
    # Cross-checks of the halco lookup table quoted in the hardware reference.
    assert HICANNOnWafer(x, y).enum == enum


@pytest.mark.parametrize(("x", "y"), [(0, 0), (11, 0), (36, 7), (-1, 8), (12, 16)])
def test_invalid_positions_raise(x, y):
    with pytest.raises(WaferSpecError, match="no HICANN"):
        HICANNOnWafer(x, y)


def test_neighbours_are_unit_steps_and_symmetric():
    for chip in HICANNS:
        for n in chip.neighbours():
            assert abs(n.x - chip.x) + abs(n.y - chip.y) == 1
            assert chip in n.neighbours()
        if chip.east() is not None:
            assert chip.east().west() == chip


def test_reticles_tile_the_wafer_exactly():
    assert len(RETICLES) == 48
    covered = [h for r in RETICLES for h in r.hicanns()]
    assert sorted(covered) == sorted(HICANNS)
    for chip in HICANNS:
        assert chip in chip.reticle.hicanns()


def test_each_reticle_has_its_own_fpga():
    assert sorted(r.fpga for r in RETICLES) == list(range(48))
    assert ReticleOnWafer.from_enum(0).fpga == 12  # the master FPGA's reticle


def test_reticle_enum_round_trip():
    for enum, reticle in enumerate(RETICLES):
        assert reticle.enum == enum
        assert ReticleOnWafer.from_enum(enum) == reticle
