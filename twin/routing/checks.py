"""Validity oracles for a ``WaferMapping``, independent of how it was produced.

Each check returns human-readable violations; :func:`check_mapping` runs them all and
raises :class:`~twin.errors.RoutingError` if any fails. Tests use them on every mapping.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from twin.errors import RoutingError
from twin.routing.busgraph import FAR_DRIVERS, LOCAL_DRIVERS, NODES_PER_CHIP, BusGraph
from twin.routing.result import WaferMapping
from twin.routing.synapses import N_PATTERNS
from twin.wafer.coords import HICANNS
from twin.wafer.l1 import (
    N_HLINES,
    RESERVED_L1_ADDRESSES,
    is_right_vline,
    sending_hline,
)
from twin.wafer.synapse import N_DRIVERS, driver_side, switch_row_index

__all__ = [
    "check_addresses",
    "check_driver_classes",
    "check_loss_adds_up",
    "check_mapping",
    "check_no_double_booking",
    "check_placement",
    "check_routes",
]


def check_placement(m: WaferMapping) -> list[str]:
    """Neurons sit on usable chips, on defect-free denmems, one per logical neuron."""
    out = []
    size = m.placement.neuron_size
    seen: Counter[tuple[int, int]] = Counter()
    slots: dict[int, set[int]] = {}
    for pop, chips in m.placement.hicann.items():
        cols = m.placement.column[pop]
        for chip, col in zip(chips[chips >= 0], cols[chips >= 0], strict=True):
            seen[(int(chip), int(col))] += 1
            if chip not in slots:
                usable = m.wafer.logical_neurons(HICANNS[chip], size)
                slots[int(chip)] = {n.column for n in usable}
            if col not in slots[int(chip)]:
                out.append(f"{pop}: chip {chip} column {col} is not a usable slot")
    out += [f"logical neuron {k} holds {v} neurons" for k, v in seen.items() if v > 1]
    return out


def check_addresses(m: WaferMapping) -> list[str]:
    """At most 59 sources per bus, distinct addresses, none reserved."""
    out = []
    per_bus: dict[int, list[int]] = {}
    for name, buses in m.buses.bus.items():
        assigned = m.buses.address[name]
        for b, a in zip(buses[buses >= 0], assigned[buses >= 0], strict=True):
            per_bus.setdefault(int(b), []).append(int(a))
    for bus, addrs in per_bus.items():
        if len(addrs) > 59 or len(set(addrs)) != len(addrs):
            out.append(f"bus {bus}: {len(addrs)} sources, {len(set(addrs))} addresses")
        if set(addrs) & RESERVED_L1_ADDRESSES:
            out.append(f"bus {bus} uses reserved addresses")
        chip, merger = divmod(bus, 8)
        if not m.wafer.is_usable(chip) or (chip, merger) in m.wafer.defects.dnc_mergers:
            out.append(f"bus {bus} is on a defective chip or DNC merger")
    return out


def _reaches(endpoint: int, target: int, driver: int) -> bool:
    chip, offset = divmod(endpoint, NODES_PER_CHIP)
    v = offset - N_HLINES
    if v < 0:
        return False
    if chip == target:
        return driver in LOCAL_DRIVERS[v]
    neighbour = HICANNS[chip].east() if is_right_vline(v) else HICANNS[chip].west()
    return (
        neighbour is not None and neighbour.enum == target and driver in FAR_DRIVERS[v]
    )


def _switch_row(endpoint: int, driver: int) -> tuple[int, int]:
    """Return the (chip, switch row) through which VLine node ``endpoint`` feeds."""
    chip, offset = divmod(endpoint, NODES_PER_CHIP)
    return chip, switch_row_index(
        "right" if is_right_vline(offset - N_HLINES) else "left", driver
    )


def check_routes(m: WaferMapping, graph: BusGraph) -> list[str]:
    """Check that trees are connected in the usable graph and reach their drivers."""
    out = []
    for bus, parents in m.l1.tree.items():
        chip, merger = divmod(bus, 8)
        root = NODES_PER_CHIP * chip + sending_hline(merger)
        roots = [n for n, p in parents.items() if p < 0]
        if roots != [root]:
            out.append(f"bus {bus}: tree roots {roots}, expected sending HLine {root}")
        for node, parent in parents.items():
            if not graph.present[node]:
                out.append(f"bus {bus}: uses absent or defective bus node {node}")
            if parent >= 0 and graph.matrix[node, parent] == 0:
                out.append(
                    f"bus {bus}: no switch or repeater between {node} and {parent}"
                )
    t = m.table
    for g in np.flatnonzero(m.l1.endpoint >= 0):
        bus, target, end = (
            int(t.group_bus[g]),
            int(t.group_target[g]),
            int(m.l1.endpoint[g]),
        )
        chain = [int(y) for y in m.l1.chain[g] if y >= 0]
        if end not in m.l1.tree.get(bus, {}):
            out.append(f"group {g}: endpoint {end} not on the tree of bus {bus}")
        if not chain or not _reaches(end, target, chain[0]):
            out.append(f"group {g}: endpoint {end} does not reach driver {chain[:1]}")
        if chain and (len({(driver_side(y), y < N_DRIVERS // 2) for y in chain}) != 1
                      or len(chain) > m.config.driver_chain_length):  # fmt: skip
            out.append(f"group {g}: chain {chain} leaves its quadrant or is too long")
        bad = [y for y in chain if (target, y) in m.wafer.defects.drivers]
        if bad or not m.wafer.is_usable(target):
            out.append(f"group {g}: uses defective driver(s) {bad} or chip {target}")
        if chain and _switch_row(end, chain[0]) in m.wafer.defects.switch_rows:
            out.append(f"group {g}: driver {chain[0]} reached via a broken switch row")
    return out


def check_no_double_booking(m: WaferMapping) -> list[str]:
    """No bus in two trees, no driver in two chains, rows within each chain."""
    out = []
    owners: Counter[int] = Counter(n for parents in m.l1.tree.values() for n in parents)
    out += [f"bus node {n} used by {c} routes" for n, c in owners.items() if c > 1]
    t = m.table
    drivers: Counter[tuple[int, int]] = Counter()
    for g in np.flatnonzero(m.l1.endpoint >= 0):
        chain = [int(y) for y in m.l1.chain[g] if y >= 0]
        drivers.update((int(t.group_target[g]), y) for y in chain)
        h = m.synapses.half_rows[g].reshape(-1, N_PATTERNS).sum(axis=1)
        if np.ceil(h / 2).sum() > 2 * len(chain):
            out.append(f"group {g}: {h} half-rows exceed {2 * len(chain)} rows")
    out += [f"driver {k} in {c} chains" for k, c in drivers.items() if c > 1]
    return out


def check_driver_classes(m: WaferMapping) -> list[str]:
    """No driver mixes STP modes or U_SE settings: each class's rows fit its drivers.

    Every chain driver serves one driver class (:mod:`twin.routing.stp_drivers`);
    the rows of each class (two half-rows of one receptor per row) fit in twice the
    number of drivers labelled with it; labels sit only on the chain's drivers; and
    every realised synapse has half-rows of its own class in its group.
    """
    out = []
    t, s = m.table, m.synapses
    for g in np.flatnonzero(m.l1.endpoint >= 0):
        on_chain = m.l1.chain[g] >= 0
        labels = s.driver_class[g]
        if np.any(labels[~on_chain] >= 0):
            out.append(f"group {g}: class labels {labels} on no driver")
        if not np.isin(labels[labels >= 0], t.classes).all():
            out.append(f"group {g}: unknown driver classes {labels}")
        half = s.half_rows[g].reshape(t.n_classes, 2, N_PATTERNS).sum(axis=2)
        rows = np.ceil(half / 2).sum(axis=1)
        for c, r in zip(t.classes, rows, strict=True):
            n = int((labels == c).sum())
            if r > 2 * n:
                out.append(
                    f"group {g}: {int(r)} rows of driver class {c} on {n} drivers"
                )
    realised = np.concatenate(
        [s.realised[p.name] for p in m.network.projections] or [np.zeros(0, bool)]
    )
    offsets = np.cumsum([0] + [p.size for p in m.network.projections])
    held = realised[offsets[t.proj] + t.idx]
    bad = s.half_rows[t.group[held], t.kind[held]] == 0
    if bad.any():
        out.append(f"{int(bad.sum())} realised synapses have no half-row of their kind")
    return out


def check_loss_adds_up(m: WaferMapping) -> list[str]:
    """Check requested = realised + lost, per projection."""
    out = []
    for proj in m.network.projections:
        requested = m.loss.requested.get(proj.name, -1)
        realised = int(m.synapses.realised[proj.name].sum())
        lost = m.loss.lost_in(proj.name)
        if requested != proj.size or realised + lost != requested:
            out.append(
                f"{proj.name}: requested {requested} (size {proj.size}) != realised "
                f"{realised} + lost {lost}"
            )
    return out


def check_mapping(m: WaferMapping, graph: BusGraph | None = None) -> None:
    """Run every oracle; raise :class:`RoutingError` listing the violations.

    Raises
    ------
    RoutingError
        If any oracle reports a violation; the message gives their number and the
        first five.
    """
    graph = graph or BusGraph.from_wafer(m.wafer)
    problems = (
        check_placement(m) + check_addresses(m) + check_routes(m, graph)
        + check_no_double_booking(m) + check_driver_classes(m)
        + check_loss_adds_up(m)
    )  # fmt: skip
    if problems:
        shown = "; ".join(problems[:5])
        raise RoutingError(f"mapping violates {len(problems)} invariant(s): {shown}")
