"""Executors: who runs a sweep's units, and in which order their outcomes return.

:func:`experiments.runs.ensemble.run_ensemble` (and ``run_sweep``, an ensemble of one)
plans the units, skips the points already in the store and hands the remaining
units, each with its :class:`Job` (the ensemble member it belongs to), to an
executor, which yields one :class:`UnitOutcome` per unit as it finishes (in any
order); the caller stores each finished point at once. Two executors share this
interface:

- :class:`SerialExecutor` (the default): one unit after the other in this process;
  each mapping task is computed just before the first unit that needs it and dropped
  after the last;
- :class:`experiments.runs.dask_executor.DaskExecutor`: the units as tasks of a Dask
  cluster, the mappings as upstream tasks whose results the units receive.

A unit that raises is not the end of an executor's run: its outcome carries the error
and the remaining units still run (the sweep decides whether to stop).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol

from experiments.runs.execute import execute, map_task
from experiments.runs.plan import MapTask, RunUnit
from experiments.runs.result import PointResult
from experiments.runs.workload import Workload
from twin.analog.store import CompiledStore
from twin.errors import TwinError
from twin.routing import WaferMapping
from twin.wafer import Wafer

__all__ = [
    "Executor",
    "Job",
    "SerialExecutor",
    "SweepError",
    "UnitOutcome",
    "UnitProgress",
    "Work",
]


@dataclass(frozen=True, slots=True, eq=False)
class Job:
    """What the units of one sweep (one ensemble member) share.

    Jobs compare and hash by identity: two members with equal settings are still
    two jobs (executors may notice that their units compute the same thing).

    Attributes
    ----------
    workload
        The experiment.
    wafer
        The wafer of the mapped tiers.
    threads
        NEST threads of a NEST unit.
    label
        Names the ensemble member in messages (e.g. ``"wafer=defects-3"``).
    """

    workload: Workload[Any]
    wafer: Wafer
    threads: int = 2
    label: str = ""


#: A unit to run and the job it belongs to.
Work = tuple[Job, RunUnit]

#: Told (index of a unit in the work, fraction of its simulated time done) while it
#: runs, for a progress bar that moves inside long units.
UnitProgress = Callable[[int, float], None]


@dataclass(frozen=True, slots=True, eq=False)
class UnitOutcome:
    """One executed unit: its results (point-major, tiers inner) or its error.

    Attributes
    ----------
    job
        The job the unit belongs to.
    unit
        The unit as it was handed to the executor.
    results
        Its results in the order of :func:`experiments.runs.execute.execute`
        (empty if it failed).
    error
        The exception the unit (or one of its mapping tasks) raised; ``None`` if
        it finished.
    """

    job: Job
    unit: RunUnit
    results: tuple[PointResult, ...] = ()
    error: BaseException | None = None

    @property
    def failed(self) -> bool:
        """Whether the unit raised instead of finishing."""
        return self.error is not None

    def describe(self) -> str:
        """Return one line naming the unit (backend, tiers, points) and its error."""
        points = ", ".join(repr(p) for p in self.unit.points[:2])
        more = (
            f" and {len(self.unit.points) - 2} more"
            if len(self.unit.points) > 2
            else ""
        )
        error = f"{type(self.error).__name__}: {self.error}" if self.error else "ok"
        member = f" ({self.job.label})" if self.job.label else ""
        return (
            f"{self.unit.backend} unit {'+'.join(self.unit.names)}{member} "
            f"[{points}{more}]: {error}"
        )


class SweepError(TwinError):
    """Some units of a sweep failed; the others finished and were stored.

    Parameters
    ----------
    failures
        The failed units' outcomes.
    results
        The results of every point that finished (stored or computed now).
    """

    def __init__(
        self, failures: Sequence[UnitOutcome], results: Sequence[PointResult]
    ) -> None:
        lines = "\n".join(f"  {f.describe()}" for f in failures)
        super().__init__(
            f"{len(failures)} unit(s) failed (the others are stored; fix the cause "
            f"and run the sweep again to compute only these):\n{lines}"
        )
        self.failures = tuple(failures)
        self.results = tuple(results)


class Executor(Protocol):
    """Runs units and yields their outcomes as they finish."""

    def run(
        self, work: Sequence[Work], progress: UnitProgress | None = None
    ) -> Iterator[UnitOutcome]:
        """Execute the units of ``work``; yield one outcome each, in any order.

        A unit that raises yields an outcome with its error; the others still run.
        ``progress`` hears how far a running unit is, where the executor can tell.
        """
        ...


def _last_use(work: Sequence[Work]) -> dict[tuple[Job, MapTask], int]:
    """Return the index of the last unit that needs each (job's) mapping task."""
    return {(job, t): i for i, (job, u) in enumerate(work) for t in u.maps if t}


@dataclass(frozen=True, slots=True)
class SerialExecutor:
    """Run the units one after the other in this process (today's sweep loop).

    The emulator's compiled loops are kept for the whole run; each mapping task is
    computed before the first unit that needs it and dropped after the last.
    """

    def run(
        self, work: Sequence[Work], progress: UnitProgress | None = None
    ) -> Iterator[UnitOutcome]:
        """Execute the units in order; yield each outcome when it is done.

        ``progress`` hears each twin unit's simulated time as the emulator advances
        (:func:`twin.analog.simulate_batch`'s ``progress``).
        """
        last = _last_use(work)
        mappings: dict[tuple[Job, MapTask], WaferMapping] = {}
        store = CompiledStore()
        for i, (job, unit) in enumerate(work):
            try:
                for task in (t for t in unit.maps if t is not None):
                    if (job, task) not in mappings:
                        mappings[job, task] = map_task(job.workload, task, job.wafer)
                found = execute(
                    job.workload,
                    unit,
                    wafer=job.wafer,
                    mappings={t: mappings[job, t] for t in unit.maps if t is not None},
                    threads=job.threads,
                    store=store,
                    progress=None if progress is None else partial(progress, i),
                )
            except Exception as err:  # reported with the unit; the sweep decides
                yield UnitOutcome(job, unit, error=err)
            else:
                yield UnitOutcome(job, unit, tuple(found))
            for key in [k for k, j in last.items() if j == i and k in mappings]:
                del mappings[key]
