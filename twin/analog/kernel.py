"""The compiled time loop: neurons, ring buffer, event delivery, recording.

Layout. A batch of ``nb`` variants of one network (same connectivity; per variant an
inhibitory weight scale, a Poisson rate scale and a key) is simulated together: neuron
state is ``(nb, n)``, the delay ring buffer ``(nb, slots, 2n)`` (excitatory columns
first, then inhibitory). Time advances in blocks of ``block_steps``: at a block's start
the Poisson and spike-time events of the whole block are delivered in one scatter-add;
then each step (i) moves the current ring-buffer slot into the conductances (inhibitory
ones × g scale) and clears it, (ii) advances the neurons, (iii) delivers this step's
spikes. Spikes of all variants are compacted together and delivered in chunks of
``spike_chunk`` by a ``while_loop``, so the cost follows the number of spikes and
nothing is ever dropped.

Timing convention (NEST's): a spike in step ``k`` has stamp ``k + 1``; an event with
stamp ``s`` and delay ``d`` steps raises the conductance at the start of step ``s + d``.

Continuing a run. With ``Static.keep_final`` the loop returns its state at step
``n_steps`` (:class:`Resume`: neuron state, the ring buffer's pending input rolled to
start at that step, the rate-limit queues): the steps past ``n_steps`` in the last
block leave it unchanged and no event stamped after ``n_steps`` is delivered. A run
given a ``Resume`` starts from it, so two runs continue one another exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
from jax import Array, lax

from twin.analog import native
from twin.analog.adex import NeuronState, adex_step_with, initial_state
from twin.analog.current import injected
from twin.analog.limits import StageArrays, admit
from twin.analog.params import NeuronParams
from twin.analog.poisson import BlockEvents, PoissonRates, poisson_block
from twin.analog.recording import pack_bits
from twin.analog.tables import PushTable, Tables

__all__ = [
    "Batch",
    "Carry",
    "KernelOutput",
    "Resume",
    "Static",
    "advance",
    "advance_sharded",
    "finish",
    "finish_sharded",
    "output",
    "start",
    "start_sharded",
]


class Batch(NamedTuple):
    """Per-variant values of a batch (leading axis ``nb``)."""

    g_scale: Array  # (nb,) factor on inhibitory weights
    rate_scale: Array  # (nb,) factor on Poisson rates
    key: Array  # (nb, 2) uint32 PRNG keys


class TimedEvents(NamedTuple):
    """Spike-time source events per block, shared by all variants."""

    source: Array  # (n_blocks, e) int32
    step: Array  # (n_blocks, e) int32
    valid: Array  # (n_blocks, e) bool


@dataclass(frozen=True, slots=True)
class Static:
    """Shape-determining settings of the compiled loop (a static jit argument)."""

    n: int  # neurons
    n_blocks: int
    block_steps: int
    n_steps: int  # steps actually simulated (the rest of the last block is masked)
    slots: (
        int  # ring-buffer length: a multiple of block_steps, > block_steps + max delay
    )
    dt: float
    spike_chunk: int
    capacity: int  # Poisson events per block and variant
    equal_rates: bool  # every Poisson source has the same rate
    record: tuple[int, ...]  # recorded neuron ids
    trace: tuple[int, ...]  # neuron ids whose V is traced
    exponential: bool  # some neuron has delta_T > 0 (AdEx); False: LIF only
    saturating: bool  # some neuron has a finite g_sat (hardware tier)
    record_from_block: int  # blocks before this one are not recorded (warm-up)
    n_stages: int = 0  # rate-limit stages applied to the spikes (0: none)
    windowed: bool = False  # some Poisson generator has a start/stop window
    keep_final: bool = False  # return the state at n_steps (a run to be continued)
    record_poisson: bool = False  # return every Poisson event (source, stamp)
    from_rest: bool = True  # the run starts at session step 0 (offset 0)
    stimulated: bool = False  # some neuron receives a current stimulus
    native: bool = False  # deliver with the native (C++) handlers, CPU only


class Resume(NamedTuple):
    """The state a run ends in and the next one starts from (leading axis ``nb``)."""

    state: NeuronState  # each leaf (nb, n)
    pending: Array  # (nb, p, 2n): input arriving at steps 0..p-1 of the next run
    queues: Array  # (nb, stages, groups) rate-limit queue contents
    step: int | None = None  # session step it was taken at (set by simulate_batch)


class KernelOutput(NamedTuple):
    """Raw outputs of the loop (JAX arrays, or numpy arrays after ``device_get``)."""

    words: Any  # (steps, nb, n_words) uint32: packed spikes from record_from_block on
    traces: Any  # (steps, nb, 4, n_trace) V, g_E, g_I, w of traced neurons
    counts: Any  # (nb, n) spikes per neuron
    poisson_events: Any  # (nb,) external events delivered
    overflow: Any  # (nb,) Poisson events beyond the block capacity
    limit_offered: Any  # (nb, stages, G + 1) spikes offered to each rate-limited group
    limit_dropped: Any  # (nb, stages, G + 1) spikes each group dropped
    first_nonfinite: Any  # (nb, n) first step with a non-finite V or w (-1: none)
    final: Any = None  # Resume at n_steps (with Static.keep_final), else None
    poisson: Any = None  # (blocks, nb, capacity) source, step, valid (record_poisson)


def _deliver(
    buf: Array,
    table: PushTable,
    units: Array,
    variant: Array,
    stamp: Array,
    weight_mask: Array,
    slots: int,
) -> Array:
    """Scatter-add the rows of ``units`` into ``buf`` (events with stamps ``stamp``)."""
    target = table.target[units]
    weight = table.weight[units] * weight_mask[..., None]
    slot = (stamp[..., None] + table.delay[units]) % slots
    return buf.at[variant[..., None], slot, target].add(weight, mode="drop")


def _deliver_events(
    buf: Array,
    table: PushTable,
    units: Array,
    stamps: Array,
    valid: Array,
    s: Static,
) -> Array:
    """Deliver a batch of events, shape ``(nb, e)`` each (native or reference)."""
    if s.native:
        return native.deliver_events(buf, units, stamps, valid, table)
    variant = jnp.broadcast_to(jnp.arange(units.shape[0])[:, None], units.shape)
    return _deliver(
        buf, table, units, variant, stamps, valid.astype(buf.dtype), s.slots
    )


def _deliver_spikes(
    buf: Array, spikes: Array, step: Array, table: PushTable, s: Static
) -> Array:
    """Deliver every spike of this step, ``spike_chunk`` at a time.

    ``lax.top_k`` picks up to ``spike_chunk`` of the remaining spikes (any order);
    on XLA:CPU it is ~7x cheaper than ``jnp.nonzero`` over the flattened batch. The
    loop repeats while spikes remain, so nothing is ever dropped.
    """
    if s.native:  # same additions in the same order, no compaction
        return native.deliver_spikes(buf, spikes, step + 1, table)
    flat = spikes.reshape(-1)
    k = min(s.spike_chunk, flat.size)

    def body(carry: tuple[Array, Array]) -> tuple[Array, Array]:
        buf, remaining = carry
        _, sel = lax.top_k(remaining.astype(jnp.float32), k)
        real = remaining[sel]
        unit = jnp.where(real, sel % s.n, s.n)  # row n is the all-zero padding row
        variant = sel // s.n
        stamp = jnp.full(sel.shape, step + 1)
        buf = _deliver(
            buf, table, unit, variant, stamp, real.astype(buf.dtype), s.slots
        )
        return buf, remaining.at[sel].set(False)

    buf, _ = lax.while_loop(lambda c: jnp.any(c[1]), body, (buf, flat))
    return buf


def _limit(
    spikes: Array, limits: StageArrays, queues: Array, s: Static
) -> tuple[Array, Array, Array, Array]:
    """Pass the spikes through the rate-limit stages in series."""
    offered, dropped = [], []
    new_queues = []
    for k in range(s.n_stages):
        stage = jax.tree_util.tree_map(lambda x, k=k: x[k], limits)
        spikes, q, off, drop = admit(spikes, queues[:, k], stage)
        new_queues.append(q)
        offered.append(off)
        dropped.append(drop)
    return (
        spikes,
        jnp.stack(new_queues, axis=1),
        jnp.stack(offered, axis=1),
        jnp.stack(dropped, axis=1),
    )


def _step(
    p: NeuronParams,
    decays: tuple[Array, Array],
    tables: Tables,
    g_scale: Array,
    limits: StageArrays,
    s: Static,
    record: bool,
    carry: tuple[NeuronState, Array, Array, Array, Array, Array, Array, Array],
    step: Array,
) -> tuple[tuple, tuple[Array, Array] | None]:
    # ``arriving`` (this step's slot) was read at the end of the previous step, after
    # its deliveries: then the ring buffer's only use before the in-place scatter is
    # the scatter itself, and XLA:CPU does not copy the buffer every step. Slots are
    # cleared a block at a time in ``run`` for the same reason.
    state, buf, counts, arriving, queues, offered, dropped, bad = carry
    before = (state, queues)
    state = state._replace(
        g_e=state.g_e + arriving[:, : s.n],
        g_i=state.g_i + g_scale[:, None] * arriving[:, s.n :],
    )
    if s.stimulated:  # current stimuli add to i_offset in this step
        p = p._replace(i_offset=p.i_offset + injected(tables.current, step, s.n))
    state, spikes = adex_step_with(
        state, p, s.dt, *decays, exponential=s.exponential, saturating=s.saturating
    )
    emitted = spikes & (step < s.n_steps)
    spikes = emitted
    if s.n_stages:
        spikes, queues, off, drop = _limit(emitted, limits, queues, s)
        offered, dropped = offered + off, dropped + drop
    buf = _deliver_spikes(buf, spikes, step, tables.neurons, s)
    arriving = lax.dynamic_index_in_dim(
        buf, (step + 1) % s.slots, axis=1, keepdims=False
    )
    if record:
        out = (_pack_recorded(spikes, s), _traced(state, arriving, g_scale, s))
    else:
        out = None
    counts = counts + emitted.astype(counts.dtype)
    finite = jnp.isfinite(state.v) & jnp.isfinite(state.w)
    bad = jnp.where((bad < 0) & ~finite & (step < s.n_steps), step, bad).astype(
        bad.dtype
    )
    if s.keep_final:  # the steps past the run leave the state as it was
        live = step < s.n_steps
        state, queues = jax.tree_util.tree_map(
            lambda new, old: jnp.where(live, new, old), (state, queues), before
        )
    return (state, buf, counts, arriving, queues, offered, dropped, bad), out


def _traced(state: NeuronState, arriving: Array, g_scale: Array, s: Static) -> Array:
    """V (mV), g_E, g_I (µS) and w (nA) of the traced neurons at the step's end.

    The conductances include the events that arrive at the next step's start, as
    NEST's ``iaf_cond_exp`` records them (events are added before its logging).
    """
    ids = jnp.asarray(s.trace, jnp.int32)
    g_e = state.g_e[:, ids] + arriving[:, ids]
    g_i = state.g_i[:, ids] + g_scale[:, None] * arriving[:, s.n + ids]
    return jnp.stack([state.v[:, ids], g_e, g_i, state.w[:, ids]], axis=1)


def _pack_recorded(spikes: Array, s: Static) -> Array:
    ids = s.record
    if ids and ids == tuple(range(ids[0], ids[0] + len(ids))):  # contiguous: a slice
        return pack_bits(spikes[:, ids[0] : ids[0] + len(ids)])
    return pack_bits(spikes[:, jnp.asarray(ids, jnp.int32)])


def _external(
    buf: Array,
    tables: Tables,
    rates: PoissonRates,
    batch: Batch,
    timed: TimedEvents,
    block: Array,
    s: Static,
) -> tuple[Array, Array, Array, BlockEvents]:
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
    buf = _deliver_events(buf, tables.poisson, ev.source, t0 + ev.step + 1, ev.valid, s)
    src = lax.dynamic_index_in_dim(timed.source, block, keepdims=False)
    stp = lax.dynamic_index_in_dim(timed.step, block, keepdims=False)
    ok = lax.dynamic_index_in_dim(timed.valid, block, keepdims=False)
    shape = (nb, src.shape[0])
    buf = _deliver_events(
        buf,
        tables.times,
        jnp.broadcast_to(src, shape),
        jnp.broadcast_to(t0 + stp + 1, shape),
        jnp.broadcast_to(ok, shape),
        s,
    )
    return buf, jnp.sum(ev.valid, axis=1, dtype=jnp.int32), ev.overflow, ev


class Carry(NamedTuple):
    """The loop's state between blocks (leading axis ``nb``; see :func:`start`)."""

    state: NeuronState  # each leaf (nb, n)
    buf: Array  # (nb, slots, 2n) ring buffer
    counts: Array  # (nb, n) spikes per neuron
    arriving: Array  # (nb, 2n) input of the next step (its slot, read already)
    limits: tuple[Array, Array, Array]  # queues, offered, dropped (nb, stages, G+1)
    bad: Array  # (nb, n) first step with a non-finite V or w (-1: none)
    n_ext: Array  # (nb,) external events delivered
    overflow: Array  # (nb,) Poisson events beyond the block capacity


