"""Mapping profiles (twin, production) and the wafer-30-like defect model."""

import numpy as np
import pytest
from scipy.sparse.csgraph import dijkstra

from experiments.brunel import BrunelConfig, build_network
from twin import ConfigError, Network, Population, Projection
from twin.routing import LossReason, MappingConfig, map_network
from twin.routing.busgraph import NODES_PER_CHIP, BusGraph, endpoint_candidates
from twin.routing.config import PROFILES
from twin.wafer import HICANNS, Defects, Wafer
from twin.wafer.l1 import sending_hline
from twin.wafer.synapse import N_SWITCH_ROWS
from twin.wafer.wafer30 import (
    POSTPROCESSING_EDGES,
    V4_BROKEN_DRIVERS,
    WAFER30_RATES,
    escalate_blocks,
    repeater_blocks,
    repeater_lines,
    wafer30_defects,
)

NO_LINK = frozenset(h.enum for h in HICANNS if h.fpga in (5, 43))  # [hwdb wafer 30]
# Rows 6 and 7, x = 14..21: around the two reticles without high-speed links.
REGION = [120 + x for x in range(14, 22)] + [156 + x for x in range(14, 22)]
# x = 18..20 in rows 6..8: the middle row's vertical lines have both neighbours.
BLOCK = [138, 139, 140, 174, 175, 176, 210, 211, 212]


# --- the profiles -------------------------------------------------------------------


def test_production_profile_has_marocco_defaults_and_the_demos_neuron_size():
    p = PROFILES["production"]
    assert p == MappingConfig.production()
    assert p.neuron_size == 8  # demos' neuron_size (marocco's own default is 4)
    assert p.strategy == "enum"  # byNeuronBlockEnumAndPopulationIDasc
    assert p.max_neurons_per_hicann is None
    assert p.inputs_on_neuron_chips
    assert p.router == "backbone"
    assert p.route_order == "coordinate"
    assert p.driver_chain_length == 3
    assert p.bandwidth.input_utilisation == 0.8
    assert p.bandwidth.hw("input_per_hicann") == 17.8e6
    assert p.bandwidth.hw("input_per_fpga") == 125e6
    assert p.isolate == ()
    assert p.input_rate_scale == 1.0


def test_twin_profile_is_the_default_config():
    assert PROFILES["twin"] == MappingConfig()
    assert MappingConfig().route_order == "synapses"


def test_unknown_route_order_is_a_config_error():
    with pytest.raises(ConfigError, match="route_order"):
        MappingConfig(route_order="random")


def _competing_network() -> Network:
    """Two source populations (5 and 40 neurons) onto one 10-neuron population."""
    pops = (
        Population(name="small", size=5),
        Population(name="big", size=40),
        Population(name="t", size=10),
    )
    projections = []
    for pre, size in (("small", 5), ("big", 40)):
        pre_idx = np.tile(np.arange(size), 10)
        post_idx = np.repeat(np.arange(10), size)
        projections.append(
            Projection(
                pre=pre, post="t", pre_idx=pre_idx, post_idx=post_idx,
                weight=np.full(pre_idx.size, 0.002), delay=np.full(pre_idx.size, 1.0),
                receptor="excitatory",
            )
        )  # fmt: skip
    return Network(populations=pops, projections=tuple(projections))


def _driver_both_reach(graph: BusGraph, chips: tuple[int, int], target: int) -> int:
    """A driver of ``target`` that merger 3 of both ``chips`` can reach over L1."""
    nodes, drivers = endpoint_candidates(target)
    reach = []
    for chip in chips:
        source = NODES_PER_CHIP * chip + sending_hline(3)
        dist = dijkstra(graph.matrix, indices=[source], min_only=True)
        reach.append(set(drivers[np.isfinite(dist[nodes])].ravel().tolist()))
    return min(reach[0] & reach[1])


@pytest.fixture(scope="module")
def full_graph():
    return BusGraph.from_wafer(Wafer())


