"""Synapse-row assignment: fit each (bus, target) group into its driver chain.

A chain of ``k`` drivers offers ``2k`` rows. When the group needs no more drivers than
it got, every synapse finds a row. Otherwise the rows go greedily to the receptor and
address-pattern half-rows that keep most synapses (:func:`fit_half_rows`), and within a
neuron and half-row kind the first synapses (in projection order) are kept. Dropped
synapses count as ``NO_SYNAPSE_DRIVER`` when free adjacent drivers were missing, and as
``NO_SYNAPSE_ROW`` when the chain-length limit itself was too short for the group.

With short-term plasticity the rows of each driver class
(:mod:`twin.routing.stp_drivers`) fill whole drivers of their own. A dropped synapse
that the same drivers would have carried had every synapse of the group been static
counts as ``NO_SYNAPSE_DRIVER_STP`` (it could not get a driver of its class); the
others keep the reasons above. Each chain driver is labelled with the class it serves
(:attr:`SynapseRouting.driver_class`, in class order along the chain).
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
from twin.routing.synapses import (
    KINDS_PER_CLASS,
    SynapseTable,
    drivers_per_class,
    fit_half_rows,
)

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
        Per group: half-rows given to each class/receptor/pattern kind, shape
        ``(n, 8 * n_classes)``.
    driver_class
        Per group: the driver class (:mod:`twin.routing.stp_drivers`) each driver of
        its chain serves, shape ``(n, L)`` like ``L1Routing.chain``; -1 where no
        driver or an unused one.
    loss
        ``NO_SYNAPSE_DRIVER``, ``NO_SYNAPSE_ROW`` and ``NO_SYNAPSE_DRIVER_STP``
        losses.
    """

    realised: Mapping[str, np.ndarray]
    hops: Mapping[str, np.ndarray]
    half_rows: np.ndarray
    driver_class: np.ndarray
    loss: LossReport

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SynapseRouting):
            return NotImplemented
        return (
            arrays_equal(self.realised, other.realised)
            and arrays_equal(self.hops, other.hops)
            and np.array_equal(self.half_rows, other.half_rows)
            and np.array_equal(self.driver_class, other.driver_class)
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


def _kept(
    table: SynapseTable, pos: np.ndarray, kind: np.ndarray, h: np.ndarray
) -> np.ndarray:
    """Which synapses at ``pos`` the half-rows ``h`` (per kind) hold: the first ones."""
    _, neuron = np.unique(table.post[pos], return_inverse=True)
    rank = _rank_within(neuron * h.size + kind)
    return rank < np.floor(h[kind] * table.slots_per_half_row)


def _label_drivers(classes: np.ndarray, h: np.ndarray, n: int) -> np.ndarray:
    """Driver class of each of ``n`` chain drivers, in class order (-1: unused)."""
    per_class = drivers_per_class(h)
    labels = np.repeat(classes, per_class)
    return np.r_[labels, np.full(n - labels.size, -1)]


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
    by_class = np.zeros(table.proj.size, dtype=bool)  # lost to the class split
    half_rows = np.zeros_like(table.half_rows)
    n_groups, length = l1.chain.shape[0], l1.chain.shape[-1]
    labels = np.full((n_groups, length), -1, dtype=np.int64)
    needed = table.drivers_needed
    got = (l1.chain >= 0).sum(axis=1)
    for g in np.flatnonzero(l1.endpoint >= 0):
        lo, hi = table.group_ptr[g], table.group_ptr[g + 1]
        if needed[g] <= got[g]:
            keep[lo:hi] = True
            half_rows[g] = table.half_rows[g]
        else:
            pos, demand = table.demand(int(g))
            q, rows = table.slots_per_half_row, 2 * int(got[g])
            h = fit_half_rows(demand, rows, q)
            half_rows[g] = h
            keep[pos] = _kept(table, pos, table.kind[pos], h)
            short[pos] = got[g] < min(needed[g], chain_length)
            if table.n_classes > 1:
                merged = demand.reshape(demand.shape[0], -1, KINDS_PER_CLASS).sum(1)
                kind = table.kind[pos] % KINDS_PER_CLASS
                static = _kept(table, pos, kind, fit_half_rows(merged, rows, q))
                by_class[pos] = static & ~keep[pos]
        labels[g] = _label_drivers(table.classes, half_rows[g], length)
    return _result(network, table, l1, keep, short, by_class, half_rows, labels)


def _result(
    network: Network,
    table: SynapseRouting | SynapseTable,
    l1: L1Routing,
    keep: np.ndarray,
    short: np.ndarray,
    by_class: np.ndarray,
    half_rows: np.ndarray,
    labels: np.ndarray,
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
        other, stp = dropped & ~by_class, dropped & by_class
        entries += [
            (proj.name, LossReason.NO_SYNAPSE_DRIVER_STP, int(stp.sum())),
            (proj.name, LossReason.NO_SYNAPSE_DRIVER, int((other & short).sum())),
            (proj.name, LossReason.NO_SYNAPSE_ROW, int((other & ~short).sum())),
        ]
    return SynapseRouting(
        realised=MappingProxyType(realised),
        hops=MappingProxyType(hops),
        half_rows=readonly(half_rows),
        driver_class=readonly(labels),
        loss=LossReport.from_losses(entries),
    )
