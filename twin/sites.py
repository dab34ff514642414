"""The placement facts of a mapped network: where each neuron and source sits.

The bandwidth limits and the wafer's fixed pattern act per chip, neuron block, L1 bus
and FPGA; :func:`wafer_sites` reads those of every neuron (in the network's global
order) and source off a :class:`twin.routing.WaferMapping`.
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np

from twin.hardware.realise import WaferSites
from twin.hardware.variation import NeuronSites
from twin.routing import WaferMapping
from twin.wafer import HICANNOnWafer
from twin.wafer.coords import N_HICANNS
from twin.wafer.neurons import chip_of_bus

__all__ = ["wafer_sites"]


def wafer_sites(mapping: WaferMapping) -> WaferSites:
    """Collect the placement facts of a mapping in global neuron order.

    Parameters
    ----------
    mapping
        A mapping of a network on the wafer.

    Returns
    -------
    twin.hardware.realise.WaferSites
        Each neuron's chip and column, each neuron's L1 bus, each source's chip and
        the FPGA of every chip.
    """
    net = mapping.network
    names = [p.name for p in net.populations]
    hicann = np.concatenate([mapping.placement.hicann[n] for n in names])
    column = np.concatenate([mapping.placement.column[n] for n in names])
    bus = np.concatenate([mapping.buses.bus[n] for n in names])
    source_chip = {
        s.name: np.where(
            mapping.buses.bus[s.name] >= 0, chip_of_bus(mapping.buses.bus[s.name]), -1
        )
        for s in net.sources
    }
    fpga = np.array([HICANNOnWafer.from_enum(e).fpga for e in range(N_HICANNS)])
    return WaferSites(
        NeuronSites(hicann, column), bus, MappingProxyType(source_chip), fpga
    )
