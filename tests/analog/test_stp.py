"""Short-term plasticity in the emulator (NEST's tsodyks_synapse) against formulas.

The released fraction per event is read from the trace of a current-based cell that
never fires (IF_curr_exp, threshold far away): the jump of its synaptic current at an
arrival, ``I(k) - I(k-1) exp(-dt / tau_syn)``, is ``weight × released``. Closed forms:
the steady state of a regular train (derived from NEST's update, below; its
``tau_psc -> 0`` limit is the classic Tsodyks–Markram ``x* = (1 - e^{-T/tau_rec}) /
(1 - (1 - U) e^{-T/tau_rec})``), and the limits ``U = 1`` (everything released: the
next release is the resources recovered, ``Pxy``) and ``tau_facil = 0`` (u = U).
"""

import dataclasses

import jax
import jax.random as jr
import numpy as np
import pytest

from tests.analog.helpers import single_neuron
from twin import Network, Population, Projection
from twin.analog.simulate import SimConfig, simulate, simulate_batch
from twin.errors import ConfigError
from twin.network import SpikeTimesSource
from twin.stp import TsodyksMarkram

DT = 0.1
W = 0.5  # nA
KEY = jr.PRNGKey(0)


def _plastic(net, stp):
    projs = tuple(dataclasses.replace(p, stp=stp) for p in net.projections)
    return dataclasses.replace(net, projections=projs)


def _regular(period, n):
    return 1.0 + period * np.arange(n)


def _irregular():
    rng = np.random.default_rng(3)
    return np.unique(np.round(1.0 + np.cumsum(rng.exponential(8.0, 40)), 1))


#: name -> spike times (ms), U, tau_rec, tau_facil, tau_syn_E (= tau_psc), delay.
CASES = {
    "depressing": (_regular(10.0, 150), 0.5, 200.0, 0.0, 5.0, 1.0),
    "facilitating": (_regular(10.0, 150), 0.1, 50.0, 300.0, 5.0, 1.0),
    "mixed": (_regular(10.0, 150), 0.3, 120.0, 40.0, 5.0, 1.0),
    "classic": (_regular(20.0, 200), 0.4, 300.0, 0.0, 0.1, 1.0),
    "u_one": (_regular(15.0, 6), 1.0, 60.0, 0.0, 5.0, 1.0),
    "recovered": (_regular(200.0, 5), 0.3, 5.0, 0.0, 0.5, 1.0),
    "facilitation_only": (_regular(20.0, 8), 0.1, 0.1, 100.0, 0.5, 1.0),
    "short_delay": (_irregular(), 0.2, 80.0, 50.0, 5.0, 1.0),
    "long_delay": (_irregular(), 0.2, 80.0, 50.0, 5.0, 7.3),
    "equal_taus": (_regular(10.0, 3), 1.0, 5.0, 0.0, 5.0, 1.0),
}


@pytest.fixture(scope="module")
def releases():
    """Released fraction at each arrival, per case: one run, one neuron per case."""
    before = jax.config.read("jax_enable_x64")
    jax.config.update("jax_enable_x64", True)
    names = list(CASES)
    cols = list(zip(*CASES.values(), strict=True))
    trains, tau_syn, delay = cols[0], np.array(cols[4]), np.array(cols[5])
    n = len(names)
    pop = Population(
        name="n",
        size=n,
        cell_type="IF_curr_exp",
        parameters={"tau_syn_E": tau_syn, "v_thresh": 1e3},
    )
    proj = Projection(
        pre="s",
        post="n",
        pre_idx=np.arange(n),
        post_idx=np.arange(n),
        weight=np.full(n, W),
        delay=delay,
        receptor="excitatory",
        stp=TsodyksMarkram(U=cols[1], tau_rec=cols[2], tau_facil=cols[3]),
    )
    net = Network(
        populations=(pop,),
        sources=(SpikeTimesSource(name="s", spike_times=tuple(trains)),),
        projections=(proj,),
    )
    t_stop = max(float(t.max()) for t in trains) + 10.0
    trace = tuple(("n", i) for i in range(n))
    config = SimConfig(
        t_stop=t_stop, dt=DT, trace=trace, dtype="float64", delivery="jax"
    )
    rec = simulate(net, config, KEY)
    jax.config.update("jax_enable_x64", before)
    out = {}
    for i, name in enumerate(names):
        i_syn = rec.state_traces["gsyn_exc"][:, i]
        jump = i_syn[1:] - i_syn[:-1] * np.exp(-DT / tau_syn[i])
        out[name] = jump[jump > 1e-12] / W
        assert out[name].size == len(trains[i]), name
    return out


def _steady_release(period, u_par, tau_rec, tau_facil, tau_psc):
    """Release u* x* of NEST's update under a regular train (fixed point, derived).

    u+ = U / (1 - (1 - U) Puu); with y- = u x Pyy / (1 - Pyy) (y decays, gains u x)
    and x- = x+ + Pxy y+ + Pxz (1 - x+ - y+) at the fixed point:
    x* = Pxz / (u + Pxz + u (Pxz Pyy - Pxy) / (1 - Pyy)).
    """
    p_uu = np.exp(-period / tau_facil) if tau_facil > 0 else 0.0
    p_yy = np.exp(-period / tau_psc)
    p_zz = np.exp(-period / tau_rec)
    p_xy = ((p_zz - 1) * tau_rec - (p_yy - 1) * tau_psc) / (tau_psc - tau_rec)
    p_xz = 1 - p_zz
    u = u_par / (1 - (1 - u_par) * p_uu)
    x = p_xz / (u + p_xz + u * (p_xz * p_yy - p_xy) / (1 - p_yy))
    return u * x


