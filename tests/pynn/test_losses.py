"""The hardware tier's ``sim.losses()``: the runs' real events, per run and in total.

The input links are offered every event of the spike sources in the run, whatever is
recorded: their count equals the events the sources emitted (counted from the recorded
trains, and the emulator's own counter), which for n Poisson sources of rate r over T
is n r T within Poisson statistics (5 sd). The links are queues over the whole session,
so the runs' per-group counts add up to the session's.
"""

import numpy as np
import pytest

import twin.pynn as sim
from twin.errors import ConfigError
from twin.hardware import HardwareConfig
from twin.wafer import Wafer
from twin.wafer.bandwidth import Bandwidth

N_SRC, RATE, T, DT = 20, 100.0, 500.0, 0.1  # sources, Hz, ms per run, ms
WAFER = Wafer.region([0, 1])  # the mapping of a full wafer takes seconds
#: A tenth of the wafer's event rates (ten times its speed-up): the links drop.
SLOW_LINKS = HardwareConfig(limits=Bandwidth(speedup=1e5))
INPUTS = ("input_per_hicann", "input_per_fpga")
LINK = "recording_per_hicann"


def _session(record_cells, record_sources, hardware=None, seed=3):
    sim.setup(
        timestep=DT, fidelity="hardware", wafer=WAFER, hardware=hardware, rng_seed=seed
    )
    sources = sim.Population(N_SRC, sim.SpikeSourcePoisson(rate=RATE), label="src")
    cells = sim.Population(10, sim.IF_cond_exp(), label="cells")
    sim.Projection(
        sources, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=0.01)
    )
    if record_cells:
        cells.record("spikes")
    if record_sources:
        sources.record("spikes")
    return sources, cells


def _count(population, first=0.0, last=np.inf):
    """Spikes of ``population`` with times in (first, last] ms."""
    trains = population.get_data().segments[-1].spiketrains
    return sum(int(((t > first) & (t <= last)).sum()) for t in map(np.asarray, trains))


def _emulator_count():
    """External events the emulator delivered in the session's runs (its counter)."""
    segments = sim.simulator.state.emulation.segments
    return sum(s.recording.counters["poisson_events"] for s in segments)


def _within_poisson(count, mean):
    return abs(count - mean) < 5 * np.sqrt(mean)


def test_the_input_links_are_offered_every_source_event_whatever_is_recorded():
    offered = {}
    for cells, sources in ((True, True), (False, True), (False, False)):
        population, _ = _session(cells, sources)
        sim.run(T)
        assert (sim.mapping().buses.bus["src"] >= 0).all()  # every source placed
        losses = sim.losses()
        offered[cells, sources] = [losses[k].total_offered for k in INPUTS]
        assert offered[cells, sources] == [_emulator_count()] * 2
        if sources:
            assert offered[cells, sources] == [_count(population)] * 2
        sim.end()
    counts = {v[0] for v in offered.values()}
    assert len(counts) == 1  # one seed, one draw: recording changes nothing
    assert _within_poisson(counts.pop(), N_SRC * RATE * T * 1e-3)


def test_the_recording_link_is_offered_the_recorded_spikes():
    _, cells = _session(True, False, hardware=SLOW_LINKS)
    sim.run(T)
    link = sim.losses()[LINK]
    assert link.total_offered > 0
    assert _count(cells) == link.total_offered - link.total_dropped
    sim.end()


def _add_up(per_run, total):
    """Per resource and group: the runs' offered and dropped events sum to the total."""
    assert all(set(r) == set(total) for r in per_run)
    for name, loss in total.items():
        for field in ("offered", "dropped"):
            summed = {}
            for run in per_run:
                for group, n in getattr(run[name], field).items():
                    summed[group] = summed.get(group, 0) + n
            assert {g: n for g, n in summed.items() if n} == {
                g: n for g, n in getattr(loss, field).items() if n
            }, (name, field)
        assert all(loss.dropped.get(g, 0) <= n for g, n in loss.offered.items())


def test_two_runs_add_up_to_the_session():
    """Run 0 at r, run 1 at 2 r, the links slowed down so that they drop."""
    sources, cells = _session(True, True, hardware=SLOW_LINKS)
    sim.run(T)
    sources.set(rate=2 * RATE)
    sim.run(T)
    per_run, total = [sim.losses(run=k) for k in (0, 1)], sim.losses()
    assert [sim.losses(run=-2), sim.losses(run=-1)] == per_run
    assert [sim.losses(run=np.int64(k)) for k in (0, 1)] == per_run  # numpy indices
    _add_up(per_run, total)
    for name in INPUTS:
        assert [r[name].total_offered for r in per_run] == [
            _count(sources, 0.0, T),
            _count(sources, T, 2 * T),
        ]
    assert total["input_per_hicann"].total_dropped > 0  # the check is not vacuous
    for k, run in enumerate(per_run):
        assert _within_poisson(
            run[INPUTS[0]].total_offered, (k + 1) * N_SRC * RATE * T * 1e-3
        )
    assert _count(cells) == total[LINK].total_offered - total[LINK].total_dropped
    with pytest.raises(ConfigError, match=r"run=2.*2 run"):
        sim.losses(run=2)
    sim.reset()
    assert sim.losses() == {}
    sim.run(T)
    assert sim.losses(run=0) == sim.losses()
    sim.end()


def test_spike_source_arrays_offer_the_times_they_emit_in_each_run():
    """Four trains at 1, 5, 9, 13 ms: runs to 10 and 20 ms emit 3 and 1 per train."""
    sim.setup(timestep=DT, fidelity="hardware", wafer=WAFER)
    trains = [[1.0, 5.0, 9.0, 13.0]] * 4
    sources = sim.Population(4, sim.SpikeSourceArray(spike_times=trains))
    cells = sim.Population(2, sim.IF_cond_exp())
    sim.Projection(sources, cells, sim.AllToAllConnector(), sim.StaticSynapse())
    sim.run(10.0)
    sim.run(10.0)
    for name in INPUTS:
        assert [sim.losses(run=k)[name].total_offered for k in (0, 1)] == [12, 4]
        assert sim.losses()[name].total_offered == 16
    sim.end()
