"""Poisson sources: block statistics, any mixture of rates, no event ever lost."""

import sys

import jax
import jax.numpy as jnp
import jax.random as jr
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from twin import Network, PoissonSource, Population, Projection
from twin.analog.poisson import block_capacity, poisson_block, rates_of
from twin.analog.simulate import SimConfig, simulate_batch


def _block_counts(rates, n_blocks, equal):
    table = rates_of(np.asarray(rates), jnp.float32)
    cap = block_capacity(float(np.sum(rates)), 0.1, 100)

    def block(key):
        return poisson_block(key, table, jnp.float32(1.0), 0.1, 100, cap, equal)

    keys = jnp.stack([jr.PRNGKey(b) for b in range(n_blocks)])
    ev = jax.jit(jax.vmap(block))(keys)
    assert int(ev.overflow.sum()) == 0
    counts = np.zeros(len(rates))
    np.add.at(counts, np.asarray(ev.source)[np.asarray(ev.valid)], 1)
    return counts


def _fano_bound(n):
    """4 standard errors of the Fano factor of ``n`` Poisson counts (large means)."""
    return 4 * np.sqrt(2 / (n - 1))


def test_equal_rates_give_poisson_counts_per_source():
    counts = _block_counts(np.full(500, 20.0), 400, equal=True)
    expected = 20.0 * 400 * 100 * 0.1e-3  # spikes per source
    # Mean within 5 standard errors; Fano factor of a Poisson count is 1.
    assert abs(counts.mean() - expected) < 5 * np.sqrt(expected / 500)
    assert counts.var(ddof=1) / counts.mean() == pytest.approx(1, abs=_fano_bound(500))


def test_each_source_gets_its_own_rate_in_a_mixture():
    rates = np.r_[np.full(100, 5.0), np.full(1000, 50.0), [1000.0], np.zeros(3)]
    counts = _block_counts(rates, 300, equal=False)
    t = 300 * 100 * 0.1e-3  # s
    for sel, rate, n in ((slice(0, 100), 5.0, 100), (slice(100, 1100), 50.0, 1000)):
        expected = rate * t * n
        assert abs(counts[sel].sum() - expected) < 4 * np.sqrt(expected)
    assert abs(counts[1100] - 1000.0 * t) < 4 * np.sqrt(1000.0 * t)
    assert counts[1101:].sum() == 0  # a source at 0 Hz never fires
    # Fano factor of the per-source counts of one rate class.
    fano = counts[100:1100].var(ddof=1) / counts[100:1100].mean()
    assert fano == pytest.approx(1, abs=_fano_bound(1000))


def _driven_network(groups):
    """One neuron driven by Poisson populations ``(size, rate or rate array)``."""
    pop = Population(name="n", size=1, parameters={"v_thresh": 1000.0})
    sources, projections = [], []
    for k, (size, rate) in enumerate(groups):
        sources.append(PoissonSource(name=f"p{k}", size=size, rate=rate))
        projections.append(
            Projection(
                pre=f"p{k}",
                post="n",
                pre_idx=np.arange(size),
                post_idx=np.zeros(size, int),
                weight=np.full(size, 1e-6),
                delay=np.full(size, 1.0),
            )
        )
    return Network(
        populations=(pop,), sources=tuple(sources), projections=tuple(projections)
    )


def _delivered(net, t_stop, seeds):
    recs = simulate_batch(
        net, SimConfig(t_stop=t_stop), keys=jr.split(jr.PRNGKey(seeds), 4)
    ).recordings
    return np.array([r.counters["poisson_events"] for r in recs])


@pytest.mark.parametrize(
    "groups",
    [
        [(1, 1000.0), (999, 1.0)],  # one fast source among slow ones
        [(1000, 5.0), (10, 200.0)],  # background plus a stimulus
        [(3, np.array([0.0, 3000.0, 0.5]))],  # zero, huge and tiny in one source
    ],
)
def test_skewed_mixtures_deliver_every_expected_event(groups):
    net = _driven_network(groups)
    expected = sum(np.sum(np.broadcast_to(rate, (size,))) for size, rate in groups)
    events = _delivered(net, 1000.0, seeds=7)
    # Four independent runs of 1 s: each within 3 Poisson standard deviations.
    assert np.all(np.abs(events - expected) <= 3 * np.sqrt(expected)), events


@settings(max_examples=8)
@given(
    fast=st.floats(10.0, 5000.0),
    slow=st.floats(0.0, 5.0),
    n_slow=st.integers(1, 2000),
    seed=st.integers(0, 2**16),
)
def test_any_rate_mixture_delivers_its_mean(fast, slow, n_slow, seed):
    net = _driven_network([(1, fast), (n_slow, slow)])
    expected = fast + n_slow * slow  # events in 1 s
    total = _delivered(net, 1000.0, seeds=seed).sum()  # 4 runs
    assert abs(total - 4 * expected) <= 4 * np.sqrt(4 * expected) + 1


