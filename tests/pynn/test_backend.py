"""The PyNN backend ``twin.pynn``: PyNN's API over the twin's network and emulator."""

import numpy as np
import pytest

import twin.pynn as sim
from twin.errors import ConfigError, UnsupportedError

INPUT = [[1.0, 5.0, 9.0, 13.0]] * 4


def _small(seed=1, fidelity="ideal"):
    """Spike sources onto 20 neurons (two populations), recorded."""
    sim.setup(timestep=0.1, min_delay=0.1, fidelity=fidelity, rng_seed=seed)
    src = sim.Population(4, sim.SpikeSourceArray(spike_times=INPUT), label="in")
    rng = sim.NumpyRNG(seed=seed)
    tau_m = sim.RandomDistribution("normal", (15.0, 2.0), rng=rng)
    exc = sim.Population(12, sim.IF_cond_exp(tau_m=tau_m), label="exc")
    inh = sim.Population(8, sim.EIF_cond_exp_isfa_ista(), label="inh")
    syn = sim.StaticSynapse(weight=0.04, delay=1.0)
    sim.Projection(src, exc, sim.AllToAllConnector(), syn, receptor_type="excitatory")
    sim.Projection(
        src,
        inh,
        sim.FixedNumberPreConnector(3, rng=rng),
        syn,
        receptor_type="excitatory",
    )
    sim.Projection(
        exc,
        inh,
        sim.FixedProbabilityConnector(0.5, rng=rng),
        sim.StaticSynapse(weight=0.01, delay=0.5),
        receptor_type="excitatory",
    )
    sim.Projection(
        inh,
        exc,
        sim.FixedProbabilityConnector(0.5, rng=rng),
        sim.StaticSynapse(weight=0.02, delay=0.7),
        receptor_type="inhibitory",
    )
    everything = exc + inh
    everything.record("spikes")
    # The wafer reads out 2 membranes per reticle: the hardware tier traces two.
    (exc[:2] if fidelity == "hardware" else everything).record("v")
    return src, exc, inh


def _spikes(block):
    return [np.asarray(t) for t in block.segments[-1].spiketrains]


def test_the_built_network_is_the_script_s_network():
    from twin.pynn.build import network_of

    _small()
    state = sim.simulator.state
    built = network_of(state.structure.populations, state.structure.projections, 0.1)
    net = built.network
    assert [p.name for p in net.populations] == ["exc", "inh"]
    assert net.n_synapses == sum(len(p) for p in state.structure.projections)
    # The first 12 normal draws of NumpyRNG(seed=1) (PyNN draws for all cells).
    expected = np.random.RandomState(1).normal(15.0, 2.0, 12)
    np.testing.assert_allclose(net.population("exc").parameters["tau_m"], expected)
    fixed = state.structure.projections[1]
    _, post, _, _ = fixed.coo()
    assert np.all(np.bincount(post, minlength=8) == 3)  # FixedNumberPre(3)
    sim.end()


