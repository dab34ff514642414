"""A session's random streams: every trial, run and population draws its own.

Each run's Poisson input comes from the stream labelled (seed, trial, run)
(:func:`twin.pynn.engine.run_label`). Two independent Poisson trains of rate r on a
grid of step dt share an event in a step with probability p^2, p = r dt; over n cells
and S steps the number of shared (cell, step) events is then about Poisson with mean
n S p^2. A replayed stream shares every event (~ n S p); the tests allow the mean plus
5 standard deviations.
"""

import numpy as np
import pytest

import twin.pynn as sim

N, RATE, T, DT = 50, 50.0, 1000.0, 0.1  # cells, Hz, ms per run, ms
STEPS = round(T / DT)
P = RATE * DT * 1e-3
CHANCE = N * STEPS * P**2


def _shared_bound():
    return CHANCE + 5 * np.sqrt(CHANCE) + 1


def _events(segment, first, last):
    """(cell, stamp from ``first``) of the events with stamps in (first, last]."""
    out = set()
    for cell, train in enumerate(segment.spiketrains):
        stamps = np.rint(np.asarray(train.magnitude) / DT).astype(np.int64)
        out |= {(cell, int(s) - first) for s in stamps if first < s <= last}
    return out


def _session(seed, populations=1):
    sim.setup(timestep=DT, rng_seed=seed)
    pops = [
        sim.Population(N, sim.SpikeSourcePoisson(rate=RATE), label=f"p{k}")
        for k in range(populations)
    ]
    for p in pops:
        p.record("spikes")
    return pops


def _check_stream(events):
    """A stream of the expected size: n S p within 5 Poisson sd."""
    mean = N * STEPS * P
    assert abs(len(events) - mean) < 5 * np.sqrt(mean), (len(events), mean)


def test_runs_and_trials_after_reset_draw_distinct_input():
    """Trial 0 runs 0 and 1, reset, trial 1 runs 0 and 1: no two share their input.

    Trial 1's run 0 used to replay trial 0's run 1 (the trial and run index were
    folded into the same key).
    """
    (pop,) = _session(seed=4)
    streams = {}
    for trial in range(2):
        sim.run(T)
        sim.run(T)
        segment = pop.get_data().segments[-1]
        for run in range(2):
            streams[trial, run] = _events(segment, run * STEPS, (run + 1) * STEPS)
        sim.reset()
    sim.end()
    for events in streams.values():
        _check_stream(events)
    names = sorted(streams)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            shared = len(streams[a] & streams[b])
            assert shared <= _shared_bound(), (a, b, shared, CHANCE)


def test_populations_draw_distinct_input():
    """Two equal Poisson populations of one run share events only by chance."""
    a, b = _session(seed=5, populations=2)
    sim.run(T)
    events = [_events(p.get_data().segments[-1], 0, STEPS) for p in (a, b)]
    sim.end()
    for e in events:
        _check_stream(e)
    assert len(events[0] & events[1]) <= _shared_bound()


@pytest.mark.parametrize("other", [6, 7])
def test_a_stream_depends_on_its_label_only(other):
    """The same seed replays the same input; another seed draws other input."""
    draws = []
    for seed in (6, other):
        (pop,) = _session(seed)
        sim.run(T)
        draws.append(_events(pop.get_data().segments[-1], 0, STEPS))
        sim.end()
    if other == 6:
        assert draws[0] == draws[1]
    else:
        assert len(draws[0] & draws[1]) <= _shared_bound()
