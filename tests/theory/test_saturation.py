"""Mean saturation (twin.theory.saturation): the factor, its limits, the solve."""

import numpy as np
import pytest

from twin.network import Network, PoissonSource, Population, Projection
from twin.theory import rates_of
from twin.theory.saturation import (
    linearised,
    mean_factors,
    saturated_rates,
    saturating,
)

N, K, W, TAU = 40, 200, 0.004, 5.0  # neurons, inputs each, µS, ms (tau_syn_E)


def _driven(rate=20.0, g_sat=np.inf):
    """Neurons driven by Poisson inputs only: no recurrence, the mean is known."""
    rng = np.random.default_rng(3)
    pop = Population(
        name="p",
        size=N,
        parameters={"tau_syn_E": TAU, "g_sat_E": g_sat, "g_sat_I": np.inf},
    )
    ext = PoissonSource(name="ext", size=400, rate=rate)
    proj = Projection(
        pre="ext",
        post="p",
        pre_idx=rng.integers(0, 400, N * K),
        post_idx=np.repeat(np.arange(N), K),
        weight=np.full(N * K, W),
        delay=np.full(N * K, 1.0),
        receptor="excitatory",
    )
    return Network(populations=(pop,), sources=(ext,), projections=(proj,))


def test_factor_is_tanh_over_its_argument_and_one_where_linear():
    np.testing.assert_allclose(mean_factors(np.array(0.15), np.array(0.15)), np.tanh(1))
    x = np.array([1e-6, 0.5, 2.0, 10.0])
    np.testing.assert_allclose(mean_factors(0.2 * x, 0.2), np.tanh(x) / x, rtol=1e-12)
    assert mean_factors(np.array(0.3), np.array(np.inf)) == 1.0
    assert mean_factors(np.array(0.0), np.array(0.1)) == 1.0
    # saturated mean conductance g_sat tanh(g/g_sat) is bounded by g_sat
    g = np.array([0.01, 0.1, 1.0, 100.0])
    assert np.all(g * mean_factors(g, 0.1) <= 0.1)


def test_feedforward_neurons_get_the_analytic_factor():
    """Without recurrence the factor is fixed by the input: m = tanh(x)/x exactly."""
    g_sat, rate = 0.05, 40.0
    network = _driven(rate, g_sat)
    assert saturating(network)
    got, linear = saturated_rates(network)
    g_mean = K * W * rate * TAU * 1e-3  # µS: tau sum w nu (Campbell)
    m = np.tanh(g_mean / g_sat) / (g_mean / g_sat)
    np.testing.assert_allclose(linear.projections[0].weight, W * m, rtol=1e-12)
    assert np.isinf(linear.populations[0].parameters["g_sat_E"]).all()
    scaled = _driven(rate)
    scaled = scaled.replace(
        projections=(scaled.projections[0].replace(weight=np.full(N * K, W * m)),)
    )
    np.testing.assert_allclose(got.rates, rates_of(scaled).rates, rtol=1e-9)
    assert got.rates[0] < rates_of(_driven(rate)).rates[0]  # weaker mean input


def test_infinite_saturation_is_the_linear_network():
    network = _driven(30.0)
    assert not saturating(network)
    got, _ = saturated_rates(network)
    assert got.rates[0] == pytest.approx(rates_of(network).rates[0], rel=1e-9)


def test_linearised_scales_each_synapse_by_its_targets_factor():
    network = _driven()
    factors = {"p": np.stack([np.linspace(0.5, 1.0, N), np.ones(N)], axis=-1)}
    out = linearised(network, factors)
    proj = network.projections[0]
    np.testing.assert_allclose(
        out.projections[0].weight, proj.weight * factors["p"][proj.post_idx, 0]
    )


def test_recurrent_saturation_is_self_consistent():
    """At the solution the factors are those of the rates found (a fixed point)."""
    from twin.theory.connectivity import inputs_of
    from twin.theory.saturation import mean_conductance

    network = _driven(30.0, 0.05)
    pop = network.populations[0]
    rec = Projection(
        pre="p",
        post="p",
        pre_idx=np.random.default_rng(4).integers(0, N, N * 20),
        post_idx=np.repeat(np.arange(N), 20),
        weight=np.full(N * 20, W),
        delay=np.full(N * 20, 1.0),
        receptor="excitatory",
    )
    network = network.replace(projections=(*network.projections, rec))
    got, linear = saturated_rates(network)
    assert got.stationary.ok
    g = mean_conductance(network, inputs_of(network), got.rates)["p"][:, 0]
    m = mean_factors(g, 0.05)
    idx = rec.post_idx
    np.testing.assert_allclose(linear.projections[1].weight, W * m[idx], rtol=1e-3)
    assert pop.name == "p"
