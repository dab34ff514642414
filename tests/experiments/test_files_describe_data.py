"""Every file a sweep writes describes the data beside it.

Class: an annotation or metadata field (the seed files' ``recorded_from``/``sim_time``,
Neo's ``t_start``/``t_stop``, the window columns of ``summary.csv`` and
``results.parquet``, ``population_size``) must be the window and the sizes of the
spikes stored with it. Each test reads a file back and recomputes the summary's rate
from the file's own metadata: rate = spikes / neurons / (t_stop - t_start).
"""

import csv
from types import MappingProxyType

import numpy as np
import pytest

from experiments.brunel import BrunelConfig
from experiments.brunel.io import Segment, read_population, to_neo
from experiments.brunel.layout import SEED_FILE_NEURONS
from experiments.brunel.outputs import population_sizes
from experiments.brunel.seed_files import write_seed_files
from experiments.brunel.workload import BrunelWorkload, grid
from experiments.brunel.workload import sweep as run_sweep
from experiments.report.summary import write_summary
from experiments.runs.result import analyse, load_point, save_point
from experiments.runs.table import TABLE_NAME, read_table
from twin.errors import ResultsError
from twin.recording import SpikeRecording

BASE = BrunelConfig.tiny(t_stop=1200.0)
#: (8, 0.8): every neuron recorded ("all"); (4, 2): 30 isolated neurons ("30").
POINTS = grid(BASE, gs=(8.0, 4.0), etas=(0.8, 2.0))[::3]


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    out = tmp_path_factory.mktemp("sweep")
    results = run_sweep(POINTS, out=out)
    write_summary(BrunelWorkload(), results, out / "summary.csv")
    write_seed_files(results, out, BASE.n_exc, BASE.n_inh, SEED_FILE_NEURONS)
    return out, results


def _summary(out):
    with (out / "summary.csv").open() as fh:
        return {(float(r["g"]), float(r["eta"])): r for r in csv.DictReader(fh)}


def _file_rate(exc: Segment, inh: Segment, layout: str) -> float:
    """The seed protocol's rate from a segment pair and its own annotations only."""
    trains = exc.spiketrains + inh.spiketrains if layout == "all" else exc.spiketrains
    span = float(exc.annotations["sim_time"]) - float(exc.annotations["recorded_from"])
    return sum(t.size for t in trains) / len(trains) / (span * 1e-3)


def test_the_layouts_of_the_test_points():
    assert [BrunelWorkload().layout(p) for p in POINTS] == ["all", "30"]


def test_the_twin_states_the_window_it_recorded(sweep):
    # The twin keeps the analysis window only: recorded_from = t_stop - window.
    for r in sweep[1]:
        assert r.recorded_from == BASE.t_stop - BASE.analysis_window
        assert r.recording.times.min() > r.recorded_from - 10.0  # one block at most


def test_seed_files_give_the_summary_rate_from_their_own_annotations(sweep):
    out, results = sweep
    _, exc = read_population(out / "exc.h5")
    _, inh = read_population(out / "inh.h5")
    summary = _summary(out)
    for e, i, r in zip(exc, inh, results, strict=True):
        start, stop = e.annotations["recorded_from"], e.annotations["sim_time"]
        assert (start, stop) == (BASE.t_stop - BASE.analysis_window, BASE.t_stop)
        row = summary[(e.annotations["g"], e.annotations["eta"])]
        assert (float(row["t_start"]), float(row["t_stop"])) == (start, stop)
        assert _file_rate(e, i, r.layout) == pytest.approx(float(row["rate_hz"]))
        for train in e.spiketrains + i.spiketrains:  # nothing outside the window
            assert np.all((train > start) & (train <= stop))


