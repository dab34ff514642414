"""`twin compare` inputs: wafer segments paired by annotations, CSV files checked."""

import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from experiments.brunel.io import Segment, write_population
from experiments.brunel.stats import load_chips, load_summary
from experiments.brunel.wafer_files import load_wafer
from experiments.cli import main
from twin import ResultsError

SIM_TIME = 2000.0
N_EXC, N_INH = 4, 2


def _trains(n, rate):
    """``n`` trains of ``rate`` evenly spaced spikes in the last 1000 ms (rate Hz)."""
    times = SIM_TIME - 1000.0 + (np.arange(rate) + 0.5) * 1000.0 / max(rate, 1)
    return tuple(times.copy() for _ in range(n))


def _segment(g, eta, rate, n, seed=None, size=None, **extra):
    ann = {"g": g, "eta": eta, "sim_time": SIM_TIME, **extra}
    ann["population_size"] = n if size is None else size
    if seed is not None:
        ann["seed"] = seed
    return Segment(ann, _trains(n, rate))


def _write(folder, exc, inh):
    folder.mkdir(parents=True, exist_ok=True)
    write_population(folder / "exc.h5", "exc", exc)
    write_population(folder / "inh.h5", "inh", inh)
    return folder


def _all_layout_rate(rate_exc, rate_inh):
    """The seed's rate when every neuron is recorded: the mean over both files."""
    return (N_EXC * rate_exc + N_INH * rate_inh) / (N_EXC + N_INH)


POINTS = [(1.0, 0.8), (4.0, 1.6), (8.0, 2.4), (8.0, 3.2)]


@given(
    rates=st.lists(st.integers(1, 40), min_size=8, max_size=8),
    order=st.permutations(range(len(POINTS))),
    seeded=st.booleans(),
)
def test_segments_are_paired_by_annotation_not_by_position(rates, order, seeded):
    seed = 7 if seeded else None
    exc = [_segment(g, e, rates[k], N_EXC, seed) for k, (g, e) in enumerate(POINTS)]
    inh = [
        _segment(*POINTS[k], rates[4 + k], N_INH, seed)
        for k in order  # the inhibitory file lists the points in another order
    ]
    with tempfile.TemporaryDirectory() as tmp:
        wafer = load_wafer(_write(Path(tmp), exc, inh))
    assert set(wafer) == set(POINTS)
    for k, point in enumerate(POINTS):
        expected = _all_layout_rate(rates[k], rates[4 + k])
        assert wafer[point].rate == pytest.approx(expected)
        assert wafer[point].layout == "all"
        assert wafer[point].n == 1


@given(
    seeds=st.lists(st.integers(0, 10**6), min_size=2, max_size=4, unique=True),
    data=st.data(),
)
def test_seeds_of_one_point_are_averaged(seeds, data):
    rates = data.draw(
        st.lists(st.integers(1, 40), min_size=len(seeds), max_size=len(seeds))
    )
    # The recorded-30 layout: only the excitatory trains count.
    exc = [
        _segment(4.0, 1.6, r, N_EXC, s, size=1000)
        for s, r in zip(seeds, rates, strict=True)
    ]
    inh = [_segment(4.0, 1.6, 3, N_INH, s, size=500) for s in reversed(seeds)]
    with tempfile.TemporaryDirectory() as tmp:
        stat = load_wafer(_write(Path(tmp), exc, inh))[(4.0, 1.6)]
    assert stat.n == len(seeds)
    assert stat.rate == pytest.approx(np.mean(rates))
    assert stat.rate_sd == pytest.approx(np.std(rates, ddof=1))
    assert stat.layout == "30"


def _error(tmp_path, exc, inh):
    with pytest.raises(ResultsError) as err:
        load_wafer(_write(tmp_path, exc, inh))
    return str(err.value)


def test_a_point_missing_from_inh_is_an_error_naming_it(tmp_path):
    exc = [_segment(g, e, 5, N_EXC) for g, e in POINTS]
    inh = [_segment(g, e, 5, N_INH) for g, e in POINTS if (g, e) != (4.0, 1.6)]
    msg = _error(tmp_path, exc, inh)
    assert "inh.h5 has no segment at (g = 4, eta = 1.6)" in msg
    assert "1 point(s) in exc.h5 only" in msg


