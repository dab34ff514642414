"""Alpha-shaped conductances without NEST: the PSC's formula, stiff input, mixing.

The conductance after one input is ``w (t / tau) exp(1 - t / tau)`` (peak ``w`` at
``tau``); a stiff alpha input (sub-steps) agrees with the same input at a ten times
finer step; a network with exponential and alpha conductances and alpha currents runs
each population as it runs alone.
"""

import jax.random as jr
import numpy as np
import pytest

from tests.analog.helpers import poisson_trains, single_neuron
from twin import Network, Population, Projection
from twin.analog.simulate import SimConfig, simulate
from twin.network import SpikeTimesSource


@pytest.mark.parametrize("receptor", ["excitatory", "inhibitory"])
def test_one_input_gives_the_alpha_function(receptor):
    w, tau, t_in, delay = 0.02, 1.7, 5.0, 1.0
    key = "tau_syn_E" if receptor == "excitatory" else "tau_syn_I"
    net = single_neuron("IF_cond_alpha", [([t_in], w, delay, receptor)], **{key: tau})
    config = SimConfig(t_stop=30.0, dtype="float64", trace=(("n", 0),))
    rec = simulate(net, config, jr.PRNGKey(0))
    g = rec.state_traces["gsyn_exc" if receptor == "excitatory" else "gsyn_inh"][:, 0]
    t = 0.1 * (np.arange(g.size) + 1) - (t_in + delay)  # trace k: time (k + 1) dt
    t = np.round(t, 9)
    expected = np.where(t > 0, w * (t / tau) * np.exp(1 - t / tau), 0.0)
    np.testing.assert_allclose(g, expected, rtol=0, atol=1e-12)
    assert g.max() == pytest.approx(w, rel=1e-3)  # the peak, at a step near tau


def test_a_stiff_alpha_input_agrees_with_a_finer_step():
    """1 µS on 0.25 nF: dt (g_L + g) / cm reaches ~0.4 + 0.4 e: sub-stepped."""
    inputs = [
        ([5.0, 5.4, 20.0], 1.0, 1.0, "excitatory"),
        ([12.0], 1.5, 1.0, "inhibitory"),
    ]
    params = {
        "cm": 0.25,
        "tau_syn_E": 2.0,
        "tau_syn_I": 3.0,
        "tau_refrac": 1.0,
        "v_thresh": 20.0,
    }  # no spike: the trajectory is compared
    traces = []
    for dt in (0.1, 0.01):
        net = single_neuron("IF_cond_alpha", inputs, **params)
        net = net.replace(timestep=dt)
        config = SimConfig(t_stop=40.0, dt=dt, dtype="float64", trace=(("n", 0),))
        traces.append(simulate(net, config, jr.PRNGKey(0)).traces[:, 0])
    coarse, fine = traces[0], traces[1][9::10]
    assert coarse.max() > -10.0  # driven far towards e_rev_E
    np.testing.assert_allclose(coarse, fine, atol=0.05, rtol=0)


def test_a_mixed_network_runs_each_kind_as_it_runs_alone():
    cells = {
        "ce": "IF_cond_exp",
        "ca": "IF_cond_alpha",
        "ea": "EIF_cond_alpha_isfa_ista",
        "ia": "IF_curr_alpha",
    }
    weights = {"ce": 0.01, "ca": 0.01, "ea": 0.01, "ia": 0.8}
    pops, sources, projs = [], [], []
    for k, (name, cell) in enumerate(cells.items()):
        pops.append(Population(name=name, size=3, cell_type=cell))
        trains = poisson_trains(3000.0, 200.0, 40 + k, n=3)
        sources.append(SpikeTimesSource(name=f"s{name}", spike_times=tuple(trains)))
        projs.append(
            Projection(
                pre=f"s{name}",
                post=name,
                pre_idx=np.arange(3),
                post_idx=np.arange(3),
                weight=np.full(3, weights[name]),
                delay=np.ones(3),
            )
        )
    projs.append(  # recurrent: the alpha currents inhibit the alpha conductances
        Projection(
            pre="ia",
            post="ca",
            pre_idx=[0, 1],
            post_idx=[1, 2],
            weight=[0.05, 0.05],
            delay=[1.0, 1.0],
            receptor="inhibitory",
        )
    )
    together = Network(
        populations=tuple(pops), sources=tuple(sources), projections=tuple(projs)
    )
    config = SimConfig(t_stop=200.0, dtype="float64")
    both = simulate(together, config, jr.PRNGKey(0))
    for name in ("ce", "ea"):  # no recurrent input: alone
        alone = Network(
            populations=(together.population(name),),
            sources=(together.source(f"s{name}"),),
            projections=tuple(p for p in projs if p.post == name),
        )
        single = simulate(alone, config, jr.PRNGKey(0))
        assert sum(t.size for t in single.spiketrains(name)) > 0
        for a, b in zip(both.spiketrains(name), single.spiketrains(name), strict=True):
            np.testing.assert_array_equal(a, b)
    assert all(sum(t.size for t in both.spiketrains(n)) > 0 for n in cells)
