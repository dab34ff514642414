"""Recording in the twin's PyNN backend: arrays out, PyNN builds the Neo blocks.

The backend hands PyNN's common ``Recorder`` flat arrays of the last emulation
(:mod:`twin.pynn.engine`): spikes as ``(ids, times)``, membrane potentials as
``(samples, cells)`` arrays from the start of the recording to the current time, the
first sample being the initial value. Supported: ``spikes`` of neurons and of
``SpikeSourceArray`` and ``SpikeSourcePoisson`` cells (the events the generators
emitted; on the hardware tier before the input links); ``v``, ``gsyn_exc``,
``gsyn_inh`` and (AdEx) ``w`` of neurons, at any sampling interval that is a whole
number of steps. On the hardware tier the spikes of neurons are those the wafer's
recording link delivers (spikes it drops are absent).

``record`` checks every variable it is given before it records any (PyNN's
``Recorder.record`` adds each variable to the recorded set before the backend sees
it): a refused call records nothing.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pyNN import errors, recording

from twin.errors import UnsupportedError
from twin.pynn import simulator

__all__ = ["RECORDABLE", "Recorder"]

#: Variables the twin records, per kind of population.
RECORDABLE = {
    "neuron": ("spikes", "v", "gsyn_exc", "gsyn_inh", "w"),
    "SpikeSourceArray": ("spikes",),
    "SpikeSourcePoisson": ("spikes",),
}


class Recorder(recording.Recorder):
    """PyNN's recorder over the twin's emulation results."""

    _simulator = simulator

    def _kind(self) -> str:
        pop = self.population
        return "neuron" if pop.is_neuron else type(pop.celltype).__name__

    def record(
        self,
        variables: Any,
        ids: Any,
        sampling_interval: float | None = None,
        locations: Any = None,
    ) -> None:
        """Record ``variables`` of ``ids`` (PyNN's), once every variable is valid.

        Parameters
        ----------
        variables
            Names of the variables (``"spikes"``, ``"v"``, ``"gsyn_exc"``,
            ``"gsyn_inh"``, ``"w"``), one name or a list, as PyNN's ``record``.
        ids
            The cells to record (PyNN ids of this recorder's population).
        sampling_interval
            Interval of the analog signals, ms (default: the time step); a whole
            number of steps.
        locations
            PyNN's compartment locations (point neurons: ``None``).

        Raises
        ------
        pyNN.errors.RecordingError
            For a variable the cell type cannot record (PyNN's check).
        UnsupportedError
            For a variable the twin does not record there, or a sampling interval
            that is not a whole number of steps.
        """
        for variable in self._localize_variables(variables, locations):
            if not self.population.can_record(variable.name, variable.location):
                raise errors.RecordingError(variable, self.population.celltype)
            self._check(variable, sampling_interval)
        recording.Recorder.record(self, variables, ids, sampling_interval, locations)

    def _check(self, variable: Any, sampling_interval: float | None) -> None:
        """Raise if the twin does not record ``variable`` at this interval."""
        allowed = RECORDABLE.get(self._kind(), ())
        if variable.name not in allowed:
            what = ", ".join(allowed) or "nothing"
            raise UnsupportedError(
                f"recording {variable.name!r} of {self.population.label!r} "
                f"({type(self.population.celltype).__name__}); the twin records "
                f"{what} there"
            )
        interval = sampling_interval or simulator.state.dt
        steps = interval / simulator.state.dt
        if abs(steps - round(steps)) > 1e-9 or round(steps) < 1:
            raise UnsupportedError(
                f"sampling interval {interval} ms; use a whole number of time steps "
                f"({simulator.state.dt} ms)"
            )

    def _record(
        self, variable: Any, new_ids: Any, sampling_interval: float | None = None
    ) -> None:
        self._check(variable, sampling_interval)
        if sampling_interval is not None and variable.name != "spikes":
            self.sampling_interval = sampling_interval

    def _window(self) -> tuple[float, float]:
        return float(self._recording_start_time), simulator.state.t

    def _get_spiketimes(
        self, ids: Any, clear: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        emulation = simulator.state.emulation
        wanted = np.asarray(ids, dtype=np.int64)
        if emulation is None or not wanted.size:
            return np.zeros(0, np.int64), np.zeros(0)
        cell_ids, times = emulation.spikes(self.population, wanted)
        lo, hi = self._window()
        keep = (times > lo + 1e-9) & (times <= hi + 1e-9)  # (start, t]
        return cell_ids[keep], times[keep]

    def _get_all_signals(
        self, variable: Any, ids: Any, clear: bool = False
    ) -> tuple[np.ndarray, None]:
        emulation = simulator.state.emulation
        wanted = np.asarray(ids, dtype=np.int64)
        if emulation is None or not wanted.size:
            return np.zeros((0, wanted.size)), None
        signal = emulation.trace(self.population, wanted, variable.name)
        grid = simulator.state.grid
        lo, hi = self._window()
        stride = max(int(grid.steps_of(self.sampling_interval)), 1)
        first, last = (int(k) for k in grid.steps_of([lo, hi]))
        return signal[first : last + 1 : stride], None

    def _local_count(self, variable: Any, filter_ids: Any = None) -> dict[int, int]:
        ids = sorted(self.filter_recorded(variable, filter_ids))
        counts = dict.fromkeys((int(i) for i in ids), 0)
        cell_ids, _ = self._get_spiketimes(ids)
        found, n = np.unique(cell_ids, return_counts=True)
        counts.update({int(i): int(k) for i, k in zip(found, n, strict=True)})
        return counts

    def _clear_simulator(self) -> None:
        """Nothing to drop: the window starts at the time of the clear."""

    def _reset(self) -> None:
        """Nothing to forget beyond PyNN's own record of what is recorded."""