def _start(
    params: NeuronParams,
    batch: Batch,
    limits: StageArrays,
    init: tuple[Array, Array] | Resume,
    s: Static,
) -> Carry:
    """Return the carry a run starts from.

    ``init`` is either the initial membrane potential (mV) and adaptation current (nA)
    of every neuron, shape ``(n,)`` each, shared by the variants (a run from rest), or
    the :class:`Resume` of the run this one continues (its ``pending`` no longer than
    ``slots - block_steps``).
    """
    nb = batch.g_scale.shape[0]
    dtype = params.v_rest.dtype
    buf = jnp.zeros((nb, s.slots, 2 * s.n), dtype)
    if isinstance(init, Resume):
        state = init.state
        buf = lax.dynamic_update_slice_in_dim(buf, init.pending, 0, axis=1)
    else:
        single = initial_state(params, *init)
        state = jax.tree_util.tree_map(
            lambda x: jnp.broadcast_to(x, (nb, *x.shape)), single
        )
    n_groups = limits.service.shape[-1]
    queues = (
        init.queues
        if isinstance(init, Resume)
        else jnp.zeros((nb, s.n_stages, n_groups), dtype)
    )
    limit_zeros = jnp.zeros((nb, s.n_stages, n_groups), jnp.int32)
    zeros = jnp.zeros(nb, jnp.int32)
    return Carry(
        state=state,
        buf=buf,
        counts=jnp.zeros((nb, s.n), jnp.int32),
        arriving=buf[:, 0],  # the input of step 0 (none in a run from rest)
        limits=(queues, limit_zeros, limit_zeros),
        bad=jnp.full((nb, s.n), -1, jnp.int32),
        n_ext=zeros,
        overflow=zeros,
    )


