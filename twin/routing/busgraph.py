"""Array form of the L1 bus graph for fast path searches during routing.

Node ids are ``320 * chip + line`` for HLines and ``320 * chip + 64 + line`` for
VLines; absent buses (defects) have no edges. Edge weights: crossing to a neighbouring
chip through a repeater costs 1, a crossbar switch costs 0.1, so shortest paths
minimise the number of chips on a route (which sets its delay).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import scipy.sparse as sp

from twin.wafer.coords import HICANNS, N_HICANNS
from twin.wafer.graph import build_l1_graph
from twin.wafer.l1 import N_HLINES, N_VLINES, L1BusOnWafer, is_right_vline
from twin.wafer.synapse import vline_driver_reach
from twin.wafer.wafer import Wafer

__all__ = [
    "FAR_DRIVERS",
    "LOCAL_DRIVERS",
    "NODES_PER_CHIP",
    "BusGraph",
    "bus_of_node",
    "node_id",
]

NODES_PER_CHIP: Final = N_HLINES + N_VLINES
_WEIGHT = {"repeater": 1.0, "crossbar": 0.1}

#: Drivers (lines) each VLine reaches on its own chip, shape (256, 14).
LOCAL_DRIVERS: Final = np.array(
    [[y for dx, y in vline_driver_reach(v) if dx == 0] for v in range(N_VLINES)]
)
#: Drivers each VLine reaches on its neighbour (west for v < 128, east otherwise).
FAR_DRIVERS: Final = np.array(
    [[y for dx, y in vline_driver_reach(v) if dx != 0] for v in range(N_VLINES)]
)


def node_id(bus: L1BusOnWafer) -> int:
    """Return the integer id of a bus.

    Examples
    --------
    >>> node_id(L1BusOnWafer(2, "V", 5))
    709
    """
    offset = bus.line if bus.orientation == "H" else N_HLINES + bus.line
    return NODES_PER_CHIP * bus.hicann + offset


def bus_of_node(node: int) -> L1BusOnWafer:
    """Return the bus with integer id ``node``."""
    chip, offset = divmod(int(node), NODES_PER_CHIP)
    if offset < N_HLINES:
        return L1BusOnWafer(chip, "H", offset)
    return L1BusOnWafer(chip, "V", offset - N_HLINES)


@dataclass(frozen=True, slots=True, eq=False)
class BusGraph:
    """The wafer's L1 graph as a symmetric CSR matrix over integer bus ids.

    Attributes
    ----------
    present
        Bool per node id: the bus exists and is usable.
    matrix
        Symmetric CSR adjacency with edge weights.
    entry_rows
        Row index of every stored entry (for masking nodes quickly).
    """

    present: np.ndarray
    matrix: sp.csr_matrix
    entry_rows: np.ndarray

    @classmethod
    def from_wafer(cls, wafer: Wafer) -> BusGraph:
        """Build the array graph from :func:`twin.wafer.build_l1_graph`.

        The graph is read-only, so one graph serves every mapping onto ``wafer``
        (``map_network(..., graph=)``; about 3 s for a full wafer).
        """
        graph = build_l1_graph(wafer)
        n = N_HICANNS * NODES_PER_CHIP
        present = np.zeros(n, dtype=bool)
        present[[node_id(b) for b in graph.nodes]] = True
        edges = [
            (node_id(u), node_id(v), _WEIGHT[k]) for u, v, k in graph.edges(data="kind")
        ]
        u, v, w = (
            (np.array(x) for x in zip(*edges, strict=True)) if edges else ([], [], [])
        )
        rows = np.concatenate([u, v]).astype(np.int64)
        cols = np.concatenate([v, u]).astype(np.int64)
        data = np.concatenate([w, w]).astype(float)
        matrix = sp.csr_matrix((data, (rows, cols)), shape=(n, n))
        matrix.sort_indices()
        entry_rows = np.repeat(np.arange(n), np.diff(matrix.indptr))
        for arr in (present, entry_rows, matrix.data, matrix.indices, matrix.indptr):
            arr.setflags(write=False)
        return cls(present=present, matrix=matrix, entry_rows=entry_rows)

    def masked(self, allowed: np.ndarray) -> sp.csr_matrix:
        """Return the adjacency restricted to edges between ``allowed`` nodes."""
        keep = allowed[self.entry_rows] & allowed[self.matrix.indices]
        data = np.where(keep, self.matrix.data, 0.0)
        out = sp.csr_matrix(
            (data, self.matrix.indices.copy(), self.matrix.indptr.copy()),
            shape=self.matrix.shape,
        )
        out.eliminate_zeros()
        return out


def endpoint_candidates(target: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the VLine node ids reaching drivers of chip ``target``, and the drivers.

    Returns
    -------
    nodes
        Node ids: the target's 256 VLines, the east neighbour's left-half VLines and
        the west neighbour's right-half VLines.
    drivers
        Shape ``(len(nodes), 14)``: driver lines of the target each node reaches.
    """
    chip = HICANNS[target]
    nodes = [NODES_PER_CHIP * target + N_HLINES + np.arange(N_VLINES)]
    drivers = [LOCAL_DRIVERS]
    for neighbour, half in (
        (chip.east(), np.flatnonzero(~is_right_vline(np.arange(N_VLINES)))),
        (chip.west(), np.flatnonzero(is_right_vline(np.arange(N_VLINES)))),
    ):
        if neighbour is not None:
            nodes.append(NODES_PER_CHIP * neighbour.enum + N_HLINES + half)
            drivers.append(FAR_DRIVERS[half])
    return np.concatenate(nodes), np.concatenate(drivers)
