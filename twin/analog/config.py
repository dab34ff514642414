"""``SimConfig``: how the emulator runs a network (length, step, recording)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import jax
import numpy as np

from twin.analog.delivery import DELIVERIES
from twin.analog.fast import STEPS
from twin.errors import ConfigError
from twin.timegrid import TimeGrid, ms_to_tics

__all__ = ["SimConfig"]


@dataclass(frozen=True, slots=True, kw_only=True)
class SimConfig:
    """How to run a network.

    Parameters
    ----------
    t_stop
        Simulated biological time, ms: a positive multiple of ``dt`` (as NEST's
        ``Simulate``).
    dt
        Time step, ms: a positive multiple of NEST's tic, 0.001 ms.
    record
        ``(population, count)`` pairs: record the first ``count`` neurons (``None``:
        all) of each listed population. ``None`` records every neuron.
    trace
        ``(population, index)`` pairs whose membrane potential is stored every step.
    dtype
        ``"float32"`` (fast, default) or ``"float64"`` (needs ``jax_enable_x64``).
    v_init
        Initial membrane potential, mV (``None``: each neuron's v_rest).
    record_from
        Spikes and traces are recorded from this time on (ms, in [0, t_stop); rounded
        down to a block of external input); spike counts always cover the whole run.
    block_steps
        Steps per block of external input.
    spike_chunk
        Spikes delivered per inner iteration.
    record_poisson
        Also return every event of the Poisson generators
        (``SpikeRecording.poisson_events``).
    delivery
        How spikes and external events reach the ring buffer: ``"jax"`` (the pure-JAX
        reference, any device), ``"native"`` (C++ handlers built with the system
        compiler, :mod:`twin.analog.native`; CPU only; identical spikes) or
        ``"auto"`` (native on a CPU backend when it can be built, else JAX).
    step
        How a block of steps advances: ``"jax"`` (the pure-JAX reference, any
        device), ``"native"`` (one call of a C++ handler per block on a CPU,
        :mod:`twin.analog.fast`: identical spikes; an error where it does not apply)
        or ``"auto"`` (native where it applies, else JAX).
    offset
        Session time of the run's first step, ms (a multiple of ``dt``, default 0):
        a run that continues another (``simulate_batch(..., resume=)``) starts there.
        Spike times, Poisson windows and current steps are session times; the
        returned spike times and traces count from the run's own start.

    Raises
    ------
    ConfigError
        If ``dt`` is not a positive multiple of 0.001 ms, ``t_stop`` not a positive
        multiple of ``dt``, ``record_from`` outside [0, t_stop), an unknown dtype,
        float64 without 64-bit JAX, ``block_steps`` or ``spike_chunk`` below 1, or
        ``offset`` negative or off the step grid, or an unknown ``delivery`` or
        ``step``.
    """

    t_stop: float
    dt: float = 0.1
    record: tuple[tuple[str, int | None], ...] | None = None
    trace: tuple[tuple[str, int], ...] = ()
    dtype: Literal["float32", "float64"] = "float32"
    v_init: float | None = None
    record_from: float = 0.0
    block_steps: int = 100
    spike_chunk: int = 64
    record_poisson: bool = False
    offset: float = 0.0
    delivery: Literal["auto", "native", "jax"] = "auto"
    step: Literal["auto", "native", "jax"] = "auto"

    def __post_init__(self) -> None:
        grid = TimeGrid(self.dt)
        grid.run_steps(self.t_stop)  # a whole, positive number of steps
        if not self.offset >= 0:
            raise ConfigError(f"offset {self.offset} ms; give a time >= 0")
        grid.device_steps(self.offset, "offset")  # on the step grid
        if not (np.isfinite(self.record_from) and 0 <= self.record_from < self.t_stop):
            raise ConfigError(
                f"record_from {self.record_from} ms; give a time in [0, t_stop = "
                f"{self.t_stop}) ms"
            )
        if self.dtype not in ("float32", "float64"):
            raise ConfigError(f"dtype {self.dtype!r}; use 'float32' or 'float64'")
        if self.dtype == "float64" and not jax.config.read("jax_enable_x64"):
            raise ConfigError(
                "dtype 'float64' needs 64-bit JAX; set jax.config.update("
                "'jax_enable_x64', True) before simulating"
            )
        if self.block_steps < 1 or self.spike_chunk < 1:
            raise ConfigError("block_steps and spike_chunk must be >= 1")
        if self.delivery not in DELIVERIES:
            raise ConfigError(
                f"delivery {self.delivery!r}; use one of {', '.join(DELIVERIES)}"
            )
        if self.step not in STEPS:
            raise ConfigError(f"step {self.step!r}; use one of {', '.join(STEPS)}")

    @property
    def grid(self) -> TimeGrid:
        """The step grid of the run (NEST's rules, :mod:`twin.timegrid`)."""
        return TimeGrid(self.dt)

    @property
    def n_steps(self) -> int:
        """Number of time steps of the run (``t_stop`` is a whole number of them)."""
        return self.grid.run_steps(self.t_stop)

    @property
    def offset_steps(self) -> int:
        """Session step of the run's first step."""
        return int(self.grid.device_steps(self.offset, "offset"))

    @property
    def record_from_step(self) -> int:
        """First recorded step: ``record_from`` on the tic grid, rounded down."""
        return int(ms_to_tics(self.record_from)) // self.grid.tics_per_step
