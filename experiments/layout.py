"""The Brunel network at a fidelity tier, and the seed's recording layouts.

The tiers themselves are the pipelines of :mod:`twin.tiers`; this module decides what
the Brunel workload requests at each and what it records:

- ``ideal`` and ``mapped`` request the model network (with the model's parameter and
  weight spreads, as NEST runs it);
- ``hardware`` requests what the wafer is given — the model's *mean* parameters and
  weights (the wafer supplies its own variation);
- the layout (all neurons, or the first 30 excitatory neurons isolated one per chip)
  sets the mapping's isolation and the recorded neurons.

Every tier is built at g = 1 and eta = 1; the sweep scales inhibitory weights and input
rates per point inside the batched emulator. (For the hardware tier this quantises the
inhibitory weights once, at g = 1, and scales the realised values: the 4-bit rounding
error of a point is the same relative error as at g = 1.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from experiments.brunel import BrunelConfig, build_network
from experiments.mapjob import MapRequest, brunel_mapping_config
from twin.errors import ConfigError
from twin.hardware import HardwareConfig, HardwareReport, WaferSites
from twin.network import Network
from twin.routing import WaferMapping
from twin.tiers import Fidelity, Realised, Tier, realise
from twin.wafer import Wafer

__all__ = [
    "ISOLATED",
    "LAYOUTS",
    "TierNetwork",
    "layout_of",
    "recorded_neurons",
    "tier_network",
]

#: Neurons isolated on their own chips in the "30" layout (the seed's choice).
ISOLATED = 30
#: The recording layouts: every neuron, or the ISOLATED first excitatory neurons.
LAYOUTS = ("all", "30")


def layout_of(g: float, eta: float) -> str:
    """Return the layout: all neurons if g >= 7 and eta <= 1.2, else 30 isolated."""
    return "all" if g >= 7 and eta <= 1.2 else "30"


@dataclass(frozen=True, slots=True, eq=False)
class TierNetwork:
    """The network the emulator runs for one (tier, layout, seed).

    Attributes
    ----------
    layout
        Recording layout.
    recorded
        Global ids the layout records and analyses.
    realised
        The tier's pipeline applied to the requested network (g = 1, eta = 1).
    """

    layout: str
    recorded: np.ndarray
    realised: Realised

    @property
    def fidelity(self) -> Fidelity:
        """The tier's pipeline."""
        return self.realised.tier.fidelity

    @property
    def network(self) -> Network:
        """What to simulate."""
        return self.realised.network

    @property
    def mapping(self) -> WaferMapping | None:
        """The wafer mapping (``None`` for ``ideal``)."""
        return self.realised.mapping

    @property
    def sites(self) -> WaferSites | None:
        """Placement facts for the bandwidth limits (``None`` for ``ideal``)."""
        return self.realised.sites

    @property
    def hardware(self) -> HardwareConfig | None:
        """The analog settings (hardware tiers only)."""
        return self.realised.hardware

    @property
    def report(self) -> HardwareReport | None:
        """What the analog transforms changed (hardware tiers only)."""
        return self.realised.report

    @property
    def synapse_loss(self) -> float:
        """Fraction of requested synapses the mapping lost (0 for ``ideal``)."""
        return self.realised.synapse_loss


def recorded_neurons(config: BrunelConfig, layout: str) -> np.ndarray:
    """Return the global ids a layout records and analyses."""
    return np.arange(config.n_neurons) if layout == "all" else np.arange(ISOLATED)


def tier_network(
    base: BrunelConfig,
    tier: Tier,
    layout: str,
    *,
    wafer: Wafer | None = None,
    mapping: WaferMapping | None = None,
) -> TierNetwork:
    """Build the network of one (tier, layout) for the realisation ``base.seed``.

    ``mapping``, if given, is reused (it must map this tier's requested network).

    Raises
    ------
    ConfigError
        If ``layout`` is unknown, the network of ``base`` cannot be drawn (see
        :func:`experiments.brunel.build_network`), or the hardware tier's capacitor
        or speed mode is unknown.
    NetworkError
        If the built network is invalid (e.g. a delay shorter than ``base.dt``), or
        the hardware transforms give a neuron parameters outside its cell type's
        bounds.
    PlacementError
        If no ``mapping`` is given and ``wafer`` cannot hold a single neuron, or the
        ``"30"`` layout isolates more excitatory neurons than the network has.
    """
    if layout not in LAYOUTS:
        raise ConfigError(f"unknown layout {layout!r}; use 'all' or '30'")
    reference = base.replace(g=1.0, eta=1.0)
    recorded = recorded_neurons(base, layout)
    requested = (
        reference.replace(variation=False) if tier.fidelity == "hardware" else reference
    )
    request = MapRequest(config=requested, isolate=0 if layout == "all" else ISOLATED)
    realised = realise(
        tier,
        build_network(requested),
        seed=base.seed,
        wafer=wafer,
        mapping_config=brunel_mapping_config(request),
        mapping=mapping,
    )
    return TierNetwork(layout, recorded, realised)
