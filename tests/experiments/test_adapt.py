"""The ladder's files (experiments.adapt) and ``twin adapt`` on the command line."""

import math

import numpy as np
import pytest

from experiments.adapt import brunel2000 as adapt_workload
from experiments.adapt.brunel2000 import AdaptOutcome, state_points
from experiments.adapt.files import (
    COLUMNS,
    biggest_moves,
    ladder_markdown,
    read_ladder_csv,
    write_ladder,
)
from experiments.brunel2000 import FIG8_STATES, Brunel2000Config, build_network
from experiments.cli import main
from twin.adapt import scale_weights
from twin.adapt.fit import FitResult
from twin.adapt.fit_runs import Point
from twin.adapt.ladder import Ladder, LadderRow
from twin.errors import ConfigError, ResultsError
from twin.hardware.cost import wafer_cost

RUNGS = ("original", "downscale", "to_conductance", "hardware")
#: exc rates per rung at two points: to_conductance moves "a" most, downscale "b".
RATES = {"a": (10.0, 11.0, 4.0, 5.0), "b": (20.0, 30.0, 27.0, 26.0)}


def _ladder():
    rows = []
    for k, rung in enumerate(RUNGS):
        tier = "hardware" if rung == "hardware" else "ideal"
        loss = 0.1 if rung == "hardware" else 0.0
        for point, rates in RATES.items():
            for pop, factor in (("exc", 1), ("inh", 2)):
                rows.append(
                    LadderRow(
                        rung, tier, point, pop, rates[k] * factor, 0.8, 0.3, 100, loss
                    )
                )
    points = (Point("a"), Point("b", 2.0, 0.5))
    return Ladder(tuple(rows), RUNGS, points, 2000.0, 1000.0, (1.0, 2.0, 3.0, 4.0))


def test_the_table_reads_back_with_units_in_its_columns(tmp_path):
    ladder = _ladder()
    paths = write_ladder(ladder, tmp_path, cost=wafer_cost(2000.0, runs=2))
    assert [p.name for p in paths] == ["ladder.csv", "ladder.md", "ladder.png"]
    assert all(p.stat().st_size > 0 for p in paths)
    rows = read_ladder_csv(tmp_path / "ladder.csv")
    assert tuple(rows[0]) == COLUMNS
    assert {"rate_hz", "synapse_loss_fraction", "t_stop_ms", "window_ms"} <= set(
        COLUMNS
    )
    assert len(rows) == len(ladder.rows)
    for row, want in zip(rows, ladder.rows, strict=True):
        assert row["rung"] == want.rung
        assert row["rate_hz"] == want.rate_hz
        assert row["synapse_loss_fraction"] == want.synapse_loss
        assert row["t_stop_ms"] == 2000.0


def test_the_spikes_a_wafer_run_reads_out():
    # original: 10 + 20 Hz (a) and 20 + 40 Hz (b), 100 neurons each, 2 s runs.
    assert _ladder().spikes("original") == 90 * 100 * 2


def test_a_table_of_other_columns_is_refused(tmp_path):
    (tmp_path / "ladder.csv").write_text("a,b\n1,2\n")
    with pytest.raises(ResultsError, match="columns"):
        read_ladder_csv(tmp_path / "ladder.csv")


def test_the_summary_marks_the_step_that_moves_the_rate_most():
    ladder = _ladder()
    moves = biggest_moves(ladder)
    assert moves[("a", "exc")] == ("to_conductance", pytest.approx(-7.0))
    assert moves[("b", "exc")] == ("downscale", pytest.approx(10.0))
    assert moves[("a", "inh")] == ("to_conductance", pytest.approx(-14.0))
    text = ladder_markdown(ladder, cost=wafer_cost(2000.0, runs=2))
    assert "| to_conductance | ideal | 4.00 | **-7.00** |" in text
    assert "| downscale | ideal | 30.00 | **+10.00** |" in text
    assert "exc: moved most by `downscale` (+10.00 Hz)" in text
    assert "configuration 65 s" in text  # 60 s set-up + one 5 s change


