"""The prepared evaluation against the effective-LIF formulas it rearranges.

Reference: :func:`twin.theory.conductance.neuron_rates` (the module's formulas written
as they are derived, through :func:`twin.theory.siegert.siegert_rate`) for the same
neurons and input sums; the two differ only in the order of the arithmetic.
"""

import numpy as np
import pytest

from experiments.brunel import BrunelConfig
from experiments.brunel.theory import plane_network
from twin.theory import TheoryInputError
from twin.theory.conductance import Neurons, neuron_rates
from twin.theory.connectivity import Scales, inputs_of
from twin.theory.plane_groups import NeuronGroup
from twin.theory.prepared import PreparedNeurons

#: Relative difference allowed: rounding of a few dozen operations, amplified where
#: the rate is far below threshold (it falls as exp(-y^2), y up to ~10 here).
ROUNDING = 1e-11


@pytest.fixture(scope="module")
def spread():
    """Each population's distinct neurons of the seed network with spreads."""
    network = plane_network(BrunelConfig(variation=True))
    inputs = inputs_of(network)
    return [
        NeuronGroup.distinct(Neurons.of(p), inputs[p.name]) for p in network.populations
    ]


def _operating_points(count, seed=3):
    rng = np.random.default_rng(seed)
    rates = rng.uniform(0.0, 300.0, (count, 2))
    return rates, Scales.of(rng.uniform(0.5, 10.0, count), rng.uniform(0.3, 4.0, count))


def test_equals_the_formulas(spread):
    """Every neuron of both populations at points from silence to ~300 Hz and
    g 0.5 .. 10, mean-driven and fluctuation-driven (both Siegert cases)."""
    rates, scales = _operating_points(40)
    for group in spread:
        reference = neuron_rates(group.cells, group.inputs.drive_over(rates, scales))
        got = PreparedNeurons.of(group.cells, group.inputs).rates(rates, scales)
        assert got.shape == reference.shape == (40, group.share.size)
        firing = reference > 1e-200
        np.testing.assert_allclose(got[firing], reference[firing], rtol=ROUNDING)
        assert np.all(got[~firing] < 1e-190)
        assert 0 < firing.mean() < 1 or firing.all()


def test_broadcasts_and_single_point(spread):
    """A single operating point (``scales.shape == ()``) and a leading copy axis."""
    group = spread[0]
    prepared = PreparedNeurons.of(group.cells, group.inputs)
    rates, scales = _operating_points(3)
    batch = prepared.rates(rates, scales)
    one = prepared.rates(rates[1], scales.at(1))
    np.testing.assert_allclose(one, batch[1], rtol=1e-14)
    copies = prepared.rates(np.stack([rates, rates[::-1]]), scales)
    np.testing.assert_allclose(copies[0], batch, rtol=1e-14)


def test_without_input_is_the_noiseless_rate(spread):
    """No input at all (sigma 0): the deterministic LIF rate, as the formulas."""
    group = spread[0]
    scales = Scales.of(np.ones(1), np.zeros(1))
    silent = np.zeros((1, 2))
    reference = neuron_rates(group.cells, group.inputs.drive_over(silent, scales))
    got = PreparedNeurons.of(group.cells, group.inputs).rates(silent, scales)
    np.testing.assert_array_equal(got, reference)


def test_adaptation_goes_the_general_way(spread):
    """Spike-triggered adaptation (b > 0) is the formulas' own bisection."""
    group = spread[0]
    cells = Neurons(
        **{
            f: getattr(group.cells, f) if f != "b" else np.full(group.cells.size, 0.02)
            for f in Neurons.__slots__
        }
    )
    rates, scales = _operating_points(4)
    reference = neuron_rates(cells, group.inputs.drive_over(rates, scales))
    got = PreparedNeurons.of(cells, group.inputs).rates(rates, scales)
    np.testing.assert_array_equal(got, reference)


def test_refuses_reset_above_threshold(spread):
    group = spread[0]
    cells = Neurons(
        **{
            f: getattr(group.cells, f) if f != "v_reset" else group.cells.v_thresh + 1.0
            for f in Neurons.__slots__
        }
    )
    with pytest.raises(TheoryInputError, match="v_reset < theta"):
        PreparedNeurons.of(cells, group.inputs)