def _advance(
    params: NeuronParams,
    tables: Tables,
    rates: PoissonRates,
    batch: Batch,
    timed: TimedEvents,
    limits: StageArrays,
    carry: Carry,
    blocks: Array,
    s: Static,
    record: bool,
) -> tuple[Carry, Any]:
    """Simulate the blocks ``blocks`` (consecutive indices, shape ``(m,)``).

    Returns the new carry and, with ``record``, per step of the blocks the packed
    spikes ``(m * block_steps, nb, n_words)``, the traces ``(m * block_steps, nb, 4,
    n_trace)`` and (with ``Static.record_poisson``) the blocks' Poisson events.
    """
    nb = batch.g_scale.shape[0]
    dtype = params.v_rest.dtype
    decays = (
        jnp.exp(-s.dt / (2 * params.tau_syn_e)),
        jnp.exp(-s.dt / (2 * params.tau_syn_i)),
    )

    def block(carry: Carry, block_index: Array) -> tuple[Carry, Any]:
        # Clear the previous block's slots (read already, reused from now on).
        begin = ((block_index - 1) * s.block_steps) % s.slots
        cleared = jnp.zeros((nb, s.block_steps, 2 * s.n), dtype)
        buf = lax.dynamic_update_slice_in_dim(carry.buf, cleared, begin, axis=1)
        buf, delivered, over, ev = _external(
            buf, tables, rates, batch, timed, block_index, s
        )
        steps = block_index * s.block_steps + jnp.arange(s.block_steps)
        step = partial(_step, params, decays, tables, batch.g_scale, limits, s, record)
        # The block's first slot was read before this block's external events were
        # added; they never land there (stamps >= t0 + 1, delays >= 1 step).
        inner = (carry.state, buf, carry.counts, carry.arriving, *carry.limits)
        (state, buf, counts, arriving, *lim, bad), outs = lax.scan(
            step, (*inner, carry.bad), steps
        )
        new = Carry(
            state,
            buf,
            counts,
            arriving,
            (lim[0], lim[1], lim[2]),
            bad,
            carry.n_ext + delivered,
            carry.overflow + over,
        )
        if record and s.record_poisson:  # the block's events: (nb, capacity) each
            assert outs is not None
            return new, (*outs, (ev.source, ev.step, ev.valid))
        return new, outs

    carry, outs = lax.scan(block, carry, blocks)
    if not record:
        return carry, None
    words, traces, *poisson = outs
    steps = blocks.shape[0] * s.block_steps
    return carry, (
        words.reshape(steps, nb, -1),
        traces.reshape(steps, nb, 4, -1),
        poisson[0] if poisson else None,
    )


