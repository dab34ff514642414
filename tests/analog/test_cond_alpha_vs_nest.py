"""IF_cond_alpha and EIF_cond_alpha_isfa_ista against NEST's iaf_cond_alpha and
aeif_cond_alpha.

NEST integrates both with GSL's adaptive RKF45 (absolute and relative error 1e-3 per
step for iaf_cond_alpha, ``gsl_error_tol`` 1e-6 for aeif_cond_alpha); the twin with
RK4 at 0.1 ms on the exact alpha conductances. Tested: per neuron its own excitatory
and inhibitory spike trains (weights from 0.1 nS to 50 nS), constant and step
currents, 3 seeds (see each test for what agrees and why).
"""

import jax.random as jr
import numpy as np
import pytest

from tests.analog.helpers import poisson_trains
from twin import Network, Population, Projection
from twin.analog.simulate import SimConfig, simulate
from twin.network import CurrentStimulus, SpikeTimesSource

pytest.importorskip("nest")
pytestmark = pytest.mark.nest

DT, T_STOP = 0.1, 300.0
WEIGHTS = (1e-4, 0.005, 0.02, 0.05)  # µS
STEP_TIMES, STEP_AMPLITUDES = (40.0, 150.3, 220.0), (0.2, -0.1, 0.0)
PARAMS = {
    "IF_cond_alpha": {
        "cm": 0.25,
        "tau_m": 10.0,
        "tau_refrac": 2.0,
        "v_thresh": -55.0,
        "v_reset": -70.0,
        "e_rev_I": -80.0,
    },
    "EIF_cond_alpha_isfa_ista": {"tau_refrac": 2.0},
}


def _inputs(seed, n):
    exc = poisson_trains(2500.0, T_STOP, seed, n=n, dt=DT)
    inh = poisson_trains(1200.0, T_STOP, seed + 1000, n=n, dt=DT)
    return exc, inh


def _twin(cell_type, seed, n):
    exc, inh = _inputs(seed, n)
    w = np.resize(WEIGHTS, n)
    ids = np.arange(n)
    params = {**PARAMS[cell_type], "i_offset": np.where(ids % 5 == 4, 0.6, 0.0)}
    net = Network(
        populations=(
            Population(name="n", size=n, cell_type=cell_type, parameters=params),
        ),
        sources=(
            SpikeTimesSource(name="e", spike_times=tuple(exc)),
            SpikeTimesSource(name="i", spike_times=tuple(inh)),
        ),
        projections=(
            Projection(
                pre="e", post="n", pre_idx=ids, post_idx=ids, weight=w, delay=np.ones(n)
            ),
            Projection(
                pre="i",
                post="n",
                pre_idx=ids,
                post_idx=ids,
                weight=0.6 * w,
                delay=np.full(n, 1.5),
                receptor="inhibitory",
            ),
        ),
        stimuli=(
            CurrentStimulus(
                name="s",
                population="n",
                index=ids[::3],
                times=np.array(STEP_TIMES),
                amplitudes=np.array(STEP_AMPLITUDES),
            ),
        ),
    )
    trace = tuple(("n", k) for k in range(n))
    config = SimConfig(t_stop=T_STOP, dtype="float64", trace=trace)
    return simulate(net, config, jr.PRNGKey(0)), net