def test_states_are_points_of_the_first_state():
    base, points = state_points(["AI", "SR", "SI-slow"])
    assert (base.g, base.eta) == FIG8_STATES["AI"]
    for p in points:
        g, eta = FIG8_STATES[p.name]
        assert p.g_scale * base.g == pytest.approx(g)
        assert p.rate_scale * base.eta == pytest.approx(eta)
    with pytest.raises(ConfigError, match=r"Fig\. 8 states"):
        state_points(["AI", "AI"])
    with pytest.raises(ConfigError, match=r"Fig\. 8 states"):
        state_points(["XX"])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["adapt", "--out", "x"], "give a PyNN script"),
        (["adapt", "s.py", "--workload", "brunel2000"], "one of the two"),
        (["adapt", "--workload", "brunel2000", "--points", "AI,XX"], "Fig. 8"),
        (["adapt", "--workload", "brunel2000", "--tiers", "ideal"], "mapped"),
        (["adapt", "--workload", "brunel2000", "--t-stop", "-1"], "must be > 0"),
        (["adapt", "--workload", "microcircuit", "--fit"], "no weight-factor fit"),
        (["adapt", "missing_script.py"], "not found"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(argv, message, capsys):
    try:
        code = main(argv)
    except SystemExit as stop:  # argparse's usage errors
        code = stop.code
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert err.count("\n") == 1


def test_the_workload_end_to_end_writes_its_ladder(tmp_path, monkeypatch, capsys):
    # A small model A, and an "adaptation" of one step: weights x orig_weight / 2.
    small = Brunel2000Config(scale=100.0, g=5.0, eta=2.0)
    monkeypatch.setattr(
        adapt_workload, "build_network",
        lambda c: build_network(small.replace(seed=c.seed, t_stop=c.t_stop)),
    )  # fmt: skip
    monkeypatch.setattr(
        adapt_workload, "seed_adaptation",
        lambda config, orig_weight=1.2: [scale_weights(orig_weight / 2)],
    )  # fmt: skip
    argv = ["adapt", "--workload", "brunel2000", "--points", "AI,SR", "--tiers",
            "none", "--t-stop", "400", "--out", str(tmp_path)]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "fitted weight factor" not in out
    assert "on the wafer (2 run(s), 1 set-up(s))" in out
    assert f"wrote {tmp_path / 'ladder.png'}" in out
    rows = read_ladder_csv(tmp_path / "ladder.csv")
    assert [r["rung"] for r in rows[::4]] == ["original", "scale_weights"]
    assert [r["point"] for r in rows[:4:2]] == ["AI", "SR"]
    rates = np.array([r["rate_hz"] for r in rows]).reshape(2, 2, 2)
    # Weights x 0.6: less drive at both points (SR: g 3 instead of 5, more rate).
    assert np.all(rates[1] < rates[0])
    assert np.all(rates[0, 1] > rates[0, 0])
    assert math.isfinite(rows[0]["cv"])


def test_the_fit_is_printed_beside_the_seed_factor(capsys):
    from experiments.cli.adapt import _report

    fit = FitResult(
        factor=1.337, populations=("exc",), points=(Point("AI"),),
        target=np.array([[10.0]]), rates_before=np.array([[5.0]]),
        rates_after=np.array([[10.5]]), factors=np.array([1.0]),
        rates=np.array([[[5.0]]]), mismatch=np.array([-0.5]), first_guess=None,
    )  # fmt: skip
    outcome = AdaptOutcome(None, None, (("on its own", fit),), wafer_cost(1000.0), ())
    _report(outcome, 0.0)
    out = capsys.readouterr().out
    assert (
        "fitted weight factor 1.337 on its own (the seed's hand-tuned orig_weight: "
        "1.2); mean "
        "relative rate difference -0.500 at 1 -> +0.050" in out
    )
