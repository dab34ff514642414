"""The Parquet results table and the ensemble report (no emulation)."""

import numpy as np
import pytest

from experiments.report.ensemble import ensemble_report, factors_of, point_stats, shares
from experiments.runs.table import read_table, write_table
from twin.errors import ResultsError


def _row(seed, wafer, rate, status="done", backend="twin", g=8.0):
    return {
        "g": g,
        "eta": 2.0,
        "backend": backend,
        "tier": "ideal",
        "seed": seed,
        "wafer": wafer,
        "rate_hz": rate if status == "done" else None,
        "status": status,
        "error": None if status != "failed" else "ConfigError: bad",
    }


def test_a_table_round_trips_and_reports_what_is_missing(tmp_path):
    path = tmp_path / "results.parquet"
    rows = [_row(1, "a", 10.0), _row(2, "a", 0.0, "missing"), _row(3, "a", 0, "failed")]
    write_table(path, rows, ["wafer"])
    table = read_table(path)
    assert table.rows == tuple(rows)
    assert table.partial
    assert [r["seed"] for r in table.having("missing")] == [2]
    text = table.describe(("g", "eta"))
    assert text.splitlines()[0] == "1 of 3 rows done"
    assert "failed: twin ideal seed 3 g = 8.0, eta = 2.0: ConfigError: bad" in text


def test_a_sweep_replaces_its_own_rows_and_keeps_the_others(tmp_path):
    path = tmp_path / "results.parquet"
    write_table(path, [_row(1, "a", 1.0), _row(1, "b", 2.0)], ["wafer"])
    write_table(path, [_row(1, "a", 3.0)], ["wafer"])
    write_table(path, [_row(1, "a", 4.0, backend="nest")], ["wafer"])
    rates = sorted(
        (r["backend"], r["wafer"], r["rate_hz"]) for r in read_table(path).rows
    )
    assert rates == [("nest", "a", 4.0), ("twin", "a", 3.0), ("twin", "b", 2.0)]


def test_other_tiers_and_points_of_the_same_sweep_stay(tmp_path):
    path = tmp_path / "results.parquet"
    write_table(path, [_row(1, "a", 1.0)], ["wafer", "g", "eta"])  # ideal, g = 8
    mapped = _row(1, "a", 2.0) | {"tier": "mapped"}
    write_table(path, [mapped, _row(1, "a", 3.0, g=4.0)], ["wafer", "g", "eta"])
    rows = sorted((r["tier"], r["g"], r["rate_hz"]) for r in read_table(path).rows)
    assert rows == [("ideal", 4.0, 3.0), ("ideal", 8.0, 1.0), ("mapped", 8.0, 2.0)]


def test_an_unreadable_table_names_the_remedy(tmp_path):
    path = tmp_path / "results.parquet"
    path.write_bytes(b"not parquet")
    with pytest.raises(ResultsError, match="run the sweep again"):
        read_table(path)


def test_variance_shares_follow_the_one_way_formula():
    # 2 seeds x 2 wafers; the wafer moves the rate by 10, the seed by 1.
    rows = [
        _row(s, w, 10.0 * (w == "b") + 1.0 * (s == 2)) for s in (1, 2) for w in "ab"
    ]
    assert factors_of(rows) == ["seed", "wafer"]
    x = np.array([r["rate_hz"] for r in rows])
    total = ((x - x.mean()) ** 2).sum()
    got = shares(rows, ("g", "eta"), "rate_hz", ["seed", "wafer"])
    assert got["wafer"] == pytest.approx(4 * 5.0**2 / total)
    assert got["seed"] == pytest.approx(4 * 0.5**2 / total)
    assert got["seed"] + got["wafer"] == pytest.approx(1.0)  # balanced, additive
    (stat,) = point_stats(rows, ("g", "eta"), "rate_hz").values()
    assert stat == pytest.approx((x.mean(), x.std(ddof=1), 4))
    text = ensemble_report(rows, ("g", "eta"), ("rate_hz",))
    assert "| wafer | 0.99 |" in text
    assert ensemble_report(rows[:1], ("g", "eta")) == ""


def test_failed_units_are_one_line_each_and_the_command_exits_1(
    tmp_path, monkeypatch, capsys
):
    from experiments.cli import main
    from experiments.runs import executor as executor_module
    from twin.errors import ConfigError

    def refuse(workload, unit, **options):
        raise ConfigError(f"seed {unit.points[0].seed} refused")

    monkeypatch.setattr(executor_module, "execute", refuse)
    code = main(
        ["brunel", "--g", "8", "--eta", "2", "--t-stop", "1000", "--seed", "1,2",
         "--out", str(tmp_path)]
    )  # fmt: skip
    assert code == 1
    err = [line for line in capsys.readouterr().err.splitlines() if "failed:" in line]
    assert len(err) == 2
    assert "ConfigError: seed 2 refused" in err[1]
    table = read_table(tmp_path / "results.parquet")
    assert [r["status"] for r in table.rows] == ["failed", "failed"]


def test_compare_reads_the_finished_rows_of_the_table(tmp_path):
    from experiments.brunel.stats import load_summary
    from experiments.report.load import partial_note

    rows = [
        _row(1, "a", 10.0) | {"cv": 1.0, "global_cv": 2.0},
        _row(2, "a", 0.0, "missing"),
    ]
    write_table(tmp_path / "results.parquet", rows, ["wafer"])
    (row,) = load_summary(tmp_path)
    assert (row["platform"], row["tier"], float(row["rate_hz"])) == (
        "twin",
        "ideal",
        10,
    )
    assert "1 of 2 rows done" in partial_note(tmp_path)