def _nest(model, net, seed, n):
    import nest

    nest.ResetKernel()
    nest.set_verbosity("M_ERROR")
    nest.resolution = DT
    p = net.populations[0].parameters
    neurons = nest.Create(model, n)
    for k in range(n):
        values = {
            "C_m": p["cm"][k] * 1e3,
            "g_L": p["cm"][k] / p["tau_m"][k] * 1e3,
            "E_L": p["v_rest"][k],
            "V_th": p["v_thresh"][k],
            "V_reset": p["v_reset"][k],
            "t_ref": p["tau_refrac"][k],
            "E_ex": p["e_rev_E"][k],
            "E_in": p["e_rev_I"][k],
            "tau_syn_ex": p["tau_syn_E"][k],
            "tau_syn_in": p["tau_syn_I"][k],
            "I_e": p["i_offset"][k] * 1e3,
            "V_m": p["v_rest"][k],
        }
        if model == "aeif_cond_alpha":
            values.update(
                a=p["a"][k],
                b=p["b"][k] * 1e3,
                Delta_T=p["delta_T"][k],
                tau_w=p["tau_w"][k],
                V_peak=p["v_spike"][k],
            )
        neurons[k].set(values)
    exc, inh = _inputs(seed, n)
    for trains, proj in zip((exc, inh), net.projections, strict=True):
        gens = nest.Create("spike_generator", n)
        for k in range(n):
            gens[k].set(spike_times=list(trains[k]))
        syn = {"weight": proj.weight * 1e3, "delay": proj.delay}
        if proj.receptor == "inhibitory":
            syn["weight"] = -syn["weight"]  # NEST's conductance models: by sign
        nest.Connect(gens, neurons, "one_to_one", syn)
    step = nest.Create("step_current_generator")
    step.set(
        amplitude_times=[t - DT for t in STEP_TIMES],
        amplitude_values=[a * 1e3 for a in STEP_AMPLITUDES],
    )
    nest.Connect(step, neurons[list(range(0, n, 3))], syn_spec={"delay": DT})
    meter = nest.Create("multimeter", params={"interval": DT, "record_from": ["V_m"]})
    nest.Connect(meter, neurons)
    rec = nest.Create("spike_recorder")
    nest.Connect(neurons, rec)
    nest.Simulate(T_STOP)
    senders = np.asarray(rec.events["senders"]) - neurons[0].global_id
    times = np.asarray(rec.events["times"])
    mv = meter.events
    order = np.lexsort((np.asarray(mv["senders"]), np.asarray(mv["times"])))
    v = np.asarray(mv["V_m"])[order].reshape(-1, n)
    return [np.sort(times[senders == k]) for k in range(n)], v


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_if_cond_alpha_spikes_and_v_agree_with_nest(seed):
    """Every spike count identical, all but at most 1 % of the spikes at the same
    step and the rest one step apart (V crossing the threshold within NEST's error
    tolerance of 1e-3); V within 1e-3 mV away from those spikes."""
    n = 10
    twin, net = _twin("IF_cond_alpha", seed, n)
    spikes, v = _nest("iaf_cond_alpha", net, seed, n)
    counts = np.array([s.size for s in spikes])
    assert counts.sum() > 100
    assert (counts == 0).any()  # the tiny weights stay sub-threshold
    same = 0
    for k, train in enumerate(twin.spiketrains("n")):
        assert train.size == spikes[k].size, k
        np.testing.assert_allclose(train, spikes[k], atol=DT + 1e-9, rtol=0)
        same += int(np.sum(np.abs(train - spikes[k]) < 1e-9))
    assert same >= 0.99 * counts.sum()
    diff = np.abs(twin.traces[: v.shape[0]] - v)
    assert diff[:, _settled(spikes, twin, v.shape[0])].max() <= 1e-3


def _settled(nest_spikes, twin, steps):
    """Columns (neurons) whose spikes are all at the same steps on both."""
    return np.array(
        [
            a.size == b.size and np.allclose(a, b, atol=1e-9, rtol=0)
            for a, b in zip(twin.spiketrains("n"), nest_spikes, strict=True)
        ]
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_eif_cond_alpha_subthreshold_exact_spikes_statistically(seed):
    """Sub-threshold V within 1e-6 mV (measured ~1e-9 mV: the alpha conductances
    are exact); the first spike of every neuron within one step and the spike counts
    within 15 %. Later spikes drift apart: the AdEx upswing to v_spike, integrated
    by RK4 at 0.1 ms (NEST: adaptive RKF45), can end one step early or late, and
    the adaptation current carries that on (the twin's EIF_cond_exp_isfa_ista does
    the same against aeif_cond_exp)."""
    n = 10
    twin, net = _twin("EIF_cond_alpha_isfa_ista", seed, n)
    spikes, v = _nest("aeif_cond_alpha", net, seed, n)
    counts = np.array([s.size for s in spikes])
    assert counts.sum() > 100
    silent = counts == 0
    assert silent.any()
    diff = np.abs(twin.traces[: v.shape[0]] - v)
    assert diff[:, silent].max() <= 1e-6
    mine = twin.spiketrains("n")
    for k in np.flatnonzero(~silent):
        assert mine[k].size > 0
        assert abs(mine[k][0] - spikes[k][0]) <= DT + 1e-9, k
    assert abs(sum(t.size for t in mine) - counts.sum()) <= 0.15 * counts.sum()
