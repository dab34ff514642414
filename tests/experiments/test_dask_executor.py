"""The Dask executor on a real LocalCluster: same results, killed workers, resuming."""

import os
import signal
import threading
import time
from dataclasses import dataclass

import numpy as np
import pytest

from experiments.brunel import BrunelConfig
from experiments.brunel.workload import BrunelWorkload, grid
from experiments.runs.codestamp import CodeStamp
from experiments.runs.dask_executor import (
    local_executor,
    unit_on_worker,
    worker_environment,
)
from experiments.runs.ensemble import Member, run_ensemble
from experiments.runs.executor import SweepError
from experiments.runs.plan import plan
from experiments.runs.store import Store
from experiments.runs.sweep import run_sweep
from experiments.runs.table import TABLE_NAME, read_table
from twin.errors import ConfigError
from twin.tiers import tier_list
from twin.wafer import Wafer

pytest.importorskip("distributed")


def _points(t_stop=200.0, gs=(4.0, 8.0), etas=(2.0,), seeds=1):
    base = BrunelConfig.tiny(t_stop=t_stop, analysis_window=100.0)
    return grid(base, gs=gs, etas=etas, seeds=seeds)


@pytest.fixture(scope="module")
def executor():
    with local_executor(2) as ex:
        yield ex


def _same(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        assert (x.tier, x.seed, dict(x.point)) == (y.tier, y.seed, dict(y.point))
        np.testing.assert_array_equal(x.recording.times, y.recording.times)
        np.testing.assert_array_equal(x.recording.ids, y.recording.ids)
        assert dict(x.metrics) == dict(y.metrics)
        assert dict(x.losses) == dict(y.losses)


def test_workers_get_their_device_count_before_jax_starts():
    env = worker_environment(3)
    assert env["XLA_FLAGS"] == "--xla_force_host_platform_device_count=3"
    with pytest.raises(ConfigError, match="devices = 0"):
        worker_environment(0)


def test_the_cluster_gives_the_serial_results(executor, tmp_path):
    workload, points = BrunelWorkload("all"), _points(etas=(0.8, 2.0))
    serial = run_sweep(workload, points, batch=1)
    found = run_sweep(workload, points, batch=1, executor=executor, out=tmp_path)
    _same(serial, found)
    assert len(list((tmp_path / "points").rglob("*.npz"))) == len(serial)
    # Warmed once: each worker keeps its compiled loops between units.
    kept = executor.client.run(
        lambda dask_worker: len(getattr(dask_worker, "twin_compiled", {}))
    )
    assert sum(kept.values()) >= 1


class _StopAfter:
    """An executor that lets ``k`` units finish, then is interrupted."""

    def __init__(self, inner, k):
        self.inner, self.k = inner, k

    def run(self, work, progress=None):
        for n, outcome in enumerate(self.inner.run(work, progress)):
            yield outcome
            if n + 1 == self.k:
                raise KeyboardInterrupt


class _Counting:
    """An executor that counts the points it is asked to run."""

    def __init__(self, inner):
        self.inner, self.points = inner, []

    def run(self, work, progress=None):
        self.points += [p for _, u in work for p in u.points]
        return self.inner.run(work, progress)


def test_an_interrupted_client_resumes_and_computes_only_the_rest(executor, tmp_path):
    workload, points = BrunelWorkload("all"), _points(gs=(4.0, 8.0), etas=(0.8, 2.0))
    with pytest.raises(KeyboardInterrupt):
        run_sweep(
            workload, points, batch=1, executor=_StopAfter(executor, 1), out=tmp_path
        )
    files = list((tmp_path / "points").rglob("*.npz"))
    assert len(files) == 1
    # The table says what is missing.
    table = read_table(tmp_path / TABLE_NAME)
    assert table.partial
    assert len(table.having("done")) == 1
    assert len(table.having("missing")) == len(points) - 1
    counting = _Counting(executor)
    resumed = run_sweep(workload, points, batch=1, executor=counting, out=tmp_path)
    assert len(counting.points) == len(points) - 1
    assert len(list((tmp_path / "points").rglob("*.npz"))) == len(points)
    whole = run_sweep(workload, points, batch=1, executor=executor)
    _same(resumed, whole)


@dataclass(frozen=True)
class _Failing(BrunelWorkload):
    """The Brunel workload, except that its points with g = 8 raise."""

    def sim_config(self, point):
        if point.g == 8.0:
            raise ConfigError("g = 8 is refused by this test workload")
        return BrunelWorkload.sim_config(self, point)


def test_a_failing_unit_is_reported_and_the_others_are_stored(executor, tmp_path):
    points = _points(gs=(4.0, 8.0), etas=(2.0,))
    with pytest.raises(SweepError) as info:
        run_sweep(
            _Failing("all"),
            points,
            batch=1,
            executor=executor,
            out=tmp_path,
            keep_going=True,
        )
    err = info.value
    assert len(err.failures) == 1
    assert "g=8.0" in err.failures[0].describe()
    assert "g = 8 is refused" in str(err)
    assert [(r["g"], r["eta"]) for r in err.results] == [(4.0, 2.0)]
    assert len(list((tmp_path / "points").rglob("*.npz"))) == 1
    table = read_table(tmp_path / TABLE_NAME)
    (failed,) = table.having("failed")
    assert (failed["g"], failed["status"]) == (8.0, "failed")
    assert "g = 8 is refused" in failed["error"]
    (done,) = table.having("done")
    assert done["rate_hz"] == err.results[0]["rate_hz"]


def test_an_ensemble_runs_its_members_together_and_shares_equal_units(
    executor, tmp_path
):
    points = _points(gs=(4.0, 8.0), etas=(0.8, 2.0))
    tiers = tuple(tier_list(["ideal"]))
    # Members that differ in their labels only: their units are equal, submitted
    # once, and each member gets (and stores) the results.
    members = [
        Member(BrunelWorkload("all"), tiers, Wafer(), {"variation": "a"}),
        Member(BrunelWorkload("all"), tiers, Wafer(), {"variation": "b"}),
        Member(BrunelWorkload("all"), tiers, Wafer(wafer_id=7), {"variation": "c"}),
    ]
    counting = _Counting(executor)
    a, b, c = run_ensemble(members, points, batch=1, executor=counting, out=tmp_path)
    assert len(counting.points) == 3 * len(points)  # one pass over all members
    _same(a, b)
    _same(a, c)  # the ideal tier does not depend on the wafer
    # Equal members share their files; another wafer is stored apart.
    assert len(list((tmp_path / "points").rglob("*.npz"))) == 2 * len(points)
    table = read_table(tmp_path / TABLE_NAME)
    assert len(table.having("done")) == 3 * len(points)
    assert sorted({r["variation"] for r in table.rows}) == ["a", "b", "c"]


def _kill_a_busy_worker(client, killed):
    """Kill (SIGKILL) the first worker seen running a unit; note its unit's key."""
    pids = client.run(os.getpid)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for addr, keys in client.processing().items():
            units = [k for k in keys if str(k).startswith("twin-unit-")]
            if units and addr in pids:
                time.sleep(0.5)  # well inside the unit (it compiles for seconds)
                os.kill(pids[addr], signal.SIGKILL)
                killed.append(units[0])
                return
        time.sleep(0.05)


def test_a_killed_worker_loses_no_unit_and_mapping_tasks_are_shared(
    executor, tmp_path, monkeypatch
):
    saved = []
    original = Store.save
    monkeypatch.setattr(
        Store,
        "save",
        lambda self, t, u, p, r: (
            saved.append((t.name, p)) or original(self, t, u, p, r)
        ),
    )
    workload, points = BrunelWorkload("all"), _points(etas=(0.8, 2.0))
    tiers = tier_list(["mapped"])
    # Four units, one mapping task: an upstream task all of them receive.
    units = plan(workload, points, tiers, batch=1)
    assert len(units) == len(points)
    assert len({u.maps for u in units}) == 1
    # A new network shape: the workers compile again, so a unit lasts seconds.
    killed: list = []
    killer = threading.Thread(
        target=_kill_a_busy_worker, args=(executor.client, killed)
    )
    killer.start()
    found = run_sweep(
        workload, points, tiers=tiers, batch=1, executor=executor, out=tmp_path
    )
    killer.join()
    assert killed, "no worker was seen running a unit"
    assert sorted(saved, key=repr) == sorted([("mapped", p) for p in points], key=repr)
    assert len(set(saved)) == len(saved)
    assert len(list((tmp_path / "points").rglob("*.npz"))) == len(points)
    assert [(r["g"], r["eta"]) for r in found] == [(p.g, p.eta) for p in points]
    # Every unit received the one mapping: the same synapses were lost.
    assert len({r.losses["synapse_loss"] for r in found}) == 1
    assert 0 < found[0].losses["synapse_loss"] < 1


def test_a_worker_running_other_code_refuses_the_unit():
    """Its results would be stored under the client's code stamp."""
    workload, points = BrunelWorkload(), _points()
    (unit,) = plan(workload, points, tier_list(["ideal"]))
    other = CodeStamp("0.0.0", "0" * 64)
    with pytest.raises(ConfigError, match=r"this worker runs twin .* the client twin"):
        unit_on_worker(workload, unit, Wafer(), 1, [None], other)
    # (The cluster tests above run units with the client's own stamp.)
