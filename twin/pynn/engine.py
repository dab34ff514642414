"""One emulation of a session: build the network, apply the tier, run, keep results.

:func:`emulate` is what ``run`` does: the session's populations and projections
become a ``Network`` (:mod:`twin.pynn.build`), the fidelity tier of ``setup`` is
applied (:func:`twin.tiers.realise`: nothing, the wafer mapping, or the mapping and the
hardware effects), and the emulator runs it from t = 0 (:func:`twin.analog.simulate`).
On the hardware tier the priority encoders and mergers drop spikes inside the run and
the recording link per chip after it (:func:`twin.hardware.bandwidth_loss`): what the
recorder returns is what the wafer would deliver.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jax
import jax.random as jr
import numpy as np

from twin.analog import SimConfig, simulate_batch
from twin.hardware import bandwidth_loss, spike_stages
from twin.pynn.build import Built, network_of, spike_times
from twin.recording import STATE_VARIABLES, SpikeRecording
from twin.sources import PoissonSource
from twin.tiers import Realised, realise, tier_list

__all__ = ["Emulation", "emulate"]


@dataclass(frozen=True, slots=True, eq=False)
class Emulation:
    """Results of one emulation of a session, from t = 0 to ``steps · dt``.

    Attributes
    ----------
    built
        The network and the names of PyNN's populations in it (``None`` when the
        session has spike sources only: nothing to emulate).
    realised
        The tier's result (mapping, hardware report) for the network.
    recording
        Spikes of the recorded neurons (global ids of ``built.network``).
    traced
        Global id of each traced neuron -> its column in ``recording.traces``.
    initial
        Initial value of every neuron per traced variable (``v`` mV, ``gsyn_exc``
        and ``gsyn_inh`` µS, ``w`` nA).
    losses
        Hardware tier: spikes offered to and dropped by each rate-limited resource
        after the run (recording link, external input), per resource.
    """

    built: Built | None
    realised: Realised | None
    recording: SpikeRecording | None
    traced: dict[int, int]
    initial: dict[str, np.ndarray]
    losses: dict[str, Any]

    def _global(self, population: Any, ids: np.ndarray) -> np.ndarray:
        assert self.built is not None
        offset = self.built.network.offset(self.built.name_of(population))
        return offset + ids - int(population.first_id)

    def spikes(self, population: Any, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(cell ids, times ms)`` of the spikes of cells ``ids``."""
        if not population.is_neuron:  # a SpikeSourceArray: the given times
            trains = np.broadcast_to(
                population._parameters["spike_times"], population.size
            )
            index = ids - int(population.first_id)
            times = [spike_times(trains[i]) for i in index]
            cell = np.repeat(ids, [t.size for t in times])
            flat = np.concatenate(times) if times else np.zeros(0)
            return cell, flat
        gids = self._global(population, ids)
        assert self.recording is not None
        mask = np.isin(self.recording.ids, gids)
        cell = self.recording.ids[mask] - (gids[0] - ids[0])  # back to PyNN ids
        return cell.astype(np.int64), np.asarray(self.recording.times[mask])

    def trace(self, population: Any, ids: np.ndarray, variable: str) -> np.ndarray:
        """Return ``variable`` of cells ``ids`` at t = 0, dt, ...: (steps + 1, cells).

        ``variable`` is one of :data:`twin.recording.STATE_VARIABLES`.
        """
        gids = self._global(population, ids)
        columns = [self.traced[int(g)] for g in gids]
        assert self.recording is not None
        body = np.asarray(self.recording.state_traces[variable])[:, columns]
        return np.vstack([self.initial[variable][gids][None, :], body])


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


def _initial(state: Any, variable: str, default: float) -> np.ndarray:
    parts = [
        pop._initial.get(variable, np.full(pop.size, default))
        for pop in state.structure.populations
        if pop.is_neuron
    ]
    return np.concatenate(parts) if parts else np.zeros(0)


def emulate(state: Any, steps: int) -> Emulation:
    """Emulate the session's network for ``steps`` steps from t = 0.

    Raises
    ------
    NetworkError
        On invalid parameters, weights or delays.
    UnsupportedError
        On a feature the twin does not emulate.
    PlacementError, RoutingError
        If the mapped or hardware tier cannot map the network.
    """
    opts = state.options
    if not any(p.is_neuron for p in state.structure.populations):
        return Emulation(None, None, None, {}, {}, {})  # sources only
    built = network_of(
        state.structure.populations, state.structure.projections, state.dt
    )
    tier = tier_list([opts.fidelity], hardware=opts.hardware)[0]
    cached = state.tier_cache  # (requested network, its tier result) or None
    if cached is not None and cached[1].tier == tier and cached[0] == built.network:
        realised = cached[1]  # same network and options since setup: same pipeline
    else:
        realised = realise(
            tier,
            built.network,
            seed=opts.seed,
            wafer=opts.wafer,
            mapping_config=opts.mapping,
        )
        state.tier_cache = (built.network, realised)
    net = realised.network
    spiking = [(p, i) for p, i in _recorded(state, "spikes") if p.is_neuron]
    traced_cells = _recorded(state, *STATE_VARIABLES)
    trace = tuple(
        (built.name_of(p), int(i) - int(p.first_id))
        for p, ids in traced_cells
        for i in ids
    )
    config = SimConfig(
        t_stop=steps * state.dt,
        dt=state.dt,
        dtype=opts.dtype,
        trace=trace,
        record=tuple((built.name_of(p), None) for p, _ in spiking)
        or ((net.populations[0].name, 0),),  # nothing recorded: record no neuron
    )
    stages = (
        spike_stages(realised.sites, realised.hardware)
        if realised.hardware is not None
        and realised.sites is not None
        and tier.bandwidth
        else []
    )
    v0, w0 = _initial(state, "v", -65.0), _initial(state, "w", 0.0)
    rec = simulate_batch(
        net, config, keys=jr.PRNGKey(opts.seed)[None], limits=stages, v0=v0, w0=w0
    )[0]
    zeros = np.zeros_like(v0)
    initial = {"v": v0, "gsyn_exc": zeros, "gsyn_inh": zeros, "w": w0}
    losses: dict[str, Any] = {}
    if stages:
        rec, losses = _after_link(rec, realised, spiking, built, opts.seed)
    traced = {net.offset(n) + i: k for k, (n, i) in enumerate(trace)}
    return Emulation(built, realised, rec, traced, initial, losses)


def _after_link(
    rec: SpikeRecording, realised: Realised, spiking: list, built: Built, seed: int
) -> tuple[SpikeRecording, dict[str, Any]]:
    """Apply the recording link per chip: the spikes the wafer would deliver."""
    assert realised.sites is not None
    assert realised.hardware is not None
    net = realised.network
    recorded = (
        np.concatenate(
            [net.offset(built.name_of(p)) + ids - int(p.first_id) for p, ids in spiking]
        )
        if spiking
        else np.zeros(0, np.int64)
    )
    sources = {
        s.name: np.asarray(s.rate) for s in net.sources if isinstance(s, PoissonSource)
    }
    kept, losses = bandwidth_loss(
        rec,
        realised.sites,
        recorded,
        sources,
        realised.hardware,
        seed=seed,
        stationary=False,  # a run from rest: drops up to t depend on spikes up to t
    )
    return kept, dict(losses)


def enable_float64() -> None:
    """Switch JAX to 64-bit floats (needed for ``dtype="float64"``)."""
    jax.config.update("jax_enable_x64", True)
