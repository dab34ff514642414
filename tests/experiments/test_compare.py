import numpy as np
import pytest

from experiments.brunel import BrunelConfig
from experiments.cli import main
from experiments.compare import load_summary, load_wafer, report
from experiments.sweep import run_twin_sweep, write_seed_files, write_summary

HEADER = (
    "platform,g,eta,layout,n_neurons,rate_hz,cv,global_cv,rate_exc_hz,rate_inh_hz\n"
)


def _summary(folder, platform, rates):
    folder.mkdir(parents=True, exist_ok=True)
    rows = [
        f"{platform},{g},{e},30,30,{r},1.0,2.0,{r},{r}\n" for (g, e), r in rates.items()
    ]
    (folder / "summary.csv").write_text(HEADER + "".join(rows))
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


def test_wafer_files_are_analysed_with_the_same_protocol(tmp_path):
    base = BrunelConfig.tiny(t_stop=1200.0)
    results, _ = run_twin_sweep(base, gs=(4.0,), etas=(2.0,))
    write_seed_files(results, base, tmp_path / "wafer")
    write_summary(results, tmp_path / "twin" / "summary.csv")
    wafer = load_wafer(tmp_path / "wafer")
    twin = load_summary(tmp_path / "twin")
    # Layout "30": the same 30 excitatory neurons -> the same rate from both paths.
    assert wafer[(4.0, 2.0)]["rate_hz"] == pytest.approx(
        twin[(4.0, 2.0)]["rate_hz"], abs=1e-3
    )
    assert np.isfinite(float(wafer[(4.0, 2.0)]["cv"]))


def test_compare_cli_writes_the_report(tmp_path, capsys):
    t = _summary(tmp_path / "t", "twin", {(8.0, 0.8): 10.5})
    n = _summary(tmp_path / "n", "nest", {(8.0, 0.8): 10.0})
    assert main(["compare", str(t), str(n), "--out", str(tmp_path / "out")]) == 0
    assert "agree" in (tmp_path / "out" / "report.md").read_text()


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
    from experiments.sweep import run_nest_sweep

    base = BrunelConfig.tiny(t_stop=1200.0)
    (result,) = run_nest_sweep(base, gs=(8.0,), etas=(2.0,), progress=False)
    assert 0.6 < result.activity.cv < 1.4
    assert result.activity.rate > 1.0