def test_a_point_missing_from_exc_is_an_error_naming_it(tmp_path):
    exc = [_segment(1.0, 0.8, 5, N_EXC, seed=1)]
    inh = [_segment(1.0, 0.8, 5, N_INH, seed=s) for s in (1, 2)]
    msg = _error(tmp_path, exc, inh)
    assert "exc.h5 has no segment at (g = 1, eta = 0.8, seed = 2)" in msg


def test_a_repeated_point_without_seeds_is_an_error(tmp_path):
    exc = [_segment(1.0, 0.8, 5, N_EXC), _segment(1.0, 0.8, 6, N_EXC)]
    inh = [_segment(1.0, 0.8, 5, N_INH)]
    msg = _error(tmp_path, exc, inh)
    assert "exc.h5', segment 1: a second segment at (g = 1, eta = 0.8)" in msg


def test_a_repeated_point_and_seed_is_an_error(tmp_path):
    exc = [_segment(1.0, 0.8, 5, N_EXC, seed=3)]
    inh = [_segment(1.0, 0.8, 5, N_INH, seed=3), _segment(1.0, 0.8, 5, N_INH, seed=3)]
    msg = _error(tmp_path, exc, inh)
    assert "a second segment at (g = 1, eta = 0.8, seed = 3)" in msg


def test_seeds_in_one_file_only_are_an_error(tmp_path):
    exc = [_segment(1.0, 0.8, 5, N_EXC, seed=3)]
    inh = [_segment(1.0, 0.8, 5, N_INH)]
    msg = _error(tmp_path, exc, inh)
    assert "exc.h5 annotates a seed per segment but inh.h5 does not" in msg


def test_seeds_in_some_segments_only_are_an_error(tmp_path):
    exc = [_segment(1.0, 0.8, 5, N_EXC, seed=3), _segment(4.0, 0.8, 5, N_EXC)]
    inh = [_segment(1.0, 0.8, 5, N_INH, seed=3), _segment(4.0, 0.8, 5, N_INH)]
    msg = _error(tmp_path, exc, inh)
    assert "segment 1: the seed annotation is present in some segments" in msg


def test_paired_segments_of_different_runs_are_an_error(tmp_path):
    exc = [_segment(1.0, 0.8, 5, N_EXC)]
    inh = [Segment({**exc[0].annotations, "sim_time": 3000.0}, _trains(N_INH, 5))]
    msg = _error(tmp_path, exc, inh)
    assert "sim_time = 2000.0 in exc.h5 but 3000.0 in inh.h5" in msg


@pytest.mark.parametrize("population", ["exc", "inh"])
def test_an_empty_segment_is_an_error(tmp_path, population):
    exc = [_segment(1.0, 0.8, 5, N_EXC)]  # every neuron recorded: inh is needed
    inh = [_segment(1.0, 0.8, 5, N_INH)]
    empty = Segment(dict((exc if population == "exc" else inh)[0].annotations), ())
    if population == "exc":
        exc = [empty]
    else:
        inh = [empty]
    msg = _error(tmp_path, exc, inh)
    assert f"{population}.h5': the segment at (g = 1, eta = 0.8) holds no spike" in msg


def test_a_file_without_segments_is_an_error(tmp_path):
    msg = _error(tmp_path, [_segment(1.0, 0.8, 5, N_EXC)], [])
    assert "inh.h5' holds no segment" in msg


