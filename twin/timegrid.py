"""NEST's time grid: how every time the twin takes in becomes a whole number of steps.

NEST represents time in *tics* (0.001 ms by default) and advances in steps of
``tics_per_step`` tics. Each kind of time is put on the step grid by its own rule
(NEST 3: ``nestkernel/nest_time.h``, ``nest_time.cpp``, ``models/spike_generator.cpp``):

- any time ``t``: tics = trunc(t · 1000 + 0.5) (``Time(Time::ms(t))``);
- refractory period: its tics, then whole steps rounded **up** (``get_steps``);
- delay: floor(d · steps_per_ms + 0.5), the nearest step, halves up
  (``delay_ms_to_steps``);
- spike time: on the tic grid, its own step; otherwise the end of the step it lies in
  (``Time::ms_stamp``, as ``spike_generator`` with off-grid times allowed);
- run length: must be a whole, positive number of steps (``Simulate``);
- device window (a generator's start and stop): a whole number of steps, else an
  error (``Device::set_status``: "start must be a multiple of the simulation
  resolution").

The delay rule multiplies by ``steps_per_ms`` (10.0 at 0.1 ms) instead of dividing by
``dt``: 0.15 / 0.1 = 1.4999999999999998 would round down, 0.15 · 10.0 = 1.5 rounds up to
2 steps, as NEST. Every module that turns milliseconds into steps goes through a
:class:`TimeGrid`, so the emulator, the hardware tier and the NEST backend agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from twin.errors import ConfigError, NetworkError

__all__ = ["TICS_PER_MS", "TimeGrid", "ms_to_tics"]

#: NEST's default time representation: 1000 tics per ms (``TICS_PER_MS_DEFAULT``).
TICS_PER_MS: int = 1000


def ms_to_tics(t: ArrayLike) -> np.ndarray:
    """Return NEST's tic count of times ``t`` (ms): ``trunc(t · 1000 + 0.5)``.

    Parameters
    ----------
    t
        Times, ms, any shape.

    Returns
    -------
    numpy.ndarray
        int64 tics, same shape (the C cast truncates towards zero, as NEST).
    """
    return np.trunc(np.asarray(t, dtype=float) * TICS_PER_MS + 0.5).astype(np.int64)


@dataclass(frozen=True, slots=True)
class TimeGrid:
    """The step grid of a run with resolution ``dt``.

    Parameters
    ----------
    dt
        Resolution, ms; a positive multiple of the tic (0.001 ms), as NEST requires.

    Raises
    ------
    ConfigError
        If ``dt`` is not finite, not positive or not a multiple of 0.001 ms.

    Examples
    --------
    >>> grid = TimeGrid(0.1)
    >>> grid.delay_steps([0.15, 0.35, 1.15]).tolist()
    [2, 4, 12]
    >>> grid.ceil_steps([2.0004, 2.1004, 0.30026]).tolist()
    [20, 21, 3]
    >>> grid.spike_stamps([10.01, 10.04, 10.05, 10.25]).tolist()
    [101, 101, 101, 103]
    """

    dt: float
    tics_per_step: int = field(init=False)

    def __post_init__(self) -> None:
        if not (np.isfinite(self.dt) and self.dt > 0):
            raise ConfigError(f"time step dt = {self.dt} ms; give a positive value")
        tics = int(ms_to_tics(self.dt))
        if tics < 1 or abs(tics - self.dt * TICS_PER_MS) > 1e-6:
            raise ConfigError(
                f"time step dt = {self.dt} ms is not a multiple of NEST's tic "
                f"({1 / TICS_PER_MS} ms); use e.g. 0.1 or 0.05"
            )
        object.__setattr__(self, "tics_per_step", tics)

    @property
    def steps_per_ms(self) -> float:
        """Steps per ms, computed as NEST does (``1 / (tics_per_step / 1000)``)."""
        return 1.0 / (self.tics_per_step / TICS_PER_MS)

    def ceil_steps(self, t: ArrayLike) -> np.ndarray:
        """Return whole steps covering ``t`` ms, rounded up (refractory periods).

        NEST's ``Time(Time::ms(t)).get_steps()``: 2.0004 ms at 0.1 ms is 2000 tics,
        20 steps (not 21).
        """
        tics = ms_to_tics(t)
        return -(-tics // self.tics_per_step)

    def delay_steps(self, d: ArrayLike) -> np.ndarray:
        """Return delays ``d`` (ms) in steps: nearest step, halves up (NEST's rule)."""
        x = np.asarray(d, dtype=float) * self.steps_per_ms
        return np.floor(x + 0.5).astype(np.int64)

    def spike_stamps(self, t: ArrayLike) -> np.ndarray:
        """Return the step stamps of spike times ``t`` (ms) as NEST's spike_generator.

        A time on the tic grid that is a whole step keeps its step; any other time
        acts at the end of the step it lies in (``Time::ms_stamp``). A spike with stamp
        ``s`` is emitted at ``s · dt``; stamps below 1 are never emitted.
        """
        t = np.asarray(t, dtype=float)
        tics = ms_to_tics(t)
        on_grid = tics % self.tics_per_step == 0
        n = np.trunc(t * TICS_PER_MS).astype(np.int64)
        n -= n % self.tics_per_step
        back = (n // self.tics_per_step) * (self.tics_per_step / TICS_PER_MS)
        n = np.where(back < t, n + self.tics_per_step, n)
        return np.where(on_grid, tics, n) // self.tics_per_step

    def run_steps(self, t_stop: float) -> int:
        """Return the number of steps of a run of ``t_stop`` ms.

        Raises
        ------
        ConfigError
            If ``t_stop`` is not a positive whole number of steps (NEST's
            ``Simulate`` refuses such a time as well).
        """
        if not np.isfinite(t_stop):
            raise ConfigError(f"run time {t_stop} ms; give a finite time")
        tics = int(ms_to_tics(t_stop))
        if tics < self.tics_per_step or tics % self.tics_per_step:
            raise ConfigError(
                f"run time {t_stop} ms is not a positive multiple of the time step "
                f"{self.dt} ms; use e.g. {self.step_floor_ms(t_stop)} ms"
            )
        return tics // self.tics_per_step

    def device_steps(self, t: ArrayLike, context: str) -> np.ndarray:
        """Return a device's window times ``t`` (ms, >= 0) in steps; inf stays inf.

        Returns
        -------
        numpy.ndarray
            float64 steps of the shape of ``t`` (whole numbers, or ``inf``).

        Raises
        ------
        ConfigError
            If a finite time is not a whole number of steps (NEST refuses it too).
        """
        t = np.asarray(t, dtype=float)
        finite = np.isfinite(t)
        tics = ms_to_tics(np.where(finite, t, 0.0))
        off = finite & (tics % self.tics_per_step != 0)
        if off.any():
            bad = float(t[off].flat[0])
            raise ConfigError(
                f"{context}: time {bad} ms is not a multiple of the time step "
                f"{self.dt} ms; use e.g. {self.step_floor_ms(bad)} ms"
            )
        return np.where(finite, tics // self.tics_per_step, np.inf)

    def session_ms(self, steps: int) -> float:
        """Return the time of session step ``steps``, ms: ``steps · dt`` to 1e-9 ms.

        The rounding gives the grid time a user wrote (``3 · 0.1`` is ``0.3``, not
        ``0.30000000000000004``): the time a PyNN session reports and the lengths
        and offsets of its runs.

        Parameters
        ----------
        steps
            A whole number of steps.

        Returns
        -------
        float
            The time, ms.

        Examples
        --------
        >>> TimeGrid(0.1).session_ms(3)
        0.3
        """
        return round(steps * self.dt, 9)

    def stamp_ms(self, stamps: ArrayLike) -> np.ndarray:
        """Return the times of step stamps, ms: ``stamp · dt`` (NEST's spike times).

        A spike in step ``n`` has stamp ``n + 1`` and time ``(n + 1) · dt``, as NEST
        reports it; every spike time the twin returns is computed here.

        Parameters
        ----------
        stamps
            Whole step numbers, any shape.

        Returns
        -------
        numpy.ndarray
            float64 times, same shape.

        Examples
        --------
        >>> TimeGrid(0.1).stamp_ms([1, 3]).tolist()
        [0.1, 0.30000000000000004]
        """
        return np.asarray(stamps) * self.dt

    def steps_of(self, t: ArrayLike) -> np.ndarray:
        """Return the step numbers of grid times ``t`` (ms): ``rint(t / dt)``.

        For times that are on the grid (spike times ``stamp · dt`` the emulator
        returns, a run's length): the nearest whole step, halves to even.

        Parameters
        ----------
        t
            Times, ms, any shape.

        Returns
        -------
        numpy.ndarray
            int64 steps, same shape.

        Examples
        --------
        >>> TimeGrid(0.1).steps_of([0.30000000000000004, 2.0]).tolist()
        [3, 20]
        """
        return np.rint(np.asarray(t, dtype=float) / self.dt).astype(np.int64)

    def step_floor_ms(self, t: float) -> float:
        """Return the largest positive grid time <= ``t`` (at least one step), ms."""
        steps = max(int(ms_to_tics(t)) // self.tics_per_step, 1)
        return round(steps * self.tics_per_step / TICS_PER_MS, 6)

    def emitted_stamps(self, t: ArrayLike, context: str) -> np.ndarray:
        """Return the stamps of spike times ``t`` (ms); raise for a stamp below 1.

        Raises
        ------
        ConfigError
            If a time rounds to t = 0 on the tic grid: NEST would never emit it.
        """
        stamps = self.spike_stamps(t)
        if stamps.size and stamps.min() < 1:
            bad = float(np.asarray(t, dtype=float).reshape(-1)[np.argmin(stamps)])
            raise ConfigError(
                f"{context}: spike at {bad} ms rounds to t = 0 on NEST's tic grid "
                f"and is never emitted; give times >= {1 / TICS_PER_MS} ms"
            )
        return stamps

    def check_delays(self, d: ArrayLike, context: str) -> np.ndarray:
        """Return delays in steps; raise if one is shorter than one step.

        Raises
        ------
        NetworkError
            If a delay rounds to fewer than one step (NEST's ``BadDelay``).
        """
        steps = self.delay_steps(d)
        if steps.size and steps.min() < 1:
            bad = float(np.asarray(d, dtype=float).reshape(-1)[np.argmin(steps)])
            raise NetworkError(
                f"{context}: delay {bad} ms is shorter than the time step "
                f"{self.dt} ms; use delays >= {self.dt} ms"
            )
        return steps
