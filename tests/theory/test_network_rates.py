"""``rates_of`` a twin Network: formulas, limits, refusals, and the seed network."""

import dataclasses

import numpy as np
import pytest

from twin.errors import UnsupportedError
from twin.network import (
    CurrentStimulus,
    Network,
    PoissonSource,
    Population,
    Projection,
    SpikeTimesSource,
)
from twin.theory import (
    Flag,
    NotDescribableError,
    TheoryInputError,
    noiseless_rate,
    rates_of,
)
from twin.theory.conductance import Drive, Neurons, effective_input, neuron_rates
from twin.theory.connectivity import _per_target, connectivity_kind, inputs_of
from twin.theory.network_rates import rates_over
from twin.theory.neuron_resolved import resolve_neurons
from twin.theory.plane_groups import NeuronGroup

RNG_SEED = 11


def _projection(pre, post, pre_idx, post_idx, weight, receptor="excitatory"):
    pre_idx, post_idx = np.asarray(pre_idx), np.asarray(post_idx)
    return Projection(
        pre=pre,
        post=post,
        pre_idx=pre_idx,
        post_idx=post_idx,
        weight=np.full(pre_idx.size, weight),
        delay=np.full(pre_idx.size, 1.0),
        receptor=receptor,
    )


def _driven(cell_type="IF_cond_exp", k=100, rate=20.0, weight=0.004, **params):
    """One population of 50 neurons, k Poisson inputs each (fixed in-degree)."""
    rng = np.random.default_rng(RNG_SEED)
    n = 50
    pop = Population(name="p", size=n, cell_type=cell_type, parameters=params)
    ext = PoissonSource(name="ext", size=200, rate=rate)
    proj = _projection(
        "ext", "p", rng.integers(0, 200, n * k), np.repeat(np.arange(n), k), weight
    )
    return Network(populations=(pop,), sources=(ext,), projections=(proj,))


def test_effective_input_is_the_conductance_balance():
    """g = A tau, tau_eff = C/g_tot, mu = sum g E/g_tot, sigma^2 = tau_eff sum B J^2."""
    pop = Population(name="p", size=1, parameters={"cm": 0.5, "tau_m": 10.0})
    neurons = Neurons.of(pop)
    a, b = np.array([[2.0, 1.0]]), np.array([[0.01, 0.02]])  # µS Hz, µS² Hz
    eff = effective_input(neurons, Drive(a, b))
    g_e, g_i = 2.0 * 5.0e-3, 1.0 * 5.0e-3  # µS (tau_syn 5 ms)
    g_tot = 0.05 + g_e + g_i
    mu = (0.05 * -65.0 + g_e * 0.0 + g_i * -70.0) / g_tot
    jumps = np.array([(0.0 - mu), (-70.0 - mu)]) * 5.0 / 0.5  # mV per µS
    var = (0.5 / g_tot) * 1e-3 * np.sum(b[0] * jumps**2)
    np.testing.assert_allclose(eff.mu, mu, rtol=1e-13)
    np.testing.assert_allclose(eff.tau_eff, 0.5 / g_tot, rtol=1e-13)
    np.testing.assert_allclose(eff.sigma**2, var, rtol=1e-13)
    np.testing.assert_allclose(eff.tau_s, 5.0)


def test_constant_current_alone_gives_the_deterministic_lif_rate():
    pop = Population(name="p", size=3, parameters={"i_offset": [0.5, 1.0, 2.0]})
    src = PoissonSource(name="ext", size=1, rate=0.0)
    network = Network(populations=(pop,), sources=(src,))
    got = rates_of(network)
    mu = -65.0 + np.array([0.5, 1.0, 2.0]) * 20.0 / 1.0  # v_rest + I R
    expected = noiseless_rate(mu, tau_m=20.0, tau_ref=0.1, theta=-50.0, v_reset=-65.0)
    np.testing.assert_allclose(got.neuron_rates["p"], expected, rtol=1e-12)
    assert got.rates[0] == pytest.approx(expected.mean(), rel=1e-9)


