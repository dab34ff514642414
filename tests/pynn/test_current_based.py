"""Current-based and alpha cells on ``twin.pynn``: PyNN's rules, the wafer's refusal.

The spikes and V against pyNN.nest are in ``test_current_based_vs_nest.py``.
"""

import numpy as np
import pytest
from pyNN import errors as pynn_errors

import twin.pynn as sim
from twin.errors import UnsupportedError


@pytest.fixture(autouse=True)
def _end():
    yield
    sim.end()


def _net(cell="IF_curr_exp", fidelity="ideal", weight=-0.5):
    sim.setup(timestep=0.1, min_delay=0.1, fidelity=fidelity)
    src = sim.Population(4, sim.SpikeSourcePoisson(rate=50.0))
    pop = sim.Population(4, getattr(sim, cell)())
    sim.Projection(
        src, pop, sim.AllToAllConnector(), sim.StaticSynapse(weight=1.0, delay=1.0)
    )
    sim.Projection(
        src,
        pop,
        sim.AllToAllConnector(),
        sim.StaticSynapse(weight=weight, delay=1.0),
        receptor_type="inhibitory",
    )
    return pop


@pytest.mark.parametrize(
    ("cell", "tau_syn"), [("IF_curr_exp", 5.0), ("IF_curr_alpha", 0.5)]
)
def test_pynn_s_defaults_units_and_recordables(cell, tau_syn):
    pop = _net(cell)
    assert pop.get("tau_syn_E") == tau_syn
    assert not pop.conductance_based
    pop.record(["spikes", "v"])
    with pytest.raises(pynn_errors.RecordingError):  # as PyNN: spikes and v only
        pop.record("gsyn_exc")
    sim.run(20.0)
    v = np.asarray(pop.get_data().segments[0].analogsignals[0])
    assert v.shape == (201, 4)
    assert v[0, 0] == -65.0


@pytest.mark.parametrize("cell", ["IF_curr_exp", "IF_curr_alpha"])
def test_a_positive_inhibitory_current_is_refused_as_pynn_does(cell):
    with pytest.raises(pynn_errors.ConnectionError):
        _net(cell, weight=0.5)


def test_a_negative_conductance_is_still_refused():
    with pytest.raises(pynn_errors.ConnectionError):
        _net("IF_cond_exp", weight=-0.01)


@pytest.mark.parametrize("fidelity", ["mapped", "hardware"])
@pytest.mark.parametrize(
    ("cell", "weight", "shape"),
    [
        ("IF_curr_exp", -0.5, "current-based"),
        ("IF_curr_alpha", -0.5, "current-based"),
        ("IF_cond_alpha", 0.01, "alpha-shaped"),
        ("EIF_cond_alpha_isfa_ista", 0.01, "alpha-shaped"),
    ],
)
def test_the_wafer_tiers_refuse_cells_the_wafer_lacks(cell, weight, shape, fidelity):
    _net(cell, fidelity=fidelity, weight=weight)
    with pytest.raises(UnsupportedError, match=rf"{cell} \({shape}") as err:
        sim.run(10.0)
    assert "ideal tier" in str(err.value)
    assert "twin.adapt" in str(err.value)


def test_initial_synaptic_currents_other_than_zero_are_refused():
    pop = _net("IF_curr_alpha")
    pop.initialize(v=-60.0, isyn_exc=0.0)
    with pytest.raises(UnsupportedError, match="initial isyn_exc other than 0"):
        pop.initialize(isyn_exc=0.2)
