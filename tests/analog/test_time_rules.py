"""The emulator puts every time on NEST's grid: delays, spike times, refractory
periods, run length. Expected steps come from integer arithmetic on the decimals
written (``tests/test_timegrid.py`` checks the same rules on their own); the
NEST-marked twins of these tests are in ``test_time_vs_nest.py``.
"""

from decimal import Decimal

import jax.random as jr
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.analog.time_networks import driven, fanout, first_spike_steps
from twin import Network, Population
from twin.analog.simulate import SimConfig, simulate, simulate_batch
from twin.errors import ConfigError, NetworkError
from twin.network import SpikeTimesSource

KEY = jr.PRNGKey(0)


def _ms(k, places):
    return float(Decimal(k).scaleb(-places))


def _run(net, t_stop):
    return simulate(net, SimConfig(t_stop=t_stop, dtype="float64"), KEY)


def test_every_half_step_delay_acts_after_its_nest_steps():
    """Delays k · 0.05 ms, k = 2..400: a spike at 1.0 ms (stamp 10) arrives at step
    10 + (k + 1) // 2 and the neuron fires in that step (stamp one later)."""
    k = np.arange(2, 401)
    delays = [_ms(int(i) * 5, 2) for i in k]
    net = fanout([[1.0]] * k.size, delays)
    first = first_spike_steps(_run(net, 25.0), k.size)
    np.testing.assert_array_equal(first, 10 + (k + 1) // 2 + 1)


@settings(max_examples=6)
@given(st.lists(st.integers(10, 200_000), min_size=20, max_size=20))
def test_off_grid_spike_times_act_at_the_end_of_their_step(ks):
    """Spike times with four decimals (tic ties excluded), delay 1 ms (10 steps)."""
    ks = [k + 1 if k % 10 == 5 else k for k in ks]
    times = [_ms(k, 4) for k in ks]
    tics = [(k + 5) // 10 for k in ks]
    stamps = [
        t // 100 if t % 100 == 0 else -(-k // 1000)
        for t, k in zip(tics, ks, strict=True)
    ]
    first = first_spike_steps(_run(fanout([[t] for t in times], 1.0), 2012.0), 20)
    np.testing.assert_array_equal(first, np.asarray(stamps) + 10 + 1)


def test_quoted_spike_times_and_times_near_zero():
    times = [10.01, 10.04, 10.05, 10.25, 0.04, 0.05]
    first = first_spike_steps(_run(fanout([[t] for t in times], 1.0), 20.0), 6)
    # NEST: 10.01-10.05 act at 10.1 ms, 10.25 at 10.3 ms, 0.04/0.05 at 0.1 ms; the
    # target fires in the step its input arrives, one delay (10 steps) later.
    np.testing.assert_array_equal(
        first, [101 + 11, 101 + 11, 101 + 11, 103 + 11, 12, 12]
    )


def test_spikes_at_or_before_zero_are_errors():
    with pytest.raises(NetworkError, match="at or before t = 0"):
        SpikeTimesSource(name="s", spike_times=([0.0, 1.0],))
    with pytest.raises(NetworkError, match="at or before t = 0"):
        SpikeTimesSource(name="s", spike_times=([-0.5],))
    with pytest.raises(ConfigError, match=r"0\.0004 ms"):
        _run(fanout([[0.0004]], 1.0), 5.0)


@settings(max_examples=4)
@given(st.lists(st.integers(0, 400_000), min_size=12, max_size=12))
def test_refractory_periods_give_nest_interspike_intervals(ks):
    """t_ref with five decimals; under drive every ISI is (ceil steps of t_ref) + 1."""
    ks = [k + 1 if k % 100 == 50 else k for k in ks]
    t_ref = [_ms(k, 5) for k in ks]
    refrac = np.array([-(-((k + 50) // 100) // 100) for k in ks])
    rec = _run(driven(t_ref), 20.0)
    for i, r in enumerate(refrac):
        isi = np.diff(np.rint(rec.times[rec.ids == i] / 0.1))
        assert isi.size > 3
        np.testing.assert_array_equal(isi, r + 1)


def test_quoted_refractory_periods():
    rec = _run(driven([2.0004, 2.1004, 0.30026]), 20.0)
    isis = [np.diff(rec.times[rec.ids == i]) for i in range(3)]
    for isi, expected in zip(isis, [2.1, 2.2, 0.4], strict=True):
        np.testing.assert_allclose(isi, expected, atol=1e-9)


@pytest.mark.parametrize("t_stop", [0.25, 10.05, 0.04, 0.0, -5.0])
def test_run_lengths_off_the_grid_are_errors(t_stop):
    with pytest.raises(ConfigError):
        SimConfig(t_stop=t_stop)


@given(st.integers(1, 10**6), st.sampled_from([0.1, 0.05, 0.2, 0.025]))
def test_run_lengths_on_the_grid_count_their_steps(n, dt):
    assert SimConfig(t_stop=round(n * dt, 6), dt=dt).n_steps == n


def test_a_run_lasts_exactly_its_steps():
    rec = _run(driven([0.0]), 1.0)  # fires in every step: stamps 1..10
    np.testing.assert_allclose(rec.times, np.arange(1, 11) * 0.1, atol=1e-12)
    assert rec.t_stop == pytest.approx(1.0)


@pytest.mark.parametrize("record_from", [-0.1, -100.0, 20.0, 25.0, float("nan")])
def test_recording_windows_outside_the_run_are_errors(record_from):
    with pytest.raises(ConfigError, match="record_from"):
        SimConfig(t_stop=20.0, record_from=record_from)


def test_bad_trace_record_and_scale_requests_name_the_value():
    net = driven([2.0, 2.0])
    config = SimConfig(t_stop=5.0)
    for bad, message in (
        (SimConfig(t_stop=5.0, trace=(("n", 2),)), r"trace \('n', 2\)"),
        (SimConfig(t_stop=5.0, trace=(("n", -1),)), r"trace \('n', -1\)"),
        (SimConfig(t_stop=5.0, record=(("n", -3),)), r"record \('n', -3\)"),
    ):
        with pytest.raises(ConfigError, match=message):
            simulate(net, bad, KEY)
    keys = jr.split(KEY, 2)
    for name in ("g_scale", "rate_scale"):
        for value in (float("nan"), float("inf"), -1.0):
            with pytest.raises(ConfigError, match=rf"{name}\[1\] = "):
                simulate_batch(net, config, keys=keys, **{name: [1.0, value]})
    for name in ("v0", "w0"):
        with pytest.raises(ConfigError, match=name):
            simulate_batch(net, config, keys=keys[:1], **{name: np.zeros(3)})
        with pytest.raises(ConfigError, match=name):
            simulate_batch(net, config, keys=keys[:1], **{name: [0.0, np.nan]})


def test_initial_values_per_neuron_are_the_trace_s_start():
    """v0 per neuron: the first step starts from it (an undriven neuron relaxes)."""
    pop = Population(name="n", size=2, parameters={"v_thresh": 100.0})
    rec = simulate_batch(
        Network(populations=(pop,)),
        SimConfig(t_stop=1.0, trace=(("n", 0), ("n", 1)), dtype="float64"),
        keys=KEY[None],
        v0=np.array([-80.0, -50.0]),
    ).recordings[0]
    decay = np.exp(-0.1 / 20.0)  # one step of tau_m = 20 ms towards v_rest = -65
    np.testing.assert_allclose(
        rec.traces[0], -65.0 + (np.array([-80.0, -50.0]) + 65.0) * decay, rtol=1e-7
    )
