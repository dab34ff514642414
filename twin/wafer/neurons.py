"""Neuron circuits of a HICANN: denmems, blocks, logical neurons, mergers.

A chip has 512 denmems in 2 rows of 256 (enum ``x + 256 y``), grouped into 8 neuron
blocks of 32 columns. A logical neuron of even size ``s`` (2..64) is a rectangle of
``s / 2`` adjacent columns × both rows inside one block. Each block's spikes enter the
merger tree; the tree's outputs are the 8 DNC mergers, each of which drives one sending
repeater. [halco ``neuron.h``, ``merger*onhicann.h``; marocco ``LogicalNeuron.cpp``]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, TypeVar

import numpy as np

from twin.errors import WaferSpecError

__all__ = [
    "COLUMNS_PER_BLOCK",
    "DNC_MERGER_BLOCKS",
    "N_DENMEMS",
    "N_DNC_MERGERS",
    "N_NEURON_BLOCKS",
    "DenmemOnHICANN",
    "LogicalNeuronOnHICANN",
    "block_of_column",
    "bus_id",
    "check_neuron_size",
    "chip_of_bus",
    "logical_neurons_in_block",
]

N_DENMEMS: Final = 512
N_COLUMNS: Final = 256
N_NEURON_BLOCKS: Final = 8
COLUMNS_PER_BLOCK: Final = N_COLUMNS // N_NEURON_BLOCKS
N_DNC_MERGERS: Final = 8

#: Neuron blocks whose spikes can reach each DNC merger through the merger tree:
#: DNC0<-M0(0), DNC1<-M1(0), DNC2<-M0(2), DNC3<-M3, DNC4<-M0(4), DNC5<-M2(1),
#: DNC6<-M1(3), DNC7<-M0(7). [halco merger tree, marocco MergerTreeGraph]
DNC_MERGER_BLOCKS: Final = (
    frozenset({0}),
    frozenset({0, 1}),
    frozenset({2}),
    frozenset(range(8)),
    frozenset({4}),
    frozenset({4, 5, 6, 7}),
    frozenset({6, 7}),
    frozenset({7}),
)


_Int = TypeVar("_Int", int, np.ndarray)


def bus_id(chip: _Int, index: _Int | int) -> _Int:
    """Return the wafer-wide id of a DNC merger or neuron block: ``8 chip + index``.

    The one encoding of source buses (a DNC merger of a chip) and of neuron blocks
    (the priority encoder of a block) as single integers; both have 8 per chip.
    Works element-wise on integer arrays.

    Parameters
    ----------
    chip
        Chip enum 0..383 (or an array of them).
    index
        DNC merger or neuron block 0..7 (or an array of them).

    Returns
    -------
    int or numpy.ndarray
        ``N_DNC_MERGERS * chip + index``.

    Examples
    --------
    >>> bus_id(2, 3), chip_of_bus(19)
    (19, 2)
    """
    return N_DNC_MERGERS * chip + index


def chip_of_bus(bus: _Int) -> _Int:
    """Return the chip enum of a bus or block id made by `bus_id` (inverse of it).

    Parameters
    ----------
    bus
        Id ``8 chip + index`` (or an array of them).

    Returns
    -------
    int or numpy.ndarray
        ``bus // 8``.
    """
    return bus // N_DNC_MERGERS


def block_of_column(column: _Int) -> _Int:
    """Return the neuron block (0..7) of denmem column ``column`` (32 columns a block).

    Examples
    --------
    >>> block_of_column(31), block_of_column(32)
    (0, 1)
    """
    return column // COLUMNS_PER_BLOCK


@dataclass(frozen=True, slots=True, order=True)
class DenmemOnHICANN:
    """One denmem (neuron circuit) of a chip: column ``x`` 0..255, row ``y`` 0..1.

    Raises
    ------
    WaferSpecError
        If ``x`` is outside 0..255 or ``y`` is not 0 or 1.

    Examples
    --------
    >>> DenmemOnHICANN(40, 1).enum, DenmemOnHICANN(40, 1).block
    (296, 1)
    """

    x: int
    y: int

    def __post_init__(self) -> None:
        if not (0 <= self.x < N_COLUMNS and self.y in (0, 1)):
            raise WaferSpecError(f"no denmem at (x={self.x}, y={self.y})")

    @classmethod
    def from_enum(cls, enum: int) -> DenmemOnHICANN:
        """Return the denmem with enum ``x + 256 y``.

        Raises
        ------
        WaferSpecError
            If ``enum`` is outside 0..511.
        """
        if not 0 <= enum < N_DENMEMS:
            raise WaferSpecError(f"denmem enum {enum} outside 0..{N_DENMEMS - 1}")
        return cls(enum % N_COLUMNS, enum // N_COLUMNS)

    @property
    def enum(self) -> int:
        """Index ``x + 256 y``."""
        return self.x + N_COLUMNS * self.y

    @property
    def block(self) -> int:
        """Neuron block (0..7) holding this denmem."""
        return self.x // COLUMNS_PER_BLOCK


def check_neuron_size(size: int) -> int:
    """Return ``size`` if it is a valid logical-neuron size (even, 2..64).

    Raises
    ------
    WaferSpecError
        If ``size`` is odd or outside 2..64.
    """
    if size % 2 or not 2 <= size <= 2 * COLUMNS_PER_BLOCK:
        raise WaferSpecError(
            f"neuron size {size} is invalid; use an even number of denmems in 2..64 "
            "(a logical neuron must fit in one neuron block)"
        )
    return size


@dataclass(frozen=True, slots=True, order=True)
class LogicalNeuronOnHICANN:
    """A logical neuron: ``size`` denmems, columns ``column .. column + size/2 - 1``.

    Raises
    ------
    WaferSpecError
        If ``size`` is not an even number in 2..64, or the columns leave the chip
        or cross a neuron-block border.

    Examples
    --------
    >>> n = LogicalNeuronOnHICANN(column=8, size=8)
    >>> n.block, [d.enum for d in n.denmems()][:4]
    (0, [8, 264, 9, 265])
    """

    column: int
    size: int

    def __post_init__(self) -> None:
        check_neuron_size(self.size)
        last = self.column + self.size // 2 - 1
        if self.column < 0 or last >= N_COLUMNS:
            raise WaferSpecError(
                f"logical neuron columns {self.column}..{last} off chip"
            )
        if self.column // COLUMNS_PER_BLOCK != last // COLUMNS_PER_BLOCK:
            raise WaferSpecError(
                f"logical neuron columns {self.column}..{last} cross a block border"
            )

    @property
    def block(self) -> int:
        """Neuron block holding this logical neuron."""
        return self.column // COLUMNS_PER_BLOCK

    def denmems(self) -> tuple[DenmemOnHICANN, ...]:
        """Denmems in placement order (column by column, top then bottom)."""
        return tuple(
            DenmemOnHICANN(x, y)
            for x in range(self.column, self.column + self.size // 2)
            for y in (0, 1)
        )


def logical_neurons_in_block(
    block: int, size: int, defective: frozenset[int] = frozenset()
) -> tuple[LogicalNeuronOnHICANN, ...]:
    """Return the logical neurons of ``size`` that fit in a block, avoiding defects.

    Neurons are packed left to right on a grid of ``size / 2`` columns; a slot that
    contains a defective denmem (by enum) is skipped.

    Raises
    ------
    WaferSpecError
        If ``size`` is not an even number in 2..64 or ``block`` is outside 0..7.

    Examples
    --------
    >>> len(logical_neurons_in_block(0, 8))
    8
    >>> len(logical_neurons_in_block(0, 8, defective=frozenset({0, 260})))
    6
    """
    width = check_neuron_size(size) // 2
    first = block * COLUMNS_PER_BLOCK
    slots = (
        LogicalNeuronOnHICANN(column=c, size=size)
        for c in range(first, first + COLUMNS_PER_BLOCK - width + 1, width)
    )
    return tuple(n for n in slots if not any(d.enum in defective for d in n.denmems()))
