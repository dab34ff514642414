import math
import re
import threading

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import norm

from experiments.brunel import (
    NEURON_MEANS,
    NEURON_SDS,
    BrunelConfig,
    build_network,
    seed_grid,
)
from experiments.brunel import network as brunel
from experiments.brunel.layout import SEED_FILE_NEURONS, layout_of
from experiments.runs.draws import (
    MAX_REDRAWS,
    MIN_ACCEPTANCE,
    check_clipped_normal,
    clipped_normal_acceptance,
    normal_clipped,
)
from twin.errors import ConfigError

#: Seconds any single draw or validation may take before the test counts it as a
#: hang (the bounded draws below finish in well under a second).
HANG = 20.0


def outcome_within(fn, timeout=HANG):
    """Run ``fn()`` in a daemon thread; return its exception (or None), fail on hang."""
    box = {}

    def target():
        try:
            box["value"] = fn()
        except BaseException as err:  # handed to the caller
            box["error"] = err

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        pytest.fail(f"still running after {timeout} s: an unbounded redraw loop?")
    return box.get("error"), box.get("value")


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
    layouts = {(c.g, c.eta): layout_of(c.g, c.eta) for c in seed_grid()}
    assert [k for k, v in layouts.items() if v == "all"] == [(8.0, 0.8), (10.0, 0.8)]
    assert len(layouts) == 16


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"g": 0.0}, "g"),
        ({"eta": -1.0}, "eta"),
        ({"t_stop": 500.0}, "analysis window"),
        ({"scale": 5000.0}, "too few"),
        ({"orig_weight": -1.2}, "orig_weight"),
        ({"weight_spread": -0.5}, "weight_spread"),
        ({"weight_spread": math.inf}, "weight_spread"),
        ({"delay_sd": -0.2}, r"delay .*sd >= 0"),
        ({"delay_mean": math.nan}, r"delay .*finite"),
        ({"delay_min": math.nan}, r"delay .*NaN"),
        ({"delay_sd": 0.0, "delay_min": 2.0}, r"delay .*sd = 0"),
        ({"delay_min": 3.0}, r"delay .*fraction"),
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


class Runaway(Exception):
    """A draw asked for far more rounds than the redraw bound allows."""


class GuardedRng:
    """A generator that counts its normal draws and stops a runaway loop.

    ``values`` (if given) replaces the draws of the means it maps, e.g. every threshold
    at -1000 mV; other draws come from a seeded generator.
    """

    limit = 3 * (MAX_REDRAWS + 2)

    def __init__(self, seed=0, values=None):
        self.rng = np.random.default_rng(seed)
        self.values = values or {}
        self.calls = 0

    def normal(self, mean, sd, n):
        self.calls += 1
        if self.calls > self.limit:
            raise Runaway(f"{self.calls} draws of normal({mean}, {sd})")
        if mean in self.values:
            return np.full(n, self.values[mean])
        return self.rng.normal(mean, sd, n)


@pytest.mark.parametrize(
    ("draw", "match"),
    [
        (
            lambda: build_network(BrunelConfig.tiny(delay_sd=0, delay_min=2)),
            r"delay ~ normal\(mean=1\.5, sd=0\) redrawn outside \[2, inf\]: sd = 0",
        ),
        (
            lambda: build_network(BrunelConfig.tiny(delay_min=3)),
            r"delay ~ normal\(mean=1\.5, sd=0\.2\) redrawn outside \[3, inf\]: "
            r"only a fraction [0-9.e-]+ of draws",
        ),
        (
            lambda: normal_clipped(
                np.random.default_rng(0), 0.0, 1.0, 100, low=1.0, high=0.0, name="x"
            ),
            r"x ~ normal\(mean=0, sd=1\) redrawn outside \[1, 0\]: low > high",
        ),
    ],
    ids=["sd0-mean-below-min", "min-7.5-sd-above-mean", "low-above-high"],
)
def test_impossible_distributions_raise_quickly(draw, match):
    error, _ = outcome_within(draw)
    assert isinstance(error, ConfigError), error
    assert re.search(match, str(error)), str(error)
    if "delay" in match:
        assert "BrunelConfig.delay_min" in str(error)  # the remedy


def test_delays_with_zero_spread_are_the_mean():
    net = build_network(BrunelConfig.tiny(delay_sd=0.0, delay_min=1.5))
    assert all(np.all(p.delay == 1.5) for p in net.projections)


def test_redraws_stop_where_pynn_stops():
    rng = GuardedRng(values={0.0: 5.0})  # every draw outside [-1, 1]
    with pytest.raises(ConfigError, match="7 of 7 values are still outside after "):
        normal_clipped(rng, 0.0, 1.0, 7, low=-1.0, high=1.0, name="x")
    # PyNN checks `iterations > MAX_REDRAWS` before each redraw: the first draw and
    # MAX_REDRAWS + 1 redraws.
    assert MAX_REDRAWS == 1000
    assert rng.calls == MAX_REDRAWS + 2


def test_redraw_bound_is_pynns():
    pynn_random = pytest.importorskip("pyNN.random")
    calls = []

    def gen(n):
        calls.append(n)
        return np.full(n, 5.0)

    with pytest.raises(Exception, match="Maximum number of redraws"):
        pynn_random.NumpyRNG(seed=0)._clipped(gen, low=-1.0, high=1.0, size=7)
    rng = GuardedRng(values={0.0: 5.0})
    with pytest.raises(ConfigError):
        normal_clipped(rng, 0.0, 1.0, 7, low=-1.0, high=1.0)
    assert pynn_random.MAX_REDRAWS == MAX_REDRAWS
    assert rng.calls == len(calls)


