"""The sweep's progress bar: predicted seconds of work done and left, not points.

Units differ a lot in cost (the hardware tier's units map and transform, the first
unit of a shape compiles, batched units share a step's cost), so the bar counts
*work*: each unit's predicted seconds (:mod:`experiments.runs.cost_model`), learned
while the sweep runs. With the serial executor a unit's wall time is measured from the
moment the executor resumes to its outcome, and its simulated-time reports give its
fixed part (before the first report) and its seconds per step (between reports). The
bar shows

- ``n``: work done, s (finished units' measured seconds, the running unit's seconds so
  far; with a Dask cluster, the predicted seconds of the finished units);
- ``total``: ``n`` + the running unit's predicted rest + the other units' predictions;

so tqdm's time left, ``(total - n) * elapsed / n``, is the model's remaining work
at the sweep's measured pace. The points (finished plus running fractions) are in the
text. ``n`` never passes ``total``, and the bar closes at exactly its total.

``--progress-log FILE`` (``twin brunel``) writes, at every update, the elapsed
seconds, the estimated seconds left, the work fraction done and the points done
(tab-separated); :func:`estimate_errors` compares the estimates with the actual end.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from tqdm import tqdm

from experiments.runs.cost_model import REF_SIZE, CostModel, Observation, UnitCost
from experiments.runs.executor import Work
from twin.errors import TwinError
from twin.tiers import THEORY, is_theory

__all__ = ["WorkBar", "WorkTracker", "estimate_errors", "read_log", "unit_costs"]

Clock = Callable[[], float]


def monotonic() -> float:
    """Return the bar's clock, s (:func:`time.monotonic`; replaced in tests)."""
    return time.monotonic()


def _kind(work: Work) -> str:
    unit = work[1]
    if unit.backend == "nest":
        return "nest"
    return THEORY if is_theory(unit.tiers[0].name) else unit.tiers[0].fidelity


#: (neurons, synapses, steps) of a unit that cannot be sized: the seed network's
#: size, no steps (the unit fails when it runs; the bar only needs a guess).
UNKNOWN = (2_083, round((REF_SIZE - 2_083) * 100), 0)


def _size(
    work: Work, sizes: dict[tuple[int, Hashable], tuple[int, int]]
) -> tuple[int, int, int]:
    """Return (neurons, synapses, steps) of a unit (its realisation's network).

    ``sizes`` caches the networks' sizes per (job, realisation).
    """
    job, unit = work
    point = unit.points[0]
    try:
        real = (id(job), job.workload.realisation(point))
        if real not in sizes:
            layout = unit.layout or job.workload.layout(point)
            network = job.workload.request(point, "ideal", layout).network
            sizes[real] = (network.n_neurons, network.n_synapses)
        steps = job.workload.sim_config(point).n_steps
    except TwinError:
        return UNKNOWN
    return (*sizes[real], steps)


def unit_costs(work: Sequence[Work], devices: int = 1) -> list[UnitCost]:
    """Return what the cost model knows of each unit before it runs.

    ``devices``: how many devices a unit's variants spread over (the serial
    executor's JAX devices; 1 on Dask workers). A unit compiles if it is the first
    of its (kind, size, variants) and computes the mapping tasks not needed before.
    """
    sizes: dict[tuple[int, Hashable], tuple[int, int]] = {}
    compiled: set[tuple[str, int, int, int]] = set()
    mapped: set[tuple[int, Hashable]] = set()
    costs = []
    for job, unit in work:
        neurons, synapses, steps = _size((job, unit), sizes)
        kind = _kind((job, unit))
        steps = 0 if kind == THEORY else steps
        variants = len(unit.points) * len(unit.tiers)
        shape = (kind, neurons, synapses, variants)
        new = {(id(job), t) for t in unit.maps if t is not None} - mapped
        costs.append(
            UnitCost(
                kind,
                neurons,
                synapses,
                steps,
                variants,
                1 if kind == "nest" else devices,
                compiles=kind not in {"nest", THEORY} and shape not in compiled,
                maps=len(new),
            )
        )
        compiled.add(shape)
        mapped |= new
    return costs


@dataclass(slots=True)
class _Unit:
    """A unit's measured times: start, progress reports ``(time, fraction)``, end."""

    start: float | None = None
    reports: list[tuple[float, float]] = field(default_factory=list)
    end: float | None = None
    credit: float = 0.0  # work seconds counted as done when it finished


