"""Emulation of a session: build the network, apply the tier, run, keep results.

:func:`emulate` is what ``run`` does, on a frozen :class:`twin.pynn.snapshot.Snapshot`
of the session: its populations and projections as a ``Network``
(:mod:`twin.pynn.build`) run at the fidelity tier of ``setup`` by
:func:`twin.tier_run.run_tiers` (nothing, the wafer mapping, or the mapping and the
hardware effects; then the emulator). The session's :class:`twin.pynn.reuse.Reuse`
keeps realisations, bus graphs and compiled programs for later runs.

Each ``run`` is a *segment*: the first starts from rest (or the initial values), each
later one from the state the previous one ended in (neurons, synaptic input in flight,
rate-limit queues), with the network as it is now — spike times, Poisson rates and
windows, parameters and connections may change between runs, as in NEST. The number and
order of neurons may not; on the mapped and hardware tiers the wafer keeps its mapping
and configuration within a run, so only the spike sources may change there. Each
segment draws its Poisson input from its own stream, labelled by the seed, the trial
(``reset`` calls since ``setup``) and the run's index in the trial
(:func:`run_label`, :mod:`twin.streams`): no two runs of a session share a stream.

On the hardware tier the priority encoders and mergers drop spikes inside the run and
the recording link per chip after it, and the external input links count the source
events each run offered (:mod:`twin.pynn.losses`, from rest over all segments so far):
what the recorder returns is what the wafer would deliver.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from twin.analog import SimConfig
from twin.analog.kernel import Resume
from twin.errors import UnsupportedError
from twin.hardware.readout import check_readout
from twin.network import Network
from twin.pynn.build import Built
from twin.pynn.emulation import Emulation, Segment
from twin.pynn.losses import session_losses
from twin.pynn.reuse import Reuse
from twin.pynn.snapshot import Snapshot
from twin.streams import Label
from twin.tier_run import RunVariant, TierRequest, run_tiers
from twin.tiers import tier_list
from twin.timegrid import TimeGrid
from twin.wafer import Wafer

__all__ = ["POISSON_STREAM", "Emulation", "Segment", "emulate", "run_label"]

#: Name of the stream a session's Poisson sources draw from (:func:`run_label`).
POISSON_STREAM = "twin.pynn.poisson"


def _neurons_of(network: Network) -> list[tuple[str, int]]:
    return [(p.name, p.size) for p in network.populations]


def _request(
    snap: Snapshot, built: Built, previous: Segment | None, reuse: Reuse
) -> TierRequest:
    """Return the run's tier request, with a realisation that may be reused.

    A continued run on the mapped and hardware tiers keeps the previous run's
    realisation with the new spike sources; an equal request made before (a re-run
    script, a reset session) finds its realisation in ``reuse``.

    Raises
    ------
    UnsupportedError
        If a run continues with other neurons or other plastic synapses, or
        (mapped, hardware tiers) with other parameters or connections.
    """
    opts = snap.options
    tier = tier_list([opts.fidelity], hardware=opts.hardware)[0]
    net = built.network
    request = TierRequest(
        tier, net, seed=opts.seed, wafer=opts.wafer, mapping_config=opts.mapping
    )
    if previous is not None:
        before = previous.built.network
        if _neurons_of(net) != _neurons_of(before):
            raise UnsupportedError(
                "populations were created after a run; the twin continues a run "
                "with the same neurons only: call sim.reset() and run again"
            )
        if _plastic_of(net) != _plastic_of(before):
            raise UnsupportedError(
                "TsodyksMarkramSynapse connections were made after a run; the twin "
                "carries the state of the plastic synapses it ran: call sim.reset() "
                "and run again"
            )
        if tier.maps:
            kinds = [(type(x), x.name, x.size) for x in net.sources]
            if kinds != [(type(x), x.name, x.size) for x in before.sources]:
                raise UnsupportedError(
                    f"spike sources were created after a run on the {tier.fidelity!r}"
                    " tier; the wafer keeps its mapping within a run: call "
                    "sim.reset() and run again"
                )
            if dataclasses.replace(net, sources=before.sources) != before:
                raise UnsupportedError(
                    f"neuron parameters, connections or current sources changed "
                    f"within a run on the {tier.fidelity!r} tier; the wafer keeps its "
                    "mapping and configuration within a run (only spike times, rates "
                    "and windows may change): call sim.reset() and run again"
                )
            old = previous.realised
            kept = dataclasses.replace(
                old, network=dataclasses.replace(old.network, sources=net.sources)
            )
            return dataclasses.replace(request, realised=kept)
    known = reuse.realisation(_reuse_key(snap), net)
    if known is not None:  # the same pure pipeline, same input
        return dataclasses.replace(request, realised=known)
    if tier.maps:
        graph = reuse.graph(opts.wafer or Wafer())
        return dataclasses.replace(request, graph=graph)
    return request


def _plastic_of(net: Network) -> list[tuple[str, str, str, bytes, bytes]]:
    """Return the plastic synapses of ``net``: their state's layout (not values)."""
    return [
        (p.pre, p.post, p.receptor, p.pre_idx.tobytes(), p.post_idx.tobytes())
        for p in net.projections
        if p.stp is not None
    ]


def _reuse_key(snap: Snapshot) -> Hashable:
    """Return what a session's realisation depends on besides the network."""
    opts = snap.options
    tier = tier_list([opts.fidelity], hardware=opts.hardware)[0]
    return (tier, opts.seed, opts.wafer, opts.mapping)


