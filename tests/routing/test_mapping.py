"""Mapping end to end: oracles, fault injection, determinism, the seed network."""

import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from experiments.brunel import BrunelConfig, build_network
from twin import MappingLossError, Network, PoissonSource, Population, Projection
from twin.routing import DelayModel, LossReason, MappingConfig, map_network
from twin.routing.busgraph import NODES_PER_CHIP
from twin.wafer import Defects, Wafer, synthetic_defects

REGION = [124, 125, 126, 127, 160, 161, 162, 163, 196, 197, 198, 199]
SEED_LOSS = 0.186  # production mapper on wafer 30: 690,157 of 847,781 synapses


@st.composite
def small_networks(draw):
    sizes = draw(st.lists(st.integers(3, 60), min_size=1, max_size=3))
    pops = tuple(Population(name=f"p{i}", size=n) for i, n in enumerate(sizes))
    src = PoissonSource(
        name="s", size=draw(st.integers(1, 40)), rate=draw(st.floats(1, 200))
    )
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    projs = []
    names = [p.name for p in pops] + ["s"]
    size = {p.name: p.size for p in pops} | {"s": src.size}
    for pre in names:
        for post in names[:-1]:
            if draw(st.booleans()):
                k = draw(st.integers(1, 20))
                n = k * size[post]
                projs.append(Projection(
                    pre=pre, post=post, pre_idx=rng.integers(0, size[pre], n),
                    post_idx=np.repeat(np.arange(size[post]), k),
                    weight=np.full(n, 0.002), delay=np.full(n, 1.0),
                    receptor=draw(st.sampled_from(["excitatory", "inhibitory"])),
                ))  # fmt: skip
    return Network(populations=pops, sources=(src,), projections=tuple(projs))


wafer_defects = st.builds(
    Defects,
    hicanns=st.frozensets(st.sampled_from(REGION), max_size=2),
    denmems=st.frozensets(
        st.tuples(st.sampled_from(REGION), st.integers(0, 511)), max_size=30
    ),
    vlines=st.frozensets(
        st.tuples(st.sampled_from(REGION), st.integers(0, 255)), max_size=30
    ),
    drivers=st.frozensets(
        st.tuples(st.sampled_from(REGION), st.integers(0, 223)), max_size=30
    ),
    dnc_mergers=st.frozensets(
        st.tuples(st.sampled_from(REGION), st.integers(0, 7)), max_size=4
    ),
)


@settings(max_examples=25)
@given(
    small_networks(),
    wafer_defects,
    st.sampled_from(["enum", "spiral", "cluster"]),
    st.sampled_from(["backbone", "shortest"]),
    st.sampled_from([2, 4, 8]),
)
def test_oracles_hold_on_random_networks_and_defects(
    net, defects, strategy, router, size
):
    wafer = Wafer.region(REGION, defects=defects)
    config = MappingConfig(strategy=strategy, router=router, neuron_size=size)
    mapping = map_network(net, wafer, config=config, validate=True)
    assert mapping.loss.total_requested == net.n_synapses
    realised = mapping.realised_network(delay_model=None)
    assert realised.n_synapses == mapping.loss.total_realised


def _used_chips_and_buses(mapping):
    chips = set(mapping.placement.used_hicanns())
    buses = set()
    for parents in mapping.l1.tree.values():
        for node in parents:
            chip, offset = divmod(node, NODES_PER_CHIP)
            if offset >= 64:
                buses.add((chip, offset - 64))
    return chips, buses


@pytest.mark.parametrize("router", ["backbone", "shortest"])
def test_fault_injection_remap_stays_valid_and_accounted(router):
    net = build_network(BrunelConfig.tiny())
    config = MappingConfig(router=router)
    first = map_network(net, Wafer(), config=config, validate=True)
    chips, vlines = _used_chips_and_buses(first)
    rng = np.random.default_rng(5)
    dead_chips = frozenset(int(c) for c in rng.choice(sorted(chips), 2, replace=False))
    dead_lines = frozenset(tuple(v) for v in rng.permutation(sorted(vlines))[:40])
    wafer = Wafer(defects=Defects(hicanns=dead_chips, vlines=dead_lines))
    second = map_network(net, wafer, config=config, validate=True)
    chips2, vlines2 = _used_chips_and_buses(second)
    assert not chips2 & dead_chips
    assert not vlines2 & dead_lines
    assert not {c for c, _ in vlines2} & dead_chips
    assert second.loss.total_realised + second.loss.total_lost == net.n_synapses


