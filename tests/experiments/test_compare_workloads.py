"""``twin compare`` follows the workload: a microcircuit folder gets the generic report.

Class: reports follow their workload. A folder's rows are reported over the
workload's own coordinates and columns (:class:`experiments.report.compare.
Comparison`); every value in the tables is a mean (± sample sd) over the seeds of the
folder's own ``summary.csv``/``chips.csv``, recomputed here from the files, and the
verdicts follow the rule's formula. Each command writes exactly its workload's
outputs (:meth:`experiments.runs.workload.Workload.outputs`); no CLI module writes a
workload's files itself.
"""

import ast
import csv
from pathlib import Path

import numpy as np
import pytest

from experiments.cli import main
from experiments.microcircuit.workload import MicrocircuitWorkload
from experiments.report.compare import Comparison
from experiments.runs.table import TABLE_NAME, read_table
from twin.tiers import HARDWARE, IDEAL

CLI = Path(__file__).parents[2] / "experiments" / "cli"


@pytest.fixture(scope="module")
def micro(tmp_path_factory):
    """``twin microcircuit`` at 2 % scale, two seeds, the ideal and hardware tiers."""
    out = tmp_path_factory.mktemp("micro") / "out"
    args = ["microcircuit", "--fidelity", "ideal,hardware", "--seeds", "2",
            "--t-stop", "1100", "--scale", "0.02", "--out", str(out)]  # fmt: skip
    assert main(args) == 0
    return out


@pytest.fixture(scope="module")
def micro_report(micro, tmp_path_factory):
    """The folder's ``twin compare`` report."""
    cmp = tmp_path_factory.mktemp("cmp")
    assert main(["compare", str(micro), "--out", str(cmp)]) == 0
    return (cmp / "report.md").read_text()


def _csv(path):
    with path.open() as fh:
        return list(csv.DictReader(fh))


def _rows(folder):
    """The rows ``twin compare`` reads: the results table's finished rows."""
    return read_table(folder / TABLE_NAME).having("done")


def _value(x):
    """A mean over seeds as the tables write it (``:.4g``, ``± sd`` over seeds)."""
    x = np.asarray(x, dtype=float)
    text = f"{x.mean():.4g}"
    return text + (f" ± {x.std(ddof=1):.2g}" if x.size > 1 else "")


def _departs(x, ref):
    """The departure rule: > 15 % of the reference and > 2 standard errors."""
    x, ref = np.asarray(x, dtype=float), np.asarray(ref, dtype=float)
    se = np.hypot(x.std(ddof=1) / np.sqrt(x.size), ref.std(ddof=1) / np.sqrt(ref.size))
    diff = abs(x.mean() - ref.mean())
    return diff > 0.15 * ref.mean() and diff > 2 * se


def test_the_microcircuit_command_writes_its_workload_s_outputs(micro):
    names = [o.name for o in MicrocircuitWorkload().outputs()]
    assert names[:2] == ["summary.csv", "chips.csv"]
    for name in ("summary.csv", "chips.csv", "rates.png", "cvs.png"):
        assert (micro / name).stat().st_size > 0
    for tier in (IDEAL, HARDWARE):
        assert (micro / f"raster_twin_{tier}.png").stat().st_size > 0
    assert not (micro / "compare.md").exists()  # no NEST, no day-later sample


def test_the_folder_s_summary_holds_its_results_table(micro):
    """summary.csv is the results table's rows, written to 4 decimals."""
    table = {(r["tier"], int(r["seed"])): r for r in _rows(micro)}
    summary = _csv(micro / "summary.csv")
    assert len(summary) == len(table) == 4
    for row in summary:
        mine = table[(row["tier"], int(row["seed"]))]
        for c in Comparison.of(MicrocircuitWorkload()).metrics:
            assert float(row[c]) == pytest.approx(mine[c], abs=5e-5)


