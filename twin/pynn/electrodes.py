"""``DCSource`` and ``StepCurrentSource`` on the twin, as PyNN's backends define them.

A source holds its PyNN parameters (settable after creation: ``source.amplitude =
0.5``, ``source.set_parameters(...)``) and the ``min_delay`` of the session when it was
created. ``inject_into(cells)`` (also reached through ``Population.inject``,
``PopulationView.inject``, ``Assembly.inject`` and ``ID.inject``) records an
:class:`Injection` on each population that owns some of the cells; the session's
network then holds one :class:`twin.stimuli.CurrentStimulus` per injection
(:func:`twin.pynn.build.network_of`), with the times ``pyNN.nest`` would give
(:mod:`twin.pynn.electrode_times`), as if set before the first run: a source set or
injected after a run acts from the next run's start, where pyNN.nest acts
``min_delay + dt`` later (not modelled).

The hardware tier (``setup(fidelity="hardware")``) refuses a ``DCSource`` at creation:
the wafer's mapping software accepts only a ``StepCurrentSource`` ("unsupported current
source type", reference ``bss1_hardware.md`` §3.8). The twin does not convert it
(``StepCurrentSource(times=[start, stop], amplitudes=[amplitude, 0.0])`` is the
equivalent a user can write), so that a script that the wafer's software rejects
fails on the twin too. ``ACSource`` and ``NoisyCurrentSource`` are not emulated
(:mod:`twin.pynn.standardmodels`).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from pyNN.parameters import ParameterSpace, Sequence
from pyNN.standardmodels import StandardCurrentSource, build_translations, electrodes

from twin.errors import UnsupportedError
from twin.pynn.electrode_times import dc_changes, step_changes
from twin.pynn.simulator import state
from twin.tiers import behaviour
from twin.timegrid import TimeGrid

__all__ = ["DCSource", "Injection", "StepCurrentSource"]


class Injection(NamedTuple):
    """A current source injected into some cells of one population."""

    source: Any  # the DCSource or StepCurrentSource
    cells: np.ndarray  # (m,) positions of the cells in the population, distinct
    delay: float  # ms: the session's min_delay at injection (pyNN.nest's delay)


def _plain(value: Any) -> float | np.ndarray:
    """Return a parameter value as a float, or a float array for a sequence."""
    if isinstance(value, Sequence):
        return np.array(value.value, dtype=float).reshape(-1)
    arr = np.asarray(value)
    if arr.dtype == object:  # an array holding one Sequence
        return _plain(arr.reshape(-1)[0])
    return float(arr.reshape(-1)[0]) if arr.ndim else float(arr)


class _CurrentSource(StandardCurrentSource):
    """What both sources share: parameters, injection, the session's bookkeeping."""

    def __init__(self, **parameters: Any) -> None:
        self._values: dict[str, Any] = {}
        self.min_delay = state.min_delay  # pyNN.nest corrects times by this
        space = ParameterSpace(self.default_parameters, self.get_schema(), shape=(1,))
        if parameters:
            space.update(**parameters)
        self.set_native_parameters(space)

    def _changes(
        self, values: dict[str, Any], delay_steps: int, grid: TimeGrid
    ) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

    def changes(self, grid: TimeGrid, delay: float) -> tuple[np.ndarray, np.ndarray]:
        """Return the grid times (ms) and amplitudes (nA) of the current at the cells.

        Parameters
        ----------
        grid
            The session's step grid.
        delay
            The injection's delay, ms (:class:`Injection`), rounded to whole steps.

        Returns
        -------
        times, amplitudes
            The changes as NEST applies them, float arrays of one shape ``(k,)``:
            strictly increasing grid times (ms) and the current from each on (nA)
            (:func:`twin.pynn.electrode_times.dc_changes`,
            :func:`~twin.pynn.electrode_times.step_changes`).

        Raises
        ------
        NetworkError
            If the parameters are invalid on ``grid`` (e.g. a time off its steps).
        """
        return self._changes(self._values, int(grid.delay_steps(delay)), grid)

    def set_native_parameters(self, parameters: ParameterSpace) -> None:
        """Set parameters (PyNN names and units: the translations are identities).

        Parameters
        ----------
        parameters
            Parameter name -> value (nA, ms; a ``Sequence`` or array for
            ``times`` and ``amplitudes``); names not given keep their values.

        Raises
        ------
        NetworkError
            If the new values are invalid (see :mod:`twin.pynn.electrode_times`);
            the source keeps its old values.
        """
        parameters.evaluate(simplify=True)
        values = {**self._values, **{k: _plain(v) for k, v in parameters.items()}}
        self._changes(values, 1, state.grid)  # validate before storing
        self._values = values

    def get_native_parameters(self) -> ParameterSpace:
        """Return the parameters as a ``ParameterSpace`` (PyNN names).

        Returns
        -------
        pyNN.parameters.ParameterSpace
            Parameter name -> value, shape ``(1,)``: floats (nA, ms), sequences as
            :class:`pyNN.parameters.Sequence`.
        """
        values = {
            k: Sequence(v) if isinstance(v, np.ndarray) else v
            for k, v in self._values.items()
        }
        return ParameterSpace(values, self.get_schema(), shape=(1,))

    def get_parameters(self) -> dict[str, Any]:
        """Return the parameters: floats, and float arrays for sequences.

        Returns
        -------
        dict of str to float or numpy.ndarray
            Parameter name -> value (nA, ms), a copy of each array; empty while
            the source is being constructed.
        """
        values = self.__dict__.get("_values", {})
        return {
            k: np.array(v) if isinstance(v, np.ndarray) else v
            for k, v in values.items()
        }

    def inject_into(self, cells: Any) -> None:
        """Inject the current into ``cells`` (a population, view, assembly or IDs).

        Each population owning some of ``cells`` records one :class:`Injection`
        (its cells, the session's ``min_delay``); the next run's network holds it
        as a current stimulus.

        Parameters
        ----------
        cells
            An iterable of cell IDs of the session (a population, view, assembly,
            or a list of IDs).

        Raises
        ------
        TypeError
            If a cell is a spike source (as PyNN).
        """
        cells = list(cells)
        for cell in cells:
            if not cell.celltype.injectable:
                raise TypeError("Can't inject current into a spike source.")
        owners: dict[int, tuple[Any, list[int]]] = {}
        for cell in cells:
            pop = cell.parent
            owners.setdefault(id(pop), (pop, []))[1].append(
                int(cell) - int(pop.first_id)
            )
        for pop, index in owners.values():
            pop._injections.append(Injection(self, np.unique(index), state.min_delay))

    def record(self) -> None:
        """Not emulated: the twin does not record a source's current.

        Raises
        ------
        UnsupportedError
            Always.
        """
        raise UnsupportedError(
            f"recording the current of a {type(self).__name__}; the twin records "
            "the cells' state ('v', 'gsyn_exc', 'gsyn_inh', 'w'), not the source"
        )

    def _get_data(self) -> Any:
        self.record()


