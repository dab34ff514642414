"""Current sources on ``twin.pynn``: PyNN's API, NEST's timing, the wafer's limits.

The timing rule (:mod:`twin.pynn.electrode_times`) is checked twice: as the numbers it
gives for small cases, and as membrane traces equal to those of ``pyNN.nest`` running
the same script (IF_cond_exp and EIF_cond_exp_isfa_ista below threshold, float64;
NEST integrates with adaptive steps, the twin with RK4 at 0.1 ms: both exact to
~1e-9 mV here, so the traces agree to 1e-6 mV only if every change acts in the same
step).
"""

import warnings

import numpy as np
import pytest

import twin.pynn as sim
from twin.errors import NetworkError, UnsupportedError
from twin.hardware import HardwareConfig
from twin.pynn.build import network_of
from twin.pynn.electrode_times import dc_changes, step_changes
from twin.timegrid import TimeGrid
from twin.wafer import Wafer

GRID = TimeGrid(0.1)
SMALL_WAFER = Wafer.region([0, 1])  # the mapping of a full wafer takes seconds


def _stimuli():
    state = sim.simulator.state
    built = network_of(state.structure.populations, state.structure.projections, 0.1)
    return built.network.stimuli


# --- the timing rule, as numbers -------------------------------------------------


@pytest.mark.parametrize(
    ("start", "stop", "min_delay", "expected"),
    [
        (1.0, 2.0, 0.1, [1.0, 2.0]),  # min_delay = dt: PyNN's times
        (0.0, 2.0, 0.1, [0.2, 2.0]),  # nothing acts before min_delay + dt
        (0.3, 2.0, 0.5, [0.6, 2.0]),
        (1.0, 2.0, 1.0, [1.1, 2.0]),
        (0.0, 1.0, 1.0, []),  # the window closes before it can open
    ],
)
def test_a_dc_window_acts_where_pynn_nest_puts_it(start, stop, min_delay, expected):
    steps = int(GRID.delay_steps(min_delay))
    times, amplitudes = dc_changes(
        0.5, start, stop, min_delay=min_delay, delay_steps=steps, grid=GRID
    )
    np.testing.assert_allclose(times, expected, rtol=0, atol=1e-12)
    assert amplitudes.tolist() == [0.5, 0.0][: len(expected)]


def test_a_dc_window_that_never_closes_is_one_step():
    times, amplitudes = dc_changes(
        0.5, 3.0, np.inf, min_delay=0.1, delay_steps=1, grid=GRID
    )
    assert (times.tolist(), amplitudes.tolist()) == ([3.0], [0.5])


@pytest.mark.parametrize(
    ("times", "min_delay", "expected_times", "expected_amplitudes"),
    [
        ([0.0, 1.0, 2.0], 0.1, [0.2, 1.0, 2.0], [1.0, 2.0, 3.0]),
        ([0.1, 0.2, 1.0], 0.1, [0.2, 1.0], [2.0, 3.0]),  # 0.1 and 0.2 merge
        ([1.04, 2.06, 3.0], 0.1, [1.0, 2.1, 3.0], [1.0, 2.0, 3.0]),  # nearest step
        ([1.0, 1.02, 3.0], 0.1, [1.0, 3.0], [2.0, 3.0]),  # equal after rounding
        ([0.1, 1.0, 2.0], 1.0, [1.1, 2.0], [2.0, 3.0]),  # min_delay 1 ms
    ],
)
def test_step_times_go_where_pynn_nest_puts_them(
    times, min_delay, expected_times, expected_amplitudes
):
    steps = int(GRID.delay_steps(min_delay))
    t, a = step_changes(
        times, [1.0, 2.0, 3.0], min_delay=min_delay, delay_steps=steps, grid=GRID
    )
    np.testing.assert_allclose(t, expected_times, rtol=0, atol=1e-12)
    assert a.tolist() == expected_amplitudes


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"times": [1.0, 0.5], "amplitudes": [1, 2]}, "strictly increasing"),
        ({"times": [-1.0], "amplitudes": [1]}, "negative"),
        ({"times": [1.0, 2.0], "amplitudes": [1]}, "2 times but 1 amplitudes"),
    ],
)
def test_invalid_step_sources_are_value_errors(kwargs, match):
    sim.setup(timestep=0.1)
    with pytest.raises(NetworkError, match=match):
        sim.StepCurrentSource(**kwargs)
    assert issubclass(NetworkError, ValueError)  # as pyNN.nest's ValueError


