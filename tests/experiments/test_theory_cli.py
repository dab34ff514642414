"""``twin theory``: the plane spec, the files it writes read back, the overlay."""

import csv

import numpy as np
import pyarrow.parquet as pq
import pytest

from experiments.brunel import BrunelConfig
from experiments.brunel.theory import FILES, plane_network, simulated_points
from experiments.cli import main
from experiments.cli.theory import parse_plane
from twin.errors import ConfigError
from twin.theory.network_rates import rates_over
from twin.theory.plane import flag_text

PLANE = "eta=1.6:2.4:0.8,g=4:8:4"  # axes in either order


def test_plane_spec_includes_the_stop_on_the_grid():
    g, eta = parse_plane("g=1:10:0.1,eta=0.5:4:0.05")
    assert (g.size, eta.size) == (91, 71)
    assert g[0] == 1.0
    assert g[-1] == 10.0  # on the grid to 12 decimals, as the points are written
    assert g[3] == 1.3
    assert eta[-1] == 4.0
    g, eta = parse_plane("g=1:2.05:0.5, eta=2")
    np.testing.assert_allclose(g, [1.0, 1.5, 2.0])
    assert eta.tolist() == [2.0]


@pytest.mark.parametrize(
    ("spec", "needle"),
    [
        ("g=1:10:0.1", "axis eta missing"),
        ("g=1:10:0.1,eta=1,g=2", "axis g given twice"),
        ("g=1:10:0.1,rho=1", "'rho=1' is not an axis"),
        ("g=1:x:0.1,eta=1", "g='1:x:0.1': not numbers"),
        ("g=1:10,eta=1", "g='1:10'"),
        ("g=10:1:1,eta=1", "start <= stop"),
        ("g=1:10:0,eta=1", "a step > 0"),
        ("g=-1,eta=1", "values must be >= 0"),
        ("g=nan,eta=1", "g='nan'"),
        ("g=0:1000:0.01,eta=0:100:0.1", "points (at most"),
        ("g=0:1e7:1,eta=1", "values (at most"),
    ],
)
def test_bad_plane_spec_is_a_config_error_naming_the_value(spec, needle):
    with pytest.raises(ConfigError, match="give") as err:
        parse_plane(spec)
    assert needle in str(err.value)


def test_bad_plane_spec_on_the_command_line_is_one_line_exit_2(tmp_path, capsys):
    assert main(["theory", "--plane", "g=1:10", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "twin theory: error: plane axis g='1:10'" in err
    assert not any(tmp_path.iterdir())


def _sweep_folder(path):
    """A minimal sweep summary: two seeds at one point, another point and tier, a
    NEST row and a theory row."""
    path.mkdir()
    rows = [
        ("twin", "ideal", 1234, 4.0, 1.6, 50.0),
        ("twin", "ideal", 1235, 4.0, 1.6, 60.0),
        ("twin", "ideal", 1234, 8.0, 2.4, 30.0),
        ("twin", "hardware", 1234, 8.0, 2.4, 20.0),
        ("nest", "ideal", 1234, 8.0, 2.4, 33.0),
        ("twin", "theory", 1234, 8.0, 2.4, 31.0),
    ]
    lines = ["backend,tier,seed,g,eta,rate_hz,run_rate_exc_hz"]
    lines += [f"{b},{t},{s},{g},{e},{r},{r}" for b, t, s, g, e, r in rows]
    (path / "summary.csv").write_text("\n".join(lines) + "\n")
    return path


def test_theory_writes_the_plane_read_back_equal_to_rates_over(tmp_path, capsys):
    sweep = _sweep_folder(tmp_path / "sweep")
    out = tmp_path / "out"
    args = ["theory", "--plane", PLANE, "--no-variation", "--out", str(out)]
    assert main([*args, "--over", str(sweep)]) == 0
    printed = capsys.readouterr().out
    assert "4 points (2 g x 2 eta)" in printed
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
    assert (out / "theory_plane.png").read_bytes()[:4] == b"\x89PNG"
    with open(out / "theory_plane.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == [
        "g",
        "eta",
        "rate_exc_hz",
        "rate_inh_hz",
        "stationary",
        "fixed_points",
        "flags",
        "unstable",
        "oscillatory",
        "frequency_hz",
        "growth_per_s",
        "stability_resolved",
    ]
    table = pq.read_table(out / "theory_plane.parquet").to_pylist()
    network = plane_network(BrunelConfig(variation=False))
    g, eta = np.meshgrid([4.0, 8.0], [1.6, 2.4], indexing="ij")
    expected = rates_over(network, g, eta, stability=True)
    assert len(rows) == len(table) == len(expected) == 4
    for row, stored, want, gi, ei in zip(
        rows, table, expected, g.ravel(), eta.ravel(), strict=True
    ):
        assert float(row["g"]) == stored["g"] == gi
        assert float(row["eta"]) == stored["eta"] == ei
        rates = want.stationary.rates_or_nan()
        for k, pop in enumerate(("exc", "inh")):
            assert float(row[f"rate_{pop}_hz"]) == stored[f"rate_{pop}_hz"]
            assert stored[f"rate_{pop}_hz"] == pytest.approx(rates[k], rel=1e-12)
        assert row["flags"] == stored["flags"] == flag_text(want.flags)
        assert row["stationary"] == str(want.stationary.ok)
        assert stored["unstable"] == want.stability.unstable
        assert stored["oscillatory"] == want.oscillatory


def test_overlay_points_are_the_seed_means_per_tier_without_theory(tmp_path):
    points = simulated_points(_sweep_folder(tmp_path / "sweep"))
    got = {(p.tier, p.g, p.eta): p.rate_hz for p in points}
    assert got == {
        ("hardware", 8.0, 2.4): 20.0,
        ("NEST", 8.0, 2.4): 33.0,
        ("ideal", 4.0, 1.6): 55.0,
        ("ideal", 8.0, 2.4): 30.0,
    }


def test_missing_overlay_folder_is_one_line_exit_2(tmp_path, capsys):
    args = ["theory", "--plane", PLANE, "--out", str(tmp_path / "out")]
    assert main([*args, "--over", str(tmp_path / "none")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "summary.csv" in err
