"""Emulation of a session: build the network, apply the tier, run, keep results.

:func:`emulate` is what ``run`` does: the session's populations and projections
become a ``Network`` (:mod:`twin.pynn.build`), the fidelity tier of ``setup`` is
applied (:func:`twin.tiers.realise`: nothing, the wafer mapping, or the mapping and the
hardware effects), and the emulator runs it (:func:`twin.analog.simulate_batch`).

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
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from twin.analog import SimConfig, simulate_batch
from twin.analog.kernel import Resume
from twin.analog.keys import stream_key
from twin.errors import UnsupportedError
from twin.hardware import spike_stages
from twin.hardware.readout import check_readout
from twin.hardware.spike_loss import QueueLoss
from twin.network import Network
from twin.pynn.build import Built, network_of
from twin.pynn.losses import session_losses
from twin.recording import STATE_VARIABLES, SpikeRecording
from twin.routing.busgraph import BusGraph
from twin.sources import PoissonSource, SpikeTimesSource
from twin.streams import Label
from twin.tiers import Realised, realise, tier_list
from twin.timegrid import TimeGrid
from twin.wafer import Wafer

__all__ = ["POISSON_STREAM", "Emulation", "Segment", "emulate", "run_label"]

#: Name of the stream a session's Poisson sources draw from (:func:`run_label`).
POISSON_STREAM = "twin.pynn.poisson"


@dataclass(frozen=True, slots=True, eq=False)
class Segment:
    """One run of the emulator: session steps ``[start, start + steps)``.

    Attributes
    ----------
    start, steps
        First session step and number of steps.
    built
        The network and the names of PyNN's populations in it.
    realised
        The tier's result for the network.
    recording
        Spikes (times from the segment's start, ms) of the recorded neurons and the
        state traces of the traced ones (before the recording link).
    traced
        Global id of each traced neuron -> its column in the traces.
    final
        The state the segment ended in (the next segment starts from it).
    """

    start: int
    steps: int
    built: Built
    realised: Realised
    recording: SpikeRecording
    traced: dict[int, int]
    final: Resume


@dataclass(frozen=True, slots=True, eq=False)
class Emulation:
    """Results of a session from t = 0 to ``steps · dt``.

    Attributes
    ----------
    segments
        The runs so far, in order (empty if the session has spike sources only).
    spikes_delivered
        Spikes of the recorded neurons over all segments, session times (ms),
        global ids; on the hardware tier after the recording link.
    initial
        Initial value of every neuron per traced variable (``v`` mV, ``gsyn_exc``
        and ``gsyn_inh`` µS, ``w`` nA).
    losses
        Hardware tier: spikes offered to and dropped by each rate-limited resource,
        per resource, over all segments.
    dt
        Time step, ms.
    run_losses
        Hardware tier: ``losses`` of each segment, in order (they add up to
        ``losses``).
    """

    segments: tuple[Segment, ...]
    spikes_delivered: tuple[np.ndarray, np.ndarray]
    initial: dict[str, np.ndarray]
    losses: dict[str, QueueLoss]
    dt: float
    run_losses: tuple[dict[str, QueueLoss], ...] = ()

    @property
    def built(self) -> Built | None:
        """The network of the last segment (``None``: spike sources only)."""
        return self.segments[-1].built if self.segments else None

    @property
    def realised(self) -> Realised | None:
        """The tier's result of the last segment."""
        return self.segments[-1].realised if self.segments else None

    def _global(self, population: Any, ids: np.ndarray) -> np.ndarray:
        assert self.built is not None
        offset = self.built.network.offset(self.built.name_of(population))
        return offset + ids - int(population.first_id)

    def spikes(self, population: Any, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(cell ids, times ms)`` of the spikes of cells ``ids``.

        For neurons, the spikes delivered (on the hardware tier after the recording
        link); for a ``SpikeSourcePoisson``, the events each segment drew; for a
        ``SpikeSourceArray``, the times each segment emitted.

        Parameters
        ----------
        population
            A PyNN population of the session.
        ids
            PyNN cell ids of cells of ``population``, shape ``(n,)``, ascending.

        Returns
        -------
        cells, times
            The PyNN cell id (int64) and the session time (ms) of each spike, two
            arrays of the same length.

        Raises
        ------
        KeyError
            If ``population`` is not part of the network the segments were built
            from.
        """
        if type(population.celltype).__name__ == "SpikeSourcePoisson":
            return self._poisson_spikes(population, ids)
        if not population.is_neuron:
            return self._array_spikes(population, ids)
        gids = self._global(population, ids)
        all_ids, times = self.spikes_delivered
        mask = np.isin(all_ids, gids)
        cell = all_ids[mask] - (gids[0] - ids[0])  # back to PyNN ids
        return cell.astype(np.int64), times[mask]

    def _poisson_spikes(
        self, population: Any, ids: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Spikes of ``SpikeSourcePoisson`` cells: the events each segment drew."""
        cells, times = [], []
        for seg in self.segments:
            events = seg.recording.poisson_events
            if events is None:  # not recorded in this segment
                continue
            net = seg.built.network
            name = seg.built.name_of(population)
            first = 0
            for src in net.sources:  # generators are numbered in source order
                if src.name == name:
                    break
                first += src.size if isinstance(src, PoissonSource) else 0
            wanted = first + ids - int(population.first_id)
            mask = np.isin(events[0], wanted)
            cells.append(events[0][mask] - first + int(population.first_id))
            stamps = np.rint(events[1][mask] / self.dt) + seg.start
            times.append(stamps * self.dt)
        if not cells:
            return np.zeros(0, np.int64), np.zeros(0)
        return np.concatenate(cells).astype(np.int64), np.concatenate(times)

    def _array_spikes(
        self, population: Any, ids: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Spikes of ``SpikeSourceArray`` cells: the times each segment emitted."""
        index = ids - int(population.first_id)
        times = [np.zeros(0)] * index.size
        grid = TimeGrid(self.dt)
        for seg in self.segments:
            src = seg.built.network.source(seg.built.name_of(population))
            assert isinstance(src, SpikeTimesSource)
            for k, i in enumerate(index):
                train = np.asarray(src.spike_times[i])
                stamp = grid.spike_stamps(train)
                emitted = (stamp > seg.start) & (stamp <= seg.start + seg.steps)
                times[k] = np.concatenate([times[k], train[emitted]])
        cell = np.repeat(ids, [t.size for t in times])
        flat = np.concatenate(times) if times else np.zeros(0)
        return cell, flat

    def trace(self, population: Any, ids: np.ndarray, variable: str) -> np.ndarray:
        """Return ``variable`` of cells ``ids`` at t = 0, dt, ...: (steps + 1, cells).

        ``variable`` is one of :data:`twin.recording.STATE_VARIABLES`; a cell not
        traced in a segment is NaN there.

        Parameters
        ----------
        population
            A PyNN neuron population of the session.
        ids
            PyNN cell ids of cells of ``population``, shape ``(cells,)``.
        variable
            ``"v"`` (mV), ``"gsyn_exc"`` or ``"gsyn_inh"`` (µS) or ``"w"`` (nA).

        Returns
        -------
        numpy.ndarray
            The values, shape ``(steps + 1, cells)``: row 0 the initial values, row
            ``k`` the value at ``k · dt`` ms.

        Raises
        ------
        KeyError
            If ``variable`` is not a state variable or ``population`` is not part of
            the network the segments were built from.
        """
        gids = self._global(population, ids)
        rows = [self.initial[variable][gids][None, :]]
        for seg in self.segments:
            body = np.full((seg.steps, gids.size), np.nan)
            have = [k for k, g in enumerate(gids) if int(g) in seg.traced]
            if have:
                columns = [seg.traced[int(gids[k])] for k in have]
                values = np.asarray(seg.recording.state_traces[variable])
                body[:, have] = values[:, columns]
            rows.append(body)
        return np.vstack(rows)


def _recorded(state: Any, *variables: str) -> list[tuple[Any, np.ndarray]]:
    """Return (population, recorded cell ids) for any of ``variables``."""
    out = []
    for pop in state.structure.populations:
        ids = [
            int(i)
            for var, cells in pop.recorder.recorded.items()
            if var.name in variables
            for i in cells
        ]
        if ids:
            out.append((pop, np.unique(ids)))
    return out


def _analog_variables(state: Any) -> set[str]:
    """Return the names of the analog variables recorded anywhere."""
    return {
        var.name
        for pop in state.structure.populations
        for var, cells in pop.recorder.recorded.items()
        if var.name in STATE_VARIABLES and cells
    }


def _initial(state: Any, variable: str, default: float) -> np.ndarray:
    parts = [
        pop._initial.get(variable, np.full(pop.size, default))
        for pop in state.structure.populations
        if pop.is_neuron
    ]
    return np.concatenate(parts) if parts else np.full(1, default)  # IDLE neuron


def _neurons_of(network: Network) -> list[tuple[str, int]]:
    return [(p.name, p.size) for p in network.populations]


def _realise(state: Any, built: Built, previous: Segment | None) -> Realised:
    """Apply the session's tier to ``built.network``, reusing what may be reused.

    Raises
    ------
    UnsupportedError
        If a run continues with other neurons, or (mapped, hardware tiers) with
        other parameters or connections.
    """
    opts = state.options
    tier = tier_list([opts.fidelity], hardware=opts.hardware)[0]
    net = built.network
    if previous is not None:
        before = previous.built.network
        if _neurons_of(net) != _neurons_of(before):
            raise UnsupportedError(
                "populations were created after a run; the twin continues a run "
                "with the same neurons only: call sim.reset() and run again"
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
            sources = net.sources
            return dataclasses.replace(
                old, network=dataclasses.replace(old.network, sources=sources)
            )
    reuse = state.reuse  # the session's store of pure results (simulator.Reuse)
    key = (tier, opts.seed, opts.wafer, opts.mapping)
    for k, (known, requested, realised) in enumerate(reuse.tiers):
        if known == key and requested == net:  # the same pure pipeline, same input
            reuse.tiers.append(reuse.tiers.pop(k))
            return realised
    graph = None
    if tier.maps:
        wafer = opts.wafer or Wafer()
        graph = reuse.graphs.get(wafer)
        if graph is None:
            graph = reuse.graphs[wafer] = BusGraph.from_wafer(wafer)
            while len(reuse.graphs) > reuse.keep:
                del reuse.graphs[next(iter(reuse.graphs))]
    realised = realise(
        tier,
        net,
        seed=opts.seed,
        wafer=opts.wafer,
        mapping_config=opts.mapping,
        graph=graph,
    )
    if tier.maps:  # an ideal result is the network itself
        reuse.tiers.append((key, net, realised))
        del reuse.tiers[: -reuse.keep]
    return realised


def emulate(state: Any, steps: int) -> Emulation:
    """Emulate the session up to session step ``steps``, continuing the last run.

    Raises
    ------
    NetworkError
        On invalid parameters, weights or delays.
    UnsupportedError
        On a feature the twin does not emulate, or a change it cannot continue.
    PlacementError, RoutingError
        If the mapped or hardware tier cannot map the network.
    """
    opts = state.options
    previous: Emulation | None = state.emulation
    if not state.structure.populations:
        return Emulation((), (np.zeros(0, np.int64), np.zeros(0)), {}, {}, state.dt)
    last = previous.segments[-1] if previous and previous.segments else None
    start = last.start + last.steps if last else 0
    built = network_of(
        state.structure.populations, state.structure.projections, state.dt
    )
    realised = _realise(state, built, last)
    net = realised.network
    spiking = [(p, i) for p, i in _recorded(state, "spikes") if p.is_neuron]
    sites, hardware = realised.sites, realised.hardware
    stages = (
        spike_stages(sites, hardware)
        if sites is not None and hardware is not None
        else []
    )
    link = sites is not None and hardware is not None and realised.tier.bandwidth
    poisson = link or any(  # the input links count every Poisson event
        type(p.celltype).__name__ == "SpikeSourcePoisson"
        for p, _ in _recorded(state, "spikes")
    )
    traced_cells = _recorded(state, *STATE_VARIABLES)
    trace = tuple(
        (built.name_of(p), int(i) - int(p.first_id))
        for p, ids in traced_cells
        for i in ids
    )
    if realised.hardware is not None and realised.sites is not None and trace:
        chip = realised.sites.sites.hicann
        reticle = np.where(chip >= 0, realised.sites.fpga_of_chip[chip], -1)
        check_readout(
            _analog_variables(state),
            np.array([net.offset(n) + i for n, i in trace]),
            reticle,
        )
    config = SimConfig(
        t_stop=round((steps - start) * state.dt, 9),
        dt=state.dt,
        dtype=opts.dtype,
        trace=trace,
        record=tuple((built.name_of(p), None) for p, _ in spiking)
        or ((net.populations[0].name, 0),),  # nothing recorded: record no neuron
        offset=round(start * state.dt, 9),
        record_poisson=poisson,
    )
    v0, w0 = _initial(state, "v", -65.0), _initial(state, "w", 0.0)
    resume = _reinitialised(state, built, last.final) if last else None
    for pop in state.structure.populations:
        pop._reinit.clear()  # applied: the initial values or the resumed state
    index = len(previous.segments) if previous else 0
    finals: list[Resume] = []
    rec = simulate_batch(
        net,
        config,
        keys=stream_key(run_label(opts.seed, state.segment_counter, index))[None],
        limits=stages,
        v0=v0,
        w0=w0,
        resume=resume,
        finals=finals,
        compiled=state.reuse.compiled,
    )[0]
    traced = {net.offset(n) + i: k for k, (n, i) in enumerate(trace)}
    segment = Segment(start, steps - start, built, realised, rec, traced, finals[0])
    segments = (*(previous.segments if previous else ()), segment)
    zeros = np.zeros_like(v0)
    initial = (
        previous.initial
        if previous and previous.segments
        else {"v": v0, "gsyn_exc": zeros, "gsyn_inh": zeros, "w": w0}
    )
    if not link:
        ids, times = _delivered(segments)
        return Emulation(segments, (ids, times), initial, {}, state.dt)
    recorded = _global_ids(built, spiking)
    out = session_losses(segments, recorded)
    return Emulation(
        segments, (out.ids, out.times), initial, out.total, state.dt, out.per_run
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


def _reinitialised(state: Any, built: Built, final: Resume) -> Resume:
    """Return ``final`` with the v and w set by ``initialize`` since the last run."""
    v, w = np.array(final.state.v), np.array(final.state.w)
    for pop in state.structure.populations:
        if not pop.is_neuron:
            continue
        offset = built.network.offset(built.name_of(pop))
        for name, target in (("v", v), ("w", w)):
            cells = pop._reinit.get(name)
            if cells is not None and cells.any():
                target[:, offset + np.flatnonzero(cells)] = pop._initial[name][cells]
    state_ = final.state._replace(v=jnp.asarray(v), w=jnp.asarray(w))
    return final._replace(state=state_)


def _delivered(segments: tuple[Segment, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Spikes of all segments in session time: global ids, times (ms)."""
    dt = segments[0].recording.dt
    ids = np.concatenate([np.asarray(s.recording.ids) for s in segments])
    times = np.concatenate(  # stamp · dt, as SpikeRecording computes them
        [(np.rint(np.asarray(s.recording.times) / dt) + s.start) * dt for s in segments]
    )
    return ids.astype(np.int64), times


def _global_ids(built: Built, spiking: list) -> np.ndarray:
    """Return the global ids of the neurons whose spikes are recorded."""
    net = built.network
    parts = [net.offset(built.name_of(p)) + ids - int(p.first_id) for p, ids in spiking]
    return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, np.int64)


def enable_float64() -> None:
    """Switch JAX to 64-bit floats (needed for ``dtype="float64"``).

    The switch is process-wide (``jax_enable_x64``) and stays on for later sessions.
    """
    jax.config.update("jax_enable_x64", True)
