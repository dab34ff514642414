import h5py
import numpy as np
import pytest

from experiments.brunel.io import Segment, read_population, write_population
from twin import ResultsError


def _segments(rng):
    out = []
    for g, eta in ((1.0, 0.8), (8.0, 3.2)):
        trains = tuple(
            np.sort(rng.uniform(0, 10_000, rng.integers(0, 50))) for _ in range(30)
        )
        ann = {"g": g, "eta": eta, "population_size": 1666, "sim_time": 10_000.0}
        out.append(Segment(ann, trains, tuple({"source_index": k} for k in range(30))))
    return out


def test_round_trip_is_identical(tmp_path):
    segments = _segments(np.random.default_rng(0))
    path = write_population(tmp_path / "exc.h5", "exc", segments)
    name, back = read_population(path)
    assert name == "exc"
    assert back == segments
    assert back[1].train_annotations[3]["source_index"] == 3


def test_layout_matches_the_seed(tmp_path):
    path = write_population(
        tmp_path / "inh.h5", "inh", _segments(np.random.default_rng(1))
    )
    with h5py.File(path) as fh:
        assert fh["block/name"][()].decode() == "inh"
        seg = fh["block/segments/1"]
        assert float(seg["annotations/g"][()]) == 8.0
        assert seg["spiketrains/0/spiketrain"].dtype == np.float64


def test_missing_annotation_is_a_clear_error(tmp_path):
    path = tmp_path / "hand.h5"
    with h5py.File(path, "w") as fh:
        fh.create_dataset("block/name", data="exc")
        fh.create_dataset("block/segments/0/annotations/g", data=4.0)
        fh.create_dataset("block/segments/0/annotations/sim_time", data=10_000.0)
        fh.create_dataset("block/segments/0/spiketrains/0/spiketrain", data=[1.0, 2.0])
    with pytest.raises(
        ResultsError, match=r"segment 0: missing annotation\(s\) \['eta'\]"
    ):
        read_population(path)


def test_unreadable_and_foreign_files_are_clear_errors(tmp_path):
    bad = tmp_path / "bad.h5"
    bad.write_text("not hdf5")
    with pytest.raises(ResultsError, match="cannot read"):
        read_population(bad)
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as fh:
        fh.create_dataset("x", data=1)
    with pytest.raises(ResultsError, match="no /block/segments"):
        read_population(other)


def test_failed_write_keeps_the_old_file(tmp_path):
    path = write_population(
        tmp_path / "exc.h5", "exc", _segments(np.random.default_rng(2))
    )
    before = path.read_bytes()
    broken = [Segment({"g": object()}, ())]  # not storable in HDF5
    with pytest.raises(TypeError):
        write_population(path, "exc", broken)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["exc.h5"]


def test_neo_export_keeps_trains_and_annotations_and_elephant_reads_it():
    pytest.importorskip("neo")
    from elephant.statistics import mean_firing_rate

    from experiments.brunel.io import to_neo

    seg = Segment({"g": 8.0, "eta": 0.8, "sim_time": 1000.0}, (np.array([1.0, 501.0]),))
    block = to_neo("exc", [seg])
    (out,) = block.segments
    assert out.annotations["g"] == 8.0
    train = out.spiketrains[0]
    assert float(train.t_stop.rescale("ms")) == 1000.0
    assert float(mean_firing_rate(train).rescale("Hz")) == pytest.approx(2.0)
