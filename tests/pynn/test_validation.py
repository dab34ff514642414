"""A refused call leaves no trace; delays are what NEST realises and what the twin runs.

Each refused call (constructor, ``set``, ``initialize``, ``record``, current source)
is made inside the same small session; the session must then run and equal, value
for value, the session where the call was never made: the same network, the same
cell ids, the same recorded variables, the same spikes and membrane traces.
"""

import numpy as np
import pytest
from pyNN import errors as pynn_errors

import twin.pynn as sim
from twin.errors import TwinError, UnsupportedError
from twin.pynn.build import network_of
from twin.pynn.validation import InvalidConnectionError, InvalidValueError
from twin.timegrid import TimeGrid

TIMES = [[1.0, 3.0, 6.0]] * 4


def _session(refused=None, expected=TwinError):
    """Build, refuse ``refused(objects)`` if given, run 10 ms; return what ran."""
    sim.setup(timestep=0.1, min_delay=0.2, max_delay=2.0, dtype="float64")
    src = sim.Population(4, sim.SpikeSourceArray(spike_times=TIMES), label="src")
    exc = sim.Population(3, sim.IF_cond_exp(), label="exc")
    low = sim.Population(2, sim.IF_cond_exp(v_thresh=-55.0), label="low")
    syn = sim.StaticSynapse(weight=0.05, delay=0.5)
    proj = sim.Projection(src, exc, sim.AllToAllConnector(), syn)
    sim.Projection(src, low, sim.OneToOneConnector(), syn)
    current = sim.StepCurrentSource(times=[2.0, 4.0], amplitudes=[0.3, 0.0])
    current.inject_into(low)
    objects = {"src": src, "exc": exc, "low": low, "proj": proj, "current": current}
    if refused is not None:
        with pytest.raises(expected):
            refused(objects)
    (exc + low).record(["spikes", "v"])
    state = sim.simulator.state
    built = network_of(state.structure.populations, state.structure.projections, 0.1)
    sim.run(10.0)
    segments = [p.get_data().segments[0] for p in (exc, low)]
    ran = {
        "network": built.network,
        "ids": (state.id_counter, [int(p.first_id) for p in (src, exc, low)]),
        "recorded": [sorted(s.name for s in seg.analogsignals) for seg in segments],
        "v": [np.asarray(seg.filter(name="v")[0]) for seg in segments],
        "spikes": [np.asarray(t) for seg in segments for t in seg.spiketrains],
        "initial": [
            {
                k: v.evaluate(simplify=False).tolist()
                for k, v in p.initial_values.items()
            }
            for p in (exc, low)
        ],
    }
    sim.end()
    return ran


@pytest.fixture(scope="module")
def untouched():
    return _session()


def _assert_same(a, b):
    assert a["network"] == b["network"]
    assert a["ids"] == b["ids"]
    assert a["recorded"] == b["recorded"]
    assert a["initial"] == b["initial"]
    for x, y in zip(a["v"] + a["spikes"], b["v"] + b["spikes"], strict=True):
        np.testing.assert_array_equal(x, y)


def _population(cell):
    return lambda o: sim.Population(2, cell, label="refused")