class DCSource(_CurrentSource, electrodes.DCSource):
    """A constant current ``amplitude`` (nA) from ``start`` to ``stop`` (ms) (PyNN).

    Raises
    ------
    UnsupportedError
        On the hardware tier (the wafer's software takes only a
        ``StepCurrentSource``; module docstring).
    NetworkError
        On invalid parameters (:func:`twin.pynn.electrode_times.dc_changes`).
    """

    translations = build_translations(
        ("amplitude", "amplitude"), ("start", "start"), ("stop", "stop")
    )

    def __init__(self, **parameters: Any) -> None:
        if behaviour(state.options.fidelity).analog:
            raise UnsupportedError(
                "DCSource on the hardware tier: the wafer's mapping software "
                "realises only a StepCurrentSource ('unsupported current source "
                "type'); the twin supports StepCurrentSource(times=[start, stop], "
                "amplitudes=[amplitude, 0.0]) there"
            )
        super().__init__(**parameters)

    def _changes(
        self, values: dict[str, Any], delay_steps: int, grid: TimeGrid
    ) -> tuple[np.ndarray, np.ndarray]:
        return dc_changes(
            values["amplitude"],
            values["start"],
            values["stop"],
            min_delay=self.min_delay,
            delay_steps=delay_steps,
            grid=grid,
        )


class StepCurrentSource(_CurrentSource, electrodes.StepCurrentSource):
    """A step-wise constant current: ``amplitudes`` (nA) from ``times`` (ms) on (PyNN).

    Raises
    ------
    NetworkError
        On invalid parameters (:func:`twin.pynn.electrode_times.step_changes`).
    """

    translations = build_translations(("amplitudes", "amplitudes"), ("times", "times"))

    def get_parameters(self) -> dict[str, Any]:
        """Return the parameters, ``times`` on the step grid as PyNN reports them.

        As PyNN's NEURON and Brian backends (``_check_step_times``): each time
        rounded to the nearest step, of equal rounded times the last amplitude
        kept. The source acts as pyNN.nest makes it act, from the times as given
        (:meth:`changes`).

        Returns
        -------
        dict of str to numpy.ndarray
            ``times`` (ms) and ``amplitudes`` (nA); empty while the source is being
            constructed.
        """
        values = super().get_parameters()
        if not values:
            return values
        dt = state.grid.dt
        t = np.rint(np.asarray(values["times"], float) / dt) * dt
        a = np.asarray(values["amplitudes"], float)
        keep = np.append(t[1:] != t[:-1], True) if t.size else np.zeros(0, bool)
        return {"times": t[keep], "amplitudes": a[keep]}

    def _changes(
        self, values: dict[str, Any], delay_steps: int, grid: TimeGrid
    ) -> tuple[np.ndarray, np.ndarray]:
        return step_changes(
            values["times"],
            values["amplitudes"],
            min_delay=self.min_delay,
            delay_steps=delay_steps,
            grid=grid,
        )