def test_running_out_of_redraws_is_a_config_error():
    # Acceptance 1.35e-3 passes the check, but each value stays outside after its
    # 1002 draws with probability ~0.26: thousands of 20,000 values do.
    assert clipped_normal_acceptance(0.0, 1.0, low=3.0) > MIN_ACCEPTANCE
    with pytest.raises(ConfigError) as err:
        normal_clipped(GuardedRng(), 0.0, 1.0, 20_000, low=3.0, name="tau_x")
    assert "tau_x ~ normal(mean=0, sd=1) redrawn outside [3, inf]" in str(err.value)
    assert "after 1001 redraw rounds" in str(err.value)


def test_reset_redraw_below_threshold_is_bounded():
    rng = GuardedRng(values={NEURON_MEANS["v_thresh"]: -1000.0})
    with pytest.raises(ConfigError) as err:
        brunel._neuron_parameters(BrunelConfig.tiny(), rng)
    assert "v_reset ~ normal(mean=10, sd=4.2)" in str(err.value)
    assert "250 of 250 neurons" in str(err.value)
    assert "variation=False" in str(err.value)


@pytest.mark.parametrize(
    ("mean", "sd", "low", "high"),
    [
        (0.0, 1.0, -1.0, 1.0),
        (1.5, 0.2, 3.0, math.inf),
        (1.5, 0.2, 0.3, math.inf),
        (-4.0, 0.5, -math.inf, -6.0),
        (10.0, 4.2, -math.inf, 18.0),
        (0.0, 1.0, 8.0, 9.0),
    ],
)
def test_acceptance_is_the_normal_probability_of_the_bounds(mean, sd, low, high):
    expected = norm.cdf(high, mean, sd) - norm.cdf(low, mean, sd)
    if expected < 1e-3:  # deep tails: the survival function keeps the precision
        expected = norm.sf(low, mean, sd) - norm.sf(high, mean, sd)
    got = clipped_normal_acceptance(mean, sd, low, high)
    assert got == pytest.approx(expected, rel=1e-9, abs=1e-300)


_finite = st.floats(-50.0, 50.0)


@given(
    mean=_finite,
    sd=st.one_of(st.just(0.0), st.floats(0.0, 20.0)),
    low=st.one_of(st.just(-math.inf), _finite),
    high=st.one_of(st.just(math.inf), _finite),
)
def test_clipped_draw_succeeds_in_bounds_or_raises(mean, sd, low, high):
    p = clipped_normal_acceptance(mean, sd, low, high)
    rng = GuardedRng()  # raises Runaway (not ConfigError) instead of hanging
    error, values = None, None
    try:
        values = normal_clipped(rng, mean, sd, 50, low, high)
    except ConfigError as err:
        error = str(err)
    assert rng.calls <= MAX_REDRAWS + 2
    if error is None:
        assert values.shape == (50,)
        assert np.all((values >= low) & (values <= high))
        assert p >= MIN_ACCEPTANCE
    else:
        assert "value ~ normal(" in error
        # A well-posed distribution never runs out: 50 (1 - 0.05)^1002 < 1e-20.
        assert p < 0.05


def test_check_names_the_parameter_and_the_remedy():
    with pytest.raises(ConfigError, match=r"^w ~ .*: sd = 0 .*; lower it$"):
        check_clipped_normal("w", 5.0, 0.0, low=0.0, high=1.0, remedy="lower it")


def test_twin_sweep_smoke_gives_the_regimes():
    from experiments.brunel.workload import BrunelWorkload, grid
    from experiments.brunel.workload import sweep as run_sweep
    from experiments.report.summary import columns, summary_csv

    base = BrunelConfig.tiny(t_stop=1500.0, analysis_window=1000.0)
    results = run_sweep(grid(base, gs=(1.0, 8.0), etas=(2.0,)))
    by_g = {r["g"]: r for r in results}
    # g = 1: excitation dominates, neurons fire regularly near 1 / t_ref;
    # g = 8: inhibition dominates, irregular firing (CV of ISI near 1).
    assert by_g[1.0]["rate_hz"] > 5 * by_g[8.0]["rate_hz"]
    assert by_g[1.0]["cv"] < 0.3
    assert 0.6 < by_g[8.0]["cv"] < 1.4
    assert all(r.wall > 0 for r in results)
    lines = summary_csv(BrunelWorkload(), results).strip().splitlines()
    assert len(lines) == 1 + len(results)
    assert lines[0] == ",".join(columns(BrunelWorkload()))


def test_sweep_results_round_trip_through_the_seed_layout(tmp_path):
    from experiments.brunel.io import read_population
    from experiments.brunel.seed_files import write_seed_files
    from experiments.brunel.workload import grid
    from experiments.brunel.workload import sweep as run_sweep
    from experiments.runs.analysis import activity

    base = BrunelConfig.tiny(t_stop=1200.0)
    results = run_sweep(grid(base, gs=(8.0, 4.0), etas=(0.8, 2.0)))
    exc, inh = write_seed_files(
        results, tmp_path, base.n_exc, base.n_inh, SEED_FILE_NEURONS
    )
    name, segments = read_population(exc)
    assert name == "exc"
    assert len(segments) == len(results)
    for r, seg in zip(results, segments, strict=True):
        assert (seg.annotations["g"], seg.annotations["eta"]) == (r["g"], r["eta"])
        expected = base.n_exc if r.layout == "all" else 30
        assert len(seg.spiketrains) == expected
        # The file holds what the analysis used: re-analysing it gives the same rate.
        times = np.concatenate(seg.spiketrains)
        ids = np.concatenate(
            [np.full(t.size, k) for k, t in enumerate(seg.spiketrains)]
        )
        again = activity(times, ids, np.arange(expected), base.t_stop)
        if r.layout == "30":
            assert again.rate == pytest.approx(r["rate_hz"])
    assert read_population(inh)[0] == "inh"
