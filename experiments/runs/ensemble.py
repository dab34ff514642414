"""Running an ensemble: several sweeps of the same points, their units run together.

A *member* (:class:`Member`) is a workload at some tiers on a wafer, with labels
(e.g. the defect map, mapping strategy and router it stands for). ``run_ensemble``
plans every member's units (:mod:`experiments.runs.plan`), loads the points already
in each member's store, hands all units with points still to run to one executor
(:mod:`experiments.runs.executor`: serial in this process by default, or a Dask
cluster, never idle between members) and writes each finished point the moment its
unit's outcome arrives, so an interrupted ensemble resumes where it stopped. The
results table (:mod:`experiments.runs.table`, ``out/results.parquet``) is rewritten
every :data:`TABLE_EVERY` seconds while units finish, and when the run ends. Each
point's random stream depends only on the point (not on its batch neighbours or
buffer sizes), so a resumed or split run equals an uninterrupted one, whichever
executor ran it. :func:`experiments.runs.sweep.run_sweep` is an ensemble of one.
"""

from __future__ import annotations

import time
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from experiments.runs.codestamp import CodeStamp
from experiments.runs.executor import (
    Executor,
    Job,
    SerialExecutor,
    SweepError,
    UnitOutcome,
    Work,
)
from experiments.runs.plan import RunUnit, plan
from experiments.runs.progress import WorkBar, WorkTracker, unit_costs
from experiments.runs.result import PointResult
from experiments.runs.store import Store
from experiments.runs.table import TABLE_NAME, table_rows, write_table
from experiments.runs.workload import Workload
from twin.tiers import Tier
from twin.wafer import Wafer

__all__ = ["TABLE_EVERY", "Member", "run_ensemble"]

Results = dict[tuple[str, Hashable], PointResult]
Codes = dict[tuple[str, Hashable], CodeStamp | None]

#: Seconds between rewrites of the results table while a sweep runs (it is also
#: written when the sweep ends or is interrupted).
TABLE_EVERY = 60.0


@dataclass(frozen=True, slots=True, eq=False)
class Member:
    """One member of an ensemble: a workload at some tiers on a wafer.

    Attributes
    ----------
    workload
        The experiment (its settings may hold e.g. mapping changes).
    tiers
        The tiers to run.
    wafer
        The wafer of the mapped tiers.
    labels
        The member's columns in the results table (e.g. ``{"router": "shortest"}``).
    """

    workload: Workload[Any]
    tiers: tuple[Tier, ...]
    wafer: Wafer = field(default_factory=Wafer)
    labels: Mapping[str, str] = field(default_factory=dict)


def _stored(
    store: Store, units: Sequence[RunUnit], results: Results, codes: Codes
) -> list[RunUnit]:
    """Load the stored points into ``results`` (their code into ``codes``).

    Return the units left to run.
    """
    todo = []
    for unit in units:
        missing = []
        for p in unit.points:
            stored = [store.load(t, unit, p) for t in unit.tiers]
            if any(r is None for r in stored):
                missing.append(p)
                continue
            results.update(
                {(t.name, p): r for t, r in zip(unit.tiers, stored, strict=True) if r}
            )
            codes.update(
                {(t.name, p): store.computed_with(t, unit, p) for t in unit.tiers}
            )
        if missing:
            todo.append(unit.with_points(missing))
    return todo


def _keep(store: Store, outcome: UnitOutcome, results: Results, codes: Codes) -> None:
    """Store and collect the points of a finished unit (computed by this code)."""
    unit = outcome.unit
    for k, r in enumerate(outcome.results):
        p, t = unit.points[k // len(unit.tiers)], unit.tiers[k % len(unit.tiers)]
        store.save(t, unit, p, r)
        results[(t.name, p)] = r
        codes[(t.name, p)] = store.code


def _one_line(error: BaseException | None) -> str:
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text}"


def _write_table(
    out: Path | None,
    members: Sequence[Member],
    plans: Sequence[Sequence[RunUnit]],
    results: Sequence[Results],
    failures: Sequence[Sequence[UnitOutcome]],
    codes: Sequence[Codes],
) -> None:
    """Write ``out/results.parquet``: every planned point's row and status."""
    if out is None:
        return
    rows = []
    for member, units, found, failed, code in zip(
        members, plans, results, failures, codes, strict=True
    ):
        errors = {
            (t, p): _one_line(f.error)
            for f in failed
            for p in f.unit.points
            for t in f.unit.names
        }
        rows += table_rows(member.workload, units, found, errors, member.labels, code)
    coords = {
        k
        for m, units in zip(members, plans, strict=True)
        for u in units[:1]
        for k in m.workload.coordinates(u.points[0])
    }
    keys = sorted({k for m in members for k in m.labels} | coords)
    write_table(out / TABLE_NAME, rows, keys)


