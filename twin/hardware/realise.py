"""The ``hardware`` tier: the mapped network as the wafer runs it, a switch per effect.

``realise_hardware`` first applies the mapping software's current stimulus limits (one
stimulated neuron per HICANN, :mod:`twin.hardware.stimuli`; always on), then composes
the pure transforms in the order the wafer applies them:

1. ``parameters`` — clip to the calibrated ranges and quantise to 10-bit floating gates
   (:mod:`twin.hardware.parameters`), and realise short-term plasticity as the synapse
   drivers can (mode per driver, quantised U_SE, one time constant per quadrant:
   :mod:`twin.hardware.stp`);
2. ``variation`` — add the fixed-pattern deviation of each neuron's site and the weight
   spread (:mod:`twin.hardware.variation`);
3. ``weights`` — 4-bit weights with a per-row gmax and stochastic rounding
   (:mod:`twin.hardware.weights`);
4. ``saturation`` — bounded synaptic input conductances (settings in
   :mod:`twin.hardware.saturation`, applied inside the emulator).

The fifth effect, ``bandwidth``, drops spikes: inside the run, the priority encoders
and DNC mergers admit at most their event rate (:func:`spike_stages`,
:mod:`twin.analog.limits`: dropped spikes reach no synapse); after the run, the
recording link of each chip and the external input links (:func:`bandwidth_loss`,
:mod:`twin.hardware.spike_loss`). Switching an effect off returns the network unchanged
by it, so an ablation is the same call with one switch off.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from twin.errors import ConfigError
from twin.hardware.config import EFFECTS, QUEUE_DEPTHS, HardwareConfig
from twin.hardware.parameters import ParameterReport, realise_parameters
from twin.hardware.saturation import Saturation
from twin.hardware.spike_loss import QueueLoss, drop_events, poisson_input_loss
from twin.hardware.stimuli import StimulusReport, limit_stimuli
from twin.hardware.stp import STPReport, STPSites, realise_stp
from twin.hardware.variation import NeuronSites, vary_parameters, vary_weights
from twin.hardware.weights import WeightReport, quantise_weights, weight_scale
from twin.network import Network
from twin.recording import SpikeRecording
from twin.stages import Stage
from twin.wafer.neurons import block_of_column, bus_id
from twin.wafer_cells import check_wafer_cells

__all__ = [
    "EFFECTS",
    "HardwareConfig",
    "HardwareReport",
    "WaferSites",
    "bandwidth_loss",
    "realise_hardware",
    "spike_stages",
]


@dataclass(frozen=True, slots=True)
class WaferSites:
    """Placement facts the hardware tier needs, in global neuron order.

    Attributes
    ----------
    sites
        Chip and first denmem column of every neuron.
    bus
        Source bus (``8 * chip + merger``) of every neuron, -1 if none.
    source_chip
        Source name -> chip of each external source's input link (-1: not placed).
    fpga_of_chip
        FPGA (reticle) of every chip enum.
    """

    sites: NeuronSites
    bus: np.ndarray
    source_chip: MappingProxyType[str, np.ndarray]
    fpga_of_chip: np.ndarray


@dataclass(frozen=True, slots=True)
class HardwareReport:
    """What the hardware transforms changed.

    ``stimuli``: the current stimuli the one-per-HICANN rule discarded (``None``
    without stimuli). ``stp``: the short-term plasticity realisation's counts
    (``None`` when the ``parameters`` effect is off).
    """

    parameters: ParameterReport | None
    weights: MappingProxyType[str, WeightReport]
    stimuli: StimulusReport | None = None
    stp: STPReport | None = None


def _row_ids(network: Network, sites: NeuronSites, pre_index: int) -> list[np.ndarray]:
    """Row proxy per synapse: (target chip, receptor, presynaptic population)."""
    rows = []
    for proj in network.projections:
        chip = sites.hicann[network.offset(proj.post) + proj.post_idx]
        receptor = 0 if proj.receptor == "excitatory" else 1
        rows.append((chip.astype(np.int64) * 2 + receptor) * 64 + pre_index)
        pre_index += 1
    return rows


def _quantise(
    network: Network, sites: NeuronSites, config: HardwareConfig, seed: int
) -> tuple[Network, dict[str, WeightReport]]:
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x4B17]))
    cm = np.concatenate([p.parameters["cm"] for p in network.populations])
    reports, projections = {}, []
    for proj, row in zip(network.projections, _row_ids(network, sites, 0), strict=True):
        scale = weight_scale(
            cm[network.offset(proj.post) + proj.post_idx],
            config.neuron_size,
            config.cap == "big",
        )
        weight, reports[proj.name] = quantise_weights(proj.weight, scale, row, rng)
        projections.append(proj.replace(weight=weight))
    return network.replace(projections=tuple(projections)), reports


def _saturate(network: Network, saturation: Saturation) -> Network:
    populations = tuple(
        dataclasses.replace(
            pop,
            parameters={
                **pop.parameters,
                "g_sat_E": np.full(pop.size, saturation.g_sat_e),
                "g_sat_I": np.full(pop.size, saturation.g_sat_i),
            },
        )
        for pop in network.populations
    )
    return network.replace(populations=populations)


def spike_stages(wafer: WaferSites, config: HardwareConfig) -> list[Stage]:
    """Return the in-run rate limits of the hardware tier: encoders, then mergers.

    Empty when the ``bandwidth`` effect is off.

    Raises
    ------
    WaferSpecError
        If the effect is on and ``config.limits`` has no ``priority_encoder`` or
        ``dnc_merger`` limit.
    """
    if not config.bandwidth:
        return []
    chip = wafer.sites.hicann
    block = np.where(chip >= 0, bus_id(chip, block_of_column(wafer.sites.column)), -1)
    return [
        Stage(name, group, config.limits.bio(name), QUEUE_DEPTHS[name])
        for name, group in (("priority_encoder", block), ("dnc_merger", wafer.bus))
    ]


def realise_hardware(
    network: Network,
    sites: NeuronSites,
    config: HardwareConfig,
    seed: int = 0,
    stp_sites: STPSites | None = None,
) -> tuple[Network, HardwareReport]:
    """Return the network as the wafer runs it (effects 1-4 of the module docstring).

    Parameters
    ----------
    network
        The mapped (realised) network.
    sites
        Where its neurons sit.
    config
        Effects and settings.
    seed
        Seed of the stochastic weight rounding.
    stp_sites
        Driver quadrant and drivers of each synapse (from the mapping,
        :class:`twin.hardware.stp.STPSites`); needed when a projection has
        short-term plasticity.

    Raises
    ------
    ConfigError
        If ``config.parameters`` is on and ``config.cap`` or ``config.speed`` is not
        a known mode, or a projection is plastic and ``stp_sites`` lacks it.
    NetworkError
        If the realised or deviated parameters of a neuron violate a bound of its
        cell type (see :func:`twin.hardware.parameters.realise_parameters` and
        :func:`twin.hardware.variation.vary_parameters`).
    UnsupportedError
        If a current stimulus has more amplitudes than a HICANN's pattern holds
        (:func:`twin.hardware.stimuli.limit_stimuli`, which also discards, with a
        warning, all but one stimulated neuron per HICANN; not a switchable effect),
        or a population's cell type is not one the wafer runs
        (:func:`twin.wafer_cells.check_wafer_cells`).
    """
    check_wafer_cells(network, "the hardware tier")
    network, stimuli = limit_stimuli(network, sites)
    report_params, report_stp = None, None
    if config.parameters:
        network, report_params = realise_parameters(network, config.cap, config.speed)
        network, report_stp = realise_stp(network, stp_sites)
    if config.variation:
        network = vary_parameters(network, sites, config.variation_settings)
        network = vary_weights(network, config.variation_settings)
    weights: dict[str, WeightReport] = {}
    if config.weights:
        network, weights = _quantise(network, sites, config, seed)
    if config.saturation is not None:
        network = _saturate(network, config.saturation)
    if config.inh_scale != 1.0:
        network = network.replace(
            projections=tuple(
                p.replace(weight=p.weight * config.inh_scale)
                if p.receptor == "inhibitory"
                else p
                for p in network.projections
            )
        )
    report = HardwareReport(
        report_params, MappingProxyType(weights), stimuli, report_stp
    )
    return network, report


def bandwidth_loss(
    rec: SpikeRecording,
    wafer: WaferSites,
    recorded: np.ndarray,
    source_rates: MappingProxyType[str, np.ndarray] | dict[str, np.ndarray],
    config: HardwareConfig,
    seed: int | np.random.SeedSequence = 0,
    stationary: bool = True,
    record_from: float = 0.0,
) -> tuple[SpikeRecording, dict[str, QueueLoss]]:
    """Apply the rate limits to a run's recorded window.

    Parameters
    ----------
    rec
        The emulated spikes (all neurons of interest recorded).
    wafer
        Placement facts.
    recorded
        Global ids the wafer records (layout "all": every neuron; else the isolated).
    source_rates
        External source name -> rate of each source (Hz, as run).
    config
        Limits and switch.
    seed
        Seed of the Monte-Carlo input-loss estimate: an integer (tagged for this
        use), or the seed sequence of a labelled stream (:mod:`twin.streams`) so
        that every run draws its own.
    stationary
        The recorded window is part of a long run with buffers in their steady
        state (``True``, the sweep's analysis window), or a run from rest with
        empty buffers (``False``; see :func:`twin.hardware.spike_loss.drop_events`).
    record_from
        Start of the window the links see, ms: the recording link is offered the
        recorded neurons' spikes in ``(record_from, t_stop]`` (earlier ones are
        left out, whatever the recording holds) and the external input links the
        sources' events of that same window, whatever the recorded neurons fired.

    Returns
    -------
    recording
        The spikes the wafer would deliver to the host (recording losses removed;
        only the ``recorded`` neurons).
    losses
        Resource name -> per-group offered and dropped events.

    Raises
    ------
    WaferSpecError
        If ``config.limits`` has no ``recording_per_hicann``, ``input_per_hicann``
        or ``input_per_fpga`` limit.
    ConfigError
        If ``record_from`` is not in ``[0, t_stop)``.
    """
    if not 0.0 <= record_from < rec.t_stop:
        raise ConfigError(
            f"record_from {record_from} ms outside [0, t_stop = {rec.t_stop} ms); "
            "give the start of the window the recording holds"
        )
    lim, depth, dt = config.limits, QUEUE_DEPTHS, rec.dt
    chip = wafer.sites.hicann
    losses = {}
    for name, counts in rec.limit_counts.items():  # the in-run stages (whole run)
        ids, offered, dropped = (np.asarray(x, dtype=np.int64) for x in counts)
        losses[name] = QueueLoss(
            name,
            MappingProxyType(dict(zip(ids.tolist(), offered.tolist(), strict=True))),
            MappingProxyType(
                {int(i): int(d) for i, d in zip(ids, dropped, strict=True) if d}
            ),
        )
    rec_group = np.full(chip.size, -1)
    rec_group[recorded] = chip[recorded]
    mine = np.isin(rec.ids, recorded) & (rec.times > record_from)
    keep, losses["recording_per_hicann"] = drop_events(
        rec.times[mine],
        rec.ids[mine],
        rec_group,
        rate_bio=lim.bio("recording_per_hicann"),
        depth=depth["recording_per_hicann"],
        dt=dt,
        resource="recording_per_hicann",
        stationary=stationary,
    )
    rng = np.random.default_rng(
        seed
        if isinstance(seed, np.random.SeedSequence)
        else np.random.SeedSequence([seed, 0x1A9])
    )
    per_chip = np.zeros(wafer.fpga_of_chip.size)
    for name, rates in source_rates.items():
        c = wafer.source_chip[name]
        np.add.at(per_chip, c[c >= 0], np.asarray(rates)[c >= 0])
    used = np.flatnonzero(per_chip)
    per_fpga = np.bincount(
        wafer.fpga_of_chip[used],
        per_chip[used],
        minlength=int(wafer.fpga_of_chip.max()) + 1,
    )
    for name, rates, ids in (
        ("input_per_hicann", per_chip[used], used),
        ("input_per_fpga", per_fpga, np.arange(per_fpga.size)),
    ):
        loss = poisson_input_loss(
            rates,
            rate_bio=lim.bio(name),
            depth=depth[name],
            dt=dt,
            t_stop=rec.t_stop - record_from,
            rng=rng,
            resource=name,
        )
        losses[name] = QueueLoss(
            name,
            MappingProxyType({int(ids[k]): v for k, v in loss.offered.items() if v}),
            MappingProxyType({int(ids[k]): v for k, v in loss.dropped.items()}),
        )
    kept = dataclasses.replace(
        rec,
        times=rec.times[mine][keep],
        ids=rec.ids[mine][keep],
        counters=MappingProxyType(
            {
                **rec.counters,
                **{f"dropped_{k}": v.total_dropped for k, v in losses.items()},
            }
        ),
    )
    return kept, losses
