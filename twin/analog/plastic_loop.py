"""Short-term plasticity in the time loop (:mod:`twin.analog.kernel`).

A block's external events counted per step and unit, and one step's delivery through
every kind's plastic synapses; the synapses' dynamics are in
:mod:`twin.analog.short_term`.
"""

from __future__ import annotations

import jax.numpy as jnp
from jax import Array

from twin.analog.loop_types import Static
from twin.analog.short_term import StpTables, deliver_plastic

__all__ = ["block_counts", "plastic_step"]


def block_counts(
    poisson: tuple[Array, Array, Array],
    timed: tuple[Array, Array, Array],
    tables: StpTables | None,
    units: tuple[int, int],
    block_steps: int,
) -> tuple[Array | None, Array | None]:
    """Count a block's external events per step and unit (for the plastic synapses).

    Parameters
    ----------
    poisson
        The block's Poisson events: source, step in the block and validity,
        ``(nb, capacity)`` each.
    timed
        The block's spike-time events, the same, ``(e,)`` each (shared by variants).
    tables
        The plastic synapses' tables (a kind without any: no count).
    units
        The numbers of Poisson and of spike-time sources.
    block_steps
        Steps per block.

    Returns
    -------
    poisson, timed
        Events per step and source, ``(block_steps, nb, units[0])`` and
        ``(block_steps, units[1])`` (``None`` for a kind without plastic synapses).
    """
    assert tables is not None  # only called with plastic synapses
    counted: list[Array | None] = [None, None]
    if tables.poisson is not None:
        source, step, valid = poisson
        variant = jnp.arange(source.shape[0])[:, None]
        zeros = jnp.zeros((source.shape[0], block_steps, units[0]), jnp.int32)
        per = zeros.at[variant, step, source].add(valid.astype(jnp.int32), mode="drop")
        counted[0] = jnp.moveaxis(per, 1, 0)
    if tables.times is not None:
        source, step, valid = timed
        zeros = jnp.zeros((block_steps, units[1]), jnp.int32)
        counted[1] = zeros.at[step, source].add(valid.astype(jnp.int32), mode="drop")
    return counted[0], counted[1]


def plastic_step(
    buf: Array,
    states: tuple,
    tables: StpTables | None,
    counts: tuple[Array | None, ...],
    step: Array,
    s: Static,
) -> tuple[Array, tuple]:
    """Deliver one step's events through the plastic synapses of every kind.

    Parameters
    ----------
    buf
        The ring buffer, shape ``(nb, slots, 2n)``.
    states
        One :class:`StpState` per kind (``None`` where the kind has no table).
    tables
        The plastic synapses.
    counts
        The step's events per unit: the neurons' spikes ``(nb, n)`` (bool), the
        Poisson sources' ``(nb, m)`` and the spike-time sources' ``(m',)``
        (``None`` for a kind without a table).
    step
        The step; its events are stamped ``step + 1``.
    s
        The loop's settings (``dt``, ``slots``; ``spike_chunk``: rows per pass of
        :func:`deliver_plastic`).

    Returns
    -------
    buf, states
        The buffer with the released weights added and the new states.
    """
    assert tables is not None  # only called with plastic synapses
    nb = buf.shape[0]
    new = []
    for table, state, count in zip(tables, states, counts, strict=True):
        if table is None or count is None:
            new.append(state)
            continue
        count = jnp.broadcast_to(count, (nb, count.shape[-1]))
        buf, state = deliver_plastic(
            buf, state, table, count, step + 1, s.dt, s.slots, s.spike_chunk
        )
        new.append(state)
    return buf, tuple(new)
