"""Poisson sources drawn in blocks of time steps, from an explicit key.

For a block of ``b`` steps the events of all ``m`` sources are drawn at once, as one
Poisson process of the summed rate split among the sources (superposition): the number
of events is Poisson with mean ``sum_i r_i · dt · b``; each event gets a uniform step
and a source chosen with probability ``r_i / sum_j r_j`` (a uniform 32-bit integer
against the cumulative shares, computed in float64). This is exactly a set of
independent Poisson processes with counts per step, as NEST's ``poisson_generator``, for
any mixture of rates, and costs a few vectorised draws per block instead of ``m``
uniforms per step. When all rates are equal the source is a uniform integer (no search).

A generator with a window (``start``/``stop``) keeps only the events of the steps in
its window: thinning a Poisson process by a fixed set of times leaves a Poisson process
on those times, so the draws (and every other generator's events) are those of the
unwindowed run.

A variant's draws depend on its key and its rates only, never on the capacity (how
many candidate events a block holds, shared by a batch): the count comes from a key
of its own, and the candidates in pieces of :data:`PIECE`, piece ``i`` from the block's
key folded with ``i``, so a larger capacity only appends pieces. The capacity is sized
for the batch's summed rate (mean + 10 sd + 16, whole pieces); the overflow counter
lets :func:`twin.analog.simulate_batch` detect the (astronomically rare) block that
exceeds it and run again with a larger one: no event is lost, and no variant of the
batch, the overflowing one included, draws anything else than it would alone.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import jax.random as jr
import numpy as np
from jax import Array

__all__ = [
    "NEVER",
    "PIECE",
    "BlockEvents",
    "PoissonRates",
    "block_capacity",
    "poisson_block",
    "rates_of",
]


class BlockEvents(NamedTuple):
    """Events of one block: source index, step within the block, validity."""

    source: Array  # (capacity,) int32
    step: Array  # (capacity,) int32
    valid: Array  # (capacity,) bool
    overflow: Array  # () int32: events beyond the capacity (reported, never kept)


class PoissonRates(NamedTuple):
    """Rates of the Poisson sources and how an event picks its source."""

    rate: Array  # (m,) Hz per source
    total: Array  # () summed rate, Hz
    threshold: Array  # (m,) uint32: cumulative share of the summed rate, × 2**32
    first: Array  # (m,) int32: first step (0-based) in which the generator is active
    last: Array  # (m,) int32: first step after its window (2**31 - 1: never stops)


#: ``last`` of a generator that never stops.
NEVER = 2**31 - 1

#: Candidate events drawn from one key: a block's capacity is a whole number of
#: pieces, and piece ``i`` is drawn from the block's key folded with ``i``.
PIECE = 64


def rates_of(
    rate: np.ndarray,
    dtype: type,
    window: tuple[np.ndarray, np.ndarray] | None = None,
) -> PoissonRates:
    """Return the :class:`PoissonRates` of a rate array (Hz, shape ``(m,)``).

    ``window`` is ``(start, stop)`` of each generator in steps counted from the run's
    first step (float; negative: before the run, ``stop`` may be inf; default: always
    active). A generator is active in the steps ``k`` of the run (the step from
    ``k·dt`` to ``(k+1)·dt``) with ``start < k <= stop``, its spikes
    stamped ``k + 1``: NEST's ``poisson_generator`` (``StimulationDevice::is_active``
    on ``T + lag``).

    The cumulative shares are computed in float64 and stored as 32-bit integer
    thresholds, so a source's probability of being picked is exact to 2**-32 of the
    summed rate whatever the emulator's precision (a float32 cumulative sum would
    quantise slow sources behind a large total).
    """
    rate = np.asarray(rate, dtype=float)
    total = float(rate.sum())
    share = np.cumsum(rate) / total if total > 0 else np.zeros(rate.size)
    threshold = np.minimum(np.floor(share * 2.0**32), 2.0**32 - 1).astype(np.uint32)
    if window is None:
        first, last = np.zeros(rate.size), np.full(rate.size, np.inf)
    else:
        first, last = window[0] + 1, window[1] + 1
    first, last = np.clip(first, -NEVER, NEVER), np.minimum(last, NEVER)
    return PoissonRates(
        jnp.asarray(rate, dtype),
        jnp.asarray(total, dtype),
        jnp.asarray(threshold),
        jnp.asarray(first.astype(np.int64), jnp.int32),
        jnp.asarray(last.astype(np.int64), jnp.int32),
    )


def block_capacity(total_rate_hz: float, dt: float, block_steps: int) -> int:
    """Return the static event capacity of a block: mean + 10 sd + 16, whole pieces.

    The capacity bounds the buffer only: the events drawn do not depend on it
    (:func:`poisson_block`).

    Parameters
    ----------
    total_rate_hz
        Summed rate of all sources, Hz (times the largest rate scale of the batch).
    dt
        Time step, ms.
    block_steps
        Steps per block.

    Returns
    -------
    int
        A positive multiple of :data:`PIECE`.
    """
    lam = total_rate_hz * dt * 1e-3 * block_steps
    events = int(np.ceil(lam + 10.0 * np.sqrt(lam) + 16))
    return -(-events // PIECE) * PIECE


def poisson_block(
    key: Array,
    rates: PoissonRates,
    rate_scale: Array,
    dt: float,
    block_steps: int,
    capacity: int,
    equal: bool,
) -> BlockEvents:
    """Draw one block of events of Poisson sources with ``rates * rate_scale`` (Hz).

    The events are the first ``count`` of an endless sequence of candidates fixed by
    ``key`` alone (drawn :data:`PIECE` at a time, piece ``i`` from ``key``'s events
    key folded with ``i``): any ``capacity >= count`` gives the same events, in the
    same order.

    Parameters
    ----------
    key
        PRNG key of this block.
    rates
        Source rates, Hz.
    rate_scale
        Factor on every rate (scalar).
    dt, block_steps, capacity
        Time step (ms), steps per block and event capacity (any positive number).
    equal
        All rates are equal: the source is drawn as a uniform integer.

    Returns
    -------
    BlockEvents
        ``capacity`` candidate events, the first ``count`` valid.
    """
    k_count, k_events = jr.split(key)
    m = rates.rate.shape[0]
    pieces = jnp.arange(-(-capacity // PIECE), dtype=jnp.uint32)
    piece_keys = jax.vmap(lambda i: jr.split(jr.fold_in(k_events, i)))(pieces)
    k_src, k_step = piece_keys[:, 0], piece_keys[:, 1]
    if equal:  # m * r is the summed rate; kept in this form (it fixes the draws)
        r_max = jnp.maximum(jnp.max(rates.rate * rate_scale), 1e-30)
        lam = m * r_max * dt * 1e-3 * block_steps
        draw = jax.vmap(lambda k: jr.randint(k, (PIECE,), 0, m, dtype=jnp.int32))
        source = draw(k_src).reshape(-1)[:capacity]
    else:
        lam = rates.total * rate_scale * dt * 1e-3 * block_steps
        u = jax.vmap(lambda k: jr.bits(k, (PIECE,), jnp.uint32))(k_src)
        pick = jnp.searchsorted(rates.threshold, u.reshape(-1)[:capacity], "right")
        source = jnp.minimum(pick, m - 1).astype(jnp.int32)
    count = jr.poisson(k_count, lam).astype(jnp.int32)
    draw = jax.vmap(lambda k: jr.randint(k, (PIECE,), 0, block_steps, jnp.int32))
    step = draw(k_step).reshape(-1)[:capacity]
    valid = jnp.arange(capacity) < count
    return BlockEvents(source, step, valid, jnp.maximum(count - capacity, 0))