def _measured(
    cost: UnitCost, times: _Unit, model: CostModel, now: float
) -> Observation:
    """Return a unit's measured per-step and fixed seconds so far (see module)."""
    if times.start is None:
        return Observation(cost, None, None)
    end = times.end if times.end is not None else now
    reports = times.reports + ([(end, 1.0)] if times.end is not None else [])
    if cost.steps > 0 and len(reports) >= 2:
        (t0, f0), (t1, f1) = reports[0], reports[-1]
        if f1 > f0:
            per_step = (t1 - t0) / ((f1 - f0) * cost.steps)
            fixed = t0 - times.start - f0 * cost.steps * per_step
            return Observation(cost, per_step, max(fixed, 0.0))
    if times.end is None:
        return Observation(cost, None, None)
    duration = end - times.start
    if not cost.steps:
        return Observation(cost, None, duration)
    fixed = min(model.fixed(cost), duration)
    return Observation(cost, (duration - fixed) / cost.steps, fixed)


class WorkTracker:
    """Work done and left of a sweep's units, in predicted seconds (see module).

    Parameters
    ----------
    costs
        Each unit's :class:`UnitCost`, in work order.
    serial
        Whether the units run one after the other in this process, in work order
        (then their wall times are measured).
    clock
        Seconds of a monotonic clock (default: :func:`monotonic`).
    """

    def __init__(
        self, costs: Sequence[UnitCost], serial: bool, clock: Clock | None = None
    ) -> None:
        self.costs = tuple(costs)
        self.serial = serial
        self.clock = clock or monotonic
        self.model = CostModel()
        self.units = [_Unit() for _ in self.costs]
        self.begun = self.clock()
        self._next = 0
        if serial:
            self._start_next()

    def _start_next(self) -> None:
        while self._next < len(self.units) and self.units[self._next].end is not None:
            self._next += 1
        if self._next < len(self.units) and self.units[self._next].start is None:
            self.units[self._next].start = self.clock()

    def _learn(self, k: int) -> None:
        seen = _measured(self.costs[k], self.units[k], self.model, self.clock())
        if seen.per_step is not None or seen.fixed is not None:
            self.model = self.model.learn(k, seen)

    def progress(self, k: int, fraction: float) -> None:
        """Record that unit ``k`` has done ``fraction`` of its simulated time."""
        unit = self.units[k]
        fraction = min(max(fraction, 0.0), 1.0)
        if unit.end is None and (not unit.reports or fraction > unit.reports[-1][1]):
            unit.reports.append((self.clock(), fraction))
            self._learn(k)

    def finish(self, k: int, failed: bool = False) -> None:
        """Record that unit ``k`` finished now; start the next (serial).

        A failed unit's time counts as work done but teaches the model nothing.
        """
        unit = self.units[k]
        if unit.end is not None:
            return
        unit.credit = self.model.predict(self.costs[k])
        unit.end = self.clock()
        if unit.start is not None:
            unit.credit = unit.end - unit.start
            if failed:
                self.model = CostModel(
                    tuple((j, o) for j, o in self.model.seen if j != k)
                )
            else:
                self._learn(k)
        if self.serial:
            self._start_next()

    def running_left(self, k: int, now: float) -> float:
        """Return the predicted seconds left of started, unfinished unit ``k``."""
        cost, unit = self.costs[k], self.units[k]
        seen = _measured(cost, unit, self.model, now)
        per_step = seen.per_step if seen.per_step else self.model.per_step(cost)
        if unit.reports:
            at, fraction = unit.reports[-1]
            return max((1 - fraction) * cost.steps * per_step - (now - at), 0.0)
        started = unit.start if unit.start is not None else now
        return max(self.model.predict(cost) - (now - started), 0.0)

    def work(self) -> tuple[float, float]:
        """Return (seconds of work done, seconds of work left), by the model now."""
        now, done, left = self.clock(), 0.0, 0.0
        predicted: dict[UnitCost, float] = {}  # units of a sweep share few costs
        for k, unit in enumerate(self.units):
            if unit.end is not None:
                done += unit.credit
            elif unit.start is not None:
                done += now - unit.start
                left += self.running_left(k, now)
            else:
                cost = self.costs[k]
                if cost not in predicted:
                    predicted[cost] = self.model.predict(cost)
                left += predicted[cost]
        return done, left

    def estimate(self) -> tuple[float, float, float]:
        """Return (elapsed s, estimated s left, work fraction done).

        The time left is tqdm's: work left x elapsed / work done (``inf`` before
        any work is done; 0 when none is left).
        """
        elapsed = self.clock() - self.begun
        done, left = self.work()
        total = done + left
        if left <= 0:
            return elapsed, 0.0, 1.0
        remaining = left * elapsed / done if done > 0 else math.inf
        return elapsed, remaining, done / total


