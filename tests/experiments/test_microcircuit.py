"""The cortical microcircuit workload: tables, network, analysis and figures.

Reference numbers are the demo's (reference ``brunel_bss1.md`` §2 and the demo's
``parameters.py``) and P&D 2014's; statistical checks state their tolerance.
"""

import math

import numpy as np
import pytest
from matplotlib.figure import Figure
from scipy.stats import iqr, truncnorm

from experiments.microcircuit import analysis as an
from experiments.microcircuit import plots
from experiments.microcircuit.config import (
    BASE_WEIGHTS,
    CONN_PROBS,
    DELAY_BOUNDS,
    DELAYS,
    FULL_SIZES,
    NEURON_MEANS,
    POPULATIONS,
    V_REST,
    VARIATION_BOUNDS,
    VARIATION_SDS,
    MicrocircuitConfig,
    in_degrees,
    psc_amplitude,
    receptor_of,
)
from experiments.microcircuit.network import build_network, initial_potentials
from twin.errors import ConfigError
from twin.recording import SpikeRecording

#: Scaled sizes int(0.1 N) and their total. [reference §2]
DEMO_SIZES = (2068, 583, 2191, 547, 485, 106, 1439, 294)
#: Ideal number of synapses at scale = k_scale = 0.1. [reference §2]
DEMO_SYNAPSES = 2_987_316
#: The demo's raised resting potentials, mV, in population order. [reference §2]
DEMO_V_REST = (-42.52, -43.93, -35.5, -38.31, -36.9, -38.31, -24.26, -35.5)


@pytest.fixture(scope="module")
def full():
    """The 10 % network (about 3 million synapses; built once)."""
    config = MicrocircuitConfig()
    return config, build_network(config)


# --- tables -------------------------------------------------------------------------


def test_sizes_are_the_demo_s():
    config = MicrocircuitConfig()
    assert tuple(config.sizes.values()) == DEMO_SIZES
    assert config.n_neurons == 7_713 == sum(DEMO_SIZES)
    assert tuple(config.sizes) == POPULATIONS


def test_total_synapses_follow_the_in_degree_formula():
    """K = log(1-p)/log(1-1/(N_pre N_post))/N_post, int(round(K k N_post,scaled))."""
    total = 0
    for t, target in enumerate(POPULATIONS):
        for s, source in enumerate(POPULATIONS):
            n_pre, n_post = FULL_SIZES[source], FULL_SIZES[target]
            # log1p: log(1 - x) of x = 1/(N_pre N_post) ~ 1e-9 keeps only 7 digits
            k = (
                math.log1p(-CONN_PROBS[t][s])
                / math.log1p(-1 / (n_pre * n_post))
                / n_post
            )
            assert in_degrees()[t, s] == pytest.approx(k, rel=1e-12, abs=1e-12)
            total += round(k * 0.1 * int(0.1 * n_post))
    assert total == DEMO_SYNAPSES == MicrocircuitConfig().n_synapses


def test_psc_amplitude_is_p_and_d_s_and_peaks_at_the_psp():
    """0.15 mV -> 87.81 pA (P&D); the kernel's numerical maximum is the PSP."""
    current = psc_amplitude(0.15, 0.25, 10.0, 0.5)
    assert current * 1e3 == pytest.approx(87.81, abs=0.005)
    t = np.linspace(0.0, 20.0, 200_001)
    v = current * 10 * 0.5 / (0.25 * 9.5) * (np.exp(-t / 10) - np.exp(-t / 0.5))
    assert v.max() == pytest.approx(0.15, rel=1e-8)


def test_raised_resting_potentials_are_the_demo_s():
    assert tuple(V_REST.values()) == DEMO_V_REST


def test_weight_table_holds_the_reference_s_quoted_weights_and_ranges():
    """The four weights and the two ranges reference §2 quotes (the table itself is
    the demo's parameters.py)."""
    assert BASE_WEIGHTS["excitatory"]["L23E"] == 0.00303139
    assert BASE_WEIGHTS["excitatory"]["L6I"] == 0.00342977
    assert BASE_WEIGHTS["inhibitory"]["L23E"] == 0.02265111
    assert BASE_WEIGHTS["inhibitory"]["L6I"] == 0.01973876
    exc, inh = (
        np.array(list(BASE_WEIGHTS[r].values())) for r in ("excitatory", "inhibitory")
    )
    assert exc.min() >= 0.00303
    assert exc.max() < 0.00343
    assert inh.min() > 0.01973
    assert inh.max() < 0.02266


