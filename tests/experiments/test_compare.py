import numpy as np
import pytest

from experiments.brunel import BrunelConfig
from experiments.brunel.layout import SEED_FILE_NEURONS
from experiments.brunel.report import report
from experiments.brunel.seed_files import write_seed_files
from experiments.brunel.stats import (
    DEPARTURE_HZ,
    Stat,
    aggregate,
    corrected_g,
    load_chips,
    load_summary,
)
from experiments.brunel.wafer_files import load_wafer
from experiments.brunel.workload import BrunelWorkload, grid
from experiments.brunel.workload import sweep as run_sweep
from experiments.cli import main
from experiments.report.summary import write_summary
from experiments.report.verdicts import agrees, departs

HEADER = "platform,tier,seed,g,eta,layout,n_neurons,rate_hz,cv,global_cv\n"


def _summary(folder, platform, rates, tier="ideal"):
    """Write a summary.csv; ``rates`` maps (g, eta) to one rate or a list over seeds."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for (g, e), r in rates.items():
        for seed, value in enumerate(r if isinstance(r, list) else [r]):
            rows.append(f"{platform},{tier},{seed},{g},{e},30,30,{value},1.0,2.0\n")
    path = folder / "summary.csv"
    old = path.read_text() if path.exists() else HEADER
    path.write_text(old + "".join(rows))
    return folder


def test_verdicts_follow_the_15_percent_rule(tmp_path):
    twin = load_summary(
        _summary(tmp_path / "t", "twin", {(8.0, 0.8): 11.4, (4.0, 1.6): 80.0})
    )
    nest = load_summary(
        _summary(tmp_path / "n", "nest", {(8.0, 0.8): 10.0, (4.0, 1.6): 100.0})
    )
    text = report(twin, nest)
    assert "| 8 | 0.8 | 30 | 11.40 | 10.00 | +14.0 % | agree |" in text
    assert "| 4 | 1.6 | 30 | 80.00 | 100.00 | -20.0 % | differ |" in text
    assert "1 of 2 points agree" in text


def test_over_seeds_the_verdict_allows_two_standard_deviations(tmp_path):
    # 25 % apart, but the seeds scatter by sd 10 (twin) and 10 (NEST): 2 * 14.1 > 25.
    twin = load_summary(_summary(tmp_path / "t", "twin", {(4.0, 1.6): [115.0, 135.0]}))
    nest = load_summary(_summary(tmp_path / "n", "nest", {(4.0, 1.6): [90.0, 110.0]}))
    stat_t = aggregate(twin)[("twin", "ideal")][(4.0, 1.6)]
    stat_n = aggregate(nest)[("nest", "ideal")][(4.0, 1.6)]
    assert stat_t.rate == pytest.approx(125.0)
    assert stat_t.rate_sd == pytest.approx(np.std([115.0, 135.0], ddof=1))
    assert agrees(stat_t, stat_n)
    tight = load_summary(_summary(tmp_path / "n2", "nest", {(4.0, 1.6): [99.9, 100.1]}))
    stat_tight = aggregate(tight)[("nest", "ideal")][(4.0, 1.6)]
    loose_twin = aggregate(
        load_summary(_summary(tmp_path / "t2", "twin", {(4.0, 1.6): [124.9, 125.1]}))
    )[("twin", "ideal")][(4.0, 1.6)]
    assert not agrees(loose_twin, stat_tight)


def test_report_shows_tiers_and_ablation_beside_nest(tmp_path):
    t = tmp_path / "t"
    _summary(t, "twin", {(8.0, 0.8): 10.0}, tier="ideal")
    _summary(t, "twin", {(8.0, 0.8): 9.0}, tier="mapped")
    _summary(t, "twin", {(8.0, 0.8): 12.0}, tier="hardware")
    _summary(t, "twin", {(8.0, 0.8): 11.5}, tier="hardware-no-saturation")
    _summary(t, "twin", {(8.0, 0.8): 13.0}, tier="hardware-no-variation")
    nest = load_summary(_summary(tmp_path / "n", "nest", {(8.0, 0.8): 10.0}))
    text = report(load_summary(t), nest)
    assert "| 8 | 0.8 | 10.00 | 9.00 | 12.00 | +33.3 % | depart | +20.0 % |" in text
    # hardware − each ablation; the largest magnitude names the cause
    assert "| 8 | 0.8 | 12.00 | +0.50 | -1.00 | variation |" in text


def _two_tiers(folder):
    """Mapped and hardware tiers, 2 seeds: (8, 0.8) agrees, (1, 0.8) departs."""
    mapped = {(8.0, 0.8): [9.0, 11.0], (1.0, 0.8): [500.0, 520.0]}
    hardware = {(8.0, 0.8): [12.0, 9.0], (1.0, 0.8): [300.0, 310.0]}
    _summary(folder, "twin", mapped, tier="mapped")
    return _summary(folder, "twin", hardware, tier="hardware")


def test_hardware_vs_mapped_verdict_splits_at_the_departure_rate(tmp_path):
    t = _two_tiers(tmp_path / "t")
    text = report(load_summary(t), [])
    # 10.5 vs 10: within 15 %; 305 vs 510: beyond 15 % and 2 standard errors.
    assert "| 8 | 0.8 | 10.00 ± 1.41 | 10.50 ± 2.12 | +5.0 % | agree |" in text
    assert "| 1 | 0.8 | 510.00 ± 14.14 | 305.00 ± 7.07 | -40.2 % | depart |" in text
    assert f"below {DEPARTURE_HZ:g} Hz: 1 of 1 points agree" in text
    assert "at or above it: 1 of 1 points depart" in text


def test_departure_needs_size_and_significance():
    ref = Stat(100.0, 10.0, 1.0, 1.0, 4, "30", {})
    far = Stat(80.0, 10.0, 1.0, 1.0, 4, "30", {})  # -20 %, 2 SE = 14.1
    noisy = Stat(80.0, 40.0, 1.0, 1.0, 4, "30", {})  # 2 SE = 41.2
    near = Stat(90.0, 0.1, 1.0, 1.0, 4, "30", {})  # significant but 10 %
    assert departs(far, ref)
    assert not departs(noisy, ref)
    assert not departs(near, ref)


def test_g_correction_is_the_seed_formula():
    assert corrected_g(8.0) == pytest.approx(0.8693828 * 8 + 0.28674744)


def test_wafer_files_are_analysed_with_the_same_protocol(tmp_path):
    base = BrunelConfig.tiny(t_stop=1200.0)
    results = run_sweep(grid(base, gs=(4.0,), etas=(2.0,)))
    write_seed_files(
        results, tmp_path / "wafer", base.n_exc, base.n_inh, SEED_FILE_NEURONS
    )
    write_summary(BrunelWorkload(), results, tmp_path / "twin" / "summary.csv")
    wafer = load_wafer(tmp_path / "wafer")
    twin = aggregate(load_summary(tmp_path / "twin"))[("twin", "ideal")]
    # Layout "30": the same 30 excitatory neurons -> the same rate from both paths.
    assert wafer[(4.0, 2.0)].rate == pytest.approx(twin[(4.0, 2.0)].rate, abs=1e-3)
    assert np.isfinite(wafer[(4.0, 2.0)].cv)


def test_compare_cli_writes_the_report_and_figures(tmp_path, capsys):
    t = _summary(tmp_path / "t", "twin", {(8.0, 0.8): 10.5, (4.0, 0.8): 30.0})
    n = _summary(tmp_path / "n", "nest", {(8.0, 0.8): 10.0, (4.0, 0.8): 31.0})
    assert main(["compare", str(t), str(n), "--out", str(tmp_path / "out")]) == 0
    text = (tmp_path / "out" / "report.md").read_text()
    assert "agree" in text
    assert (tmp_path / "out" / "diff_twin_ideal_minus_nest.png").stat().st_size > 0
    assert "![diff_twin_ideal_minus_nest.png]" in text


def test_compare_cli_reports_tiers_without_nest(tmp_path, capsys):
    t = _two_tiers(tmp_path / "t")
    assert main(["compare", str(t), "--out", str(tmp_path / "out")]) == 0
    text = (tmp_path / "out" / "report.md").read_text()
    assert "1 of 1 points agree" in text
    assert (tmp_path / "out" / "tiers_vs_mapped.png").stat().st_size > 0
    # Only the ideal tier and no NEST: nothing to compare with -> one line, exit 2.
    ideal = _summary(tmp_path / "i", "twin", {(8.0, 0.8): 10.0})
    assert main(["compare", str(ideal), "--out", str(tmp_path / "o2")]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
    assert not (tmp_path / "o2").exists()


def test_report_tabulates_recording_per_chip(tmp_path):
    t = tmp_path / "t"
    _summary(t, "twin", {(1.0, 0.8): [300.0, 310.0]}, tier="hardware")
    _summary(t, "twin", {(1.0, 0.8): [500.0, 520.0]}, tier="mapped")
    (t / "chips.csv").write_text(
        "tier,seed,g,eta,resource,unit,chip,offered,dropped,passed\n"
        "hardware,0,1.0,0.8,recording_per_hicann,5,5,4000,1500,2500\n"
        "hardware,0,1.0,0.8,recording_per_hicann,9,9,2000,0,2000\n"
        "hardware,1,1.0,0.8,recording_per_hicann,5,5,3000,500,2500\n"
        "hardware,1,1.0,0.8,recording_per_hicann,9,9,1000,0,1000\n"
        "hardware,1,1.0,0.8,dnc_merger,41,5,9000,3000,6000\n"
        "hardware,0,8.0,0.8,recording_per_hicann,5,5,400,0,400\n"
    )
    text = report(load_summary(t), [], chips=load_chips(t))
    # 2 chips per seed, one losing; emitted 5000 / recorded 4000 per seed on average
    assert (
        "| 1 | 0.8 | 2.0 | 1.0 | 5000 | 4000 | chip 5 (seed 0): 4000 → 2500 |" in text
    )


def test_compare_cli_missing_folder_is_exit_2(tmp_path, capsys):
    assert (
        main(
            [
                "compare",
                str(tmp_path / "x"),
                str(tmp_path / "y"),
                "--out",
                str(tmp_path),
            ]
        )
        == 2
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "summary.csv" in err[0]


@pytest.mark.nest
def test_nest_sweep_smoke():
    pytest.importorskip("nest")
    base = BrunelConfig.tiny(t_stop=1200.0)
    (result,) = run_sweep(grid(base, gs=(8.0,), etas=(2.0,)), "nest")
    assert 0.6 < result["cv"] < 1.4
    assert result["rate_hz"] > 1.0
