import pytest
from hypothesis import given
from hypothesis import strategies as st

from twin.wafer import (
    HICANNS,
    Defects,
    L1BusOnWafer,
    Wafer,
    build_l1_graph,
    depends_on,
    driver_reach,
)
from twin.wafer.l1 import crossbar_vlines, hline_east, vline_north


@pytest.fixture(scope="module")
def full_graph():
    return build_l1_graph(Wafer())


def _neighbour_pairs(step):
    return sum(1 for h in HICANNS if step(h) is not None)


def test_perfect_graph_counts_follow_from_geometry(full_graph):
    assert full_graph.number_of_nodes() == 384 * (64 + 256)
    crossbar = 384 * 512
    repeaters = 64 * _neighbour_pairs(lambda h: h.east()) + 256 * _neighbour_pairs(
        lambda h: h.north()
    )
    kinds = [k for _, _, k in full_graph.edges(data="kind")]
    assert kinds.count("crossbar") == crossbar
    assert kinds.count("repeater") == repeaters
    assert full_graph.number_of_edges() == crossbar + repeaters


def test_edges_follow_the_switch_and_repeater_rules(full_graph):
    chip = HICANNS[174]
    h = L1BusOnWafer(chip.enum, "H", 10)
    expected = {L1BusOnWafer(chip.enum, "V", v) for v in crossbar_vlines(10)}
    expected.add(L1BusOnWafer(chip.east().enum, "H", hline_east(10)))
    expected.add(L1BusOnWafer(chip.west().enum, "H", 8))
    assert set(full_graph.neighbors(h)) == expected
    v = L1BusOnWafer(chip.enum, "V", 200)
    assert L1BusOnWafer(chip.north().enum, "V", vline_north(200)) in full_graph[v]


def test_every_vline_reaches_28_drivers_where_both_chips_exist(perfect_wafer):
    for chip in HICANNS:
        for line in (0, 77, 128, 255):
            bus = L1BusOnWafer(chip.enum, "V", line)
            neighbour = chip.west() if line < 128 else chip.east()
            expected = 28 if neighbour is not None else 14
            assert len(driver_reach(bus, perfect_wafer)) == expected


def test_horizontal_buses_reach_no_driver(perfect_wafer):
    assert driver_reach(L1BusOnWafer(0, "H", 3), perfect_wafer) == ()


def test_half_of_the_lines_depend_on_each_neighbour():
    chip = HICANNS[174]
    deps = [depends_on(L1BusOnWafer(174, "H", h)) for h in range(64)]
    assert deps.count(chip.east()) == deps.count(chip.west()) == 32
    vdeps = [depends_on(L1BusOnWafer(174, "V", v)) for v in range(256)]
    assert vdeps.count(chip.north()) == vdeps.count(chip.south()) == 128


small_defects = st.builds(
    Defects,
    hicanns=st.frozensets(st.sampled_from([160, 161, 162, 174, 175, 176]), max_size=2),
    hlines=st.frozensets(
        st.tuples(st.sampled_from([174, 175]), st.integers(0, 63)), max_size=8
    ),
    vlines=st.frozensets(
        st.tuples(st.sampled_from([174, 175]), st.integers(0, 255)), max_size=8
    ),
    drivers=st.frozensets(
        st.tuples(st.sampled_from([174, 175]), st.integers(0, 223)), max_size=8
    ),
)
REGION = [160, 161, 162, 173, 174, 175, 176, 177, 196, 197]


@given(small_defects)
def test_defects_remove_exactly_what_they_break(defects):
    perfect = build_l1_graph(Wafer.region(REGION))
    wafer = Wafer.region(REGION, defects=defects)
    graph = build_l1_graph(wafer)
    assert set(graph.nodes) <= set(perfect.nodes)
    assert all(perfect.has_edge(u, v) for u, v in graph.edges)
    for bus in perfect.nodes:
        kind = "hlines" if bus.orientation == "H" else "vlines"
        dep = depends_on(bus)
        broken = (
            bus.hicann in defects.hicanns
            or (bus.hicann, bus.line) in getattr(defects, kind)
            or (dep is not None and dep.enum in defects.hicanns)
        )
        assert (bus in graph) == (not broken)
    # Edges between surviving buses survive.
    for u, v in perfect.edges:
        if u in graph and v in graph:
            assert graph.has_edge(u, v)
    for bus in graph.nodes:
        for chip, line in driver_reach(bus, wafer):
            assert chip not in wafer.defects.hicanns
            assert (chip, line) not in defects.drivers


def test_region_wafer_only_has_listed_chips():
    graph = build_l1_graph(Wafer.region([174, 175]))
    assert {bus.hicann for bus in graph} == {174, 175}
