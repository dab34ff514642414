"""The cubature over the neurons' parameter spreads against the per-neuron mean.

The reference is the exact population rate, the mean over every neuron's own rate
(``neurons="each"``), for the seed network with the model's parameter and weight
spreads (every one of its 2,083 neurons distinct).
"""

import numpy as np
import pytest

from experiments.brunel import SEED_ETAS, SEED_GS, BrunelConfig
from experiments.brunel.theory import plane_network
from twin.theory import TheoryInputError, rates_over
from twin.theory.conductance import Neurons, neuron_rates
from twin.theory.connectivity import Scales, inputs_of
from twin.theory.cubature import (
    NODES,
    PROBES_PER_NODE,
    TOLERANCE,
    anchor_probes,
    cubature_group,
)
from twin.theory.plane_groups import Joined, NeuronGroup

#: Relative difference of the self-consistent rates allowed: the transfer's
#: TOLERANCE amplified by 1 / (1 - F') where the fixed point is sensitive (g 4).
FIXED_POINT_TOLERANCE = 0.05


@pytest.fixture(scope="module")
def spread():
    """The seed network with spreads, its grid, and the exact fixed points there."""
    network = plane_network(BrunelConfig(variation=True))
    g, eta = (x.ravel() for x in np.meshgrid(SEED_GS, SEED_ETAS, indexing="ij"))
    exact = rates_over(network, g, eta, neurons="each")
    assert all(r.stationary.ok for r in exact)
    at = np.array([r.stationary.stable[0].rates for r in exact])
    return network, g, eta, exact, at


def _groups(network, g, eta, nodes):
    names = [p.name for p in network.populations]
    inputs = inputs_of(network)
    cells = {p.name: Neurons.of(p) for p in network.populations}
    exact = [NeuronGroup.distinct(cells[k], inputs[k]) for k in names]
    means = [NeuronGroup.mean(cells[k], inputs[k]) for k in names]
    probes = anchor_probes(means, names, g, eta, PROBES_PER_NODE * nodes)
    return exact, [cubature_group(e, probes, nodes) for e in exact]


def _transfer_error(spread, nodes):
    network, g, eta, _, at = spread
    exact, cubature = _groups(network, g, eta, nodes)
    scales = Scales.of(g, eta)
    reference = Joined.of(exact).population_rates(at, scales)
    return float(
        np.max(np.abs(Joined.of(cubature).population_rates(at, scales) / reference - 1))
    )


def test_transfer_within_tolerance_and_converging(spread):
    """At the grid's exact fixed points: within TOLERANCE at NODES; error falls."""
    errors = {n: _transfer_error(spread, n) for n in (8, NODES, 64)}
    assert errors[NODES] < TOLERANCE, errors
    assert errors[64] < errors[NODES] < errors[8], errors
    assert errors[64] < TOLERANCE / 4, errors


def test_weights_are_a_rule(spread):
    """At most ``nodes`` real neurons, non-negative weights summing to 1."""
    network, g, eta, _, _ = spread
    exact, cubature = _groups(network, g, eta, 12)
    for full, group in zip(exact, cubature, strict=True):
        assert 1 <= group.share.size <= 12
        assert np.all(group.share > 0)
        assert group.share.sum() == pytest.approx(1.0, abs=1e-12)
        assert group.inverse.shape == full.inverse.shape
        # every node is one of the population's own neurons
        nodes = np.stack([group.cells.v_thresh, group.cells.tau_m], axis=1)
        own = np.stack([full.cells.v_thresh, full.cells.tau_m], axis=1)
        assert all(np.any(np.all(own == row, axis=1)) for row in nodes)


def test_few_distinct_neurons_are_exact():
    """Without spreads every population is one neuron: the cubature changes nothing."""
    network = plane_network(BrunelConfig(variation=False))
    g, eta = np.array([8.0, 10.0]), np.array([2.0, 1.6])
    each = rates_over(network, g, eta, neurons="each")
    cubature = rates_over(network, g, eta)
    for a, b in zip(each, cubature, strict=True):
        np.testing.assert_array_equal(a.rates, b.rates)


def test_fixed_points_near_the_exact(spread):
    """The default solve's rates against the per-neuron one, every grid point."""
    network, g, eta, _, at = spread
    found = rates_over(network, g, eta)
    got = np.array([r.stationary.stable[0].rates for r in found])
    np.testing.assert_allclose(got, at, rtol=FIXED_POINT_TOLERANCE)


def test_nodes_must_be_positive(spread):
    with pytest.raises(TheoryInputError, match="nodes = 0"):
        rates_over(spread[0], nodes=0)


def test_each_neurons_own_rate_is_read_at_the_fixed_point(spread):
    """``neuron_rates``: every neuron's own rate at the cubature's fixed point (not
    its node's); their mean is the population rate within the rule's TOLERANCE."""
    network = spread[0]
    (found,) = rates_over(network, 8.0, 2.4)
    inputs = inputs_of(network)
    scales = Scales.of(np.array(8.0), np.array(2.4))
    for k, pop in enumerate(network.populations):
        own = neuron_rates(
            Neurons.of(pop), inputs[pop.name].drive_over(found.rates, scales)
        )
        np.testing.assert_allclose(found.neuron_rates[pop.name], own, rtol=1e-12)
        assert own.mean() == pytest.approx(found.rates[k], rel=TOLERANCE)
