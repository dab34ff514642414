import numpy as np
import pytest

from experiments.brunel import (
    NEURON_MEANS,
    NEURON_SDS,
    BrunelConfig,
    build_network,
    normal_clipped,
    seed_grid,
)
from twin.errors import ConfigError


@pytest.fixture(scope="module")
def seed_net():
    return build_network(BrunelConfig())


def test_seed_sizes_follow_the_scaling_formulas():
    c = BrunelConfig()
    assert c.n_neurons == int(12_500 / 6)
    assert c.n_exc == int(0.8 * c.n_neurons)
    assert (c.n_exc, c.n_inh, c.c_exc, c.c_inh) == (1666, 417, 166, 41)


def test_derived_rates_and_weights_follow_formulas():
    c = BrunelConfig(eta=2.4)
    m = NEURON_MEANS
    dv = 0.1 * 6
    nu_thresh = (m["v_thresh"] - m["v_rest"]) / (dv * m["tau_m"]) * 1e3
    assert c.nu_thresh == pytest.approx(nu_thresh)
    assert c.rate_per_source == pytest.approx(2.4 * nu_thresh / 200)
    w = 1.2 * dv * m["cm"] / m["tau_syn_E"]
    assert c.current_scale == pytest.approx(w)
    assert c.exc_weight == pytest.approx(w / (m["e_rev_E"] - m["v_rest"]))
    assert c.replace(g=8.0).inh_weight == pytest.approx(
        8 * w / (m["v_rest"] - m["e_rev_I"])
    )


def test_seed_network_has_exact_in_degrees_and_synapse_counts(seed_net):
    recurrent = sum(p.size for p in seed_net.projections if p.pre != "ext")
    external = sum(p.size for p in seed_net.projections if p.pre == "ext")
    n = 2083
    assert recurrent == n * (166 + 41)
    assert external == n * 200
    for proj in seed_net.projections:
        k = {"exc": 166, "inh": 41, "ext": 200}[proj.pre]
        counts = np.bincount(proj.post_idx, minlength=seed_net.size_of(proj.post))
        assert np.all(counts == k)
        assert proj.receptor == ("inhibitory" if proj.pre == "inh" else "excitatory")


def test_weight_spread_is_fifty_percent(seed_net):
    c = BrunelConfig()
    for proj in seed_net.projections:
        mean = c.inh_weight if proj.pre == "inh" else c.exc_weight
        # Re-drawing negatives (z < -2) raises the mean by ~2.7 % of sd; allow 4 %.
        assert proj.weight.min() >= 0
        assert proj.weight.mean() == pytest.approx(mean, rel=0.04)
        assert proj.weight.std() / mean == pytest.approx(0.5, rel=0.08)


def test_parameter_variation_matches_the_calibration_spreads(seed_net):
    params = {
        k: np.concatenate([p.parameters[k] for p in seed_net.populations])
        for k in NEURON_MEANS
    }
    n = params["tau_m"].size
    for key in ("v_rest", "v_thresh", "e_rev_E", "e_rev_I", "tau_syn_E", "tau_syn_I"):
        # Unclipped parameters: sample mean within 4 standard errors, sd within 10 %.
        assert abs(params[key].mean() - NEURON_MEANS[key]) < 4 * NEURON_SDS[
            key
        ] / np.sqrt(n)
        assert params[key].std() == pytest.approx(NEURON_SDS[key], rel=0.1)
    assert params["tau_refrac"].min() > 0
    assert params["v_reset"].max() <= 18.0
    assert np.all(params["v_reset"] < params["v_thresh"])


def test_delays_are_redrawn_above_the_minimum(seed_net):
    delays = np.concatenate([p.delay for p in seed_net.projections])
    assert delays.min() >= 0.3
    assert delays.mean() == pytest.approx(1.5, abs=0.01)


