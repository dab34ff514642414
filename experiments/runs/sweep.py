"""Running a sweep: plan, skip what is stored, execute the rest, store as it finishes.

``run_sweep`` takes a workload and its points (e.g. the Brunel (g, eta) grid times
some seeds) and the tiers to run, and runs them as an ensemble of one member
(:func:`experiments.runs.ensemble.run_ensemble`): the points already in the store
are loaded, the units with points still to run go to an executor (serial in this
process by default, or a Dask cluster), and each finished point is written the
moment its unit returns, so an interrupted sweep resumes where it stopped and
equals an uninterrupted one.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from pathlib import Path
from typing import Any

from experiments.runs.ensemble import Member, run_ensemble
from experiments.runs.executor import Executor
from experiments.runs.result import PointResult
from experiments.runs.workload import Workload
from twin.tiers import IDEAL, Tier, tier_list
from twin.wafer import Wafer

__all__ = ["run_sweep"]


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
    executor: Executor | None = None,
    batch: int | None = None,
    keep_going: bool = False,
    labels: Mapping[str, str] | None = None,
    reuse_stale: bool = False,
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
        Folder for the per-point files (resume) and the results table; ``None``:
        nothing written.
    wafer
        The wafer the mapped tiers use (default: perfect).
    threads
        NEST threads.
    progress
        Show a progress bar (stderr): points done of all, units done of those
        left to run, and the time left.
    executor
        Who runs the units (default:
        :class:`experiments.runs.executor.SerialExecutor`, this process).
    batch
        Most points of one twin unit (see :func:`experiments.runs.plan.plan`).
    keep_going
        Run every unit even if some fail, then raise
        :class:`experiments.runs.executor.SweepError` naming them (default: the
        first failure's own error is raised at once).
    labels
        Columns added to this sweep's rows of ``out/results.parquet``; rows with
        other labels stay in the table.
    reuse_stale
        Reuse points in ``out`` computed by other code (another version or changed
        source, see :mod:`experiments.runs.codestamp`), with a
        :class:`experiments.runs.store.StaleResultsWarning`; by default they are
        refused.

    Raises
    ------
    SweepError
        With ``keep_going``, if units failed (the others are stored).
    ConfigError
        If ``backend`` is unknown, NEST is asked for the hardware tier or is not
        installed, a tier names an unknown fidelity, or a point cannot be built or
        run (see :func:`experiments.runs.execute.execute`).
    NetworkError, PlacementError, WaferSpecError, NumericalError
        If a network is invalid, cannot be mapped or run.
    StaleResultsError
        If a point found in ``out`` was computed by other code and not
        ``reuse_stale``.
    ResultsError
        If a point file found in ``out`` cannot be read.
    """
    member = Member(
        workload,
        tuple(tiers) if tiers is not None else tuple(tier_list([IDEAL])),
        wafer or Wafer(),
        dict(labels or {}),
    )
    (found,) = run_ensemble(
        [member],
        points,
        backend,
        out=out,
        threads=threads,
        progress=progress,
        executor=executor,
        batch=batch,
        keep_going=keep_going,
        reuse_stale=reuse_stale,
    )
    return found