def test_invalid_dc_sources_are_value_errors():
    sim.setup(timestep=0.1)
    with pytest.raises(NetworkError, match="not a multiple of the time step"):
        sim.DCSource(start=1.05)
    with pytest.raises(NetworkError, match=r"stop 1\.0 ms is before start 2\.0 ms"):
        sim.DCSource(start=2.0, stop=1.0)


# --- PyNN's API --------------------------------------------------------------------


def test_parameters_are_read_and_set_after_creation():
    sim.setup(timestep=0.1)
    dc = sim.DCSource(amplitude=0.5, start=1.0)
    assert (dc.amplitude, dc.start, dc.stop) == (0.5, 1.0, 1e12)
    dc.amplitude = 0.7
    dc.set_parameters(start=2.0, stop=3.0)
    assert dc.get_parameters() == {"amplitude": 0.7, "start": 2.0, "stop": 3.0}
    with pytest.raises(NetworkError):  # invalid values leave the source unchanged
        dc.stop = 1.0
    assert dc.stop == 3.0
    step = sim.StepCurrentSource(times=[1.0, 2.0], amplitudes=[0.1, 0.2])
    step.set_parameters(times=np.array([3.0, 4.0, 5.0]), amplitudes=[1.0, 2.0, 3.0])
    assert step.times.tolist() == [3.0, 4.0, 5.0]
    assert step.amplitudes.tolist() == [1.0, 2.0, 3.0]
    with pytest.raises(AttributeError, match="set values using the parameter name"):
        step.set(times=[1.0])


def test_every_way_to_inject_becomes_a_stimulus_of_the_network():
    sim.setup(timestep=0.1, min_delay=0.1)
    a = sim.Population(5, sim.IF_cond_exp(), label="a")
    b = sim.Population(3, sim.EIF_cond_exp_isfa_ista(), label="b")
    dc = sim.DCSource(amplitude=0.5, start=1.0, stop=2.0)
    step = sim.StepCurrentSource(times=[3.0], amplitudes=[0.25])
    a.inject(dc)  # Population
    a[1:3].inject(step)  # PopulationView
    b[2].inject(dc)  # ID
    (a + b).inject(step)  # Assembly
    step.inject_into([a[4], b[0], a[0]])  # IDs of two populations
    got = [(s.name, s.population, s.index.tolist()) for s in _stimuli()]
    assert got == [
        ("a:DCSource0", "a", [0, 1, 2, 3, 4]),
        ("a:StepCurrentSource1", "a", [1, 2]),
        ("a:StepCurrentSource2", "a", [0, 1, 2, 3, 4]),
        ("a:StepCurrentSource3", "a", [0, 4]),
        ("b:DCSource0", "b", [2]),
        ("b:StepCurrentSource1", "b", [0, 1, 2]),
        ("b:StepCurrentSource2", "b", [0]),
    ]
    first = _stimuli()[0]
    assert (first.times.tolist(), first.amplitudes.tolist()) == ([1.0, 2.0], [0.5, 0])
    dc.amplitude = 0.9  # a change reaches the network
    assert _stimuli()[0].amplitudes.tolist() == [0.9, 0.0]


def test_spike_sources_take_no_current():
    sim.setup(timestep=0.1)
    src = sim.Population(2, sim.SpikeSourceArray(spike_times=[1.0]))
    with pytest.raises(TypeError, match="spike source"):
        src.inject(sim.DCSource())
    with pytest.raises(TypeError, match="spike source"):
        sim.DCSource().inject_into([src[0]])


def test_unemulated_sources_and_current_recording_say_what_the_twin_offers():
    sim.setup(timestep=0.1)
    for model in (sim.ACSource, sim.NoisyCurrentSource):
        with pytest.raises(UnsupportedError, match="DCSource and StepCurrentSource"):
            model()
    with pytest.raises(UnsupportedError, match="records the cells' state"):
        sim.DCSource().record()


def test_a_changed_amplitude_acts_after_reset():
    sim.setup(timestep=0.1, min_delay=0.1, dtype="float64")
    cells = sim.Population(1, sim.IF_cond_exp(), label="c")
    dc = sim.DCSource(amplitude=0.2, start=1.0)
    cells.inject(dc)
    cells.record("v")
    sim.run(5.0)
    dc.amplitude = 0.4
    sim.reset()
    sim.run(5.0)
    first, second = (
        np.asarray(seg.analogsignals[0])[:, 0] for seg in cells.get_data().segments
    )
    assert np.all(first[:11] == -65.0)
    assert np.all(second[:11] == -65.0)
    rise = -65.0 - np.array([first, second])[:, 11:]
    np.testing.assert_allclose(rise[1], 2 * rise[0], rtol=1e-9)  # linear in I


