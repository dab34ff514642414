"""Stiff conductances: the integrator stays stable and accurate for any input size,
and a neuron whose state diverges is named in a clear error."""

import jax.random as jr
import numpy as np
import pytest
from scipy.integrate import solve_ivp

from tests.analog.helpers import single_neuron
from tests.analog.time_networks import fanout
from twin import Network, Population
from twin.analog.adex import _RK4_STABLE, MAX_SUBSTEPS, RK4_STIFFNESS
from twin.analog.simulate import SimConfig, simulate
from twin.errors import NumericalError

KEY = jr.PRNGKey(0)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_potential_stays_between_reversal_and_threshold(seed):
    """With conductance input only, V can never leave [E_I, v_thresh) (V is reset
    when it reaches threshold): an unstable step would overshoot below E_I."""
    rng = np.random.default_rng(seed)
    n = 60
    trains = [np.sort(rng.uniform(0.1, 45.0, 6)).round(1) for _ in range(n)]
    weights = 10.0 ** rng.uniform(-3, 5, n)  # 1 nS .. 100 mS
    net = fanout(trains, 1.0, weight=1.0, tau_syn_E=5.0, tau_syn_I=5.0)
    proj = net.projections[0]
    inh = proj.replace(weight=weights, receptor="inhibitory", name="inh")
    exc = proj.replace(weight=weights[::-1].copy(), name="exc")
    cm = 10.0 ** rng.uniform(-2, 1, n)
    pop = Population(
        name="n", size=n, parameters={"cm": cm, "tau_m": 20.0 * np.ones(n)}
    )
    net = net.replace(populations=(pop,), projections=(exc, inh))
    config = SimConfig(
        t_stop=50.0, dtype="float64", trace=tuple(("n", i) for i in range(n))
    )
    v = simulate(net, config, KEY).traces
    assert np.isfinite(v).all()
    assert v.min() >= -70.0 - 1e-9  # e_rev_I
    assert v.max() < -50.0  # v_thresh


def _reference(weight, receptor, t_stop, cm=1.0, tau_syn=5.0, t_arrive=1.1):
    """V(t) of a non-spiking IF_cond_exp neuron after one input, by Radau."""
    g_l, e_l = cm / 20.0, -65.0
    e_rev = 0.0 if receptor == "excitatory" else -70.0

    def rhs(t, v):
        g = weight * np.exp(-(t - t_arrive) / tau_syn) if t >= t_arrive else 0.0
        return [(-g_l * (v[0] - e_l) - g * (v[0] - e_rev)) / cm]

    times = np.arange(1, round(t_stop / 0.1) + 1) * 0.1
    sol = solve_ivp(
        rhs, (0, t_stop), [e_l], method="Radau", t_eval=times, rtol=1e-10,
        atol=1e-10, max_step=0.01,
    )  # fmt: skip
    return sol.y[0]


@pytest.mark.parametrize(
    ("weight", "receptor"),
    [
        (50.0, "inhibitory"),  # stiffness 5.0: 11 RK4 substeps
        (100.0, "inhibitory"),  # 10.0: 21 RK4 substeps
        (300.0, "excitatory"),  # 30.0: 61 RK4 substeps
        (1e3, "inhibitory"),  # 100: 64 RK4 substeps (1.56 each, still stable)
        (2e3, "excitatory"),  # 200: 64 exponential-Euler substeps (3.1 each)
        (1e5, "excitatory"),  # 1e4: exponential Euler, V clamped near E_rev
    ],
)
def test_strong_single_inputs_follow_the_reference_solution(weight, receptor):
    """Spike at 0.1 ms, delay 1 ms: the jump acts from 1.1 ms on; every step's V
    within 1 µV of a Radau solution (rtol 1e-10)."""
    net = single_neuron(
        inputs=[([0.1], weight, 1.0, receptor)], cm=1.0, v_thresh=1000.0
    )
    rec = simulate(net, SimConfig(t_stop=30.0, dtype="float64", trace=(("n", 0),)), KEY)
    ref = _reference(weight, receptor, 30.0)
    assert np.max(np.abs(rec.traces[:, 0] - ref)) < 1e-3
    assert dt_stiffness(weight) > RK4_STIFFNESS  # the case is really stiff


def dt_stiffness(weight, cm=1.0, dt=0.1):
    return dt * (cm / 20.0 + weight) / cm


def test_stiffness_limits_are_consistent():
    # Every RK4 sub-step stays inside RK4's stability interval (-2.785, 0]: the
    # sub-step threshold and the switch to exponential Euler are both below it.
    assert RK4_STIFFNESS < 2.785
    assert _RK4_STABLE < 2.785
    assert MAX_SUBSTEPS >= 1


def test_a_diverging_neuron_is_named_with_the_time():
    """A neuron whose V overflows (1e10 nA into 1e-300 nF) is reported by name, index
    and the time of the first non-finite step, even when it is not traced."""
    quiet = Population(name="a", size=3)
    wild = Population(
        name="b",
        size=2,
        parameters={"cm": [1.0, 1e-300], "i_offset": [0.0, 1e10]},
    )
    net = Network(populations=(quiet, wild))
    with pytest.raises(
        NumericalError, match=r"b\[1\] \(id 4, variant 0\).*t = 0\.[12] ms"
    ):
        simulate(net, SimConfig(t_stop=5.0, dtype="float64"), KEY)
