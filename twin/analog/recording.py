"""Spike packing inside the compiled loop: one bit per recorded neuron and step.

The words are decoded on the host by :meth:`twin.recording.SpikeRecording.from_bits`.
"""

from __future__ import annotations

import jax.numpy as jnp
from jax import Array

__all__ = ["pack_bits"]


def pack_bits(spikes: Array) -> Array:
    """Pack a boolean array's last axis into uint32 (bit j of word i: 32i + j)."""
    n = spikes.shape[-1]
    width = -(-n // 32) * 32
    padded = jnp.pad(spikes, [(0, 0)] * (spikes.ndim - 1) + [(0, width - n)])
    bits = padded.reshape(*spikes.shape[:-1], width // 32, 32).astype(jnp.uint32)
    return jnp.sum(bits << jnp.arange(32, dtype=jnp.uint32), axis=-1, dtype=jnp.uint32)
