"""Connectivity as per-presynaptic-unit tables for event-driven ("push") delivery.

Every presynaptic unit (neuron, Poisson source or spike-time source) has one padded row
of outgoing synapses: target column (``receptor * n_neurons + post``), weight (µS) and
delay in time steps (NEST's rule: :meth:`twin.timegrid.TimeGrid.delay_steps`). An
extra all-zero row serves as the padding index, so padded spike lists deliver nothing.
A spike of a unit costs one row gather and one scatter-add; no N × N matrix is ever
formed.
"""

from __future__ import annotations

from typing import NamedTuple

import jax.numpy as jnp
import numpy as np
from jax import Array

from twin.analog.current import CurrentTable, current_table
from twin.analog.short_term import StpTable, StpTables, stp_table
from twin.network import Network, PoissonSource, SpikeTimesSource
from twin.timegrid import TimeGrid

__all__ = ["PushTable", "Tables", "build_tables"]


class PushTable(NamedTuple):
    """Outgoing synapses of ``n`` units, padded to ``k`` per unit (row ``n``: zeros)."""

    target: Array  # (n + 1, k) int32: receptor * n_neurons + post
    weight: Array  # (n + 1, k) float: µS (0 in padding)
    delay: Array  # (n + 1, k) int32: time steps >= 1
    length: Array  # (n + 1,) int32: a row's synapses (the rest of the row pads)


class Tables(NamedTuple):
    """Push tables of neurons, Poisson and spike-time sources; the current table.

    ``current`` holds the current stimuli (:mod:`twin.analog.current`); ``stp`` the
    synapses with short-term plasticity (:mod:`twin.analog.short_term`; ``None``
    where no projection has any: the push tables hold every synapse).
    """

    neurons: PushTable
    poisson: PushTable
    times: PushTable
    current: CurrentTable
    stp: StpTables | None = None

    @property
    def pushes(self) -> tuple[PushTable, PushTable, PushTable]:
        """The three push tables (every table with synaptic delays)."""
        return self.neurons, self.poisson, self.times


def _table(
    pre: list[np.ndarray],
    col: list[np.ndarray],
    w: list[np.ndarray],
    d: list[np.ndarray],
    n_units: int,
    dtype: type,
) -> PushTable:
    """Return the push table of ``n_units`` units from per-projection columns.

    ``pre``, ``col`` and ``d`` are int32, ``w`` of ``dtype``. A unit's synapses are
    sorted by delay, then target column, stably (synapses with the same delay and
    target keep their order, projection by projection): a spike then adds to one
    slot of the ring buffer after the other, in increasing columns, and every cell
    receives its weights in the same order as from an unsorted row, so the sums are
    the same to the last bit. The lists are emptied as their columns are placed.
    """
    empty = np.zeros(0, np.int32)
    pre_a, col_a, d_a = (np.concatenate(x) if x else empty for x in (pre, col, d))
    for parts in (pre, col, d):
        parts.clear()
    order = np.lexsort((col_a, d_a, pre_a))  # stable: by unit, delay, column
    counts = np.bincount(pre_a, minlength=n_units)
    del pre_a
    k = max(int(counts.max(initial=0)), 1)
    # Synapse i of the sorted order goes to row r, slot i - (first synapse of r):
    # flat index r * k - first(r) + i.
    shift = np.arange(n_units, dtype=np.int64) * k - (np.cumsum(counts) - counts)
    flat = np.repeat(shift, counts)
    flat += np.arange(flat.size)
    target = np.zeros((n_units + 1, k), np.int32)
    weight = np.zeros((n_units + 1, k), np.dtype(dtype))
    delay = np.ones((n_units + 1, k), np.int32)
    for table, values in ((target, col_a), (delay, d_a)):
        np.put(table, flat, values[order])
    del col_a, d_a
    if w:
        np.put(weight, flat, np.concatenate(w)[order])
    w.clear()
    length = np.append(counts, 0).astype(np.int32)
    return PushTable(
        jnp.asarray(target),
        jnp.asarray(weight, dtype),
        jnp.asarray(delay),
        jnp.asarray(length),
    )


def build_tables(
    network: Network, dt: float, dtype: type = jnp.float32, offset_steps: int = 0
) -> Tables:
    """Build the push tables and the current table of ``network`` for step ``dt`` (ms).

    ``offset_steps`` is the session step of the run's first step (current changes
    are session times, :func:`twin.analog.current.current_table`).

    Raises
    ------
    NetworkError
        If a delay is shorter than one time step.
    ConfigError
        If ``dt`` is not a positive multiple of NEST's tic (0.001 ms).
    """
    grid = TimeGrid(dt)
    n = network.n_neurons
    poisson = [s for s in network.sources if isinstance(s, PoissonSource)]
    timed = [s for s in network.sources if isinstance(s, SpikeTimesSource)]
    offsets: dict[str, tuple[str, int]] = {}
    for kind, group in (("poisson", poisson), ("times", timed)):
        start = 0
        for src in group:
            offsets[src.name] = (kind, start)
            start += src.size
    for pop in network.populations:
        offsets[pop.name] = ("neurons", network.offset(pop.name))
    parts: dict[
        str,
        tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray], list[np.ndarray]],
    ] = {k: ([], [], [], []) for k in ("neurons", "poisson", "times")}
    plastic: dict[str, list[dict[str, np.ndarray]]] = {k: [] for k in parts}
    for proj in network.projections:
        kind, start = offsets[proj.pre]
        steps = grid.check_delays(proj.delay, f"projection {proj.name!r}")
        receptor = 0 if proj.receptor == "excitatory" else 1
        column = receptor * n + network.offset(proj.post) + proj.post_idx
        if proj.stp is not None:
            tau = "tau_syn_E" if receptor == 0 else "tau_syn_I"
            plastic[kind].append(
                {
                    "pre": proj.pre_idx + start,
                    "target": column,
                    "weight": proj.weight,
                    "delay": steps.astype(np.int32),
                    "U": proj.stp.U,
                    "tau_rec": proj.stp.tau_rec,
                    "tau_facil": proj.stp.tau_facil,
                    "tau_psc": network.population(proj.post).parameters[tau][
                        proj.post_idx
                    ],
                }
            )
            continue
        pre, col, w, d = parts[kind]
        pre.append((proj.pre_idx + start).astype(np.int32))
        col.append(column.astype(np.int32))
        w.append(np.asarray(proj.weight, np.dtype(dtype)))
        d.append(steps.astype(np.int32))
    sizes = {
        "neurons": n,
        "poisson": sum(s.size for s in poisson),
        "times": sum(s.size for s in timed),
    }
    tables = {}
    for kind, (pre, col, w, d) in parts.items():
        tables[kind] = _table(pre, col, w, d, sizes[kind], dtype)
    return Tables(
        **tables,
        current=current_table(network, dt, offset_steps, dtype=dtype),
        stp=_stp_tables(plastic, dtype),
    )


def _stp_tables(
    plastic: dict[str, list[dict[str, np.ndarray]]], dtype: type
) -> StpTables | None:
    """Return the plastic synapses' tables per kind (``None``: no plastic synapse)."""
    if not any(plastic.values()):
        return None
    tables: dict[str, StpTable | None] = {}
    for kind, projs in plastic.items():
        if not projs:
            tables[kind] = None
            continue
        cols = {k: np.concatenate([p[k] for p in projs]) for k in projs[0]}
        pre = cols.pop("pre")
        tables[kind] = stp_table(pre, cols, dtype)
    return StpTables(**tables)
