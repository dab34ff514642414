"""Flag.REGULAR_FIRING: neurons near their maximum rate get no stationary number."""

import numpy as np
import pytest

from twin.network import Network, PoissonSource, Population, Projection
from twin.theory import REGULAR_LIMIT, Flag, NoStationaryRateError, rates_of

TAU_REF = 5.0  # ms


def _driven(rate_hz):
    """50 neurons, 100 Poisson inputs each at ``rate_hz`` (fixed in-degree)."""
    rng = np.random.default_rng(5)
    n, k = 50, 100
    params = {"tau_refrac": TAU_REF, "v_thresh": -50.0, "v_reset": -65.0}
    pop = Population(name="p", size=n, parameters=params)
    ext = PoissonSource(name="ext", size=200, rate=rate_hz)
    pre = rng.integers(0, 200, n * k)
    proj = Projection(
        pre="ext",
        post="p",
        pre_idx=pre,
        post_idx=np.repeat(np.arange(n), k),
        weight=np.full(pre.size, 0.004),
        delay=np.full(pre.size, 1.0),
        receptor="excitatory",
    )
    return Network(populations=(pop,), sources=(ext,), projections=(proj,))


@pytest.mark.parametrize("rate_hz", [20.0, 200.0, 2000.0])
def test_the_flag_is_the_fraction_of_time_refractory(rate_hz):
    found = rates_of(_driven(rate_hz))
    busy = float(np.mean(found.neuron_rates["p"]) * TAU_REF * 1e-3)
    assert (Flag.REGULAR_FIRING in found.flags) == (busy > REGULAR_LIMIT)


def test_a_weak_drive_is_not_flagged_and_a_strong_one_is():
    assert Flag.REGULAR_FIRING not in rates_of(_driven(20.0)).flags
    strong = rates_of(_driven(2000.0))
    assert strong.stationary.stable[0].rates[0] * TAU_REF * 1e-3 > REGULAR_LIMIT
    assert Flag.REGULAR_FIRING in strong.flags
    with pytest.raises(NoStationaryRateError, match="REGULAR_FIRING"):
        strong.rates  # noqa: B018  (no number to read)
    assert np.isnan(strong.stationary.rates_or_nan()).all()
