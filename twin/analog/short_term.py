"""Short-term plasticity in the emulator: NEST's ``tsodyks_synapse``, per synapse.

The synapses of projections with :class:`twin.stp.TsodyksMarkram` parameters are kept
apart from the static push tables (:mod:`twin.analog.tables`), in one
:class:`StpTable` per kind of presynaptic unit (neurons, Poisson sources, spike-time
sources) whose rows are the units with at least one such synapse. Every synapse
carries the state ``u`` (utilisation), ``x`` (recovered resources) and ``y`` (active
resources); every row the stamp of its unit's last event.

An event of a unit with stamp ``s`` (a spike in step ``s - 1``) first propagates the
state of each of its synapses over ``h = (s - s_last) dt`` and then releases, in
NEST's order (``tsodyks_synapse::send``, NEST 3.x, ``models/tsodyks_synapse.h``)::

    u *= exp(-h / tau_facil)            (0 if tau_facil == 0)
    x += Pxy y + (1 - exp(-h / tau_rec)) (1 - x - y)
    y *= exp(-h / tau_psc)
    u += U (1 - u)
    released = u x;  x -= released;  y += released

and the synapse's event carries ``weight × released``. Several events of one unit in
one step (a Poisson source's, or a spike time given twice) are, as in NEST (which
sends every spike of a multiplicity on its own), events in a row: the later ones
propagate over ``h = 0``.
The state starts at ``u = 0, x = 1, y = 0`` (NEST's defaults), so the first event
releases ``U`` whatever its time. ``tau_psc`` is the postsynaptic cell's ``tau_syn_E``
or ``tau_syn_I`` (by receptor), as ``pyNN.nest`` sets it when connecting.

NEST updates a synapse when it sends the event, i.e. in emission order with the
emission stamps, so the synaptic delay does not enter the state's evolution: the
emulator updates the state in the step the event is emitted and adds the released
weight to the ring buffer ``delay`` steps later, as for static synapses.

Where ``tau_psc == tau_rec`` NEST's ``Pxy`` is 0/0 (not a number); the emulator
uses its limit ``1 - exp(-h/tau) (1 + h/tau)``.

References
----------
Tsodyks, M., Uziel, A. & Markram, H. (2000). Synchrony generation in recurrent networks
with frequency-dependent synapses. J Neurosci 20, RC50.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax.numpy as jnp
import numpy as np
from jax import Array, lax

__all__ = [
    "StpState",
    "StpTable",
    "StpTables",
    "deliver_plastic",
    "initial_states",
    "propagate_release",
    "shapes_of",
    "stp_table",
]


class StpTable(NamedTuple):
    """Plastic synapses of the units ``unit``, padded to ``k`` per row.

    Padding entries have weight 0 and harmless parameters (never released: weight 0).
    """

    unit: Array  # (r,) int32: the unit (neuron or source index) of each row
    target: Array  # (r, k) int32: receptor * n_neurons + post
    weight: Array  # (r, k) float: µS or nA
    delay: Array  # (r, k) int32: time steps >= 1
    U: Array  # (r, k) utilisation increment, (0, 1]
    tau_rec: Array  # (r, k) ms
    tau_facil: Array  # (r, k) ms, 0: no facilitation
    tau_psc: Array  # (r, k) ms: the target's synaptic time constant


class StpTables(NamedTuple):
    """The plastic synapses per kind of source; ``None`` where a kind has none."""

    neurons: StpTable | None
    poisson: StpTable | None
    times: StpTable | None


class StpState(NamedTuple):
    """State of the synapses of one :class:`StpTable` (leading axis ``nb``)."""

    u: Array  # (nb, r, k)
    x: Array  # (nb, r, k)
    y: Array  # (nb, r, k)
    last: Array  # (nb, r) int32: stamp of the row's last event (run steps)


def stp_table(
    pre: np.ndarray,
    columns: dict[str, np.ndarray],
    dtype: type,
) -> StpTable:
    """Build the table of the plastic synapses whose presynaptic units are ``pre``.

    Parameters
    ----------
    pre
        Presynaptic unit per synapse, shape ``(m,)``, m >= 1.
    columns
        Per synapse, shape ``(m,)`` each: ``target``, ``weight``, ``delay`` (steps),
        ``U``, ``tau_rec``, ``tau_facil``, ``tau_psc``.
    dtype
        Float type of the weights and parameters.

    Returns
    -------
    StpTable
        One row per distinct unit (ascending), the synapses in their given order.
    """
    order = np.argsort(pre, kind="stable")
    units, row_of = np.unique(pre[order], return_inverse=True)
    counts = np.bincount(row_of, minlength=units.size)
    k = int(counts.max())
    slot = np.arange(order.size) - np.repeat(np.cumsum(counts) - counts, counts)
    fill = {"target": 0, "weight": 0.0, "delay": 1, "U": 1.0}
    arrays = {}
    for key, values in columns.items():
        table = np.full((units.size, k), fill.get(key, 1.0), values.dtype)
        table[row_of, slot] = values[order]
        ints = key in ("target", "delay")
        arrays[key] = jnp.asarray(table, jnp.int32 if ints else dtype)
    return StpTable(unit=jnp.asarray(units, jnp.int32), **arrays)


def initial_states(
    shapes: tuple[tuple[int, int] | None, ...], nb: int, dtype: Any
) -> tuple:
    """Return the state from rest (u = 0, x = 1, y = 0) of tables of ``shapes``.

    ``shapes``: ``(rows, k)`` of each table (``None``: no table, no state).
    """

    def one(shape_rk: tuple[int, int] | None) -> StpState | None:
        if shape_rk is None:
            return None
        shape = (nb, *shape_rk)
        return StpState(
            u=jnp.zeros(shape, dtype),
            x=jnp.ones(shape, dtype),
            y=jnp.zeros(shape, dtype),
            last=jnp.zeros(shape[:2], jnp.int32),
        )

    return tuple(one(t) for t in shapes)


def propagate_release(
    state: StpState, table: StpTable, fired: Array, stamp: Array, dt: float
) -> tuple[StpState, Array]:
    """Propagate and release the synapses of the rows that fire (NEST's ``send``).

    Parameters
    ----------
    state
        The synapses' state.
    table
        Their parameters.
    fired
        Whether each row's unit has an event with stamp ``stamp``, bool ``(nb, r)``.
    stamp
        The events' stamp (steps of the run).
    dt
        The time step, ms.

    Returns
    -------
    state, released
        The new state (rows that do not fire unchanged) and the released fraction
        ``u x`` of every synapse, ``(nb, r, k)`` (0 where its row does not fire).
    """
    h = ((stamp - state.last) * dt).astype(state.u.dtype)[..., None]
    tau_f = jnp.where(table.tau_facil > 0, table.tau_facil, 1.0)
    p_uu = jnp.where(table.tau_facil > 0, jnp.exp(-h / tau_f), 0.0)
    p_yy = jnp.exp(-h / table.tau_psc)
    p_zz = jnp.exp(-h / table.tau_rec)
    equal = table.tau_psc == table.tau_rec
    gap = jnp.where(equal, 1.0, table.tau_psc - table.tau_rec)
    p_xy = jnp.where(
        equal,
        1.0 - p_zz * (1.0 + h / table.tau_rec),
        ((p_zz - 1.0) * table.tau_rec - (p_yy - 1.0) * table.tau_psc) / gap,
    )
    p_xz = 1.0 - p_zz
    z = 1.0 - state.x - state.y
    u = state.u * p_uu
    x = state.x + p_xy * state.y + p_xz * z
    y = state.y * p_yy
    u = u + table.U * (1.0 - u)
    released = u * x
    x = x - released
    y = y + released
    on = fired[..., None]
    new = StpState(
        u=jnp.where(on, u, state.u),
        x=jnp.where(on, x, state.x),
        y=jnp.where(on, y, state.y),
        last=jnp.where(fired, stamp, state.last).astype(state.last.dtype),
    )
    return new, jnp.where(on, released, 0.0)


def deliver_plastic(
    buf: Array,
    state: StpState,
    table: StpTable,
    count: Array,
    stamp: Array,
    dt: float,
    slots: int,
    chunk: int,
) -> tuple[Array, StpState]:
    """Update the synapses of the units with events and add their weights to ``buf``.

    A unit with ``m`` events in the step sends them one after the other, as NEST
    delivers them (one ``send`` per spike, the later ones with ``h = 0``): pass
    ``i`` delivers the ``i``-th event of every unit that has one
    (:func:`_deliver_once`).

    Parameters
    ----------
    buf
        The ring buffer, shape ``(nb, slots, 2n)``.
    state, table
        The synapses' state and parameters.
    count
        Events with stamp ``stamp`` per unit of the table's kind, ``(nb, units)``.
    stamp
        The events' stamp (steps of the run).
    dt
        The time step, ms.
    slots
        The ring buffer's length.
    chunk
        Rows per pass of the compaction loop.

    Returns
    -------
    buf, state
        The buffer with ``weight × released`` of every event added at slot
        ``(stamp + delay) % slots`` of every target, and the new state.
    """
    pending = count[:, table.unit].astype(jnp.int32)  # (nb, r)

    def one_event(carry: tuple[Array, StpState, Array]) -> tuple:
        buf, state, pending = carry
        fired = pending > 0
        buf, state = _deliver_once(buf, state, table, fired, stamp, dt, slots, chunk)
        return buf, state, pending - fired.astype(jnp.int32)

    buf, state, _ = lax.while_loop(
        lambda c: jnp.any(c[2] > 0), one_event, (buf, state, pending)
    )
    return buf, state


def _deliver_once(
    buf: Array,
    state: StpState,
    table: StpTable,
    fired: Array,
    stamp: Array,
    dt: float,
    slots: int,
    chunk: int,
) -> tuple[Array, StpState]:
    """Deliver one event of every row with ``fired`` (bool ``(nb, r)``).

    The rows are taken ``chunk`` at a time (``lax.top_k`` over the (variant, row)
    pairs, as the static delivery compacts spikes): their synapses' state is
    gathered, propagated and released, written back, and their weights scattered
    into the ring buffer. The cost follows the number of events, not the number of
    plastic synapses; the pairs of one chunk are distinct, so no write is lost.
    """
    rows = fired.shape[1]
    flat = fired.reshape(-1)
    k = min(chunk, flat.size)

    def body(carry: tuple[Array, StpState, Array]) -> tuple[Array, StpState, Array]:
        buf, state, remaining = carry
        _, sel = lax.top_k(remaining.astype(jnp.float32), k)
        real = remaining[sel]
        variant, row = sel // rows, sel % rows
        picked = StpState(*(a[variant, row] for a in state))  # (k, width), (k,)
        params = StpTable(*(a[row] for a in table))
        new, released = propagate_release(picked, params, real, stamp, dt)
        weight = params.weight * released
        slot = (stamp + params.delay) % slots
        buf = buf.at[variant[:, None], slot, params.target].add(weight, mode="drop")
        state = StpState(
            *(a.at[variant, row].set(b) for a, b in zip(state, new, strict=True))
        )
        return buf, state, remaining.at[sel].set(False)

    buf, state, _ = lax.while_loop(lambda c: jnp.any(c[2]), body, (buf, state, flat))
    return buf, state


def shapes_of(tables: StpTables | None) -> tuple[tuple[int, int] | None, ...]:
    """Return ``(rows, k)`` of each table (``None``: none); ``()`` without tables."""
    if tables is None:
        return ()
    return tuple(
        None if t is None else (t.weight.shape[0], t.weight.shape[1]) for t in tables
    )
