"""Neuron placement: each neuron gets a logical neuron of ``neuron_size`` denmems.

Chips are visited in the order of the strategy; inside a chip, defect-free logical
neuron slots are filled block by block. Pinned populations go to their chips only;
isolated neurons each get a chip of their own after the rest is placed. Neurons that
find no slot are unplaced, and all their synapses are lost (``NO_NEURON_CAPACITY``).
[marocco placement/algorithms, ManualPlacement]
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import reverse_cuthill_mckee

from twin.arrays import arrays_equal, readonly
from twin.errors import PlacementError
from twin.network import Network
from twin.routing.config import MappingConfig
from twin.routing.loss import LossReason, LossReport
from twin.wafer.coords import HICANNS, HICANNOnWafer
from twin.wafer.wafer import Wafer

__all__ = ["Placement", "chip_order", "place_neurons"]

_CENTRE = (17.5, 7.5)  # middle of the 36 x 16 grid


@dataclass(frozen=True, slots=True, eq=False)
class Placement:
    """Where every neuron sits.

    Attributes
    ----------
    neuron_size
        Denmems per logical neuron.
    hicann
        Population -> chip enum per neuron (-1: not placed).
    column
        Population -> first denmem column of the neuron's logical neuron (-1).
    loss
        Synapses lost because a neuron could not be placed.
    """

    neuron_size: int
    hicann: Mapping[str, np.ndarray]
    column: Mapping[str, np.ndarray]
    loss: LossReport

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Placement):
            return NotImplemented
        return (
            self.neuron_size == other.neuron_size
            and arrays_equal(self.hicann, other.hicann)
            and arrays_equal(self.column, other.column)
            and self.loss == other.loss
        )

    __hash__ = None  # type: ignore[assignment]

    def used_hicanns(self) -> tuple[int, ...]:
        """Chips holding at least one neuron, ascending."""
        chips = np.concatenate(list(self.hicann.values()))
        return tuple(int(c) for c in np.unique(chips[chips >= 0]))

    def neurons_per_hicann(self) -> dict[int, int]:
        """Chip enum -> number of neurons placed on it."""
        chips = np.concatenate(list(self.hicann.values()))
        ids, counts = np.unique(chips[chips >= 0], return_counts=True)
        return {int(i): int(c) for i, c in zip(ids, counts, strict=True)}


def chip_order(wafer: Wafer, strategy: str) -> tuple[HICANNOnWafer, ...]:
    """Return the usable chips in the order a placement strategy fills them.

    Examples
    --------
    >>> chip_order(Wafer(), "spiral")[0].enum in (173, 174, 209, 210)
    True
    """
    chips = wafer.usable_hicanns()
    if strategy == "enum":
        return chips

    def key(h: HICANNOnWafer) -> tuple[float, float]:
        dx, dy = h.x - _CENTRE[0], h.y - _CENTRE[1]
        return (round(math.hypot(dx, dy), 6), math.atan2(dy, dx))

    return tuple(sorted(chips, key=key))


def _neuron_order(network: Network, strategy: str) -> np.ndarray:
    """Global neuron ids in placement order (connectivity-clustered for "cluster")."""
    n = network.n_neurons
    if strategy != "cluster":
        return np.arange(n)
    rows, cols = [], []
    for proj in network.projections:
        if network.is_source(proj.pre):
            continue
        rows.append(proj.pre_idx + network.offset(proj.pre))
        cols.append(proj.post_idx + network.offset(proj.post))
    if not rows:
        return np.arange(n)
    r, c = np.concatenate(rows), np.concatenate(cols)
    adj = sp.coo_matrix((np.ones(r.size), (r, c)), shape=(n, n)).tocsr()
    return np.asarray(reverse_cuthill_mckee((adj + adj.T).tocsr(), symmetric_mode=True))


def _slots(
    wafer: Wafer, chips: tuple[HICANNOnWafer, ...], size: int, cap: int | None = None
) -> Iterator[tuple[int, int]]:
    for chip in chips:
        for neuron in wafer.logical_neurons(chip, size)[:cap]:
            yield chip.enum, neuron.column


def _population_size(network: Network, pop: str, option: str) -> int:
    """Return the size of population ``pop`` named by a mapping option.

    Raises
    ------
    PlacementError
        If the network has no population called ``pop``.
    """
    sizes = {p.name: p.size for p in network.populations}
    if pop not in sizes:
        raise PlacementError(
            f"MappingConfig.{option}: population {pop!r} is not in the network; "
            f"populations: {sorted(sizes)}"
        )
    return sizes[pop]


def _check_pins(network: Network, wafer: Wafer, config: MappingConfig) -> None:
    """Check that every pin names a population of the network and usable chips.

    Raises
    ------
    PlacementError
        If a pinned population is not in the network or a pinned chip is defective.
    """
    for pop, chips in config.pins:
        _population_size(network, pop, "pins")
        for enum in chips:
            if not 0 <= enum < len(HICANNS) or not wafer.is_usable(enum):
                raise PlacementError(
                    f"population {pop!r} is pinned to HICANN {enum}, which is missing "
                    "or defective; unpin it or remove the defect"
                )


def _check_isolate(network: Network, config: MappingConfig) -> None:
    """Check that every isolated neuron exists in the network.

    Raises
    ------
    PlacementError
        If an isolated neuron's population is not in the network or its index is
        not below the population's size.
    """
    for pop, index in config.isolate:
        size = _population_size(network, pop, "isolate")
        if index >= size:
            raise PlacementError(
                f"MappingConfig.isolate: neuron ({pop!r}, {index}) is outside "
                f"population {pop!r} (indices 0..{size - 1}); isolate at most {size} "
                "of its neurons, with indices below its size"
            )


def _check_capacity(wafer: Wafer, size: int) -> None:
    """Check that the wafer can hold at least one neuron of ``size`` denmems.

    Raises
    ------
    PlacementError
        If the wafer has no usable chip, or no usable chip has a defect-free logical
        neuron of ``size`` denmems (every neuron would be lost).
    """
    usable = wafer.usable_hicanns()
    if not usable:
        raise PlacementError(
            f"the wafer has no usable chip (all {len(HICANNS)} are defective or "
            "outside the region), so no neuron can be placed; map onto a wafer with "
            "usable chips (check the defect map or the Wafer.region chip list)"
        )
    if not any(wafer.logical_neurons(h, size) for h in usable):
        raise PlacementError(
            f"none of the wafer's {len(usable)} usable chips has a defect-free "
            f"logical neuron of {size} denmems, so no neuron can be placed; use a "
            "smaller neuron_size or a wafer with fewer denmem defects"
        )


def place_neurons(network: Network, wafer: Wafer, config: MappingConfig) -> Placement:
    """Place every neuron of ``network`` on ``wafer``.

    Parameters
    ----------
    network
        The network; only its populations are placed (sources: input placement).
    wafer
        Spec and defects; defective chips and denmems are skipped.
    config
        Neuron size, strategy, isolated neurons and pins.

    Returns
    -------
    Placement

    Raises
    ------
    PlacementError
        If the wafer cannot hold a single neuron (no usable chip, or no defect-free
        logical neuron of the size), a pin or an isolated neuron names a population
        the network does not have, an isolated neuron's index is not below its
        population's size, a pin names a defective chip, or the pinned chips cannot
        hold the population.
    """
    _check_capacity(wafer, config.neuron_size)
    _check_pins(network, wafer, config)
    _check_isolate(network, config)
    size = config.neuron_size
    n = network.n_neurons
    chip = np.full(n, -1, dtype=np.int64)
    column = np.full(n, -1, dtype=np.int64)
    pinned_chips = {c for _, chips in config.pins for c in chips}
    for pop, chips in config.pins:
        ids = network.offset(pop) + np.arange(network.population(pop).size)
        pinned = list(_slots(wafer, tuple(HICANNS[c] for c in chips), size))
        if len(pinned) < ids.size:
            raise PlacementError(
                f"population {pop!r} ({ids.size} neurons) does not fit on its pinned "
                f"chips {list(chips)} ({len(pinned)} slots of size {size}); pin more "
                "chips"
            )
        chip[ids] = [s[0] for s in pinned[: ids.size]]
        column[ids] = [s[1] for s in pinned[: ids.size]]
    isolated = np.array(
        [network.offset(pop) + idx for pop, idx in config.isolate], dtype=np.int64
    )
    skip = set(isolated.tolist())
    order = [
        int(i)
        for i in _neuron_order(network, config.strategy)
        if chip[i] < 0 and int(i) not in skip
    ]
    candidates = tuple(
        c for c in chip_order(wafer, config.strategy) if c.enum not in pinned_chips
    )
    slots = _slots(wafer, candidates, size, config.max_neurons_per_hicann)
    used: set[int] = set()
    for gid, (enum, col) in zip(order, slots, strict=False):
        chip[gid], column[gid] = enum, col
        used.add(enum)
    free = (c for c in candidates if c.enum not in used)
    for gid in isolated:
        for c in free:
            first = next(iter(wafer.logical_neurons(c, size)), None)
            if first is not None:
                chip[gid], column[gid] = c.enum, first.column
                break
    return _finish(network, size, chip, column)


def _finish(
    network: Network, size: int, chip: np.ndarray, column: np.ndarray
) -> Placement:
    hicann, col = {}, {}
    for pop in network.populations:
        sl = slice(network.offset(pop.name), network.offset(pop.name) + pop.size)
        hicann[pop.name] = readonly(chip[sl])
        col[pop.name] = readonly(column[sl])
    requested, lost = {}, {}
    for proj in network.projections:
        requested[proj.name] = proj.size
        missing = hicann[proj.post][proj.post_idx] < 0
        if not network.is_source(proj.pre):
            missing |= hicann[proj.pre][proj.pre_idx] < 0
        lost[(proj.name, LossReason.NO_NEURON_CAPACITY)] = int(missing.sum())
    return Placement(
        neuron_size=size,
        hicann=MappingProxyType(hicann),
        column=MappingProxyType(col),
        loss=LossReport.of(requested, lost),
    )
