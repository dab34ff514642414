"""Current stimuli in the emulator: a table of amplitude changes, summed per step.

Each stimulus of the network (:class:`twin.stimuli.CurrentStimulus`) contributes its
changes ``(step, amplitude)`` and its targets ``(stimulus, neuron)``. In step ``k`` a
stimulus delivers the amplitude of its last change with ``step <= k`` (0 before its
first), and every neuron receives the sum over the stimuli that target it, added to
its ``i_offset`` (:func:`injected`). The amplitudes are looked up, not accumulated
from differences, so a current returns to exactly 0 and equals the given value to the
last bit. Step ``k`` integrates from ``k dt`` to ``(k + 1) dt``: a change at ``t``
acts from the step that starts at ``t`` (NEST's timing, :mod:`twin.stimuli`).

The cost per step is one comparison per change and two segment reductions, with no
host callback; a network without stimuli does not trace this path at all
(``Static.stimulated``).
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import Array

from twin.network import Network
from twin.timegrid import TimeGrid

__all__ = ["CurrentTable", "current_table", "injected"]

_INT32 = np.iinfo(np.int32)


class CurrentTable(NamedTuple):
    """Amplitude changes and targets of all stimuli (stimuli without a change: none)."""

    step: Array  # (c,) int32: step of each change, increasing within a stimulus
    stimulus: Array  # (c,) int32: stimulus of each change, 0..c-1
    amplitude: Array  # (c,) float: current from that step on, nA
    source: Array  # (m,) int32: stimulus of each (stimulus, neuron) pair
    target: Array  # (m,) int32: global neuron id of each pair


def current_table(
    network: Network, dt: float, offset_steps: int = 0, dtype: type = jnp.float32
) -> CurrentTable:
    """Build the table of ``network``'s stimuli for a run that starts at a session step.

    Parameters
    ----------
    network
        The network; its stimuli's times are session times on the step grid.
    dt
        Time step, ms.
    offset_steps
        Session step of the run's first step: a change at session step ``k`` is
        run step ``k - offset_steps`` (earlier changes are in force from the start).
    dtype
        Float type of the amplitudes.

    Returns
    -------
    CurrentTable
        Changes clipped to the int32 range (a change after the run never acts).

    Raises
    ------
    ConfigError
        If ``dt`` is not a positive multiple of NEST's tic or a stimulus time is off
        its step grid.
    """
    grid = TimeGrid(dt)
    steps, stimulus, amplitude, source, target = [], [], [], [], []
    k = 0
    for stim in network.stimuli:
        if not stim.times.size or not stim.size:
            continue
        context = f"current stimulus {stim.name!r}"
        run_steps = grid.device_steps(stim.times, context) - offset_steps
        steps.append(np.clip(run_steps, _INT32.min, _INT32.max))
        stimulus.append(np.full(stim.times.size, k))
        amplitude.append(stim.amplitudes)
        source.append(np.full(stim.size, k))
        target.append(network.offset(stim.population) + stim.index)
        k += 1

    def flat(parts: list[np.ndarray], kind: type) -> np.ndarray:
        return np.concatenate(parts).astype(kind) if parts else np.zeros(0, kind)

    return CurrentTable(
        step=jnp.asarray(flat(steps, np.int32)),
        stimulus=jnp.asarray(flat(stimulus, np.int32)),
        amplitude=jnp.asarray(flat(amplitude, np.float64), dtype),
        source=jnp.asarray(flat(source, np.int32)),
        target=jnp.asarray(flat(target, np.int32)),
    )


def injected(table: CurrentTable, step: Array, n: int) -> Array:
    """Return the stimulus current of every neuron in step ``step``, nA, shape ``(n,)``.

    Each stimulus delivers the amplitude of its last change at or before ``step``
    (0 before its first); a neuron receives the sum over the stimuli that target it.
    """
    c = table.step.shape[0]
    active = step >= table.step
    last = jax.ops.segment_max(
        jnp.where(active, jnp.arange(c), -1), table.stimulus, num_segments=c
    )
    value = jnp.where(last >= 0, table.amplitude[jnp.maximum(last, 0)], 0.0)
    return jax.ops.segment_sum(value[table.source], table.target, num_segments=n)
