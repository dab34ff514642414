"""``resolve_neurons``: the fixed point with every neuron's own presynaptic rates.

Checks: the fixed-point equation itself with input sums built independently from
the projections; the limits in which the population closure is exact (identical
neurons; no recurrent synapses); the scaled variants; non-convergence reported,
never a rate that looks valid.
"""

import dataclasses

import numpy as np
import pytest

from twin.network import Network, PoissonSource, Population, Projection, Receptor
from twin.theory import TheoryInputError, rates_of
from twin.theory.conductance import Drive, Neurons, neuron_rates
from twin.theory.neuron_resolved import TOLERANCE_HZ, Synapses, resolve_neurons

RNG_SEED = 5


def _ei(varied: bool, recurrent: bool = True) -> Network:
    """E (40) and I (10) neurons, fixed in-degrees, Poisson sources on both receptors.

    ``varied``: thresholds, weights and source rates spread.
    """
    rng = np.random.default_rng(RNG_SEED)
    sizes = {"e": 40, "i": 10, "ext": 60}
    spread = rng.normal(0.0, 1.5, 50) if varied else np.zeros(50)
    pops = (
        Population(name="e", size=40, parameters={"v_thresh": -50.0 + spread[:40]}),
        Population(name="i", size=10, parameters={"v_thresh": -50.0 + spread[40:]}),
    )
    rate = rng.uniform(5.0, 15.0, 60) if varied else 10.0
    ext = PoissonSource(name="ext", size=60, rate=rate)
    projections = []
    table: tuple[tuple[str, int, float, Receptor], ...] = (
        ("e", 8, 0.01, "excitatory"),
        ("i", 4, 0.03, "inhibitory"),
        ("ext", 20, 0.016, "excitatory"),
        ("ext", 5, 0.005, "inhibitory"),
    )
    for pre, k, w, receptor in table:
        if pre != "ext" and not recurrent:
            continue
        for post in ("e", "i"):
            pre_idx = rng.integers(0, sizes[pre], k * sizes[post])
            post_idx = np.repeat(np.arange(sizes[post]), k)
            weight = np.full(pre_idx.size, w)
            if varied:
                weight = weight * rng.uniform(0.5, 1.5, pre_idx.size)
            projections.append(
                Projection(
                    pre=pre,
                    post=post,
                    pre_idx=pre_idx,
                    post_idx=post_idx,
                    weight=weight,
                    delay=np.full(pre_idx.size, 1.0),
                    receptor=receptor,
                    name=f"{pre}->{post} {receptor}",
                )
            )
    return Network(populations=pops, sources=(ext,), projections=tuple(projections))


def _drive_by_hand(network: Network, rates: np.ndarray, g: float, r: float) -> Drive:
    """Input sums of every neuron from its synapses, one synapse at a time."""
    offset = {"e": 0, "i": 40}
    first, second = np.zeros((50, 2)), np.zeros((50, 2))
    for proj in network.projections:
        x = 0 if proj.receptor == "excitatory" else 1
        w = proj.weight * (g if x == 1 else 1.0)
        if network.is_source(proj.pre):
            source = network.source(proj.pre)
            assert isinstance(source, PoissonSource)
            nu = np.broadcast_to(source.rate, (60,))[proj.pre_idx] * r
        else:
            nu = rates[offset[proj.pre] + proj.pre_idx]
        for post, wi, ni in zip(proj.post_idx + offset[proj.post], w, nu, strict=True):
            first[post, x] += wi * ni
            second[post, x] += wi * wi * ni
    return Drive(first, second)


def _cells(network: Network) -> Neurons:
    parts = [Neurons.of(p) for p in network.populations]
    return Neurons(
        *(
            np.concatenate([getattr(c, f.name) for c in parts])
            for f in dataclasses.fields(Neurons)
        )
    )


@pytest.mark.parametrize(("g", "r"), [(1.0, 1.0), (2.0, 1.5)])
def test_every_neuron_fires_at_its_rate_for_its_own_presynaptic_rates(g, r):
    """nu_i = phi_i(sum_j w_ij nu_j + ext) with sums built synapse by synapse; the
    iteration's tolerance (1e-4 Hz per step at damping 0.5) bounds the residual."""
    network = _ei(varied=True)
    (got,) = resolve_neurons(network, g, r)
    assert got.converged
    phi = neuron_rates(_cells(network), _drive_by_hand(network, got.neuron_rates, g, r))
    np.testing.assert_allclose(phi, got.neuron_rates, rtol=0, atol=5 * TOLERANCE_HZ)
    np.testing.assert_allclose(
        got.rates,
        [got.neuron_rates[:40].mean(), got.neuron_rates[40:].mean()],
        rtol=1e-12,
    )