# --- the same script on pyNN.nest ---------------------------------------------------


def _script(sim_module, min_delay, **setup):
    """DC pulses (one from t = 0) and a step source into IF and EIF cells."""
    sim_module.setup(timestep=0.1, min_delay=min_delay, **setup)
    lif = sim_module.Population(4, sim_module.IF_cond_exp(), label="lif")
    eif = sim_module.Population(4, sim_module.EIF_cond_exp_isfa_ista(), label="eif")
    for pop, scale in ((lif, 1.0), (eif, 0.3)):  # EIF below threshold
        pop.inject(sim_module.DCSource(amplitude=0.1 * scale, start=0.0, stop=30.0))
        pop[0:1].inject(
            sim_module.DCSource(amplitude=1.0 * scale, start=10.0, stop=20.0)
        )
        pop[1].inject(sim_module.DCSource(amplitude=0.5 * scale, start=0.0, stop=12.5))
        pop[2:4].inject(
            sim_module.StepCurrentSource(
                times=[0.0, 5.0, 12.3, 15.04, 25.0],  # t = 0, on and off the grid
                amplitudes=[0.4 * scale, -0.2 * scale, 0.8 * scale, 0.3 * scale, 0.0],
            )
        )
        pop.record("v")
    sim_module.run(40.0)
    traces = {
        pop.label: np.asarray(pop.get_data().segments[0].analogsignals[0])
        for pop in (lif, eif)
    }
    sim_module.end()
    return traces


@pytest.mark.nest
@pytest.mark.parametrize("min_delay", [0.1, 0.5])
def test_membrane_traces_equal_pynn_nest_s(min_delay):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pyNN.nest as nest_sim

        expected = _script(nest_sim, min_delay)
    got = _script(sim, min_delay, dtype="float64")
    for label in ("lif", "eif"):
        assert got[label].shape == expected[label].shape == (401, 4)
        assert np.ptp(expected[label], axis=0).min() > 1.0  # every cell is driven
        np.testing.assert_allclose(got[label], expected[label], rtol=0, atol=1e-6)


# --- the hardware tier ---------------------------------------------------------------


def test_the_hardware_tier_refuses_a_dc_source():
    sim.setup(timestep=0.1, fidelity="hardware")
    with pytest.raises(UnsupportedError, match=r"StepCurrentSource\(times=\[start"):
        sim.DCSource(amplitude=0.5)


def test_the_hardware_tier_stimulates_one_neuron_per_hicann():
    """Three stimulated neurons on one HICANN: the first keeps its input and fires
    (1.5 nA into g_L = 0.05 µS aims at -35 mV); the others stay at rest."""
    sim.setup(
        timestep=0.1,
        fidelity="hardware",
        wafer=SMALL_WAFER,
        hardware=HardwareConfig(variation=False),
    )
    cells = sim.Population(4, sim.IF_cond_exp(), label="cells")
    cells[0:3].inject(sim.StepCurrentSource(times=[1.0], amplitudes=[1.5]))
    cells.record("spikes")
    cells[[1, 3]].record("v")  # two analog outputs per reticle
    with pytest.warns(UserWarning, match=r"discarding input to .*cells\[1\]") as w:
        sim.run(30.0)
    assert "cells[2]" in str(w[0].message)
    loss = sim.losses()["current_stimulus_per_hicann"]
    assert (loss.total_offered, loss.total_dropped) == (3, 2)
    segment = cells.get_data().segments[0]
    assert [t.size > 0 for t in segment.spiketrains] == [True, False, False, False]
    v = np.asarray(segment.analogsignals[0])
    np.testing.assert_array_equal(v[:, 0], v[:, 1])  # discarded: as unstimulated


def test_the_hardware_tier_plays_at_most_129_values():
    sim.setup(timestep=0.1, fidelity="hardware", wafer=SMALL_WAFER)
    cells = sim.Population(1, sim.IF_cond_exp())
    times = 1.0 + 0.1 * np.arange(130)
    cells.inject(sim.StepCurrentSource(times=times, amplitudes=np.full(130, 0.1)))
    with pytest.raises(UnsupportedError, match="130 amplitude values"):
        sim.run(2.0)
