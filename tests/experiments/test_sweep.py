"""Sweeps over tiers and seeds: the run API, resuming, the hardware counters."""

import numpy as np
import pytest

from experiments.brunel import BrunelConfig
from experiments.brunel.layout import SEED_FILE_NEURONS
from experiments.brunel.seed_files import write_seed_files
from experiments.brunel.stats import load_chips
from experiments.brunel.workload import BrunelWorkload, grid, run
from experiments.brunel.workload import sweep as run_sweep
from experiments.report.summary import write_chips
from twin.errors import ConfigError
from twin.tiers import tier_list


def _base():
    return BrunelConfig.tiny(t_stop=1100.0)


def test_run_returns_the_seed_numbers_and_counters():
    r = run(_base().replace(g=8.0, eta=2.0), fidelity="mapped")
    assert (r.backend, r.tier, r.layout) == ("twin", "mapped", "30")
    assert r["rate_hz"] == r["rate_hz"] > 0
    assert 0 <= r.losses["synapse_loss"] < 1
    assert r.recording.t_stop == pytest.approx(1100.0)


def test_an_interrupted_sweep_resumes_with_identical_results(tmp_path):
    configs = grid(_base(), gs=(4.0, 8.0), etas=(0.8, 2.0))
    tiers = tier_list(["ideal", "hardware"])
    full = run_sweep(configs, tiers=tiers, out=tmp_path / "a")
    # "Interrupted": only half the points finished before.
    run_sweep(configs[:2], tiers=tiers, out=tmp_path / "b")
    files = sorted((tmp_path / "b" / "points").rglob("*.npz"))
    assert len(files) == 2 * len(tiers)
    stamps = {f: f.stat().st_mtime_ns for f in files}
    resumed = run_sweep(configs, tiers=tiers, out=tmp_path / "b")
    assert all(f.stat().st_mtime_ns == t for f, t in stamps.items())  # not redone
    for a, b in zip(full, resumed, strict=True):
        assert (a.tier, a["g"], a["eta"]) == (b.tier, b["g"], b["eta"])
        assert a.recording == b.recording
        assert a["rate_hz"] == b["rate_hz"]


def test_a_changed_setting_does_not_reuse_old_points(tmp_path):
    configs = grid(_base(), gs=(8.0,), etas=(2.0,))
    run_sweep(configs, tiers=tier_list(["ideal"]), out=tmp_path)
    run_sweep([c.replace(weight_spread=0.3) for c in configs], out=tmp_path)
    assert len(list((tmp_path / "points").iterdir())) == 2


def test_seeds_are_distinct_realisations():
    configs = grid(_base(), gs=(8.0,), etas=(2.0,), seeds=3)
    assert [c.seed for c in configs] == [_base().seed + k for k in range(3)]
    results = run_sweep(configs)
    rates = [r["rate_hz"] for r in results]
    assert len(set(rates)) == 3
    with pytest.raises(ConfigError, match="seeds"):
        grid(_base(), seeds=0)


def test_hardware_counters_add_up_and_the_wafer_file_holds_what_was_recorded(tmp_path):
    configs = grid(_base(), gs=(1.0, 8.0), etas=(0.8,))
    results = run_sweep(configs, tiers=tier_list(["hardware"]))
    for r in results:
        for res in ("recording_per_hicann", "priority_encoder", "dnc_merger"):
            assert 0 <= r.losses[f"dropped_{res}"] <= r.losses[f"offered_{res}"]
        kept = r.recording
        assert set(np.unique(kept.ids)) <= set(range(r["n_neurons"]))
        emitted = r.losses["offered_recording_per_hicann"]
        assert kept.times.size == emitted - r.losses["dropped_recording_per_hicann"]
    write_seed_files(results, tmp_path, _base().n_exc, _base().n_inh, SEED_FILE_NEURONS)
    assert (tmp_path / "exc.h5").stat().st_size > 0
    # Per unit (chip, block, bus, FPGA): the counts add up to the totals ...
    for r in results:
        for res, units in r.groups.items():
            assert sum(o for o, _ in units.values()) == r.losses[f"offered_{res}"]
            assert sum(d for _, d in units.values()) == r.losses[f"dropped_{res}"]
    # ... chips.csv holds them: the recorded chips pass what the host receives ...
    write_chips(BrunelWorkload(), results, tmp_path / "chips.csv")
    rows = load_chips(tmp_path)
    for r in results:
        mine = [
            row for row in rows
            if float(row["g"]) == r["g"] and row["resource"] == "recording_per_hicann"
        ]  # fmt: skip
        assert sum(int(row["passed"]) for row in mine) == r.recording.times.size
    # ... and a stored point keeps them.
    again = run_sweep(configs, tiers=tier_list(["hardware"]), out=tmp_path / "s")
    loaded = run_sweep(configs, tiers=tier_list(["hardware"]), out=tmp_path / "s")
    assert [a.groups for a in again] == [b.groups for b in loaded]
    assert again[0].groups == results[0].groups


