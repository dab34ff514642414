"""The batched weight factor: a variant's ``weight_scale`` equals rebuilt weights.

Factors that are powers of two scale every floating-point weight and every sum of
weights exactly, so the batched run and the run of the rebuilt network must give
identical spikes in float64.
"""

import dataclasses

import jax.random as jr
import numpy as np
import pytest

from experiments.brunel import BrunelConfig, build_network
from twin import ConfigError, Network
from twin.analog.simulate import SimConfig, simulate, simulate_batch

KEY = jr.PRNGKey(11)


def _scaled(net: Network, factor: float, inh: float = 1.0) -> Network:
    """The network with every weight × factor (inhibitory ones × factor × inh)."""
    projections = tuple(
        p.replace(weight=p.weight * factor * (inh if p.receptor == "inhibitory" else 1))
        for p in net.projections
    )
    return dataclasses.replace(net, projections=projections)


def test_weight_scale_equals_rebuilt_weights_with_every_source():
    net = build_network(BrunelConfig.tiny(g=4.0, eta=1.6))
    keys = jr.split(KEY, 3)
    config = SimConfig(t_stop=300.0, dtype="float64")
    batch = simulate_batch(
        net, config, keys=keys, weight_scale=[1.0, 2.0, 0.5], g_scale=[1.0, 1.0, 2.0]
    ).recordings
    expected = [
        simulate(net, config, keys[0]),
        simulate(_scaled(net, 2.0), config, keys[1]),
        simulate(_scaled(net, 0.5, inh=2.0), config, keys[2]),
    ]
    counts = [rec.times.size for rec in expected]
    assert len(set(counts)) == 3  # the factors change the dynamics
    for got, want in zip(batch, expected, strict=True):
        np.testing.assert_array_equal(got.ids, want.ids)
        np.testing.assert_array_equal(got.times, want.times)


def test_bad_weight_scales_are_clear_errors():
    net = build_network(BrunelConfig.tiny())
    keys = jr.split(KEY, 2)
    with pytest.raises(ConfigError, match="weight_scale per key"):
        simulate_batch(net, SimConfig(t_stop=10.0), keys=keys, weight_scale=[1.0])
    with pytest.raises(ConfigError, match=r"weight_scale\[1\] = -1.0"):
        simulate_batch(net, SimConfig(t_stop=10.0), keys=keys, weight_scale=[1.0, -1.0])
