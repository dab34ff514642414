"""Merger routing and L1 address assignment: every neuron gets a source bus and address.

A source bus is one DNC merger of one chip (``bus = 8 * chip + merger``); it drives the
sending repeater onto HLine ``62 - 8 * merger``. Neuron blocks are merged onto as few
DNC mergers as the merger tree allows while a bus carries at most 59 neurons
(marocco ``minimize_number_of_sending_repeaters``): all 8 blocks onto merger 3, else the
halves onto 3 and 5, else pairs onto 1, 3, 5, 6, else each block onto its own merger.
Defective mergers force the next finer split. Addresses are handed out highest first
from the 59 usable ones. [marocco MergerRouting, L1AddressPool; halbe MergerTree]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

import numpy as np

from twin.arrays import arrays_equal, readonly
from twin.network import Network
from twin.routing.loss import LossReason, LossReport
from twin.routing.place import Placement
from twin.wafer.l1 import USABLE_L1_ADDRESSES
from twin.wafer.neurons import COLUMNS_PER_BLOCK, bus_id
from twin.wafer.wafer import Wafer

__all__ = ["MERGER_SPLITS", "SourceBuses", "assign_mergers", "route_mergers"]

#: Block group -> (DNC merger, finer groups to try if it does not fit).
MERGER_SPLITS: Final = MappingProxyType(
    {
        tuple(range(8)): (3, ((0, 1, 2, 3), (4, 5, 6, 7))),
        (0, 1, 2, 3): (3, ((0, 1), (2, 3))),
        (4, 5, 6, 7): (5, ((4, 5), (6, 7))),
        (0, 1): (1, ((0,), (1,))),
        (2, 3): (3, ((2,), (3,))),
        (4, 5): (5, ((4,), (5,))),
        (6, 7): (6, ((6,), (7,))),
        **{(b,): (b, ()) for b in range(8)},
    }
)
_CAPACITY: Final = len(USABLE_L1_ADDRESSES)


@dataclass(frozen=True, slots=True, eq=False)
class SourceBuses:
    """The source bus and L1 address of every neuron or external source.

    Attributes
    ----------
    bus
        Population or source name -> bus id ``8 * chip + merger`` per neuron (-1: none).
    address
        Name -> 6-bit L1 address per neuron (-1: none).
    loss
        Synapses lost because their presynaptic neuron has no bus.
    """

    bus: Mapping[str, np.ndarray]
    address: Mapping[str, np.ndarray]
    loss: LossReport

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SourceBuses):
            return NotImplemented
        return (
            arrays_equal(self.bus, other.bus)
            and arrays_equal(self.address, other.address)
            and self.loss == other.loss
        )

    __hash__ = None  # type: ignore[assignment]

    @classmethod
    def assigned(
        cls,
        network: Network,
        placement: Placement,
        bus: Mapping[str, np.ndarray],
        address: Mapping[str, np.ndarray],
        reason: LossReason,
    ) -> SourceBuses:
        """Freeze an assignment; synapses whose placed pre has no bus are lost."""
        lost = {}
        for proj in network.projections:
            if proj.pre not in bus:
                continue
            ok = placement.hicann[proj.post][proj.post_idx] >= 0
            if proj.pre in placement.hicann:  # a neuron: it must be placed too
                ok &= placement.hicann[proj.pre][proj.pre_idx] >= 0
            lost[(proj.name, reason)] = int(
                (ok & (bus[proj.pre][proj.pre_idx] < 0)).sum()
            )
        return cls(
            bus=MappingProxyType({k: readonly(v) for k, v in bus.items()}),
            address=MappingProxyType({k: readonly(v) for k, v in address.items()}),
            loss=LossReport.of({}, lost),
        )

    def merged(self, other: SourceBuses) -> SourceBuses:
        """Return the union of two disjoint assignments (neurons and inputs)."""
        return SourceBuses(
            bus=MappingProxyType({**self.bus, **other.bus}),
            address=MappingProxyType({**self.address, **other.address}),
            loss=self.loss + other.loss,
        )

    def used_buses(self) -> tuple[int, ...]:
        """Bus ids carrying at least one source, ascending."""
        ids = np.concatenate(list(self.bus.values()) or [np.zeros(0, int)])
        return tuple(int(b) for b in np.unique(ids[ids >= 0]))


def assign_mergers(
    counts: Mapping[int, int], broken: frozenset[int] = frozenset()
) -> dict[int, int]:
    """Map each used neuron block of a chip to a DNC merger.

    Parameters
    ----------
    counts
        Block -> number of neurons placed in it.
    broken
        Defective DNC mergers of the chip.

    Returns
    -------
    dict
        Block -> DNC merger; blocks without a usable merger are absent.

    Examples
    --------
    >>> assign_mergers({b: 8 for b in range(8)})  # 64 neurons: two halves
    {0: 3, 1: 3, 2: 3, 3: 3, 4: 5, 5: 5, 6: 5, 7: 5}
    >>> assign_mergers({0: 8, 1: 8}, broken=frozenset({3}))
    {0: 1, 1: 1}
    """
    result: dict[int, int] = {}
    pending = [tuple(range(8))]
    while pending:
        group = pending.pop(0)
        total = sum(counts.get(b, 0) for b in group)
        if total == 0:
            continue
        merger, finer = MERGER_SPLITS[group]
        if total <= _CAPACITY and merger not in broken:
            result.update(dict.fromkeys((b for b in group if counts.get(b, 0)), merger))
        else:
            pending.extend(finer)
    return dict(sorted(result.items()))


def route_mergers(network: Network, placement: Placement, wafer: Wafer) -> SourceBuses:
    """Give every placed neuron a source bus and an L1 address.

    Parameters
    ----------
    network
        The network (for projection names in the loss report).
    placement
        Where the neurons sit.
    wafer
        For defective DNC mergers.

    Returns
    -------
    SourceBuses
    """
    bus, address = {}, {}
    for pop in network.populations:
        bus[pop.name] = np.full(pop.size, -1, dtype=np.int64)
        address[pop.name] = np.full(pop.size, -1, dtype=np.int64)
    members: dict[tuple[int, int], list[tuple[int, str, int]]] = {}
    for pop in network.populations:
        chips, cols = placement.hicann[pop.name], placement.column[pop.name]
        for i in np.flatnonzero(chips >= 0):
            key = (int(chips[i]), int(cols[i]) // COLUMNS_PER_BLOCK)
            members.setdefault(key, []).append((int(cols[i]), pop.name, int(i)))
    for chip in sorted({c for c, _ in members}):
        counts = {b: len(members.get((chip, b), [])) for b in range(8)}
        broken = wafer.defects.on_hicann("dnc_mergers", chip)
        mergers = assign_mergers(counts, broken)
        on_bus: dict[int, list[tuple[int, str, int]]] = {}
        for block, merger in mergers.items():
            on_bus.setdefault(merger, []).extend(members[(chip, block)])
        for merger, neurons in on_bus.items():
            for addr, (_, name, idx) in zip(
                USABLE_L1_ADDRESSES, sorted(neurons), strict=False
            ):
                bus[name][idx] = bus_id(chip, merger)
                address[name][idx] = addr
    return SourceBuses.assigned(
        network, placement, bus, address, LossReason.NO_SOURCE_BUS
    )
