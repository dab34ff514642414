"""Synapse requirements: which synapses each (source bus, target chip) pair must carry.

A synapse from a neuron with L1 address ``a`` onto logical neuron ``n`` needs a synapse
in a row driven by the route's drivers, in one of ``n``'s columns, whose row carries the
synapse's receptor type and whose half-row decoder (per column parity) matches the
address's two most significant bits; the synapse's own decoder matches the four low
bits. A half-row therefore offers each logical neuron of size ``s`` one synapse per
column of that parity: ``s / 4`` slots. For a group (bus, chip) the number of half-rows
of receptor ``r`` and MSB pattern ``p`` is ``ceil(max_n d(n, r, p) / (s / 4))``; rows
hold two half-rows of one receptor, drivers two rows.
[marocco SynapseDriverRequirements, SynapseRouting; halbe RowConfig]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twin.network import Network
from twin.routing.buses import SourceBuses
from twin.routing.place import Placement

__all__ = ["SynapseTable", "build_synapse_table", "fit_half_rows"]

N_PATTERNS = 4  # 2-bit driver-decoder patterns
N_RECEPTORS = 2  # excitatory, inhibitory


@dataclass(frozen=True, slots=True, eq=False)
class SynapseTable:
    """Every routable synapse with its bus, target chip and decoder requirements.

    Attributes
    ----------
    proj, idx
        Projection index and synapse index within it.
    group
        Index into ``group_bus`` / ``group_target`` of the synapse's (bus, chip) pair.
    post
        Global id of the postsynaptic neuron.
    kind
        ``receptor * 4 + msb``: which half-row type the synapse needs (0..7).
    group_bus, group_target
        Source bus and target chip of each group.
    half_rows
        Shape ``(n_groups, 8)``: half-rows needed per receptor and pattern.
    group_ptr
        Synapses are sorted by group; group ``g`` is ``group_ptr[g]:group_ptr[g+1]``.
    slots_per_half_row
        ``neuron_size / 4``.
    """

    proj: np.ndarray
    idx: np.ndarray
    group: np.ndarray
    post: np.ndarray
    kind: np.ndarray
    group_bus: np.ndarray
    group_target: np.ndarray
    half_rows: np.ndarray
    slots_per_half_row: float
    group_ptr: np.ndarray

    @property
    def drivers_needed(self) -> np.ndarray:
        """Drivers each group needs: two half-rows per row, two rows per driver."""
        h = self.half_rows.reshape(-1, N_RECEPTORS, N_PATTERNS).sum(axis=2)
        rows = np.ceil(h / 2).sum(axis=1)
        return np.ceil(rows / 2).astype(np.int64)

    def demand(self, group: int) -> tuple[np.ndarray, np.ndarray]:
        """Return (synapse positions, demand matrix neuron × kind) of one group."""
        pos = np.arange(self.group_ptr[group], self.group_ptr[group + 1])
        _, neuron = np.unique(self.post[pos], return_inverse=True)
        d = np.zeros(
            (neuron.max() + 1 if pos.size else 0, 2 * N_PATTERNS), dtype=np.int64
        )
        np.add.at(d, (neuron, self.kind[pos]), 1)
        return pos, d


def build_synapse_table(
    network: Network, placement: Placement, buses: SourceBuses
) -> SynapseTable:
    """Collect the synapses whose pre has a bus and whose post is placed."""
    parts: dict[str, list[np.ndarray]] = {
        k: [] for k in ("proj", "idx", "bus", "target", "post", "kind")
    }
    for k, proj in enumerate(network.projections):
        bus = buses.bus[proj.pre][proj.pre_idx]
        target = placement.hicann[proj.post][proj.post_idx]
        ok = (bus >= 0) & (target >= 0)
        msb = buses.address[proj.pre][proj.pre_idx][ok] >> 4
        receptor = 0 if proj.receptor == "excitatory" else 1
        parts["proj"].append(np.full(int(ok.sum()), k))
        parts["idx"].append(np.flatnonzero(ok))
        parts["bus"].append(bus[ok])
        parts["target"].append(target[ok])
        parts["post"].append(proj.post_idx[ok] + network.offset(proj.post))
        parts["kind"].append(receptor * N_PATTERNS + msb)
    cat = {
        k: np.concatenate(v) if v else np.zeros(0, np.int64) for k, v in parts.items()
    }
    pair = cat["bus"] * 4096 + cat["target"]
    pairs, group = np.unique(pair, return_inverse=True)
    order = np.argsort(group, kind="stable")
    cat = {k: v[order] for k, v in cat.items()}
    group = group[order]
    q = placement.neuron_size / 4
    half_rows = np.zeros((pairs.size, 2 * N_PATTERNS), dtype=np.int64)
    if pair.size:
        width = 2 * N_PATTERNS * (int(cat["post"].max()) + 1)
        key = group * width + cat["post"] * 2 * N_PATTERNS + cat["kind"]
        cells, counts = np.unique(key, return_counts=True)
        np.maximum.at(
            half_rows,
            (cells // width, cells % (2 * N_PATTERNS)),
            np.ceil(counts / q).astype(np.int64),
        )
    return SynapseTable(
        proj=cat["proj"], idx=cat["idx"], group=group, post=cat["post"],
        kind=cat["kind"],
        group_bus=pairs // 4096, group_target=pairs % 4096, half_rows=half_rows,
        slots_per_half_row=q,
        group_ptr=np.searchsorted(group, np.arange(pairs.size + 1)),
    )  # fmt: skip


def fit_half_rows(demand: np.ndarray, n_rows: int, q: float) -> np.ndarray:
    """Choose half-rows per kind for ``n_rows`` rows, keeping most synapses.

    Greedy: repeatedly give one more half-row to the kind (receptor, pattern) that
    gains the most synapses; a receptor's half-rows pair up into rows.

    Parameters
    ----------
    demand
        Neuron × kind matrix of synapse counts.
    n_rows
        Rows available (two per driver).
    q
        Slots per neuron per half-row.

    Returns
    -------
    numpy.ndarray
        Half-rows per kind, shape ``(8,)``.

    Examples
    --------
    >>> fit_half_rows(np.array([[4, 0, 0, 0, 1, 0, 0, 0]]), n_rows=1, q=2.0)
    array([2, 0, 0, 0, 0, 0, 0, 0])
    """
    h = np.zeros(demand.shape[1], dtype=np.int64)

    def kept(kind: int, count: int) -> int:
        return int(np.minimum(demand[:, kind], np.floor(count * q)).sum())

    while True:
        rows_used = sum(int(np.ceil(h[r * 4 : r * 4 + 4].sum() / 2)) for r in range(2))
        best, best_gain = -1, 0
        for kind in range(demand.shape[1]):
            r = kind // N_PATTERNS
            needs_row = h[r * 4 : r * 4 + 4].sum() % 2 == 0
            if needs_row and rows_used >= n_rows:
                continue
            gain = kept(kind, h[kind] + 1) - kept(kind, h[kind])
            if gain > best_gain:
                best, best_gain = kind, gain
        if best < 0:
            return h
        h[best] += 1
