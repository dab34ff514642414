"""Current-based cells without NEST: propagators, kernel, mixed networks, validation.

The propagators against the matrix exponential of the linear subthreshold system
(scipy), the singular case tau_m == tau_syn as the limit of its neighbours; the
kernel's step against the propagator product computed here; a network of conductance-
and current-based populations against each population run alone; continued runs;
the weight-sign rules PyNN applies (``pyNN.standardmodels.check_weights``).
"""

import jax
import jax.random as jr
import numpy as np
import pytest
from scipy.linalg import expm

from tests.analog.current_based_cases import cases, twin_network
from tests.analog.helpers import poisson_trains, single_neuron
from twin import Network, NetworkError, Population, Projection
from twin.analog.native.build import compiler
from twin.analog.params import CURRENT_FIELDS, from_network
from twin.analog.propagators import p_current_to_v, p_didt_to_v, propagators
from twin.analog.simulate import SimConfig, simulate, simulate_batch
from twin.network import PoissonSource, SpikeTimesSource

H = 0.1


def _exp_system(tau_syn, tau_m, c_m):
    """d/dt (I, V) for an exponential current: V' = -V/tau_m + I/c_m."""
    return np.array([[-1 / tau_syn, 0.0], [1 / c_m, -1 / tau_m]])


def _alpha_system(tau_syn, tau_m, c_m):
    """d/dt (dI, I, V) for an alpha current."""
    return np.array(
        [
            [-1 / tau_syn, 0.0, 0.0],
            [1.0, -1 / tau_syn, 0.0],
            [0.0, 1 / c_m, -1 / tau_m],
        ]
    )


TAUS = [(2.0, 20.0, 0.25), (0.5, 10.0, 1.0), (5.0, 5.0, 0.2), (30.0, 10.0, 0.5)]


@pytest.mark.parametrize(("tau_syn", "tau_m", "c_m"), TAUS)
def test_propagators_are_the_matrix_exponential(tau_syn, tau_m, c_m):
    e = expm(_exp_system(tau_syn, tau_m, c_m) * H)
    a = expm(_alpha_system(tau_syn, tau_m, c_m) * H)
    args = ([tau_syn], [tau_m], [c_m])
    p_exp = propagators(*args[1:], *args[:1], [tau_syn], [False], H)
    p_alpha = propagators(*args[1:], *args[:1], [tau_syn], [True], H)
    assert p_current_to_v(*args, H)[0] == pytest.approx(e[1, 0], rel=1e-12)
    assert p_didt_to_v(*args, H)[0] == pytest.approx(a[2, 0], rel=1e-9)
    assert p_alpha.v_ie[0] == pytest.approx(a[2, 1], rel=1e-12)
    assert p_alpha.i_de[0] == pytest.approx(a[1, 0], rel=1e-14)
    assert p_exp.i_ie[0] == pytest.approx(e[0, 0], rel=1e-14)
    assert p_exp.v_v[0] == pytest.approx(e[1, 1], rel=1e-14)
    assert 1 + p_alpha.v_v_m1[0] == pytest.approx(a[2, 2], rel=1e-14)
    # a constant current: V(h) = tau_m / c_m (1 - exp(-h/tau_m)) I0, both forms
    i0 = tau_m / c_m * -np.expm1(-H / tau_m)
    assert p_exp.v_i0[0] == pytest.approx(i0, rel=1e-12)
    assert p_alpha.v_i0[0] == pytest.approx(i0, rel=1e-12)
    assert p_exp.v_de[0] == p_exp.v_di[0] == p_exp.i_de[0] == 0.0


@pytest.mark.parametrize("tau", [1.0, 10.0, 100.0])
def test_the_singular_case_is_the_limit_of_its_neighbours(tau):
    """tau_syn == tau_m takes NEST's limit; 1e-6 ms away the regular formula."""
    for f, rel in ((p_current_to_v, 1e-6), (p_didt_to_v, 1e-5)):
        at = f([tau], [tau], [0.3], H)[0]
        near = [f([tau + d], [tau], [0.3], H)[0] for d in (-1e-6, 1e-6)]
        assert np.isfinite(at)
        assert at > 0
        assert at == pytest.approx(np.mean(near), rel=rel)


def test_a_conductance_only_network_carries_no_current_fields():
    p = from_network(single_neuron(), 0.1)
    assert all(getattr(p, k).shape == (0,) for k in CURRENT_FIELDS)
    q = from_network(single_neuron("IF_curr_exp"), 0.1)
    assert all(getattr(q, k).shape == (1,) for k in CURRENT_FIELDS)