def test_same_inputs_give_identical_mappings():
    net = build_network(BrunelConfig.tiny())
    wafer = Wafer(defects=synthetic_defects(2))
    config = MappingConfig(isolate=(("exc", 0), ("exc", 1)))
    assert map_network(net, wafer, config=config) == map_network(
        net, wafer, config=config
    )


def test_max_loss_raises_with_the_report():
    net = build_network(BrunelConfig.tiny())
    with pytest.raises(MappingLossError, match="lost") as info:
        map_network(net, Wafer.region([0]), max_loss=0.01)
    assert info.value.report.fraction_lost > 0.01


def test_realised_network_uses_the_delay_calibration():
    net = build_network(BrunelConfig.tiny())
    mapping = map_network(net, Wafer())
    model = DelayModel(jitter=0.0)
    realised = mapping.realised_network(delay_model=model)
    for proj in realised.projections:
        hops = mapping.hops[proj.name][mapping.synapses.realised[proj.name]]
        np.testing.assert_allclose(proj.delay, np.maximum(0.0397 * hops + 0.6444, 0.1))
    assert all(
        h.min() >= 1 for h in (v[v >= 0] for v in mapping.hops.values()) if h.size
    )


def test_jittered_delays_have_the_stated_spread():
    hops = np.full(20_000, 10)
    d = DelayModel().delays(hops, seed=1)
    assert d.mean() == pytest.approx(0.0397 * 10 + 0.6444, abs=0.005)
    assert d.std() == pytest.approx(0.1, rel=0.05)
    assert d.min() >= 0.1


# --- the seed network ---------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_network():
    return build_network(BrunelConfig())


@pytest.fixture(scope="module")
def seed_mappings(seed_network):
    out = {}
    for wafer_name, wafer in (
        ("perfect", Wafer()),
        ("defects", Wafer(defects=synthetic_defects(0))),
    ):
        for layout, isolate in (
            ("all", ()),
            ("30", tuple(("exc", i) for i in range(30))),
        ):
            config = MappingConfig(isolate=isolate)
            out[(wafer_name, layout)] = map_network(
                seed_network, wafer, config=config, validate=True
            )
    return out


def test_seed_network_has_the_seed_synapse_counts(seed_network):
    assert seed_network.n_neurons == 2083
    assert sum(p.size for p in seed_network.projections if p.pre != "ext") == 431_181
    assert sum(p.size for p in seed_network.projections if p.pre == "ext") == 416_600


@pytest.mark.parametrize("layout", ["all", "30"])
def test_seed_loss_within_the_production_mapper_and_lower_on_a_perfect_wafer(
    seed_mappings, layout
):
    perfect = seed_mappings[("perfect", layout)].loss.fraction_lost
    defects = seed_mappings[("defects", layout)].loss.fraction_lost
    assert defects <= SEED_LOSS
    assert perfect < defects


def test_isolated_neurons_are_alone_and_all_neurons_placed(seed_mappings):
    for (_, layout), m in seed_mappings.items():
        assert m.loss.by_reason().get(LossReason.NO_NEURON_CAPACITY, 0) == 0
        if layout == "30":
            counts = m.placement.neurons_per_hicann()
            assert all(counts[int(c)] == 1 for c in m.placement.hicann["exc"][:30])


def test_implemented_routes_structure_round_trips_through_pickle(seed_mappings):
    m = seed_mappings[("perfect", "all")]
    routes = pickle.loads(pickle.dumps(m.implemented_routes()))
    assert set(routes) == {
        (a, b) for a in ("exc", "inh", "ext") for b in ("exc", "inh")
    }
    assert sum(len(v) for v in routes.values()) == m.loss.total_realised
    pre, post, weight, hops = routes[("inh", "exc")][0]
    proj = m.network.projections[2]
    keep = m.synapses.realised[proj.name]
    assert (pre, post) == (proj.pre_idx[keep][0], proj.post_idx[keep][0])
    assert weight == proj.weight[keep][0]
    assert hops >= 1
