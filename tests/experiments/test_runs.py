"""The run layer: planning into units, mapping tasks computed once, the store."""

import numpy as np
import pytest

from experiments.brunel import BrunelConfig
from experiments.brunel.workload import BrunelWorkload, grid
from experiments.runs import executor as executor_module
from experiments.runs.plan import MapTask, plan
from experiments.runs.sweep import run_sweep
from twin.errors import ConfigError
from twin.tiers import tier_list


def _points():
    return grid(BrunelConfig.tiny(t_stop=1200.0), gs=(1.0, 8.0), etas=(0.8, 2.4))


def test_plan_batches_a_realisation_per_layout_and_shares_mapping_tasks():
    workload = BrunelWorkload()
    points = _points()
    units = plan(workload, points, tier_list(["ideal", "mapped"]))
    ideal = [u for u in units if u.tiers[0].name == "ideal"]
    mapped = [u for u in units if u.tiers[0].name == "mapped"]
    # The ideal network does not depend on the layout: one batched call.
    assert len(ideal) == 1
    assert set(ideal[0].points) == set(points)
    assert ideal[0].maps == (None,)
    # The mapped tier maps once per layout (g >= 7 and eta <= 1.2: "all").
    assert sorted(u.layout for u in mapped) == ["30", "all"]
    assert sum(len(u.points) for u in mapped) == len(points)
    for u in mapped:
        assert u.capacity_scale == max(p.eta for p in u.points)
        assert {workload.layout(p) for p in u.points} == {u.layout}
    # NEST runs point by point, with the same mapping tasks.
    nest = plan(workload, points, tier_list(["mapped"]), "nest")
    assert len(nest) == len(points)
    assert {u.maps[0] for u in nest} == {u.maps[0] for u in mapped}


def test_map_tasks_are_equal_by_realisation_fidelity_and_layout_only():
    a, b = _points()[:2]
    workload = BrunelWorkload()
    real = workload.realisation(a)
    assert real == workload.realisation(b)
    assert MapTask(real, "mapped", "all", a) == MapTask(real, "mapped", "all", b)
    assert MapTask(real, "mapped", "all", a) != MapTask(real, "hardware", "all", a)


def test_plan_rejects_what_cannot_run():
    workload = BrunelWorkload()
    with pytest.raises(ConfigError, match="unknown backend 'gpu'"):
        plan(workload, _points(), tier_list(["ideal"]), "gpu")
    with pytest.raises(ConfigError, match="NEST cannot run the hardware tier"):
        plan(workload, _points(), tier_list(["hardware"]), "nest")
    with pytest.raises(ConfigError, match="nothing to run"):
        plan(workload, [], tier_list(["ideal"]))


def test_each_mapping_is_computed_once_and_stored_points_are_not_recomputed(
    tmp_path, monkeypatch
):
    calls = []
    original = executor_module.map_task

    def counting(workload, task, wafer=None):
        calls.append(task)
        return original(workload, task, wafer)

    monkeypatch.setattr(executor_module, "map_task", counting)
    points = grid(BrunelConfig.tiny(t_stop=1200.0), gs=(1.0, 8.0), etas=(0.8,))
    tiers = tier_list(["mapped"])
    first = run_sweep(BrunelWorkload(), points, "twin", tiers, out=tmp_path)
    # One mapping per layout (g = 1: "30", g = 8: "all").
    assert len(calls) == len(set(calls)) == 2
    calls.clear()
    executed = []
    monkeypatch.setattr(
        executor_module, "execute", lambda *a, **k: executed.append(a) or []
    )
    again = run_sweep(BrunelWorkload(), points, "twin", tiers, out=tmp_path)
    assert calls == []
    assert executed == []
    for a, b in zip(first, again, strict=True):
        assert (a.tier, a.seed, dict(a.point)) == (b.tier, b.seed, dict(b.point))
        np.testing.assert_array_equal(a.recording.times, b.recording.times)
        assert a.metrics == b.metrics


def test_a_batch_size_splits_a_realisation_and_keeps_its_capacity():
    workload, points = BrunelWorkload(), _points()
    tiers = tier_list(["ideal"])
    (whole,) = plan(workload, points, tiers)
    split = plan(workload, points, tiers, batch=3)
    assert [len(u.points) for u in split] == [3, 1]
    assert [p for u in split for p in u.points] == list(whole.points)
    assert {u.capacity_scale for u in split} == {whole.capacity_scale}
    with pytest.raises(ConfigError, match="batch = 0"):
        plan(workload, points, tiers, batch=0)


def test_a_point_runs_the_same_alone_in_a_split_batch_and_in_the_whole_batch():
    """Its draws depend on the point only: not on neighbours or the buffer size."""
    points = _points()
    tiers = tier_list(["ideal"])
    whole = run_sweep(BrunelWorkload(), points, tiers=tiers)
    split = run_sweep(BrunelWorkload(), points, tiers=tiers, batch=1)
    # Alone at the lowest rate: the unit's capacity is planned for that point only.
    low = min(points, key=lambda p: p.eta)
    (alone,) = run_sweep(BrunelWorkload(), [low], tiers=tiers)
    for a, b in zip(whole, split, strict=True):
        assert a.recording == b.recording
    (same,) = [r for r in whole if (r["g"], r["eta"]) == (low.g, low.eta)]
    assert same.recording == alone.recording