def _finish(carry: Carry, s: Static) -> tuple[Any, ...]:
    """Return counts, counters and (``Static.keep_final``) the final ``Resume``."""
    queues, offered, dropped = carry.limits
    final = None
    if s.keep_final:  # pending input rolled to start at step n_steps
        ahead = (s.n_steps + jnp.arange(s.slots - s.block_steps)) % s.slots
        final = Resume(carry.state, jnp.take(carry.buf, ahead, axis=1), queues)
    return (
        carry.counts,
        carry.n_ext,
        carry.overflow,
        offered,
        dropped,
        carry.bad,
        final,
    )


def output(finished: tuple[Any, ...], recorded: tuple[Any, Any, Any]) -> KernelOutput:
    """Assemble a :class:`KernelOutput` from :func:`_finish` and the recording.

    ``recorded``: the (words, traces, poisson) of every recorded block, in time order
    (the segments' parts concatenated on the host).
    """
    counts, n_ext, overflow, offered, dropped, bad, final = finished
    words, traces, poisson = recorded
    return KernelOutput(
        words=words,
        traces=traces,
        counts=counts,
        poisson_events=n_ext,
        overflow=overflow,
        limit_offered=offered,
        limit_dropped=dropped,
        first_nonfinite=bad,
        final=final,
        poisson=poisson,
    )


#: The run in segments (progress between them): the carry a run starts from ...
start = jax.jit(_start, static_argnames=("s",))
#: ... some blocks at a time (the carry is donated: updated in place) ...
advance = jax.jit(_advance, static_argnames=("s", "record"), donate_argnames=("carry",))
#: ... and the counts, counters and final state.
finish = jax.jit(_finish, static_argnames=("s",))

#: The same three with the batch split over the local devices (leading axis: device):
#: on a CPU host started with ``--xla_force_host_platform_device_count=N`` the N parts
#: run on N cores at once; on a GPU host over its GPUs.
start_sharded = jax.pmap(
    _start, in_axes=(None, 0, None, None), static_broadcasted_argnums=(4,)
)
advance_sharded = jax.pmap(
    _advance,
    in_axes=(None, None, None, 0, None, None, 0, None),
    static_broadcasted_argnums=(8, 9),
    donate_argnums=(6,),
)
finish_sharded = jax.pmap(_finish, static_broadcasted_argnums=(1,))
