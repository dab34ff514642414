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

Parts. The loop's settings, inputs, state and outputs are in
:mod:`twin.analog.loop_types` (importable from here too), the delivery into the ring
buffer in :mod:`twin.analog.scatter`, a block's external input in
:mod:`twin.analog.external`, synapses with short-term plasticity (their state in the
carry, their events delivered in the step they are emitted) in
:mod:`twin.analog.short_term`; this module holds the step, the block loop and the
compiled entry points.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
from jax import Array, lax

from twin.analog.adex import NeuronState, adex_step_with, initial_state
from twin.analog.current import injected
from twin.analog.external import external_input
from twin.analog.limits import StageArrays, admit_stages
from twin.analog.loop_types import (
    Batch,
    Carry,
    KernelOutput,
    Resume,
    Static,
    TimedEvents,
    output,
)
from twin.analog.native.step import advance_block, param_rows, substep_decays
from twin.analog.params import NeuronParams
from twin.analog.plastic_loop import block_counts, plastic_step
from twin.analog.poisson import PoissonRates
from twin.analog.psc import psc_step
from twin.analog.recording import pack_recorded, traced
from twin.analog.scatter import deliver_spikes
from twin.analog.short_term import initial_states
from twin.analog.tables import Tables

__all__ = [
    "Batch",
    "Carry",
    "KernelOutput",
    "Resume",
    "Static",
    "TimedEvents",
    "advance",
    "advance_sharded",
    "finish",
    "finish_sharded",
    "output",
    "start",
    "start_sharded",
]


def _step(
    p: NeuronParams,
    decays: tuple[Array, Array],
    tables: Tables,
    scales: tuple[Array, Array],
    limits: StageArrays,
    s: Static,
    record: bool,
    carry: tuple,
    xs: tuple[Array, Any],
) -> tuple[tuple, tuple[Array, Array] | None]:
    # ``arriving`` (this step's slot) was read at the end of the previous step, after
    # its deliveries: then the ring buffer's only use before the in-place scatter is
    # the scatter itself, and XLA:CPU does not copy the buffer every step. Slots are
    # cleared a block at a time in ``run`` for the same reason.
    state, buf, counts, arriving, queues, offered, dropped, bad, plastic = carry
    step, external = xs  # external: the step's events per source (Static.stp)
    before = (state, queues)
    state = _arrive(state, arriving, scales, p, s)
    if s.stimulated:  # current stimuli add to i_offset in this step
        p = p._replace(i_offset=p.i_offset + injected(tables.current, step, s.n))
    state, spikes = _neurons(state, p, decays, s)
    emitted = spikes & (step < s.n_steps)
    spikes = emitted
    if s.n_stages:
        spikes, queues, off, drop = admit_stages(emitted, limits, queues, s.n_stages)
        offered, dropped = offered + off, dropped + drop
    buf = deliver_spikes(buf, spikes, step, tables.neurons, s)
    if s.stp:  # plastic synapses: pure JAX (also with Static.native)
        live = (step < s.n_steps).astype(jnp.int32)
        ext = tuple(None if c is None else c * live for c in external)
        buf, plastic = plastic_step(buf, plastic, tables.stp, (spikes, *ext), step, s)
    arriving = lax.dynamic_index_in_dim(
        buf, (step + 1) % s.slots, axis=1, keepdims=False
    )
    if record:
        out = (pack_recorded(spikes, s), traced(state, arriving, scales, p, s))
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
    return (state, buf, counts, arriving, queues, offered, dropped, bad, plastic), out


def _arrive(
    state: NeuronState,
    arriving: Array,
    scales: tuple[Array, Array],
    p: NeuronParams,
    s: Static,
) -> NeuronState:
    """Add the step's arriving weights, scaled, to the synapses.

    ``scales``: per variant, the factors on excitatory and on inhibitory weights
    (``w_scale`` and ``w_scale × g_scale``), shape ``(nb,)`` each.
    Exponential synapses jump in ``g``; alpha synapses in ``dg``, by ``e / tau_syn``
    times the weight (NEST's ``EPSCInitialValue``).
    """
    arr_e = scales[0][:, None] * arriving[:, : s.n]
    arr_i = scales[1][:, None] * arriving[:, s.n :]
    if not s.alpha:
        return state._replace(g_e=state.g_e + arr_e, g_i=state.g_i + arr_i)
    return state._replace(
        g_e=state.g_e + jnp.where(p.alpha, 0.0, arr_e),
        g_i=state.g_i + jnp.where(p.alpha, 0.0, arr_i),
        dg_e=state.dg_e + jnp.where(p.alpha, p.psc_e * arr_e, 0.0),
        dg_i=state.dg_i + jnp.where(p.alpha, p.psc_i * arr_i, 0.0),
    )


