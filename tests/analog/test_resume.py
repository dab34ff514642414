"""Continuing a run from the state another ended in: two runs make one.

A recurrent network driven by spike-time sources (deterministic input) is run once for
40 ms and again as 15.3 ms + 24.7 ms (the cut inside a block, with spikes in flight
across it): identical spikes, and state traces equal to float32 rounding (programs
compiled for other run lengths may add simultaneous inputs in another order: 1 ulp).
"""

import jax.random as jr
import numpy as np
import pytest

from tests.analog.helpers import poisson_trains
from twin import Network, Population, Projection
from twin.analog.simulate import SimConfig, simulate_batch
from twin.errors import ConfigError
from twin.network import SpikeTimesSource

T_STOP, CUT = 40.0, 15.3


def _network(trains):
    n = 40
    rng = np.random.default_rng(5)
    pop = Population(
        name="n", size=n, parameters={"tau_refrac": 2.0, "i_offset": 0.3, "cm": 0.5}
    )
    src = SpikeTimesSource(name="s", spike_times=tuple(trains))
    pre, post = rng.integers(0, n, 300), rng.integers(0, n, 300)
    delays = rng.choice([0.1, 0.7, 1.5, 3.2, 9.9], 300)  # some outlast the cut
    recurrent = Projection(
        pre="n",
        post="n",
        pre_idx=pre,
        post_idx=post,
        weight=rng.uniform(0.001, 0.02, 300),
        delay=delays,
        receptor="excitatory",
    )
    inhibitory = Projection(
        pre="n",
        post="n",
        pre_idx=post,
        post_idx=pre,
        weight=rng.uniform(0.001, 0.02, 300),
        delay=delays[::-1],
        receptor="inhibitory",
    )
    drive = Projection(
        pre="s",
        post="n",
        pre_idx=np.arange(len(trains)),
        post_idx=np.arange(len(trains)) % n,
        weight=np.full(len(trains), 0.05),
        delay=np.full(len(trains), 1.0),
    )
    return Network(
        populations=(pop,), sources=(src,), projections=(recurrent, inhibitory, drive)
    )


def _config(t_stop, offset=0.0):
    return SimConfig(
        t_stop=t_stop,
        offset=offset,
        dtype="float32",
        record=(("n", None),),
        trace=tuple(("n", i) for i in range(0, 40, 3)),
        block_steps=50,
    )


def test_two_runs_continue_one_another_exactly():
    trains = poisson_trains(400.0, T_STOP, seed=2, n=60)
    key = jr.PRNGKey(0)[None]
    whole = simulate_batch(_network(trains), _config(T_STOP), keys=key).recordings[0]
    run = simulate_batch(_network(trains), _config(CUT), keys=key, keep_final=True)
    first = run.recordings[0]
    second = simulate_batch(  # the same trains: the offset skips those emitted
        _network(trains),
        _config(round(T_STOP - CUT, 9), offset=CUT),
        keys=key,
        resume=run.final,
    ).recordings[0]
    assert whole.times.size > 100  # the network is active across the cut
    times = np.concatenate([first.times, second.times + CUT])
    ids = np.concatenate([first.ids, second.ids])
    np.testing.assert_allclose(times, whole.times, atol=1e-9, rtol=0)
    np.testing.assert_array_equal(ids, whole.ids)
    for name, trace in whole.state_traces.items():
        joined = np.vstack([first.state_traces[name], second.state_traces[name]])
        np.testing.assert_allclose(joined, trace, rtol=3e-7, atol=1e-7, err_msg=name)


def test_a_state_of_another_network_is_refused():
    trains = poisson_trains(400.0, 10.0, seed=2, n=60)
    key = jr.PRNGKey(0)[None]
    run = simulate_batch(_network(trains), _config(10.0), keys=key, keep_final=True)
    small = Network(populations=(Population(name="m", size=3),))
    with pytest.raises(ConfigError, match="does not fit 1 variants of 3 neurons"):
        simulate_batch(
            small, SimConfig(t_stop=5.0, offset=10.0), keys=key, resume=run.final
        )


def test_poisson_windows_are_session_times_in_a_continued_run():
    """Generators whose windows open and close on both sides of the cut fire in the
    same steps as in one run (3 MHz: every step of a window has events)."""
    from tests.analog.time_networks import arrival_steps, windowed

    starts = np.array([0.0, 5.0, 22.0, 30.0, 23.3])
    stops = np.array([3.0, 40.0, 23.5, 45.0, 23.4])
    trace = tuple(("n", i) for i in range(5))
    key = jr.PRNGKey(1)[None]
    whole = simulate_batch(
        windowed(starts, stops), SimConfig(t_stop=50.0, trace=trace), keys=key
    ).recordings[0]
    run = simulate_batch(
        windowed(starts, stops),
        SimConfig(t_stop=23.4, trace=trace),
        keys=key,
        keep_final=True,
    )
    first = run.recordings[0]
    second = simulate_batch(
        windowed(starts, stops),
        SimConfig(t_stop=26.6, trace=trace, offset=23.4),
        keys=jr.PRNGKey(2)[None],
        resume=run.final,
    ).recordings[0]
    g = np.vstack([first.state_traces["gsyn_exc"], second.state_traces["gsyn_exc"]])
    expected = arrival_steps(np.asarray(whole.state_traces["gsyn_exc"]))
    np.testing.assert_array_equal(arrival_steps(g)[0], expected[0])
    np.testing.assert_array_equal(arrival_steps(g)[1], expected[1])


def test_a_state_resumed_at_another_time_is_refused():
    trains = poisson_trains(400.0, 10.0, seed=2, n=60)
    key = jr.PRNGKey(0)[None]
    run = simulate_batch(_network(trains), _config(10.0), keys=key, keep_final=True)
    assert run.final is not None
    assert run.final.step == 100
    with pytest.raises(ConfigError, match=r"offset = 10 ms, not 5\.0 ms"):
        simulate_batch(
            _network(trains), _config(5.0, offset=5.0), keys=key, resume=run.final
        )