def test_population_rate_is_the_mean_over_neurons_and_mean_neuron_ignores_spread():
    spread = np.linspace(-52.0, -48.0, 50)
    varied = rates_of(_driven(v_thresh=spread), neurons="each")
    assert varied.rates[0] == pytest.approx(varied.neuron_rates["p"].mean(), rel=1e-9)
    assert np.all(np.diff(varied.neuron_rates["p"]) < 0)  # higher threshold, lower rate
    # the default cubature (at most 32 of the 50 neurons) keeps the mean to 1 %
    cubature = rates_of(_driven(v_thresh=spread))
    assert cubature.rates[0] == pytest.approx(varied.rates[0], rel=1e-2)
    same = _driven(v_thresh=-50.0)
    np.testing.assert_allclose(
        rates_of(same).rates, rates_of(same, neurons="mean").rates, rtol=1e-9
    )


def test_spike_triggered_adaptation_lowers_the_rate_self_consistently():
    base = {"delta_T": 0.0, "a": 0.0, "tau_w": 100.0}
    free = rates_of(_driven("EIF_cond_exp_isfa_ista", weight=0.006, b=0.0, **base))
    adapted = rates_of(_driven("EIF_cond_exp_isfa_ista", weight=0.006, b=0.05, **base))
    assert 0 < adapted.rates[0] < free.rates[0]
    assert Flag.EXPONENTIAL_THRESHOLD not in adapted.flags
    eif = rates_of(_driven("EIF_cond_exp_isfa_ista", weight=0.006))
    assert Flag.EXPONENTIAL_THRESHOLD in eif.flags


def test_connectivity_kinds_are_read_from_the_synapses():
    rng = np.random.default_rng(RNG_SEED)
    n_pre, n_post, p = 400, 300, 0.1
    mask = rng.random((n_post, n_pre)) < p
    post, pre = np.nonzero(mask)
    fixed_p = _projection("a", "b", pre, post, 0.001)
    assert connectivity_kind(fixed_p, n_post) == "fixed probability"
    fixed_k = _projection(
        "a",
        "b",
        rng.integers(0, n_pre, n_post * 7),
        np.repeat(np.arange(n_post), 7),
        0.001,
    )
    assert connectivity_kind(fixed_k, n_post) == "fixed in-degree"
    half = post < n_post // 2  # only the first half of the targets
    with pytest.raises(NotDescribableError, match="'a->b'"):
        connectivity_kind(_projection("a", "b", pre[half], post[half], 0.001), n_post)


def test_networks_theory_cannot_describe_are_refused_by_name():
    network = _driven()
    times = SpikeTimesSource(name="times", spike_times=(np.array([1.0]),) * 2)
    proj = _projection("times", "p", [0, 1], [0, 1], 0.001, receptor="inhibitory")
    proj = proj.replace(name="timed input")
    with pytest.raises(NotDescribableError, match="'timed input'"):
        rates_of(
            network.replace(
                sources=(*network.sources, times),
                projections=(*network.projections, proj),
            )
        )
    step = CurrentStimulus(
        name="step",
        population="p",
        index=np.array([0]),
        times=np.array([1.0]),
        amplitudes=np.array([0.1]),
    )
    with pytest.raises(NotDescribableError, match="'step'"):
        rates_of(network.replace(stimuli=(step,)))
    with pytest.raises(NotDescribableError, match="g_sat_E"):
        rates_of(_driven(g_sat_E=0.1))


