"""Whole-run behaviour: delays, sources, batching, determinism, precision."""

import jax.random as jr
import numpy as np
import pytest

from experiments.brunel import BrunelConfig, build_network
from tests.analog.helpers import poisson_trains, single_neuron
from twin import (
    ConfigError,
    Network,
    NetworkError,
    PoissonSource,
    Population,
    Projection,
)
from twin.analog.simulate import SimConfig, simulate, simulate_batch

KEY = jr.PRNGKey(3)


@pytest.mark.parametrize("delay", [0.1, 0.7, 2.3])
def test_an_event_raises_the_conductance_exactly_after_its_delay(delay):
    net = single_neuron(inputs=[([1.0], 0.05, delay, "excitatory")], v_rest=-65.0)
    rec = simulate(net, SimConfig(t_stop=6.0, trace=(("n", 0),), dtype="float64"), KEY)
    v = rec.traces[:, 0]
    moved = np.flatnonzero(np.abs(v - (-65.0)) > 1e-12)
    # traces[k] is V at the end of step k; the jump is effective from t = 1.0 + delay.
    assert (moved[0] + 0) * 0.1 == pytest.approx(1.0 + delay)


def test_spike_time_sources_drive_a_neuron_deterministically():
    inputs = [(poisson_trains(2000.0, 300.0, 5)[0], 0.02, 1.0, "excitatory")]
    net = single_neuron(inputs=inputs, v_rest=-65.0, v_thresh=-55.0)
    a = simulate(net, SimConfig(t_stop=300.0), KEY)
    b = simulate(net, SimConfig(t_stop=300.0), jr.PRNGKey(99))  # key unused: no Poisson
    assert a.times.size > 5
    assert a == b


def test_same_key_gives_identical_spikes_other_key_differs():
    net = build_network(BrunelConfig.tiny())
    config = SimConfig(t_stop=300.0)
    first = simulate(net, config, KEY)
    assert first == simulate(net, config, KEY)
    assert first != simulate(net, config, jr.PRNGKey(4))


def test_pool_source_rate_reaches_the_targets():
    config = BrunelConfig.tiny(eta=2.0)
    net = build_network(config)
    rec = simulate(net, SimConfig(t_stop=500.0), KEY)
    expected = config.n_ext * config.rate_per_source * 0.5
    assert abs(rec.counters["poisson_events"] - expected) < 5 * np.sqrt(expected)
    assert rec.counters["poisson_overflow"] == 0


def test_batch_scales_equal_rebuilt_networks():
    base = BrunelConfig.tiny(g=4.0, eta=1.0)
    net = build_network(base)
    keys = jr.split(KEY, 2)
    config = SimConfig(t_stop=300.0, dtype="float64")
    batch = simulate_batch(
        net, config, keys=keys, g_scale=[2.0, 1.0], rate_scale=[1.0, 1.5]
    ).recordings
    a = simulate(build_network(base.replace(g=8.0)), config, keys[0])
    b = simulate(build_network(base.replace(eta=1.5)), config, keys[1])
    np.testing.assert_allclose(batch[0].times, a.times)
    np.testing.assert_array_equal(batch[0].ids, a.ids)
    np.testing.assert_allclose(batch[1].times, b.times)


def test_chunked_batches_equal_one_batch():
    net = build_network(BrunelConfig.tiny())
    keys = jr.split(KEY, 3)
    config = SimConfig(t_stop=200.0)
    whole = simulate_batch(net, config, keys=keys, g_scale=[1.0, 0.5, 1.25]).recordings
    parts = simulate_batch(
        net, config, keys=keys, g_scale=[1.0, 0.5, 1.25], chunk=2
    ).recordings
    assert whole == parts


def test_float32_stays_within_a_step_of_float64():
    inputs = [
        (poisson_trains(3000.0, 1000.0, 7)[0], 0.004, 1.0, "excitatory"),
        (poisson_trains(800.0, 1000.0, 8)[0], 0.006, 1.5, "inhibitory"),
    ]
    net = single_neuron(
        inputs=inputs,
        cm=0.25,
        tau_m=20.0,
        v_rest=-65.0,
        v_thresh=-55.0,
        v_reset=-70.0,
        tau_refrac=2.0,
        e_rev_E=0.0,
        e_rev_I=-80.0,
    )
    f64 = simulate(
        net, SimConfig(t_stop=1000.0, dtype="float64", trace=(("n", 0),)), KEY
    )
    f32 = simulate(net, SimConfig(t_stop=1000.0, trace=(("n", 0),)), KEY)
    assert f64.times.size > 10
    assert f32.times.size == f64.times.size
    assert np.max(np.abs(f32.times - f64.times)) <= 0.1 + 1e-9
    # Membrane potential: float32 rounding stays below 1e-3 mV (tolerance for GPUs).
    assert np.max(np.abs(f32.traces[:, 0] - f64.traces[:, 0])) < 1e-3


def test_record_subsets_and_window():
    net = build_network(BrunelConfig.tiny(g=4.0, eta=2.0))
    full = simulate(net, SimConfig(t_stop=400.0), KEY)
    part = simulate(
        net, SimConfig(t_stop=400.0, record=(("exc", 10),), record_from=200.0), KEY
    )
    keep = (full.ids < 10) & (full.times > 200.0)
    np.testing.assert_array_equal(part.times, full.times[keep])
    np.testing.assert_array_equal(part.counts, full.counts)
    assert len(part.spiketrains("exc")) == 10


def test_bad_settings_are_clear_errors():
    net = build_network(BrunelConfig.tiny())
    with pytest.raises(ConfigError, match="dtype"):
        SimConfig(t_stop=10.0, dtype="float16")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="one g_scale"):
        simulate_batch(
            net, SimConfig(t_stop=10.0), keys=jr.split(KEY, 2), g_scale=[1.0]
        )
    short = Network(
        populations=(Population(name="n", size=1),),
        sources=(PoissonSource(name="s", size=1, rate=10.0),),
        projections=(
            Projection(
                pre="s", post="n", pre_idx=[0], post_idx=[0], weight=[0.01], delay=[0.1]
            ),
        ),
        timestep=0.1,
    )
    with pytest.raises(NetworkError, match="shorter than the time step"):
        simulate(short, SimConfig(t_stop=10.0, dt=0.25), KEY)
