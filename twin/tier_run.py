"""One tier run: realise a network at its tiers, emulate it, apply the links, count.

:func:`run_tiers` is the one place the twin's central piece of work is composed:

1. **realise** each requested network at its tier (:func:`twin.tiers.realise`:
   nothing, the wafer mapping, or the mapping and the hardware effects), unless the
   request brings a realisation made before (a session's cache);
2. **stages**: the in-run rate limits of each realisation (priority encoders, then
   DNC mergers, :func:`twin.hardware.spike_stages`), the group ids of copy ``k``
   shifted so the copies' groups stay apart;
3. **emulate** the tiers' networks as stacked copies, sharing their spike sources
   (one tier: the network itself), every variant of the batch in one compiled call
   (:func:`twin.analog.simulate_batch`);
4. **recording link**: cut the recording per tier, keep each copy's own rate-limit
   counts, and on a bandwidth-limited tier apply the recording and external input
   links to the recorded window (:func:`twin.hardware.bandwidth_loss`);
5. **losses**: the lost synapses and every rate-limited resource's offered and
   dropped spikes, per variant and tier.

The experiments' run layer (:mod:`experiments.runs.execute`), the Brunel calibration
(:mod:`experiments.brunel.calibrate`) and the PyNN backend (:mod:`twin.pynn.engine`)
all call it.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import jax.numpy as jnp
import numpy as np

from twin.analog import SimConfig, simulate_batch
from twin.analog.kernel import Resume
from twin.analog.keys import stream_key
from twin.analog.runner import Progress
from twin.analog.store import CompiledStore
from twin.errors import ConfigError
from twin.hardware import bandwidth_loss
from twin.network import PoissonSource
from twin.recording import SpikeRecording
from twin.stack import stack, unstack
from twin.stages import Stage
from twin.streams import seed_sequence
from twin.tier_inputs import RecordingLink, RunVariant, TierRequest, input_loss_label
from twin.tiers import Realised

__all__ = [
    "RecordingLink",
    "RunVariant",
    "TierRequest",
    "TierRun",
    "input_loss_label",
    "run_tiers",
    "stacked_stages",
]


@dataclass(frozen=True, slots=True, eq=False)
class TierRun:
    """The result of :func:`run_tiers`.

    Attributes
    ----------
    realised
        The realisation of each request, in order.
    recordings
        ``recordings[v][k]``: variant ``v`` at request ``k``, with that copy's own
        rate-limit counts, after the recording link where one applies.
    losses
        ``losses[v][k]``: ``synapse_loss`` (fraction of requested synapses the
        mapping lost) and, where the link applies, ``offered_<resource>`` and
        ``dropped_<resource>`` of the recording and input links.
    groups
        ``groups[v][k]``: resource -> group -> ``(offered, dropped)`` of the links
        (empty where the link does not apply).
    final
        The state the run ended in (``keep_final``), leading axis the variants.
    timings
        Wall times, s: the emulator's (``prepare``, ``compile``, ``run``,
        ``decode``), ``emulate`` (the whole emulator call) and ``link``.
    """

    realised: tuple[Realised, ...]
    recordings: tuple[tuple[SpikeRecording, ...], ...]
    losses: tuple[tuple[Mapping[str, float], ...], ...]
    groups: tuple[tuple[Mapping[str, Mapping[int, tuple[int, int]]], ...], ...]
    final: Resume | None
    timings: Mapping[str, float] = field(default_factory=dict)


def stacked_stages(nets: Sequence[Realised]) -> tuple[list[Stage], list[int]]:
    """Return the in-run rate limits of (stacked) tier networks.

    Group ids of copy ``k`` are shifted by the returned ``offsets[k]``, so the copies'
    groups stay apart.

    Parameters
    ----------
    nets
        The realisations, in stacking order.

    Returns
    -------
    stages : list of Stage
        The stages of the stacked network (none if no copy is bandwidth-limited).
    offsets : list of int
        The group id shift of each copy.

    Raises
    ------
    WaferSpecError
        If a copy applies bandwidth limits and its hardware ``limits`` lack
        ``priority_encoder`` or ``dnc_merger``.
    """
    per_copy = [tn.in_run_stages() for tn in nets]
    template = next((st for st in per_copy if st), [])
    span = 1 + max(
        (int(st.group.max(initial=-1)) for copy in per_copy for st in copy), default=0
    )
    offsets = [k * span for k in range(len(nets))]
    stages = []
    for k, proto in enumerate(template):
        groups = []
        for tn, copy, offset in zip(nets, per_copy, offsets, strict=True):
            g = copy[k].group if copy else np.full(tn.network.n_neurons, -1)
            groups.append(np.where(g >= 0, g + offset, -1))
        stages.append(dataclasses.replace(proto, group=np.concatenate(groups)))
    return stages, offsets


def _own_counts(rec: SpikeRecording, lo: int, hi: int) -> SpikeRecording:
    """Keep the rate-limit counts of the groups ``lo <= id < hi`` (one copy's)."""
    counts, counters = {}, dict(rec.counters)
    for name, (ids, offered, dropped) in rec.limit_counts.items():
        mine = (ids >= lo) & (ids < hi)
        counts[name] = np.stack([ids[mine] - lo, offered[mine], dropped[mine]])
        counters[f"offered_{name}"] = int(offered[mine].sum())
        counters[f"dropped_{name}"] = int(dropped[mine].sum())
    return dataclasses.replace(
        rec,
        limit_counts=MappingProxyType(counts),
        counters=MappingProxyType(counters),
    )


def _apply_link(
    rec: SpikeRecording,
    tn: Realised,
    variant: RunVariant,
    link: RecordingLink | None,
    record_from: float,
) -> tuple[SpikeRecording, dict[str, float], dict[str, dict[int, tuple[int, int]]]]:
    """Apply a tier's recording and input links to one recording; count the losses.

    Raises
    ------
    WaferSpecError
        If the tier applies bandwidth limits and its hardware ``limits`` lack
        ``recording_per_hicann``, ``input_per_hicann`` or ``input_per_fpga``.
    """
    counts = {"synapse_loss": tn.synapse_loss}
    if link is None or not tn.bandwidth_limited:
        return rec, counts, {}
    assert tn.sites is not None  # bandwidth_limited
    assert tn.tier.hardware is not None
    sources = {
        s.name: np.asarray(s.rate) * variant.rate_scale
        for s in tn.network.sources
        if isinstance(s, PoissonSource)
    }
    kept, losses = bandwidth_loss(
        rec,
        tn.sites,
        link.recorded,
        sources,
        tn.tier.hardware,  # the tier's limits (bandwidth_limited: not None)
        seed=seed_sequence(input_loss_label(link.stream, tn.tier, variant)),
        stationary=link.stationary,
        record_from=record_from,
    )
    counts |= {f"dropped_{k}": float(v.total_dropped) for k, v in losses.items()}
    counts |= {f"offered_{k}": float(v.total_offered) for k, v in losses.items()}
    groups = {
        k: {u: (n, v.dropped.get(u, 0)) for u, n in v.offered.items()}
        for k, v in losses.items()
    }
    return kept, counts, groups


def run_tiers(
    requests: Sequence[TierRequest],
    config: SimConfig,
    variants: Sequence[RunVariant],
    *,
    links: Sequence[RecordingLink] | None = None,
    v0: np.ndarray | None = None,
    w0: np.ndarray | None = None,
    resume: Resume | None = None,
    keep_final: bool = False,
    capacity_scale: float | None = None,
    store: CompiledStore | None = None,
    progress: Progress | None = None,
) -> TierRun:
    """Realise, emulate and count one network at one or more tiers, for variants.

    Parameters
    ----------
    requests
        The network at each tier (several: run as stacked copies sharing their
        spike sources, which must then be identical).
    config
        Run settings (the same for every tier).
    variants
        The batch's variants (Poisson stream, inhibitory and rate scales).
    links
        Per variant, the recording and input links to apply after the run on
        bandwidth-limited tiers (``None``: none here; the PyNN backend applies them
        over a session's runs, :mod:`twin.pynn.losses`).
    v0, w0
        Initial membrane potential (mV) and adaptation current (nA) of every
        neuron of the stacked network, shape ``(n_neurons,)``.
    resume
        The state a run of the same network ended in, to continue from.
    keep_final
        Keep the final state (:attr:`TierRun.final`).
    capacity_scale
        The largest rate scale the Poisson capacity is sized for (a buffer size
        only; see :func:`twin.analog.simulate_batch`).
    store
        Compiled emulator programs to reuse and add to.
    progress
        Told the fraction of the run's simulated time done.

    Returns
    -------
    TierRun
        Realisations, recordings, losses and link groups per variant and tier, the
        final state and the timings.

    Raises
    ------
    PlacementError, RoutingError, MappingLossError, NetworkError
        If a request cannot be realised (:func:`twin.tiers.realise`).
    WaferSpecError
        If a bandwidth-limited tier's hardware ``limits`` lack a resource.
    ConfigError, NumericalError
        If a request's tier is a theory tier; else see
        :func:`twin.analog.simulate_batch`.
    ValueError
        If ``links`` is not one link per variant.
    """
    theory = [r.tier.name for r in requests if r.tier.behaviour.theory]
    if theory:
        raise ConfigError(
            f"tier(s) {theory} are computed by mean-field theory, not emulated: run "
            "them with twin.theory.tier.theory_tiers"
        )
    nets = tuple(r.realise() for r in requests)
    networks = [tn.network for tn in nets]
    network = networks[0] if len(nets) == 1 else stack(networks, share_sources=True)
    stages, offsets = stacked_stages(nets)
    start = time.perf_counter()
    batch = simulate_batch(
        network,
        config,
        keys=jnp.stack([stream_key(v.label) for v in variants]),
        g_scale=[v.g_scale for v in variants],
        rate_scale=[v.rate_scale for v in variants],
        weight_scale=[v.weight_scale for v in variants],
        capacity_scale=capacity_scale,
        limits=stages,
        v0=v0,
        w0=w0,
        resume=resume,
        keep_final=keep_final,
        store=store,
        progress=progress,
    )
    emulate = time.perf_counter() - start
    bounds = [*offsets[1:], 2**62]
    recordings, losses, groups = [], [], []
    per_variant = [None] * len(variants) if links is None else links
    for variant, rec, link in zip(variants, batch.recordings, per_variant, strict=True):
        parts = [rec] if len(nets) == 1 else unstack(rec, networks)
        outs = [
            _apply_link(_own_counts(p, lo, hi), tn, variant, link, config.record_from)
            for p, tn, lo, hi in zip(parts, nets, offsets, bounds, strict=True)
        ]
        recordings.append(tuple(o[0] for o in outs))
        losses.append(tuple(MappingProxyType(o[1]) for o in outs))
        groups.append(tuple(MappingProxyType(o[2]) for o in outs))
    timings = dict(batch.timings)
    timings |= {"emulate": emulate, "link": time.perf_counter() - start - emulate}
    return TierRun(
        nets,
        tuple(recordings),
        tuple(losses),
        tuple(groups),
        batch.final,
        MappingProxyType(timings),
    )
