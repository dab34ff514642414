"""A block's external input: its Poisson events drawn, its spike-time events, delivered.

At a block's start the Poisson events of the whole block (one key per variant, folded
with the block index) and the block's spike-time events are delivered into the ring
buffer in one scatter-add each (:mod:`twin.analog.scatter`).
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
from jax import Array, lax

from twin.analog.loop_types import Batch, Static, TimedEvents
from twin.analog.poisson import BlockEvents, PoissonRates, poisson_block
from twin.analog.scatter import deliver_events
from twin.analog.tables import Tables

__all__ = ["external_input"]


def external_input(
    buf: Array,
    tables: Tables,
    rates: PoissonRates,
    batch: Batch,
    timed: TimedEvents,
    block: Array,
    s: Static,
) -> tuple[Array, Array, Array, BlockEvents]:
    """Draw and deliver the external events of block ``block``.

    Poisson events are kept inside their generators' windows (or, from rest, out of
    the session's first step) and, for a run to be continued, out of the steps after
    ``n_steps``.

    Parameters
    ----------
    buf
        The ring buffer, shape ``(nb, slots, 2n)``.
    tables
        The push tables (``poisson``, ``times``).
    rates
        The Poisson generators' rates and windows.
    batch
        The variants' rate scales and keys.
    timed
        The spike-time events per block.
    block
        The block's index.
    s
        The loop's settings.

    Returns
    -------
    buf, delivered, overflow, events
        The ring buffer with the events added, the Poisson events delivered per
        variant ``(nb,)``, those beyond the block capacity ``(nb,)``, and the
        block's Poisson events (source, step, valid; ``(nb, capacity)`` each).
    """
    nb = batch.g_scale.shape[0]
    t0 = block * s.block_steps
    keys = jax.vmap(lambda k: jax.random.fold_in(k, block))(batch.key)
    draw = partial(
        poisson_block,
        dt=s.dt,
        block_steps=s.block_steps,
        capacity=s.capacity,
        equal=s.equal_rates,
    )
    ev = jax.vmap(draw, in_axes=(0, None, 0))(keys, rates, batch.rate_scale)
    k = t0 + ev.step
    if s.windowed:  # keep each generator's events inside its window
        inside = (k >= rates.first[ev.source]) & (k < rates.last[ev.source])
        ev = ev._replace(valid=ev.valid & inside)
    elif s.from_rest:  # NEST's generators never fire in the session's first step
        ev = ev._replace(valid=ev.valid & (k > 0))
    if s.keep_final:  # events stamped after the run belong to the next one
        ev = ev._replace(valid=ev.valid & (t0 + ev.step + 1 <= s.n_steps))
    buf = deliver_events(buf, tables.poisson, ev.source, t0 + ev.step + 1, ev.valid, s)
    src = lax.dynamic_index_in_dim(timed.source, block, keepdims=False)
    stp = lax.dynamic_index_in_dim(timed.step, block, keepdims=False)
    ok = lax.dynamic_index_in_dim(timed.valid, block, keepdims=False)
    shape = (nb, src.shape[0])
    buf = deliver_events(
        buf,
        tables.times,
        jnp.broadcast_to(src, shape),
        jnp.broadcast_to(t0 + stp + 1, shape),
        jnp.broadcast_to(ok, shape),
        s,
    )
    return buf, jnp.sum(ev.valid, axis=1, dtype=jnp.int32), ev.overflow, ev
