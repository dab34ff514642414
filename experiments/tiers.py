"""The Brunel network at a fidelity tier: what the emulator runs for each layout.

- ``ideal``: the model network (with the model's parameter and weight spreads, as NEST
  runs it).
- ``mapped``: that network mapped onto the wafer with the layout's rule (all neurons,
  or the first 30 excitatory neurons isolated one per chip) and realised: lost synapses
  removed, delays from route length.
- ``hardware``: what the wafer is given — the model's *mean* parameters and weights (the
  wafer supplies its own variation) — mapped, realised, then the analog transforms of
  :func:`twin.analog.hardware.realise_hardware`; the bandwidth losses act after the run.

Every tier is built at g = 1 and eta = 1; the sweep scales inhibitory weights and input
rates per point inside the batched emulator. (For the hardware tier this quantises the
inhibitory weights once, at g = 1, and scales the realised values: the 4-bit rounding
error of a point is the same relative error as at g = 1.)
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from experiments.brunel import BrunelConfig, build_network
from experiments.mapjob import MapRequest, brunel_mapping_config
from twin.analog.hardware import (
    HardwareConfig,
    HardwareReport,
    WaferSites,
    realise_hardware,
)
from twin.analog.tiers import FIDELITIES, Fidelity
from twin.analog.variation import NeuronSites
from twin.errors import ConfigError
from twin.network import Network
from twin.routing import WaferMapping, map_network
from twin.wafer import HICANNOnWafer, Wafer

__all__ = [
    "ISOLATED",
    "TierNetwork",
    "layout_of",
    "recorded_neurons",
    "tier_network",
    "wafer_sites",
]

#: Neurons isolated on their own chips in the "30" layout (the seed's choice).
ISOLATED = 30


def layout_of(g: float, eta: float) -> str:
    """Return the layout: all neurons if g >= 7 and eta <= 1.2, else 30 isolated."""
    return "all" if g >= 7 and eta <= 1.2 else "30"


@dataclass(frozen=True, slots=True, eq=False)
class TierNetwork:
    """The network the emulator runs for one (tier, layout, seed).

    Attributes
    ----------
    fidelity, layout
        Tier and recording layout.
    network
        What to simulate (g = 1, eta = 1).
    recorded
        Global ids the layout records and analyses.
    mapping
        The wafer mapping (``None`` for ``ideal``).
    sites
        Placement facts for the bandwidth limits (``None`` for ``ideal``).
    hardware
        The analog settings (``hardware`` tier only).
    report
        What the analog transforms changed (``hardware`` tier only).
    """

    fidelity: Fidelity
    layout: str
    network: Network
    recorded: np.ndarray
    mapping: WaferMapping | None = None
    sites: WaferSites | None = None
    hardware: HardwareConfig | None = None
    report: HardwareReport | None = None

    @property
    def synapse_loss(self) -> float:
        """Fraction of requested synapses the mapping lost (0 for ``ideal``)."""
        return 0.0 if self.mapping is None else self.mapping.loss.fraction_lost


def wafer_sites(mapping: WaferMapping) -> WaferSites:
    """Collect the placement facts of a mapping in global neuron order."""
    net = mapping.network
    names = [p.name for p in net.populations]
    hicann = np.concatenate([mapping.placement.hicann[n] for n in names])
    column = np.concatenate([mapping.placement.column[n] for n in names])
    bus = np.concatenate([mapping.buses.bus[n] for n in names])
    source_chip = {
        s.name: np.where(
            mapping.buses.bus[s.name] >= 0, mapping.buses.bus[s.name] // 8, -1
        )
        for s in net.sources
    }
    fpga = np.array([HICANNOnWafer.from_enum(e).fpga for e in range(384)])
    return WaferSites(
        NeuronSites(hicann, column), bus, MappingProxyType(source_chip), fpga
    )


def recorded_neurons(config: BrunelConfig, layout: str) -> np.ndarray:
    """Return the global ids a layout records and analyses."""
    return np.arange(config.n_neurons) if layout == "all" else np.arange(ISOLATED)


def tier_network(
    base: BrunelConfig,
    fidelity: Fidelity,
    layout: str,
    *,
    wafer: Wafer | None = None,
    hardware: HardwareConfig | None = None,
    mapping: WaferMapping | None = None,
) -> TierNetwork:
    """Build the network of one (tier, layout) for the realisation ``base.seed``.

    ``mapping``, if given, is reused (it must map this tier's requested network).

    Raises
    ------
    ConfigError
        If ``fidelity`` or ``layout`` is unknown, the network of ``base`` cannot be
        drawn (see :func:`experiments.brunel.build_network`), or the hardware
        tier's capacitor or speed mode is unknown.
    NetworkError
        If the built network is invalid (e.g. a delay shorter than ``base.dt``), or
        the hardware transforms give a neuron parameters outside its cell type's
        bounds.
    PlacementError
        If no ``mapping`` is given and ``wafer`` cannot hold a single neuron, or the
        ``"30"`` layout isolates more excitatory neurons than the network has.
    """
    if fidelity not in FIDELITIES:
        raise ConfigError(f"unknown fidelity {fidelity!r}; use one of {FIDELITIES}")
    if layout not in ("all", "30"):
        raise ConfigError(f"unknown layout {layout!r}; use 'all' or '30'")
    reference = base.replace(g=1.0, eta=1.0)
    recorded = recorded_neurons(base, layout)
    if fidelity == "ideal":
        return TierNetwork(fidelity, layout, build_network(reference), recorded)
    requested = (
        reference if fidelity == "mapped" else reference.replace(variation=False)
    )
    network = build_network(requested)
    request = MapRequest(config=requested, isolate=0 if layout == "all" else ISOLATED)
    if mapping is None:
        mapping = map_network(
            network,
            wafer or Wafer(),
            config=brunel_mapping_config(request),
            seed=base.seed,
        )
    realised = mapping.realised_network(seed=base.seed)
    sites = wafer_sites(mapping)
    if fidelity == "mapped":
        return TierNetwork(fidelity, layout, realised, recorded, mapping, sites)
    hw = (hardware or HardwareConfig()).for_realisation(base.seed)
    net, report = realise_hardware(realised, sites.sites, hw, seed=base.seed)
    return TierNetwork(fidelity, layout, net, recorded, mapping, sites, hw, report)
