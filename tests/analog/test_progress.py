"""A run in segments: progress in simulated time, the same spikes as one segment."""

import jax.random as jr
import numpy as np

from experiments.brunel import BrunelConfig, build_network
from twin.analog import SimConfig, runner, simulate_batch


def test_progress_follows_simulated_time_and_segments_change_nothing(monkeypatch):
    network = build_network(BrunelConfig.tiny())
    # 60 blocks of 10 steps: 6 unrecorded, 54 recorded -> 6 + 27 segments.
    config = SimConfig(t_stop=60.0, block_steps=10, record_from=6.0)
    keys = jr.split(jr.PRNGKey(3), 3)
    seen: list[float] = []
    split = simulate_batch(
        network, config, keys=keys, rate_scale=[1.0, 2.0, 3.0], progress=seen.append
    ).recordings
    assert np.all(np.diff(seen) > 0)
    assert seen[-1] == 1.0
    n_blocks = 60
    assert len(seen) == len(runner.segments(0, 6)) + len(runner.segments(6, n_blocks))
    # Each report is whole blocks of the run: fractions k / 60.
    np.testing.assert_allclose(np.asarray(seen) * n_blocks % 1, 0, atol=1e-9)
    monkeypatch.setattr(runner, "SEGMENTS", 1)  # the whole run in one call per part
    whole = simulate_batch(
        network, config, keys=keys, rate_scale=[1.0, 2.0, 3.0]
    ).recordings
    for a, b in zip(split, whole, strict=True):
        assert b.counts.sum() > 0
        np.testing.assert_array_equal(a.times, b.times)
        np.testing.assert_array_equal(a.ids, b.ids)
        np.testing.assert_array_equal(a.counts, b.counts)
