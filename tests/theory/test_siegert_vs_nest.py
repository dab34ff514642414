"""The Siegert rate against NEST's own ``siegert_neuron`` (1e-6 relative).

A ``siegert_neuron`` driven through a ``diffusion_connection`` from a constant rate
1 source gets ``mu = drift_factor`` and ``sigma^2 = diffusion_factor``
(``models/siegert_neuron.cpp``); with ``tau = 1e-3 ms`` its rate is the Siegert rate
after one step. NEST returns 0 where ``theta - mu > 6 sigma``; there the twin's rate
must be negligible instead. The network of ``brunel_siegert_nest.py`` (NEST's
example: Brunel's delta network, g 5, eta 2, V_reset 0) is solved by both.
"""

import warnings

import numpy as np
import pytest

from twin.theory import CurrentNetwork, LIFPopulation, siegert_rate, solve_rates

pytest.importorskip("nest")
pytestmark = pytest.mark.nest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import nest

#: brunel_siegert_nest.py's neuron (theta and V_reset relative to rest).
EXAMPLE = {"tau_m": 20.0, "t_ref": 2.0, "theta": 20.0, "V_reset": 0.0}


def _nest_rates(mu, sigma, params, tau_syn):
    nest.ResetKernel()
    nest.set_verbosity("M_ERROR")
    nest.resolution = 0.1
    drive = nest.Create("siegert_neuron", params={"mean": 1.0, "rate": 1.0})
    targets = nest.Create(
        "siegert_neuron", len(mu), params={**params, "tau": 1e-3, "tau_syn": tau_syn}
    )
    for target, m, s in zip(targets, mu, sigma, strict=True):
        spec = {
            "synapse_model": "diffusion_connection",
            "drift_factor": float(m),
            "diffusion_factor": float(s) ** 2,
        }
        nest.Connect(drive, target, syn_spec=spec)
    nest.Simulate(1.0)
    return np.array(targets.get("rate"), dtype=float)


@pytest.mark.parametrize("tau_syn", [0.0, 0.5, 2.0])
@pytest.mark.parametrize("v_reset", [0.0, 10.0])
def test_siegert_matches_nest_siegert_neuron(tau_syn, v_reset):
    params = {**EXAMPLE, "V_reset": v_reset}
    mu_axis = np.array(
        [-10.0, 0.0, 5.0, 10.0, 15.0, 19.0, 20.0, 21.0, 25.0, 40.0, 100.0]
    )
    sigma_axis = np.array([0.5, 1.0, 2.0, 5.0, 10.0, 30.0])
    mu, sigma = (x.ravel() for x in np.meshgrid(mu_axis, sigma_axis))
    theirs = _nest_rates(mu, sigma, params, tau_syn)
    ours = siegert_rate(
        mu, sigma, tau_m=20.0, tau_ref=2.0, theta=20.0, v_reset=v_reset, tau_s=tau_syn
    )
    computed = 20.0 - mu <= 6.0 * sigma  # NEST's cut-off: 0 above it
    assert computed.sum() > 40
    np.testing.assert_allclose(ours[computed], theirs[computed], rtol=1e-6, atol=0)
    assert np.all(theirs[~computed] == 0.0)
    assert np.all(ours[~computed] < 1e-8)


def test_brunel_siegert_example_network_matches_nest():
    """brunel_siegert_nest.py: its rate network in NEST vs solve_rates."""
    g, eta, j, c_e, c_i, tau = 5.0, 2.0, 0.1, 1000, 250, 20.0
    nu_th = EXAMPLE["theta"] / (j * c_e * tau)  # 1/ms
    p_rate = 1000.0 * eta * nu_th * c_e
    nest.ResetKernel()
    nest.set_verbosity("M_ERROR")
    nest.resolution = 0.1
    ex, inh = (nest.Create("siegert_neuron", params=EXAMPLE) for _ in range(2))
    drive = nest.Create("siegert_neuron", params={"mean": p_rate})
    for source, factor, count in ((drive, j, 1), (ex, j, c_e), (inh, -g * j, c_i)):
        spec = {
            "synapse_model": "diffusion_connection",
            "drift_factor": tau * 1e-3 * count * factor,
            "diffusion_factor": tau * 1e-3 * count * factor**2,
        }
        nest.Connect(source, ex + inh, "all_to_all", spec)
    nest.Simulate(300.0)
    theirs = np.array([ex.get("rate"), inh.get("rate")])

    pops = tuple(
        LIFPopulation(name=n, tau_m=tau, tau_ref=2.0, theta=20.0, v_reset=0.0)
        for n in ("E", "I")
    )
    network = CurrentNetwork(
        populations=pops,
        in_degree=np.full((2, 2), [c_e, c_i]),
        jump=np.full((2, 2), [j, -g * j]),
        ext_in_degree=np.ones(2),
        ext_jump=np.full(2, j),
        ext_rate=np.full(2, p_rate),
    )
    (result,) = solve_rates(network.transfer, network.names)
    np.testing.assert_allclose(result.rates, theirs, rtol=1e-6)