def test_compare_cli_with_a_gap_in_the_wafer_files_exits_2_with_one_line(
    tmp_path, capsys
):
    twin = tmp_path / "twin"
    twin.mkdir()
    (twin / "summary.csv").write_text(
        "platform,tier,seed,g,eta,layout,n_neurons,rate_hz,cv,global_cv\n"
        "twin,hardware,0,1.0,0.8,30,30,5.0,1.0,2.0\n"
        "twin,hardware,0,4.0,1.6,30,30,5.0,1.0,2.0\n"
    )
    exc = [_segment(g, e, 5, N_EXC) for g, e in POINTS[:2]]
    wafer = _write(tmp_path / "wafer", exc, exc[:1])
    out = tmp_path / "out"
    assert main(["compare", str(twin), "--wafer", str(wafer), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "inh.h5 has no segment at (g = 4, eta = 1.6)" in err[0]
    assert not (out / "report.md").exists()


# --- summary.csv and chips.csv --------------------------------------------------------

SUMMARY = (
    "platform,tier,seed,g,eta,layout,n_neurons,rate_hz,cv,global_cv,synapse_loss\n"
    "twin,ideal,0,1.0,0.8,30,30,101.25,0.95,2.5,0.0\n"
    "twin,ideal,0,8.0,0.8,30,30,12.5,0.85,1.5,0.0\n"
)
CHIPS = (
    "tier,seed,g,eta,resource,unit,chip,offered,dropped,passed\n"
    "hardware,0,1.0,0.8,recording_per_hicann,5,5,4000,1500,2500\n"
    "hardware,0,8.0,0.8,recording_per_hicann,9,9,2000,0,2000\n"
)
LOADERS = {"summary.csv": (SUMMARY, load_summary), "chips.csv": (CHIPS, load_chips)}


@pytest.mark.parametrize("name", sorted(LOADERS))
@given(data=st.data())
def test_a_file_cut_inside_its_last_line_is_rejected_with_the_line(name, data):
    text, load = LOADERS[name]
    last = text.rstrip("\n").rfind("\n") + 1  # where the last line starts
    cut = data.draw(st.integers(last + 1, len(text) - 1), label="cut")
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / name).write_text(text[:cut])
        with pytest.raises(ResultsError) as err:
            load(Path(tmp))
    msg = str(err.value)
    assert f"{name}', line {text.count(chr(10))}:" in msg


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_complete_files_load_every_row(tmp_path, name):
    text, load = LOADERS[name]
    (tmp_path / name).write_text(text)
    rows = load(tmp_path)
    assert [float(r["g"]) for r in rows] == [1.0, 8.0]


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_a_short_row_in_the_middle_is_rejected_with_its_line(tmp_path, name):
    text, load = LOADERS[name]
    lines = text.splitlines(keepends=True)
    lines[1] = lines[1].rsplit(",", 2)[0] + "\n"  # two fields short
    (tmp_path / name).write_text("".join(lines))
    with pytest.raises(ResultsError, match=rf"{name}', line 2: \d+ field\(s\) but"):
        load(tmp_path)


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_a_long_row_is_rejected(tmp_path, name):
    text, load = LOADERS[name]
    (tmp_path / name).write_text(text + text.splitlines()[1] + ",9\n")
    with pytest.raises(ResultsError, match=rf"{name}', line 4: "):
        load(tmp_path)


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_a_file_without_its_header_is_rejected(tmp_path, name):
    text, load = LOADERS[name]
    (tmp_path / name).write_text(text.split("\n", 1)[1])
    with pytest.raises(ResultsError, match=rf"{name}', line 1: the header lacks"):
        load(tmp_path)


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_an_empty_or_binary_file_is_rejected(tmp_path, name):
    _, load = LOADERS[name]
    (tmp_path / name).write_text("")
    with pytest.raises(ResultsError, match="is empty"):
        load(tmp_path)
    (tmp_path / name).write_bytes(b"\xff\xfe\x00garbage\n")
    with pytest.raises(ResultsError, match="is not UTF-8 text"):
        load(tmp_path)


def test_a_non_numeric_value_names_the_column_and_line(tmp_path):
    (tmp_path / "summary.csv").write_text(SUMMARY.replace("12.5", "12.5x"))
    with pytest.raises(ResultsError, match=r"line 3: rate_hz = '12.5x' is not a num"):
        load_summary(tmp_path)


def test_compare_cli_with_a_cut_summary_exits_2_with_one_line(tmp_path, capsys):
    twin = tmp_path / "twin"
    twin.mkdir()
    (twin / "summary.csv").write_text(SUMMARY[:-4])
    assert main(["compare", str(twin), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "summary.csv', line 3:" in err[0]