def _exact_exp_trace(params, weight, t_in, delay, t_stop):
    """V of an IF_curr_exp neuron after one input spike, by the propagator product."""
    tau_m, c_m, tau_s = params["tau_m"], params["cm"], params["tau_syn_E"]
    m = expm(_exp_system(tau_s, tau_m, c_m) * H)
    x = np.array([0.0, 0.0])  # (I, V - v_rest)
    out = []
    # NEST's timing: stamp t_in / H, delivered at the start of step stamp + delay;
    # V at the end of that step feels it
    arrive = round((t_in + delay) / H)
    for k in range(round(t_stop / H)):
        if k == arrive:
            x[0] += weight
        x = m @ x
        out.append(x[1] + params["v_rest"])
    return np.array(out)


def test_one_psp_is_the_propagator_product():
    params = {"cm": 0.25, "tau_m": 10.0, "tau_syn_E": 3.0, "v_rest": -65.0}
    net = single_neuron("IF_curr_exp", [([5.0], 0.5, 1.0, "excitatory")], **params)
    rec = simulate(
        net, SimConfig(t_stop=40.0, dtype="float64", trace=(("n", 0),)), jr.PRNGKey(0)
    )
    expected = _exact_exp_trace(params, 0.5, 5.0, 1.0, 40.0)
    np.testing.assert_allclose(rec.traces[:, 0], expected, rtol=0, atol=1e-10)
    assert rec.traces[:, 0].max() > -64.0  # a PSP of about a mV


def _mixed(seed):
    """IF_cond_exp, IF_curr_exp and IF_curr_alpha populations, each its own input."""
    pops, sources, projs = [], [], []
    for k, (name, cell, w_e, w_i) in enumerate(
        [
            ("cond", "IF_cond_exp", 0.01, 0.02),
            ("cexp", "IF_curr_exp", 0.6, -0.4),
            ("calpha", "IF_curr_alpha", 0.6, -0.4),
        ]
    ):
        pops.append(Population(name=name, size=4, cell_type=cell))
        for j, (receptor, w) in enumerate((("excitatory", w_e), ("inhibitory", w_i))):
            src = f"{name}_{receptor}"
            trains = poisson_trains(3000.0 - 1500 * j, 300.0, seed + 10 * k + j, n=4)
            sources.append(SpikeTimesSource(name=src, spike_times=tuple(trains)))
            projs.append(
                Projection(
                    pre=src,
                    post=name,
                    pre_idx=np.arange(4),
                    post_idx=np.arange(4),
                    weight=np.full(4, w),
                    delay=np.full(4, 1.0),
                    receptor=receptor,
                )
            )
    return pops, sources, projs


def _alone(pops, sources, projs, name):
    keep = [p for p in projs if p.post == name]
    used = {p.pre for p in keep}
    return Network(
        populations=tuple(p for p in pops if p.name == name),
        sources=tuple(s for s in sources if s.name in used),
        projections=tuple(keep),
    )


def test_a_mixed_network_runs_each_kind_as_it_runs_alone():
    pops, sources, projs = _mixed(5)
    mixed = Network(
        populations=tuple(pops), sources=tuple(sources), projections=tuple(projs)
    )
    trace = tuple((p.name, i) for p in pops for i in range(4))
    config = SimConfig(t_stop=300.0, dtype="float64", trace=trace)
    together = simulate(mixed, config, jr.PRNGKey(0))
    for k, pop in enumerate(pops):
        alone_net = _alone(pops, sources, projs, pop.name)
        cfg = SimConfig(
            t_stop=300.0, dtype="float64", trace=tuple((pop.name, i) for i in range(4))
        )
        alone = simulate(alone_net, cfg, jr.PRNGKey(0))
        spikes = together.spiketrains(pop.name)
        assert sum(s.size for s in spikes) > 0
        for a, b in zip(spikes, alone.spiketrains(pop.name), strict=True):
            np.testing.assert_array_equal(a, b)
        for name, trace_ in alone.state_traces.items():  # the compiled programs
            np.testing.assert_allclose(  # differ: the last bits may too
                together.state_traces[name][:, 4 * k : 4 * k + 4],
                trace_,
                rtol=1e-13,
                atol=1e-13,
                err_msg=name,
            )


def test_two_runs_continue_one_another_exactly():
    """IF_curr_alpha: its state includes the currents' derivatives."""
    net = twin_network("IF_curr_alpha", cases(7))
    key = jr.PRNGKey(0)[None]
    trace = tuple(("n", i) for i in range(net.n_neurons))

    def config(t_stop, offset=0.0):
        return SimConfig(t_stop=t_stop, offset=offset, dtype="float64", trace=trace)

    whole = simulate_batch(net, config(200.0), keys=key).recordings[0]
    run = simulate_batch(net, config(137.0), keys=key, keep_final=True)
    second = simulate_batch(
        net, config(63.0, offset=137.0), keys=key, resume=run.final
    ).recordings[0]
    first = run.recordings[0]
    assert whole.times.size > 20
    np.testing.assert_allclose(
        np.concatenate([first.times, second.times + 137.0]), whole.times, atol=1e-9
    )
    np.testing.assert_array_equal(np.concatenate([first.ids, second.ids]), whole.ids)
    for name, trace_ in whole.state_traces.items():
        joined = np.vstack([first.state_traces[name], second.state_traces[name]])
        np.testing.assert_allclose(joined, trace_, rtol=0, atol=1e-12, err_msg=name)