REFUSED = {
    # constructors
    "unsorted SpikeSourceArray": _population(
        sim.SpikeSourceArray(spike_times=[3.0, 1.0])
    ),
    "spike never emitted": _population(sim.SpikeSourceArray(spike_times=[0.0001])),
    "negative tau_m": _population(sim.IF_cond_exp(tau_m=-1.0)),
    "negative Poisson rate": _population(sim.SpikeSourcePoisson(rate=-1.0)),
    "Poisson start off the grid": _population(sim.SpikeSourcePoisson(start=0.05)),
    "Poisson stop off the grid": _population(
        sim.SpikeSourcePoisson(start=1.0, duration=0.25)
    ),
    "non-finite initial v": lambda o: sim.Population(
        2, sim.IF_cond_exp(), initial_values={"v": np.nan}
    ),
    "initial conductance": lambda o: sim.Population(
        2, sim.IF_cond_exp(), initial_values={"gsyn_exc": 0.1}
    ),
    "delay under one step": lambda o: sim.Projection(
        o["src"], o["exc"], sim.AllToAllConnector(), sim.StaticSynapse(delay=0.04)
    ),
    "delay under min_delay": lambda o: sim.Projection(
        o["src"], o["exc"], sim.AllToAllConnector(), sim.StaticSynapse(delay=0.1)
    ),
    "delay over max_delay": lambda o: sim.Projection(
        o["src"],
        o["exc"],
        sim.FromListConnector([(0, 0, 0.01, 1.0), (1, 1, 0.01, 2.1)]),
    ),
    "negative weight": lambda o: sim.Projection(
        o["src"], o["exc"], sim.FromListConnector([(0, 0, -0.01, 1.0)])
    ),
    "non-finite weight": lambda o: sim.Projection(
        o["src"], o["exc"], sim.FromListConnector([(0, 0, np.inf, 1.0)])
    ),
    # set / initialize
    "set above threshold": lambda o: o["exc"].set(v_reset=-40.0),
    "set on a view": lambda o: o["exc"][1:].set(tau_m=-1.0),
    "set through an id": lambda o: setattr(o["exc"][0], "tau_m", -1.0),
    "assembly set valid for one member": lambda o: (o["exc"] + o["low"]).set(
        v_reset=-52.0
    ),
    "set unsorted spike times": lambda o: o["src"].set(spike_times=[3.0, 1.0]),
    "initialize v then an unknown w": lambda o: o["exc"].initialize(v=-60.0, w=0.0),
    "initialize a view to NaN": lambda o: o["exc"][:2].initialize(v=np.nan),
    "assembly initialize to inf": lambda o: (o["exc"] + o["low"]).initialize(v=np.inf),
    "assembly initialize valid for one member": lambda o: (
        o["exc"] + o["src"]
    ).initialize(v=-60.0),
    "projection set delay over max_delay": lambda o: o["proj"].set(delay=2.5),
    "projection set a valid weight and a bad delay": lambda o: o["proj"].set(
        weight=0.5, delay=0.01
    ),
    "projection set negative weight": lambda o: o["proj"].set(weight=-0.1),
    "connection delay": lambda o: setattr(o["proj"][0], "delay", 3.0),
    "connection weight": lambda o: setattr(o["proj"][0], "weight", np.nan),
    # recording
    "record a variable off the grid": lambda o: o["exc"].record(
        "gsyn_exc", sampling_interval=0.15
    ),
    # current sources
    "current source times unsorted": lambda o: sim.StepCurrentSource(
        times=[2.0, 1.0], amplitudes=[0.1, 0.0]
    ).inject_into(o["exc"]),
    "injected current source changed to invalid times": lambda o: o[
        "current"
    ].set_parameters(times=[4.0, 2.0]),
}

#: Refusals that are PyNN's own errors (the twin adds no error class there).
PYNN_REFUSED = {
    "record a list with an unknown variable": (
        lambda o: o["exc"].record(["gsyn_exc", "bogus"]),
        pynn_errors.RecordingError,
    ),
    "current into a spike source": (
        lambda o: sim.DCSource(amplitude=0.5).inject_into(o["exc"] + o["src"]),
        TypeError,
    ),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_refused_call_leaves_no_trace(untouched, name):
    _assert_same(_session(REFUSED[name]), untouched)


@pytest.mark.parametrize("name", sorted(PYNN_REFUSED))
def test_a_call_pynn_refuses_leaves_no_trace(untouched, name):
    refused, expected = PYNN_REFUSED[name]
    _assert_same(_session(refused, expected), untouched)


def test_the_errors_are_the_twin_s_and_pynn_s():
    """A script catching PyNN's errors (as pyNN.nest raises them) catches the twin's."""
    assert issubclass(InvalidValueError, TwinError)
    assert issubclass(InvalidValueError, pynn_errors.InvalidParameterValueError)
    assert issubclass(InvalidConnectionError, TwinError)
    assert issubclass(InvalidConnectionError, pynn_errors.ConnectionError)
    sim.setup(timestep=0.1, min_delay=0.1, max_delay=0.3)
    a = sim.Population(2, sim.IF_cond_exp())
    with pytest.raises(InvalidConnectionError, match=r"max_delay = 0.3 ms.*setup"):
        sim.Projection(a, a, sim.AllToAllConnector(), sim.StaticSynapse(delay=1.0))
    with pytest.raises(InvalidValueError, match="tau_m"):
        a.set(tau_m=0.0)
    sim.end()


def test_a_max_delay_given_alone_is_enforced():
    """pyNN.nest 0.13 ignores max_delay without min_delay; the twin keeps the limit."""
    sim.setup(timestep=0.1, max_delay=0.3)
    a = sim.Population(2, sim.IF_cond_exp())
    with pytest.raises(InvalidConnectionError, match="max_delay"):
        sim.Projection(a, a, sim.AllToAllConnector(), sim.StaticSynapse(delay=1.0))
    assert sim.get_max_delay() == pytest.approx(0.3)
    sim.end()


@pytest.mark.parametrize("dt", [0.1, 0.05, 0.025])
def test_get_returns_the_delays_the_emulator_runs(dt):
    """``get("delay")`` is NEST's realised delay, ``steps · dt``, and the network."""
    requested = np.array([0.05, 0.26, 1.04, 0.125, 0.375, 2.0]).clip(dt)
    sim.setup(timestep=dt)
    a = sim.Population(requested.size, sim.IF_cond_exp())
    delays = np.full((requested.size, requested.size), 1.0)
    np.fill_diagonal(delays, requested)
    proj = sim.Projection(
        a, a, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.01, delay=delays)
    )
    got = np.asarray(proj.get("delay", format="list", with_address=False))
    grid = TimeGrid(dt)
    steps = np.floor(requested / dt + 0.5 + 1e-9).astype(int)  # nearest, halves up
    np.testing.assert_array_equal(grid.delay_steps(got), steps)
    np.testing.assert_allclose(got, steps * dt, rtol=1e-12)
    state = sim.simulator.state
    built = network_of(state.structure.populations, state.structure.projections, dt)
    np.testing.assert_array_equal(built.network.projections[0].delay, got)
    proj[0].delay = 0.26  # a connection's setter realises too
    assert proj[0].delay == pytest.approx(grid.delay_steps(0.26) * dt, rel=1e-12)
    sim.end()


