"""The LIF rate response against its limits: the Siegert rate's derivatives at s = 0,
the high-frequency asymptotics, and the stationary rate of the same integration.

Limits (``twin.theory.response``): ``R_mu(0) = d nu / d mu`` and ``R_sigma2(0) =
d nu / d sigma^2`` of the Siegert rate (Brunel & Hakim 1999); for ``|s| tau -> oo``,
``R_mu ~ sqrt(2) nu / (sigma sqrt(s tau))`` (Brunel & Hakim 1999; Fourcaud & Brunel
2002) and ``R_sigma2 -> nu / sigma^2`` (Lindner & Schimansky-Geier 2001).
"""

import numpy as np
import pytest

from twin.theory.errors import TheoryInputError
from twin.theory.response import lif_response
from twin.theory.siegert import siegert_rate

NEURON = {"tau_m": 20.0, "tau_ref": 2.0, "theta": 20.0, "v_reset": 10.0}
#: (mu, sigma) mV: sub-threshold noisy, supra-threshold, far below threshold.
POINTS = np.array([[15.0, 5.0], [25.0, 3.0], [10.0, 2.0], [18.0, 1.5]])


def _derivatives(mu, sigma, neuron, step=1e-4):
    """Central differences of the Siegert rate in mu and in sigma^2 (Hz/mV, Hz/mV^2)."""

    def rate(m, var):
        return siegert_rate(m, np.sqrt(var), **neuron)

    var = sigma**2
    d_mu = (rate(mu + step, var) - rate(mu - step, var)) / (2 * step)
    d_var = (rate(mu, var + step) - rate(mu, var - step)) / (2 * step)
    return d_mu, d_var


@pytest.mark.parametrize("tau_ref", [0.0, 2.0])
def test_zero_frequency_is_the_siegert_derivative(tau_ref):
    neuron = {**NEURON, "tau_ref": tau_ref}
    mu, sigma = POINTS.T
    response = lif_response(mu, sigma, [0.0], steps=(80, 80), **neuron)
    d_mu, d_var = _derivatives(mu, sigma, neuron)
    np.testing.assert_allclose(response.mu[:, 0].real, d_mu, rtol=1e-4)
    np.testing.assert_allclose(response.sigma2[:, 0].real, d_var, rtol=1e-4)
    np.testing.assert_allclose(response.mu[:, 0].imag, 0.0, atol=1e-12)


def test_stationary_rate_is_the_siegert_rate():
    """At the default steps (the rate of 2e-9 Hz at mu 10, sigma 2 is the worst)."""
    mu, sigma = POINTS.T
    response = lif_response(mu, sigma, [0.0], **NEURON)
    np.testing.assert_allclose(
        response.rate, siegert_rate(mu, sigma, **NEURON), rtol=1e-4
    )


@pytest.mark.parametrize(("mu", "sigma"), [(15.0, 5.0), (25.0, 3.0)])
def test_high_frequency_asymptotics(mu, sigma):
    """Corrections are O(1/sqrt(w tau)): 2.5 % at 1e4 Hz, shrinking ~ 1/sqrt(f)."""
    f = np.array([1e4, 1e5])
    s = 2j * np.pi * f
    response = lif_response(mu, sigma, s, steps=(200, 200), **NEURON)
    nu = siegert_rate(mu, sigma, **NEURON)
    lam = s * 1e-3 * NEURON["tau_m"]
    error_mu = np.abs(response.mu * sigma * np.sqrt(lam) / (np.sqrt(2) * nu) - 1)
    error_var = np.abs(response.sigma2 * sigma**2 / nu - 1)
    assert error_mu[1] < 0.02
    assert error_var[1] < 0.03
    assert error_mu[1] < 0.5 * error_mu[0]
    assert error_var[1] < 0.5 * error_var[0]


def test_phase_lag_grows_with_frequency():
    """The mean response is a low-pass: phase from 0 towards -pi/4 (Brunel & Hakim
    1999, the square-root high-frequency limit)."""
    f = np.array([1.0, 10.0, 100.0, 1e5])
    response = lif_response(15.0, 5.0, 2j * np.pi * f, **NEURON)
    phase = np.angle(response.mu)
    assert np.all(np.diff(phase[:3]) < 0)
    assert phase[-1] == pytest.approx(-np.pi / 4, abs=0.02)


def test_synaptic_filter_is_a_low_pass_of_the_shifted_response():
    """tau_s > 0: the white-noise response with the Fourcaud-Brunel shifted
    threshold and reset, times 1 / (1 + s tau_s)."""
    tau_s, mu, sigma = 0.5, 15.0, 5.0
    s = 2j * np.pi * np.array([0.0, 50.0, 300.0])
    filtered = lif_response(mu, sigma, s, tau_s=tau_s, **NEURON)
    shift = sigma * 2.0652531522 / 2 * np.sqrt(tau_s / NEURON["tau_m"])
    shifted = {**NEURON, "theta": 20.0 + shift, "v_reset": 10.0 + shift}
    white = lif_response(mu, sigma, s, **shifted)
    low_pass = 1.0 / (1.0 + s * 1e-3 * tau_s)
    np.testing.assert_allclose(filtered.mu, white.mu * low_pass, rtol=1e-8)
    np.testing.assert_allclose(filtered.rate, white.rate, rtol=1e-8)


def test_batches_broadcast_and_match_single_points():
    mu = np.array([[12.0, 15.0, 18.0], [20.0, 22.0, 24.0]])
    s = 2j * np.pi * np.array([0.0, 40.0, 180.0])
    batch = lif_response(mu, 4.0, s, **NEURON)
    assert batch.mu.shape == (2, 3, 3)
    assert batch.rate.shape == (2, 3)
    single = lif_response(mu[1, 2], 4.0, s, **NEURON)
    np.testing.assert_allclose(batch.mu[1, 2], single.mu, rtol=1e-12)
    per_point = lif_response(mu, 4.0, np.broadcast_to(s, (2, 3, 3)), **NEURON)
    np.testing.assert_allclose(per_point.sigma2, batch.sigma2, rtol=1e-12)


@pytest.mark.parametrize(
    ("change", "name"),
    [({"sigma": 0.0}, "sigma"), ({"s": [-1.0]}, "Re s"), ({"v_reset": 25.0}, "theta")],
)
def test_bad_input_is_a_theory_error(change, name):
    args = {"mu": 15.0, "sigma": 5.0, "s": [0.0], **NEURON, **change}
    with pytest.raises(TheoryInputError, match=name):
        lif_response(**args)


def test_nearly_deterministic_neurons_take_more_steps():
    """sigma 0.05 mV: a span (theta - V_r) / sigma of 200 noise units."""
    mu, sigma = np.array([19.9, 20.1, 30.0]), np.array([0.05, 0.05, 0.3])
    response = lif_response(mu, sigma, [0.0], **NEURON)
    np.testing.assert_allclose(
        response.rate, siegert_rate(mu, sigma, **NEURON), rtol=1e-3
    )
    d_mu, _ = _derivatives(mu, sigma, NEURON, step=1e-3)
    np.testing.assert_allclose(response.mu[:, 0].real, d_mu, rtol=1e-3)
