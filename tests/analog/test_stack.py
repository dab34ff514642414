"""Stacked networks run as independent copies."""

import jax.random as jr
import numpy as np
import pytest

from tests.analog.helpers import poisson_trains, single_neuron
from twin.analog import SimConfig, simulate, simulate_batch
from twin.errors import NetworkError
from twin.stack import stack, unstack


def _net(weight, seed):
    trains = poisson_trains(2000.0, 500.0, seed)
    return single_neuron(
        inputs=[(trains[0], weight, 1.0, "excitatory")], v_thresh=-60.0, tau_m=10.0
    )


def test_each_copy_of_a_stack_runs_as_it_would_alone():
    nets = [_net(0.01, 1), _net(0.03, 2), _net(0.02, 3)]
    config = SimConfig(t_stop=500.0)
    key = jr.PRNGKey(0)
    alone = [simulate(n, config, key) for n in nets]
    parts = unstack(simulate(stack(nets), config, key), nets)
    assert len({a.times.size for a in alone}) == 3  # the copies really differ
    for a, b in zip(alone, parts, strict=True):
        assert np.array_equal(a.times, b.times)
        assert np.array_equal(a.ids, b.ids)
        assert np.array_equal(a.counts, b.counts)
        assert list(b.recorded) == ["n"]


def test_stacking_keeps_batches_of_variants():
    nets = [_net(0.01, 1), _net(0.03, 2)]
    config = SimConfig(t_stop=300.0)
    keys = jr.split(jr.PRNGKey(1), 2)
    batch = simulate_batch(
        stack(nets), config, keys=keys, rate_scale=[1.0, 1.0]
    ).recordings
    for rec in batch:
        parts = unstack(rec, nets)
        assert sum(p.counts.sum() for p in parts) == rec.counts.sum()


def test_stack_needs_networks_of_one_timestep():
    with pytest.raises(NetworkError, match="at least one"):
        stack([])


def test_shared_sources_give_copies_the_input_of_the_network_alone():
    from experiments.brunel import BrunelConfig, build_network

    net = build_network(BrunelConfig.tiny(g=5.0, eta=2.0))
    config = SimConfig(t_stop=400.0)
    key = jr.PRNGKey(3)
    alone = simulate(net, config, key)
    stacked = stack([net, net], share_sources=True)
    assert len(stacked.sources) == 1
    for part in unstack(simulate(stacked, config, key), [net, net]):
        assert np.array_equal(part.times, alone.times)
        assert np.array_equal(part.ids, alone.ids)


def test_sharing_needs_identical_sources():
    a, b = _net(0.01, 1), _net(0.01, 2)  # different input spike times
    with pytest.raises(NetworkError, match="identical spike sources"):
        stack([a, b], share_sources=True)
