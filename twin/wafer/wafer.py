"""``Wafer``: a wafer specification together with its defects."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from twin.errors import WaferSpecError
from twin.wafer.coords import HICANNS, N_HICANNS, HICANNOnWafer
from twin.wafer.defects import Defects
from twin.wafer.neurons import (
    N_NEURON_BLOCKS,
    LogicalNeuronOnHICANN,
    logical_neurons_in_block,
)
from twin.wafer.spec import WaferSpec

__all__ = ["Wafer"]


def _region_enums(hicanns: Iterable[int]) -> frozenset[int]:
    """Return the chip enums of a region; reject ids that name no chip.

    Raises
    ------
    WaferSpecError
        If the list is empty, or an id is not an integer or not in ``0..N_HICANNS-1``.
    """
    ids = list(hicanns)
    if not ids:
        raise WaferSpecError(
            "Wafer.region: no chip given (hicanns = []); list at least one chip enum "
            f"in 0..{N_HICANNS - 1}"
        )
    for enum in ids:
        if isinstance(enum, bool) or not isinstance(enum, int | np.integer):
            raise WaferSpecError(
                f"Wafer.region: chip id {enum!r} is not an integer; give chip enums "
                f"in 0..{N_HICANNS - 1} (HICANNOnWafer.enum)"
            )
        if not 0 <= enum < N_HICANNS:
            raise WaferSpecError(
                f"Wafer.region: chip id {enum} is outside the wafer's chips "
                f"0..{N_HICANNS - 1}; give enums in that range"
            )
    return frozenset(int(enum) for enum in ids)


@dataclass(frozen=True, slots=True, kw_only=True)
class Wafer:
    """One wafer: static spec plus defect map.

    Parameters
    ----------
    spec
        Resource counts and capacities.
    defects
        Unusable components.
    wafer_id
        Label (the seed experiment ran on wafer 30).

    Examples
    --------
    >>> w = Wafer.region([0, 1, 2])
    >>> [h.enum for h in w.usable_hicanns()]
    [0, 1, 2]
    """

    spec: WaferSpec = field(default_factory=WaferSpec)
    defects: Defects = field(default_factory=Defects)
    wafer_id: int = 30

    @classmethod
    def region(
        cls, hicanns: Iterable[int], *, defects: Defects | None = None, **kw: int
    ) -> Wafer:
        """Return a wafer on which only the listed chips (enums) are usable.

        Useful for small tests and for restricting a mapping to part of the wafer.

        Parameters
        ----------
        hicanns
            Enums of the chips to keep (``0 .. N_HICANNS - 1``); at least one.
        defects
            Defects to add (chips outside the region are defective as well).
        **kw
            Other fields of :class:`Wafer`.

        Returns
        -------
        Wafer

        Raises
        ------
        WaferSpecError
            If no chip is listed, or an id is not an integer or outside the wafer's
            chip enums.
        """
        keep = _region_enums(hicanns)
        outside = frozenset(h.enum for h in HICANNS if h.enum not in keep)
        base = defects or Defects()
        return cls(defects=base.union(Defects(hicanns=outside)), **kw)  # type: ignore[arg-type]

    def is_usable(self, hicann: HICANNOnWafer | int) -> bool:
        """Return whether a chip can be used."""
        enum = hicann if isinstance(hicann, int) else hicann.enum
        return self.defects.is_hicann_usable(enum)

    def usable_hicanns(self) -> tuple[HICANNOnWafer, ...]:
        """Usable chips in enum order."""
        return tuple(h for h in HICANNS if self.is_usable(h.enum))

    def has_highspeed(self, hicann: HICANNOnWafer) -> bool:
        """Return whether a chip's reticle has working L2 (input/recording) links."""
        return hicann.fpga not in self.defects.fpgas_without_highspeed

    def logical_neurons(
        self, hicann: HICANNOnWafer, neuron_size: int
    ) -> tuple[LogicalNeuronOnHICANN, ...]:
        """Return the defect-free logical neuron slots of a chip, block by block.

        Raises
        ------
        WaferSpecError
            If the chip is usable and ``neuron_size`` is not an even number in
            2..64.
        """
        if not self.is_usable(hicann):
            return ()
        bad = self.defects.on_hicann("denmems", hicann.enum)
        return tuple(
            n
            for block in range(N_NEURON_BLOCKS)
            for n in logical_neurons_in_block(block, neuron_size, bad)
        )

    def neuron_capacity(self, neuron_size: int) -> int:
        """Total defect-free logical neurons of ``neuron_size`` on the wafer.

        Raises
        ------
        WaferSpecError
            If the wafer has a usable chip and ``neuron_size`` is not an even number
            in 2..64.
        """
        return sum(len(self.logical_neurons(h, neuron_size)) for h in HICANNS)