def test_an_overflowing_capacity_is_grown_and_no_event_lost(monkeypatch):
    """A capacity far too small (forced) is detected, grown and the run repeated."""
    module = sys.modules["twin.analog.simulate"]
    monkeypatch.setattr(module, "block_capacity", lambda *a: 2)
    net = _driven_network([(100, 100.0)])
    events = _delivered(net, 500.0, seeds=3)
    expected = 100 * 100.0 * 0.5
    assert np.all(np.abs(events - expected) <= 4 * np.sqrt(expected)), events


def test_source_shares_are_exact_behind_a_large_total():
    """A 0.1 Hz source behind 300 kHz keeps its share to 2**-32 of the total (a
    float32 cumulative sum would round it to 0.094 or 0.125 Hz)."""
    rates = np.r_[np.full(1000, 0.1), [3e5], np.full(1000, 0.1)]
    table = rates_of(rates, jnp.float32)
    edges = np.r_[0, np.asarray(table.threshold, dtype=np.float64)]
    share = np.diff(edges) / 2.0**32
    np.testing.assert_allclose(share * rates.sum(), rates, atol=rates.sum() * 2.0**-31)
    assert float(table.total) == pytest.approx(rates.sum(), rel=1e-6)


def test_windowed_generators_fire_in_nest_s_steps_only():
    """A generator with window (start, stop] fires in the steps k with start < k <=
    stop (NEST's poisson_generator); its spikes, stamped k + 1, arrive one delay (1
    step) later. Trace index j is g_E at the end of step j with the arrivals at stamp
    j + 1 included, so the first rise is at start_steps + 2, the last at
    stop_steps + 1."""
    from tests.analog.time_networks import arrival_steps, windowed

    starts = np.array([0.0, 0.1, 5.0, 12.3, 20.0])
    stops = np.array([3.0, 0.2, 40.0, 12.4, np.inf])
    net = windowed(starts, stops)
    config = SimConfig(t_stop=50.0, trace=tuple(("n", i) for i in range(5)))
    rec = simulate_batch(net, config, keys=jr.PRNGKey(3)[None]).recordings[0]
    first, last = arrival_steps(np.asarray(rec.state_traces["gsyn_exc"]))
    start_steps = np.rint(starts * 10).astype(int)
    stop_steps = np.minimum(np.rint(np.minimum(stops, 1e6) * 10), 500 - 1).astype(int)
    np.testing.assert_array_equal(first, start_steps + 2)
    # The last generator never stops: its last arrival is in the run's last step.
    np.testing.assert_array_equal(last[:4], stop_steps[:4] + 1)
    assert last[4] == 499


def test_windowed_generators_deliver_their_rate_inside_the_window():
    """Counts of 1000 generators of 50 Hz over windows of 200 and 500 ms among a run of
    1 s: the delivered events within 4 Poisson sd of rate x window, in each of 4
    runs; unwindowed generators of the same network keep their full-run count."""
    size = 1000
    starts = np.r_[np.full(size // 2, 100.0), np.full(size // 2, 300.0)]
    stops = np.r_[np.full(size // 2, 300.0), np.full(size // 2, 800.0)]
    pop = Population(name="n", size=1, parameters={"v_thresh": 1000.0})
    windowed_src = PoissonSource(
        name="w", size=size, rate=50.0, start=starts, stop=stops
    )
    proj = Projection(
        pre="w",
        post="n",
        pre_idx=np.arange(size),
        post_idx=np.zeros(size, int),
        weight=np.full(size, 1e-6),
        delay=np.full(size, 1.0),
    )
    net = Network(populations=(pop,), sources=(windowed_src,), projections=(proj,))
    events = _delivered(net, 1000.0, seeds=11)
    expected = 50.0 * (size // 2) * (0.2 + 0.5)
    assert np.all(np.abs(events - expected) <= 4 * np.sqrt(expected)), events


def test_window_times_off_the_step_grid_are_errors():
    from tests.analog.time_networks import windowed
    from twin.errors import ConfigError

    net = windowed(np.array([1.05]), np.array([2.0]))
    with pytest.raises(
        ConfigError, match=r"1.05 ms is not a multiple of the time step"
    ):
        simulate_batch(net, SimConfig(t_stop=5.0), keys=jr.PRNGKey(0)[None])


@pytest.mark.parametrize("windowed", [False, True])
def test_no_generator_fires_in_the_first_step(windowed):
    """NEST's generators are active in steps k > start: a generator from t = 0 never
    emits in step 0 (stamp 1, 0.1 ms), whether or not another one has a window."""
    from tests.analog.time_networks import windowed as windowed_net

    stops = np.array([np.inf, 2.0 if windowed else np.inf])
    net = windowed_net(np.array([0.0, 0.0]), stops)
    config = SimConfig(t_stop=1.0, record_poisson=True)
    rec = simulate_batch(net, config, keys=jr.PRNGKey(0)[None]).recordings[0]
    source, times = rec.poisson_events
    assert times.size > 1000  # 3 MHz: hundreds of events a step
    assert times.min() == pytest.approx(0.2)
    assert set(np.unique(source)) == {0, 1}
