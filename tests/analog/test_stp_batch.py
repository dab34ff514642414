"""Short-term plasticity in batches and with the native delivery: identical spikes.

A 200-neuron network whose Poisson input and E->E synapses depress
(:func:`tests.analog.stp_network.stp_network`): the variants of a batch keep their
own synapse state, and the native delivery (static synapses in C++, plastic ones in
JAX) fires the spikes of the pure-JAX one.
"""

import jax
import jax.numpy as jnp
import jax.random as jr
import numpy as np
import pytest

from tests.analog.helpers import x64  # noqa: F401 (autouse: 64-bit JAX)
from tests.analog.stp_network import stp_network
from twin.analog.delivery import use_native
from twin.analog.native.build import compiler
from twin.analog.simulate import SimConfig, simulate, simulate_batch

KEY = jr.PRNGKey(0)


def test_variants_of_a_batch_keep_their_own_synapse_state():
    """Variant 0 fires the same spikes beside another key as beside itself."""
    net = stp_network(t_stop=150.0, poisson=True)
    cfg = SimConfig(t_stop=150.0, dtype="float64", delivery="jax")
    other = jr.PRNGKey(5)
    mixed = simulate_batch(net, cfg, keys=jnp.stack([KEY, other])).recordings
    same = simulate_batch(net, cfg, keys=jnp.stack([KEY, KEY])).recordings
    assert mixed[0].times.size > 50
    assert not np.array_equal(mixed[1].counts, mixed[0].counts)  # other input
    for rec in (mixed[0], same[1]):
        np.testing.assert_array_equal(rec.times, same[0].times)
        np.testing.assert_array_equal(rec.ids, same[0].ids)


@pytest.mark.skipif(
    compiler() is None or jax.default_backend() != "cpu",
    reason="the native delivery needs a C++ compiler and a CPU backend",
)
def test_native_delivery_gives_identical_spikes():
    """Static synapses go through the native handlers, plastic ones through JAX in
    both runs: the same additions in the same order."""
    if not use_native("auto"):
        pytest.skip("native delivery unavailable")
    net = stp_network(t_stop=150.0, poisson=True)  # Poisson input depresses too
    runs = []
    for delivery in ("native", "jax"):
        cfg = SimConfig(
            t_stop=150.0, dtype="float64", delivery=delivery, record=(("n", None),)
        )
        runs.append(simulate(net, cfg, KEY))
    assert runs[1].counts.sum() > 50
    np.testing.assert_array_equal(runs[0].times, runs[1].times)
    np.testing.assert_array_equal(runs[0].ids, runs[1].ids)
