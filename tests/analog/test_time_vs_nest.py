"""The time grid and stiff inputs against NEST itself (iaf_cond_exp, 0.1 ms).

Each test runs the same ``Network`` on the emulator (float64) and on NEST and asks for
identical spike times: the rules are exact, so there is no tolerance beyond float
formatting (1e-9 ms).
"""

from decimal import Decimal

import jax.random as jr
import numpy as np
import pytest

from tests.analog.helpers import single_neuron
from tests.analog.time_networks import driven, fanout
from twin.analog.simulate import SimConfig, simulate

pytest.importorskip("nest")
pytestmark = pytest.mark.nest

from experiments.runs.nest import NestConfig, run_nest  # noqa: E402

#: Fast synapses and a long refractory period: each input gives one clean spike.
ONE_SPIKE = {"tau_syn_E": 0.5, "tau_refrac": 5.0}


def _both(net, t_stop):
    twin = simulate(net, SimConfig(t_stop=t_stop, dtype="float64"), jr.PRNGKey(0))
    nest, _ = run_nest(net, NestConfig(t_stop=t_stop, threads=1))
    return twin, nest


def _assert_same_spikes(twin, nest):
    assert nest.times.size > 0
    np.testing.assert_array_equal(twin.ids, nest.ids)
    np.testing.assert_allclose(twin.times, nest.times, atol=1e-9, rtol=0)


def test_every_half_step_delay_matches_nest():
    delays = [float(Decimal(k * 5).scaleb(-2)) for k in range(2, 401)]
    twin, nest = _both(fanout([[1.0]] * len(delays), delays, **ONE_SPIKE), 25.0)
    assert nest.times.size == len(delays)
    _assert_same_spikes(twin, nest)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_off_grid_spike_times_match_nest(seed):
    rng = np.random.default_rng(seed)
    k = rng.integers(10, 500_000, size=(60, 3))  # times with four decimals
    trains = [np.sort([float(Decimal(int(x)).scaleb(-4)) for x in row]) for row in k]
    trains[0] = np.array([10.01, 10.04, 10.05, 10.25])[:3]  # the quoted ones
    trains[1] = np.array([0.04, 0.05, 10.25])  # near t = 0
    twin, nest = _both(fanout(trains, 1.0, **ONE_SPIKE), 60.0)
    _assert_same_spikes(twin, nest)


@pytest.mark.parametrize("seed", [1, 2])
def test_refractory_periods_match_nest(seed):
    rng = np.random.default_rng(seed)
    t_ref = [float(Decimal(int(k)).scaleb(-5)) for k in rng.integers(0, 400_000, 40)]
    t_ref[:3] = [2.0004, 2.1004, 0.30026]
    twin, nest = _both(driven(t_ref), 30.0)
    _assert_same_spikes(twin, nest)
    for i, expected in enumerate([2.1, 2.2, 0.4]):
        np.testing.assert_allclose(np.diff(nest.times[nest.ids == i]), expected)


@pytest.mark.parametrize(
    ("weight", "receptor", "drive"),
    [
        (50.0, "inhibitory", 0.0),
        (100.0, "inhibitory", 0.0),
        (50.0, "inhibitory", 2.0),  # a firing neuron silenced by strong inhibition
        (10.0, "excitatory", 0.0),
        (1000.0, "excitatory", 0.0),
        (1e5, "excitatory", 0.0),
    ],
)
def test_strong_single_inputs_match_nest(weight, receptor, drive):
    """cm = 1 nF, spikes at 5 and 30 ms: the quoted stiff inputs (the emulator fired
    11 and 28 times under 50 and 100 µS of inhibition, NEST none)."""
    net = single_neuron(
        inputs=[([5.0, 30.0], weight, 1.0, receptor)], cm=1.0, i_offset=drive
    )
    twin, nest = _both(net, 100.0)
    assert twin.times.size == nest.times.size
    np.testing.assert_allclose(twin.times, nest.times, atol=1e-9, rtol=0)


def test_adex_without_exponential_term_fires_at_v_thresh_as_nest():
    """aeif_cond_exp with Delta_T = 0 detects spikes at V_th, not at V_peak."""
    net = single_neuron(
        cell_type="EIF_cond_exp_isfa_ista",
        inputs=[([5.0, 30.0], 0.2, 1.0, "excitatory")],
        delta_T=0.0,
        i_offset=0.5,
        v_spike=0.0,
    )
    twin, nest = _both(net, 100.0)
    assert nest.times.size > 2
    np.testing.assert_allclose(twin.times, nest.times, atol=1e-9, rtol=0)


def test_poisson_windows_match_nest():
    """poisson_generator start/stop: g_E rises in the same first and last steps."""
    import nest

    from tests.analog.time_networks import arrival_steps, windowed

    starts = np.array([0.0, 0.1, 5.0, 12.3, 20.0])
    stops = np.array([3.0, 0.2, 40.0, 12.4, 49.0])
    config = SimConfig(t_stop=50.0, trace=tuple(("n", i) for i in range(5)))
    rec = simulate(windowed(starts, stops), config, jr.PRNGKey(0))
    twin = arrival_steps(np.asarray(rec.state_traces["gsyn_exc"]))

    nest.ResetKernel()
    nest.set_verbosity("M_ERROR")
    nest.resolution = 0.1
    cells = nest.Create("iaf_cond_exp", 5, {"V_th": 1000.0, "tau_syn_ex": 1000.0})
    for i, cell in enumerate(cells):
        gen = nest.Create(
            "poisson_generator",
            params={"rate": 3e6, "start": starts[i], "stop": stops[i]},
        )
        nest.Connect(gen, cell, syn_spec={"weight": 1e-3, "delay": 0.1})
    meter = nest.Create("multimeter", {"record_from": ["g_ex"], "interval": 0.1})
    nest.Connect(meter, cells)
    nest.Simulate(50.0)
    ev = meter.get("events")
    g = np.zeros((500, 5))
    rows = np.rint(ev["times"] * 10).astype(int) - 1  # sample at (j + 1) dt
    g[rows, np.asarray(ev["senders"]) - cells[0].global_id] = ev["g_ex"]
    ref = arrival_steps(g[: rows.max() + 1])
    np.testing.assert_array_equal(twin[0], ref[0])
    np.testing.assert_array_equal(twin[1], ref[1])
