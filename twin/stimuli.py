"""Current stimuli of a network: piecewise-constant currents injected into neurons.

A :class:`CurrentStimulus` is what a PyNN ``StepCurrentSource`` or ``DCSource``
becomes once its times are on the step grid: from ``times[j]`` on, every target neuron
receives ``amplitudes[j]`` nA on top of its ``i_offset``; before ``times[0]`` it
receives nothing.
A DC pulse from ``start`` to ``stop`` is the two steps ``(start, amplitude)`` and
``(stop, 0)`` (:meth:`CurrentStimulus.dc`).

Timing (NEST's, :mod:`twin.timegrid`). A change at the grid time ``t = k dt`` acts in
the integration steps from ``t`` on: the membrane potential at ``t`` does not feel it,
the one at ``t + dt`` does. This is what NEST gives for a ``step_current_generator``
amplitude time ``t - d`` connected with delay ``d``: the generator sends the new
amplitude one step ahead (``curr_time + 1 == stamp``), the event arrives after the
delay, and the neuron applies a current one step after its arrival
(``B_.I_stim_ = B_.currents_.get_value(lag)`` at the end of the update of
``iaf_cond_exp``/``aeif_cond_exp``) [NEST ``models/step_current_generator.cpp``,
``models/iaf_cond_exp.cpp``; checked against the installed NEST 3.10]. pyNN.nest
subtracts ``min_delay`` from a PyNN time and connects with delay ``min_delay``, so a
PyNN time ``t`` acts from ``t`` on; the exceptions at the start of a run are
:mod:`twin.pynn.electrode_times`'.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twin.errors import NetworkError

__all__ = ["CurrentStimulus", "check_changes"]


def check_changes(times: np.ndarray, amplitudes: np.ndarray, context: str) -> None:
    """Raise unless ``times`` (ms) and ``amplitudes`` (nA) pair up and are finite.

    Raises
    ------
    NetworkError
        If the arrays (shape ``(k,)``) differ in length or hold a non-finite value.
    """
    if times.size != amplitudes.size:
        raise NetworkError(
            f"{context}: {times.size} times but {amplitudes.size} amplitudes; "
            "give one amplitude per time"
        )
    if not (np.isfinite(times).all() and np.isfinite(amplitudes).all()):
        raise NetworkError(
            f"{context}: times {times.tolist()} ms and amplitudes "
            f"{amplitudes.tolist()} nA must be finite"
        )


def _vector(values: object, dtype: type, name: str, context: str) -> np.ndarray:
    """Return ``values`` as a read-only 1-D array of ``dtype``.

    Raises
    ------
    NetworkError
        If ``values`` is not numeric or not one-dimensional.
    """
    try:
        arr: np.ndarray = np.array(values, dtype=dtype, copy=True)
    except (TypeError, ValueError):
        raise NetworkError(
            f"{context}: {name} = {values!r} is not numeric; give a list of numbers"
        ) from None
    if arr.ndim != 1:
        raise NetworkError(
            f"{context}: {name} has shape {arr.shape}; give a flat list of values"
        )
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class CurrentStimulus:
    """A step-wise constant current into some neurons of one population.

    Parameters
    ----------
    name
        Unique name among the network's stimuli.
    population
        Name of the target population.
    index
        Positions of the target neurons in the population, shape ``(m,)``, distinct.
    times
        Times at which the current changes, ms, shape ``(k,)``, strictly increasing
        and ``>= 0``; on the network's step grid (checked by
        :class:`twin.network.Network`). The current is 0 before ``times[0]``.
    amplitudes
        Current from each time on, nA, shape ``(k,)``.

    Raises
    ------
    NetworkError
        If an index is negative or repeated, a time is not finite, negative or not
        after the one before, an amplitude is not finite, or ``times`` and
        ``amplitudes`` differ in length.

    Examples
    --------
    >>> pulse = CurrentStimulus.dc("pulse", "exc", [0, 1], 0.5, start=10.0, stop=20.0)
    >>> pulse.times.tolist(), pulse.amplitudes.tolist()
    ([10.0, 20.0], [0.5, 0.0])
    """

    name: str
    population: str
    index: np.ndarray
    times: np.ndarray
    amplitudes: np.ndarray

    def __post_init__(self) -> None:
        context = f"current stimulus {self.name!r}"
        index = _vector(self.index, np.int64, "index", context)
        times = _vector(self.times, np.float64, "times", context)
        amplitudes = _vector(self.amplitudes, np.float64, "amplitudes", context)
        if index.size and (index.min() < 0 or np.unique(index).size != index.size):
            raise NetworkError(
                f"{context}: index {index.tolist()} has a negative or repeated "
                "entry; give each target neuron's position once"
            )
        check_changes(times, amplitudes, context)
        if times.size and (times[0] < 0 or np.any(np.diff(times) <= 0)):
            raise NetworkError(
                f"{context}: times {times.tolist()} ms must be >= 0 and strictly "
                "increasing; sort them and merge repeated times"
            )
        for key, arr in (
            ("index", index),
            ("times", times),
            ("amplitudes", amplitudes),
        ):
            object.__setattr__(self, key, arr)

    @classmethod
    def dc(
        cls,
        name: str,
        population: str,
        index: object,
        amplitude: float,
        start: float = 0.0,
        stop: float = float("inf"),
    ) -> CurrentStimulus:
        """Return a constant current ``amplitude`` (nA) from ``start`` to ``stop`` (ms).

        An infinite ``stop`` keeps the current on to the end of every run.

        Raises
        ------
        NetworkError
            If the times are not finite, ``0 <= start < stop`` (an infinite stop
            excepted), or the amplitude is not finite.
        """
        if np.isinf(stop) and stop > 0:
            times, amplitudes = [start], [amplitude]
        else:
            times, amplitudes = [start, stop], [amplitude, 0.0]
        return cls(
            name=name,
            population=population,
            index=np.asarray(index),
            times=np.asarray(times, dtype=float),
            amplitudes=np.asarray(amplitudes, dtype=float),
        )

    @property
    def size(self) -> int:
        """Number of target neurons."""
        return int(self.index.size)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CurrentStimulus):
            return NotImplemented
        return (self.name, self.population) == (other.name, other.population) and all(
            np.array_equal(getattr(self, k), getattr(other, k))
            for k in ("index", "times", "amplitudes")
        )

    __hash__ = None  # type: ignore[assignment]