@pytest.mark.skipif(
    compiler() is None or jax.default_backend() != "cpu",
    reason="the native delivery needs a C++ compiler and a CPU backend",
)
def test_native_delivery_gives_the_spikes_of_the_jax_delivery():
    """A recurrent mixed network with negative (current) inhibitory weights."""
    rng = np.random.default_rng(3)
    pops = (
        Population(name="a", size=40, cell_type="IF_curr_alpha"),
        Population(name="e", size=40, cell_type="IF_curr_exp"),
        Population(name="c", size=40, cell_type="IF_cond_exp"),
    )
    projs = [
        Projection(
            pre="ext",
            post=p.name,
            pre_idx=np.arange(40),
            post_idx=np.arange(40),
            weight=np.full(40, w),
            delay=np.ones(40),
        )
        for p, w in zip(pops, (1.0, 0.5, 0.012), strict=True)
    ]
    for pre in ("a", "e", "c"):
        for post, w in (("a", -0.8), ("e", -0.4), ("c", 0.02)):
            pre_idx, post_idx = rng.integers(0, 40, (2, 200))
            projs.append(
                Projection(
                    pre=pre,
                    post=post,
                    pre_idx=pre_idx,
                    post_idx=post_idx,
                    weight=np.full(200, w),
                    delay=rng.uniform(0.5, 3.0, 200),
                    receptor="inhibitory",
                )
            )
    net = Network(
        populations=pops,
        sources=(PoissonSource(name="ext", size=40, rate=4000.0),),
        projections=tuple(projs),
    )
    runs = []
    for delivery in ("native", "jax"):
        config = SimConfig(t_stop=200.0, dtype="float64", delivery=delivery)
        runs.append(simulate(net, config, jr.PRNGKey(4)))
    native, reference = runs
    assert all(reference.counts[k * 40 : k * 40 + 40].sum() > 0 for k in range(3))
    np.testing.assert_array_equal(native.times, reference.times)
    np.testing.assert_array_equal(native.ids, reference.ids)


def _onto(cell_type, weight, receptor):
    return Network(
        populations=(Population(name="n", size=1, cell_type=cell_type),),
        sources=(SpikeTimesSource(name="s", spike_times=(np.array([1.0]),)),),
        projections=(
            Projection(
                pre="s",
                post="n",
                pre_idx=[0],
                post_idx=[0],
                weight=[weight],
                delay=[1.0],
                receptor=receptor,
            ),
        ),
    )


@pytest.mark.parametrize(
    ("cell_type", "weight", "receptor", "accepted"),
    [
        ("IF_curr_exp", -0.5, "inhibitory", True),
        ("IF_curr_alpha", 0.0, "inhibitory", True),
        ("IF_curr_exp", 0.5, "inhibitory", False),
        ("IF_curr_alpha", 0.5, "excitatory", True),
        ("IF_curr_exp", -0.5, "excitatory", False),
        ("IF_cond_exp", 0.5, "inhibitory", True),
        ("IF_cond_exp", -0.5, "inhibitory", False),
        ("EIF_cond_exp_isfa_ista", -0.5, "excitatory", False),
    ],
)
def test_weight_signs_follow_pynn(cell_type, weight, receptor, accepted):
    if accepted:
        _onto(cell_type, weight, receptor)
    else:
        with pytest.raises(NetworkError, match="weight"):
            _onto(cell_type, weight, receptor)


def test_inhibitory_weights_of_mixed_signs_are_refused():
    with pytest.raises(NetworkError, match="mix signs"):
        Projection(
            pre="s",
            post="n",
            pre_idx=[0, 0],
            post_idx=[0, 0],
            weight=[-0.1, 0.1],
            delay=[1.0, 1.0],
            receptor="inhibitory",
        )


def test_current_based_cells_have_pynn_defaults_and_nest_bounds():
    pop = Population(name="n", size=1, cell_type="IF_curr_alpha")
    assert pop.parameters["tau_syn_E"][0] == 0.5
    assert "e_rev_E" not in pop.parameters
    assert "g_sat_E" not in pop.parameters
    with pytest.raises(NetworkError, match="iaf_psc_exp: V_reset < V_th"):
        Population(
            name="n", size=1, cell_type="IF_curr_exp", parameters={"v_reset": -50.0}
        )