def test_g_scales_only_inhibitory_weights_and_eta_only_rates():
    base = build_network(BrunelConfig.tiny(g=4.0, eta=1.6))
    other = build_network(BrunelConfig.tiny(g=8.0, eta=3.2))
    for a, b in zip(base.projections, other.projections, strict=True):
        assert np.array_equal(a.pre_idx, b.pre_idx)
        factor = 2.0 if a.pre == "inh" else 1.0
        np.testing.assert_allclose(b.weight, factor * a.weight, rtol=1e-12)
    np.testing.assert_allclose(other.source("ext").rate, 2 * base.source("ext").rate)


def test_same_seed_same_network_other_seed_differs():
    assert build_network(BrunelConfig.tiny()) == build_network(BrunelConfig.tiny())
    assert build_network(BrunelConfig.tiny()) != build_network(
        BrunelConfig.tiny(seed=2)
    )


def test_without_variation_everything_is_homogeneous():
    net = build_network(BrunelConfig.tiny(variation=False))
    assert all(
        np.all(v == v[0]) for p in net.populations for v in p.parameters.values()
    )
    assert all(np.ptp(p.weight) == 0 for p in net.projections)


def test_layout_rule_of_the_seed():
    layouts = {(c.g, c.eta): c.layout for c in seed_grid()}
    assert [k for k, v in layouts.items() if v == "all"] == [(8.0, 0.8), (10.0, 0.8)]
    assert len(layouts) == 16


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"g": 0.0}, "g"),
        ({"eta": -1.0}, "eta"),
        ({"t_stop": 500.0}, "analysis window"),
        ({"scale": 5000.0}, "too few"),
    ],
)
def test_invalid_configs_raise(change, match):
    with pytest.raises(ConfigError, match=match):
        BrunelConfig(**change)


def test_normal_clipped_respects_bounds():
    rng = np.random.default_rng(1)
    x = normal_clipped(rng, 0.0, 1.0, 10_000, low=-0.5, high=1.0)
    assert x.min() >= -0.5
    assert x.max() <= 1.0


def test_twin_sweep_smoke_gives_the_regimes():
    from experiments.summary import COLUMNS, summary_csv
    from experiments.sweep import grid, run_sweep

    base = BrunelConfig.tiny(t_stop=1500.0, analysis_window=1000.0)
    results = run_sweep(grid(base, gs=(1.0, 8.0), etas=(2.0,)))
    by_g = {r.g: r for r in results}
    # g = 1: excitation dominates, neurons fire regularly near 1 / t_ref;
    # g = 8: inhibition dominates, irregular firing (CV of ISI near 1).
    assert by_g[1.0].rate > 5 * by_g[8.0].rate
    assert by_g[1.0].cv < 0.3
    assert 0.6 < by_g[8.0].cv < 1.4
    assert all(r.wall > 0 for r in results)
    lines = summary_csv(results).strip().splitlines()
    assert len(lines) == 1 + len(results)
    assert lines[0] == ",".join(COLUMNS)


def test_sweep_results_round_trip_through_the_seed_layout(tmp_path):
    from experiments.analysis import activity
    from experiments.io import read_population
    from experiments.summary import write_seed_files
    from experiments.sweep import grid, run_sweep

    base = BrunelConfig.tiny(t_stop=1200.0)
    results = run_sweep(grid(base, gs=(8.0, 4.0), etas=(0.8, 2.0)))
    exc, inh = write_seed_files(results, tmp_path, base.n_exc, base.n_inh)
    name, segments = read_population(exc)
    assert name == "exc"
    assert len(segments) == len(results)
    for r, seg in zip(results, segments, strict=True):
        assert (seg.annotations["g"], seg.annotations["eta"]) == (r.g, r.eta)
        expected = base.n_exc if r.layout == "all" else 30
        assert len(seg.spiketrains) == expected
        # The file holds what the analysis used: re-analysing it gives the same rate.
        times = np.concatenate(seg.spiketrains)
        ids = np.concatenate(
            [np.full(t.size, k) for k, t in enumerate(seg.spiketrains)]
        )
        again = activity(times, ids, np.arange(expected), base.t_stop)
        if r.layout == "30":
            assert again.rate == pytest.approx(r.rate)
    assert read_population(inh)[0] == "inh"
