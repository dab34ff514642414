"""Planning a sweep: frozen run units and the mapping tasks they share.

A sweep (points × tiers on one backend) is planned as

- **mapping tasks** (:class:`MapTask`): one wafer mapping per (realisation, requested
  network, recording layout). The mapped tier and the hardware tier request
  different networks (the wafer is given mean parameters), so they have tasks of
  their own; the ablation variants of the hardware tier share its task, and a
  theory tier shares the task of the tier whose network it describes
  (``theory-mapped`` the mapped tier's).
- **run units** (:class:`RunUnit`): the points of one realisation at one group of
  tiers, emulated in one batched call on the twin (the ablation variants stacked
  into one network), or one point each on NEST. A unit names the mapping tasks it
  needs, so an executor computes every mapping once, before the units that use it,
  and may drop it after the last one.

Executing a unit is a pure function (:func:`experiments.runs.execute.execute`).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

from experiments.runs.workload import Workload
from twin.errors import ConfigError
from twin.tiers import Tier

__all__ = ["BACKENDS", "MapTask", "RunUnit", "plan"]

#: Where a unit runs: the twin's emulator or NEST through PyNN.
BACKENDS = ("twin", "nest")


@dataclass(frozen=True, slots=True)
class MapTask:
    """One wafer mapping: a realisation's network requested by a fidelity.

    ``fidelity`` is the emulated fidelity whose network is mapped
    (:attr:`twin.tiers.Behaviour.describes`). Equal tasks (same realisation,
    fidelity and layout) are one mapping; ``point`` is any point of the
    realisation, used to ask the workload for the network.
    """

    realisation: Hashable
    fidelity: str
    layout: str
    point: Hashable = field(compare=False, hash=False)


@dataclass(frozen=True, slots=True)
class RunUnit:
    """Points of one realisation run together at one group of tiers.

    Attributes
    ----------
    backend
        ``"twin"`` or ``"nest"``.
    tiers
        The tiers, emulated together (more than one: stacked copies of one network).
    layout
        The recording layout of the unit's network; ``None`` for the ideal tier,
        whose network does not depend on it (each point is analysed with its own).
    points
        The points (variants of one batched call on the twin; one point on NEST).
    maps
        The mapping task of each tier (``None`` for the ideal tier).
    capacity_scale
        Largest rate scale of the points planned into the unit: sizes the
        emulator's Poisson buffers (a buffer only: a point's draws depend on its
        key and rates alone, see :func:`twin.analog.simulate_batch`).
    """

    backend: str
    tiers: tuple[Tier, ...]
    layout: str | None
    points: tuple[Hashable, ...]
    maps: tuple[MapTask | None, ...]
    capacity_scale: float

    @property
    def names(self) -> tuple[str, ...]:
        """The tier names, as stored with every result of the unit."""
        return tuple(t.name for t in self.tiers)

    def with_points(self, points: Sequence[Hashable]) -> RunUnit:
        """Return the unit restricted to ``points`` (e.g. those not yet stored)."""
        return RunUnit(
            self.backend,
            self.tiers,
            self.layout,
            tuple(points),
            self.maps,
            self.capacity_scale,
        )


def _tier_groups(tiers: Sequence[Tier], backend: str) -> list[tuple[Tier, ...]]:
    """Group the tiers into emulator calls: the ablation variants run stacked."""
    if backend != "twin":
        return [(t,) for t in tiers]
    groups = [(t,) for t in tiers if t.ablated is None]
    stacked = tuple(t for t in tiers if t.ablated is not None)
    return groups + ([stacked] if stacked else [])


def plan(
    workload: Workload[Any],
    points: Sequence[Hashable],
    tiers: Sequence[Tier],
    backend: str = "twin",
    batch: int | None = None,
) -> tuple[RunUnit, ...]:
    """Plan the units of a sweep (tier groups outer, realisations in point order).

    Parameters
    ----------
    workload, points, tiers, backend
        The sweep.
    batch
        Most points of one unit on the twin (default: all points of a
        realisation, one batched call). Smaller units spread a realisation over
        more workers; splitting does not change a point's draws (they depend on
        the point alone). NEST runs one point a unit.

    Raises
    ------
    ConfigError
        If ``backend`` is unknown, NEST is asked for the hardware or a theory tier,
        there are no points or tiers, or ``batch`` < 1.
    """
    if batch is not None and batch < 1:
        raise ConfigError(f"batch = {batch}; a unit needs at least one point")
    if backend not in BACKENDS:
        raise ConfigError(f"unknown backend {backend!r}; use 'twin' or 'nest'")
    if not points or not tiers:
        raise ConfigError("nothing to run: give at least one point and one tier")
    if backend == "nest" and any(not t.behaviour.on_nest for t in tiers):
        names = [t.name for t in tiers if not t.behaviour.on_nest]
        raise ConfigError(
            f"NEST cannot run the {', '.join(names)} tier (saturating inputs and "
            "4-bit weights are twin models; theory tiers are computed by the twin's "
            "mean-field theory); use --fidelity ideal or mapped for NEST"
        )
    units = []
    for group in _tier_groups(tiers, backend):
        ideal = not group[0].maps
        members: dict[tuple[Hashable, str | None], list[Hashable]] = {}
        for p in points:
            layout = None if ideal else workload.layout(p)
            members.setdefault((workload.realisation(p), layout), []).append(p)
        for (real, layout), mine in members.items():
            maps = tuple(
                None
                if ideal or layout is None
                else MapTask(real, t.behaviour.describes, layout, mine[0])
                for t in group
            )
            capacity = max(workload.variant(p).rate_scale for p in mine)
            size = (batch or len(mine)) if backend == "twin" else 1
            batches = [mine[k : k + size] for k in range(0, len(mine), size)]
            units += [
                RunUnit(backend, group, layout, tuple(b), maps, capacity)
                for b in batches
            ]
    return tuple(units)
