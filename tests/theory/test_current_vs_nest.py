"""The seed network, current-based: mean-field theory against NEST at its AI points.

The seed's downscaled network before its conversion to conductances
(:func:`experiments.brunel.current_based.seed_current`: ``iaf_psc_exp``, 2,083
neurons, a shared pool of 2,083 Poisson sources) simulated by NEST directly for 1 s
after a 200 ms warm-up; the theory of the same network (Siegert rate with the
Fourcaud-Brunel shift, population closure). Issue #26 asks for 10 % at the
asynchronous irregular points; measured (docs/theory.md, 2 s): within 3.5 %.
"""

import numpy as np
import pytest

from experiments.brunel.current_based import nest_rates, seed_current
from twin.theory import solve_rates
from twin.theory.stability import current_stability

pytestmark = pytest.mark.nest

#: Asynchronous irregular points of the seed grid (stationary by the stability test).
AI_POINTS = ((8.0, 1.6), (8.0, 3.2), (10.0, 2.4))
TOLERANCE = 0.10


def _theory(g, eta):
    model = seed_current()
    network = model.theory(g, eta)
    (result,) = solve_rates(network.transfer, network.names)
    stability = current_stability(network, result.rates, model.delay)
    return result.rates, bool(stability.unstable)


@pytest.mark.parametrize(("g", "eta"), AI_POINTS)
def test_theory_matches_nest_at_the_asynchronous_points(g, eta):
    rates, unstable = _theory(g, eta)
    assert not unstable
    exc, inh = nest_rates(seed_current(), g, eta, 1000.0, seed=7, threads=2)
    np.testing.assert_allclose(rates, [exc, inh], rtol=TOLERANCE)


def test_the_slow_oscillation_point_is_flagged_and_its_rate_is_off():
    """g 8, eta 0.8: linearly unstable, and there the stationary rate misses NEST's."""
    rates, unstable = _theory(8.0, 0.8)
    assert unstable
    exc, _ = nest_rates(seed_current(), 8.0, 0.8, 1000.0, seed=7, threads=2)
    assert abs(rates[0] - exc) / exc > TOLERANCE
