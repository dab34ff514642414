"""examples/brunel_pynn.py builds the model ``twin brunel`` runs, tier by tier.

The script draws through PyNN's API with its own random streams, ``twin brunel``
through ``experiments.brunel.build_network``: the two realisations of one seed differ,
so each drawn quantity is compared as a distribution (two-sample Kolmogorov-Smirnov,
every test at 1e-3 / number of tests), and everything that is not drawn (sizes,
in-degrees, rates, means without variation, initial potentials, recorded neurons,
the rate window) must be equal. The network ``twin brunel`` emulates is its request
at g = 1, eta = 1 moved to the point as the batch does
(``experiments.runs.execute.scaled``).
"""

import sys
import warnings
from pathlib import Path

import neo
import numpy as np
import pytest
import quantities as pq
from scipy import stats

import twin.pynn as sim
from experiments.brunel import NEURON_MEANS
from experiments.brunel.workload import BrunelWorkload
from experiments.runs.analysis import activity
from experiments.runs.execute import scaled

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples"))
from brunel_pynn import build, model_config, rate

SEED, SCALE, T_STOP, G, ETA = 3, 6.0, 1000.0, 8.0, 0.8
#: Drawn neuron parameters (the seed's spreads) and drawn synapse quantities.
DRAWN = ("tau_m", "tau_refrac", "tau_syn_E", "tau_syn_I", "e_rev_E", "e_rev_I")
DRAWN += ("v_thresh", "v_rest", "v_reset")
#: Family-wise level of the distribution tests: each runs at ALPHA / N_TESTS.
ALPHA, N_TESTS = 1e-3, len(DRAWN) + 6 * 3


def _same_distribution(a, b):
    return stats.ks_2samp(a, b).pvalue > ALPHA / N_TESTS


def _script(fidelity, record="all"):
    """The script's network on a tier: parameters, synapses, v0, recorded ids."""
    config = model_config(G, seed=SEED, scale=SCALE, t_stop=T_STOP, fidelity=fidelity)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sim.setup(timestep=config.dt, min_delay=config.dt)
        cells = build(sim, config, record)
        cells["ext"].set(rate=config.replace(eta=ETA).rate_per_source)
        exc, inh, ext = cells["exc"], cells["inh"], cells["ext"]
        order = {c: k for k, c in enumerate((exc + inh).all_cells)}
        params = {k: np.concatenate([p.get(k) * np.ones(p.size) for p in (exc, inh)])
                  for k in NEURON_MEANS}  # fmt: skip
        v0 = np.concatenate(
            [np.asarray(p.initial_values["v"].evaluate()) for p in (exc, inh)]
        )
        synapses = {}
        for proj in sim.simulator.state.structure.projections:
            i, j, w, d = np.array(proj.get(["weight", "delay"], format="list")).T
            post = np.asarray(proj.post.all_cells)[j.astype(int)]
            post = np.array([order[c] for c in post])
            for side, sel, offset in (
                ("exc", post < config.n_exc, 0),
                ("inh", post >= config.n_exc, config.n_exc),
            ):
                synapses[(proj.pre.label, side)] = (
                    i[sel].astype(int), post[sel] - offset, w[sel], d[sel]
                )  # fmt: skip
        recorded = np.array([order[c] for c in cells["recorded"].all_cells])
        rates = np.asarray(ext.get("rate")) * np.ones(ext.size)
        sim.end()
    return config, params, v0, synapses, recorded, rates


def _direct(fidelity, layout="all"):
    """What ``twin brunel`` emulates at the point on a tier, and its recorded ids."""
    workload = BrunelWorkload(layout)
    point = model_config(G, seed=SEED, scale=SCALE, t_stop=T_STOP).replace(eta=ETA)
    request = workload.request(point, fidelity, layout)
    network = scaled(request.network, workload.variant(point))
    params = {
        k: np.concatenate([p.parameters[k] for p in network.populations])
        for k in NEURON_MEANS
    }
    v0 = params["v_rest"] if request.v0 is None else request.v0
    synapses = {
        (p.pre, p.post): (p.pre_idx, p.post_idx, p.weight, p.delay)
        for p in network.projections
    }
    rates = network.source("ext").rate * np.ones(network.source("ext").size)
    return point, params, v0, synapses, workload.recorded(point, layout), rates


@pytest.fixture(scope="module")
def ideal():
    return _script("ideal"), _direct("ideal")


