"""``Realised``: a network after a tier's pipeline (:func:`twin.tiers.realise`).

The network to run or describe, with its wafer mapping, placement sites and the
hardware report; it says whether the wafer's rate limits act on its spikes and
gives their in-run stages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from twin.hardware.realise import HardwareReport, WaferSites, spike_stages
from twin.network import Network
from twin.routing import WaferMapping
from twin.stages import Stage

if TYPE_CHECKING:
    from twin.hardware.config import HardwareConfig
    from twin.tiers import Tier

__all__ = ["Realised"]


@dataclass(frozen=True, slots=True, eq=False)
class Realised:
    """A network after a tier's pipeline.

    Attributes
    ----------
    tier
        The tier applied.
    network
        What to simulate.
    mapping
        The wafer mapping (``None`` for ``ideal``).
    sites
        Placement facts for the bandwidth limits (``None`` for ``ideal``).
    hardware
        The analog settings of this realisation (hardware tiers only).
    report
        What the analog transforms changed (hardware tiers only).
    """

    tier: Tier
    network: Network
    mapping: WaferMapping | None = None
    sites: WaferSites | None = None
    hardware: HardwareConfig | None = None
    report: HardwareReport | None = None

    @property
    def synapse_loss(self) -> float:
        """Fraction of requested synapses the mapping lost (0 for ``ideal``)."""
        return 0.0 if self.mapping is None else self.mapping.loss.fraction_lost

    @property
    def bandwidth_limited(self) -> bool:
        """Whether the wafer's rate limits act on this realisation's spikes.

        A mapped network (it has sites) with hardware settings whose tier applies
        the ``bandwidth`` effect: its in-run stages (:meth:`in_run_stages`) and the
        recording and input links after the run.
        """
        placed = self.sites is not None and self.hardware is not None
        return placed and self.tier.bandwidth

    def in_run_stages(self) -> list[Stage]:
        """Return the in-run rate limits: priority encoders, then DNC mergers.

        Returns
        -------
        list of Stage
            The stages (:func:`twin.hardware.spike_stages`); empty unless
            :attr:`bandwidth_limited`.

        Raises
        ------
        WaferSpecError
            If the effect is on and the hardware ``limits`` lack
            ``priority_encoder`` or ``dnc_merger``.
        """
        if not self.bandwidth_limited:
            return []
        assert self.sites is not None and self.hardware is not None  # noqa: PT018
        return spike_stages(self.sites, self.hardware)
