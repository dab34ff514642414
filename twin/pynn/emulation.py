"""The results of a session's runs: segments and their spikes, traces and losses.

:class:`Emulation` is what :func:`twin.pynn.engine.emulate` returns for a session
from t = 0: each ``run`` a :class:`Segment` (its network, realisation, recording and
final state) and the spikes delivered over all of them; the recorders read spikes
and traces of PyNN's cells from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from twin.analog.kernel import Resume
from twin.hardware.spike_loss import QueueLoss
from twin.pynn.build import Built
from twin.recording import SpikeRecording
from twin.sources import PoissonSource, SpikeTimesSource
from twin.tiers import Realised
from twin.timegrid import TimeGrid

__all__ = ["Emulation", "Segment"]


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
            stamps = TimeGrid(self.dt).steps_of(events[1][mask]) + seg.start
            times.append(TimeGrid(self.dt).stamp_ms(stamps))
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