class WorkBar:
    """A tqdm bar over a sweep's work, with its points in the text (see module).

    Parameters
    ----------
    tracker
        The units' work.
    points, initial
        Points in all (x tiers), and those already stored.
    desc, disable
        tqdm's.
    log
        A file to append ``elapsed, left, fraction, points`` lines to.
    """

    def __init__(
        self,
        tracker: WorkTracker,
        points: int,
        initial: int,
        desc: str = "",
        disable: bool = False,
        log: Path | None = None,
    ) -> None:
        self.tracker = tracker
        self.points = points
        self.points_done = float(initial)
        self.units_done = 0
        self.log: TextIO | None = None
        if log is not None:
            self.log = log.open("w", encoding="utf-8")
            self.log.write("elapsed_s\tleft_s\tdone_fraction\tpoints\n")
        self.bar = tqdm(
            total=max(sum(tracker.work()), 1e-9),
            unit="s",
            disable=disable,
            desc=desc,
            # the rate is the average since the start (the model does the rest)
            smoothing=0.0,
            bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.0f}/{total:.0f} s"
            "{postfix} [{elapsed}<{remaining}]",
        )
        self.show()

    def show(self, points: float | None = None) -> None:
        """Set the bar to the work done and left now (and the points done)."""
        if points is not None:
            self.points_done = min(points, self.points)
        done, left = self.tracker.work()
        # never past the total; at it when nothing is left (also with no work)
        self.bar.total = max(done + left, 1e-9)
        self.bar.n = min(done, self.bar.total) if left > 0 else self.bar.total
        units = len(self.tracker.costs)
        self.bar.set_postfix_str(
            f"{self.points_done:.1f}/{self.points} points, "
            f"{self.units_done}/{units} units",
            refresh=False,
        )
        self.bar.refresh()
        if self.log is not None:
            elapsed, remaining, fraction = self.tracker.estimate()
            self.log.write(
                f"{elapsed:.3f}\t{remaining:.3f}\t{fraction:.6f}\t"
                f"{self.points_done:.3f}\n"
            )
            self.log.flush()

    def finished(self, k: int | None, points: float, failed: bool = False) -> None:
        """Record that unit ``k`` (``None``: not known) finished; show ``points``."""
        if k is not None:
            self.tracker.finish(k, failed)
        self.units_done += 1
        self.show(points)

    def close(self) -> None:
        """Close the bar (at exactly its total when every unit finished)."""
        self.show()
        self.bar.close()
        if self.log is not None:
            self.log.close()


def read_log(path: Path) -> list[tuple[float, float, float, float]]:
    """Return the ``(elapsed, left, fraction, points)`` rows of a progress log."""
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    rows = [tuple(float(x) for x in line.split()) for line in lines]
    return [(a, b, c, d) for a, b, c, d in rows]


def estimate_errors(
    rows: Sequence[tuple[float, ...]], marks: Sequence[float] = (20.0, 60.0)
) -> dict[str, float]:
    """Return the relative error of the time-left estimate at the given marks.

    ``rows``: a progress log's (:func:`read_log`), the last one written at the end.
    For each mark (seconds since the start) and half-way (half the last row's
    elapsed time), the last estimate at or before it against the actual time left:
    ``(estimate - actual) / actual``, negative if too short. Marks past half the
    run are left out.
    """
    end = rows[-1][0]
    named = {f"{m:g} s": m for m in marks if m < end / 2}
    named["half-way"] = end / 2
    errors = {}
    for name, mark in named.items():
        before = [r for r in rows if r[0] <= mark and math.isfinite(r[1])]
        if before:
            elapsed, left = before[-1][:2]
            errors[name] = (left - (end - elapsed)) / (end - elapsed)
    return errors


if __name__ == "__main__":  # python -m experiments.runs.progress LOG
    import sys

    for name, error in estimate_errors(read_log(Path(sys.argv[1]))).items():
        sys.stdout.write(f"{name}: estimate {error:+.1%} of the actual time left\n")
