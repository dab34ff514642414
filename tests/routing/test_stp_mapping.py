"""Mapping with short-term plasticity: drivers per STP class, the loss it causes.

The network: two populations of 150 neurons with eight random projections (p = 0.1),
each pair (pre, post, receptor) twice; in the plastic variant one projection of each
pair is depressing (U 0.5, tau_rec 800 ms, tau_facil 0). On a perfect wafer with the
default chain length (3 drivers) the static network already needs more drivers than
some chains hold; the plastic one needs more still, because rows of different STP
classes never share a driver.
"""

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from twin import Network, Population, Projection
from twin.routing import LossReason, MappingConfig, map_network
from twin.routing.busgraph import BusGraph
from twin.routing.checks import check_driver_classes
from twin.routing.stp_drivers import driver_classes
from twin.stp import TsodyksMarkram
from twin.wafer import Defects, Wafer

DEPRESSING = TsodyksMarkram(U=0.5, tau_rec=800.0, tau_facil=0.0)
STP = LossReason.NO_SYNAPSE_DRIVER_STP


def pair_network(
    plastic: bool, n: int = 150, p: float = 0.1, seed: int = 1, u_spread: bool = False
) -> Network:
    rng = np.random.default_rng(seed)
    spread = np.random.default_rng(seed + 1)
    pops = (Population(name="A", size=n), Population(name="B", size=n))
    pairs = [("A", "B", "excitatory"), ("B", "A", "excitatory"),
             ("A", "A", "inhibitory"), ("B", "B", "inhibitory")]  # fmt: skip
    projections = []
    for pre, post, receptor in pairs:
        for second in (False, True):
            pre_idx, post_idx = np.nonzero(rng.random((n, n)) < p)
            projections.append(Projection(
                pre=pre, post=post, pre_idx=pre_idx, post_idx=post_idx,
                weight=np.full(pre_idx.size, 0.002), delay=np.full(pre_idx.size, 1.0),
                receptor=receptor, name=f"{pre}->{post}/{int(second)}",
                stp=None if not (plastic and second) else TsodyksMarkram(
                    U=spread.uniform(0.25, 0.4, pre_idx.size),
                    tau_rec=np.full(pre_idx.size, 800.0),
                    tau_facil=np.zeros(pre_idx.size),
                ) if u_spread else DEPRESSING,
            ))  # fmt: skip
    return Network(populations=pops, projections=tuple(projections))


@pytest.fixture(scope="module")
def mappings():
    wafer = Wafer()
    graph = BusGraph.from_wafer(wafer)
    cases = {
        False: (pair_network(False), MappingConfig()),
        True: (pair_network(True), MappingConfig()),
        "spread": (pair_network(True, u_spread=True), MappingConfig()),
        "spread, mode": (
            pair_network(True, u_spread=True),
            MappingConfig(stp_classes="mode"),
        ),
    }
    return {
        key: map_network(net, wafer, config=config, validate=True, graph=graph)
        for key, (net, config) in cases.items()
    }


def test_depressing_half_loses_more_synapses_by_the_stp_reason(mappings):
    static, plastic = mappings[False].loss, mappings[True].loss
    assert static.total_requested == plastic.total_requested
    assert static.by_reason().get(STP, 0) == 0
    assert plastic.by_reason().get(STP, 0) > 0
    assert plastic.total_lost > static.total_lost
    # The increase is the STP reason's: the other reasons lose no more in all.
    others = plastic.total_lost - plastic.by_reason()[STP]
    assert others <= static.total_lost
    assert plastic.total_lost - static.total_lost <= plastic.by_reason()[STP]
    for row in plastic.table():
        assert row["lost"] == sum(row[r.value] for r in LossReason)


def test_u_per_driver_costs_drivers_and_mode_only_classes_ignore_u(mappings):
    """U spread over the 8 capacitor levels splits the depressing drivers further;
    drivers separated by mode only map the spread network exactly as the one-U one."""
    one_u, spread, mode = mappings[True], mappings["spread"], mappings["spread, mode"]
    assert spread.table.drivers_needed.sum() > one_u.table.drivers_needed.sum()
    assert spread.loss.by_reason()[STP] > one_u.loss.by_reason()[STP]
    np.testing.assert_array_equal(mode.table.drivers_needed, one_u.table.drivers_needed)
    assert mode.loss.lost == one_u.loss.lost
    assert mode.table.n_classes == 2