def test_limits_are_put_on_the_grid_as_nest_does():
    """NEST widens the limits to whole steps: min_delay down, max_delay up."""
    sim.setup(timestep=0.1, min_delay=0.15, max_delay=0.34)
    assert sim.get_min_delay() == pytest.approx(0.1)
    assert sim.get_max_delay() == pytest.approx(0.4)
    a = sim.Population(2, sim.IF_cond_exp())
    for accepted in (0.1, 0.36):  # 1 and 4 steps
        sim.Projection(a, a, sim.AllToAllConnector(), sim.StaticSynapse(delay=accepted))
    with pytest.raises(InvalidConnectionError, match="max_delay"):
        sim.Projection(a, a, sim.AllToAllConnector(), sim.StaticSynapse(delay=0.45))
    sim.end()


def test_a_refused_population_does_not_take_ids():
    sim.setup(timestep=0.1)
    first = sim.Population(3, sim.IF_cond_exp())
    with pytest.raises(InvalidValueError):
        sim.Population(5, sim.IF_cond_exp(cm=-1.0))
    second = sim.Population(2, sim.IF_cond_exp())
    assert int(second.first_id) == int(first.last_id) + 1
    assert sim.simulator.state.structure.populations == [first, second]
    assert second.recorder in sim.simulator.state.recorders
    assert len(sim.simulator.state.recorders) == 2
    sim.end()


def test_recording_off_the_grid_is_refused_before_anything_is_recorded():
    sim.setup(timestep=0.1)
    a = sim.Population(2, sim.IF_cond_exp())
    with pytest.raises(UnsupportedError, match="sampling interval"):
        a.record(["spikes", "v"], sampling_interval=0.25)
    assert not a.recorder.recorded
    sim.end()


def test_a_poisson_source_fires_inside_its_window_only():
    """Spikes stamped in (start + dt, start + duration + dt], at ``rate`` there."""
    sim.setup(timestep=0.1, rng_seed=3)
    start, duration, rate, n = 20.0, 30.0, 500.0, 40
    src = sim.Population(
        n, sim.SpikeSourcePoisson(rate=rate, start=start, duration=duration)
    )
    src.record("spikes")
    sim.run(100.0)
    trains = src.get_data().segments[0].spiketrains
    times = np.concatenate([np.asarray(t) for t in trains])
    sim.end()
    assert times.min() > start + 0.1 - 1e-9
    assert times.max() <= start + duration + 0.1 + 1e-9
    expected = n * rate * duration / 1000.0  # Poisson count: sd = sqrt(expected)
    assert abs(times.size - expected) < 5 * np.sqrt(expected)
