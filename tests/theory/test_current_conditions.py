"""``current_rates``: the current-based solve carries the conductance path's flags.

The numbers behind each flag are formulas of the couplings (sqrt(tau_syn / tau_m),
|J| / (theta - v_reset), nu tau_ref), checked here against the flags set.
"""

import dataclasses

import numpy as np

from tests.theory.test_current import model_a
from twin.theory import (
    FAST_SYNAPSE_LIMIT,
    REGULAR_LIMIT,
    SMALL_PSP_LIMIT,
    Flag,
    current_rates,
    solve_rates,
)


def _with(network, **changes):
    pops = tuple(dataclasses.replace(p, **changes) for p in network.populations)
    return dataclasses.replace(network, populations=pops)


def test_model_a_at_the_ai_point_is_unflagged_and_the_plain_solve():
    network = model_a(5.0, 2.0)
    (found,) = current_rates(network)
    (plain,) = solve_rates(network.transfer, network.names)
    assert found.flags == frozenset()
    np.testing.assert_array_equal(found.rates, plain.rates)
    synaptic, psp, busy = network.conditions(found.rates)
    np.testing.assert_array_equal(synaptic, 0.0)  # delta synapses
    np.testing.assert_allclose(psp, 5.0 * 0.1 / 10.0)  # |-g J| / (theta - v_reset)
    np.testing.assert_allclose(busy, found.rates * 2.0e-3)


def test_regular_firing_is_flagged_at_the_refractory_limit():
    """Weak inhibition, strong drive (Brunel's SR region): nu tau_ref above 0.5."""
    g, eta = np.array([3.0, 5.0]), np.array([4.0, 2.0])
    found = current_rates(model_a(g, eta))
    for point in found:
        busy = point.stable[0].rates.max() * 2.0e-3
        assert (Flag.REGULAR_FIRING in point.flags) == (busy > REGULAR_LIMIT)
    assert Flag.REGULAR_FIRING in found[0].flags
    assert Flag.REGULAR_FIRING not in found[1].flags
    assert not found[0].readable  # no rate to read: rates_or_nan is NaN
    assert np.isnan(found[0].rates_or_nan()).all()


def test_slow_synapses_and_large_psps_are_caveats():
    slow = _with(model_a(5.0, 2.0), tau_syn=0.3 * 20.0)  # sqrt(0.3) > 0.5
    (found,) = current_rates(slow)
    assert np.sqrt(0.3) > FAST_SYNAPSE_LIMIT
    assert Flag.SLOW_SYNAPSES in found.flags
    assert found.readable  # a caveat: the rate is given with the flag
    big = _with(model_a(5.0, 2.0), v_reset=17.0)  # |-g J| = 0.5 mV of 3 mV
    (found,) = current_rates(big)
    assert SMALL_PSP_LIMIT < 0.5 / 3.0
    assert Flag.LARGE_PSPS in found.flags