@pytest.mark.parametrize(
    ("order", "served", "starved"),
    [("coordinate", "small->t", "big->t"), ("synapses", "big->t", "small->t")],
)
def test_route_order_decides_who_gets_the_last_driver(
    full_graph, order, served, starved
):
    # "small" (bus on chip 174, 50 synapses) and "big" (chip 175, 400 synapses) both
    # project onto chip 176, which has one usable driver: the first routed takes it.
    free = _driver_both_reach(full_graph, (174, 175), 176)
    defects = Defects(drivers=frozenset((176, y) for y in range(224) if y != free))
    config = MappingConfig(
        route_order=order, pins=(("small", (174,)), ("big", (175,)), ("t", (176,)))
    )
    m = map_network(
        _competing_network(), Wafer(defects=defects), config=config, graph=full_graph
    )
    assert set(m.buses.bus["small"].tolist()) == {8 * 174 + 3}  # one bus each,
    assert set(m.buses.bus["big"].tolist()) == {8 * 175 + 3}  # on DNC merger 3
    assert m.synapses.realised[served].any()
    assert not m.synapses.realised[starved].any()


# --- switch-RAM rows ----------------------------------------------------------------


def _rows_feeding(chip: int) -> frozenset[tuple[int, int]]:
    """Every switch row of ``chip`` and of its east and west neighbours."""
    h = HICANNS[chip]
    chips = [chip] + [n.enum for n in (h.east(), h.west()) if n is not None]
    return frozenset((c, r) for c in chips for r in range(N_SWITCH_ROWS))


def _realised_onto(m, chip: int) -> int:
    return sum(
        int(
            m.synapses.realised[p.name][
                m.placement.hicann[p.post][p.post_idx] == chip
            ].sum()
        )
        for p in m.network.projections
    )


def test_dead_switch_rows_cut_a_chip_off_its_drivers():
    net = build_network(BrunelConfig.tiny())
    first = map_network(net, Wafer.region(BLOCK), validate=True)
    target = first.placement.used_hicanns()[0]
    assert _realised_onto(first, target) > 0
    cut = Defects(switch_rows=_rows_feeding(target))
    m = map_network(net, Wafer.region(BLOCK, defects=cut), validate=True)
    assert target in m.placement.used_hicanns()  # neurons are still placed there ...
    assert _realised_onto(m, target) == 0  # ... but no L1 event reaches their drivers
    assert m.loss.by_reason()[LossReason.NO_SYNAPSE_DRIVER] > 0


def test_routes_never_use_a_dead_switch_row():
    rng = np.random.default_rng(3)
    chips = rng.choice(REGION, 2000)
    lines = rng.integers(0, N_SWITCH_ROWS, 2000)
    rows = frozenset((int(c), int(r)) for c, r in zip(chips, lines, strict=True))
    wafer = Wafer.region(REGION, defects=Defects(switch_rows=rows))
    m = map_network(build_network(BrunelConfig.tiny()), wafer, validate=True)
    assert m.loss.total_realised > 0  # validate=True ran the switch-row oracle


# --- the wafer-30-like defect model -------------------------------------------------


def test_defect_model_is_deterministic_per_seed():
    assert wafer30_defects(4) == wafer30_defects(4)
    assert wafer30_defects(4) != wafer30_defects(5)


def test_without_random_failures_only_the_documented_rules_remain():
    d = wafer30_defects(0, dict.fromkeys(WAFER30_RATES, 0.0))
    assert not d.hicanns
    assert not d.switch_rows
    assert d.fpgas_without_highspeed == {5, 43}
    assert len(NO_LINK) == 16
    assert d.denmems == {(c, n) for c in NO_LINK for n in range(512)}
    assert d.dnc_mergers == {(c, m) for c in NO_LINK for m in range(8)}
    assert d.drivers == {(h.enum, y) for h in HICANNS for y in V4_BROKEN_DRIVERS}
    # post-processing edges: the half of each listed chip's lines facing that way
    west_east = POSTPROCESSING_EDGES["west"] + POSTPROCESSING_EDGES["east"]
    north_south = POSTPROCESSING_EDGES["north"] + POSTPROCESSING_EDGES["south"]
    assert len(set(west_east)) == len(west_east) == 16
    assert len(set(north_south)) == len(north_south) == 32
    assert len(d.hlines) == 32 * 16
    assert {c for c, _ in d.hlines} == set(west_east)
    assert len(d.vlines) == 128 * 32
    assert {c for c, _ in d.vlines} == set(north_south)
    west = {h for c, h in d.hlines if c == POSTPROCESSING_EDGES["west"][0]}
    assert west == set(range(1, 64, 2))  # odd lines end at the west neighbour


