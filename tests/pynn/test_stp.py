"""``TsodyksMarkramSynapse`` on twin.pynn: parameters per connection, get/set, runs.

What the emulator does with them is tested against NEST in
``tests/analog/test_stp_vs_nest.py``; here: the PyNN layer hands every connection's
U, tau_rec and tau_facil to the twin's network, ``get``/``set`` read and write them,
refused values change nothing, and two runs continue one another as one.
"""

import numpy as np
import pytest
from pyNN.errors import NonExistentParameterError

import twin.pynn as sim
from twin.errors import UnsupportedError
from twin.pynn.validation import InvalidConnectionError
from twin.stp import TsodyksMarkram

TIMES = [2.0, 9.0, 12.0, 14.0, 30.0, 31.0, 50.0]


def _net(synapse):
    sim.setup(timestep=0.1, min_delay=0.1, dtype="float64")
    src = sim.Population(2, sim.SpikeSourceArray(spike_times=[TIMES] * 2))
    cells = sim.Population(3, sim.IF_curr_exp(tau_syn_E=[2.0, 4.0, 6.0]))
    proj = sim.Projection(src, cells, sim.AllToAllConnector(), synapse)
    return src, cells, proj


def _tm(**kw):
    return sim.TsodyksMarkramSynapse(
        **{"weight": 0.5, "delay": 1.0, "U": 0.4, "tau_rec": 80.0, "tau_facil": 30.0}
        | kw
    )


def test_the_network_gets_every_connection_s_parameters():
    from twin.pynn.build import network_of

    rng = sim.NumpyRNG(seed=3)
    _, _, proj = _net(_tm(U=sim.RandomDistribution("uniform", (0.1, 0.9), rng=rng)))
    state = sim.simulator.state
    built = network_of(state.structure.populations, state.structure.projections, 0.1)
    (twin_proj,) = built.network.projections
    u = np.array(proj.get("U", format="list", with_address=False))
    assert np.unique(u).size == 6  # drawn per connection
    full = np.ones(6)
    assert twin_proj.stp == TsodyksMarkram(
        U=u, tau_rec=80.0 * full, tau_facil=30 * full
    )


def test_get_and_set_the_plastic_parameters():
    _, _, proj = _net(_tm())
    proj.set(U=0.2, tau_rec=np.full((2, 3), 55.0))
    got = proj.get(["U", "tau_rec", "tau_facil", "weight"], format="array")
    np.testing.assert_array_equal(got[0], np.full((2, 3), 0.2))
    np.testing.assert_array_equal(got[1], np.full((2, 3), 55.0))
    np.testing.assert_array_equal(got[2], np.full((2, 3), 30.0))
    np.testing.assert_array_equal(got[3], np.full((2, 3), 0.5))


def test_a_refused_value_changes_nothing():
    _, _, proj = _net(_tm())
    with pytest.raises(InvalidConnectionError, match="U"):
        proj.set(U=1.5, weight=0.1)
    assert proj.get("U", format="list", with_address=False) == [0.4] * 6
    assert proj.get("weight", format="list", with_address=False) == [0.5] * 6
    with pytest.raises(InvalidConnectionError, match="tau_rec"):
        _net(_tm(tau_rec=0.0))


def test_a_static_projection_has_no_plastic_parameters():
    _, _, proj = _net(sim.StaticSynapse(weight=0.5, delay=1.0))
    with pytest.raises(NonExistentParameterError, match="U"):
        proj.set(U=0.3)


def test_two_runs_continue_one_another():
    """The synapses' state crosses a run boundary as on NEST (no reset)."""
    traces = []
    for cuts in ((60.0,), (30.0, 60.0)):
        _, cells, _ = _net(_tm())
        cells.record("v")
        for t in cuts:
            sim.run_until(t)
        traces.append(np.asarray(cells.get_data().segments[0].analogsignals[0]))
        sim.end()
    assert np.ptp(traces[0]) > 1.0  # PSPs of mV
    np.testing.assert_allclose(traces[1], traces[0], rtol=0, atol=1e-9)


def test_every_connector_hands_over_per_connection_parameters():
    """FromList gives U per connection; the others draw or broadcast it."""
    conns = [(0, 2, 0.3, 1.0, 0.15), (1, 0, 0.2, 2.0, 0.85), (0, 1, 0.1, 1.5, 0.5)]
    connector = sim.FromListConnector(conns, column_names=["weight", "delay", "U"])
    _, _, proj = _net(_tm())
    src, cells = proj.pre, proj.post
    listed = sim.Projection(src, cells, connector, _tm())
    got = listed.get(["U", "weight", "tau_rec"], format="list")
    assert sorted(got) == sorted((i, j, u, w, 80.0) for i, j, w, _, u in conns)
    rng = sim.NumpyRNG(seed=2)
    for connector in (
        sim.OneToOneConnector(),
        sim.FixedProbabilityConnector(0.7, rng=rng),
        sim.FixedNumberPreConnector(1, rng=rng),
        sim.FixedNumberPostConnector(2, rng=rng),
        sim.FixedTotalNumberConnector(4, rng=rng),
        sim.ArrayConnector(np.array([[1, 0, 1], [0, 1, 0]], bool)),
    ):
        proj = sim.Projection(src, cells, connector, _tm(tau_facil=12.0))
        facil = proj.get("tau_facil", format="list", with_address=False)
        assert facil == [12.0] * len(proj), type(connector).__name__
        assert proj.stp() == TsodyksMarkram(
            U=np.full(len(proj), 0.4),
            tau_rec=np.full(len(proj), 80.0),
            tau_facil=np.full(len(proj), 12.0),
        )


def test_plastic_connections_made_after_a_run_are_refused():
    """Their state would not be the one NEST starts them with: reset() first."""
    src, cells, _ = _net(sim.StaticSynapse(weight=0.5, delay=1.0))
    sim.run(5.0)
    sim.Projection(src, cells, sim.OneToOneConnector(), _tm())
    with pytest.raises(UnsupportedError, match=r"sim\.reset\(\)"):
        sim.run(10.0)
    sim.reset()
    sim.run(5.0)  # a new segment starts every synapse from rest


def test_a_connection_reads_its_plastic_parameters():
    _, _, proj = _net(_tm(U=0.25))
    first = proj[0]
    assert first.as_tuple("U", "tau_rec", "tau_facil", "weight") == (
        0.25,
        80.0,
        30.0,
        0.5,
    )
    with pytest.raises(AttributeError, match="tau_psc"):
        _ = first.tau_psc