def test_class_split_needs_at_least_the_static_drivers_per_group(mappings):
    s, p = mappings[False].table, mappings[True].table
    np.testing.assert_array_equal(s.group_bus, p.group_bus)
    np.testing.assert_array_equal(s.group_target, p.group_target)
    assert (p.drivers_needed >= s.drivers_needed).all()
    assert p.drivers_needed.sum() > s.drivers_needed.sum()
    np.testing.assert_array_equal(s.classes, [0])
    assert p.n_classes == 2


def test_no_driver_mixes_classes_and_the_oracle_catches_a_mix(mappings):
    m = mappings[True]
    assert check_driver_classes(m) == []
    labels = np.array(m.synapses.driver_class)
    mixed = np.flatnonzero((labels > 0).any(axis=1))
    assert mixed.size
    labels[mixed[0]] = np.where(labels[mixed[0]] > 0, 0, labels[mixed[0]])
    bad = dataclasses.replace(
        m, synapses=dataclasses.replace(m.synapses, driver_class=labels)
    )
    assert any("driver class" in v for v in check_driver_classes(bad))


def test_each_labelled_driver_serves_its_synapses_class(mappings):
    m = mappings[True]
    t = m.table
    for proj_index, proj in enumerate(m.network.projections):
        realised = m.synapses.realised[proj.name]
        own = t.proj == proj_index
        mine = own & realised[np.where(own, t.idx, 0)]
        cls = driver_classes(proj.stp, proj.size)[t.idx[mine]]
        labels = m.synapses.driver_class[t.group[mine]]
        assert (labels == cls[:, None]).any(axis=1).all()


def test_realised_network_keeps_the_stp_of_realised_synapses(mappings):
    m = mappings[True]
    net = m.realised_network(delay_model=None)
    for orig, real in zip(m.network.projections, net.projections, strict=True):
        keep = m.synapses.realised[orig.name]
        if orig.stp is None:
            assert real.stp is None
        else:
            assert real.stp == orig.stp.subset(keep)
            assert real.stp.size == int(keep.sum())


# --- oracles on random plastic networks and defects ---------------------------------

BLOCK = [138, 139, 140, 174, 175, 176, 210, 211, 212]  # 3 x 3 chips, rows 6..8


@st.composite
def plastic_networks(draw):
    sizes = draw(st.lists(st.integers(3, 50), min_size=1, max_size=3))
    pops = tuple(Population(name=f"p{i}", size=n) for i, n in enumerate(sizes))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    projections = []
    for pre in pops:
        for post in pops:
            for _ in range(draw(st.integers(0, 2))):
                pre_idx, post_idx = np.nonzero(rng.random((pre.size, post.size)) < 0.3)
                n = pre_idx.size
                stp = draw(st.sampled_from([None, "dep", "fac", "mixed"]))
                tm = None if stp is None else TsodyksMarkram(
                    U=rng.uniform(0.05, 0.6, n) if stp == "mixed" else np.full(n, 0.3),
                    tau_rec=np.full(n, 200.0),
                    tau_facil=np.full(n, 0.0 if stp == "dep" else 900.0),
                )  # fmt: skip
                projections.append(Projection(
                    pre=pre.name, post=post.name, pre_idx=pre_idx, post_idx=post_idx,
                    weight=np.full(n, 0.002), delay=np.full(n, 1.0), stp=tm,
                    receptor=draw(st.sampled_from(["excitatory", "inhibitory"])),
                    name=f"{pre.name}->{post.name}/{len(projections)}",
                ))  # fmt: skip
    return Network(populations=pops, projections=tuple(projections))


@settings(max_examples=15, deadline=None)
@given(
    plastic_networks(),
    st.frozensets(st.tuples(st.sampled_from(BLOCK), st.integers(0, 223)), max_size=40),
    st.sampled_from([1, 2, 3]),
)
def test_oracles_hold_and_losses_add_up_with_stp(net, drivers, chain):
    wafer = Wafer.region(BLOCK, defects=Defects(drivers=drivers))
    config = MappingConfig(driver_chain_length=chain, neuron_size=4)
    m = map_network(net, wafer, config=config, validate=True)
    assert m.loss.total_requested == net.n_synapses
    realised = m.realised_network(delay_model=None)
    assert realised.n_synapses == m.loss.total_realised
    if all(p.stp is None for p in net.projections):
        assert m.loss.by_reason().get(STP, 0) == 0
