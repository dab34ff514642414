"""When a PyNN current source acts: the grid times pyNN.nest gives (pure functions).

The twin must reproduce what ``pyNN.nest`` does with the same script, so a
``DCSource``'s ``start``/``stop`` and a ``StepCurrentSource``'s ``times`` go through the
same corrections before they become a :class:`twin.stimuli.CurrentStimulus` (whose
change at grid time ``t`` acts from the step that starts at ``t``):

1. pyNN.nest subtracts the source's ``min_delay`` (the session's, when the source was
   created) from every time and sets negative results to 0, because it connects the
   NEST device with delay ``min_delay`` [``pyNN/nest/electrodes.py``
   ``_delay_correction``; ``pyNN/nest/standardmodels/electrodes.py``].
2. ``StepCurrentSource``: times must be >= 0 and strictly increasing (else
   ``ValueError``); the last corrected time at or before ``dt`` becomes ``dt`` and the
   earlier ones are dropped (NEST takes no amplitude time <= 0); times are rounded to
   the nearest step (``numpy.rint(t / dt) * dt``, halves to even) and of equal times
   the last amplitude is kept [``_check_step_times``, ``_round_timestamp``].
   ``DCSource``: ``start`` and ``stop`` must then be whole steps (NEST:
   "start must be a multiple of the simulation resolution").
3. NEST: a ``step_current_generator`` amplitude time of stamp ``s`` sent through a
   connection of ``D`` steps acts from step ``s + D``; a ``dc_generator`` with start
   ``s`` and stop ``e`` (in steps) is active in the steps ``j`` with
   ``s < j + 2 <= e`` and acts in step ``j + D + 1``, i.e. in the steps from
   ``max(s, 1) + D`` to ``e + D`` (exclusive) [NEST
   ``nestkernel/stimulation_device.cpp`` ``is_active`` (current generators test
   ``step + 2``), ``models/dc_generator.cpp``, ``models/step_current_generator.cpp``;
   the neuron applies a current event one step after its arrival]. Checked against
   the installed NEST 3.10 through pyNN.nest (``tests/pynn/test_electrodes.py``).

With ``min_delay = dt`` a PyNN time ``t >= 2 dt`` acts from ``t`` on; anything earlier
acts from ``2 dt`` (``min_delay + dt`` in general). All times are those of a source set
before the first run (pyNN.nest's ``t_kernel = 0``).
"""

from __future__ import annotations

import numpy as np

from twin.errors import NetworkError
from twin.stimuli import check_changes
from twin.timegrid import TimeGrid, ms_to_tics

__all__ = ["dc_changes", "step_changes"]


def _grid_ms(steps: np.ndarray, grid: TimeGrid) -> np.ndarray:
    """Return whole steps as grid times, ms (exact on the tic grid)."""
    return np.asarray(steps, dtype=float) * grid.tics_per_step / 1000.0


def _corrected(t: np.ndarray, min_delay: float) -> np.ndarray:
    """pyNN.nest's ``_delay_correction``: ``t - min_delay``, negative values to 0."""
    shifted = np.asarray(t, dtype=float) - min_delay
    return np.where(shifted > 0, shifted, 0.0)