def test_ablation_needs_the_hardware_tier_and_nest_refuses_it():
    with pytest.raises(ConfigError, match="hardware tier"):
        tier_list(["ideal"], ablation=True)
    names = [t.name for t in tier_list(["hardware"], ablation=True)]
    assert names[0] == "hardware"
    assert "hardware-no-saturation" in names
    with pytest.raises(ConfigError, match="NEST cannot"):
        run_sweep(
            grid(_base(), gs=(8.0,), etas=(2.0,)), "nest", tier_list(["hardware"])
        )


def test_recording_all_neurons_at_a_high_rate_point_loses_spikes_but_30_do_not():
    point = grid(_base(), gs=(1.0,), etas=(2.0,))
    hw = tier_list(["hardware"])
    (every,) = run_sweep(point, tiers=hw, layout="all")
    (isolated,) = run_sweep(point, tiers=hw, layout="30")
    # ~59 neurons per chip firing hundreds of Hz each: far above 2.5 kHz per chip.
    assert every["run_rate_exc_hz"] > 100  # emitted (spike counts of the whole run)
    assert (
        every["rate_hz"] < 0.5 * every["run_rate_exc_hz"]
    )  # what the wafer could record
    offered = every.losses["offered_recording_per_hicann"]
    dropped = every.losses["dropped_recording_per_hicann"]
    assert offered > 0
    assert dropped > 0.5 * offered
    # One neuron per chip below the 2.5 kHz link rate: nothing lost.
    assert isolated["rate_hz"] < 2500
    assert isolated.losses["dropped_recording_per_hicann"] == 0
    with pytest.raises(ConfigError, match="layout"):
        run_sweep(point, layout="some")


def test_ablation_runs_stacked_and_leaves_the_hardware_tier_unchanged():
    point = grid(_base(), gs=(1.0,), etas=(2.0,))
    plain = run_sweep(point, tiers=tier_list(["hardware"]), layout="all")
    tiers = tier_list(["hardware"], ablation=True)
    results = {r.tier: r for r in run_sweep(point, tiers=tiers, layout="all")}
    assert set(results) == {t.name for t in tiers}
    hw = results["hardware"]
    assert hw.recording == plain[0].recording  # --ablation does not change it
    # ~59 neurons per chip at hundreds of Hz: the mergers drop most spikes in the run.
    assert hw.losses["dropped_dnc_merger"] > 0.5 * hw.losses["offered_dnc_merger"]
    nobw = results["hardware-no-bandwidth"]
    assert "dropped_dnc_merger" not in nobw.losses
    assert nobw["rate_hz"] > hw["rate_hz"]  # nothing dropped on the way to the host
    # Without saturation the g = 1 point fires faster (the inputs are not bounded).
    assert results["hardware-no-saturation"]["run_rate_exc_hz"] > hw["run_rate_exc_hz"]


def test_the_input_links_are_offered_the_sources_events_of_the_recorded_window():
    """Offered external events: N r T over the window the recording holds, per point.

    The window is the workload's (record_from, t_stop], whatever the recorded
    neurons fired (layout "30" records a few sparse neurons); the estimate draws
    Poisson counts, so the total must lie within 5 sd of its mean. g does not
    change the external rates: with one stream for the realisation both points
    would draw the very same counts, with a stream of their own they differ.
    """
    workload = BrunelWorkload()
    points = grid(_base(), gs=(7.5, 8.0), etas=(0.8,))
    results = run_sweep(points, tiers=tier_list(["hardware"]), layout="30")
    for point, r in zip(points, results, strict=True):
        sim = workload.sim_config(point)
        network = workload.request(point, "hardware", "30").network
        scale = workload.variant(point).rate_scale
        total_rate = sum(float(np.sum(s.rate)) * scale for s in network.sources)
        mean = total_rate * (sim.t_stop - sim.record_from) * 1e-3
        for link in ("input_per_hicann", "input_per_fpga"):
            assert abs(r.losses[f"offered_{link}"] - mean) <= 5 * np.sqrt(mean)
    a, b = (r.losses["offered_input_per_hicann"] for r in results)
    assert a != b
