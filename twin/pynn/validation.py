"""What ``twin.pynn`` refuses at the call that gives it, before the session changes.

Every constructor, ``set`` and ``initialize`` of the backend checks its values here
first and changes the session only if they pass, so a refused call leaves no trace
(the next ``run`` sees the session as if the call had never been made). The errors
are the twin's (:class:`twin.errors.NetworkError`) and PyNN's at once, so a script
that catches ``pyNN.errors.InvalidParameterValueError`` or
``pyNN.errors.ConnectionError`` (what ``pyNN.nest`` raises) catches them too.

Delays are realised as NEST realises them: on the step grid (nearest step, halves
up; :meth:`twin.timegrid.TimeGrid.delay_steps`), ``steps · resolution`` ms (NEST's
``Time::delay_steps_to_ms``: 0.25 ms at 0.1 ms is 3 steps, 0.30000000000000004 ms).
A realised delay must be at least one step, and within the limits the user gave
``setup``, themselves put on the grid outwards (NEST's ``BadDelay``: "Delay must be
greater than or equal to min_delay", "smaller than or equal to max_delay"). With
``min_delay="auto"`` pyNN.nest 0.13 ignores a ``max_delay`` given alone (it sets
NEST's limits only with an explicit ``min_delay``) and with ``max_delay="auto"``
it caps delays at 10 ms; the twin enforces every limit the user set and none the
user did not.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from pyNN import errors as pynn_errors

from twin.errors import NetworkError
from twin.timegrid import TICS_PER_MS, TimeGrid, ms_to_tics

__all__ = [
    "InvalidConnectionError",
    "InvalidValueError",
    "checked_initial_values",
    "checked_weights",
    "limit_steps",
    "realised_delays",
    "step_ms",
]


class InvalidValueError(NetworkError, pynn_errors.InvalidParameterValueError):
    """A cell parameter or initial value the twin cannot run (PyNN's error too)."""


class InvalidConnectionError(NetworkError, pynn_errors.ConnectionError):
    """A weight or delay the twin cannot run (PyNN's ``ConnectionError`` too)."""


def limit_steps(value: float | str, grid: TimeGrid, upper: bool) -> int | None:
    """Return a delay limit given to ``setup`` in steps, or None for ``"auto"``.

    NEST puts the limits on the grid outwards: ``min_delay`` down to a whole step
    (0.15 ms at 0.1 ms is 1 step), ``max_delay`` up (0.34 ms is 4 steps).

    Parameters
    ----------
    value
        The limit, ms, or ``"auto"`` (no limit).
    grid
        The session's step grid.
    upper
        Whether ``value`` is the upper limit (``max_delay``: rounded up) or the
        lower one (``min_delay``: rounded down).

    Returns
    -------
    int or None
        The limit in whole steps; ``None`` for ``"auto"``.

    Raises
    ------
    ValueError
        If ``value`` is neither ``"auto"`` nor a number.

    Examples
    --------
    >>> grid = TimeGrid(0.1)
    >>> limit_steps(0.15, grid, upper=False), limit_steps(0.34, grid, upper=True)
    (1, 4)
    >>> limit_steps("auto", grid, upper=True) is None
    True
    """
    if value == "auto":
        return None
    tics = int(ms_to_tics(float(value)))
    return -(-tics // grid.tics_per_step) if upper else tics // grid.tics_per_step


def step_ms(steps: ArrayLike, grid: TimeGrid) -> np.ndarray:
    """Return ``steps`` in ms as NEST does (``steps · resolution``).

    Parameters
    ----------
    steps
        Whole numbers of steps, any shape (converted to int64).
    grid
        The session's step grid.

    Returns
    -------
    numpy.ndarray
        float64 times of the shape of ``steps``, ms: ``steps`` times the resolution
        in ms (``tics_per_step / TICS_PER_MS``), computed as NEST computes it.
    """
    return np.asarray(steps, dtype=np.int64) * (grid.tics_per_step / TICS_PER_MS)


def realised_delays(
    delays: ArrayLike,
    grid: TimeGrid,
    min_delay: float | str = "auto",
    max_delay: float | str = "auto",
    context: str = "projection",
) -> np.ndarray:
    """Return delays as NEST realises them, ms; raise for one it refuses.

    Parameters
    ----------
    delays
        Requested delays, ms, any shape.
    grid
        The session's step grid.
    min_delay, max_delay
        The limits given to ``setup``, ms, or ``"auto"`` (no limit); on the grid
        as :func:`limit_steps` puts them.
    context
        What the delays belong to, for the message.

    Returns
    -------
    numpy.ndarray
        float64 delays of the shape of ``delays``: ``steps · resolution`` ms.

    Raises
    ------
    InvalidConnectionError
        If a delay is not finite, rounds to fewer than one step, or lies outside
        the limits.

    Examples
    --------
    >>> realised_delays([0.05, 0.25, 1.04], TimeGrid(0.1)).tolist()
    [0.1, 0.30000000000000004, 1.0]
    """
    d = np.asarray(delays, dtype=float)
    if d.size and not np.all(np.isfinite(d)):
        bad = float(d[~np.isfinite(d)].flat[0])
        raise InvalidConnectionError(f"{context}: delay {bad} ms; give finite delays")
    steps = grid.delay_steps(d)
    if not d.size:
        return step_ms(steps, grid)
    if steps.min() < 1:
        bad = float(d.flat[int(np.argmin(steps))])
        raise InvalidConnectionError(
            f"{context}: delay {bad} ms rounds to 0 steps of {grid.dt} ms (NEST's "
            f"BadDelay); use delays >= {grid.dt} ms"
        )
    low = limit_steps(min_delay, grid, upper=False)
    high = limit_steps(max_delay, grid, upper=True)
    for limit, wrong, name, word in (
        (low, low is not None and steps < low, "min_delay", "below"),
        (high, high is not None and steps > high, "max_delay", "above"),
    ):
        if limit is not None and np.any(wrong):
            i = int(np.flatnonzero(wrong)[0])
            raise InvalidConnectionError(
                f"{context}: delay {float(d.flat[i])} ms (realised "
                f"{float(step_ms(steps.flat[i], grid)):g} ms on the {grid.dt} ms grid) "
                f"is {word} {name} = {float(step_ms(limit, grid)):g} ms set in setup "
                f"(NEST's BadDelay); change the delay or the {name} given to setup"
            )
    return step_ms(steps, grid)


def checked_weights(
    weights: ArrayLike, context: str, negative: bool = False
) -> np.ndarray:
    """Return weights as floats; raise for one the twin's ``Network`` refuses.

    Parameters
    ----------
    weights
        Weights, µS (conductance-based cells) or nA (current-based), any shape.
    context
        What the weights belong to, for the message (e.g. ``"projection 'exc'"``).
    negative
        The weights are inhibitory currents onto current-based cells, which PyNN
        requires to be <= 0 (``pyNN.standardmodels.check_weights``); otherwise they
        must be >= 0.

    Returns
    -------
    numpy.ndarray
        The weights as float64, of the shape of ``weights``.

    Raises
    ------
    InvalidConnectionError
        If a weight is NaN or infinite, or of the wrong sign (weights are
        conductances or excitatory currents, >= 0, with ``receptor_type=
        "inhibitory"`` for inhibition; inhibitory currents are <= 0), as
        :class:`twin.network.Network`.
    """
    w = np.asarray(weights, dtype=float)
    if w.size and not np.all(np.isfinite(w)):
        bad = float(w[~np.isfinite(w)].flat[0])
        raise InvalidConnectionError(f"{context}: weight {bad}; give finite weights")
    if negative:
        if w.size and w.max() > 0:
            raise InvalidConnectionError(
                f"{context}: weight {float(w.max())} nA is positive; inhibitory "
                "weights onto current-based cells are negative currents (PyNN's "
                "rule)"
            )
        return w
    if w.size and w.min() < 0:
        raise InvalidConnectionError(
            f"{context}: weight {float(w.min())} is negative; weights are "
            "conductances (and excitatory currents), set receptor_type='inhibitory' "
            "instead (onto current-based cells with negative weights)"
        )
    return w


def checked_initial_values(values: Any, variable: str, context: str) -> np.ndarray:
    """Return initial values as floats; raise if one is not finite.

    Parameters
    ----------
    values
        Initial values of ``variable`` (mV for ``v``, nA for ``w``, µS for the
        conductances), a scalar or an array.
    variable
        The state variable's name, for the message.
    context
        What the values belong to, for the message (e.g. ``"population 'exc'"``).

    Returns
    -------
    numpy.ndarray
        The values as float64, of the shape of ``values``.

    Raises
    ------
    InvalidValueError
        If a value is NaN or infinite (the emulator starts every cell from a
        finite state).
    """
    array = np.asarray(values, dtype=float)
    if not np.all(np.isfinite(array)):
        bad = float(array[~np.isfinite(array)].flat[0])
        raise InvalidValueError(
            f"{context}: initial {variable} = {bad}; give finite initial values"
        )
    return array