@pytest.mark.parametrize(
    ("platform", "exc_factor", "inh_factor", "spread"),
    [("nest", 0.1, 1.0, 0.1), ("wafer", 1.0, 1.0, 0.0)],
)
def test_platform_weight_factors(platform, exc_factor, inh_factor, spread):
    config = MicrocircuitConfig(platform=platform)
    for target in POPULATIONS:
        assert config.weight("L4E", target) == pytest.approx(
            exc_factor * BASE_WEIGHTS["excitatory"][target]
        )
        assert config.weight("L5I", target) == pytest.approx(
            inh_factor * BASE_WEIGHTS["inhibitory"][target]
        )
    assert config.weight_spread == spread


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"scale": 0.0}, "scale = 0.0"),
        ({"scale": 1.5}, "scale = 1.5"),
        ({"scale": 5e-4}, "L5I empty"),
        ({"k_scale": -0.1}, "k_scale = -0.1"),
        ({"dt": 0.2}, "dt = 0.2"),
        ({"dt": 0.00015}, "0.00015"),
        ({"analysis_start": 2000.0, "t_stop": 1000.0}, "analysis_start = 2000.0"),
        ({"platform": "spinnaker"}, "'spinnaker'"),
        ({"seed": -1}, "seed = -1"),
    ],
)
def test_bad_configurations_name_the_value(changes, named):
    with pytest.raises(ConfigError, match=named):
        MicrocircuitConfig(**changes)


# --- network ------------------------------------------------------------------------


def test_full_network_has_the_ideal_synapses(full):
    config, net = full
    counts = config.connections
    assert net.n_neurons == 7_713
    assert net.n_synapses == DEMO_SYNAPSES
    for proj in net.projections:
        t, s = POPULATIONS.index(proj.post), POPULATIONS.index(proj.pre)
        assert proj.size == counts[t, s] > 0
        assert proj.receptor == receptor_of(proj.pre)
        assert proj.pre_idx.max() < config.sizes[proj.pre]
        assert proj.post_idx.max() < config.sizes[proj.post]
    assert len(net.projections) == int((np.array(CONN_PROBS) > 0).sum())


def test_full_network_weights_and_delays_follow_their_distributions(full):
    """Per projection: mean weight within 5 standard errors of the mean (10 % sd);
    delays inside their bounds, their mean within 5 standard errors of the mean of
    the normal truncated to the bounds."""
    config, net = full
    for proj in net.projections:
        mean = config.weight(proj.pre, proj.post)
        se = 0.1 * mean / math.sqrt(proj.size)
        assert abs(proj.weight.mean() - mean) < 5 * se
        assert proj.weight.min() >= 0
    for receptor, (mu, sd) in DELAYS.items():
        d = np.concatenate([p.delay for p in net.projections if p.receptor == receptor])
        low, high = DELAY_BOUNDS
        assert d.min() >= low
        assert d.max() <= high
        dist = truncnorm((low - mu) / sd, (high - mu) / sd, loc=mu, scale=sd)
        assert abs(d.mean() - dist.mean()) < 5 * dist.std() / math.sqrt(d.size)


def test_full_network_parameters_respect_the_bounds(full):
    """Bounds hold after the redraws; each varied parameter's mean (all neurons of
    an excitatory population) within 5 standard errors of its truncated normal's."""
    _, net = full
    for pop in net.populations:
        p = pop.parameters
        assert p["tau_m"].min() >= 3.0
        assert p["tau_syn_E"].min() >= 1.8
        assert p["tau_syn_E"].max() <= 4.0
        assert p["tau_syn_I"].min() >= 1.9
        assert p["tau_syn_I"].max() <= 6.0
        assert p["v_reset"].max() <= 0.9 * NEURON_MEANS["v_thresh"]
        assert p["tau_refrac"].min() >= 0.0
        assert np.all(p["cm"] == NEURON_MEANS["cm"])
        if pop.size < 1000:
            continue
        for name, sd in VARIATION_SDS.items():
            mu = V_REST[pop.name] if name == "v_rest" else NEURON_MEANS[name]
            low, high = VARIATION_BOUNDS.get(name, (-np.inf, np.inf))
            dist = truncnorm((low - mu) / sd, (high - mu) / sd, loc=mu, scale=sd)
            se = dist.std() / math.sqrt(pop.size)
            assert abs(p[name].mean() - dist.mean()) < 5 * se, (pop.name, name)


