"""Synapse requirements: which synapses each (source bus, target chip) pair must carry.

A synapse from a neuron with L1 address ``a`` onto logical neuron ``n`` needs a synapse
in a row driven by the route's drivers, in one of ``n``'s columns, whose row carries the
synapse's receptor type and whose half-row decoder (per column parity) matches the
address's two most significant bits; the synapse's own decoder matches the four low
bits. A half-row therefore offers each logical neuron of size ``s`` one synapse per
column of that parity: ``s / 4`` slots. For a group (bus, chip) the number of half-rows
of receptor ``r`` and MSB pattern ``p`` is ``ceil(max_n d(n, r, p) / (s / 4))``; rows
hold two half-rows of one receptor, drivers two rows.

Short-term plasticity is set per driver (:mod:`twin.routing.stp_drivers`): a synapse
needs rows of its driver class (static, or STP mode and U_SE capacitor setting), so
half-rows are counted per (class, receptor, pattern) and each class rounds up to
whole drivers: a group needs ``sum_c ceil(rows_c / 2)`` drivers (marocco counts
drivers per STP mode the same way). A network without STP has the one class 0.
[marocco SynapseDriverRequirements, SynapseRouting; halbe RowConfig]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twin.network import Network
from twin.routing.buses import SourceBuses
from twin.routing.place import Placement
from twin.routing.stp_drivers import driver_classes

__all__ = ["SynapseTable", "build_synapse_table", "fit_half_rows"]

N_PATTERNS = 4  # 2-bit driver-decoder patterns
N_RECEPTORS = 2  # excitatory, inhibitory
KINDS_PER_CLASS = N_RECEPTORS * N_PATTERNS  # half-row kinds of one driver class


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
        ``class_index * 8 + receptor * 4 + msb``: which half-row type the synapse
        needs (``0 .. 8 * n_classes - 1``).
    group_bus, group_target
        Source bus and target chip of each group.
    half_rows
        Shape ``(n_groups, 8 * n_classes)``: half-rows needed per class, receptor
        and pattern.
    group_ptr
        Synapses are sorted by group; group ``g`` is ``group_ptr[g]:group_ptr[g+1]``.
    slots_per_half_row
        ``neuron_size / 4``.
    classes
        The driver classes present, ascending (:mod:`twin.routing.stp_drivers`;
        ``[0]`` without STP); ``class_index`` indexes it.
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
    classes: np.ndarray

    @property
    def n_classes(self) -> int:
        """Number of driver classes present."""
        return int(self.classes.size)

    @property
    def drivers_needed(self) -> np.ndarray:
        """Drivers each group needs: two half-rows per row, two rows per driver.

        Rows of different driver classes never share a driver.
        """
        return drivers_per_class(self.half_rows).sum(axis=1)

    @property
    def synapse_class(self) -> np.ndarray:
        """Driver class of each synapse (``classes[kind // 8]``)."""
        return self.classes[self.kind // KINDS_PER_CLASS]

    def demand(self, group: int) -> tuple[np.ndarray, np.ndarray]:
        """Return (synapse positions, demand matrix neuron × kind) of one group."""
        pos = np.arange(self.group_ptr[group], self.group_ptr[group + 1])
        _, neuron = np.unique(self.post[pos], return_inverse=True)
        d = np.zeros(
            (neuron.max() + 1 if pos.size else 0, self.half_rows.shape[1]),
            dtype=np.int64,
        )
        np.add.at(d, (neuron, self.kind[pos]), 1)
        return pos, d


def drivers_per_class(half_rows: np.ndarray) -> np.ndarray:
    """Drivers per class of half-row counts ``(..., 8 * n_classes)``.

    Half-rows of one receptor pair into rows, rows of one class into drivers.

    Returns
    -------
    numpy.ndarray
        Shape ``(..., n_classes)``, int64.

    Examples
    --------
    >>> drivers_per_class(np.array([[3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]]))
    array([[2, 1]])
    """
    n_classes = half_rows.shape[-1] // (N_RECEPTORS * N_PATTERNS)
    shape = (*half_rows.shape[:-1], n_classes, N_RECEPTORS, N_PATTERNS)
    rows = np.ceil(half_rows.reshape(shape).sum(axis=-1) / 2).sum(axis=-1)
    return np.ceil(rows / 2).astype(np.int64)


def build_synapse_table(
    network: Network, placement: Placement, buses: SourceBuses, per_u: bool = True
) -> SynapseTable:
    """Collect the synapses whose pre has a bus and whose post is placed.

    ``per_u``: driver classes separate the U_SE capacitor setting as well as the
    mode (:func:`twin.routing.stp_drivers.driver_classes`).
    """
    parts: dict[str, list[np.ndarray]] = {
        k: [] for k in ("proj", "idx", "bus", "target", "post", "kind")
    }
    cls = [driver_classes(p.stp, p.size, per_u) for p in network.projections]
    classes = np.unique(np.concatenate([np.zeros(0, np.int64), *cls]))
    if classes.size == 0:
        classes = np.zeros(1, dtype=np.int64)
    n_kinds = KINDS_PER_CLASS * classes.size
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
        index = np.searchsorted(classes, cls[k][ok])
        parts["kind"].append(index * KINDS_PER_CLASS + receptor * N_PATTERNS + msb)
    cat = {
        k: np.concatenate(v) if v else np.zeros(0, np.int64) for k, v in parts.items()
    }
    pair = cat["bus"] * 4096 + cat["target"]
    pairs, group = np.unique(pair, return_inverse=True)
    order = np.argsort(group, kind="stable")
    cat = {k: v[order] for k, v in cat.items()}
    group = group[order]
    q = placement.neuron_size / 4
    half_rows = np.zeros((pairs.size, n_kinds), dtype=np.int64)
    if pair.size:
        width = n_kinds * (int(cat["post"].max()) + 1)
        key = group * width + cat["post"] * n_kinds + cat["kind"]
        cells, counts = np.unique(key, return_counts=True)
        np.maximum.at(
            half_rows,
            (cells // width, cells % n_kinds),
            np.ceil(counts / q).astype(np.int64),
        )
    return SynapseTable(
        proj=cat["proj"], idx=cat["idx"], group=group, post=cat["post"],
        kind=cat["kind"],
        group_bus=pairs // 4096, group_target=pairs % 4096, half_rows=half_rows,
        slots_per_half_row=q,
        group_ptr=np.searchsorted(group, np.arange(pairs.size + 1)),
        classes=classes,
    )  # fmt: skip


def fit_half_rows(demand: np.ndarray, n_rows: int, q: float) -> np.ndarray:
    """Choose half-rows per kind for ``n_rows`` rows, keeping most synapses.

    Greedy: repeatedly give one more half-row to the kind (class, receptor, pattern)
    that gains the most synapses (the first such kind on ties); a receptor's
    half-rows pair up into rows, and with several driver classes the rows of each
    class fill whole drivers: at most ``n_rows`` rows and ``ceil(n_rows / 2)``
    drivers in all.

    Parameters
    ----------
    demand
        Neuron × kind matrix of synapse counts, ``8 * n_classes`` kinds.
    n_rows
        Rows available (two per driver).
    q
        Slots per neuron per half-row.

    Returns
    -------
    numpy.ndarray
        Half-rows per kind, shape ``(8 * n_classes,)``.

    Examples
    --------
    >>> fit_half_rows(np.array([[4, 0, 0, 0, 1, 0, 0, 0]]), n_rows=1, q=2.0)
    array([2, 0, 0, 0, 0, 0, 0, 0])
    """
    n_kinds = demand.shape[1]
    h = np.zeros(n_kinds, dtype=np.int64)
    cr = np.arange(n_kinds) // N_PATTERNS  # (class, receptor) of each kind
    cls = np.arange(n_kinds) // KINDS_PER_CLASS
    max_drivers = -(-n_rows // 2)
    while True:
        half = np.bincount(cr, weights=h, minlength=n_kinds // N_PATTERNS)
        rows = -(-half.astype(np.int64) // 2)
        per_class = rows.reshape(-1, N_RECEPTORS).sum(axis=1)
        drivers = -(-per_class // 2)
        new_row = half[cr] % 2 == 0  # one more half-row opens a row
        new_driver = new_row & (per_class[cls] % 2 == 0)
        fits = ~new_row | (
            (rows.sum() < n_rows) & (~new_driver | (drivers.sum() < max_drivers))
        )
        gain = np.minimum(demand, np.floor((h + 1) * q)).sum(axis=0) - np.minimum(
            demand, np.floor(h * q)
        ).sum(axis=0)
        gain = np.where(fits, gain, 0)
        best = int(np.argmax(gain))
        if gain[best] <= 0:
            return h
        h[best] += 1
