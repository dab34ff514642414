"""The native event delivery as JAX operations (XLA FFI custom calls, CPU only).

:func:`deliver_spikes` and :func:`deliver_events` do what the pure-JAX reference
(:func:`twin.analog.scatter.deliver` after ``top_k`` compaction) does, in the same
order of additions, so both give identical spikes (tested in float32 and float64).
They update the ring buffer in place (the output aliases the input) and need no
compaction of the step's spikes: the C++ loop skips silent neurons.
"""

from __future__ import annotations

import ctypes
import threading
from typing import TYPE_CHECKING

import jax
import jax.numpy as jnp
from jax import Array

from twin.analog.native.build import build
from twin.analog.native.ffi import ffi

if TYPE_CHECKING:
    from twin.analog.tables import PushTable

__all__ = ["deliver_events", "deliver_spikes", "register"]

_lock = threading.Lock()
_registered: list[ctypes.CDLL] = []  # the loaded library, kept alive


def register() -> None:
    """Build (if needed) and load the library; register its handlers with XLA.

    Raises
    ------
    ConfigError
        If this JAX has no ``jax.ffi`` (:func:`twin.analog.native.ffi.ffi`) or the
        library cannot be built (:func:`twin.analog.native.build.build`).
    """
    with _lock:
        if _registered:
            return
        jax_ffi = ffi()
        lib = ctypes.cdll.LoadLibrary(str(build()))
        for kind in ("DeliverSpikes", "DeliverEvents", "AdvanceBlock"):
            for bits in ("F32", "F64"):
                symbol = f"Twin{kind}{bits}"
                jax_ffi.register_ffi_target(
                    symbol, jax_ffi.pycapsule(getattr(lib, symbol)), platform="cpu"
                )
        _registered.append(lib)


def _call(kind: str, buf: Array, *args: Array) -> Array:
    """Call handler ``TwinDeliver<kind>`` of ``buf``'s dtype; the output aliases it."""
    call = ffi().ffi_call(
        f"TwinDeliver{kind}{'F64' if buf.dtype == jnp.float64 else 'F32'}",
        jax.ShapeDtypeStruct(buf.shape, buf.dtype),
        input_output_aliases={0: 0},
    )
    return call(buf, *args)


def deliver_spikes(buf: Array, spikes: Array, stamp: Array, table: PushTable) -> Array:
    """Push the row of every spiking unit into the ring buffer.

    Parameters
    ----------
    buf
        Ring buffer, shape ``(nb, slots, cols)``, float32 or float64.
    spikes
        Spikes of the step, shape ``(nb, n)`` bool (unit ``i`` of variant ``v``).
    stamp
        The spikes' stamp (step + 1), int32 scalar.
    table
        The units' push table (rows ``(n + 1, k)``; weights of ``buf``'s dtype).

    Returns
    -------
    Array
        The updated buffer (``buf[v, (stamp + delay) % slots, target] += weight``).
    """
    return _call(
        "Spikes",
        buf,
        spikes,
        jnp.asarray(stamp, jnp.int32),
        table.target,
        table.weight,
        table.delay,
        table.length,
    )


def deliver_events(
    buf: Array, units: Array, stamps: Array, valid: Array, table: PushTable
) -> Array:
    """Push the rows of a batch of events into the ring buffer.

    Parameters
    ----------
    buf
        Ring buffer, shape ``(nb, slots, cols)``.
    units, stamps, valid
        Per variant and event, shape ``(nb, e)``: the unit (row of ``table``, int32),
        its stamp (int32) and whether it happened (bool; others add nothing).
    table
        Push table of the units.

    Returns
    -------
    Array
        The updated buffer.
    """
    return _call(
        "Events",
        buf,
        units.astype(jnp.int32),
        stamps.astype(jnp.int32),
        valid.astype(jnp.bool_),
        table.target,
        table.weight,
        table.delay,
        table.length,
    )
