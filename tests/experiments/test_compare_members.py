"""Comparisons never pool what differs: ensemble members, a run given twice, windows.

Class: a point's statistics over seeds are taken over the seeds of one experiment.
Rows of different ensemble members, the same run from two folders or runs of
different windows are refused (:func:`experiments.report.members.check_group`) or
reported apart (``twin compare`` on an ensemble folder: one report per member), and
every file of a folder describes the same members as the report: its n per point is
the number of seeds in the member's summary rows and seed files.
"""

import csv
import dataclasses
import shutil

import numpy as np
import pytest

from experiments.brunel import BrunelConfig
from experiments.brunel.io import read_population
from experiments.brunel.stats import aggregate, load_summary
from experiments.brunel.workload import grid
from experiments.cli import brunel as brunel_cli
from experiments.cli import main
from experiments.report.members import split_members
from experiments.report.summary import EarlierFormatWarning
from experiments.runs.table import TABLE_NAME, read_table
from twin.errors import ResultsError


def _row(seed, rate, **labels):
    row = {"platform": "twin", "tier": "ideal", "seed": str(seed), "g": "8",
           "eta": "2", "rate_hz": str(rate), "cv": "1", "global_cv": "1"}  # fmt: skip
    return row | {k: str(v) for k, v in labels.items()}


def test_rows_of_two_members_are_not_pooled_as_seeds():
    rows = [_row(1, 10.0, strategy="enum"), _row(1, 30.0, strategy="spiral")]
    with pytest.raises(ResultsError, match=r"2 ensemble members \(strategy = enum;"):
        aggregate(rows)
    # Split by member, each is one seed of its own experiment.
    stats = [aggregate(m) for m in split_members(rows).values()]
    assert [s[("twin", "ideal")][(8.0, 2.0)].n for s in stats] == [1, 1]


def test_a_run_given_twice_is_refused():
    rows = [_row(1, 10.0) | {"folder": "a"}, _row(1, 10.0) | {"folder": "b"}]
    with pytest.raises(ResultsError, match=r"seed 1 appears twice \(in a, b\)"):
        aggregate(rows)


def test_runs_of_different_windows_are_refused():
    rows = [_row(1, 10.0, t_start=0, t_stop=1000), _row(2, 9.0, t_start=0, t_stop=2e3)]
    with pytest.raises(ResultsError, match=r"t_stop = 1000, 2000 ms"):
        aggregate(rows)


def test_runs_of_different_layouts_are_refused():
    rows = [_row(1, 10.0, layout="30"), _row(2, 9.0, layout="all")]
    with pytest.raises(ResultsError, match=r"different layouts \(30, all\)"):
        aggregate(rows)


def test_a_summary_of_an_earlier_version_is_replaced_not_merged(tmp_path):
    """Rows without the analysed window cannot be told apart by member: replaced."""
    old = "platform,tier,seed,g,eta,rate_hz\ntwin,ideal,1234,8,0.8,99\n"
    (tmp_path / "summary.csv").write_text(old)
    with pytest.warns(EarlierFormatWarning, match="1 rows are replaced"):
        _brunel(tmp_path, "--seeds", "1")
    rows = _csv(tmp_path / "summary.csv")
    assert rows
    assert all(r["t_start"] and r["t_stop"] for r in rows)
    assert "99" not in {r["rate_hz"] for r in rows}


def _tiny_configs(args):
    """The CLI's points on the 250-neuron network (same CLI path, fast)."""
    base = BrunelConfig.tiny(t_stop=args.t_stop)
    out = []
    for seed in args.seed:
        out += grid(dataclasses.replace(base, seed=seed), gs=args.g, etas=args.eta,
                    seeds=args.seeds)  # fmt: skip
    return out


def _brunel(out, *options):
    args = ["brunel", "--t-stop", "1200", "--g", "4", "--eta", "2", "--seeds", "2",
            "--fidelity", "mapped", *options, "--out", str(out)]  # fmt: skip
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(brunel_cli, "_configs", _tiny_configs)
        assert main(args) == 0
    return out


@pytest.fixture(scope="module")
def ensemble(tmp_path_factory):
    """``twin brunel --strategy enum,spiral``: two members, two seeds."""
    return _brunel(tmp_path_factory.mktemp("ens") / "out", "--strategy", "enum,spiral")


