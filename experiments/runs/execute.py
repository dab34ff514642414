"""Executing a planned unit: pure functions from a unit (and its mappings) to results.

:func:`map_task` computes one mapping of a plan; :func:`execute` runs one unit on
the twin (one :func:`twin.tier_run.run_tiers` call: every point a variant, the
ablation tiers stacked copies of one network), computes a theory tier's unit (one
:func:`twin.theory.tier.theory_tiers` call: no emulation, no spikes; the workload's
:meth:`~experiments.runs.workload.Workload.theory_metrics` of the rates) or runs
NEST (one point), and analyses every point with the workload's protocol. Nothing is
read from or written to disk here; executors (:mod:`experiments.runs.sweep`) store
results and show progress.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import Any

import numpy as np

from experiments.runs.plan import MapTask, RunUnit
from experiments.runs.points import (
    INPUT_LOSS_STREAM,
    POINT_STREAM,
    point_key,
    point_label,
    point_variant,
    recording_link,
    scaled,
    tier_request,
)
from experiments.runs.result import PointResult, analyse
from experiments.runs.workload import Workload
from twin.analog.runner import Progress
from twin.analog.store import CompiledStore
from twin.errors import ConfigError
from twin.recording import SpikeRecording
from twin.routing import MappingConfig, WaferMapping, map_network
from twin.theory.tier import TheoryRun, theory_tiers
from twin.tier_run import TierRequest, TierRun, run_tiers
from twin.wafer import Wafer

__all__ = [
    "INPUT_LOSS_STREAM",
    "POINT_STREAM",
    "execute",
    "map_task",
    "point_key",
    "point_label",
    "point_variant",
    "recording_link",
    "scaled",
    "theory_result",
    "tier_request",
    "twin_result",
]


def map_task(
    workload: Workload[Any], task: MapTask, wafer: Wafer | None = None
) -> WaferMapping:
    """Compute one mapping of a plan.

    Parameters
    ----------
    workload
        The experiment.
    task
        The mapping task (realisation, fidelity, layout, a point of them).
    wafer
        The wafer (default: a perfect one).

    Returns
    -------
    WaferMapping
        The mapping of the network the workload requests for the task.

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


def _requests(
    workload: Workload[Any],
    unit: RunUnit,
    wafer: Wafer | None,
    mappings: Mapping[MapTask, WaferMapping],
) -> list[tuple[TierRequest, np.ndarray | None]]:
    first = unit.points[0]
    layout = unit.layout or workload.layout(first)
    return [
        tier_request(
            workload,
            first,
            tier,
            layout,
            wafer=wafer,
            mapping=None if task is None else mappings.get(task),
        )
        for tier, task in zip(unit.tiers, unit.maps, strict=True)
    ]


def _layouts(workload: Workload[Any], unit: RunUnit) -> list[str]:
    """Return the recording layout of every point of a unit."""
    return [unit.layout or workload.layout(p) for p in unit.points]


def _variant_requests(
    unit: RunUnit, layouts: Sequence[str]
) -> Iterator[tuple[Hashable, str, tuple[int, int]]]:
    """Yield ``(point, layout, (variant, request))`` of a unit's results.

    Point-major, tiers inner: the order :func:`execute` returns results in (a
    twin or theory run's variant ``v`` is the unit's point ``v``, its request
    ``k`` the unit's tier ``k``).
    """
    for v, (point, layout) in enumerate(zip(unit.points, layouts, strict=True)):
        for k in range(len(unit.tiers)):
            yield point, layout, (v, k)


def _execute_twin(
    workload: Workload[Any],
    unit: RunUnit,
    requests: list[tuple[TierRequest, np.ndarray | None]],
    store: CompiledStore | None,
    progress: Progress | None = None,
) -> list[PointResult]:
    starts = [v0 for _, v0 in requests]
    # One workload's tiers all give initial potentials, or none does.
    v0: np.ndarray | None = None
    if starts[0] is not None:
        v0 = np.concatenate([v for v in starts if v is not None])
    layouts = _layouts(workload, unit)
    config = workload.sim_config(unit.points[0])
    if any(workload.sim_config(p) != config for p in unit.points[1:]):
        raise ConfigError(
            "the points of one realisation ask for different run settings "
            "(Workload.sim_config); give every point of a realisation the same ones"
        )
    run = run_tiers(
        [r for r, _ in requests],
        config,
        [point_variant(workload, p) for p in unit.points],
        links=[
            recording_link(workload, p, lay)
            for p, lay in zip(unit.points, layouts, strict=True)
        ],
        v0=v0,
        capacity_scale=unit.capacity_scale,
        store=store,
        progress=progress,
    )
    wall = run.timings["emulate"] / len(unit.points)
    return [
        twin_result(workload, point, layout, run, at, wall)
        for point, layout, at in _variant_requests(unit, layouts)
    ]


