"""Small networks and a fixture for emulator tests."""

import jax
import numpy as np
import pytest

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
