"""Current-based populations: Brunel (2000) model A against NEST and its own algebra.

Model A (reference ``brunel_bss1.md`` §3.1): C_E 1000, C_I 250, J 0.1 mV, tau 20 ms,
theta 20 mV, V_r 10 mV, tau_rp 2 ms, C_ext = C_E synapses at eta x nu_thr,
nu_thr = theta / (J C_E tau) = 10 Hz. NEST at g 5, eta 2: 37.4 Hz (item 17).
"""

import numpy as np
import pytest

from twin.theory import (
    CurrentNetwork,
    LIFPopulation,
    TheoryInputError,
    charge_jump,
    solve_rates,
)

C_E, C_I, J, TAU, THETA = 1000, 250, 0.1, 20.0, 20.0
NU_THR = THETA / (J * C_E * TAU) * 1e3  # Hz per external synapse
NEST_AI_RATE = 37.4  # Hz, NEST 3.10, g 5, eta 2, V_r 10 (brunel_bss1.md item 17)


def model_a(g, eta):
    """Brunel's model A for arrays of g and eta (one point per element)."""
    g, eta = np.broadcast_arrays(np.asarray(g, float), np.asarray(eta, float))
    pops = tuple(
        LIFPopulation(name=n, tau_m=TAU, tau_ref=2.0, theta=THETA, v_reset=10.0)
        for n in ("E", "I")
    )
    row = np.stack([np.full(g.shape, J), -g * J], axis=-1)
    return CurrentNetwork(
        populations=pops,
        in_degree=np.array([[C_E, C_I], [C_E, C_I]], float),
        jump=np.stack([row, row], axis=-2),
        ext_in_degree=np.full(2, C_E, float),
        ext_jump=np.full(2, J),
        ext_rate=(eta * NU_THR)[..., None] * np.ones(2),
    )


def _rates(g, eta):
    network = model_a(g, eta)
    shape = network.batch_shape
    results = solve_rates(network.transfer, network.names, batch_shape=shape)
    return np.array([r.rates for r in results]).reshape(*shape, 2)


def test_ai_point_matches_nest_within_ten_percent():
    rates = _rates(5.0, 2.0)
    assert rates[0] == pytest.approx(rates[1], rel=1e-9)  # E and I see one input
    assert rates[0] == pytest.approx(NEST_AI_RATE, rel=0.10)


def test_moments_are_brunels():
    """mu = C_E J tau (nu_ext + nu (1 - g/4)), sigma^2 = J mu_part (Brunel eqs. 4-5)."""
    g, eta, nu = 5.0, 2.0, 30.0
    mu, sigma = model_a(g, eta).moments(np.array([nu, nu]))
    ext = eta * NU_THR
    expected_mu = C_E * J * TAU * 1e-3 * (ext + nu * (1 - g * C_I / C_E))
    expected_var = J**2 * C_E * TAU * 1e-3 * (ext + nu * (1 + g**2 * C_I / C_E))
    np.testing.assert_allclose(mu, expected_mu, rtol=1e-14)
    np.testing.assert_allclose(sigma**2, expected_var, rtol=1e-14)


def test_at_g_4_the_recurrent_mean_cancels():
    """C_E J = g C_I J at g = 4: the mean is the external one at any rate; the noise
    still grows with the rate, so the rate is not the external-only rate."""
    network = model_a(4.0, 2.0)
    mu0, sigma0 = network.moments(np.zeros(2))
    mu, sigma = network.moments(np.full(2, 50.0))
    np.testing.assert_allclose(mu, mu0, rtol=1e-14)
    assert np.all(sigma > sigma0)
    rate = _rates(4.0, 2.0)[0]
    assert rate > network.transfer(np.zeros(2))[0]


def test_rates_fall_with_g_and_grow_with_eta():
    g = np.array([4.5, 5.0, 6.0, 7.0, 8.0])
    eta = np.array([1.5, 2.0, 3.0, 4.0])
    assert np.all(np.diff(_rates(g, 2.0)[:, 0]) < 0)
    assert np.all(np.diff(_rates(5.0, eta)[:, 0]) > 0)


def test_grid_solve_equals_point_solves():
    g, eta = np.meshgrid([3.0, 4.0, 5.0, 6.0], [0.9, 2.0, 3.0, 4.0], indexing="ij")
    grid = _rates(g, eta)
    for i, j in [(0, 0), (1, 2), (2, 1), (3, 3)]:
        np.testing.assert_allclose(grid[i, j], _rates(g[i, j], eta[i, j]), rtol=1e-8)


def test_charge_jump_is_charge_over_capacitance():
    """A 87.81 pA, 0.5 ms exponential PSC on 250 pF carries 0.1756 mV of charge."""
    assert float(charge_jump(87.81, 0.5, 250.0)) == pytest.approx(87.81 * 0.5 / 250.0)
    with pytest.raises(TheoryInputError, match="tau_syn"):
        charge_jump(10.0, 0.0, 250.0)


@pytest.mark.parametrize(
    ("change", "name"),
    [
        ({"tau_m": 0.0}, "tau_m"),
        ({"v_reset": 20.0}, "v_reset"),
        ({"tau_ref": -1}, "tau_ref"),
    ],
)
def test_bad_population_is_a_theory_error(change, name):
    args = {"name": "E", "tau_m": 20.0, "tau_ref": 2.0, "theta": 20.0, "v_reset": 10.0}
    with pytest.raises(TheoryInputError, match=name):
        LIFPopulation(**{**args, **change})


def test_coupling_of_the_wrong_shape_is_a_theory_error():
    pop = LIFPopulation(name="E", tau_m=20.0, tau_ref=2.0, theta=20.0, v_reset=10.0)
    with pytest.raises(TheoryInputError, match="shape"):
        CurrentNetwork(
            populations=(pop,), in_degree=np.ones((2, 2)), jump=np.ones((1, 1))
        )