def test_seed_files_state_the_network_size_and_hold_only_analysed_neurons(sweep):
    out, results = sweep
    _, exc = read_population(out / "exc.h5")
    _, inh = read_population(out / "inh.h5")
    assert population_sizes(results[0].recording) == (BASE.n_exc, BASE.n_inh)
    for e, i, r in zip(exc, inh, results, strict=True):
        assert e.annotations["population_size"] == BASE.n_exc
        assert i.annotations["population_size"] == BASE.n_inh
        n = len(e.spiketrains) + len(i.spiketrains)
        assert n == r.neurons.size  # "30": 30 excitatory, no silent inhibitory
        assert e.annotations["layout"] == r.layout
        # Each train names its neuron (index in its population): the analysed ones.
        ids = [t["source_id"] for t in e.train_annotations] + [
            BASE.n_exc + t["source_id"] for t in i.train_annotations
        ]
        offset = r.recording.population_offsets["exc"]
        assert ids == (np.sort(r.neurons) - offset).tolist()


def test_neo_trains_cover_the_window_the_file_states(sweep):
    pytest.importorskip("neo")
    out, results = sweep
    name, segments = read_population(out / "exc.h5")
    block = to_neo(name, segments)
    summary = _summary(out)
    r = next(r for r in results if r.layout == "30")
    seg = next(s for s in block.segments if s.annotations["g"] == r["g"])
    for train in seg.spiketrains:
        assert float(train.t_start) == r.recorded_from
        assert float(train.t_stop) == r.recording.t_stop
    # Neo's own rate of each train (count / (t_stop - t_start)), averaged.
    rates = [len(t) / float(t.t_stop - t.t_start) * 1e3 for t in seg.spiketrains]
    row = summary[(r["g"], r["eta"])]
    assert np.mean(rates) == pytest.approx(float(row["rate_hz"]))


def test_neo_refuses_a_spike_outside_the_stated_window():
    pytest.importorskip("neo")
    ann = {"g": 8.0, "eta": 2.0, "sim_time": 100.0, "recorded_from": 50.0}
    with pytest.raises(ResultsError, match="outside the segment's window"):
        to_neo("exc", [Segment(ann, (np.array([10.0, 60.0]),))])


def test_the_results_table_states_the_window_of_its_rows(sweep):
    out, results = sweep
    rows = read_table(out / TABLE_NAME).having("done")
    assert len(rows) == len(results)
    for row in rows:
        assert (row["t_start"], row["t_stop"]) == (
            BASE.t_stop - BASE.analysis_window,
            BASE.t_stop,
        )


def test_a_loaded_point_states_the_window_again(tmp_path, sweep):
    _, results = sweep
    r = results[0]
    path = save_point(tmp_path / "p.npz", r)
    again = load_point(path, BrunelWorkload(), POINTS[0])
    assert again.recorded_from == r.recorded_from


def _nest_like(point: BrunelConfig, rng) -> SpikeRecording:
    """A recording of every spike from 0 (as NEST records), 30 neurons."""
    times = np.sort(rng.uniform(0.0, point.t_stop, 3000)).round(1) + 0.1
    ids = rng.integers(0, 30, times.size)
    counts = np.bincount(ids, minlength=point.n_neurons)
    return SpikeRecording(
        times=times,
        ids=ids,
        recorded=MappingProxyType(
            {"exc": np.arange(point.n_exc), "inh": point.n_exc + np.arange(point.n_inh)}
        ),
        population_offsets=MappingProxyType({"exc": 0, "inh": point.n_exc}),
        t_stop=point.t_stop,
        dt=point.dt,
        counts=counts,
        traces=np.zeros((0, 0)),
        counters=MappingProxyType({}),
    )


def test_a_whole_run_recording_is_cut_to_the_window_the_file_states(tmp_path):
    # NEST records from 0: the seed files keep the analysed window and say so.
    point = POINTS[1]  # layout "30"
    rec = _nest_like(point, np.random.default_rng(3))
    workload = BrunelWorkload()
    r = analyse(
        workload, point, rec, backend="nest", tier="ideal", layout="30",
        neurons=workload.recorded(point, "30"),
    )  # fmt: skip
    write_seed_files([r], tmp_path, point.n_exc, point.n_inh, SEED_FILE_NEURONS)
    _, (exc,) = read_population(tmp_path / "exc.h5")
    _, (inh,) = read_population(tmp_path / "inh.h5")
    assert exc.annotations["recorded_from"] == point.t_stop - point.analysis_window
    assert _file_rate(exc, inh, "30") == pytest.approx(r["rate_hz"])
