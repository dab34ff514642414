"""The sweep's progress bar: work-based time left, on a fake clock and executor.

A fake workload of two unit classes (cheap ideal units, then expensive hardware
units that map), run by a fake serial executor that advances a fake clock by each
unit's known cost and reports simulated time as the emulator does. The true time left
is then known exactly at every update.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest

from experiments.runs import progress as progress_module
from experiments.runs.cost_model import (
    COMPILE_S,
    MAP_S,
    REF_STEP_S,
    CostModel,
    Observation,
    UnitCost,
    prior_step,
)
from experiments.runs.ensemble import Member, run_ensemble
from experiments.runs.executor import (
    Job,
    SerialExecutor,
    UnitOutcome,
    UnitProgress,
    Work,
)
from experiments.runs.plan import plan
from experiments.runs.progress import (
    WorkBar,
    WorkTracker,
    estimate_errors,
    read_log,
    unit_costs,
)
from experiments.runs.result import PointResult
from experiments.runs.workload import Variant
from twin.errors import ConfigError
from twin.tiers import tier_list
from twin.wafer import Wafer

STEPS = 10_000  # t_stop 1000 ms at dt 0.1 ms
POINTS = 12
PER_UNIT = 3  # points of a realisation: one unit per tier
#: True costs: (fixed of the first unit of the tier, fixed of later ones, s per step)
#: (hardware: compile + mapping, then a mapping per unit).
TRUE = {"ideal": (3.0, 0.3, 2e-4), "hardware": (10.0, 5.0, 8e-4)}
#: Unit-to-unit spread of the per-step cost (the realisations differ).
SPREAD = (1.0, 1.1, 0.9, 1.05)


class Clock:
    """A clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@dataclass(frozen=True)
class FakeWorkload:
    """Just enough of a workload for planning, sizing and the bar."""

    name: str = "fake"
    settings: str = "fake"

    def realisation(self, point: int) -> int:
        return point // PER_UNIT

    def layout(self, point: int) -> str:
        return "all"

    def variant(self, point: int) -> Variant:
        return Variant((point,))

    def sim_config(self, point: int) -> Any:
        return SimpleNamespace(n_steps=STEPS)

    def request(self, point: int, fidelity: str, layout: str) -> Any:
        return SimpleNamespace(
            network=SimpleNamespace(n_neurons=2_083, n_synapses=847_781)
        )


def true_cost(k: int, kind: str, first: bool) -> tuple[float, float]:
    """Return (fixed s, s per step) of the ``k``-th unit, of a ``kind`` tier."""
    fixed_first, fixed_later, per_step = TRUE[kind]
    return (fixed_first if first else fixed_later), per_step * SPREAD[k % 4]


@dataclass(frozen=True)
class FakeExecutor(SerialExecutor):
    """Runs units in order on the fake clock, reporting ten simulated-time steps."""

    clock: Clock

    def run(
        self, work: Sequence[Work], progress: UnitProgress | None = None
    ) -> Iterator[UnitOutcome]:
        seen: set[str] = set()
        for i, (job, unit) in enumerate(work):
            kind = unit.tiers[0].fidelity
            fixed, per_step = true_cost(i, kind, kind not in seen)
            seen.add(kind)
            self.clock.now += fixed
            for step in range(1, 11):
                self.clock.now += per_step * STEPS / 10
                if progress is not None:
                    progress(i, step / 10)
            done = tuple(cast(PointResult, object()) for _ in unit.points)
            yield UnitOutcome(job, unit, done)


def unit_ends() -> list[float]:
    """Return when each unit of the fake sweep ends, s after its start."""
    units = POINTS // PER_UNIT
    ends, now = [], 0.0
    for i in range(2 * units):
        kind = "ideal" if i < units else "hardware"
        fixed, per_step = true_cost(i, kind, i % units == 0)
        now += fixed + per_step * STEPS
        ends.append(now)
    return ends


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(progress_module, "monotonic", clock)
    return clock


def run_fake(clock: Clock, log: Path, progress: bool = False) -> None:
    member = Member(FakeWorkload(), tuple(tier_list(["ideal", "hardware"])))  # type: ignore[arg-type]
    run_ensemble(
        [member],
        list(range(POINTS)),
        executor=FakeExecutor(clock),
        progress=progress,
        progress_log=log,
    )