def dc_changes(
    amplitude: float,
    start: float,
    stop: float,
    *,
    min_delay: float,
    delay_steps: int,
    grid: TimeGrid,
) -> tuple[np.ndarray, np.ndarray]:
    """Return the grid times (ms) and amplitudes (nA) of a ``DCSource`` as pyNN.nest.

    Parameters
    ----------
    amplitude
        Current, nA.
    start, stop
        PyNN window, ms (``stop`` may be ``inf``).
    min_delay
        The source's ``min_delay``, ms (pyNN.nest subtracts it).
    delay_steps
        Delay of the connection to the cells, steps (pyNN.nest: ``min_delay``).
    grid
        The session's step grid.

    Returns
    -------
    times, amplitudes
        ``([on, off], [amplitude, 0])``, ``([on], [amplitude])`` for a window that
        never closes, or empty arrays for one that never opens.

    Raises
    ------
    NetworkError
        If a value is NaN or ``amplitude``/``start`` infinite, a corrected time is
        off the step grid, or the window ends before it starts (NEST's checks).
    """
    values = np.array([amplitude, start, stop], dtype=float)
    if np.isnan(values).any() or not np.isfinite(values[:2]).all():
        raise NetworkError(
            f"DCSource: amplitude {amplitude} nA, start {start} ms and stop {stop} ms "
            "must be numbers (amplitude and start finite)"
        )
    s_d, e_d = _device_steps(_corrected(values[1:], min_delay), grid, min_delay)
    if e_d < s_d:
        raise NetworkError(
            f"DCSource: stop {stop} ms is before start {start} ms; give stop >= start"
        )
    on, off = max(s_d, 1.0) + delay_steps, e_d + delay_steps
    if off <= on:
        return np.zeros(0), np.zeros(0)
    if np.isinf(off):
        return _grid_ms(np.array([on]), grid), np.array([amplitude], dtype=float)
    return _grid_ms(np.array([on, off]), grid), np.array([amplitude, 0.0])


def _device_steps(
    t: np.ndarray, grid: TimeGrid, min_delay: float
) -> tuple[float, float]:
    """Return NEST device times (ms) in steps; raise for one off the grid."""
    finite = np.isfinite(t)
    tics = ms_to_tics(np.where(finite, t, 0.0))
    off = finite & (tics % grid.tics_per_step != 0)
    if off.any():
        bad = float(t[off][0] + min_delay)
        raise NetworkError(
            f"DCSource: time {bad} ms less min_delay {min_delay} ms is not a "
            f"multiple of the time step {grid.dt} ms (NEST refuses it); give times "
            f"on the step grid, e.g. {grid.step_floor_ms(bad)} ms"
        )
    steps = np.where(finite, tics // grid.tics_per_step, np.inf)
    return float(steps[0]), float(steps[1])


def step_changes(
    times: np.ndarray,
    amplitudes: np.ndarray,
    *,
    min_delay: float,
    delay_steps: int,
    grid: TimeGrid,
) -> tuple[np.ndarray, np.ndarray]:
    """Return the grid times (ms) and amplitudes (nA) of a ``StepCurrentSource``.

    Parameters
    ----------
    times
        PyNN change times, ms, shape ``(k,)``.
    amplitudes
        Current from each time on, nA, shape ``(k,)``.
    min_delay, delay_steps, grid
        As :func:`dc_changes`.

    Returns
    -------
    times, amplitudes
        The changes as NEST applies them (some merged or dropped, see the module
        docstring), strictly increasing grid times.

    Raises
    ------
    NetworkError
        If the arrays differ in length, hold a non-finite value, a time is negative,
        or the times are not strictly increasing (pyNN.nest: ``ValueError``).
    """
    t = np.array(times, dtype=float).reshape(-1)
    a = np.array(amplitudes, dtype=float).reshape(-1)
    check_changes(t, a, "StepCurrentSource")
    if t.size and t.min() < 0:
        raise NetworkError(
            f"StepCurrentSource: time {t.min()} ms is negative; give times >= 0"
        )
    if t.size > 1 and np.diff(t).min() <= 0:
        raise NetworkError(
            f"StepCurrentSource: times {t.tolist()} ms are not strictly increasing; "
            "sort them and merge repeated times"
        )
    if not t.size:
        return t, a
    c = _corrected(t, min_delay)
    ctr = int(np.searchsorted(c, grid.dt, side="right")) - 1
    if ctr >= 0:  # the amplitude in force at the first step NEST can change
        c[ctr] = grid.dt
        c, a = c[ctr:], a[ctr:]
    c = grid.stamp_ms(grid.steps_of(c))
    unique, first_reversed = np.unique(c[::-1], return_index=True)
    a = a[c.size - 1 - first_reversed]  # of equal times, the last amplitude
    stamps = ms_to_tics(unique) // grid.tics_per_step
    return _grid_ms(stamps + delay_steps, grid), a
