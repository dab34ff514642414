"""Executing a planned unit: pure functions from a unit (and its mappings) to results.

:func:`map_task` computes one mapping of a plan; :func:`execute` runs one unit on
the twin (one batched emulator call: every point a variant, the ablation tiers stacked
copies of one network) or on NEST (one point), and analyses every point with the
workload's protocol. Nothing is read from or written to disk here; executors
(:mod:`experiments.runs.sweep`) store results and show progress.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Hashable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

import numpy as np
from jax import numpy as jnp

from experiments.runs.plan import MapTask, RunUnit
from experiments.runs.result import PointResult, analyse
from experiments.runs.workload import Variant, Workload
from twin.analog import simulate_batch
from twin.analog.keys import stream_key
from twin.analog.runner import Progress
from twin.hardware import HardwareConfig, bandwidth_loss, spike_stages
from twin.network import Network, PoissonSource
from twin.recording import SpikeRecording
from twin.routing import MappingConfig, WaferMapping, map_network
from twin.stack import stack, unstack
from twin.stages import Stage
from twin.streams import seed_sequence
from twin.tiers import Realised, Tier, realise
from twin.wafer import Wafer

__all__ = [
    "INPUT_LOSS_STREAM",
    "POINT_STREAM",
    "execute",
    "map_task",
    "point_key",
    "scaled",
    "stacked_stages",
    "tier_network",
]


#: Name of the stream a sweep point's Poisson sources draw from (:func:`point_key`).
POINT_STREAM = "experiments.point"
#: Name of the stream of a point's input-link loss estimate (per tier).
INPUT_LOSS_STREAM = "experiments.input_loss"


def point_key(variant: Variant) -> jnp.ndarray:
    """Return the JAX PRNG key of a variant: the stream labelled by its integers.

    The label is ``("stream", POINT_STREAM)`` and one ``("key", k)`` field per integer
    (:mod:`twin.streams`): distinct integer tuples, of any length, give distinct keys.

    Raises
    ------
    ConfigError
        If an entry of ``variant.key`` is not an integer.
    """
    return stream_key((("stream", POINT_STREAM), *(("key", k) for k in variant.key)))


def scaled(network: Network, variant: Variant) -> Network:
    """Return the reference network moved to a variant (as the batch does).

    Inhibitory weights × ``g_scale``, Poisson rates × ``rate_scale``.

    Raises
    ------
    NetworkError
        If a scaled weight or rate is negative or not finite.
    """
    projections = tuple(
        p.replace(weight=p.weight * variant.g_scale)
        if p.receptor == "inhibitory"
        else p
        for p in network.projections
    )
    sources = tuple(
        dataclasses.replace(s, rate=np.asarray(s.rate) * variant.rate_scale)
        if isinstance(s, PoissonSource)
        else s
        for s in network.sources
    )
    return network.replace(projections=projections, sources=sources)


def map_task(
    workload: Workload[Any], task: MapTask, wafer: Wafer | None = None
) -> WaferMapping:
    """Compute one mapping of a plan.

    Raises
    ------
    PlacementError, RoutingError, MappingLossError
        If the requested network cannot be mapped (see
        :func:`twin.routing.map_network`).
    ConfigError
        If the workload cannot build the requested network.
    """
    req = workload.request(task.point, task.fidelity, task.layout)
    return map_network(
        req.network,
        wafer or Wafer(),
        config=req.mapping or MappingConfig(),
        seed=workload.seed(task.point),
    )


def tier_network(
    workload: Workload[Any],
    point: Hashable,
    tier: Tier,
    layout: str,
    *,
    wafer: Wafer | None = None,
    mapping: WaferMapping | None = None,
) -> tuple[Realised, np.ndarray | None]:
    """Apply a tier's pipeline to the network the workload requests for ``point``.

    Returns the realised network and the request's initial membrane potentials.

    Raises
    ------
    ConfigError, NetworkError, PlacementError
        If the network cannot be built, realised or (without ``mapping``) mapped.
    """
    req = workload.request(point, tier.fidelity, layout)
    realised = realise(
        tier,
        req.network,
        seed=workload.seed(point),
        wafer=wafer,
        mapping_config=req.mapping,
        mapping=mapping,
    )
    return realised, req.v0


def _losses(realised: Realised) -> dict[str, float]:
    return {"synapse_loss": realised.synapse_loss}


def finish_twin(
    workload: Workload[Any],
    point: Hashable,
    rec: SpikeRecording,
    tier: Tier,
    realised: Realised,
    layout: str,
    wall: float,
) -> PointResult:
    """Analyse one emulated point; the hardware tier's recording limits act here.

    Raises
    ------
    WaferSpecError
        If the tier applies bandwidth limits and its hardware ``limits`` lack
        ``recording_per_hicann``, ``input_per_hicann`` or ``input_per_fpga``.
    """
    recorded = workload.recorded(point, layout)
    common: dict[str, Any] = {
        "backend": "twin",
        "tier": tier.name,
        "layout": layout,
        "neurons": recorded,
        "wall": wall,
    }
    if realised.sites is None or realised.hardware is None or not tier.bandwidth:
        return analyse(workload, point, rec, losses=_losses(realised), **common)
    rate_scale = workload.variant(point).rate_scale
    sources = {
        s.name: np.asarray(s.rate) * rate_scale
        for s in realised.network.sources
        if isinstance(s, PoissonSource)
    }
    kept, losses = bandwidth_loss(
        rec,
        realised.sites,
        recorded,
        sources,
        tier.hardware or HardwareConfig(),
        seed=seed_sequence(
            (
                ("stream", INPUT_LOSS_STREAM),
                ("tier", tier.name),
                *(("key", k) for k in workload.variant(point).key),
            )
        ),
        record_from=workload.sim_config(point).record_from,
    )
    counts = _losses(realised) | {
        f"dropped_{k}": float(v.total_dropped) for k, v in losses.items()
    }
    counts |= {f"offered_{k}": float(v.total_offered) for k, v in losses.items()}
    groups = {
        k: {u: (n, v.dropped.get(u, 0)) for u, n in v.offered.items()}
        for k, v in losses.items()
    }
    return analyse(workload, point, kept, losses=counts, groups=groups, **common)


def stacked_stages(nets: Sequence[Realised]) -> tuple[list[Stage], list[int]]:
    """Return the in-run rate limits of (stacked) tier networks.

    Group ids of copy ``k`` are shifted by the returned ``offsets[k]``, so the copies'
    groups stay apart.

    Raises
    ------
    WaferSpecError
        If a copy applies bandwidth limits and its hardware ``limits`` lack
        ``priority_encoder`` or ``dnc_merger``.
    """
    per_copy = [
        spike_stages(tn.sites, tn.hardware)
        if tn.hardware is not None and tn.sites is not None
        else []
        for tn in nets
    ]
    template = next((st for st in per_copy if st), [])
    span = 1 + max(
        (int(st.group.max(initial=-1)) for copy in per_copy for st in copy), default=0
    )
    offsets = [k * span for k in range(len(nets))]
    stages = []
    for k, proto in enumerate(template):
        groups = []
        for tn, copy, offset in zip(nets, per_copy, offsets, strict=True):
            g = copy[k].group if copy else np.full(tn.network.n_neurons, -1)
            groups.append(np.where(g >= 0, g + offset, -1))
        stages.append(dataclasses.replace(proto, group=np.concatenate(groups)))
    return stages, offsets


def _own_counts(rec: SpikeRecording, lo: int, hi: int) -> SpikeRecording:
    """Keep the rate-limit counts of the groups ``lo <= id < hi`` (one copy's)."""
    counts, counters = {}, dict(rec.counters)
    for name, (ids, offered, dropped) in rec.limit_counts.items():
        mine = (ids >= lo) & (ids < hi)
        counts[name] = np.stack([ids[mine] - lo, offered[mine], dropped[mine]])
        counters[f"offered_{name}"] = int(offered[mine].sum())
        counters[f"dropped_{name}"] = int(dropped[mine].sum())
    return dataclasses.replace(
        rec,
        limit_counts=MappingProxyType(counts),
        counters=MappingProxyType(counters),
    )


def _networks(
    workload: Workload[Any],
    unit: RunUnit,
    wafer: Wafer | None,
    mappings: Mapping[MapTask, WaferMapping],
) -> list[tuple[Realised, np.ndarray | None]]:
    first = unit.points[0]
    layout = unit.layout or workload.layout(first)
    return [
        tier_network(
            workload,
            first,
            tier,
            layout,
            wafer=wafer,
            mapping=None if task is None else mappings.get(task),
        )
        for tier, task in zip(unit.tiers, unit.maps, strict=True)
    ]


def _execute_twin(
    workload: Workload[Any],
    unit: RunUnit,
    realised: list[tuple[Realised, np.ndarray | None]],
    compiled: dict | None,
    progress: Progress | None = None,
) -> list[PointResult]:
    nets = [r for r, _ in realised]
    starts = [v0 for _, v0 in realised]
    # One workload's tiers all give initial potentials, or none does.
    v0: np.ndarray | None = None
    if starts[0] is not None:
        v0 = np.concatenate([v for v in starts if v is not None])
    if len(nets) == 1:
        network = nets[0].network
    else:
        network = stack([n.network for n in nets], share_sources=True)
    variants = [workload.variant(p) for p in unit.points]
    stages, offsets = stacked_stages(nets)
    start = time.perf_counter()
    recs = simulate_batch(
        network,
        workload.sim_config(unit.points[0]),
        keys=jnp.stack([point_key(v) for v in variants]),
        g_scale=[v.g_scale for v in variants],
        rate_scale=[v.rate_scale for v in variants],
        capacity_scale=unit.capacity_scale,
        limits=stages,
        v0=v0,
        compiled=compiled,
        progress=progress,
    )
    wall = (time.perf_counter() - start) / len(unit.points)
    results = []
    bounds = [*offsets[1:], 2**62]
    for point, rec in zip(unit.points, recs, strict=True):
        parts = [rec] if len(nets) == 1 else unstack(rec, [n.network for n in nets])
        parts = [
            _own_counts(p, lo, hi)
            for p, lo, hi in zip(parts, offsets, bounds, strict=True)
        ]
        layout = unit.layout or workload.layout(point)
        for tier, tn, part in zip(unit.tiers, nets, parts, strict=True):
            results.append(finish_twin(workload, point, part, tier, tn, layout, wall))
    return results


def _execute_nest(
    workload: Workload[Any],
    unit: RunUnit,
    realised: list[tuple[Realised, np.ndarray | None]],
    threads: int,
) -> list[PointResult]:
    from experiments.runs.nest import NestConfig, run_nest

    (tier,), ((tn, v0),) = unit.tiers, realised
    results = []
    for point in unit.points:
        sim = workload.sim_config(point)
        layout = unit.layout or workload.layout(point)
        rec, wall = run_nest(
            scaled(tn.network, workload.variant(point)),
            NestConfig(
                t_stop=sim.t_stop,
                dt=sim.dt,
                threads=threads,
                seed=workload.nest_seed(point),
            ),
            v0,
        )
        results.append(
            analyse(
                workload,
                point,
                rec,
                backend="nest",
                tier=tier.name,
                layout=layout,
                neurons=workload.recorded(point, layout),
                losses=_losses(tn),
                wall=wall,
            )
        )
    return results


def execute(
    workload: Workload[Any],
    unit: RunUnit,
    *,
    wafer: Wafer | None = None,
    mappings: Mapping[MapTask, WaferMapping] | None = None,
    threads: int = 2,
    compiled: dict | None = None,
    progress: Progress | None = None,
) -> list[PointResult]:
    """Run one unit and analyse its points; return results point-major, tiers inner.

    Parameters
    ----------
    workload
        The experiment.
    unit
        What to run (see :func:`experiments.runs.plan.plan`).
    wafer
        The wafer of the mapped tiers (default: a perfect one).
    mappings
        The results of the unit's mapping tasks (missing ones are computed here).
    threads
        NEST threads (NEST units).
    compiled
        Store of compiled emulator loops to reuse (see
        :func:`twin.analog.simulate_batch`).
    progress
        Told the fraction of the unit's simulated time done, in (0, 1], as the
        emulator advances (twin units; NEST units report nothing before the end).

    Raises
    ------
    ConfigError, NetworkError, PlacementError, WaferSpecError, NumericalError
        If a network cannot be built, realised, mapped or run (see
        :func:`twin.tiers.realise` and :func:`twin.analog.simulate_batch`).
    """
    nets = _networks(workload, unit, wafer, mappings or {})
    if unit.backend == "nest":
        return _execute_nest(workload, unit, nets, threads)
    return _execute_twin(workload, unit, nets, compiled, progress)
