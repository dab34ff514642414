"""``WaferSpec``: the static resource counts and capacities of one BSS-1 wafer."""

from __future__ import annotations

from dataclasses import dataclass, fields

from twin.errors import WaferSpecError
from twin.wafer.coords import N_HICANNS, N_RETICLES
from twin.wafer.l1 import N_HLINES, N_VLINES, USABLE_L1_ADDRESSES
from twin.wafer.neurons import N_DENMEMS, N_DNC_MERGERS, N_NEURON_BLOCKS
from twin.wafer.synapse import N_DRIVERS, ROWS_PER_DRIVER

__all__ = ["WaferSpec"]


@dataclass(frozen=True, slots=True, kw_only=True)
class WaferSpec:
    """Resource counts and capacities of one wafer (no defects).

    The defaults are the hardware's (sources in ``twin.wafer`` modules). The layout
    constants (grid, crossbar pattern) are fixed by the hardware; the capacities that
    mapping policy may change (``driver_chain_length``, ``neuron_size``) are fields too.

    Parameters
    ----------
    n_hicanns, n_reticles
        Chips and reticles on the wafer.
    denmems_per_hicann, neuron_blocks_per_hicann
        Neuron circuits and neuron blocks per chip.
    hlines_per_hicann, vlines_per_hicann
        L1 lines per chip.
    drivers_per_hicann, rows_per_driver
        Synapse drivers per chip and synapse rows each drives.
    synapse_columns
        Columns per synapse array (one per denmem of a row).
    dnc_mergers_per_hicann
        Merger-tree outputs (each drives one sending repeater / L2 link).
    usable_l1_addresses
        Neuron addresses per source bus (64 minus 5 reserved).
    drivers_per_vline_side
        Drivers a VLine reaches on its own chip (and as many on the neighbour).
    driver_chain_length
        Maximum number of adjacent drivers sharing one L1 input (marocco default 3).

    Raises
    ------
    WaferSpecError
        If a field is not a positive integer, ``usable_l1_addresses`` exceeds 59,
        ``denmems_per_hicann`` is not twice ``synapse_columns``, or
        ``driver_chain_length`` is outside 1..56.
    """

    n_hicanns: int = N_HICANNS
    n_reticles: int = N_RETICLES
    denmems_per_hicann: int = N_DENMEMS
    neuron_blocks_per_hicann: int = N_NEURON_BLOCKS
    hlines_per_hicann: int = N_HLINES
    vlines_per_hicann: int = N_VLINES
    drivers_per_hicann: int = N_DRIVERS
    rows_per_driver: int = ROWS_PER_DRIVER
    synapse_columns: int = N_DENMEMS // 2
    dnc_mergers_per_hicann: int = N_DNC_MERGERS
    usable_l1_addresses: int = len(USABLE_L1_ADDRESSES)
    drivers_per_vline_side: int = 14
    driver_chain_length: int = 3

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, int) or value <= 0:
                raise WaferSpecError(
                    f"WaferSpec.{f.name} = {value!r}; must be a positive integer"
                )
        if self.usable_l1_addresses > 64 - 5:
            raise WaferSpecError(
                f"usable_l1_addresses = {self.usable_l1_addresses}; at most 59 of the "
                "64 L1 addresses are usable (0 and 4 disabling addresses are reserved)"
            )
        if self.denmems_per_hicann != 2 * self.synapse_columns:
            raise WaferSpecError(
                "denmems_per_hicann must be 2 × synapse_columns (two rows of denmems)"
            )
        if not 1 <= self.driver_chain_length <= 56:
            raise WaferSpecError(
                f"driver_chain_length = {self.driver_chain_length}; must be in 1..56 "
                "(a chain cannot leave its quadrant)"
            )

    @property
    def synapses_per_hicann(self) -> int:
        """Synapses per chip: rows × columns of both arrays (114,688)."""
        return self.drivers_per_hicann * self.rows_per_driver * self.synapse_columns

    @property
    def denmems(self) -> int:
        """Neuron circuits on the whole wafer (196,608)."""
        return self.n_hicanns * self.denmems_per_hicann

    def max_neurons_per_hicann(self, neuron_size: int) -> int:
        """Logical neurons per chip for a neuron size (also bounded per source bus).

        Examples
        --------
        >>> WaferSpec().max_neurons_per_hicann(8)
        64
        """
        return self.denmems_per_hicann // neuron_size

    def fan_in(self, neuron_size: int) -> int:
        """Synapses available to one logical neuron: its columns × rows per array.

        Examples
        --------
        >>> WaferSpec().fan_in(4)
        896
        """
        return neuron_size * self.drivers_per_hicann