def _csv(path):
    with path.open() as fh:
        return list(csv.DictReader(fh))


def _segments_per_point(path):
    """(g, eta) -> seeds of the file's segments, and the member labels they carry."""
    _, segments = read_population(path)
    seeds, labels = {}, set()
    for s in segments:
        a = s.annotations
        seeds.setdefault((a["g"], a["eta"]), []).append(a["seed"])
        labels.add(a.get("strategy"))
    return seeds, labels


def test_an_ensemble_folder_reports_each_member_with_its_own_files(ensemble, tmp_path):
    out = ensemble
    assert main(["compare", str(out), "--out", str(tmp_path)]) == 0
    text = (tmp_path / "report.md").read_text()
    summary = _csv(out / "summary.csv")
    assert {r["strategy"] for r in summary} == {"enum", "spiral"}
    rows = load_summary(out)
    for strategy in ("enum", "spiral"):
        # The report has a section of this member alone, with its n ...
        assert f"# The seed sweep: twin vs NEST: strategy = {strategy}" in text
        stats = aggregate([r for r in rows if r["strategy"] == strategy])
        assert {s.n for v in stats.values() for s in v.values()} == {2}
        # ... which is what the member's summary rows and seed files hold.
        assert len([r for r in summary if r["strategy"] == strategy]) == 2
        folder = out / "members" / f"strategy-{strategy}"
        seeds, labels = _segments_per_point(folder / "exc.h5")
        assert labels == {strategy}
        for point, stat in stats[("twin", "mapped")].items():
            assert len(seeds[point]) == stat.n
        assert (folder / "heatmaps_mapped.png").stat().st_size > 0
    # No file at the top shows one member as if it were the folder's.
    assert not (out / "exc.h5").exists()
    # The same folder given twice is the same runs twice: refused (exit 2).
    assert main(["compare", str(out), str(out), "--out", str(tmp_path / "c")]) == 2


def test_a_member_run_into_the_folder_keeps_the_files_in_step(ensemble, tmp_path):
    out = tmp_path / "copy"
    shutil.copytree(ensemble, out)
    _brunel(out, "--strategy", "enum")  # its points are in the store: no new run
    # summary.csv keeps the other member's rows, as results.parquet does ...
    summary = _csv(out / "summary.csv")
    assert sorted(r["strategy"] for r in summary) == ["enum"] * 2 + ["spiral"] * 2
    table = list(load_summary(out))
    assert len(table) == len(summary)
    # ... and the top-level seed file says which member and seeds it holds.
    seeds, labels = _segments_per_point(out / "exc.h5")
    assert labels == {"enum"}
    assert len(seeds[(4.0, 2.0)]) == 2


def test_split_members_keeps_the_order_of_appearance():
    rows = [_row(1, 1.0, wafer="b"), _row(1, 1.0, wafer="a"), _row(2, 1.0, wafer="b")]
    groups = split_members(rows)
    assert list(groups) == [(("wafer", "b"),), (("wafer", "a"),)]
    assert [len(v) for v in groups.values()] == [2, 1]
    assert np.isfinite(aggregate(groups[(("wafer", "b"),)])[("twin", "ideal")][
        (8.0, 2.0)].rate)  # fmt: skip


def test_each_member_s_tables_hold_its_own_rows_only(ensemble, tmp_path):
    """Values of a member's section are over its own seeds (from the folder's table)."""
    assert main(["compare", str(ensemble), "--out", str(tmp_path)]) == 0
    text = (tmp_path / "report.md").read_text()
    head, *sections = text.split("# The seed sweep: twin vs NEST: ")
    assert "2 ensemble members (strategy differ)" in head
    rows = read_table(ensemble / TABLE_NAME).having("done")
    assert len(sections) == len({r["strategy"] for r in rows}) == 2
    for section in sections:
        strategy = section.split("\n", 1)[0].removeprefix("strategy = ")
        mine = [r for r in rows if r["strategy"] == strategy]
        rate = np.array([r["rate_hz"] for r in mine])
        loss = np.mean([r["synapse_loss"] for r in mine])
        assert rate.size == 2
        cells = f"{rate.mean():.2f} ± {rate.std(ddof=1):.2f}"
        assert f"| 4 | 2 | {cells} | – | – | – | {100 * loss:.1f} % |" in section
        assert "Runs of twin: 2 row(s); tiers mapped; 2 seed(s) per point" in section