def _devices() -> int:
    """Return the devices a batched call spreads its variants over (JAX's)."""
    import jax

    return int(jax.local_device_count())


def run_ensemble(
    members: Sequence[Member],
    points: Sequence[Hashable],
    backend: str = "twin",
    *,
    out: Path | None = None,
    threads: int = 2,
    progress: bool = False,
    executor: Executor | None = None,
    batch: int | None = None,
    keep_going: bool = False,
    reuse_stale: bool = False,
    progress_log: Path | None = None,
) -> list[list[PointResult]]:
    """Run every point of every member; return each member's results.

    The units of all members go to the executor together. Parameters and errors
    are those of :func:`experiments.runs.sweep.run_sweep` (an ensemble of one
    member); a member's results are tier-major, in points order. The bar counts
    predicted seconds of work (:mod:`experiments.runs.progress`); ``progress_log``
    names a file for its estimates over time.

    Raises
    ------
    SweepError
        With ``keep_going``, if units failed (its ``results``: every member's).
    """
    label = [", ".join(f"{k}={v}" for k, v in m.labels.items()) for m in members]
    jobs = [
        Job(m.workload, m.wafer, threads, text)
        for m, text in zip(members, label, strict=True)
    ]
    plans = [plan(m.workload, points, m.tiers, backend, batch) for m in members]
    stores = [Store(out, m.workload, m.wafer, reuse_stale) for m in members]
    results: list[Results] = [{} for _ in members]
    codes: list[Codes] = [{} for _ in members]
    work: list[Work] = [
        (job, unit)
        for job, units, store, found, code in zip(
            jobs, plans, stores, results, codes, strict=True
        )
        for unit in _stored(store, units, found, code)
    ]
    index = {job: i for i, job in enumerate(jobs)}
    failures: list[list[UnitOutcome]] = [[] for _ in members]
    serial = executor is None or isinstance(executor, SerialExecutor)
    bar = WorkBar(
        WorkTracker(unit_costs(work, _devices() if serial else 1), serial),
        points=len(points) * sum(len(m.tiers) for m in members),
        initial=sum(len(r) for r in results),
        desc=f"{members[0].workload.name} on {backend}" if members else "",
        disable=not progress,
        log=progress_log,
    )
    written = time.monotonic()
    credited = [0.0] * len(work)  # points of a running unit already on the bar
    finished = int(bar.points_done)  # points of finished units (and stored ones)
    position = {id(unit): k for k, (_, unit) in enumerate(work)}

    def advance(k: int, fraction: float) -> None:
        """Move the bar with a unit's simulated time (its points x tiers)."""
        size = len(work[k][1].points) * len(work[k][1].tiers)
        credited[k] = max(credited[k], min(max(fraction, 0.0), 1.0) * size)
        bar.tracker.progress(k, fraction)
        bar.show(finished + sum(credited))

    try:
        runs = (executor or SerialExecutor()).run(work, advance)
        for outcome in runs:
            i = index[outcome.job]
            if outcome.error is not None:
                failures[i].append(outcome)
                if not keep_going:
                    raise outcome.error
            _keep(stores[i], outcome, results[i], codes[i])
            k_unit = position.get(id(outcome.unit))
            if k_unit is not None:
                credited[k_unit] = 0.0
            finished += len(outcome.results)
            bar.finished(k_unit, finished + sum(credited), outcome.failed)
            if time.monotonic() - written > TABLE_EVERY:
                _write_table(out, members, plans, results, failures, codes)
                written = time.monotonic()
    finally:
        bar.close()
        _write_table(out, members, plans, results, failures, codes)
    done = [
        [found[(t.name, p)] for t in m.tiers for p in points if (t.name, p) in found]
        for m, found in zip(members, results, strict=True)
    ]
    failed = [f for member in failures for f in member]
    if failed:
        raise SweepError(failed, [r for rs in done for r in rs])
    return done
