"""The wafer's L1 bus graph: buses as nodes, crossbar switches and repeaters as edges.

Nodes are :class:`~twin.wafer.l1.L1BusOnWafer` (every usable line of every usable
chip). Edges are crossbar switches between an HLine and a VLine of one chip
(``kind="crossbar"``) and repeater continuations of a line onto its neighbour
(``kind="repeater"``: HLine h -> h + 2 east, VLine as in :mod:`twin.wafer.l1`).

Defects remove what they break: a defective line is absent; a defective chip removes
all its lines, and also the lines of its neighbours that are driven from it. Each line
is attached to one repeater on its own chip and one on a neighbour: an even HLine ends
at the east neighbour, an odd one at the west; a left-half VLine ends north if even,
south if odd; a right-half VLine the other way round. [halco ``l1.h`` repeater
comments; guidebook: "Every second horizontal and vertical bus is driven from a
neighboring chip. If this neighbor chip can not be initialized, all buses from that
chip must not be used."]

The synapse-driver reach of a vertical bus (14 drivers on its chip, 14 on the
neighbour) is given by :func:`driver_reach`, not by graph edges: the graph stays small
enough to build in well under a second.
"""

from __future__ import annotations

from typing import Final

import networkx as nx

from twin.wafer.coords import HICANNS, HICANNOnWafer
from twin.wafer.l1 import (
    N_HLINES,
    N_VLINES,
    L1BusOnWafer,
    crossbar_vlines,
    hline_east,
    is_right_vline,
    vline_north,
)
from twin.wafer.synapse import vline_driver_reach
from twin.wafer.wafer import Wafer

__all__ = ["build_l1_graph", "depends_on", "driver_reach"]

_CROSSBAR: Final = tuple((h, v) for h in range(N_HLINES) for v in crossbar_vlines(h))
_REACH: Final = tuple(vline_driver_reach(v) for v in range(N_VLINES))


def depends_on(bus: L1BusOnWafer) -> HICANNOnWafer | None:
    """Return the neighbour chip that drives the far end of ``bus`` (None at the edge).

    Examples
    --------
    >>> depends_on(L1BusOnWafer(174, "H", 0))
    HICANNOnWafer(x=19, y=7)
    """
    chip = HICANNS[bus.hicann]
    if bus.orientation == "H":
        return chip.east() if bus.line % 2 == 0 else chip.west()
    left = not is_right_vline(bus.line)
    north_end = (bus.line % 2 == 0) == left
    return chip.north() if north_end else chip.south()


def _usable_lines(wafer: Wafer, chip: HICANNOnWafer) -> dict[str, frozenset[int]]:
    """Return the usable line numbers of one chip per orientation ("H", "V")."""
    result = {}
    for orientation, kind, count in (
        ("H", "hlines", N_HLINES),
        ("V", "vlines", N_VLINES),
    ):
        broken = wafer.defects.on_hicann(kind, chip.enum)
        result[orientation] = frozenset(
            line
            for line in range(count)
            if line not in broken
            and (
                (n := depends_on(L1BusOnWafer(chip.enum, orientation, line)))  # type: ignore[arg-type]
                is None
                or wafer.is_usable(n)
            )
        )
    return result


def build_l1_graph(wafer: Wafer) -> nx.Graph:
    """Build the L1 bus graph of a wafer.

    Parameters
    ----------
    wafer
        Spec and defects; defective chips and lines are left out.

    Returns
    -------
    networkx.Graph
        Nodes ``L1BusOnWafer``; edge attribute ``kind`` is ``"crossbar"`` or
        ``"repeater"``. ``graph.graph["wafer_id"]`` names the wafer.

    Examples
    --------
    >>> g = build_l1_graph(Wafer.region([0]))
    >>> g.number_of_nodes() <= 320, g.number_of_edges() <= 512
    (True, True)
    """
    graph = nx.Graph(wafer_id=wafer.wafer_id)
    usable = {chip.enum: _usable_lines(wafer, chip) for chip in wafer.usable_hicanns()}
    for enum, lines in usable.items():
        hs, vs = lines["H"], lines["V"]
        graph.add_nodes_from(L1BusOnWafer(enum, "H", h) for h in hs)
        graph.add_nodes_from(L1BusOnWafer(enum, "V", v) for v in vs)
        graph.add_edges_from(
            (
                (L1BusOnWafer(enum, "H", h), L1BusOnWafer(enum, "V", v))
                for h, v in _CROSSBAR
                if h in hs and v in vs
            ),
            kind="crossbar",
        )
    for enum, lines in usable.items():
        chip = HICANNS[enum]
        for other, orientation, shift in (
            (chip.east(), "H", hline_east),
            (chip.north(), "V", vline_north),
        ):
            if other is None or other.enum not in usable:
                continue
            there = usable[other.enum][orientation]
            graph.add_edges_from(
                (
                    (
                        L1BusOnWafer(enum, orientation, line),  # type: ignore[arg-type]
                        L1BusOnWafer(other.enum, orientation, shift(line)),  # type: ignore[arg-type]
                    )
                    for line in lines[orientation]
                    if shift(line) in there
                ),
                kind="repeater",
            )
    return graph


def driver_reach(bus: L1BusOnWafer, wafer: Wafer) -> tuple[tuple[int, int], ...]:
    """Return the usable synapse drivers a vertical bus reaches, as ``(chip, line)``.

    Up to 14 drivers are on the bus's own chip and 14 on its neighbour (west for a
    left-half VLine, east for a right-half one); drivers on missing or defective chips
    and defective drivers are left out.

    Examples
    --------
    >>> len(driver_reach(L1BusOnWafer(174, "V", 3), Wafer()))
    28
    """
    if bus.orientation != "V":
        return ()
    chip = HICANNS[bus.hicann]
    result = []
    for dx, y in _REACH[bus.line]:
        x = chip.x + dx
        if not HICANNOnWafer.exists(x, chip.y):
            continue
        target = HICANNOnWafer(x, chip.y).enum
        if wafer.is_usable(target) and (target, y) not in wafer.defects.drivers:
            result.append((target, y))
    return tuple(result)
