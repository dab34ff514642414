"""The neuron kernel against closed forms, limits, scipy references and its order."""

import jax
import jax.numpy as jnp
import jax.random as jr
import numpy as np
import pytest
from scipy.integrate import solve_ivp

from tests.analog.helpers import poisson_trains, single_neuron
from twin.analog.adex import NeuronState, adex_step
from twin.analog.params import from_network
from twin.analog.simulate import SimConfig, simulate

KEY = jr.PRNGKey(0)
F64 = {"dtype": "float64"}


def _trace(net, t_stop, **cfg):
    config = SimConfig(t_stop=t_stop, trace=(("n", 0),), **{**F64, **cfg})
    return simulate(net, config, KEY)


def test_subthreshold_relaxation_equals_closed_form():
    tau_m, v_rest, v0 = 10.0, -65.0, -50.5
    net = single_neuron(tau_m=tau_m, v_rest=v_rest, v_thresh=-40.0)
    rec = _trace(net, 50.0, v_init=v0)
    t = np.arange(1, rec.traces.shape[0] + 1) * 0.1
    expected = v_rest + (v0 - v_rest) * np.exp(-t / tau_m)
    # RK4 local error ~ (dt/tau)^5/120 per step: far below 1e-9 mV over 500 steps.
    np.testing.assert_allclose(rec.traces[:, 0], expected, rtol=0, atol=1e-9)


@pytest.mark.parametrize("i_offset", [0.3, 0.5, 1.1])
def test_constant_current_isi_equals_analytic_value(i_offset):
    p = {
        "cm": 0.25,
        "tau_m": 20.0,
        "v_rest": -65.0,
        "v_reset": -70.0,
        "v_thresh": -50.0,
        "tau_refrac": 2.0,
        "i_offset": i_offset,
    }
    rec = _trace(single_neuron(**p), 500.0)
    g_l = p["cm"] / p["tau_m"]
    v_inf = p["v_rest"] + i_offset / g_l
    free = p["tau_m"] * np.log((v_inf - p["v_reset"]) / (v_inf - p["v_thresh"]))
    # Spikes are detected at the end of a step; refractory steps = round(t_ref / dt).
    isi = (round(p["tau_refrac"] / 0.1) + np.ceil(free / 0.1 - 1e-9)) * 0.1
    np.testing.assert_allclose(np.diff(rec.times)[1:], isi, atol=1e-9)


def test_constant_conductance_isi_equals_analytic_value():
    # One excitatory event at 1 ms with a practically infinite decay time holds
    # g_e constant; the LIF then relaxes to the conductance-weighted mean potential.
    g0, e_rev = 0.02, 0.0
    p = {
        "cm": 0.25,
        "tau_m": 20.0,
        "v_rest": -65.0,
        "v_reset": -70.0,
        "v_thresh": -55.0,
        "tau_refrac": 2.0,
        "tau_syn_E": 1e12,
        "e_rev_E": e_rev,
    }
    net = single_neuron(inputs=[([0.5], g0, 0.5, "excitatory")], **p)
    rec = _trace(net, 400.0)
    g_l = p["cm"] / p["tau_m"]
    v_inf = (g_l * p["v_rest"] + g0 * e_rev) / (g_l + g0)
    tau = p["cm"] / (g_l + g0)
    free = tau * np.log((v_inf - p["v_reset"]) / (v_inf - p["v_thresh"]))
    isi = (round(p["tau_refrac"] / 0.1) + np.ceil(free / 0.1 - 1e-9)) * 0.1
    np.testing.assert_allclose(np.diff(rec.times)[1:], isi, atol=1e-9)


ADEX = {
    "cm": 0.281,
    "tau_m": 9.3667,
    "v_rest": -70.6,
    "v_reset": -60.0,
    "v_thresh": -50.4,
    "v_spike": -40.0,
    "delta_T": 2.0,
    "a": 4.0,
    "b": 0.0805,
    "tau_w": 144.0,
    "tau_refrac": 0.1,
    "i_offset": 0.7,
    "tau_syn_E": 5.0,
    "tau_syn_I": 5.0,
    "e_rev_E": 0.0,
    "e_rev_I": -80.0,
}


def _adex_ivp(t_end, p=ADEX):
    g_l = p["cm"] / p["tau_m"]

    def rhs(_, y):
        v, w = y
        exp = g_l * p["delta_T"] * np.exp(min((v - p["v_thresh"]) / p["delta_T"], 50.0))
        dv = (-g_l * (v - p["v_rest"]) + exp - w + p["i_offset"]) / p["cm"]
        dw = (p["a"] * 1e-3 * (v - p["v_rest"]) - w) / p["tau_w"]
        return [dv, dw]

    def spike(_, y):
        return y[0] - p["v_spike"]

    spike.terminal = True
    return solve_ivp(
        rhs,
        (0.0, t_end),
        [p["v_rest"], 0.0],
        method="LSODA",
        rtol=1e-11,
        atol=1e-11,
        dense_output=True,
        events=spike,
    )


