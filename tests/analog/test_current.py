"""Current stimuli in the emulator: analytic LIF responses, NEST's timing, zero cost.

Below threshold and without synapses, an ``IF_cond_exp`` neuron driven by a
step-wise constant current ``I`` relaxes in each interval towards
``v_rest + I / g_L`` with time constant ``tau_m``:
``V(t) = V_inf + (V(t_j) - V_inf) exp(-(t - t_j) / tau_m)``. A change at ``t`` acts from
the step that starts at ``t`` (NEST's timing through pyNN.nest, :mod:`twin.stimuli`):
``V(t)`` does not feel it, ``V(t + dt)`` does. RK4 at ``dt / tau_m = 0.005`` is exact to
~1e-12 mV here, so the traces are checked to 1e-9 mV.
"""

import jax.numpy as jnp
import jax.random as jr
import numpy as np
import pytest

import twin.analog.kernel as kernel
from twin import Network, Population
from twin.analog.current import current_table, injected
from twin.analog.simulate import SimConfig, simulate
from twin.stimuli import CurrentStimulus

KEY = jr.PRNGKey(0)
DT, TAU_M, CM, V_REST = 0.1, 20.0, 1.0, -65.0
G_L = CM / TAU_M  # µS


def _network(size, *stimuli, **params):
    pop = Population(
        name="p",
        size=size,
        parameters={"tau_m": TAU_M, "cm": CM, "v_rest": V_REST, **params},
    )
    return Network(populations=(pop,), stimuli=stimuli)


def _traces(net, t_stop, dtype="float64"):
    """V of every neuron at dt, 2 dt, ..., t_stop: shape (steps, size)."""
    size = net.populations[0].size
    config = SimConfig(
        t_stop=t_stop,
        dt=DT,
        dtype=dtype,
        v_init=V_REST,
        trace=tuple(("p", i) for i in range(size)),
    )
    return np.asarray(simulate(net, config, KEY).traces)


def _analytic(times, amplitudes, t_stop):
    """V at dt, 2 dt, ..., t_stop of the LIF under the step current (exact)."""
    t = np.arange(1, round(t_stop / DT) + 1) * DT
    v = np.full(t.size, V_REST)
    v_start, t_start = V_REST, 0.0
    edges = [*times, np.inf]
    current = 0.0
    for j in range(len(times) + 1):
        end = edges[j]
        inside = (t > t_start) & (t <= end)
        v_inf = V_REST + current / G_L
        v[inside] = v_inf + (v_start - v_inf) * np.exp(-(t[inside] - t_start) / TAU_M)
        if j == len(times):
            break
        v_start = v_inf + (v_start - v_inf) * np.exp(-(end - t_start) / TAU_M)
        t_start, current = end, amplitudes[j]
    return v


def test_a_constant_current_gives_the_lif_steady_state():
    """V = v_rest + I / g_L after 12 tau_m (8 mV * exp(-12) < 1e-4 mV)."""
    amplitude = 0.4  # nA: V_inf = -57 mV, below the threshold of -50 mV
    net = _network(1, CurrentStimulus.dc("dc", "p", [0], amplitude))
    v = _traces(net, 12 * TAU_M)[:, 0]
    assert v[-1] == pytest.approx(V_REST + amplitude / G_L, abs=1e-4)


def test_steps_act_from_the_step_that_starts_at_their_time():
    times, amplitudes = [2.0, 5.0, 8.0], [0.5, -0.3, 0.0]
    stim = CurrentStimulus(
        name="s", population="p", index=[0], times=times, amplitudes=amplitudes
    )
    v = _traces(_network(2, stim), 12.0)
    first = round(times[0] / DT)  # traces[k] is V at (k + 1) dt
    assert np.all(v[:first, 0] == V_REST)  # up to and including V(2.0)
    assert v[first, 0] > V_REST  # V(2.1) feels the current
    np.testing.assert_allclose(v[:, 0], _analytic(times, amplitudes, 12.0), atol=1e-9)
    assert np.all(v[:, 1] == V_REST)  # the neuron without stimulus stays at rest


def test_stimuli_into_the_same_neuron_add_up():
    a = CurrentStimulus.dc("a", "p", [0, 1], 0.2, start=1.0)
    b = CurrentStimulus.dc("b", "p", [1, 2], 0.3, start=1.0, stop=4.0)
    v = _traces(_network(3, a, b), 6.0)
    np.testing.assert_allclose(v[:, 0], _analytic([1.0], [0.2], 6.0), atol=1e-9)
    both = _analytic([1.0, 4.0], [0.5, 0.2], 6.0)
    np.testing.assert_allclose(v[:, 1], both, atol=1e-9)
    np.testing.assert_allclose(
        v[:, 2], _analytic([1.0, 4.0], [0.3, 0.0], 6.0), atol=1e-9
    )


def test_a_current_from_t0_equals_the_same_i_offset():
    """Neuron 0: a stimulus of 0.7 nA from t = 0; neuron 1: i_offset = 0.7 nA."""
    stim = CurrentStimulus.dc("dc", "p", [0], 0.7)
    v = _traces(_network(2, stim, v_thresh=-58.0, i_offset=[0.0, 0.7]), 30.0)
    assert v.min() < -60.0 < v.max()  # V_inf = -51 mV: spikes and resets included
    np.testing.assert_array_equal(v[:, 0], v[:, 1])


def test_the_current_table_looks_amplitudes_up_per_step():
    a = CurrentStimulus(
        name="a", population="p", index=[0, 2], times=[0.3, 0.5], amplitudes=[0.1, 0.0]
    )
    b = CurrentStimulus(
        name="b", population="p", index=[2], times=[0.4], amplitudes=[-0.25]
    )
    empty = CurrentStimulus(
        name="e", population="p", index=[1], times=[], amplitudes=[]
    )
    net = _network(3, a, empty, b)
    table = current_table(net, DT, dtype=jnp.float64)
    currents = np.array([np.asarray(injected(table, k, 3)) for k in range(7)])
    expected = np.zeros((7, 3))
    expected[3:5, 0] = 0.1
    expected[3:5, 2] = 0.1
    expected[4:, 2] += -0.25
    np.testing.assert_array_equal(currents, expected)
    # A run that starts at session step 4: changes before it are in force at once.
    later = current_table(net, DT, offset_steps=4, dtype=jnp.float64)
    np.testing.assert_array_equal(np.asarray(later.step), [-1, 1, 0])
    np.testing.assert_array_equal(np.asarray(injected(later, 0, 3)), expected[4])


def test_without_stimuli_the_current_path_is_not_traced(monkeypatch):
    """Zero cost: no stimulus (or none with a change) never reaches the kernel."""

    def fail(*args, **kwargs):
        raise AssertionError("the stimulus path was traced")

    monkeypatch.setattr(kernel, "injected", fail)
    quiet = CurrentStimulus(
        name="q", population="p", index=[0], times=[], amplitudes=[]
    )
    for net in (_network(5), _network(5, quiet)):
        assert np.all(_traces(net, 0.7) == V_REST)
    driven = _network(5, CurrentStimulus.dc("dc", "p", [0], 0.1))
    with pytest.raises(AssertionError, match="stimulus path"):
        _traces(driven, 0.7)