@pytest.mark.parametrize(
    ("kind", "count"),
    [
        ("denmems", lambda d: (len(d.denmems) - 512 * len(NO_LINK), 368 * 512)),
        ("drivers", lambda d: (len(d.drivers) - 4 * 384, 384 * 220)),
        ("switch_rows", lambda d: (len(d.switch_rows), 384 * N_SWITCH_ROWS)),
        ("dnc_mergers", lambda d: (len(d.dnc_mergers) - 8 * len(NO_LINK), 368 * 8)),
        ("hicanns", lambda d: (len(d.hicanns), 384)),
    ],
)
def test_realised_defect_fractions_match_the_rates(kind, count):
    # Pooled over 8 seeds; the documented rules' components are taken out.
    rate = WAFER30_RATES[kind]
    draws = [count(wafer30_defects(s)) for s in range(8)]
    hits, n = sum(h for h, _ in draws), sum(k for _, k in draws)
    sd = np.sqrt(n * rate * (1 - rate))
    assert abs(hits - n * rate) < 5 * sd


def test_a_block_with_two_dead_repeaters_goes_whole():
    h_block, v_block = repeater_blocks()
    assert np.bincount(h_block).tolist() == [32, 32]
    assert np.bincount(v_block).tolist() == [0, 0, 64, 64, 64, 64]
    bad = np.zeros((2, 256), dtype=bool)
    bad[0, 1] = True  # one defect in block 2 of chip 0: stays alone
    bad[1, [1, 3]] = True  # two defects in block 2 of chip 1
    out = escalate_blocks(bad, v_block)
    assert out[0].sum() == 1
    assert np.array_equal(out[1], v_block == 2)


def test_a_dead_repeater_takes_its_line_and_the_neighbours():
    bad_h = np.zeros((384, 64), dtype=bool)
    bad_v = np.zeros((384, 256), dtype=bool)
    bad_h[174, 10] = True  # even line: left repeater, joins the west neighbour
    bad_h[174, 11] = True  # odd line: right repeater, joins the east neighbour
    bad_v[174, 1] = True  # left odd: top repeater, joins the north neighbour
    bad_v[174, 128] = True  # right even: top repeater as well
    chip = HICANNS[174]
    west, east, north = chip.west().enum, chip.east().enum, chip.north().enum
    hlines, vlines = repeater_lines(bad_h, bad_v)
    assert hlines == {(174, 10), (west, 8), (174, 11), (east, 13)}
    assert vlines == {(174, 1), (north, 3), (174, 128), (north, 254)}


@pytest.mark.parametrize("profile", ["twin", "production"])
@pytest.mark.parametrize("seed", [0, 1])
def test_every_synapse_is_accounted_for_on_a_wafer30_map(profile, seed):
    net = build_network(BrunelConfig.tiny())
    wafer = Wafer.region(REGION, defects=wafer30_defects(seed))
    m = map_network(net, wafer, config=PROFILES[profile], validate=True)
    lost = sum(m.loss.by_reason().values())
    assert m.loss.total_requested == net.n_synapses
    assert m.loss.total_realised + lost == net.n_synapses
    realised = sum(int(r.sum()) for r in m.synapses.realised.values())
    assert realised == m.loss.total_realised
    assert not set(m.placement.used_hicanns()) & NO_LINK  # rule 1: no neurons there
