"""A block's steps as one JAX operation (XLA FFI custom call, CPU only).

:func:`advance_block` runs ``block_steps`` steps of every variant in one call of the
C++ handler ``TwinAdvanceBlock`` (``step.cc``): what the pure-JAX step of
:mod:`twin.analog.kernel` does for the networks :func:`twin.analog.fast.eligible`
admits, operation by operation in the same order. The state is updated in place
(outputs alias inputs).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import jax
import jax.numpy as jnp
from jax import Array

from twin.analog.adex import MAX_SUBSTEPS
from twin.analog.native.ffi import ffi

if TYPE_CHECKING:
    from twin.analog.adex import NeuronState
    from twin.analog.params import NeuronParams
    from twin.analog.tables import PushTable

__all__ = ["ROWS", "BlockState", "advance_block", "param_rows", "substep_decays"]

#: The rows of the handler's parameter matrix (``step.cc``'s ``Row``), in order.
ROWS: Final = (
    "g_leak",
    "v_rest",
    "e_rev_e",
    "e_rev_i",
    "cm",
    "i_offset",
    "a",
    "tau_w",
    "v_reset",
    "v_spike",
    "b",
    "v_v",
    "v_ie",
    "v_ii",
    "v_i0",
    "i_ie",
    "i_ii",
    "v_thresh",
    "decay_e",
    "decay_i",
    "current",
)

#: Besides the neuron state, what a block advances: the ring buffer, the spike
#: counts, the arriving input (the next step's slot, read already) and the first
#: non-finite step.
BlockState = tuple[Array, Array, Array, Array]


def param_rows(p: NeuronParams, decays: tuple[Array, Array]) -> Array:
    """Return the handler's parameter matrix, shape ``(len(ROWS), n)``.

    ``decays``: the half-step decays ``exp(-dt / 2 tau_syn)`` of the reference step
    (computed by the caller exactly as the reference does). The current-based rows
    are zero where the network has no current-based neuron (their fields then have
    shape ``(0,)``); ``current`` is 1 for a current-based neuron.
    """
    n = p.v_rest.shape[0]
    zeros = jnp.zeros(n, p.v_rest.dtype)
    values = p._asdict() | {"decay_e": decays[0], "decay_i": decays[1]}

    def row(name: str) -> Array:
        x = values[name]
        return zeros if x.shape[0] == 0 else x.astype(p.v_rest.dtype)

    return jnp.stack([row(name) for name in ROWS])


def substep_decays(dt: float, p: NeuronParams) -> Array:
    """Return ``exp(-h / 2 tau_syn)`` for the sub-steps ``h = dt / k``, k = 1 .. 64.

    Shape ``(MAX_SUBSTEPS, 2, n)`` (excitatory, inhibitory), computed by XLA with the
    reference's expressions (:func:`twin.analog.adex._substeps`), so that the native
    sub-steps use its values (XLA's ``exp`` is not the C library's).
    """
    k = jnp.arange(1, MAX_SUBSTEPS + 1, dtype=p.tau_syn_e.dtype)[:, None]
    h = dt / k
    return jnp.stack(
        [jnp.exp(-h / (2 * p.tau_syn_e)), jnp.exp(-h / (2 * p.tau_syn_i))], axis=1
    )


def advance_block(
    state: NeuronState,
    block: BlockState,
    rows: Array,
    table: Array,
    refrac_steps: Array,
    scales: Array,
    first_step: Array,
    pushes: PushTable,
    record: Array,
    *,
    n_steps: int,
    block_steps: int,
    dt: float,
    keep_final: bool,
) -> tuple[NeuronState, BlockState, Array, Array]:
    """Advance every variant by one block of steps.

    Parameters
    ----------
    state
        Neuron state, leaves ``(nb, n)`` (``dg_e``/``dg_i`` unused, shape ``(0,)``).
    block
        ``(buf, counts, arriving, bad)``: ring buffer ``(nb, slots, 2n)``, spikes per
        neuron ``(nb, n)`` int32, the first step's arriving input ``(nb, 2n)`` and the
        first non-finite step ``(nb, n)`` int32 (-1: none).
    rows
        :func:`param_rows`, ``(len(ROWS), n)``.
    table
        :func:`substep_decays`, ``(MAX_SUBSTEPS, 2, n)``.
    refrac_steps
        Refractory steps per neuron, ``(n,)`` int32.
    scales
        Per variant the factors on excitatory and inhibitory weights, ``(2, nb)``.
    first_step
        The block's first step, int32 scalar.
    pushes
        The neurons' push table.
    record
        Recorded neuron ids, ``(r,)`` int32.
    n_steps, block_steps, dt, keep_final
        Steps of the run, of a block, the step (ms), whether dead steps past
        ``n_steps`` leave the state unchanged.

    Returns
    -------
    tuple
        The new state, the new ``block``, the packed spike words ``(block_steps, nb,
        ceil(r / 32))`` uint32 and per variant the block's steps in which a sub-step
        was beyond RK4's stability (the reference's exponential-Euler sub-steps, not
        computed natively: the results are then not the reference's), ``(nb,)``
        int32.
    """
    buf, counts, arriving, bad = block
    nb = state.v.shape[0]
    dtype = state.v.dtype
    words = (block_steps, nb, -(-record.shape[0] // 32))
    like = (buf, state.v, state.w, state.g_e, state.g_i, state.refrac, counts,
            arriving, bad)  # fmt: skip
    out_types = [jax.ShapeDtypeStruct(x.shape, x.dtype) for x in like]
    out_types += [
        jax.ShapeDtypeStruct(words, jnp.uint32),
        jax.ShapeDtypeStruct((nb,), jnp.int32),
    ]
    call = ffi().ffi_call(
        f"TwinAdvanceBlock{'F64' if dtype == jnp.float64 else 'F32'}",
        out_types,
        input_output_aliases={i: i for i in range(len(like))},
    )
    out = call(
        *like,
        rows,
        table,
        refrac_steps,
        scales,
        jnp.asarray(first_step, jnp.int32),
        pushes.target,
        pushes.weight,
        pushes.delay,
        pushes.length,
        record,
        n_steps=n_steps,
        block_steps=block_steps,
        dt=float(dt),
        keep_final=keep_final,
    )
    buf, v, w, g_e, g_i, refrac, counts, arriving, bad, packed, beyond = out
    state = state._replace(v=v, w=w, g_e=g_e, g_i=g_i, refrac=refrac)
    return state, (buf, counts, arriving, bad), packed, beyond
