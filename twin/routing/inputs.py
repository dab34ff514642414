"""Input placement: external spike sources onto free DNC mergers near their targets.

External events enter a chip from its FPGA through a DNC merger's high-speed link and
leave on that merger's sending repeater, like a neuron bus. Sources are placed in
descending order of rate, each on the nearest chip (to the mean position of its target
chips) whose reticle has working L2 links, which still has a free DNC merger address,
and whose chip and FPGA input budgets (the limits × the utilisation, 0.8 by default)
hold the source's rate × the speed-up. A source that fits nowhere loses all its
synapses (``NO_INPUT_BANDWIDTH``). [marocco InputPlacement]

Unless ``MappingConfig.inputs_on_neuron_chips`` is set, chips that hold neurons are
used for input only when no other chip has room: for the seed network this lowers the
synapse loss from 8.5 % to 5.4 % (perfect wafer, input planned at eta 0.8, at most 48
neurons per chip).
"""

from __future__ import annotations

import numpy as np

from twin.network import Network, PoissonSource, SpikeSource
from twin.routing.buses import SourceBuses
from twin.routing.config import MappingConfig
from twin.routing.loss import LossReason
from twin.routing.place import Placement
from twin.wafer.coords import HICANNS
from twin.wafer.l1 import USABLE_L1_ADDRESSES
from twin.wafer.neurons import N_DNC_MERGERS, bus_id
from twin.wafer.wafer import Wafer

__all__ = ["place_inputs", "source_rates"]

_XY = np.array([(h.x, h.y) for h in HICANNS], dtype=float)


def source_rates(source: SpikeSource) -> np.ndarray:
    """Return the mean rate (Hz) of each neuron of a source.

    Poisson sources give their rate; spike-time sources their spike count over the
    time of their last spike (at least 1 ms).
    """
    if isinstance(source, PoissonSource):
        return np.asarray(source.rate, dtype=float)
    return np.array(
        [
            t.size / max(float(t[-1]) if t.size else 1.0, 1.0) * 1e3
            for t in source.spike_times
        ]
    )


def _target_centroids(network: Network, placement: Placement, name: str) -> np.ndarray:
    """Mean (x, y) of the target chips of each neuron of source ``name`` (NaN: none)."""
    size = network.size_of(name)
    total = np.zeros((size, 2))
    count = np.zeros(size)
    for proj in network.projections_from(name):
        chips = placement.hicann[proj.post][proj.post_idx]
        ok = chips >= 0
        np.add.at(total, proj.pre_idx[ok], _XY[chips[ok]])
        np.add.at(count, proj.pre_idx[ok], 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return total / count[:, None]


class _Budget:
    """Mutable bookkeeping of free mergers and input rates during placement (local)."""

    def __init__(self, wafer: Wafer, taken: set[int], config: MappingConfig) -> None:
        bw = config.bandwidth
        self.chip_cap = bw.planned_bio("input_per_hicann")
        self.fpga_cap = bw.planned_bio("input_per_fpga")
        self.chip_rate = np.zeros(len(HICANNS))
        self.fpga_rate = np.zeros(48)
        self.open: dict[int, int] = {}  # chip -> bus currently being filled
        self.fill: dict[int, int] = {}  # bus -> addresses used
        self.free: dict[int, list[int]] = {}
        for chip in wafer.usable_hicanns():
            if not wafer.has_highspeed(chip):
                continue
            broken = wafer.defects.on_hicann("dnc_mergers", chip.enum)
            self.free[chip.enum] = [
                bus_id(chip.enum, m) for m in range(N_DNC_MERGERS)
                if m not in broken and bus_id(chip.enum, m) not in taken
            ]  # fmt: skip

    def take(self, chip: int, rate: float) -> tuple[int, int] | None:
        fpga = HICANNS[chip].fpga
        if (
            self.chip_rate[chip] + rate > self.chip_cap
            or self.fpga_rate[fpga] + rate > self.fpga_cap
        ):
            return None
        bus = self.open.get(chip)
        if bus is None or self.fill[bus] >= len(USABLE_L1_ADDRESSES):
            if not self.free.get(chip):
                return None
            bus = self.free[chip].pop(0)
            self.open[chip], self.fill[bus] = bus, 0
        address = USABLE_L1_ADDRESSES[self.fill[bus]]
        self.fill[bus] += 1
        self.chip_rate[chip] += rate
        self.fpga_rate[fpga] += rate
        return bus, address


def place_inputs(
    network: Network,
    placement: Placement,
    neuron_buses: SourceBuses,
    wafer: Wafer,
    config: MappingConfig,
) -> SourceBuses:
    """Place every spike source neuron on a free DNC merger.

    Parameters
    ----------
    network
        Its ``sources`` are placed.
    placement
        Neuron placement (targets' chips give each source's preferred position).
    neuron_buses
        Buses already used by neurons (not available for input).
    wafer
        Usable chips, L2 links and defective mergers.
    config
        Bandwidth limits, utilisation and ``input_rate_scale``.

    Returns
    -------
    SourceBuses
        Bus and address of each source neuron, with ``NO_INPUT_BANDWIDTH`` losses.

    Raises
    ------
    WaferSpecError
        If ``config.bandwidth`` has no ``input_per_hicann`` or ``input_per_fpga``
        limit.
    """
    budget = _Budget(wafer, set(neuron_buses.used_buses()), config)
    candidates = np.array(sorted(budget.free), dtype=np.int64)
    holds_neurons = np.isin(candidates, placement.used_hicanns())
    if config.inputs_on_neuron_chips:
        holds_neurons[:] = False
    entries = []
    for source in network.sources:
        rates = source_rates(source) * config.input_rate_scale
        centroids = _target_centroids(network, placement, source.name)
        entries += [
            (-rates[i], source.name, i, rates[i], centroids[i])
            for i in range(source.size)
        ]
    entries.sort(key=lambda e: (e[0], e[1], e[2]))
    bus = {s.name: np.full(s.size, -1, dtype=np.int64) for s in network.sources}
    address = {s.name: np.full(s.size, -1, dtype=np.int64) for s in network.sources}
    order_cache: dict[tuple[float, float], np.ndarray] = {}
    for _, name, i, rate, centre in entries:
        if np.isnan(centre[0]) or candidates.size == 0:
            continue  # no targets: nothing to route
        key = (round(float(centre[0]), 1), round(float(centre[1]), 1))
        if key not in order_cache:
            dist = np.hypot(*(_XY[candidates] - np.array(key)).T)
            order_cache[key] = candidates[np.lexsort((candidates, dist, holds_neurons))]
        for chip in order_cache[key]:
            slot = budget.take(int(chip), float(rate))
            if slot is not None:
                bus[name][i], address[name][i] = slot
                break
    return SourceBuses.assigned(
        network, placement, bus, address, LossReason.NO_INPUT_BANDWIDTH
    )