def test_compare_reports_a_microcircuit_folder_from_its_own_files(micro, micro_report):
    rows = _rows(micro)
    comparison = Comparison.of(MicrocircuitWorkload())
    rates = tuple(c for c in comparison.metrics if c.startswith("rate_L"))
    assert comparison.judged == rates
    # The title names the sides the folder holds: twin runs only, no NEST.
    assert micro_report.splitlines()[0] == "# microcircuit: twin"
    assert "## Tiers (twin) vs `ideal`" in micro_report
    by_tier = {t: [r for r in rows if r["tier"] == t] for t in (IDEAL, HARDWARE)}
    assert [len(v) for v in by_tier.values()] == [2, 2]
    (scale,) = {float(r["scale"]) for r in rows}
    for metric in comparison.metrics:
        hw = [float(r[metric]) for r in by_tier[HARDWARE]]
        ref = [float(r[metric]) for r in by_tier[IDEAL]]
        verdict = "–"
        if metric in comparison.judged:
            verdict = "depart" if _departs(hw, ref) else "agree"
        change = "–"
        if np.mean(ref) > 0:
            change = f"{100 * (np.mean(hw) - np.mean(ref)) / np.mean(ref):+.1f} %"
        row = (
            f"| {scale:g} | {metric} | {HARDWARE} | {_value(hw)} | {_value(ref)} | "
            f"{change} | {verdict} |"
        )
        assert row in micro_report, row


def test_compare_tabulates_the_microcircuit_s_losses_from_its_files(
    micro, micro_report
):
    rows = [r for r in _rows(micro) if r["tier"] == HARDWARE]
    (scale,) = {float(r["scale"]) for r in rows}
    off = np.mean([float(r["offered_recording_per_hicann"]) for r in rows])
    drop = np.mean([float(r["dropped_recording_per_hicann"]) for r in rows])
    cell = f"{drop:.0f} / {off:.0f} ({100 * drop / max(off, 1):.1f} %)"
    assert f"| {scale:g} | all | {cell} |" in micro_report
    chips = [
        r for r in _csv(micro / "chips.csv")
        if r["tier"] == HARDWARE and r["resource"] == "recording_per_hicann"
    ]  # fmt: skip
    seeds = len({r["seed"] for r in chips})
    emitted = sum(int(r["offered"]) for r in chips) / seeds
    recorded = sum(int(r["passed"]) for r in chips) / seeds
    assert (
        f"| {scale:g} | {len(chips) / seeds:.1f} | "
        f"{sum(int(r['dropped']) > 0 for r in chips) / seeds:.1f} | "
        f"{emitted:.0f} | {recorded:.0f} |"
    ) in micro_report


def test_wafer_options_are_refused_for_a_microcircuit_folder(micro, tmp_path, capsys):
    args = ["compare", str(micro), "--g-correction", "--out", str(tmp_path / "o")]
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "--g-correction" in err[0]


def test_folders_of_two_workloads_are_refused(micro, tmp_path, capsys):
    brunel = tmp_path / "brunel"
    brunel.mkdir()
    (brunel / "summary.csv").write_text(
        "platform,tier,seed,g,eta,layout,rate_hz,cv,global_cv\n"
        "twin,ideal,1,8,2,30,10,1,1\n"
    )
    args = ["compare", str(micro), str(brunel), "--out", str(tmp_path / "o")]
    assert main(args) == 2
    assert "different workloads" in capsys.readouterr().err


def _imported(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.module, [a.name for a in node.names]


def test_no_command_writes_a_workload_s_files_itself():
    """Sweep commands hand their results to the workload's outputs."""
    writers = {
        "experiments.report.summary",
        "experiments.report.outputs",
        "experiments.brunel.outputs",
        "experiments.brunel.seed_files",
        "experiments.microcircuit.outputs",
    }
    for name in ("brunel.py", "microcircuit.py"):
        found = list(_imported(CLI / name))
        assert "experiments.runs.workload" in {m for m, _ in found}
        for module, names in found:
            assert module not in writers, (name, module)
            assert "atomic_write_text" not in names, name
            assert "save_figure" not in names, name