def _ei(varied, k_fixed=True, n=(40, 10)):
    """E and I populations driven by Poisson sources onto both receptors.

    ``varied``: thresholds, weights and source rates spread; ``k_fixed``: fixed
    in-degree, else fixed probability.
    """
    rng = np.random.default_rng(RNG_SEED)
    sizes = {"e": n[0], "i": n[1], "ext": 60}
    spread = rng.normal(0.0, 1.0, sum(n)) if varied else np.zeros(sum(n))
    params = {"v_thresh": -50.0 + spread}
    pops = tuple(
        Population(name=k, size=sizes[k], parameters={"v_thresh": v})
        for k, v in (
            ("e", params["v_thresh"][: n[0]]),
            ("i", params["v_thresh"][n[0] :]),
        )
    )
    rate = rng.uniform(5.0, 15.0, 60) if varied else 10.0
    ext = PoissonSource(name="ext", size=60, rate=rate)
    projections = []
    for pre, k, w, receptor in (
        ("e", 8, 0.01, "excitatory"),
        ("i", 4, 0.03, "inhibitory"),
        ("ext", 20, 0.016, "excitatory"),
        ("ext", 5, 0.005, "inhibitory"),
    ):
        for post in ("e", "i"):
            if k_fixed:
                pre_idx = rng.integers(0, sizes[pre], k * sizes[post])
                post_idx = np.repeat(np.arange(sizes[post]), k)
            else:
                post_idx, pre_idx = np.nonzero(
                    rng.random((sizes[post], sizes[pre])) < k / sizes[pre]
                )
            proj = _projection(pre, post, pre_idx, post_idx, w, receptor)
            if varied:
                proj = proj.replace(
                    weight=proj.weight * rng.uniform(0.8, 1.2, pre_idx.size)
                )
            projections.append(proj.replace(name=f"{pre}->{post} {receptor}"))
    return Network(populations=pops, sources=(ext,), projections=tuple(projections))


def _scaled(network, g, r):
    """The variant built by hand: inhibitory weights x g, Poisson rates x r."""
    return network.replace(
        projections=tuple(
            p.replace(weight=p.weight * g) if p.receptor == "inhibitory" else p
            for p in network.projections
        ),
        sources=tuple(
            dataclasses.replace(s, rate=np.asarray(s.rate) * r) for s in network.sources
        ),
    )


@pytest.mark.parametrize("varied", [True, False])
def test_rates_over_is_rates_of_each_scaled_network(varied):
    network = _ei(varied)
    g = np.array([[0.5], [1.0], [2.0]])
    r = np.array([0.5, 1.5])
    batch = rates_over(network, g, r, neurons="each")  # exact: no batch-fitted rule
    assert len(batch) == 6
    for got, (gi, ri) in zip(batch, np.broadcast(g, r), strict=True):
        one = rates_of(_scaled(network, gi, ri), neurons="each")
        assert got.flags == one.flags
        assert got.stationary.ok == one.stationary.ok
        np.testing.assert_allclose(
            got.stationary.rates_or_nan(), one.stationary.rates_or_nan(), rtol=1e-9
        )
        for k in ("e", "i"):
            np.testing.assert_allclose(
                got.neuron_rates[k], one.neuron_rates[k], rtol=1e-9, atol=1e-12
            )
            assert got.synaptic_ratio[k] == pytest.approx(
                one.synaptic_ratio[k], rel=1e-9
            )
    default = rates_of(network)
    np.testing.assert_allclose(rates_over(network)[0].rates, default.rates, rtol=0)


@pytest.mark.parametrize("k_fixed", [True, False])
def test_identical_neurons_are_solved_once_and_exactly(k_fixed):
    """Without spread, neurons differ only by their in-degrees: one distinct neuron
    per population with a fixed in-degree, one per in-degree tuple otherwise; every
    neuron's own rate at the solution reproduces the population rate (1e-9)."""
    network = _ei(varied=False, k_fixed=k_fixed)
    inputs = inputs_of(network)
    result = rates_of(network, neurons="each")
    for k, pop in enumerate(network.populations):
        cells = Neurons.of(pop)
        group = NeuronGroup.distinct(cells, inputs[pop.name])
        degrees = np.stack(
            [
                np.bincount(p.post_idx, minlength=pop.size)
                for p in network.projections
                if p.post == pop.name
            ],
            axis=1,
        )
        expected = 1 if k_fixed else len(np.unique(degrees, axis=0))
        assert group.share.size == expected
        every = neuron_rates(cells, inputs[pop.name].drive(result.rates))
        np.testing.assert_allclose(result.neuron_rates[pop.name], every, rtol=1e-9)
        assert every.mean() == pytest.approx(result.rates[k], rel=1e-9)


