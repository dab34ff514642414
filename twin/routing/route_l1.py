"""L1 routing and synapse-driver allocation: a bus tree from each source to its targets.

Sources (buses) are routed one after another, the ones carrying most synapses first
(``route_order="synapses"``) or in ascending bus id (``"coordinate"``, marocco's order);
buses are exclusive, so each route removes its buses from the graph, and the sending
HLines of every used DNC merger are reserved for their own source from the start.
A target chip is reached when the tree contains a vertical bus that reaches one of its
synapse drivers through a synapse switch (the target's own VLines, the east
neighbour's left half or the west neighbour's right half). At that switch the router
also allocates the driver chain: the primary driver and adjacent drivers on the same
side of the same quadrant, up to ``driver_chain_length`` and the group's need (drivers
counted per STP driver class, :attr:`SynapseTable.drivers_needed`). The
primary driver must be reached through a working synapse-switch row (defective switch
RAM rows are skipped); chain members receive events from their neighbour.

Routers ([marocco L1Routing, Jeltsch thesis §6.4.4]):

- ``"shortest"``: one shortest-path tree from the source bus over all free buses.
- ``"backbone"``: the tree first grows only along the source's row (horizontal buses of
  that row, vertical buses anywhere): a horizontal backbone with vertical ribs. Targets
  it cannot reach are then connected to the tree by shortest paths.

Targets left unreached lose their synapses (``NO_L1_ROUTE``); reached targets without a
free driver lose them as ``NO_SYNAPSE_DRIVER``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

import numpy as np
from scipy.sparse.csgraph import dijkstra

from twin.arrays import readonly
from twin.network import Network
from twin.routing.busgraph import NODES_PER_CHIP, BusGraph, endpoint_candidates
from twin.routing.config import MappingConfig
from twin.routing.loss import LossReason, LossReport
from twin.routing.synapses import SynapseTable
from twin.wafer.coords import HICANNS, N_HICANNS
from twin.wafer.l1 import N_HLINES, is_right_vline, sending_hline
from twin.wafer.synapse import N_DRIVERS, N_SWITCH_ROWS, driver_side
from twin.wafer.wafer import Wafer

__all__ = ["QUADRANT_OF_DRIVER", "L1Routing", "route_l1"]

_CANDIDATES: Final = (
    48  # endpoints examined per target before settling for a partial chain
)
#: Quadrant (0..3, one floating-gate block each) of every driver line:
#: ``2 * (side is right) + (line >= 112)`` [halco synapse.cpp FGBlock of a driver].
QUADRANT_OF_DRIVER: Final = np.array(
    [2 * (driver_side(y) == "right") + (y >= N_DRIVERS // 2) for y in range(N_DRIVERS)]
)
QUADRANT_OF_DRIVER.setflags(write=False)
_QUADRANT: Final = QUADRANT_OF_DRIVER
_QUAD_LINES: Final = tuple(np.flatnonzero(q == _QUADRANT) for q in range(4))
_POS: Final = np.array(
    [int(np.searchsorted(_QUAD_LINES[_QUADRANT[y]], y)) for y in range(N_DRIVERS)]
)
_CHIP_ROW: Final = np.array([h.y for h in HICANNS])


@dataclass(frozen=True, slots=True, eq=False)
class L1Routing:
    """Routes of every source bus and the driver chains at every target.

    Attributes
    ----------
    router
        Algorithm used.
    tree
        Bus id -> parent of each node in the route tree (node -> parent node; the
        source's sending HLine maps to -1).
    endpoint
        Per group of the synapse table: the VLine node id at the synapse switch (-1).
    chain
        Per group: driver lines of the allocated chain, shape ``(n_groups, L)``, -1
        padded;
        column 0 is the primary driver.
    hops
        Per group: number of chips on the route, including the target (-1: none).
    loss
        ``NO_L1_ROUTE`` and ``NO_SYNAPSE_DRIVER`` losses.
    """

    router: str
    tree: Mapping[int, Mapping[int, int]]
    endpoint: np.ndarray
    chain: np.ndarray
    hops: np.ndarray
    loss: LossReport

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, L1Routing):
            return NotImplemented
        return (
            self.router == other.router
            and {k: dict(v) for k, v in self.tree.items()}
            == {k: dict(v) for k, v in other.tree.items()}
            and np.array_equal(self.endpoint, other.endpoint)
            and np.array_equal(self.chain, other.chain)
            and np.array_equal(self.hops, other.hops)
            and self.loss == other.loss
        )

    __hash__ = None  # type: ignore[assignment]

    def route_chips(self, bus: int, node: int) -> list[int]:
        """Chips along the route from the source bus to ``node``, source first."""
        parents = self.tree[bus]
        chips: list[int] = []
        while node >= 0:
            chip = node // NODES_PER_CHIP
            if not chips or chips[-1] != chip:
                chips.append(chip)
            node = parents[node]
        return chips[::-1]


def _run_lengths(free: np.ndarray) -> np.ndarray:
    """Length of the free same-quadrant driver run holding each driver (0: used)."""
    out = np.zeros(free.size, dtype=np.int64)
    for lines in _QUAD_LINES:
        ok = free[lines]
        run_id = np.cumsum(np.r_[True, ok[1:] != ok[:-1]])
        length = np.bincount(run_id)[run_id]
        out[lines] = np.where(ok, length, 0)
    return out


def _chain(free: np.ndarray, primary: int, k: int) -> np.ndarray:
    """Largest free window (<= k) of quadrant drivers around ``primary`` (first)."""
    lines = _QUAD_LINES[_QUADRANT[primary]]
    ok = free[lines]
    pos = _POS[primary]
    lo = pos
    while lo > 0 and ok[lo - 1] and pos - lo + 1 < k:
        lo -= 1
    hi = pos
    while hi + 1 < lines.size and ok[hi + 1] and hi - lo + 1 < k:
        hi += 1
    window = lines[lo : hi + 1]
    return np.concatenate([[primary], window[window != primary]])


class _Router:
    """Routing state (free buses, free drivers); local to one :func:`route_l1` call."""

    def __init__(
        self, graph: BusGraph, wafer: Wafer, table: SynapseTable, config: MappingConfig
    ) -> None:
        self.graph, self.table, self.config = graph, table, config
        self.free = graph.present.copy()
        self.drivers_free = np.zeros((N_HICANNS, N_DRIVERS), dtype=bool)
        for usable in wafer.usable_hicanns():
            self.drivers_free[usable.enum] = True
        for chip, line in wafer.defects.drivers:
            self.drivers_free[chip, line] = False
        self.row_ok = np.ones((N_HICANNS, N_SWITCH_ROWS), dtype=bool)
        for chip, row in wafer.defects.switch_rows:
            self.row_ok[chip, row] = False
        self.need = np.minimum(table.drivers_needed, config.driver_chain_length)
        n = table.group_bus.size
        self.endpoint = np.full(n, -1, dtype=np.int64)
        self.chain = np.full((n, config.driver_chain_length), -1, dtype=np.int64)
        self.tree: dict[int, dict[int, int]] = {}
        self.source = {
            int(b): self._source_node(int(b)) for b in np.unique(table.group_bus)
        }
        for node in self.source.values():
            if node >= 0:
                self.free[node] = False  # sending HLines are reserved for their source

    def _source_node(self, bus: int) -> int:
        chip, merger = divmod(bus, 8)
        node = NODES_PER_CHIP * chip + sending_hline(merger)
        return node if self.graph.present[node] else -1

    def _search(
        self, roots: list[int], allowed: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        matrix = self.graph.masked(allowed)
        dist, pred, _ = dijkstra(
            matrix,
            directed=False,
            indices=roots,
            return_predecessors=True,
            min_only=True,
        )
        return dist, pred

    def _rows_ok(self, nodes: np.ndarray, drivers: np.ndarray) -> np.ndarray:
        """Whether each (VLine node, driver) pair's synapse-switch row works."""
        chip = nodes // NODES_PER_CHIP
        right = is_right_vline(nodes % NODES_PER_CHIP - N_HLINES)
        return self.row_ok[chip[:, None], N_DRIVERS * right[:, None] + drivers]

    def _serve(self, bus: int, group: int, dist: np.ndarray, pred: np.ndarray) -> bool:
        target = int(self.table.group_target[group])
        nodes, drivers = endpoint_candidates(target)
        reach = np.isfinite(dist[nodes])
        if not reach.any():
            return False
        free = self.drivers_free[target]
        open_ = free[drivers] & self._rows_ok(nodes, drivers)
        usable = reach & open_.any(axis=1)
        runs = _run_lengths(free)
        need = int(self.need[group])
        best: tuple[tuple[int, int, int], int, int] | None = None
        order = np.flatnonzero(usable)[np.argsort(dist[nodes[usable]], kind="stable")]
        for rank, i in enumerate(order[:_CANDIDATES]):
            for y in drivers[i][open_[i]]:
                size = min(need, int(runs[y]))
                # Most drivers first, then best fit (smallest free run), then nearest.
                score = (-size, int(runs[y]) if size == need else 0, rank)
                if best is None or score < best[0]:
                    best = (score, int(nodes[i]), int(y))
        if best is None:
            self.endpoint[group] = -2  # reached, but no free driver
            return True
        _, node, primary = best
        window = _chain(free, primary, need)
        self._attach(bus, node, pred)
        self.endpoint[group] = node
        self.chain[group, : window.size] = window
        self.drivers_free[target, window] = False
        return True

    def _attach(self, bus: int, node: int, pred: np.ndarray) -> None:
        parents = self.tree[bus]
        while node not in parents:
            parent = int(pred[node])
            parents[node] = parent if parent >= 0 else -1
            node = parent

    def route(self, bus: int, groups: np.ndarray) -> None:
        src = self.source[bus]
        if src < 0:
            return
        self.tree[bus] = {src: -1}
        allowed = self.free.copy()
        allowed[src] = True
        pending = list(groups)
        if self.config.router == "backbone":
            row = _CHIP_ROW[src // NODES_PER_CHIP]
            is_h = np.arange(allowed.size) % NODES_PER_CHIP < N_HLINES
            chip_row = _CHIP_ROW[np.arange(allowed.size) // NODES_PER_CHIP]
            backbone = allowed & (~is_h | (chip_row == row))
            dist, pred = self._search([src], backbone)
            pending = [g for g in pending if not self._serve(bus, g, dist, pred)]
        if pending:
            dist, pred = self._search(sorted(self.tree[bus]), allowed)
            for g in pending:
                self._serve(bus, g, dist, pred)
        self.free[list(self.tree[bus])] = False


def route_l1(
    network: Network,
    table: SynapseTable,
    graph: BusGraph,
    wafer: Wafer,
    config: MappingConfig,
) -> L1Routing:
    """Route every source bus of ``table`` and allocate its driver chains.

    Parameters
    ----------
    network
        For projection names in the loss report.
    table
        Synapse requirements per (bus, target chip).
    graph
        The wafer's L1 graph in array form.
    wafer
        Defective drivers and chips.
    config
        Router choice, route order and driver chain length.

    Returns
    -------
    L1Routing
    """
    router = _Router(graph, wafer, table, config)
    weight = np.bincount(table.group, minlength=table.group_bus.size)
    per_bus = np.bincount(table.group_bus, weights=weight)
    buses = np.unique(table.group_bus)
    if config.route_order == "synapses":
        buses = buses[np.lexsort((buses, -per_bus[buses]))]
    for bus in buses:
        groups = np.flatnonzero(table.group_bus == bus)
        router.route(
            int(bus), groups[np.argsort(table.group_target[groups], kind="stable")]
        )
    hops = np.full(table.group_bus.size, -1, dtype=np.int64)
    routing = L1Routing(
        router=config.router,
        tree=MappingProxyType({b: MappingProxyType(t) for b, t in router.tree.items()}),
        endpoint=readonly(np.maximum(router.endpoint, -1)),
        chain=readonly(router.chain),
        hops=hops,
        loss=_loss(network, table, router.endpoint),
    )
    for g in np.flatnonzero(router.endpoint >= 0):
        chips = routing.route_chips(int(table.group_bus[g]), int(router.endpoint[g]))
        target = int(table.group_target[g])
        hops[g] = len(chips) + (chips[-1] != target)
    hops.setflags(write=False)
    return routing


def _loss(network: Network, table: SynapseTable, endpoint: np.ndarray) -> LossReport:
    per_group = endpoint[table.group]
    entries = []
    for reason, mask in (
        (LossReason.NO_L1_ROUTE, per_group == -1),
        (LossReason.NO_SYNAPSE_DRIVER, per_group == -2),
    ):
        counts = np.bincount(table.proj[mask], minlength=len(network.projections))
        entries += [
            (p.name, reason, int(c))
            for p, c in zip(network.projections, counts, strict=True)
        ]
    return LossReport.from_losses(entries)
