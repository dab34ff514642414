"""Linear stability of the asynchronous state: Brunel (2000) model A's four states.

Brunel 2000 (J Comput Neurosci 8:183), Fig. 8 and the phase diagram Fig. 2 (D 1.5
ms, V_r 10 mV): A (g 3, eta 2) synchronous regular; B (g 6, eta 4) fast global
oscillation; C (g 5, eta 2) asynchronous irregular, the stationary state stable; D
(g 4.5, eta 0.9) slow global oscillation. NEST re-simulations of the four
(reference ``brunel_bss1.md`` item 17): B oscillates at 180 Hz, D at 21 Hz. Fast
oscillations have a frequency set mostly by the delay, slow ones by the membrane
time constant (Brunel 2000, abstract): the bands asserted below are 150-250 Hz and
10-50 Hz around the NEST values.
"""

import numpy as np
import pytest

from tests.theory.test_current import model_a
from twin.theory.characteristic import right_half_plane_roots
from twin.theory.errors import TheoryInputError
from twin.theory.fixed_point import solve_rates
from twin.theory.stability import (
    current_stability,
    default_frequencies,
    lif_stability,
)

DELAY = 1.5  # ms


def _stability(g, eta, **kwargs):
    network = model_a(g, eta)
    shape = network.batch_shape
    points = solve_rates(network.transfer, network.names, batch_shape=shape)
    rates = np.array([p.rates for p in points]).reshape(*shape, 2)
    return current_stability(network, rates, DELAY, **kwargs)


#: Brunel's four states (C, B, D, A), then g 6 at eta 1.5 (below the fast boundary).
POINTS_G = np.array([5.0, 6.0, 4.5, 3.0, 6.0])
POINTS_ETA = np.array([2.0, 4.0, 0.9, 2.0, 1.5])


@pytest.fixture(scope="module")
def model_a_points():
    """The stability of model A at :data:`POINTS_G` x :data:`POINTS_ETA`, built once."""
    return _stability(POINTS_G, POINTS_ETA)


def test_brunel_fig8_states(model_a_points):
    result = model_a_points
    assert result.unstable[:4].tolist() == [False, True, True, True]
    assert result.resolved.all()
    # B: a fast oscillation in Brunel's delay-set band (NEST: 180 Hz)
    assert 150.0 < result.frequency_hz[1] < 250.0
    # D: a slow one, tens of Hz (NEST: 21 Hz)
    assert 10.0 < result.frequency_hz[2] < 50.0
    assert np.all(result.growth_per_s[1:4] > 0)
    assert result.oscillatory[:4].tolist() == [False, True, True, True]


def test_stable_state_has_no_root_and_no_frequency(model_a_points):
    c = 0  # Brunel's C: g 5, eta 2
    assert int(model_a_points.roots[c]) == 0
    assert np.isnan(model_a_points.frequency_hz[c])
    assert np.isnan(model_a_points.growth_per_s[c])


def test_the_fast_boundary_crosses_with_eta(model_a_points):
    """At g 6 the fast instability sets in between eta 1.5 and 4 (Brunel Fig. 2)."""
    assert model_a_points.unstable[[4, 1]].tolist() == [False, True]


def test_zero_coupling_is_stable():
    mu, sigma = np.array([[15.0, 12.0]]), np.array([[5.0, 4.0]])
    zero = np.zeros((1, 2, 2))
    result = lif_stability(
        mu,
        sigma,
        tau_m=20.0,
        tau_ref=2.0,
        theta=20.0,
        v_reset=10.0,
        tau_s=0.0,
        dmu_drate=zero,
        dsigma2_drate=zero,
        delay_ms=DELAY,
    )
    assert result.roots.tolist() == [0]
    assert result.resolved.tolist() == [True]


def test_strong_self_excitation_is_a_rate_instability():
    """dmu/dnu far above 1/R_mu(0): det(I - G(0)) < 0, a real root (frequency 0)."""
    args = {
        "mu": np.array([15.0]),
        "sigma": np.array([5.0]),
        "tau_m": 20.0,
        "tau_ref": 2.0,
        "theta": 20.0,
        "v_reset": 10.0,
        "tau_s": 0.0,
        "dmu_drate": np.array([[2.0]]),
        "dsigma2_drate": np.array([[0.0]]),
        "delay_ms": DELAY,
    }
    result = lif_stability(**args, refine=False)
    assert int(result.roots) == 1
    assert float(result.frequency_hz) == 0.0
    refined = lif_stability(**{**args, "refine": True})
    assert float(refined.frequency_hz) == 0.0
    assert float(refined.growth_per_s) > 0


def test_winding_counts_the_roots_of_a_known_function():
    """d(s) = prod(s - r_j) / (s + 200)^6: three roots in the right half plane
    (a complex pair and a real one), three in the left."""
    roots = np.array([50 + 190j, 50 - 190j, 20, -100 + 500j, -100 - 500j, -30])

    def det_at(owner, s):
        return np.prod(s[:, None] - roots, axis=1) / (s + 200.0) ** 6

    freq = default_frequencies(1.0, top_hz=20000.0)
    d = det_at(np.zeros(freq.size, int), 2j * np.pi * freq)[None]
    end = np.angle(d[:, -1])  # |1 - d| < 1 there: principal phase
    count = right_half_plane_roots(det_at, freq, d, end)
    assert count.tolist() == [3]


def test_frequencies_must_start_at_zero():
    with pytest.raises(TheoryInputError, match="frequencies"):
        _stability(5.0, 2.0, frequencies_hz=np.array([1.0, 2.0, 3.0]))


def test_caller_derivatives_give_the_current_result():
    """The generic entry with finite-difference couplings (as a conductance-based
    caller passes them) reproduces current_stability at Brunel's point B."""
    network = model_a(np.array([6.0]), np.array([4.0]))
    (point,) = solve_rates(network.transfer, network.names, batch_shape=(1,))
    rates = point.rates[None]
    mu, sigma = network.moments(rates)
    step, n = 1e-3, 2
    dmu, dvar = np.zeros((1, n, n)), np.zeros((1, n, n))
    for source in range(n):
        up, down = rates.copy(), rates.copy()
        up[:, source] += step
        down[:, source] -= step
        (mu_up, s_up), (mu_down, s_down) = network.moments(up), network.moments(down)
        dmu[:, :, source] = (mu_up - mu_down) / (2 * step)
        dvar[:, :, source] = (s_up**2 - s_down**2) / (2 * step)
    generic = lif_stability(
        mu,
        sigma,
        tau_m=20.0,
        tau_ref=2.0,
        theta=20.0,
        v_reset=10.0,
        tau_s=0.0,
        dmu_drate=dmu,
        dsigma2_drate=dvar,
        delay_ms=np.full((n, n), DELAY),
    )
    current = current_stability(network, rates, DELAY)
    assert generic.roots.tolist() == current.roots.tolist() == [2]
    np.testing.assert_allclose(generic.frequency_hz, current.frequency_hz, rtol=1e-6)
    np.testing.assert_allclose(generic.growth_per_s, current.growth_per_s, rtol=1e-6)


def test_points_without_a_rate_are_skipped():
    network = model_a(np.array([5.0, 6.0]), np.array([2.0, 4.0]))
    rates = np.array([[np.nan, np.nan], [55.84, 55.84]])
    result = current_stability(network, rates, DELAY, refine=False)
    assert result.roots.tolist() == [-1, 2]
    assert result.resolved.tolist() == [False, True]
    assert np.isnan(result.frequency_hz[0])
