import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from twin import Network, PoissonSource, Population, Projection
from twin.routing import LossReason, MappingConfig
from twin.routing.buses import assign_mergers, route_mergers
from twin.routing.inputs import place_inputs
from twin.routing.place import place_neurons
from twin.wafer import HICANNS, Wafer
from twin.wafer.neurons import DNC_MERGER_BLOCKS


@given(
    st.dictionaries(st.integers(0, 7), st.integers(0, 32)),
    st.frozensets(st.integers(0, 7), max_size=4),
)
def test_merger_assignment_respects_tree_capacity_and_defects(counts, broken):
    mergers = assign_mergers(counts, broken)
    load: dict[int, int] = {}
    for block, merger in mergers.items():
        assert counts[block] > 0
        assert merger not in broken
        assert block in DNC_MERGER_BLOCKS[merger]  # reachable through the merger tree
        load[merger] = load.get(merger, 0) + counts[block]
    assert all(n <= 59 for n in load.values())
    if not broken:
        assert set(mergers) == {b for b, n in counts.items() if n > 0}


def test_a_full_chip_of_size_8_neurons_uses_two_buses():
    assert set(assign_mergers(dict.fromkeys(range(8), 8)).values()) == {3, 5}
    assert set(assign_mergers(dict.fromkeys(range(6), 8)).values()) == {3}


def _fanout_network(n_sources, rate):
    return Network(
        populations=(Population(name="n", size=40),),
        sources=(PoissonSource(name="s", size=n_sources, rate=rate),),
        projections=(
            Projection(
                pre="s",
                post="n",
                pre_idx=np.arange(n_sources),
                post_idx=np.arange(n_sources) % 40,
                weight=np.full(n_sources, 0.01),
                delay=np.ones(n_sources),
            ),
        ),
    )


def test_neuron_addresses_are_unique_usable_and_at_most_59_per_bus():
    net = Network(populations=(Population(name="a", size=200),))
    wafer = Wafer.region(range(160, 170))
    placement = place_neurons(net, wafer, MappingConfig(max_neurons_per_hicann=None))
    buses = route_mergers(net, placement, wafer)
    pairs = list(zip(buses.bus["a"], buses.address["a"], strict=True))
    assert len(set(pairs)) == 200
    per_bus = np.bincount(buses.bus["a"])
    assert per_bus.max() <= 59
    assert not {0, 1, 17, 33, 49} & set(buses.address["a"].tolist())


@pytest.mark.parametrize("rate", [10.0, 500.0])
def test_input_placement_respects_chip_and_fpga_budgets(rate):
    net = _fanout_network(300, rate)
    wafer = Wafer.region(range(150, 200))
    config = MappingConfig()
    placement = place_neurons(net, wafer, config)
    neuron_buses = route_mergers(net, placement, wafer)
    inputs = place_inputs(net, placement, neuron_buses, wafer, config)
    bus = inputs.bus["s"]
    placed = bus >= 0
    chips = bus[placed] // 8
    chip_rate = np.bincount(chips, minlength=384) * rate
    assert chip_rate.max() <= config.bandwidth.planned_bio("input_per_hicann") + 1e-9
    fpga_rate = np.bincount([HICANNS[c].fpga for c in chips], minlength=48) * rate
    assert fpga_rate.max() <= config.bandwidth.planned_bio("input_per_fpga") + 1e-9
    assert not set(bus[placed].tolist()) & set(neuron_buses.used_buses())
    lost = inputs.loss.lost.get(("s->n", LossReason.NO_INPUT_BANDWIDTH), 0)
    assert lost == int((~placed).sum())
    if rate == 10.0:
        assert placed.all()
    else:
        # 500 Hz sources: at most floor(1424 / 500) = 2 per chip.
        assert 0 < placed.sum() <= 2 * 50


def test_inputs_avoid_reticles_without_l2_links():
    from twin.wafer import Defects

    net = _fanout_network(100, 10.0)
    region = [h.enum for h in HICANNS if h.fpga in (5, 4)]
    wafer = Wafer.region(
        region, defects=Defects(fpgas_without_highspeed=frozenset({5}))
    )
    config = MappingConfig()
    placement = place_neurons(net, wafer, config)
    inputs = place_inputs(
        net, placement, route_mergers(net, placement, wafer), wafer, config
    )
    used = inputs.bus["s"][inputs.bus["s"] >= 0] // 8
    assert used.size
    assert all(HICANNS[c].fpga == 4 for c in used)