def test_identical_neurons_have_the_population_fixed_point():
    """No spread and fixed in-degrees: every neuron's input is the population's, so
    the neuron-resolved fixed point is the population closure's (exact limit)."""
    network = _ei(varied=False)
    (got,) = resolve_neurons(network)
    assert got.converged
    np.testing.assert_allclose(
        got.rates, got.population.stationary.rates, rtol=1e-6, atol=1e-6
    )
    assert np.ptp(got.neuron_rates[:40]) < 1e-9


def test_without_recurrent_synapses_the_closures_agree_neuron_by_neuron():
    """Only Poisson input: nothing to resolve; each neuron's rate is its transfer at
    its own source input, the same as the population closure's."""
    network = _ei(varied=True, recurrent=False)
    (got,) = resolve_neurons(network)
    closure = rates_of(network, neurons="each")  # every neuron's own rate
    assert got.converged
    assert got.iterations == 1
    np.testing.assert_allclose(
        got.neuron_rates,
        np.concatenate([closure.neuron_rates["e"], closure.neuron_rates["i"]]),
        rtol=1e-12,
    )


def test_a_batch_is_each_variant_alone():
    network = _ei(varied=True)
    g = np.array([0.5, 1.0, 2.0])
    batch = resolve_neurons(network, g, 1.2)
    assert len(batch) == 3
    for gi, got in zip(g, batch, strict=True):
        (one,) = resolve_neurons(network, gi, 1.2)
        np.testing.assert_allclose(got.rates, one.rates, rtol=1e-6)


def test_synapses_sum_duplicate_connections():
    """A pair connected twice (in-degree drawn with replacement) counts twice."""
    network = _ei(varied=True)
    syn = Synapses.of(network)
    ones = np.ones((1, 50))
    drive = syn.drive(ones, _unit_scales())
    by_hand = _drive_by_hand(network, ones[0], 1.0, 1.0)
    np.testing.assert_allclose(drive.first[0], by_hand.first, rtol=1e-12)
    np.testing.assert_allclose(drive.second[0], by_hand.second, rtol=1e-12)


def _unit_scales():
    from twin.theory.connectivity import Scales

    return Scales.of(np.ones(1), np.ones(1))


def test_an_unconverged_iteration_gives_no_rate():
    (got,) = resolve_neurons(_ei(varied=True), max_iterations=1)
    assert not got.converged
    assert got.iterations == 1
    assert np.all(np.isnan(got.rates_or_nan()))
    with pytest.raises(TheoryInputError, match="not converged"):
        _ = got.rates


def test_bad_options_are_refused_by_name():
    with pytest.raises(TheoryInputError, match="damping"):
        resolve_neurons(_ei(varied=False), damping=0.0)
    with pytest.raises(TheoryInputError, match="max_iterations"):
        resolve_neurons(_ei(varied=False), max_iterations=0)


def test_a_point_without_a_stable_population_fixed_point_is_not_iterated():
    """Strong recurrent excitation, weak drive: silent and saturated states are both
    stable (multistable closure): no start, no iteration, NaN rates."""
    rng = np.random.default_rng(RNG_SEED)
    pop = Population(name="e", size=30, parameters={})
    ext = PoissonSource(name="ext", size=30, rate=2.0)
    projections = tuple(
        Projection(
            pre=pre,
            post="e",
            pre_idx=rng.integers(0, 30, 600),
            post_idx=np.repeat(np.arange(30), 20),
            weight=np.full(600, w),
            delay=np.full(600, 1.0),
            receptor="excitatory",
            name=pre,
        )
        for pre, w in (("e", 0.02), ("ext", 0.016))
    )
    network = Network(populations=(pop,), sources=(ext,), projections=projections)
    (got,) = resolve_neurons(network)
    assert not got.population.stationary.ok
    assert not got.converged
    assert got.iterations == 0
    assert np.all(np.isnan(got.neuron_rates))
    assert np.all(np.isnan(got.rates_or_nan()))
