import numpy as np
import pytest

from experiments.brunel import BrunelConfig, build_network
from twin import Network, PlacementError, Population
from twin.routing import LossReason, MappingConfig
from twin.routing.place import chip_order, place_neurons
from twin.wafer import Defects, Wafer


def _net(sizes):
    return Network(
        populations=tuple(Population(name=f"p{i}", size=n) for i, n in enumerate(sizes))
    )


@pytest.mark.parametrize("strategy", ["enum", "spiral", "cluster"])
def test_every_neuron_gets_a_distinct_slot(strategy):
    net = build_network(BrunelConfig.tiny())
    config = MappingConfig(strategy=strategy)
    p = place_neurons(net, Wafer(), config)
    slots = {
        (int(c), int(k))
        for pop in p.hicann
        for c, k in zip(p.hicann[pop], p.column[pop], strict=True)
    }
    assert len(slots) == net.n_neurons
    assert max(p.neurons_per_hicann().values()) <= config.max_neurons_per_hicann


def test_enum_order_fills_chips_in_enum_order():
    config = MappingConfig(strategy="enum")
    p = place_neurons(_net([100]), Wafer(), config)
    n_chips = -(-100 // config.max_neurons_per_hicann)
    assert p.used_hicanns() == tuple(range(n_chips))


def test_spiral_starts_at_the_centre_and_is_compact():
    order = chip_order(Wafer(), "spiral")
    dist = [np.hypot(h.x - 17.5, h.y - 7.5) for h in order]
    assert dist == sorted(dist)


def test_isolated_neurons_sit_alone():
    config = MappingConfig(isolate=tuple(("p0", i) for i in range(30)))
    p = place_neurons(_net([500]), Wafer(), config)
    chips = p.hicann["p0"]
    per_chip = p.neurons_per_hicann()
    for i in range(30):
        assert per_chip[int(chips[i])] == 1
    assert len(set(chips[:30].tolist())) == 30


def test_pins_are_honoured_and_exclusive():
    config = MappingConfig(pins=(("p1", (200, 201)),))
    p = place_neurons(_net([300, 60]), Wafer(), config)
    assert set(p.hicann["p1"].tolist()) <= {200, 201}
    assert not {200, 201} & set(p.hicann["p0"].tolist())


def test_pin_on_a_defective_chip_is_an_error():
    wafer = Wafer(defects=Defects(hicanns=frozenset({200})))
    with pytest.raises(PlacementError, match="HICANN 200"):
        place_neurons(_net([10]), wafer, MappingConfig(pins=(("p0", (200,)),)))


def test_pins_without_room_are_an_error():
    with pytest.raises(PlacementError, match="does not fit"):
        place_neurons(_net([100]), Wafer(), MappingConfig(pins=(("p0", (200,)),)))


def test_defective_denmems_and_chips_are_skipped():
    bad = frozenset((0, d) for d in range(0, 512, 7))
    wafer = Wafer(defects=Defects(hicanns=frozenset({1}), denmems=bad))
    p = place_neurons(_net([120]), wafer, MappingConfig(strategy="enum", neuron_size=4))
    assert 1 not in p.used_hicanns()
    for chip, col in zip(p.hicann["p0"], p.column["p0"], strict=True):
        if chip == 0:
            denmems = {c + 256 * r for c in range(col, col + 2) for r in (0, 1)}
            assert not denmems & {d for _, d in bad}


def test_neurons_beyond_capacity_lose_their_synapses():
    net = build_network(BrunelConfig.tiny())
    wafer = Wafer.region([0, 1])  # 2 chips x 59 neurons < 250
    p = place_neurons(net, wafer, MappingConfig())
    unplaced = {pop: p.hicann[pop] < 0 for pop in p.hicann}
    for proj in net.projections:
        expected = unplaced[proj.post][proj.post_idx]
        if not net.is_source(proj.pre):
            expected = expected | unplaced[proj.pre][proj.pre_idx]
        assert (
            p.loss.lost.get((proj.name, LossReason.NO_NEURON_CAPACITY), 0)
            == expected.sum()
        )