def test_bad_scales_are_refused_by_name():
    with pytest.raises(TheoryInputError, match="g_scale"):
        rates_over(_ei(False), -1.0, 1.0)
    with pytest.raises(TheoryInputError, match="rate_scale"):
        rates_over(_ei(False), 1.0, np.nan)


@pytest.mark.parametrize("variation", [True, False])
def test_seed_network_matches_the_twins_ideal_tier(variation):
    """Theory vs a 3 s ideal-tier run of the seed network (2083 neurons) at two AI
    points; rates over the last 2 s, per population; the same realisation in both.

    Tolerance 15 % (the issue's target for AI points < 60 Hz). Measured here:
    -7 % to -11 % with variation, -4 % to -6 % without. The neuron-resolved fixed
    point (:mod:`twin.theory.neuron_resolved`) within 10 %: measured -2 % to -6 %
    with variation; without, it is the population closure (identical neurons).
    """
    from experiments.brunel import BrunelConfig, build_network
    from twin.analog import SimConfig, simulate_batch, split_keys

    base = BrunelConfig(g=8.0, eta=1.6, variation=variation)
    points = ((8.0, 1.6), (10.0, 2.4))
    run = simulate_batch(
        build_network(base),
        SimConfig(t_stop=3000.0),
        keys=split_keys(RNG_SEED, 2),
        g_scale=[g / base.g for g, _ in points],
        rate_scale=[eta / base.eta for _, eta in points],
    )
    for recording, (g, eta) in zip(run.recordings, points, strict=True):
        network = build_network(base.replace(g=g, eta=eta))
        theory = rates_of(network)
        (resolved,) = resolve_neurons(network)
        for k, pop in enumerate(("exc", "inh")):
            ids = recording.recorded[pop]
            late = np.isin(recording.ids, ids) & (recording.times >= 1000.0)
            twin_rate = late.sum() / ids.size / 2.0
            assert theory.rates[k] == pytest.approx(twin_rate, rel=0.15), (g, eta, pop)
            assert resolved.rates[k] == pytest.approx(twin_rate, rel=0.10), (g, pop)


@pytest.mark.parametrize("ordered", [True, False])
def test_input_sums_are_the_sums_over_each_targets_synapses(ordered):
    """Per-target sums as np.bincount's, targets without synapses (the last too) 0."""
    rng = np.random.default_rng(RNG_SEED)
    post = np.sort(rng.choice([0, 1, 1, 3, 4, 4, 4, 6], 40))  # 2, 5, 7, 8 empty
    if not ordered:
        post = rng.permutation(post)
    values = rng.random(post.size)
    got = _per_target(post, values, 9)
    np.testing.assert_allclose(got, np.bincount(post, values, 9), rtol=1e-14)
    assert np.all(got[[2, 5, 7, 8]] == 0)
    assert _per_target(post[:0], values[:0], 3).tolist() == [0.0, 0.0, 0.0]


def test_a_batch_solved_in_chunks_is_the_batch_solved_at_once(monkeypatch):
    import twin.theory.network_rates as module

    network = _ei(varied=True)
    g, r = np.array([0.5, 1.0, 2.0]), np.array([[0.5], [1.5]])
    whole = rates_over(network, g, r)
    monkeypatch.setattr(module, "CHUNK", 1)  # one point per chunk
    for a, b in zip(rates_over(network, g, r), whole, strict=True):
        np.testing.assert_allclose(  # the same solve, BLAS rounding apart
            a.stationary.rates_or_nan(), b.stationary.rates_or_nan(), rtol=1e-12
        )
        assert a.flags == b.flags


@pytest.mark.parametrize("cell_type", ["IF_curr_exp", "IF_curr_alpha", "IF_cond_alpha"])
def test_cells_without_exponential_conductances_are_refused_not_approximated(
    cell_type,
):
    # The conductance theory describes exponential conductances only; an alpha
    # conductance or a current-based synapse must not be solved as if it were one.
    network = _driven(cell_type=cell_type)
    with pytest.raises(UnsupportedError, match=f"'p' is {cell_type}"):
        rates_of(network)
    with pytest.raises(UnsupportedError, match="the theory tiers"):
        resolve_neurons(network)