def test_the_estimate_after_the_first_unit_of_each_class_is_within_20_percent(
    clock: Clock, tmp_path: Path
) -> None:
    """Once a hardware unit has finished, time left is within 20 % (points: not)."""
    start = clock.now
    run_fake(clock, tmp_path / "log.tsv")
    rows = read_log(tmp_path / "log.tsv")
    ends = unit_ends()
    end = ends[-1]
    assert clock.now - start == pytest.approx(end)
    assert rows[-1][0] == pytest.approx(end)
    first_hw = ends[POINTS // PER_UNIT]  # the first hardware unit's end
    # the row written when it finished (its points counted)
    after = next(r for r in rows if r[0] >= first_hw - 1e-9 and r[3] > POINTS + 2)
    elapsed, left, _, points = after
    actual = end - elapsed
    linear = elapsed * (2 * POINTS - points) / points
    assert abs(left - actual) / actual < 0.2
    assert abs(linear - actual) / actual > 0.2


def test_the_bar_ends_at_its_total_without_warnings(
    clock: Clock, tmp_path: Path
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # tqdm's "clamping frac" would raise
        run_fake(clock, tmp_path / "log.tsv", progress=True)
    rows = read_log(tmp_path / "log.tsv")
    assert all(r[1] >= 0 for r in rows)
    assert rows[-1][1] == 0.0
    assert rows[-1][2] == 1.0
    assert rows[-1][3] == 2 * POINTS


def test_workbar_closes_at_exactly_its_total(clock: Clock) -> None:
    costs = [UnitCost("ideal", 2_083, 847_781, STEPS, 3, 2, compiles=True)] * 3
    bar = WorkBar(WorkTracker(costs, serial=True), points=3, initial=0)
    for k in range(3):
        for step in range(1, 4):
            clock.now += 0.7
            bar.tracker.progress(k, step / 3 + 1e-12)  # a float past 1 is clamped
            bar.show(k + step / 3)
        bar.finished(k, k + 1)
    bar.close()
    assert bar.bar.n == bar.bar.total == pytest.approx(3 * 3 * 0.7)
    assert bar.bar.format_dict["n"] <= bar.bar.format_dict["total"]


def test_prior_scales_with_size_variants_and_tier() -> None:
    seed = UnitCost("ideal", 2_083, 847_781, STEPS, 16, 2)
    assert prior_step(seed) == pytest.approx(REF_STEP_S)
    double = UnitCost("ideal", 2 * 2_083, 2 * 847_781, STEPS, 16, 2)
    assert prior_step(double) == pytest.approx(2 * REF_STEP_S)
    one = UnitCost("ideal", 2_083, 847_781, STEPS, 2, 2)  # 1 lane of 8, overhead 1
    assert prior_step(one) == pytest.approx(REF_STEP_S * 2 / 9)
    hw = UnitCost("hardware", 2_083, 847_781, STEPS, 16, 2)
    assert prior_step(hw) > prior_step(seed)
    mapping = UnitCost("mapped", 2_083, 847_781, STEPS, 16, 2, compiles=True, maps=2)
    assert CostModel().fixed(mapping) == pytest.approx(COMPILE_S + 2 * MAP_S)
    assert CostModel().predict(seed) == pytest.approx(STEPS * REF_STEP_S)


def test_model_learns_per_class_and_scales_unseen_classes() -> None:
    ideal = UnitCost("ideal", 2_083, 847_781, STEPS, 4, 2, compiles=True)
    hw = UnitCost("hardware", 2_083, 847_781, STEPS, 4, 2, compiles=True)
    model = CostModel().learn(0, Observation(ideal, 3 * prior_step(ideal), 9.0))
    # the class seen: its measured cost; the machine is 3x slower than the prior
    assert model.per_step(ideal) == pytest.approx(3 * prior_step(ideal))
    assert model.fixed(ideal) == pytest.approx(9.0)
    assert model.per_step(hw) == pytest.approx(3 * prior_step(hw))
    # its fixed part: the prior (a compilation) x measured / prior fixed (9 / 4.5)
    assert model.fixed(hw) == pytest.approx(2 * COMPILE_S)
    model = model.learn(1, Observation(hw, 5 * prior_step(hw), None))
    assert model.per_step(hw) == pytest.approx(5 * prior_step(hw))
    # a later measurement of the same unit replaces the earlier one
    model = model.learn(1, Observation(hw, 7 * prior_step(hw), None))
    assert model.per_step(hw) == pytest.approx(7 * prior_step(hw))


def test_without_unit_times_finished_units_count_their_prediction(
    clock: Clock,
) -> None:
    """A Dask cluster: no start times; the rate comes from predicted work done."""
    costs = [UnitCost("ideal", 2_083, 847_781, STEPS, 1, 1)] * 4
    tracker = WorkTracker(costs, serial=False)
    predicted = CostModel().predict(costs[0])
    clock.now += 10.0
    tracker.finish(2)
    assert tracker.work() == pytest.approx((predicted, 3 * predicted))
    elapsed, left, fraction = tracker.estimate()
    assert (elapsed, left, fraction) == pytest.approx((10.0, 30.0, 0.25))


def test_estimate_errors_at_marks_and_half_way() -> None:
    # a 200 s run whose estimate is 10 % short at 20 s, exact at 60 s and half-way
    rows = [(20.0, 162.0, 0.1, 0), (60.0, 140.0, 0.3, 0), (100.0, 100.0, 0.5, 0)]
    rows.append((200.0, 0.0, 1.0, 0))
    errors = estimate_errors(rows)
    assert errors["20 s"] == pytest.approx(-0.1)
    assert errors["60 s"] == pytest.approx(0.0)
    assert errors["half-way"] == pytest.approx(0.0)
    assert math.isfinite(errors["20 s"])


@pytest.mark.parametrize("command", ["brunel", "nest"])
def test_the_sweep_commands_take_a_progress_log(command: str) -> None:
    from experiments.cli import build_parser

    args = build_parser().parse_args([command, "--progress-log", "run.tsv"])
    assert args.progress_log == Path("run.tsv")
    assert build_parser().parse_args([command]).progress_log is None


def test_a_sweep_with_nothing_left_to_run_shows_a_full_bar(clock: Clock) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bar = WorkBar(WorkTracker([], serial=True), points=4, initial=4)
        bar.close()
    assert bar.bar.n == bar.bar.total > 0
    assert bar.bar.format_dict["n"] == bar.bar.format_dict["total"]


@dataclass(frozen=True)
class RefusingWorkload(FakeWorkload):
    """Refuses the run settings of its last realisation (the unit fails later)."""

    def sim_config(self, point: int) -> Any:
        if self.realisation(point) == POINTS // PER_UNIT - 1:
            raise ConfigError(f"point {point} is refused")
        return FakeWorkload.sim_config(self, point)


def test_unit_costs_count_compilations_mappings_and_survive_refusals() -> None:
    workload = RefusingWorkload()
    tiers = tuple(tier_list(["ideal", "hardware"]))
    job = Job(workload, Wafer())  # type: ignore[arg-type]
    units = plan(workload, list(range(POINTS)), tiers)  # type: ignore[arg-type]
    costs = unit_costs([(job, u) for u in units], devices=2)
    assert [c.kind for c in costs] == ["ideal"] * 4 + ["hardware"] * 4
    # the first unit of a kind and shape compiles (the refused one, sized as the
    # seed network as every other here, does not)
    assert [c.compiles for c in costs] == [True, False, False, False] * 2
    assert [c.maps for c in costs] == [0] * 4 + [1] * 4  # a mapping per realisation
    assert [c.steps for c in costs] == [STEPS, STEPS, STEPS, 0] * 2
    assert {(c.variants, c.devices, c.lanes) for c in costs} == {(PER_UNIT, 2, 2)}


def test_a_failed_unit_counts_as_done_but_teaches_nothing(clock: Clock) -> None:
    costs = [UnitCost("ideal", 2_083, 847_781, STEPS, 1, 1)] * 2
    tracker = WorkTracker(costs, serial=True)
    for fraction in (0.1, 0.2):
        clock.now += 1.0
        tracker.progress(0, fraction)
    assert tracker.model.seen  # the running unit's reports are measurements
    clock.now += 0.5
    tracker.finish(0, failed=True)
    assert tracker.model.seen == ()
    assert tracker.work() == pytest.approx((2.5, CostModel().predict(costs[1])))
