"""The placement hints of a job: the twin's isolated chips avoid its defects."""

from experiments.jobs.hints import placement_hints
from twin.wafer import Wafer, synthetic_defects


def test_isolated_neurons_sit_alone_on_usable_chips():
    wafer = Wafer(defects=synthetic_defects(3))
    hints = placement_hints(((8.0, 0.8), (4.0, 1.6)), 1234, wafer, 8)
    usable = {h.enum for h in wafer.usable_hicanns()}
    assert set(hints["unusable_hicanns"]) == set(range(wafer.spec.n_hicanns)) - usable
    assert hints["unusable_hicanns"]  # the synthetic map has defective chips
    chips = [entry["hicann"] for entry in hints["isolated"]]
    assert [entry["index"] for entry in hints["isolated"]] == list(range(30))
    assert len(set(chips)) == 30  # one chip each
    assert set(chips) <= usable
    assert 0.0 <= hints["synapse_loss_fraction"] < 1.0


def test_a_job_without_isolation_has_only_the_defects():
    hints = placement_hints(((8.0, 0.8),), 1234, Wafer(), 8)
    assert hints == {"wafer_id": 30, "unusable_hicanns": []}
