"""Recording inside the compiled loop: packed spikes and traced state variables.

Spikes: one bit per recorded neuron and step.

The words are decoded on the host by :meth:`twin.recording.SpikeRecording.from_bits`.
"""

from __future__ import annotations

import jax.numpy as jnp
from jax import Array

from twin.analog.adex import NeuronState
from twin.analog.loop_types import Static
from twin.analog.params import NeuronParams

__all__ = ["pack_bits", "pack_recorded", "traced"]


def pack_bits(spikes: Array) -> Array:
    """Pack a boolean array's last axis into uint32 (bit j of word i: 32i + j)."""
    n = spikes.shape[-1]
    width = -(-n // 32) * 32
    padded = jnp.pad(spikes, [(0, 0)] * (spikes.ndim - 1) + [(0, width - n)])
    bits = padded.reshape(*spikes.shape[:-1], width // 32, 32).astype(jnp.uint32)
    return jnp.sum(bits << jnp.arange(32, dtype=jnp.uint32), axis=-1, dtype=jnp.uint32)


def traced(
    state: NeuronState,
    arriving: Array,
    scales: tuple[Array, Array],
    p: NeuronParams,
    s: Static,
) -> Array:
    """V (mV), g_E, g_I (µS or nA) and w (nA) of the traced neurons at the step's end.

    Exponential synapses include the events that arrive at the next step's start, as
    NEST's ``iaf_cond_exp`` and ``iaf_psc_exp`` record them (events are added before
    their logging); alpha synapses do not (NEST's ``iaf_psc_alpha`` adds them to the
    derivative).
    """
    ids = jnp.asarray(s.trace, jnp.int32)
    arr_e = scales[0][:, None] * arriving[:, ids]
    arr_i = scales[1][:, None] * arriving[:, s.n + ids]
    if s.alpha:
        arr_e = jnp.where(p.alpha[ids], 0.0, arr_e)
        arr_i = jnp.where(p.alpha[ids], 0.0, arr_i)
    g_e = state.g_e[:, ids] + arr_e
    g_i = state.g_i[:, ids] + arr_i
    return jnp.stack([state.v[:, ids], g_e, g_i, state.w[:, ids]], axis=1)


def pack_recorded(spikes: Array, s: Static) -> Array:
    """Pack the recorded neurons' spikes of a step, ``(nb, ceil(r / 32))`` uint32."""
    ids = s.record
    if ids and ids == tuple(range(ids[0], ids[0] + len(ids))):  # contiguous: a slice
        return pack_bits(spikes[:, ids[0] : ids[0] + len(ids)])
    return pack_bits(spikes[:, jnp.asarray(ids, jnp.int32)])