def _neurons(
    state: NeuronState, p: NeuronParams, decays: tuple[Array, Array], s: Static
) -> tuple[NeuronState, Array]:
    """Advance every neuron by one step with its kind's scheme; return state, spikes.

    In a network of both kinds each scheme runs on every neuron and ``p.current``
    picks per neuron; the AdEx kernel then sees no conductance on current-based
    neurons (so their currents never make a step look stiff).
    """
    kernel = partial(
        adex_step_with,
        dt=s.dt,
        decay_e=decays[0],
        decay_i=decays[1],
        exponential=s.exponential,
        saturating=s.saturating,
        alpha=s.cond_alpha,
    )
    if not s.current:
        return kernel(state, p)
    curr, curr_spikes = psc_step(
        state, p, "curr_exp" in s.kinds, "curr_alpha" in s.kinds
    )
    if not s.conductance:
        return curr, curr_spikes
    zero = {k: jnp.where(p.current, 0.0, getattr(state, k)) for k in _SYN[s.alpha]}
    cond, cond_spikes = kernel(state._replace(**zero), p)
    picked = _PICK + (_SYN[True][2:] if s.cond_alpha else ())
    pick = {k: jnp.where(p.current, getattr(curr, k), getattr(cond, k)) for k in picked}
    return curr._replace(**pick), jnp.where(p.current, curr_spikes, cond_spikes)


#: The synaptic state the AdEx kernel must not see on current-based neurons.
_SYN = {False: ("g_e", "g_i"), True: ("g_e", "g_i", "dg_e", "dg_i")}
#: The state both schemes advance (``dg_e``/``dg_i``: current-based alpha cells only).
_PICK = ("v", "w", "g_e", "g_i", "refrac")


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
        single = initial_state(params, *init, alpha=s.alpha)
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
    plastic = initial_states(s.stp, nb, dtype) if s.stp else None
    if s.stp and isinstance(init, Resume):
        plastic = init.plastic
    return Carry(
        state=state,
        buf=buf,
        counts=jnp.zeros((nb, s.n), jnp.int32),
        arriving=buf[:, 0],  # the input of step 0 (none in a run from rest)
        limits=(queues, limit_zeros, limit_zeros),
        bad=jnp.full((nb, s.n), -1, jnp.int32),
        n_ext=zeros,
        overflow=zeros,
        plastic=plastic,
        beyond=zeros,
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

    if s.fast:  # the native step's inputs, computed once per call
        rows, substeps = param_rows(params, decays), substep_decays(s.dt, params)

    def block(carry: Carry, block_index: Array) -> tuple[Carry, Any]:
        # Clear the previous block's slots (read already, reused from now on).
        begin = ((block_index - 1) * s.block_steps) % s.slots
        cleared = jnp.zeros((nb, s.block_steps, 2 * s.n), dtype)
        buf = lax.dynamic_update_slice_in_dim(carry.buf, cleared, begin, axis=1)
        buf, delivered, over, ev = external_input(
            buf, tables, rates, batch, timed, block_index, s
        )
        steps = block_index * s.block_steps + jnp.arange(s.block_steps)
        scales = (batch.w_scale, batch.w_scale * batch.g_scale)
        step = partial(_step, params, decays, tables, scales, limits, s, record)
        # The block's first slot was read before this block's external events were
        # added; they never land there (stamps >= t0 + 1, delays >= 1 step).
        inner = (carry.state, buf, carry.counts, carry.arriving, *carry.limits)
        external = None
        if s.stp:  # the block's external events per step, for the plastic synapses
            timed_block = tuple(
                lax.dynamic_index_in_dim(a, block_index, keepdims=False) for a in timed
            )
            sizes = (rates.rate.shape[0], tables.times.target.shape[0] - 1)
            external = block_counts(
                ev[:3], timed_block, tables.stp, sizes, s.block_steps
            )
        beyond = carry.beyond
        if s.fast:  # the block's steps in one native call
            state, (buf, counts, arriving, bad), words, beyond_steps = advance_block(
                carry.state,
                (buf, carry.counts, carry.arriving, carry.bad),
                rows,
                substeps,
                params.refrac_steps,
                jnp.stack(scales),
                block_index * s.block_steps,
                tables.neurons,
                jnp.asarray(s.record, jnp.int32),
                n_steps=s.n_steps,
                block_steps=s.block_steps,
                dt=s.dt,
                keep_final=s.keep_final,
            )
            beyond = beyond + beyond_steps
            limits_now, plastic = carry.limits, carry.plastic
            traces = jnp.zeros((s.block_steps, nb, 4, 0), dtype)
            outs = (words, traces) if record else None
        else:
            (state, buf, counts, arriving, *lim, bad, plastic), outs = lax.scan(
                step, (*inner, carry.bad, carry.plastic), (steps, external)
            )
            limits_now = (lim[0], lim[1], lim[2])
        new = Carry(
            state,
            buf,
            counts,
            arriving,
            limits_now,
            bad,
            carry.n_ext + delivered,
            carry.overflow + over,
            plastic,
            beyond,
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
    """Return counts, counters, the final ``Resume`` and the steps beyond the handler.

    The ``Resume`` with ``Static.keep_final`` (else ``None``); per variant the steps
    with an exponential-Euler sub-step (``Static.fast``; else ``None``).
    """
    queues, offered, dropped = carry.limits
    final = None
    if s.keep_final:  # pending input rolled to start at step n_steps
        ahead = (s.n_steps + jnp.arange(s.slots - s.block_steps)) % s.slots
        plastic = jax.tree_util.tree_map(  # last stamps relative to the next run
            lambda x: x - s.n_steps if x.dtype == jnp.int32 else x, carry.plastic
        )
        pending = jnp.take(carry.buf, ahead, axis=1)
        final = Resume(carry.state, pending, queues, plastic=plastic)
    return (
        carry.counts,
        carry.n_ext,
        carry.overflow,
        offered,
        dropped,
        carry.bad,
        final,
        carry.beyond if s.fast else None,
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