def emulate(snap: Snapshot, steps: int, reuse: Reuse) -> Emulation:
    """Emulate the session up to session step ``steps``, continuing the last run.

    Parameters
    ----------
    snap
        The session as the run sees it (:func:`twin.pynn.snapshot.snapshot`).
    steps
        The session step to run to (after the last run's end).
    reuse
        The session's cache of pure results (read and added to).

    Returns
    -------
    Emulation
        The results from t = 0: the segments so far and this run's.

    Raises
    ------
    NetworkError
        On invalid parameters, weights or delays.
    UnsupportedError
        On a feature the twin does not emulate, or a change it cannot continue.
    PlacementError, RoutingError
        If the mapped or hardware tier cannot map the network.
    """
    opts, previous, built = snap.options, snap.previous, snap.built
    if built is None:
        return Emulation((), (np.zeros(0, np.int64), np.zeros(0)), {}, {}, snap.dt)
    last = previous.segments[-1] if previous and previous.segments else None
    start = last.start + last.steps if last else 0
    request = _request(snap, built, last, reuse)
    realised = request.realise()
    if request.tier.maps and request.realised is None:  # an ideal result is the net
        reuse.remember(_reuse_key(snap), built.network, realised)
    net = realised.network
    link = realised.bandwidth_limited
    trace = tuple(
        (built.name_of(p), int(i) - int(p.first_id))
        for p, ids in snap.traced
        for i in ids
    )
    if realised.hardware is not None and realised.sites is not None and trace:
        chip = realised.sites.sites.hicann
        reticle = np.where(chip >= 0, realised.sites.fpga_of_chip[chip], -1)
        check_readout(
            set(snap.analog),
            np.array([net.offset(n) + i for n, i in trace]),
            reticle,
        )
    grid = TimeGrid(snap.dt)
    config = SimConfig(
        t_stop=grid.session_ms(steps - start),
        dt=snap.dt,
        dtype=opts.dtype,
        trace=trace,
        record=tuple((built.name_of(p), None) for p, _ in snap.spiking)
        or ((net.populations[0].name, 0),),  # nothing recorded: record no neuron
        offset=grid.session_ms(start),
        record_poisson=link or snap.records_poisson,  # input links count events
    )
    index = len(previous.segments) if previous else 0
    run = run_tiers(
        [dataclasses.replace(request, realised=realised)],
        config,
        [RunVariant(run_label(opts.seed, snap.trial, index))],
        v0=snap.v0,
        w0=snap.w0,
        resume=_reinitialised(snap, last.final) if last else None,
        keep_final=True,
        store=reuse.compiled,
    )
    assert run.final is not None  # keep_final
    rec = run.recordings[0][0]
    traced = {net.offset(n) + i: k for k, (n, i) in enumerate(trace)}
    segment = Segment(start, steps - start, built, realised, rec, traced, run.final)
    segments = (*(previous.segments if previous else ()), segment)
    zeros = np.zeros_like(snap.v0)
    initial = (
        previous.initial
        if previous and previous.segments
        else {"v": snap.v0, "gsyn_exc": zeros, "gsyn_inh": zeros, "w": snap.w0}
    )
    if not link:
        ids, times = _delivered(segments)
        return Emulation(segments, (ids, times), initial, {}, snap.dt)
    recorded = _global_ids(built, list(snap.spiking))
    out = session_losses(segments, recorded)
    return Emulation(
        segments, (out.ids, out.times), initial, out.total, snap.dt, out.per_run
    )


def run_label(seed: int, trial: int, index: int) -> Label:
    """Return the label of the Poisson stream of run ``index`` of trial ``trial``.

    A trial is the time between two ``reset`` calls (the first starts at ``setup``);
    the stream is distinct for every (seed, trial, run) (:mod:`twin.streams`).

    Parameters
    ----------
    seed
        The session's seed (``setup(rng_seed=...)``).
    trial
        Number of ``reset`` calls since ``setup``.
    index
        The run's index in the trial (0 for the first).

    Returns
    -------
    twin.streams.Label
        ``(("stream", POISSON_STREAM), ("seed", seed), ("trial", trial),
        ("run", index))``, the label :func:`twin.analog.keys.stream_key` turns into
        the run's key.
    """
    return (
        ("stream", POISSON_STREAM),
        ("seed", seed),
        ("trial", trial),
        ("run", index),
    )


def _reinitialised(snap: Snapshot, final: Resume) -> Resume:
    """Return ``final`` with the v and w set by ``initialize`` since the last run."""
    values = {"v": np.array(final.state.v), "w": np.array(final.state.w)}
    for name, ids, new in snap.reinit:
        values[name][:, ids] = new
    state_ = final.state._replace(
        v=jnp.asarray(values["v"]), w=jnp.asarray(values["w"])
    )
    return final._replace(state=state_)


def _delivered(segments: tuple[Segment, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Spikes of all segments in session time: global ids, times (ms)."""
    dt = segments[0].recording.dt
    grid = TimeGrid(dt)
    ids = np.concatenate([np.asarray(s.recording.ids) for s in segments])
    times = np.concatenate(  # stamp · dt, as SpikeRecording computes them
        [grid.stamp_ms(grid.steps_of(s.recording.times) + s.start) for s in segments]
    )
    return ids.astype(np.int64), times


def _global_ids(built: Built, spiking: list[tuple[Any, np.ndarray]]) -> np.ndarray:
    """Return the global ids of the neurons whose spikes are recorded."""
    net = built.network
    parts = [net.offset(built.name_of(p)) + ids - int(p.first_id) for p, ids in spiking]
    return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, np.int64)


def enable_float64() -> None:
    """Switch JAX to 64-bit floats (needed for ``dtype="float64"``).

    The switch is process-wide (``jax_enable_x64``) and stays on for later sessions.
    """
    jax.config.update("jax_enable_x64", True)
