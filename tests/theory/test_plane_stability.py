"""Linear stability of conductance networks: the couplings' formulas, the flag, and
the delayed inhibitory loop's oscillation."""

import numpy as np
import pytest

from tests.theory.test_network_rates import _projection
from twin.network import Network, PoissonSource, Population
from twin.theory import Flag
from twin.theory.conductance import Neurons
from twin.theory.network_rates import rates_over
from twin.theory.stability import lif_stability

N, K, K_EXT, W_EXT, NU_EXT = 200, 100, 200, 0.01, 20.0  # µS, Hz


def _inhibitory_loop(delay, w_inh=0.01):
    """One population inhibiting itself (fixed in-degree K, one delay), Poisson
    driven: identical neurons."""
    rng = np.random.default_rng(5)
    pop = Population(name="p", size=N, parameters={"tau_refrac": 2.0})
    ext = PoissonSource(name="ext", size=400, rate=NU_EXT)
    post = np.repeat(np.arange(N), K)
    inh = _projection("p", "p", rng.integers(0, N, N * K), post, w_inh, "inhibitory")
    post = np.repeat(np.arange(N), K_EXT)
    drive = _projection("ext", "p", rng.integers(0, 400, N * K_EXT), post, W_EXT)
    return Network(
        populations=(pop,),
        sources=(ext,),
        projections=(inh.replace(delay=np.full(N * K, delay)), drive),
    )


def _by_hand(network, g, nu, delay):
    """lif_stability with the conductance balance's moments and their derivatives
    by rate written out (Kuhn et al. 2004; Zerlaut et al. 2018): with
    A_E = K_ext w_E nu_ext, A_I = K g w_I nu, g_x = A_x tau_x,
    mu = (g_L E_L + g_E E_E + g_I E_I) / g_tot, tau_eff = C / g_tot,
    sigma^2 = tau_eff sum_x B_x ((E_x - mu) tau_x / C)^2:
    d mu / d nu = (E_I - mu) K g w_I tau_I / g_tot and
    d sigma^2 / d nu = sigma^2 (-d g_tot/d nu / g_tot)
    + tau_eff [K (g w_I)^2 c_I^2 - 2 sum_x B_x c_x tau_x / C d mu / d nu]."""
    cell = Neurons.of(network.populations[0])
    c, g_l = cell.cm[0], cell.cm[0] / cell.tau_m[0]
    tau = np.array([cell.tau_syn_E[0], cell.tau_syn_I[0]])
    rev = np.array([cell.e_rev_E[0], cell.e_rev_I[0]])
    w = np.array([W_EXT, g * 0.01])
    a = np.array([K_EXT * W_EXT * NU_EXT, K * w[1] * nu])
    b = np.array([K_EXT * W_EXT**2 * NU_EXT, K * w[1] ** 2 * nu])
    g_syn = a * tau * 1e-3
    g_tot = g_l + g_syn.sum()
    mu = (g_l * cell.v_rest[0] + (g_syn * rev).sum()) / g_tot
    tau_eff = c / g_tot
    charge = (rev - mu) * tau / c
    var = tau_eff * (b * charge**2).sum() * 1e-3
    dg = K * w[1] * tau[1] * 1e-3
    dmu = (rev[1] - mu) * dg / g_tot
    dvar = var * (-dg / g_tot) + tau_eff * 1e-3 * (
        K * w[1] ** 2 * charge[1] ** 2 - 2 * (b * charge * tau).sum() / c * dmu
    )
    share = b * charge**2 / (b * charge**2).sum()
    return lif_stability(
        np.array([mu]),
        np.array([np.sqrt(var)]),
        tau_m=tau_eff,
        tau_ref=cell.tau_refrac[0],
        theta=cell.v_thresh[0],
        v_reset=cell.v_reset[0],
        tau_s=(share * tau).sum(),
        dmu_drate=np.array([[dmu]]),
        dsigma2_drate=np.array([[dvar]]),
        delay_ms=delay,
    )


@pytest.mark.parametrize("delay", [2.0, 5.0])
def test_stability_is_lif_stability_of_the_effective_lif(delay):
    network = _inhibitory_loop(delay)
    gs = np.array([0.5, 2.0, 8.0])
    for g, got in zip(gs, rates_over(network, gs, 1.0, stability=True), strict=True):
        fixed = got.stationary.stable[0].rates  # read also where flagged
        want = _by_hand(network, g, fixed[0], delay)
        assert got.stability.unstable == bool(want.unstable)
        assert got.stability.resolved == bool(want.resolved)
        np.testing.assert_allclose(
            got.stability.frequency_hz, float(want.frequency_hz), rtol=1e-4
        )
        assert (Flag.OSCILLATORY in got.flags) == got.stability.unstable


def test_delayed_inhibition_oscillates_below_half_the_inverse_delay():
    """Strong recurrent inhibition through a delay D: the stationary state turns
    oscillatory. At the oscillation the loop's phase lag is pi: the delay's
    2 pi f D plus the lag of the neurons' response (a low pass, its lag growing
    with f). So f < 1/(2 D), and a longer delay lowers f, but by less than the
    delay's ratio (at a lower f the response lags less, the delay must give more
    of pi: f D grows). A strong drive (little relative feedback) stays stable."""
    gs = np.array([0.5, 4.0, 16.0])
    freq = {}
    for delay in (2.0, 5.0):
        found = rates_over(_inhibitory_loop(delay), gs, 1.0, stability=True)
        assert not found[0].stability.unstable
        assert all(r.oscillatory for r in found[1:])
        freq[delay] = np.array([r.stability.frequency_hz for r in found[1:]])
        assert np.all(freq[delay] < 1e3 / (2 * delay))
    assert np.all(freq[5.0] < freq[2.0])
    assert np.all(freq[5.0] * 5.0 > freq[2.0] * 2.0)


def test_without_stability_nothing_is_analysed():
    (got,) = rates_over(_inhibitory_loop(2.0), 4.0, 1.0)
    assert got.stability is None
    assert got.oscillatory is None
    assert Flag.OSCILLATORY not in got.flags


def test_noiseless_points_are_not_analysed():
    """Constant current, no input: sigma 0, no diffusion response to analyse."""
    pop = Population(name="p", size=3, parameters={"i_offset": [0.5, 1.0, 2.0]})
    network = Network(
        populations=(pop,), sources=(PoissonSource(name="x", size=1, rate=0.0),)
    )
    (got,) = rates_over(network, 1.0, 1.0, stability=True)
    assert got.stationary.ok
    assert got.stability is None
    assert Flag.OSCILLATORY not in got.flags
