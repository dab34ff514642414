"""Bandwidth limits that drop spikes: a queue per resource, every drop counted.

Each resource (a chip's L2 recording link, a neuron block's priority encoder, a DNC
merger / L1 bus, a chip's or FPGA's external input) serves at most ``R`` events per
second of wafer time, i.e. ``R / speedup`` per second of biological time. Events that
arrive faster wait in a buffer of ``depth`` events; what does not fit is dropped. The
model is a fluid queue per time step of the emulation:

    q += arrivals;  q -= min(q, R dt)
    dropped = max(q - depth, 0);  q = min(q, depth)

and within a step the highest neuron ids lose first (a priority encoder's order). It is
applied after the run to the emulated spikes of the recorded window (the window is
replayed once first so the buffers start as full as in a long run) for the resources
that do not act back on the network: the recording links (exact) and the external input
links (a Monte-Carlo estimate from the sources' rates; a PyNN session feeds them the
events its sources really emitted, :mod:`twin.pynn.losses`). The on-wafer paths
(priority encoders, mergers) act inside the run: :mod:`twin.analog.limits`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from twin.errors import ConfigError
from twin.timegrid import TimeGrid

__all__ = [
    "QueueLoss",
    "drop_events",
    "fluid_queue",
    "poisson_input_loss",
    "summed_loss",
    "tally_loss",
]


def fluid_queue(
    arrivals: np.ndarray,
    service: np.ndarray,
    depth: float,
    q0: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Return the events dropped per step and group, and the final queue lengths.

    Parameters
    ----------
    arrivals
        Events per step and group, shape ``(steps, groups)``.
    service
        Events served per step by each group, shape ``(groups,)``.
    depth
        Buffer depth, events.
    q0
        Queue lengths at the start (default: empty).

    Raises
    ------
    ConfigError
        If ``depth`` or a service rate is negative.

    Examples
    --------
    >>> import numpy as np
    >>> d, q = fluid_queue(np.array([[3.0], [0.0], [2.0]]), np.array([1.0]), 1.0)
    >>> d[:, 0].tolist(), q.tolist()
    ([1.0, 0.0, 0.0], [1.0])
    """
    if depth < 0 or (np.asarray(service) < 0).any():
        raise ConfigError("queue depth and service rate must be >= 0")
    q = np.zeros(arrivals.shape[1]) if q0 is None else np.asarray(q0, dtype=float)
    dropped = np.zeros(arrivals.shape, dtype=float)
    for k in range(arrivals.shape[0]):
        q = q + arrivals[k]
        q = q - np.minimum(q, service)
        excess = np.maximum(q - depth, 0.0)
        dropped[k] = excess
        q = q - excess
    return dropped, q


def _stationary_drops(
    arrivals: np.ndarray, service: np.ndarray, depth: float
) -> np.ndarray:
    """Return the drops of a window of a long run (buffers filled by one replay)."""
    _, q = fluid_queue(arrivals, service, depth)
    return fluid_queue(arrivals, service, depth, q0=q)[0]


@dataclass(frozen=True, slots=True)
class QueueLoss:
    """Events offered to and dropped by the groups of one resource."""

    resource: str
    offered: MappingProxyType[int, int]  # group id -> events offered
    dropped: MappingProxyType[int, int]  # group id -> events dropped

    @property
    def total_offered(self) -> int:
        """Events offered to all groups."""
        return sum(self.offered.values())

    @property
    def total_dropped(self) -> int:
        """Events dropped by all groups."""
        return sum(self.dropped.values())


def tally_loss(groups: np.ndarray, lost: np.ndarray, resource: str) -> QueueLoss:
    """Return the loss of a set of events: offered and dropped per group.

    Parameters
    ----------
    groups
        Group of every event (-1: not subject to the limit), shape ``(events,)``.
    lost
        Whether each event was dropped, shape ``(events,)``.
    resource
        Name stored in the report.

    Returns
    -------
    QueueLoss
        Every group with an event is offered; groups that dropped none are absent
        from ``dropped`` (as :func:`drop_events` reports them).

    Examples
    --------
    >>> import numpy as np
    >>> loss = tally_loss(np.array([2, 2, -1, 5]), np.array([1, 0, 1, 0], bool), "x")
    >>> dict(loss.offered), dict(loss.dropped)
    ({2: 2, 5: 1}, {2: 1})
    """
    groups = np.asarray(groups)
    subject = groups >= 0
    names, g = np.unique(groups[subject], return_inverse=True)
    offered = np.bincount(g, minlength=names.size)
    dropped = np.bincount(g[np.asarray(lost, bool)[subject]], minlength=names.size)
    return QueueLoss(
        resource,
        MappingProxyType({int(n): int(o) for n, o in zip(names, offered, strict=True)}),
        MappingProxyType(
            {int(n): int(d) for n, d in zip(names, dropped, strict=True) if d}
        ),
    )


