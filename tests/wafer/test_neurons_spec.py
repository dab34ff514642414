import dataclasses

import pytest

from twin.errors import WaferSpecError
from twin.wafer.neurons import (
    DNC_MERGER_BLOCKS,
    N_DENMEMS,
    DenmemOnHICANN,
    LogicalNeuronOnHICANN,
    check_neuron_size,
    logical_neurons_in_block,
)
from twin.wafer.spec import WaferSpec


def test_denmem_enum_round_trip_and_blocks():
    blocks: dict[int, int] = {}
    for enum in range(N_DENMEMS):
        d = DenmemOnHICANN.from_enum(enum)
        assert d.enum == enum
        blocks[d.block] = blocks.get(d.block, 0) + 1
    assert blocks == dict.fromkeys(range(8), 64)


@pytest.mark.parametrize("size", range(2, 65, 2))
def test_logical_neurons_tile_a_block(size):
    neurons = logical_neurons_in_block(3, size)
    assert len(neurons) == 64 // size
    denmems = [d for n in neurons for d in n.denmems()]
    assert len(set(denmems)) == len(denmems) == size * len(neurons)
    assert {d.block for d in denmems} == {3}
    for n in neurons:
        assert len(n.denmems()) == size
        assert {d.y for d in n.denmems()} == {0, 1}


@pytest.mark.parametrize("size", [0, 1, 3, 66, -2])
def test_invalid_neuron_sizes_raise(size):
    with pytest.raises(WaferSpecError, match="neuron size"):
        check_neuron_size(size)


def test_logical_neuron_cannot_cross_block_border():
    with pytest.raises(WaferSpecError, match="block border"):
        LogicalNeuronOnHICANN(column=30, size=8)


def test_defective_denmem_removes_exactly_its_slot():
    bad = frozenset({DenmemOnHICANN(5, 1).enum})
    neurons = logical_neurons_in_block(0, 4, bad)
    assert len(neurons) == 16 - 1
    assert all(DenmemOnHICANN(5, 1) not in n.denmems() for n in neurons)


def test_merger_tree_reach():
    # Every block reaches DNC merger 3 (tree root) and its own-numbered merger.
    assert DNC_MERGER_BLOCKS[3] == frozenset(range(8))
    for block in range(8):
        assert block in DNC_MERGER_BLOCKS[block]


def test_spec_derived_counts():
    spec = WaferSpec()
    assert spec.synapses_per_hicann == 2 * 224 * 256 == 114_688
    assert spec.denmems == 384 * 512
    assert spec.fan_in(64) == 64 * 224
    assert spec.max_neurons_per_hicann(8) == 64


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("n_hicanns", 0),
        ("usable_l1_addresses", 60),
        ("driver_chain_length", 57),
        ("synapse_columns", 100),
        ("hlines_per_hicann", 2.5),
    ],
)
def test_spec_validation_names_the_field(field, value):
    with pytest.raises(WaferSpecError, match=field):
        dataclasses.replace(WaferSpec(), **{field: value})