@pytest.mark.parametrize("name", ["depressing", "facilitating", "mixed"])
def test_regular_train_reaches_the_closed_form_steady_state(releases, name):
    _, u_par, tau_rec, tau_facil, tau_psc, _ = CASES[name]
    got = releases[name]
    assert got[0] == pytest.approx(u_par, rel=1e-12)  # first spike: u = U, x = 1
    expected = _steady_release(10.0, u_par, tau_rec, tau_facil, tau_psc)
    assert got[-1] == pytest.approx(expected, rel=1e-9)


def test_fast_psc_gives_the_classic_tsodyks_markram_steady_state(releases):
    period, u_par, tau_rec = 20.0, 0.4, 300.0
    e = np.exp(-period / tau_rec)
    classic = u_par * (1 - e) / (1 - (1 - u_par) * e)
    assert releases["classic"][-1] == pytest.approx(classic, rel=1e-3)  # 0.1/300


def test_u_one_releases_everything_then_what_recovered(releases):
    """U = 1: u = 1 at every event, all of x released; between events y decays
    into z (Pyy) and x recovers from y and z (Pxy, Pxz), so x- = Pxy y+ + Pxz (1 -
    y+) with y+ = y- + x-."""
    period, tau_rec, tau_psc = 15.0, 60.0, 5.0
    p_zz, p_yy = np.exp(-period / tau_rec), np.exp(-period / tau_psc)
    p_xy = ((p_zz - 1) * tau_rec - (p_yy - 1) * tau_psc) / (tau_psc - tau_rec)
    x, y, expected = 1.0, 0.0, []
    for _ in range(6):
        expected.append(x)
        y += x
        x, y = p_xy * y + (1 - p_zz) * (1 - y), y * p_yy
    np.testing.assert_allclose(releases["u_one"], expected, rtol=1e-12)


def test_no_facilitation_and_full_recovery_release_u_every_time(releases):
    np.testing.assert_allclose(releases["recovered"], 0.3, rtol=1e-12)


def test_pure_facilitation_follows_the_u_recursion(releases):
    period, u_par, tau_facil = 20.0, 0.1, 100.0
    u, expected = 0.0, []
    for _ in range(8):  # x recovers fully within the 20 ms (e^-40)
        u = u * np.exp(-period / tau_facil)
        u += u_par * (1 - u)
        expected.append(u)
    np.testing.assert_allclose(releases["facilitation_only"], expected, rtol=1e-12)


def test_delay_shifts_the_events_but_not_the_state(releases):
    assert releases["short_delay"].size > 30
    np.testing.assert_array_equal(releases["short_delay"], releases["long_delay"])


def test_equal_tau_psc_and_tau_rec_uses_the_limit(releases):
    h = 10.0 / 5.0
    got = releases["equal_taus"]
    assert got[0] == 1.0
    assert got[1] == pytest.approx(1 - np.exp(-h) * (1 + h), rel=1e-12)


def test_a_continued_run_equals_one_run():
    """The synapses' state crosses the cut (sim.run twice in twin.pynn)."""
    times = 1.0 + 7.0 * np.arange(12)
    stp = TsodyksMarkram(U=0.3, tau_rec=60.0, tau_facil=40.0)
    net = _plastic(
        single_neuron(
            "IF_curr_exp", inputs=[(times, W, 1.5, "excitatory")], v_thresh=1e3
        ),
        stp,
    )

    def config(t_stop, offset=0.0):
        return SimConfig(
            t_stop=t_stop, offset=offset, dt=DT, dtype="float64", trace=(("n", 0),)
        )

    whole = simulate_batch(net, config(90.0), keys=KEY[None]).recordings[0]
    run = simulate_batch(net, config(40.0), keys=KEY[None], keep_final=True)
    second = simulate_batch(net, config(50.0, 40.0), keys=KEY[None], resume=run.final)
    joined = np.concatenate(
        [run.recordings[0].traces[:, 0], second.recordings[0].traces[:, 0]]
    )
    assert np.ptp(whole.traces[:, 0]) > 1.0  # PSPs of a few mV
    np.testing.assert_allclose(joined, whole.traces[:, 0], rtol=1e-12, atol=1e-12)


def test_a_state_without_the_plastic_synapses_is_refused():
    net = single_neuron("IF_curr_exp", inputs=[([1.0, 2.0], W, 1.0, "excitatory")])
    cfg = SimConfig(t_stop=5.0, dt=DT)
    run = simulate_batch(net, cfg, keys=KEY[None], keep_final=True)
    plastic = _plastic(net, TsodyksMarkram(U=0.5, tau_rec=50.0, tau_facil=0.0))
    later = SimConfig(t_stop=5.0, dt=DT, offset=5.0)
    with pytest.raises(ConfigError, match="plastic synapses of shapes"):
        simulate_batch(plastic, later, keys=KEY[None], resume=run.final)


def test_the_stationary_theory_refuses_plastic_synapses():
    from twin.theory.connectivity import inputs_of
    from twin.theory.errors import NotDescribableError

    net = single_neuron(inputs=[([1.0, 2.0], 0.01, 1.0, "excitatory")])
    plastic = _plastic(net, TsodyksMarkram(U=0.5, tau_rec=50.0, tau_facil=0.0))
    name = plastic.projections[0].name
    with pytest.raises(NotDescribableError, match=f"projection {name!r}"):
        inputs_of(plastic)