def test_adex_trajectory_matches_solve_ivp():
    net = single_neuron("EIF_cond_exp_isfa_ista", **ADEX)
    rec = _trace(net, 200.0)
    sol = _adex_ivp(200.0)
    cross = sol.t_events[0][0]
    t = np.arange(1, rec.traces.shape[0] + 1) * 0.1
    before = t < cross - 1.0  # up to 1 ms before the upswing
    # Tolerance: 1e-6 mV away from the spike (RK4 at dt = 0.1 ms vs LSODA at 1e-11).
    np.testing.assert_allclose(rec.traces[before, 0], sol.sol(t[before])[0], atol=1e-6)
    # The spike is stamped at the end of the step in which V crosses v_spike.
    assert cross <= rec.times[0] <= cross + 0.1 + 1e-9


def test_adex_with_zero_slope_and_no_adaptation_is_the_lif():
    lif = {
        "cm": 0.3,
        "tau_m": 15.0,
        "v_rest": -65.0,
        "v_reset": -68.0,
        "v_thresh": -52.0,
        "tau_refrac": 1.0,
        "tau_syn_E": 3.0,
        "tau_syn_I": 6.0,
        "e_rev_E": 0.0,
        "e_rev_I": -80.0,
    }
    inputs = [
        (poisson_trains(800.0, 500.0, 1)[0], 0.01, 1.0, "excitatory"),
        (poisson_trains(200.0, 500.0, 2)[0], 0.02, 1.0, "inhibitory"),
    ]
    a = simulate(
        single_neuron(inputs=inputs, **lif), SimConfig(t_stop=500.0, **F64), KEY
    )
    limit = dict(lif, delta_T=0.0, a=0.0, b=0.0, v_spike=lif["v_thresh"])
    b = simulate(
        single_neuron("EIF_cond_exp_isfa_ista", inputs=inputs, **limit),
        SimConfig(t_stop=500.0, **F64),
        KEY,
    )
    assert a.times.size > 10
    np.testing.assert_array_equal(a.times, b.times)
    # And the limit is continuous: a tiny slope factor moves no spike by > 1 step.
    c = simulate(
        single_neuron(
            "EIF_cond_exp_isfa_ista",
            inputs=inputs,
            **dict(limit, delta_T=1e-3, v_spike=lif["v_thresh"] + 1e-2),
        ),
        SimConfig(t_stop=500.0, **F64),
        KEY,
    )
    assert c.times.size == a.times.size
    assert np.max(np.abs(c.times - a.times)) <= 0.1 + 1e-9


def _run_steps(dt, t_end):
    """Integrate a sub-threshold AdEx neuron with decaying conductances to t_end."""
    net = single_neuron("EIF_cond_exp_isfa_ista", **dict(ADEX, i_offset=0.2))
    p = from_network(net, dt, jnp.float64)
    state = NeuronState(
        v=jnp.array([-60.0]),
        w=jnp.array([0.05]),
        g_e=jnp.array([0.004]),
        g_i=jnp.array([0.006]),
        refrac=jnp.array([0], jnp.int32),
        dg_e=jnp.zeros(0),
        dg_i=jnp.zeros(0),
    )
    step = jax.jit(lambda s: adex_step(s, p, dt)[0])  # one compilation per dt
    for _ in range(round(t_end / dt)):
        state = step(state)
    return float(state.v[0]), float(state.w[0])


def _reference(t_end):
    p = dict(ADEX, i_offset=0.2)
    g_l = p["cm"] / p["tau_m"]

    def rhs(t, y):
        v, w = y
        ge = 0.004 * np.exp(-t / p["tau_syn_E"])
        gi = 0.006 * np.exp(-t / p["tau_syn_I"])
        exp = g_l * p["delta_T"] * np.exp((v - p["v_thresh"]) / p["delta_T"])
        dv = (
            -g_l * (v - p["v_rest"])
            + exp
            - ge * (v - p["e_rev_E"])
            - gi * (v - p["e_rev_I"])
            - w
            + p["i_offset"]
        ) / p["cm"]
        return [dv, (p["a"] * 1e-3 * (v - p["v_rest"]) - w) / p["tau_w"]]

    sol = solve_ivp(
        rhs, (0, t_end), [-60.0, 0.05], method="DOP853", rtol=1e-13, atol=1e-13
    )
    return sol.y[0, -1]


def test_convergence_order_is_four():
    t_end = 8.0
    ref = _reference(t_end)
    dts = np.array([0.8, 0.4, 0.2, 0.1])
    errors = np.array([abs(_run_steps(dt, t_end)[0] - ref) for dt in dts])
    slope = np.polyfit(np.log(dts), np.log(errors), 1)[0]
    # Classical RK4 with exact conductances: global error O(dt^4).
    assert 3.6 < slope < 4.4, (dts, errors)