def twin_result(
    workload: Workload[Any],
    point: Hashable,
    layout: str,
    run: TierRun,
    at: tuple[int, int],
    wall: float,
) -> PointResult:
    """Analyse variant ``at[0]`` of a tier run at its request ``at[1]``.

    The recording (after the links), the losses and the link groups are the run's;
    the neurons analysed are the point's recorded ones in ``layout``.

    Parameters
    ----------
    workload
        The experiment.
    point
        The variant's point.
    layout
        Its recording layout.
    run
        The tier run.
    at
        ``(variant, request)`` indices into the run.
    wall
        Wall time to state for the point, s.

    Returns
    -------
    PointResult
        The point's metrics, recording and losses at the tier.
    """
    v, k = at
    return analyse(
        workload,
        point,
        run.recordings[v][k],
        backend="twin",
        tier=run.realised[k].tier.name,
        layout=layout,
        neurons=workload.recorded(point, layout),
        losses=run.losses[v][k],
        groups=run.groups[v][k],
        wall=wall,
    )


def _execute_theory(
    workload: Workload[Any],
    unit: RunUnit,
    requests: list[tuple[TierRequest, np.ndarray | None]],
) -> list[PointResult]:
    run = theory_tiers(
        [r for r, _ in requests], [point_variant(workload, p) for p in unit.points]
    )
    wall = run.timings["theory"] / len(unit.points)
    return [
        theory_result(workload, point, layout, run, at, wall)
        for point, layout, at in _variant_requests(unit, _layouts(workload, unit))
    ]


def theory_result(
    workload: Workload[Any],
    point: Hashable,
    layout: str,
    run: TheoryRun,
    at: tuple[int, int],
    wall: float,
) -> PointResult:
    """Return variant ``at[0]`` of a theory run at its request ``at[1]`` as a result.

    The metrics are the workload's :meth:`~experiments.runs.workload.Workload.
    theory_metrics` of the neurons' stationary rates; the recording is empty (no
    spikes, no per-neuron counts) and the row states no time window
    (:attr:`PointResult.window` is ``None``: a stationary rate is computed, not
    simulated over a time); the note is the run's (flags, effects not expressed)
    and names the metrics without a value (NaN).

    Parameters
    ----------
    workload, point, layout
        The experiment, the variant's point and its recording layout.
    run
        The theory run.
    at
        ``(variant, request)`` indices into the run.
    wall
        Wall time to state for the point, s.

    Returns
    -------
    PointResult
        The point's metrics, losses and note at the theory tier.
    """
    v, k = at
    tn = run.realised[k]
    sim = workload.sim_config(point)
    offsets = {p.name: tn.network.offset(p.name) for p in tn.network.populations}
    empty = np.zeros(0, np.int64)
    recording = SpikeRecording(
        times=np.zeros(0),
        ids=empty,
        recorded={},
        population_offsets=offsets,
        t_stop=sim.t_stop,
        dt=sim.dt,
        counts=empty,
        traces=np.zeros((0, 0)),
        counters={},
    )
    neurons = workload.recorded(point, layout)
    metrics = workload.theory_metrics(point, run.rates[v][k], neurons)
    missing = [name for name, x in metrics.items() if np.isnan(x)]
    notes = [run.notes[v][k]] if run.notes[v][k] else []
    if missing:
        notes.append(f"NaN, not given by the theory: {', '.join(missing)}")
    return PointResult(
        workload=workload.name,
        point=MappingProxyType(dict(workload.coordinates(point))),
        seed=workload.seed(point),
        backend="twin",
        tier=tn.tier.name,
        layout=layout,
        metrics=MappingProxyType(metrics),
        recording=recording,
        neurons=np.asarray(neurons),
        losses=MappingProxyType(dict(run.losses[v][k])),
        wall=wall,
        recorded_from=sim.record_from,
        note="; ".join(notes),
    )


def _execute_nest(
    workload: Workload[Any],
    unit: RunUnit,
    requests: list[tuple[TierRequest, np.ndarray | None]],
    threads: int,
) -> list[PointResult]:
    from experiments.runs.nest import NestConfig, run_nest

    (tier,), ((request, v0),) = unit.tiers, requests
    tn = request.realise()  # NEST runs the tier's network (ideal or mapped)
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
                losses={"synapse_loss": tn.synapse_loss},
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
    store: CompiledStore | None = None,
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
    store
        Compiled emulator loops to reuse and add to
        (:class:`twin.analog.store.CompiledStore`).
    progress
        Told the fraction of the unit's simulated time done, in (0, 1], as the
        emulator advances (twin units; NEST units report nothing before the end).

    Raises
    ------
    ConfigError, NetworkError, PlacementError, WaferSpecError, NumericalError
        If a network cannot be built, realised, mapped or run (see
        :func:`twin.tiers.realise` and :func:`twin.analog.simulate_batch`).
    """
    requests = _requests(workload, unit, wafer, mappings or {})
    if unit.backend == "nest":
        return _execute_nest(workload, unit, requests, threads)
    if any(t.behaviour.theory for t in unit.tiers):
        return _execute_theory(workload, unit, requests)
    return _execute_twin(workload, unit, requests, store, progress)
