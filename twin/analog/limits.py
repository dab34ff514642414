"""Spike-rate limits inside the emulation: spikes the wafer's own paths cannot carry.

A neuron's spike leaves the chip through its neuron block's priority encoder and then a
DNC merger onto its L1 bus; each serves a bounded number of events per second (see
:mod:`twin.wafer.bandwidth`). A :class:`twin.stages.Stage` assigns every neuron
to a group (its block, or its bus; -1: not limited) with a service rate and a buffer.
Per time step and group the stage admits at most ``floor(depth + service - queue)``
spikes (the lowest neuron ids first, as a priority encoder), the queue drains by
``service`` per step, and the rest are dropped: the neuron still fires and resets, but
its spike reaches no synapse and no recording. Stages act in series (encoder, then
merger). Every offered and dropped spike is counted per group.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import Array

from twin.errors import ConfigError

if TYPE_CHECKING:  # the numpy description (twin.stages); needed for annotations only
    from twin.stages import Stage

__all__ = ["StageArrays", "admit", "admit_stages", "stage_arrays"]


class StageArrays(NamedTuple):
    """A stage in the layout the kernel uses (neurons sorted by group, then id)."""

    perm: Array  # (n,) int32: neuron at each sorted position
    group: Array  # (n,) int32: group of each sorted position (G: unlimited)
    start: Array  # (n,) int32: sorted position where that group starts
    service: Array  # (G + 1,) events per step (inf for the unlimited group)
    depth: Array  # (G + 1,) buffer depth (inf for the unlimited group)


def stage_arrays(
    stages: Sequence[Stage], n: int, dt: float, dtype: type
) -> tuple[StageArrays, list[np.ndarray]]:
    """Stack the stages' arrays (padded to a common group count G + 1).

    Returns the arrays (leading axis: stage) and, per stage, the original group id of
    each dense group index.

    Raises
    ------
    ConfigError
        If a stage's ``group`` does not hold exactly one entry per neuron (``n``).
    """
    n_groups = max(
        (np.unique(st.group[st.group >= 0]).size for st in stages), default=0
    )
    parts, label_list = [], []
    for st in stages:
        group = np.asarray(st.group, dtype=np.int64)
        if group.shape != (n,):
            raise ConfigError(f"stage {st.name!r}: give one group per neuron ({n})")
        labels, dense = np.unique(group[group >= 0], return_inverse=True)
        g = np.full(n, n_groups)
        g[group >= 0] = dense
        perm = np.lexsort((np.arange(n), g))
        g_sorted = g[perm]
        first = np.searchsorted(g_sorted, g_sorted, side="left")
        service = np.full(n_groups + 1, np.inf)
        service[: labels.size] = st.rate_bio * dt * 1e-3
        depth = np.full(n_groups + 1, np.inf)
        depth[: labels.size] = st.depth
        parts.append((perm, g_sorted, first, service, depth))
        label_list.append(labels)
    types = [jnp.int32] * 3 + [dtype] * 2
    if parts:
        stacked = [np.stack([p[i] for p in parts]) for i in range(5)]
    else:  # no stage: empty arrays with the right ranks
        stacked = [np.zeros((0, n), np.int64)] * 3 + [np.zeros((0, 1))] * 2
    arrays = (jnp.asarray(a, t) for a, t in zip(stacked, types, strict=True))
    return StageArrays(*arrays), label_list


def admit(
    spikes: Array, queue: Array, stage: StageArrays
) -> tuple[Array, Array, Array, Array]:
    """Apply one stage to the spikes of a step.

    Parameters
    ----------
    spikes
        ``(nb, n)`` bool.
    queue
        ``(nb, G + 1)`` queue lengths before the step.
    stage
        One stage's arrays (no leading stage axis).

    Returns
    -------
    kept, queue, offered, dropped
        Admitted spikes ``(nb, n)``; the new queue; spikes offered and dropped per
        group ``(nb, G + 1)`` (int32).
    """
    s = spikes[:, stage.perm].astype(jnp.int32)
    before = jnp.cumsum(s, axis=1) - s  # spikes earlier in sorted order
    rank = before - jnp.take(before, stage.start, axis=1)  # earlier in the group
    offered = jnp.zeros(queue.shape, jnp.int32).at[:, stage.group].add(s)
    free = jnp.maximum(stage.depth + stage.service - queue, 0.0)
    allowed = jnp.floor(free + 1e-3)  # absorbs float32 rounding of the drained queue
    keep_sorted = (s > 0) & (rank.astype(queue.dtype) < allowed[:, stage.group])
    kept_n = jnp.minimum(offered.astype(queue.dtype), allowed)
    queue = jnp.where(
        jnp.isfinite(stage.service), jnp.maximum(queue + kept_n - stage.service, 0), 0
    )
    kept = jnp.zeros_like(spikes).at[:, stage.perm].set(keep_sorted)
    dropped = offered - kept_n.astype(jnp.int32)
    return kept, queue, offered, dropped


def admit_stages(
    spikes: Array, limits: StageArrays, queues: Array, n_stages: int
) -> tuple[Array, Array, Array, Array]:
    """Pass the spikes through the rate-limit stages in series (:func:`admit` each).

    Parameters
    ----------
    spikes
        The step's spikes, bool ``(nb, n)``.
    limits
        The stages' arrays (leading axis: stage).
    queues
        The stages' queue contents, ``(nb, n_stages, groups)``.
    n_stages
        The number of stages.

    Returns
    -------
    spikes, queues, offered, dropped
        The spikes that pass every stage, the new queues and per stage and group
        the spikes offered and dropped, ``(nb, n_stages, groups)``.
    """
    offered, dropped = [], []
    new_queues = []
    for k in range(n_stages):
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
