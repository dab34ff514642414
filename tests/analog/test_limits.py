"""Rate limits inside the emulation: admitted, dropped and counted spikes."""

import jax.numpy as jnp
import jax.random as jr
import numpy as np
import pytest

from twin import Network, Population
from twin.analog import SimConfig, simulate, simulate_batch
from twin.analog.limits import admit, stage_arrays
from twin.errors import ConfigError
from twin.stages import Stage


def _one_stage(group, rate_bio, depth, dt=0.1):
    arrays, labels = stage_arrays(
        [Stage("s", np.asarray(group), rate_bio, depth)], len(group), dt, jnp.float64
    )
    return arrays, labels


def test_admit_keeps_the_lowest_ids_up_to_the_free_space():
    # 5 neurons, group 0 = {0, 1, 2}, group 1 = {3}, neuron 4 unlimited.
    arrays, labels = _one_stage([0, 0, 0, 1, -1], rate_bio=10_000.0, depth=1.0)
    stage = type(arrays)(*(x[0] for x in arrays))  # service 1 event per step
    spikes = jnp.array([[True, True, True, True, True]])
    queue = jnp.zeros((1, 3))
    kept, queue, offered, dropped = admit(spikes, queue, stage)
    # free = depth + service - queue = 2 per group: neurons 0, 1 and 3 pass, 2 drops.
    assert kept.tolist() == [[True, True, False, True, True]]
    assert offered.tolist() == [[3, 1, 1]]
    assert dropped.tolist() == [[1, 0, 0]]
    assert queue.tolist() == [[1.0, 0.0, 0.0]]
    assert labels[0].tolist() == [0, 1]


def _regular_neurons(n, i_offset):
    pop = Population(
        name="p", size=n, cell_type="IF_cond_exp",
        parameters={"i_offset": i_offset, "tau_refrac": 1.0},
    )  # fmt: skip
    return Network(populations=(pop,))


@pytest.mark.parametrize("limit_hz", [300.0, 600.0])
def test_an_overloaded_group_passes_its_rate_and_counts_the_rest(limit_hz):
    n = 20
    net = _regular_neurons(n, np.linspace(2.0, 3.0, n))  # ~100-150 Hz each
    config = SimConfig(t_stop=2000.0)
    free = simulate(net, config, jr.PRNGKey(0))
    assert free.counts.sum() / 2.0 > 3 * limit_hz  # load well above the limit
    stage = Stage("bus", np.zeros(n, int), limit_hz, depth=4.0)
    (rec,) = simulate_batch(
        net, config, keys=jr.PRNGKey(0)[None], limits=[stage]
    ).recordings
    emitted = free.counts.sum()
    assert np.array_equal(rec.counts, free.counts)  # neurons fire as before
    assert rec.counters["offered_bus"] == emitted
    kept = rec.times.size
    assert rec.counters["dropped_bus"] == emitted - kept
    # throughput = the service rate (+ the buffer's first fill), within 1 %
    assert kept / 2.0 == pytest.approx(limit_hz, rel=0.01, abs=2.0)
    offered, dropped = rec.limit_counts["bus"][1:]
    assert offered.sum() == emitted
    assert dropped.sum() == emitted - kept


def test_simultaneous_spikes_keep_the_lowest_ids():
    n = 8
    net = _regular_neurons(n, np.full(n, 2.5))  # identical: they fire together
    stage = Stage("pe", np.zeros(n, int), 10_000.0, depth=2.0)  # 3 per step
    (rec,) = simulate_batch(
        net, SimConfig(t_stop=200.0), keys=jr.PRNGKey(0)[None], limits=[stage]
    ).recordings
    per_id = np.bincount(rec.ids, minlength=n)
    assert per_id[:3].min() > 0
    assert per_id[3:].sum() == 0


def test_a_limit_above_the_load_changes_nothing():
    n = 10
    net = _regular_neurons(n, np.full(n, 2.5))
    config = SimConfig(t_stop=500.0)

    free = simulate(net, config, jr.PRNGKey(1))
    (rec,) = simulate_batch(
        net, config, keys=jr.PRNGKey(1)[None],
        limits=[Stage("pe", np.arange(n) // 5, 1e6, 1.0)],
    ).recordings  # fmt: skip
    assert np.array_equal(rec.times, free.times)
    assert rec.counters["dropped_pe"] == 0


def test_stage_validation():
    with pytest.raises(ConfigError, match="must be > 0"):
        Stage("x", np.zeros(3, int), 0.0, 1.0)
