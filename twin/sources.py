"""Spike sources of a network: Poisson generators and explicit spike-time arrays."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twin.errors import NetworkError

__all__ = ["PoissonSource", "SpikeSource", "SpikeTimesSource"]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class PoissonSource:
    """Independent Poisson spike generators, one per source neuron.

    Parameters
    ----------
    name
        Unique name within the network.
    size
        Number of generators.
    rate
        Rate per generator, Hz: a scalar or an array of shape ``(size,)``.
    start, stop
        Active window per generator, ms: a scalar or an array of shape ``(size,)``
        (``stop`` may be ``inf``). As NEST's ``poisson_generator``, a generator
        emits in the steps that begin after ``start`` and no later than ``stop``
        (spikes stamped in ``(start + dt, stop + dt]``); both must lie on the run's
        step grid (checked by the emulator, which knows ``dt``).

    Raises
    ------
    NetworkError
        If ``size`` is zero or negative, a rate is negative or not finite, or a
        window is not ``0 <= start < stop``.
    """

    name: str
    size: int
    rate: np.ndarray | float
    start: np.ndarray | float = 0.0
    stop: np.ndarray | float = float("inf")

    def __post_init__(self) -> None:
        if self.size <= 0:
            raise NetworkError(f"source {self.name!r}: size {self.size} must be > 0")
        rate = np.array(
            np.broadcast_to(np.asarray(self.rate, dtype=float), (self.size,))
        )
        if not np.all(np.isfinite(rate)) or rate.min() < 0:
            raise NetworkError(
                f"source {self.name!r}: rates must be finite and >= 0 Hz, got "
                f"min {rate.min()}; fix the rate"
            )
        start, stop = (
            np.array(np.broadcast_to(np.asarray(x, dtype=float), (self.size,)))
            for x in (self.start, self.stop)
        )
        bad = ~((stop > start) & (start >= 0) & np.isfinite(start))
        if bad.any():
            i = int(np.argmax(bad))
            raise NetworkError(
                f"source {self.name!r}: generator {i} has window start={start[i]}, "
                f"stop={stop[i]} ms; need 0 <= start < stop"
            )
        for name, arr in (("rate", rate), ("start", start), ("stop", stop)):
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PoissonSource):
            return NotImplemented
        return (self.name, self.size) == (other.name, other.size) and all(
            np.array_equal(a, b)
            for a, b in (
                (self.rate, other.rate),
                (self.start, other.start),
                (self.stop, other.stop),
            )
        )

    __hash__ = None  # type: ignore[assignment]

    def expected_count(self, t_stop: float) -> np.ndarray:
        """Return the expected number of spikes per generator up to ``t_stop`` ms."""
        active = np.maximum(0.0, np.minimum(self.stop, t_stop) - self.start)
        return np.asarray(self.rate) * active * 1e-3


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class SpikeTimesSource:
    """Sources that emit given spike times (PyNN ``SpikeSourceArray``).

    Parameters
    ----------
    name
        Unique name within the network.
    spike_times
        One array of spike times (ms, sorted, > 0) per source neuron. A time off the
        step grid acts at the end of the step it lies in, as NEST's
        ``spike_generator`` (:meth:`twin.timegrid.TimeGrid.spike_stamps`).

    Raises
    ------
    NetworkError
        If a time is not finite or not > 0, a train is not sorted, or no train is
        given.
    """

    name: str
    spike_times: tuple[np.ndarray, ...]

    def __post_init__(self) -> None:
        trains = []
        for i, times in enumerate(self.spike_times):
            arr = np.array(times, dtype=float).reshape(-1)
            if arr.size and not np.all(np.isfinite(arr)):
                raise NetworkError(
                    f"source {self.name!r}: spike train {i} has a non-finite time; "
                    "give finite times in ms"
                )
            if arr.size and arr.min() <= 0:
                raise NetworkError(
                    f"source {self.name!r}: spike train {i} has a spike at "
                    f"{arr.min()} ms; spikes at or before t = 0 cannot be emitted "
                    "(as in NEST), give times > 0"
                )
            if np.any(np.diff(arr) < 0):
                raise NetworkError(
                    f"source {self.name!r}: spike train {i} is not sorted; sort the "
                    "times"
                )
            arr.setflags(write=False)
            trains.append(arr)
        if not trains:
            raise NetworkError(f"source {self.name!r}: give at least one spike train")
        object.__setattr__(self, "spike_times", tuple(trains))

    @property
    def size(self) -> int:
        """Number of source neurons."""
        return len(self.spike_times)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SpikeTimesSource):
            return NotImplemented
        return (
            self.name == other.name
            and self.size == other.size
            and all(
                np.array_equal(a, b)
                for a, b in zip(self.spike_times, other.spike_times, strict=True)
            )
        )

    __hash__ = None  # type: ignore[assignment]


SpikeSource = PoissonSource | SpikeTimesSource