def summed_loss(losses: Sequence[QueueLoss], resource: str) -> QueueLoss:
    """Return the per-group sums of several reports of one resource (e.g. runs).

    Examples
    --------
    >>> a = tally_loss(np.array([0, 1]), np.array([True, False]), "x")
    >>> total = summed_loss([a, a], "x")
    >>> dict(total.offered), dict(total.dropped)
    ({0: 2, 1: 2}, {0: 2})
    """
    offered: dict[int, int] = {}
    dropped: dict[int, int] = {}
    for loss in losses:
        for out, part in ((offered, loss.offered), (dropped, loss.dropped)):
            for group, n in part.items():
                out[group] = out.get(group, 0) + n
    return QueueLoss(
        resource,
        MappingProxyType(dict(sorted(offered.items()))),
        MappingProxyType({k: v for k, v in sorted(dropped.items()) if v}),
    )


def drop_events(
    times: np.ndarray,
    ids: np.ndarray,
    group_of: np.ndarray,
    *,
    rate_bio: float,
    depth: float,
    dt: float,
    resource: str,
    stationary: bool = True,
) -> tuple[np.ndarray, QueueLoss]:
    """Return a keep-mask over the events and the per-group loss.

    Parameters
    ----------
    times, ids
        Event times (ms, on the step grid) and source ids (index into ``group_of``).
    group_of
        Group (chip, block, bus) of every source id; -1: not subject to the limit.
    rate_bio
        Service rate in Hz of biological time.
    depth
        Buffer depth, events.
    dt
        Step of the event grid, ms.
    resource
        Name stored in the report.
    stationary
        ``True``: the events are a window of a long run (from its first event on),
        the buffers as full as in the steady state (one replay of the window fills
        them). ``False``: a run from rest at t = 0, empty buffers; then the drops up
        to any time depend only on the events up to that time.

    Raises
    ------
    ConfigError
        If some event is subject to the limit and ``depth`` or the service per step
        (``rate_bio * dt``) is negative, or ``dt`` is not a multiple of 0.001 ms.
    """
    groups = np.asarray(group_of)[ids]
    subject = groups >= 0
    keep = np.ones(times.size, bool)
    if not subject.any():
        return keep, QueueLoss(resource, MappingProxyType({}), MappingProxyType({}))
    names, g = np.unique(groups[subject], return_inverse=True)
    step = TimeGrid(dt).steps_of(times[subject])
    if stationary:
        step -= step.min()
    arrivals = np.zeros((int(step.max()) + 1, names.size))
    np.add.at(arrivals, (step, g), 1.0)
    service = np.full(names.size, rate_bio * dt * 1e-3)
    fluid = (
        _stationary_drops(arrivals, service, depth)
        if stationary
        else fluid_queue(arrivals, service, depth)[0]
    )
    # Whole events: a step drops what the running total of fluid drops completes.
    total = np.floor(np.cumsum(fluid, axis=0) + 1e-9)
    dropped = np.diff(total, axis=0, prepend=0.0).astype(np.int64)
    # Within (step, group), rank events by id: the highest ids go first.
    idx = np.flatnonzero(subject)
    order = np.lexsort((-ids[idx], g, step))
    key = step[order] * names.size + g[order]
    start = np.searchsorted(key, key, side="left")
    rank = np.arange(key.size) - start
    lost = rank < dropped[step[order], g[order]]
    keep[idx[order[lost]]] = False
    offered = np.bincount(g, minlength=names.size)
    lost_per = np.bincount(g[order[lost]], minlength=names.size)
    return keep, QueueLoss(
        resource,
        MappingProxyType({int(n): int(o) for n, o in zip(names, offered, strict=True)}),
        MappingProxyType(
            {int(n): int(d) for n, d in zip(names, lost_per, strict=True) if d}
        ),
    )


def poisson_input_loss(
    rate_per_group: np.ndarray,
    *,
    rate_bio: float,
    depth: float,
    dt: float,
    t_stop: float,
    rng: np.random.Generator,
    resource: str,
) -> QueueLoss:
    """Monte-Carlo estimate of the external events each group drops.

    External Poisson events are drawn inside the emulator and not kept, so their loss
    is estimated from the same queue fed with fresh Poisson counts of the groups'
    total rates (Hz, biological) over ``t_stop`` ms.

    Raises
    ------
    ConfigError
        If ``depth`` or the service per step (``rate_bio * dt``) is negative, or
        ``dt`` is not a multiple of 0.001 ms.
    """
    steps = int(TimeGrid(dt).steps_of(t_stop))
    lam = np.asarray(rate_per_group, dtype=float) * dt * 1e-3
    arrivals = rng.poisson(lam, size=(steps, lam.size)).astype(float)
    dropped = _stationary_drops(
        arrivals, np.full(lam.size, rate_bio * dt * 1e-3), depth
    )
    return QueueLoss(
        resource,
        MappingProxyType({i: int(a) for i, a in enumerate(arrivals.sum(0))}),
        MappingProxyType(
            {i: round(d) for i, d in enumerate(dropped.sum(0)) if round(d)}
        ),
    )
