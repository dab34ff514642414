"""Bad wafer regions and mapping options are clear errors, never silent results."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from experiments.brunel.mapping import MapRequest
from experiments.cli import main
from twin import (
    ConfigError,
    Network,
    PlacementError,
    Population,
    WaferSpecError,
)
from twin.routing import MappingConfig, map_network
from twin.routing.place import place_neurons
from twin.wafer import Defects, Wafer
from twin.wafer.coords import N_HICANNS
from twin.wafer.neurons import N_DENMEMS


def _net(*sizes):
    return Network(
        populations=tuple(Population(name=f"p{i}", size=n) for i, n in enumerate(sizes))
    )


# --- Wafer.region ---------------------------------------------------------------------


@given(st.lists(st.integers(0, N_HICANNS - 1), min_size=1, max_size=5))
def test_region_keeps_exactly_the_listed_chips(chips):
    wafer = Wafer.region(chips)
    assert [h.enum for h in wafer.usable_hicanns()] == sorted(set(chips))


@given(
    good=st.lists(st.integers(0, N_HICANNS - 1), max_size=3),
    bad=st.one_of(st.integers(max_value=-1), st.integers(min_value=N_HICANNS)),
)
def test_region_rejects_a_chip_outside_the_wafer(good, bad):
    with pytest.raises(WaferSpecError) as err:
        Wafer.region([*good, bad])
    msg = str(err.value)
    assert f"chip id {bad} is outside" in msg
    assert f"0..{N_HICANNS - 1}" in msg


@pytest.mark.parametrize("chips", [[], [1.5], [True], ["3"], [None]])
def test_region_rejects_no_chip_and_non_integer_ids(chips):
    with pytest.raises(WaferSpecError, match=rf"Wafer.region: .*0\.\.{N_HICANNS - 1}"):
        Wafer.region(chips)


def test_region_accepts_numpy_integers():
    wafer = Wafer.region(np.arange(3, 6))
    assert [h.enum for h in wafer.usable_hicanns()] == [3, 4, 5]


# --- a wafer that cannot hold a neuron ------------------------------------------------


def test_mapping_onto_a_wafer_without_usable_chips_is_a_placement_error():
    dead = Wafer(defects=Defects(hicanns=frozenset(range(N_HICANNS))))
    with pytest.raises(PlacementError, match="no usable chip"):
        map_network(_net(3), dead)


def test_mapping_onto_chips_without_a_working_neuron_is_a_placement_error():
    denmems = frozenset((c, i) for c in (0, 1) for i in range(N_DENMEMS))
    wafer = Wafer.region([0, 1], defects=Defects(denmems=denmems))
    with pytest.raises(PlacementError, match="no neuron can be placed"):
        map_network(_net(3), wafer)


def test_one_working_neuron_slot_is_enough_to_map():
    # Every denmem of chip 0 but the first logical neuron's is defective.
    denmems = frozenset((0, i) for i in range(N_DENMEMS) if i % 256 >= 4)
    wafer = Wafer.region([0], defects=Defects(denmems=denmems))
    mapping = map_network(_net(1), wafer)
    assert mapping.placement.hicann["p0"][0] == 0


# --- max_loss -------------------------------------------------------------------------


@given(
    st.one_of(
        st.floats(max_value=0.0, exclude_max=True),
        st.floats(min_value=1.0, exclude_min=True),
        st.just(math.nan),
    )
)
def test_max_loss_outside_zero_one_is_a_config_error(max_loss):
    with pytest.raises(ConfigError) as err:
        map_network(_net(2), Wafer.region([0]), max_loss=max_loss)
    assert f"max_loss = {max_loss!r} is not a fraction in [0, 1]" in str(err.value)


@pytest.mark.parametrize("max_loss", ["0.1", True, [0.1]])
def test_max_loss_that_is_not_a_number_is_a_config_error(max_loss):
    with pytest.raises(ConfigError, match="max_loss"):
        map_network(_net(2), Wafer.region([0]), max_loss=max_loss)


@given(st.floats(0.0, 1.0))
def test_max_loss_inside_zero_one_is_accepted(max_loss):
    mapping = map_network(_net(2), Wafer.region([0]), max_loss=max_loss)
    assert mapping.loss.fraction_lost == 0.0


# --- isolate and pins -----------------------------------------------------------------


@given(size=st.integers(1, 40), extra=st.integers(0, 1000))
def test_isolating_a_neuron_beyond_its_population_is_a_placement_error(size, extra):
    index = size + extra
    config = MappingConfig(isolate=(("p0", 0), ("p0", index)))
    with pytest.raises(PlacementError) as err:
        place_neurons(_net(size), Wafer.region(range(4)), config)
    msg = str(err.value)
    assert f"('p0', {index}) is outside population 'p0' (indices 0..{size - 1})" in msg


@given(size=st.integers(2, 40), data=st.data())
def test_isolating_a_neuron_inside_its_population_places_it_alone(size, data):
    index = data.draw(st.integers(0, size - 1))
    config = MappingConfig(isolate=(("p0", index),))
    placement = place_neurons(_net(size), Wafer.region(range(4)), config)
    chip = placement.hicann["p0"][index]
    assert chip >= 0
    assert np.count_nonzero(placement.hicann["p0"] == chip) == 1


@given(index=st.integers(max_value=-1))
def test_negative_isolate_index_is_a_config_error(index):
    with pytest.raises(ConfigError, match=rf"\('p0', {index}\) has a negative index"):
        MappingConfig(isolate=(("p0", index),))


@pytest.mark.parametrize(
    ("isolate", "match"),
    [
        ((("p0", 1), ("p0", 1)), "lists \\('p0', 1\\) twice"),
        ((("p0", 1.0),), "not a \\(population, index\\) pair"),
        ((("p0",),), "not a \\(population, index\\) pair"),
        (((0, 1),), "not a \\(population, index\\) pair"),
    ],
)
def test_malformed_isolate_entries_are_config_errors(isolate, match):
    with pytest.raises(ConfigError, match=match):
        MappingConfig(isolate=isolate)


def test_isolating_from_an_unknown_population_names_the_option():
    with pytest.raises(PlacementError, match=r"isolate: population 'x' is not in"):
        place_neurons(_net(3), Wafer.region([0, 1]), MappingConfig(isolate=(("x", 0),)))


@pytest.mark.parametrize(
    ("pins", "match"),
    [
        ((("p0", (N_HICANNS,)),), f"pinned to chip {N_HICANNS}"),
        ((("p0", (-1,)),), "pinned to chip -1"),
        ((("p0", (2.0,)),), "pinned to chip 2.0"),
        ((("p0", ()),), "pinned to no chip"),
        ((("p0", (3, 3)),), "chip 3 is pinned twice"),
        ((("p0", (3,)), ("p1", (4, 3))), "chip 3 is pinned twice"),
        ((("p0", (3,)), ("p0", (4,))), "'p0' is pinned twice"),
    ],
)
def test_malformed_pins_are_config_errors(pins, match):
    with pytest.raises(ConfigError, match=match):
        MappingConfig(pins=pins)


def test_isolating_a_neuron_of_a_pinned_population_is_a_config_error():
    with pytest.raises(ConfigError, match="in a pinned population"):
        MappingConfig(pins=(("p0", (3,)),), isolate=(("p0", 0),))


def test_pinning_an_unknown_population_names_the_option():
    config = MappingConfig(pins=(("x", (0,)),))
    with pytest.raises(PlacementError, match=r"pins: population 'x' is not in"):
        place_neurons(_net(3), Wafer.region([0, 1]), config)


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("neuron_size", 8.0),
        ("driver_chain_length", 2.5),
        ("max_neurons_per_hicann", 10.5),
        ("max_neurons_per_hicann", 0),
        ("input_rate_scale", math.inf),
        ("input_rate_scale", math.nan),
        ("input_rate_scale", 0.0),
    ],
)
def test_integer_and_scale_options_reject_wrong_types_and_ranges(option, value):
    with pytest.raises(ConfigError, match=option):
        MappingConfig(**{option: value})


# --- the command line -----------------------------------------------------------------


@pytest.mark.parametrize("isolate", [-1, 1.5])
def test_map_request_rejects_a_bad_isolate_count(isolate):
    with pytest.raises(ConfigError, match="isolate"):
        MapRequest(config=None, isolate=isolate)


def test_twin_map_with_too_many_isolated_neurons_exits_2_with_one_line(capsys):
    assert main(["map", "--isolate", "100000"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "isolate" in err[0]
    assert "is outside population 'exc'" in err[0]
