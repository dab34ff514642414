"""Synapse-row assignment: fit each (bus, target) group into its driver chain.

A chain of ``k`` drivers offers ``2k`` rows. When the group needs no more drivers than
it got, every synapse finds a row. Otherwise the rows go greedily to the receptor and
address-pattern half-rows that keep most synapses (:func:`fit_half_rows`), and within a
neuron and half-row kind the first synapses (in projection order) are kept. Dropped
synapses count as ``NO_SYNAPSE_DRIVER`` when free adjacent drivers were missing, and as
``NO_SYNAPSE_ROW`` when the chain-length limit itself was too short for the group.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from twin.arrays import arrays_equal, readonly
from twin.network import Network
from twin.routing.loss import LossReason, LossReport
from twin.routing.route_l1 import L1Routing
from twin.routing.synapses import SynapseTable, fit_half_rows

__all__ = ["SynapseRouting", "route_synapses"]


@dataclass(frozen=True, slots=True, eq=False)
class SynapseRouting:
    """Which synapses were realised, with the chips on their route.

    Attributes
    ----------
    realised
        Projection name -> bool per synapse.
    hops
        Projection name -> chips on the route per synapse (-1 where lost).
    half_rows
        Per group: half-rows given to each receptor/pattern kind, shape ``(n, 8)``.
    loss
        ``NO_SYNAPSE_DRIVER`` and ``NO_SYNAPSE_ROW`` losses.
    """

    realised: Mapping[str, np.ndarray]
    hops: Mapping[str, np.ndarray]
    half_rows: np.ndarray
    loss: LossReport

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SynapseRouting):
            return NotImplemented
        return (
            arrays_equal(self.realised, other.realised)
            and arrays_equal(self.hops, other.hops)
            and np.array_equal(self.half_rows, other.half_rows)
            and self.loss == other.loss
        )

    __hash__ = None  # type: ignore[assignment]


def _rank_within(keys: np.ndarray) -> np.ndarray:
    """Occurrence number of each key among the earlier equal keys (0, 1, ...)."""
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    start = np.r_[0, np.flatnonzero(np.diff(sorted_keys)) + 1]
    counts = np.diff(np.r_[start, keys.size])
    rank = np.empty(keys.size, dtype=np.int64)
    rank[order] = np.arange(keys.size) - np.repeat(start, counts)
    return rank


def route_synapses(
    network: Network, table: SynapseTable, l1: L1Routing, chain_length: int
) -> SynapseRouting:
    """Assign rows to every routed group and decide which synapses are realised.

    Parameters
    ----------
    network
        For projection sizes and names.
    table
        Synapse requirements.
    l1
        Routes and driver chains.
    chain_length
        The configured maximum chain length.

    Returns
    -------
    SynapseRouting
    """
    keep = np.zeros(table.proj.size, dtype=bool)
    short = np.zeros(table.proj.size, dtype=bool)  # lost for want of free drivers
    half_rows = np.zeros_like(table.half_rows)
    needed = table.drivers_needed
    got = (l1.chain >= 0).sum(axis=1)
    for g in np.flatnonzero(l1.endpoint >= 0):
        lo, hi = table.group_ptr[g], table.group_ptr[g + 1]
        if needed[g] <= got[g]:
            keep[lo:hi] = True
            half_rows[g] = table.half_rows[g]
            continue
        pos, demand = table.demand(int(g))
        h = fit_half_rows(demand, 2 * int(got[g]), table.slots_per_half_row)
        half_rows[g] = h
        _, neuron = np.unique(table.post[pos], return_inverse=True)
        rank = _rank_within(neuron * 8 + table.kind[pos])
        keep[pos] = rank < np.floor(h[table.kind[pos]] * table.slots_per_half_row)
        short[pos] = got[g] < min(needed[g], chain_length)
    return _result(network, table, l1, keep, short, half_rows)


def _result(
    network: Network,
    table: SynapseRouting | SynapseTable,
    l1: L1Routing,
    keep: np.ndarray,
    short: np.ndarray,
    half_rows: np.ndarray,
) -> SynapseRouting:
    assert isinstance(table, SynapseTable)
    realised, hops, entries = {}, {}, []
    routed = l1.endpoint[table.group] >= 0
    for k, proj in enumerate(network.projections):
        mine = table.proj == k
        flags = np.zeros(proj.size, dtype=bool)
        flags[table.idx[mine & keep]] = True
        h = np.full(proj.size, -1, dtype=np.int64)
        h[table.idx[mine & keep]] = l1.hops[table.group[mine & keep]]
        realised[proj.name], hops[proj.name] = readonly(flags), readonly(h)
        dropped = mine & routed & ~keep
        entries.append(
            (proj.name, LossReason.NO_SYNAPSE_DRIVER, int((dropped & short).sum()))
        )
        entries.append(
            (proj.name, LossReason.NO_SYNAPSE_ROW, int((dropped & ~short).sum()))
        )
    return SynapseRouting(
        realised=MappingProxyType(realised),
        hops=MappingProxyType(hops),
        half_rows=readonly(half_rows),
        loss=LossReport.from_losses(entries),
    )
