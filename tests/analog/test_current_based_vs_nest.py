"""IF_curr_exp and IF_curr_alpha against NEST's iaf_psc_exp and iaf_psc_alpha.

NEST integrates both exactly (propagator matrices); so does the twin, with NEST's
formulas and order of operations (:mod:`twin.analog.psc`). Spike times must be
identical and V agree to 1e-6 mV at every step (measured: below 1e-11 mV, the
rounding of V relative to v_rest), for excitatory and inhibitory spike trains with
weights from 1 pA to 3 nA, constant and step currents, and tau_syn equal to tau_m
(NEST's singular case) and 1e-9 ms from it; three seeds of random input each.
"""

import jax.random as jr
import numpy as np
import pytest

from tests.analog.current_based_cases import T_STOP, cases, run_nest, twin_network
from twin.analog.simulate import SimConfig, simulate

pytest.importorskip("nest")
pytestmark = pytest.mark.nest

V_TOLERANCE = 1e-6  # mV


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize(
    ("cell_type", "model"),
    [("IF_curr_exp", "iaf_psc_exp"), ("IF_curr_alpha", "iaf_psc_alpha")],
)
def test_spike_times_identical_and_v_within_1e_6_mv_of_nest(cell_type, model, seed):
    c = cases(seed)
    trace = tuple(("n", k) for k in range(c.size))
    config = SimConfig(t_stop=T_STOP, dtype="float64", trace=trace)
    twin = simulate(twin_network(cell_type, c), config, jr.PRNGKey(0))
    nest_spikes, nest_v = run_nest(model, c)
    twin_spikes = twin.spiketrains("n")
    for k in range(c.size):
        np.testing.assert_array_equal(
            np.round(twin_spikes[k] / 0.1), np.round(nest_spikes[k] / 0.1), str(k)
        )
    # NEST samples V at dt .. t_stop - dt; the twin's trace k is the state at (k+1) dt
    steps = nest_v.shape[0]
    assert np.max(np.abs(twin.traces[:steps] - nest_v)) <= V_TOLERANCE
    counts = np.array([s.size for s in nest_spikes])
    assert (counts > 0).sum() >= c.size // 2  # the cases fire, most of them
    assert (counts == 0).any()  # and some stay sub-threshold


@pytest.mark.parametrize("cell_type", ["IF_curr_exp", "IF_curr_alpha"])
def test_the_run_layer_s_nest_runner_gives_the_twin_s_spikes(cell_type):
    """experiments.runs.nest (the workloads' NEST path) builds these cells through
    pyNN.nest: negative inhibitory currents kept, iaf_psc_exp on the grid."""
    from experiments.runs.nest import NestConfig
    from experiments.runs.nest import run_nest as run_layer_nest

    net = twin_network(cell_type, cases(4)).replace(stimuli=())
    twin = simulate(net, SimConfig(t_stop=T_STOP, dtype="float64"), jr.PRNGKey(0))
    nest, _ = run_layer_nest(net, NestConfig(t_stop=T_STOP, threads=1))
    assert twin.times.size > 100
    order_t, order_n = (
        np.lexsort((twin.ids, twin.times)),
        np.lexsort((nest.ids, nest.times)),
    )
    np.testing.assert_array_equal(twin.ids[order_t], nest.ids[order_n])
    np.testing.assert_allclose(twin.times[order_t], nest.times[order_n], atol=1e-9)