@pytest.mark.parametrize("fidelity", ["ideal", "hardware"])
def test_a_continued_run_equals_one_long_run(fidelity):
    _, exc, _ = _small(fidelity=fidelity)
    sim.run(12.0)
    sim.run(18.0)
    split = _spikes(exc.get_data())
    v_split = np.asarray(exc.get_data().segments[0].analogsignals[0])
    sim.end()
    _, exc, _ = _small(fidelity=fidelity)
    sim.run(30.0)
    whole = _spikes(exc.get_data())
    v_whole = np.asarray(exc.get_data().segments[0].analogsignals[0])
    sim.end()
    assert sum(t.size for t in whole) > 0
    for a, b in zip(split, whole, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(v_split, v_whole)


@pytest.mark.parametrize("fidelity", ["ideal", "hardware"])
def test_reset_gives_a_new_segment_with_the_same_dynamics(fidelity):
    _, exc, _ = _small(fidelity=fidelity)
    sim.run(30.0)
    sim.reset()
    sim.run(30.0)
    block = exc.get_data()
    assert len(block.segments) == 2
    first, second = (s.spiketrains for s in block.segments)
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    sim.end()


def test_membrane_trace_starts_at_the_initial_value():
    _, exc, _ = _small()
    exc.initialize(v=np.linspace(-70.0, -60.0, 12))
    sim.run(10.0)
    v = exc.get_data().segments[0].analogsignals[0]
    assert v.shape == (101, 12)  # t = 0, 0.1, ..., 10 ms
    np.testing.assert_allclose(np.asarray(v)[0], np.linspace(-70.0, -60.0, 12))
    assert float(v.sampling_period.rescale("ms")) == pytest.approx(0.1)
    sim.end()


def test_sampling_interval_and_clear():
    sim.setup(timestep=0.1)
    pop = sim.Population(2, sim.IF_cond_exp(i_offset=1.0))
    pop.record("v", sampling_interval=1.0)
    pop.record("spikes")
    sim.run(20.0)
    first = pop.get_data(clear=True)
    sim.run(10.0)
    second = pop.get_data()
    v_first = first.segments[0].analogsignals[0]
    v_second = second.segments[0].analogsignals[0]
    assert v_first.shape == (21, 2)  # 0, 1, ..., 20 ms
    assert v_second.shape == (11, 2)  # 20, 21, ..., 30 ms
    assert float(v_second.t_start.rescale("ms")) == pytest.approx(20.0)
    np.testing.assert_array_equal(np.asarray(v_second)[0], np.asarray(v_first)[-1])
    spikes = np.concatenate([np.asarray(t) for t in second.segments[0].spiketrains])
    assert spikes.size > 0
    assert spikes.min() > 20.0  # the cleared part is not returned again
    assert spikes.max() <= 30.0
    sim.end()


def test_spike_counts_agree_with_the_trains():
    _, exc, _ = _small()
    sim.run(30.0)
    trains = exc.get_data().segments[0].spiketrains
    counts = exc.get_spike_counts()
    assert [counts[int(i)] for i in exc.all_cells] == [t.size for t in trains]
    assert exc.mean_spike_count() == pytest.approx(np.mean([t.size for t in trains]))
    sim.end()


def test_the_wafer_keeps_its_configuration_within_a_run():
    """On the hardware tier a changed parameter needs a reset (the wafer keeps its
    mapping and analog configuration within a run); new spike times do not."""
    src, exc, _ = _small(fidelity="hardware")
    sim.run(10.0)
    src.set(spike_times=[[12.0, 14.0]] * src.size)
    sim.run(10.0)  # spike sources may change
    extra = sim.Population(2, sim.SpikeSourcePoisson(rate=5.0))
    sim.Projection(extra, exc, sim.AllToAllConnector(), receptor_type="excitatory")
    with pytest.raises(UnsupportedError, match="spike sources were created"):
        sim.run(10.0)
    sim.reset()
    sim.run(10.0)
    exc.set(tau_m=10.0)
    with pytest.raises(UnsupportedError, match="reset"):
        sim.run(10.0)
    sim.reset()
    sim.run(10.0)  # after reset the changed network runs
    sim.end()


def test_new_populations_after_a_run_need_a_reset():
    _small()
    sim.run(10.0)
    sim.Population(2, sim.IF_cond_exp())
    with pytest.raises(UnsupportedError, match="populations were created after a run"):
        sim.run(10.0)
    sim.end()


def test_projection_get_set_and_connections():
    sim.setup(timestep=0.1)
    a = sim.Population(3, sim.SpikeSourceArray(spike_times=[[1.0]] * 3))
    b = sim.Population(2, sim.IF_cond_exp())
    rows = [(0, 0, 0.1, 1.0), (2, 1, 0.2, 1.5), (2, 1, 0.3, 2.0)]
    prj = sim.Projection(a, b, sim.FromListConnector(rows), receptor_type="excitatory")
    assert len(prj) == prj.size() == 3
    assert (prj.wafer_report().requested, prj.wafer_report().realised) == (3, 3)
    assert prj.get(["weight", "delay"], format="list")[1] == (2, 1, 0.2, 1.5)
    weights = prj.get("weight", format="array")  # multapses summed
    assert weights[2, 1] == pytest.approx(0.5)
    assert np.isnan(weights[1, 0])
    prj.set(weight=0.05)
    assert prj.get("weight", format="list", with_address=False) == [0.05] * 3
    prj[0].weight = 0.07
    assert prj.connections[0].weight == pytest.approx(0.07)
    sim.end()


@pytest.mark.parametrize(
    ("make", "feature"),
    [
        (lambda: sim.HH_cond_exp(), "HH_cond_exp"),
        (lambda: sim.SimpleStochasticSynapse(), "SimpleStochasticSynapse"),
        (lambda: sim.ACSource(amplitude=1.0), "ACSource"),
    ],
)
def test_unsupported_features_name_themselves(make, feature):
    with pytest.raises(UnsupportedError, match=feature) as info:
        make()
    assert "twin" in str(info.value)


def test_an_unknown_fidelity_is_the_tiers_one_error():
    with pytest.raises(ConfigError, match=r"unknown tier 'perfect'; use ideal, mapped"):
        sim.setup(fidelity="perfect")


def test_a_theory_tier_is_refused_at_setup_naming_the_remedy():
    with pytest.raises(UnsupportedError, match=r"fidelity='theory'.*rates_of"):
        sim.setup(fidelity="theory")


def test_recorded_poisson_sources_fire_inside_their_windows_at_their_rates():
    """Generators with per-cell windows, recorded over two runs: every spike inside
    its window (start + dt, start + duration + dt] (NEST's rule), and the count over
    200 generators within 4 Poisson sd of rate x window."""
    sim.setup(timestep=0.1, rng_seed=3)
    start = np.repeat([0.0, 20.0], 100)
    duration = np.repeat([50.0, 30.5], 100)
    src = sim.Population(
        200, sim.SpikeSourcePoisson(rate=400.0, start=start, duration=duration)
    )
    src.record("spikes")
    sim.run(30.0)
    sim.run(50.0)
    trains = src.get_data().segments[0].spiketrains
    sim.end()
    for k, train in enumerate(trains):
        t = np.asarray(train)
        assert np.all(t > start[k] + 0.1 - 1e-9), k
        assert np.all(t <= start[k] + duration[k] + 0.1 + 1e-9), k
    expected = 400.0 * (100 * 50.0 + 100 * 30.5) * 1e-3
    total = sum(len(t) for t in trains)
    assert abs(total - expected) <= 4 * np.sqrt(expected)


def test_mapped_tier_reports_its_mapping():
    _small(fidelity="mapped")
    sim.run(20.0)
    mapping = sim.mapping()
    state = sim.simulator.state
    assert mapping.loss.total_requested == sum(
        len(p) for p in state.structure.projections
    )
    assert 0 <= mapping.loss.fraction_lost < 1
    reports = [p.wafer_report() for p in state.structure.projections]
    for proj, report in zip(state.structure.projections, reports, strict=True):
        assert report.requested == len(proj)
        assert report.realised == report.requested - sum(report.lost.values())
    lost = sum(sum(r.lost.values()) for r in reports)
    assert lost == mapping.loss.total_lost
    sim.end()


def test_views_of_views_and_invalid_sets_leave_the_population_intact():
    sim.setup()
    pop = sim.Population(10, sim.IF_cond_exp(), label="p")
    inner = pop[2:8][1:3]  # cells 3 and 4
    inner.set(tau_m=11.0)
    inner.initialize(v=-60.0)
    assert pop.get("tau_m").tolist() == [20.0] * 3 + [11.0] * 2 + [20.0] * 5
    pop.record("v")
    sim.run(0.1)
    v0 = np.asarray(pop.get_data().segments[0].analogsignals[0])[0]
    assert v0.tolist() == [-65.0] * 3 + [-60.0] * 2 + [-65.0] * 5
    sim.reset()
    with pytest.raises(sim.errors.InvalidParameterValueError, match="v_reset"):
        inner.set(v_reset=-40.0)  # above v_thresh = -50 mV
    assert np.all(pop.get("v_reset") == -65.0)  # nothing was changed
    with pytest.raises(UnsupportedError, match="gsyn_exc"):
        pop.initialize(gsyn_exc=0.01)
    sim.end()


def test_delays_and_seeds_of_setup():
    sim.setup(timestep=0.1, min_delay="auto", grng_seed=42)
    assert sim.simulator.state.options.seed == 42
    a = sim.Population(2, sim.SpikeSourceArray(spike_times=[[1.0]] * 2))
    b = sim.Population(2, sim.IF_cond_exp())
    sim.Projection(a, b, sim.AllToAllConnector(), sim.StaticSynapse(delay=0.26))
    sim.Projection(a, b, sim.AllToAllConnector(), sim.StaticSynapse(delay=1.04))
    assert sim.get_min_delay() == pytest.approx(0.3)  # on the step grid, as NEST
    assert sim.get_max_delay() == pytest.approx(1.0)
    sim.end()


def test_hardware_tier_reports_its_losses():
    _small(fidelity="hardware")
    sim.run(20.0)
    losses = sim.losses()
    assert "recording_per_hicann" in losses
    assert all(v.total_dropped <= v.total_offered for v in losses.values())
    sim.end()


def test_the_hardware_tier_reads_out_what_the_wafer_can():
    """Two membranes per reticle, the membrane only (the wafer's analog readout)."""
    _, exc, _ = _small(fidelity="hardware")
    exc[:2].record("gsyn_exc")
    with pytest.raises(UnsupportedError, match="membrane potential"):
        sim.run(5.0)
    sim.end()
    _, exc, _ = _small(fidelity="hardware")
    exc.record("v")  # 12 neurons, placed together on one chip
    with pytest.raises(UnsupportedError, match="2 analog outputs per reticle"):
        sim.run(5.0)
    sim.end()
    _, exc, _ = _small(fidelity="mapped")
    exc.record(["v", "gsyn_exc"])  # no readout limit before the hardware tier
    sim.run(5.0)
    assert exc.get_data().segments[0].analogsignals[0].shape[1] == 12
    sim.end()


def test_initialize_between_runs_starts_the_cells_there():
    """v set after a run is where the continued run starts (as NEST sets V_m): a
    resting IF_cond_exp cell relaxes from it with tau_m (to RK4's 1e-6 mV); the first
    sample keeps the value the session started with."""
    sim.setup(timestep=0.1)
    pop = sim.Population(3, sim.IF_cond_exp(tau_m=20.0, v_rest=-65.0))
    pop.record("v")
    sim.run(5.0)
    pop[1:].initialize(v=-50.0)
    sim.run(1.0)
    v = np.asarray(pop.get_data().segments[0].analogsignals[0])
    sim.end()
    assert v.shape == (61, 3)
    np.testing.assert_allclose(v[:, 0], -65.0, atol=1e-6)  # untouched, at rest
    np.testing.assert_allclose(v[:51, 1:], -65.0, atol=1e-6)  # up to t = 5 ms
    t = 0.1 * np.arange(1, 11)
    expected = -65.0 + 15.0 * np.exp(-t / 20.0)
    np.testing.assert_allclose(v[51:, 1], expected, atol=1e-4)
    np.testing.assert_allclose(v[51:, 2], expected, atol=1e-4)


def test_list_standard_models_names_the_cell_types_and_not_their_base():
    """As pyNN.nest's: each name a StandardCellType subclass the twin creates."""
    from pyNN.standardmodels import StandardCellType

    names = sim.list_standard_models()
    assert "StandardCellType" not in names
    assert {"IF_cond_exp", "EIF_cond_exp_isfa_ista"} <= set(names)
    for name in names:
        cls = getattr(sim, name)
        assert issubclass(cls, StandardCellType)
        assert cls is not StandardCellType