def test_drawn_neuron_parameters_have_one_distribution(ideal):
    (config, params, *_), (_, direct, *_) = ideal
    for key in NEURON_MEANS:
        assert params[key].size == direct[key].size == config.n_neurons
        if key in DRAWN:
            assert params[key].std() > 0
            assert _same_distribution(params[key], direct[key]), key
        else:  # not varied: the mean everywhere
            assert np.all(params[key] == direct[key]), key
    for side in (params, direct):  # the redraw rules: NEST's and the seed's bound
        assert np.all(side["v_reset"] < side["v_thresh"])
        assert side["v_reset"].max() <= 0.9 * NEURON_MEANS["v_thresh"]


def test_synapses_have_one_distribution_and_equal_in_degrees(ideal):
    (config, _, _, synapses, _, _), (_, _, _, direct, _, _) = ideal
    assert synapses.keys() == direct.keys()
    k = {"exc": config.c_exc, "inh": config.c_inh, "ext": config.c_ext}
    n = {"exc": config.n_exc, "inh": config.n_inh}
    for (pre, post), arrays in synapses.items():
        for _, post_idx, _, _ in (arrays, direct[(pre, post)]):
            assert np.all(np.bincount(post_idx, minlength=n[post]) == k[pre])
        (a_pre, _, a_w, a_d), (b_pre, _, b_w, b_d) = arrays, direct[(pre, post)]
        assert _same_distribution(a_pre, b_pre), (pre, post, "sources")
        assert _same_distribution(a_w, b_w), (pre, post, "weights")
        grid = config.dt  # delays as realised on the step grid, on both sides
        a_d, b_d = np.round(a_d / grid) * grid, np.round(b_d / grid) * grid
        assert _same_distribution(a_d, b_d), (pre, post, "delays")


def test_input_rates_initial_potentials_and_recorded_neurons_are_equal(ideal):
    (_, params, v0, _, recorded, rates), direct = ideal
    _, d_params, d_v0, _, d_recorded, d_rates = direct
    assert np.allclose(rates, d_rates, rtol=1e-12)
    assert np.array_equal(v0, params["v_rest"])  # each neuron at its own rest
    assert np.array_equal(d_v0, d_params["v_rest"])
    assert np.array_equal(recorded, d_recorded)
    *_, recorded_30, _ = _script("ideal", "30")
    assert np.array_equal(recorded_30, _direct("ideal", "30")[4])


def test_hardware_tier_is_given_the_means_on_both_paths():
    (config, params, _, synapses, _, _), direct = (
        _script("hardware"),
        _direct("hardware"),
    )
    _, d_params, _, d_synapses, _, _ = direct
    for key, mean in NEURON_MEANS.items():
        assert np.all(params[key] == mean), key
        assert np.all(d_params[key] == mean), key
    means = {
        "exc": config.exc_weight,
        "inh": config.inh_weight,
        "ext": config.exc_weight,
    }
    for (pre, post), (*_, w, _) in synapses.items():
        assert np.allclose(w, means[pre], rtol=1e-12), (pre, post)
        assert np.allclose(d_synapses[(pre, post)][2], means[pre], rtol=1e-12)


def _block(times, ids, n, t_stop):
    trains = [
        neo.SpikeTrain(
            times[ids == i] * pq.ms, t_start=0 * pq.ms, t_stop=t_stop * pq.ms
        )
        for i in range(n)
    ]
    segment = neo.Segment()
    segment.spiketrains = trains
    block = neo.Block()
    block.segments.append(segment)
    return block


def test_the_rate_is_twin_brunels_rate_over_its_window():
    """The script's ``rate`` over the config's window is ``activity(...).rate``,
    spikes on the window's edges included, on random spikes with a silent neuron."""
    config = model_config(G, seed=SEED, scale=SCALE, t_stop=1500.0)
    window, t_stop = config.analysis_window, config.t_stop
    rng = np.random.default_rng(0)
    times = np.concatenate(
        [rng.uniform(0, t_stop, 400), [t_stop - window, t_stop, 0.1]]
    ).round(1)
    ids = rng.integers(0, 9, times.size)  # neuron 9 of 10 is silent
    block = _block(times, ids, 10, t_stop)
    direct = activity(times, ids, np.arange(10), t_stop, window=window).rate
    assert rate(block, t_stop, window) == pytest.approx(direct, rel=1e-12)