def test_without_variation_every_neuron_has_the_means():
    """No variation: every neuron has the means; the wafer's weights have no sd."""
    config = MicrocircuitConfig.tiny(variation=False, platform="wafer")
    net = build_network(config)
    for pop in net.populations:
        for name, value in NEURON_MEANS.items():
            expected = V_REST[pop.name] if name == "v_rest" else value
            assert np.all(pop.parameters[name] == expected)
    for proj in net.projections:
        assert np.all(proj.weight == config.weight(proj.pre, proj.post))


def test_the_network_is_a_function_of_the_configuration():
    config = MicrocircuitConfig.tiny()
    a, b = build_network(config), build_network(config)
    assert a == b
    assert np.array_equal(initial_potentials(config, a), initial_potentials(config, b))
    other = build_network(config.replace(seed=config.seed + 1))
    assert not np.array_equal(a.projections[0].pre_idx, other.projections[0].pre_idx)


def test_initial_potentials_follow_the_demo_s_distribution():
    """Per population N((V_th + V_rest)/2, |V_th - V_rest|/3): sample mean within 5
    standard errors, sample sd within 5 of its standard errors (sd / sqrt(2n))."""
    config = MicrocircuitConfig.tiny()
    net = build_network(config)
    v0 = initial_potentials(config, net)
    assert v0.shape == (net.n_neurons,)
    for pop in net.populations:
        start = net.offset(pop.name)
        v = v0[start : start + pop.size]
        th, rest = pop.parameters["v_thresh"].mean(), pop.parameters["v_rest"].mean()
        mean, sd = (th + rest) / 2, abs(th - rest) / 3
        assert abs(v.mean() - mean) < 5 * sd / math.sqrt(pop.size)
        assert abs(v.std() - sd) < 5 * sd / math.sqrt(2 * pop.size)


# --- analysis -----------------------------------------------------------------------


def _recording(trains, sizes, t_stop):
    """A SpikeRecording of per-population lists of spike-time arrays."""
    times, ids, recorded, offsets, start = [], [], {}, {}, 0
    for name, size in sizes.items():
        offsets[name] = start
        recorded[name] = np.arange(start, start + size)
        for k, train in enumerate(trains[name]):
            times.append(np.asarray(train, dtype=float))
            ids.append(np.full(len(train), start + k))
        start += size
    t, i = np.concatenate(times), np.concatenate(ids)
    order = np.lexsort((i, t))
    return SpikeRecording(
        times=t[order],
        ids=i[order],
        recorded=recorded,
        population_offsets=offsets,
        t_stop=t_stop,
        dt=0.1,
        counts=np.bincount(i, minlength=start),
        traces=np.zeros((0, 0)),
        counters={},
    )


