"""The Siegert rate: its integral, its limits and its numerics at extreme bounds."""

import itertools
import math

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.special import erfcx

from twin.theory import TheoryInputError, noiseless_rate, siegert_rate
from twin.theory.quadrature import erfcx_integral
from twin.theory.siegert import ALPHA, colored_noise_shift

LIF = {"tau_m": 20.0, "tau_ref": 2.0, "theta": 20.0, "v_reset": 10.0}


def _reference_rate(mu, sigma, tau_m, tau_ref, theta, v_reset):
    """Brunel (2000) eq. 21 by adaptive quadrature of e^{u^2}(1 + erf u)."""
    lo, hi = (v_reset - mu) / sigma, (theta - mu) / sigma
    integral = quad(lambda u: erfcx(-u), lo, hi, epsabs=0, epsrel=1e-12, limit=200)[0]
    return 1e3 / (tau_ref + tau_m * math.sqrt(math.pi) * integral)


@pytest.mark.parametrize(
    ("a", "b"), [(0.0, 1.0), (0.0, 1e-6), (0.3, 40.0), (5.0, 2.0), (2.0, 1e4)]
)
def test_erfcx_integral_matches_adaptive_quadrature(a, b):
    edges = np.geomspace(max(min(a, b), 1e-9), max(a, b), 30)
    edges[0], edges[-1] = min(a, b), max(a, b)
    ref = sum(
        quad(erfcx, lo, hi, epsabs=0, epsrel=1e-13)[0]
        for lo, hi in itertools.pairwise(edges)
    ) * (1 if b >= a else -1)
    assert erfcx_integral(np.array(a), np.array(b)) == pytest.approx(ref, rel=1e-11)


@pytest.mark.parametrize(
    ("mu", "sigma"), [(15.0, 5.0), (5.0, 8.0), (25.0, 2.0), (19.0, 1.0), (-5.0, 20.0)]
)
def test_rate_is_brunels_integral(mu, sigma):
    expected = _reference_rate(mu, sigma, **LIF)
    assert siegert_rate(mu, sigma, **LIF) == pytest.approx(expected, rel=1e-9)


def test_small_noise_gives_the_deterministic_lif_rate():
    mu = np.array([21.0, 25.0, 40.0, 100.0])
    expected = 1e3 / (2.0 + 20.0 * np.log((mu - 10.0) / (mu - 20.0)))
    np.testing.assert_allclose(noiseless_rate(mu, **LIF), expected, rtol=1e-14)
    np.testing.assert_allclose(siegert_rate(mu, 1e-4, **LIF), expected, rtol=1e-4)
    np.testing.assert_allclose(siegert_rate(mu, 0.0, **LIF), expected, rtol=1e-14)


def test_small_noise_below_threshold_gives_zero_without_overflow():
    with np.errstate(over="raise", invalid="raise"):
        rates = siegert_rate(np.array([0.0, 10.0, 19.9]), 1e-3, **LIF)
    assert np.all(rates == 0.0)
    assert siegert_rate(19.0, 0.0, **LIF) == 0.0


def test_large_mean_approaches_the_refractory_limit():
    rate = siegert_rate(1e7, 1.0, **LIF)
    assert rate == pytest.approx(1e3 / LIF["tau_ref"], rel=1e-3)
    assert rate < 1e3 / LIF["tau_ref"]


def test_extreme_bounds_stay_finite_and_monotone():
    mu = np.linspace(-1e4, 1e4, 2001)
    with np.errstate(over="raise", invalid="raise"):
        rates = siegert_rate(mu, 3.0, **LIF)
    assert np.all(np.isfinite(rates))
    assert np.all(np.diff(rates) >= 0)  # the rate grows with the mean input
    assert rates[0] == 0.0


def test_rate_broadcasts_over_neurons():
    mu, sigma = np.linspace(10, 30, 5)[:, None], np.array([1.0, 4.0, 9.0])
    rates = siegert_rate(mu, sigma, **LIF)
    assert rates.shape == (5, 3)
    assert rates[2, 1] == siegert_rate(mu[2, 0], sigma[1], **LIF)


def test_colored_noise_shifts_threshold_and_reset():
    """tau_s shifts both bounds by sigma alpha/2 sqrt(tau_s/tau_m) (Fourcaud-Brunel)."""
    assert math.isclose(ALPHA, 2.0652531522312172, rel_tol=1e-15)  # NEST's constant
    tau_s, sigma, mu = 5.0, 4.0, 15.0
    shift = sigma * ALPHA / 2 * math.sqrt(tau_s / LIF["tau_m"])
    assert colored_noise_shift(tau_s, LIF["tau_m"]) * sigma == pytest.approx(shift)
    shifted = {**LIF, "theta": 20.0 + shift, "v_reset": 10.0 + shift}
    got = siegert_rate(mu, sigma, tau_s=tau_s, **LIF)
    assert got == pytest.approx(siegert_rate(mu, sigma, **shifted), rel=1e-12)
    assert got < siegert_rate(mu, sigma, **LIF)


@pytest.mark.parametrize(
    ("change", "name"),
    [
        ({"sigma": -1.0}, "sigma"),
        ({"tau_m": 0.0}, "tau_m"),
        ({"tau_ref": -1.0}, "tau_ref"),
        ({"v_reset": 20.0}, "v_reset"),
        ({"mu": np.nan}, "mu"),
        ({"tau_s": -0.1}, "tau_s"),
    ],
)
def test_bad_input_is_a_theory_error_naming_the_value(change, name):
    args = {"mu": 15.0, "sigma": 2.0, **LIF, **change}
    with pytest.raises(TheoryInputError, match=name):
        siegert_rate(**args)
