"""Current-based cells through PyNN: one script on ``twin.pynn`` and ``pyNN.nest``.

IF_curr_exp, IF_curr_alpha and IF_cond_exp populations in one network (recurrent
inhibition with negative current weights, spike-array input, a DC and a step
current, a run continued after a change): the current-based cells' spikes
are NEST's exactly and their V within 1e-6 mV; the conductance-based ones' spikes
are identical too (as in ``test_vs_nest.py``). pyNN.nest runs with
``spike_precision="on_grid"``: by default it maps IF_curr_exp to ``iaf_psc_exp_ps``,
NEST's model with spike times between grid points, which the twin does not emulate.
"""

import warnings

import numpy as np
import pytest

import twin.pynn as twin_pynn

pytestmark = pytest.mark.nest


def _script(sim):
    """A mixed network as a user writes it; returns the spikes and V."""
    # pyNN.nest maps IF_curr_exp to iaf_psc_exp only on the grid (by default to
    # iaf_psc_exp_ps, with spike times between grid points)
    extra = {"dtype": "float64"} if sim is twin_pynn else {"spike_precision": "on_grid"}
    sim.setup(timestep=0.1, min_delay=0.1, **extra)
    rng = sim.NumpyRNG(seed=11)
    times = [[2.0 + 2.3 * k + 0.7 * i for k in range(20)] for i in range(8)]
    src = sim.Population(8, sim.SpikeSourceArray(spike_times=times), label="in")
    cexp = sim.Population(
        12, sim.IF_curr_exp(tau_refrac=2.0, tau_syn_E=3.0, tau_m=10.0), label="cexp"
    )
    calpha = sim.Population(
        12, sim.IF_curr_alpha(tau_refrac=1.0, tau_syn_I=2.0, cm=0.5), label="calpha"
    )
    cond = sim.Population(6, sim.IF_cond_exp(tau_refrac=2.0), label="cond")
    for post, w in ((cexp, 2.5), (calpha, 1.8), (cond, 0.03)):
        sim.Projection(
            src,
            post,
            sim.FixedProbabilityConnector(0.7, rng=rng),
            sim.StaticSynapse(weight=w, delay=1.0),
            receptor_type="excitatory",
        )
    for pre, post, w in (
        (cexp, calpha, -0.6),
        (calpha, cexp, -0.9),
        (cond, cexp, -0.5),
        (cexp, cond, 0.01),
    ):
        sim.Projection(
            pre,
            post,
            sim.FixedNumberPreConnector(3, rng=rng),
            sim.StaticSynapse(weight=w, delay=0.6),
            receptor_type="inhibitory",
        )
    sim.DCSource(amplitude=0.3, start=20.0, stop=35.0).inject_into(calpha[:4])
    sim.StepCurrentSource(times=[10.0, 30.0], amplitudes=[0.4, -0.2]).inject_into(
        cexp[6:]
    )
    cells = cexp + calpha + cond
    cells.record("spikes")
    cexp.record("v")
    calpha.record("v")
    sim.run(25.0)
    cexp[:3].set(i_offset=0.5)
    sim.run(25.0)
    seg = cells.get_data().segments[0]
    sim.end()
    trains = [np.asarray(t) for t in seg.spiketrains]
    return trains, np.hstack([np.asarray(s) for s in seg.analogsignals])


def test_the_same_script_gives_nest_s_spikes_and_v(nest_sim):
    twin = _script(twin_pynn)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nest = _script(nest_sim)
    (t_twin, v_twin), (t_nest, v_nest) = twin, nest
    assert sum(t.size for t in t_nest[:24]) > 20  # the current-based cells fire
    assert [t.size for t in t_twin] == [t.size for t in t_nest]
    for a, b in zip(t_twin, t_nest, strict=True):
        np.testing.assert_allclose(a, b, atol=1e-9, rtol=0)
    assert v_twin.shape == v_nest.shape
    # V within 1e-6 mV, except after the change at 25 ms: there pyNN.nest applies
    # the new i_offset one step later (as for IF_cond_exp, test_vs_nest.py), which
    # moves V of the changed cells by at most one step's effect,
    # i_offset tau_m / cm (1 - exp(-dt / tau_m)) = 0.0498 mV
    changed = np.zeros(v_twin.shape[1], bool)
    changed[:3] = True
    np.testing.assert_allclose(v_twin[:251], v_nest[:251], atol=1e-6, rtol=0)
    np.testing.assert_allclose(v_twin[:, ~changed], v_nest[:, ~changed], atol=1e-6)
    step = 0.5 * 10.0 / 1.0 * -np.expm1(-0.1 / 10.0)
    assert np.abs(v_twin[:, changed] - v_nest[:, changed]).max() <= step + 1e-9