def test_regular_trains_have_their_rate_and_cv_zero():
    """Period 1000/r ms from the start: exactly r (T - start) spikes after start."""
    rates = np.array([5.0, 10.0, 20.0, 40.0])
    trains = {"A": [np.arange(1, 10_000 * r // 1000 + 1) * (1000 / r) for r in rates]}
    rec = _recording(trains, {"A": 4}, 10_000.0)
    act = an.microcircuit_activity(rec, start=1000.0)["A"]
    np.testing.assert_allclose(act.rates, rates)
    np.testing.assert_allclose(act.cvs, 0.0, atol=1e-9)
    assert act.mean_rate == pytest.approx(rates.mean())
    assert act.sd_rate == pytest.approx(rates.std())


def test_poisson_trains_have_their_rate_and_cv_one():
    """400 Poisson trains of 20 Hz over 9 s analysed: mean rate within 5 standard
    errors (sqrt(r / (N T))); mean CV within 0.03 of 1 (its standard error is about
    1/sqrt(total intervals) = 0.004, its bias of order 1/n = 0.006)."""
    rng = np.random.default_rng(5)
    rate, n, t_stop = 20.0, 400, 10_000.0
    trains = [np.sort(rng.uniform(0, t_stop, rng.poisson(rate * 10))) for _ in range(n)]
    act = an.microcircuit_activity(_recording({"P": trains}, {"P": n}, t_stop))["P"]
    assert abs(act.mean_rate - rate) < 5 * math.sqrt(rate / (n * 9.0))
    assert act.cvs.size == n
    assert abs(act.mean_cv - 1.0) < 0.03


def test_analysis_window_and_cv_rules():
    """Spikes at or before the start are left out; a silent neuron has rate 0 and
    no CV; one interval gives CV 0; ``min_intervals`` = 2 needs three spikes."""
    trains = {"A": [[1000.0, 1500.0], [1100.0, 1200.0], [], [1100.0, 1200.0, 1400.0]]}
    rec = _recording(trains, {"A": 4}, 2000.0)
    act = an.microcircuit_activity(rec, start=1000.0)["A"]
    np.testing.assert_allclose(act.rates, [1.0, 2.0, 0.0, 3.0])
    np.testing.assert_allclose(act.cvs, [0.0, 1 / 3])
    two = an.microcircuit_activity(rec, start=1000.0, min_intervals=2)["A"]
    np.testing.assert_allclose(two.cvs, [1 / 3])
    with pytest.raises(ConfigError, match=r"start 2000\.0"):
        an.microcircuit_activity(rec, start=2000.0)


def test_histograms():
    """Rate densities integrate to 1 over the rates below the last edge; the
    Freedman-Diaconis width is 2 IQR n^(-1/3) (scipy's IQR); CV bins start at 0 and
    cover [0, 2]."""
    rng = np.random.default_rng(1)
    rates = rng.gamma(2.0, 3.0, 500)
    hist = an.rate_histogram(rates, max_rate=100.0)
    assert np.all(np.diff(hist.edges) == 1.0)
    assert hist.edges[0] == 0
    assert np.sum(hist.density * np.diff(hist.edges)) == pytest.approx(1.0)
    cvs = rng.uniform(0.2, 1.4, 300)
    fd = 2 * iqr(cvs) / len(cvs) ** (1 / 3)
    assert an.freedman_diaconis_width(cvs) == pytest.approx(fd, rel=1e-12)
    cv_hist = an.cv_histogram(cvs)
    assert cv_hist.edges[0] == 0
    assert cv_hist.edges[-1] >= 2.0
    assert np.diff(cv_hist.edges) == pytest.approx(an.freedman_diaconis_width(cvs))
    single = an.cv_histogram(np.zeros(10))  # zero IQR: one bin
    assert single.edges.tolist() == [0.0, 2.0]


def test_raster_selects_a_tenth_of_each_population():
    sizes = {"L23E": 50, "L23I": 20}
    trains = {
        name: [np.arange(3000.5 + k, 3600.0, 50.0) for k in range(size)]
        for name, size in sizes.items()
    }
    rec = _recording(trains, sizes, 4000.0)
    r = an.recording_raster(rec)
    assert r.window == (3000.0, 3500.0)
    assert r.sizes == (5, 2)
    assert r.n_rows == 7
    assert r.times.min() >= 3000.0
    assert r.times.max() < 3500.0
    assert set(r.rows.tolist()) == set(range(1, 8))
    assert r.centres.tolist() == [5.0, 1.5]
    assert an.raster_window(1200.0) == (700.0, 1200.0)


def test_figures():
    trains = {"L23E": [[1100.0, 1300.0, 1600.0]] * 3, "L23I": [[1050.0, 1900.0]] * 2}
    rec = _recording(trains, {"L23E": 3, "L23I": 2}, 2000.0)
    act = an.microcircuit_activity(rec)
    rate_fig = plots.rate_histograms({"twin": act, "nest": act})
    cv_fig = plots.cv_histograms({"twin": act})
    raster_fig = plots.raster_plot(an.recording_raster(rec, fraction=1.0), "twin")
    for fig in (rate_fig, cv_fig):
        assert isinstance(fig, Figure)
        assert len(fig.axes) == 8
    assert rate_fig.axes[0].get_xlim() == (0.0, 25.0)
    assert cv_fig.axes[0].get_xlim() == (0.0, 2.0)
    assert raster_fig.axes[0].get_xlim() == (1500.0, 2000.0)


def test_the_tables_are_importable_from_config():
    """Each table lives in a module of its own; config re-exports every one."""
    from experiments.microcircuit import anatomy, config, parameters, resting, weights

    for module in (anatomy, parameters, resting, weights):
        for name in module.__all__:
            assert getattr(config, name) is getattr(module, name)
            assert name in config.__all__
