"""Running a sweep on one machine: plan, map once, execute unit by unit, store.

``run_sweep`` takes a workload and its points (e.g. the Brunel (g, eta) grid times
some seeds) and the tiers to run. It plans the units (:mod:`experiments.runs.plan`),
loads the points already in the store, computes each mapping task once, just before
the first unit that needs it, and drops it after the last; it executes every unit
(:func:`experiments.runs.execute.execute`) and writes each finished point at once,
so an interrupted sweep resumes where it stopped. Each point's random stream depends
only on the point, so a resumed sweep equals an uninterrupted one.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from pathlib import Path
from typing import Any

from tqdm import tqdm

from experiments.runs.execute import execute, map_task
from experiments.runs.plan import MapTask, RunUnit, plan
from experiments.runs.result import PointResult
from experiments.runs.store import Store
from experiments.runs.workload import Workload
from twin.routing import WaferMapping
from twin.tiers import Tier, tier_list
from twin.wafer import Wafer

__all__ = ["run_sweep"]


def _last_use(units: Sequence[RunUnit]) -> dict[MapTask, int]:
    """Return the index of the last unit that needs each mapping task."""
    return {task: i for i, u in enumerate(units) for task in u.maps if task}


def run_sweep(
    workload: Workload[Any],
    points: Sequence[Hashable],
    backend: str = "twin",
    tiers: Sequence[Tier] | None = None,
    *,
    out: Path | None = None,
    wafer: Wafer | None = None,
    threads: int = 2,
    progress: bool = False,
) -> list[PointResult]:
    """Run every point at every tier; return the results (tier-major, points order).

    Parameters
    ----------
    workload
        The experiment (e.g. ``experiments.brunel.BrunelWorkload()``).
    points
        Its points.
    backend
        ``"twin"`` (batched emulator) or ``"nest"`` (PyNN + NEST; tiers ideal,
        mapped).
    tiers
        Default: ``ideal`` only.
    out
        Folder for the per-point files (resume); ``None``: nothing written.
    wafer
        The wafer the mapped tiers use (default: perfect).
    threads
        NEST threads.
    progress
        Show a progress bar (stderr).

    Raises
    ------
    ConfigError
        If ``backend`` is unknown, NEST is asked for the hardware tier or is not
        installed, a tier names an unknown fidelity, or a point cannot be built or
        run (see :func:`experiments.runs.execute.execute`).
    NetworkError, PlacementError, WaferSpecError, NumericalError
        If a network is invalid, cannot be mapped or run.
    ResultsError
        If a point file found in ``out`` cannot be read.
    """
    tiers = list(tiers) if tiers is not None else tier_list(["ideal"])
    wafer = wafer or Wafer()
    units = plan(workload, points, tiers, backend)
    store = Store(out, workload, wafer)
    last = _last_use(units)
    mappings: dict[MapTask, WaferMapping] = {}
    compiled: dict = {}
    results: dict[tuple[str, Hashable], PointResult] = {}
    with tqdm(
        total=len(points) * len(tiers),
        unit="point",
        disable=not progress,
        desc=f"{workload.name} on {backend}",
    ) as bar:
        for i, unit in enumerate(units):
            todo = []
            for p in unit.points:
                stored = [store.load(t, unit, p) for t in unit.tiers]
                if any(r is None for r in stored):
                    todo.append(p)
                    continue
                results.update(
                    {
                        (t.name, p): r
                        for t, r in zip(unit.tiers, stored, strict=True)
                        if r
                    }
                )
                bar.update(len(unit.tiers))
            if todo:
                for task in unit.maps:
                    if task is not None and task not in mappings:
                        mappings[task] = map_task(workload, task, wafer)
                found = execute(
                    workload,
                    unit.with_points(todo),
                    wafer=wafer,
                    mappings=mappings,
                    threads=threads,
                    compiled=compiled,
                )
                for k, r in enumerate(found):
                    p, t = todo[k // len(unit.tiers)], unit.tiers[k % len(unit.tiers)]
                    store.save(t, unit, p, r)
                    results[(t.name, p)] = r
                bar.update(len(found))
            for task in [t for t, j in last.items() if j == i and t in mappings]:
                del mappings[task]
    return [results[(t.name, p)] for t in tiers for p in points]
