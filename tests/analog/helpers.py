"""Small networks, the seed network's corners and a fixture for emulator tests."""

import jax
import jax.random as jr
import numpy as np
import pytest

from experiments.brunel import BrunelConfig, build_network
from twin import Network, Population, Projection
from twin.network import SpikeTimesSource


def single_neuron(cell_type="IF_cond_exp", inputs=(), **params):
    """One neuron; ``inputs``: (times, weight, delay, receptor) of each spike train."""
    pop = Population(name="n", size=1, cell_type=cell_type, parameters=params)
    sources, projections = [], []
    for k, (times, weight, delay, receptor) in enumerate(inputs):
        name = f"s{k}"
        sources.append(SpikeTimesSource(name=name, spike_times=(np.asarray(times),)))
        projections.append(
            Projection(
                pre=name,
                post="n",
                pre_idx=[0],
                post_idx=[0],
                weight=[weight],
                delay=[delay],
                receptor=receptor,
            )
        )
    return Network(
        populations=(pop,), sources=tuple(sources), projections=tuple(projections)
    )


def poisson_trains(rate_hz, t_stop, seed, n=1, dt=0.1):
    """Spike trains on the time grid (ms), one per source."""
    rng = np.random.default_rng(seed)
    steps = int(t_stop / dt)
    trains = []
    for _ in range(n):
        hits = np.flatnonzero(rng.random(steps) < rate_hz * dt * 1e-3)
        trains.append(np.round((hits + 2) * dt, 10))  # NEST via PyNN needs t > dt
    return trains


@pytest.fixture(autouse=True)
def x64():
    """64-bit JAX for a test (autouse where imported); the setting is restored."""
    before = jax.config.read("jax_enable_x64")
    jax.config.update("jax_enable_x64", True)
    yield
    jax.config.update("jax_enable_x64", before)


def seed_corners():
    """The seed network and a batch of its four (g, eta) corners (500 Hz .. 20 Hz).

    Returns the network and the ``simulate_batch`` keywords (keys, g and rate
    scales) of the corners g, eta = (1, 0.8), (4, 3.2), (8, 1.6), (10, 2.4).
    """
    base = BrunelConfig()
    corners = [(1.0, 0.8), (4.0, 3.2), (8.0, 1.6), (10.0, 2.4)]
    return build_network(base), {
        "keys": jr.split(jr.PRNGKey(7), len(corners)),
        "g_scale": [g / base.g for g, _ in corners],
        "rate_scale": [eta / base.eta for _, eta in corners],
    }
