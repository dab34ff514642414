"""The hardware tier's transforms against their definitions."""

import dataclasses
from types import MappingProxyType

import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from twin.analog.saturation import saturate
from twin.errors import ConfigError
from twin.hardware.parameters import (
    TAU_M_RANGES_HW,
    VoltageWindow,
    bio_range,
    realise_parameters,
)
from twin.hardware.realise import EFFECTS, HardwareConfig, realise_hardware
from twin.hardware.saturation import Saturation
from twin.hardware.spike_loss import drop_events, fluid_queue
from twin.hardware.variation import (
    NeuronSites,
    Variation,
    truncated,
    vary_parameters,
    vary_weights,
)
from twin.hardware.weights import calibration_levels, quantise_weights, weight_scale
from twin.network import Network, Population, Projection


def _net(n=50, **params):
    pop = Population(name="p", size=n, cell_type="IF_cond_exp", parameters=params)
    return Network(populations=(pop,), sources=(), projections=())


# --- parameter realisation -------------------------------------------------------


def test_voltage_window_is_the_seeds_linear_map():
    w = VoltageWindow()
    assert w.to_hw(np.array([-140.0, 140.0])) == pytest.approx([0.45, 1.3])
    assert w.to_bio(w.to_hw(np.array([17.3]))) == pytest.approx([17.3])


def test_parameters_clip_at_the_range_ends_and_report_it():
    lo, hi = bio_range("tau_m")
    assert (lo, hi) == pytest.approx(
        (TAU_M_RANGES_HW[("big", "normal")][0] * 1e7, 482.0)
    )
    tau = np.r_[np.full(10, lo / 2), np.full(10, hi * 2), np.full(30, 10.0)]
    net, report = realise_parameters(_net(tau_m=tau))
    out = net.populations[0].parameters["tau_m"]
    assert report.clipped["tau_m"] == 20
    assert out[:10] == pytest.approx(lo, rel=0.01)
    assert out[10:20] == pytest.approx(hi, rel=0.05)  # the coarsest DAC steps
    assert report.clipped["v_thresh"] == 0


def test_voltages_land_on_the_10_bit_grid():
    v = np.linspace(-50, 50, 50)
    net, _ = realise_parameters(_net(v_thresh=v, v_rest=np.full(50, -60.0)))
    w = VoltageWindow()
    dac = w.to_hw(net.populations[0].parameters["v_thresh"]) * 1023 / 1.8
    assert dac == pytest.approx(np.rint(dac), abs=1e-9)
    step = 1.8 / 1023 / (w.alpha * 1e-3)  # mV per DAC step
    assert (
        np.abs(net.populations[0].parameters["v_thresh"] - v).max() <= step / 2 + 1e-9
    )


def test_time_constants_quantise_to_a_small_relative_error():
    tau = np.linspace(2.0, 12.0, 50)
    net, _ = realise_parameters(
        _net(tau_syn_E=tau, tau_refrac=tau / 4, tau_m=tau * 2 + 6)
    )
    p = net.populations[0].parameters
    for name, want in (
        ("tau_syn_E", tau),
        ("tau_refrac", tau / 4),
        ("tau_m", tau * 2 + 6),
    ):
        assert np.abs(p[name] / want - 1).max() < 0.03, name
        assert not np.array_equal(p[name], want)  # something was quantised


# --- weights -----------------------------------------------------------------------


def test_calibration_curve_and_row_scale():
    g = calibration_levels(11)
    k = np.arange(1, 16)
    assert g[1:] == pytest.approx(93.94 + 81.34 * k - 1.597 * k**2)
    assert g[0] == 0.0
    assert calibration_levels(22) == pytest.approx(g / 2)
    # reference example: size 4, big cap, cm 0.2 nF -> 433 nS (hw) per nS (bio)
    assert weight_scale(np.array([0.2]), 4)[0] == pytest.approx(433e3, rel=1e-3)


@given(st.floats(0.05, 0.95), st.integers(0, 2**31))
def test_stochastic_rounding_is_unbiased_between_the_two_levels(frac, seed):
    levels = calibration_levels(11)
    scale = np.full(4000, 1000.0)
    hw = levels[5] + frac * (levels[6] - levels[5])
    w = np.full(4000, hw / 1000.0)
    w[0] = levels[15] / 1000.0  # fixes the row's gmax choice to div 11
    out, report = quantise_weights(
        w, scale, np.zeros(4000, int), np.random.default_rng(seed)
    )
    got = out[1:] * 1000.0
    assert set(np.round(got, 6)) <= {round(levels[5], 6), round(levels[6], 6)}
    up = np.mean(np.isclose(got, levels[6]))
    assert up == pytest.approx(frac, abs=4 * np.sqrt(frac * (1 - frac) / got.size))
    assert report.clipped == 0


def test_each_row_gets_the_smallest_scale_that_holds_its_maximum():
    scale = np.ones(3)
    top = calibration_levels(np.arange(2, 31))[:, 15]
    w = np.array([top[-1] * 0.9, top[5] * 0.99, top[0] * 2])  # rows 0, 1, 2
    out, report = quantise_weights(w, scale, np.arange(3), np.random.default_rng(0))
    assert out[0] <= top[-1] + 1e-9  # div 30 suffices
    assert report.clipped == 1  # row 2 exceeds even the largest scale
    assert out[2] == pytest.approx(top[0])


# --- variation ---------------------------------------------------------------------


def test_variation_belongs_to_the_site_and_has_the_stated_spread():
    n = 2000
    rng = np.random.default_rng(0)
    hicann, column = rng.integers(0, 384, n), rng.integers(0, 256, n)
    sites = NeuronSites(hicann, column)
    net = _net(n, v_thresh=np.full(n, -50.0))
    a = vary_parameters(net, sites, Variation(wafer_seed=30))
    b = vary_parameters(net, sites, Variation(wafer_seed=30))
    c = vary_parameters(net, sites, Variation(wafer_seed=31))
    va, vc = (x.populations[0].parameters["v_thresh"] for x in (a, c))
    assert np.array_equal(va, b.populations[0].parameters["v_thresh"])
    assert not np.array_equal(va, vc)
    sd = Variation().spreads["v_thresh"]
    assert np.std(va) == pytest.approx(sd, rel=4 / np.sqrt(2 * n))
    # The same site gives the same deviation whichever neuron sits there.
    perm = rng.permutation(n)
    moved = vary_parameters(net, NeuronSites(hicann[perm], column[perm]), Variation())
    assert np.array_equal(moved.populations[0].parameters["v_thresh"], va[perm])


@pytest.mark.parametrize(
    ("low", "high"), [(0.0, np.inf), (-np.inf, 1.9), (-1.0, 0.5), (-np.inf, np.inf)]
)
def test_truncation_gives_the_redrawn_distribution(low, high):
    # Re-drawing out-of-range normal values gives scipy's truncated normal.
    z = np.random.default_rng(3).standard_normal(20_000)
    x = truncated(z, low, high)
    assert x.min() >= low
    assert x.max() <= high
    assert stats.kstest(x, stats.truncnorm(low, high).cdf).pvalue > 1e-3
    assert np.all(np.diff(x[np.argsort(z)]) >= 0)  # monotonic: a site keeps its rank


def _seed_means(n):
    return _net(
        n,
        tau_m=np.full(n, 10.0),
        tau_refrac=np.full(n, 2.0),
        v_rest=np.full(n, 0.0),
        v_reset=np.full(n, 10.0),
        v_thresh=np.full(n, 20.0),
    )


def test_varied_neurons_stay_in_the_bounds_of_a_working_circuit():
    n = 384 * 256  # every site of the wafer
    sites = NeuronSites(np.repeat(np.arange(384), 256), np.tile(np.arange(256), 384))
    for variation in (Variation(), Variation(trial_fraction=0.5, trial_seed=4)):
        p = vary_parameters(_seed_means(n), sites, variation).populations[0].parameters
        assert np.all(p["v_reset"] < p["v_thresh"])
        assert p["v_reset"].max() <= 0.9 * 20.0
        assert min(p[k].min() for k in ("tau_m", "tau_refrac", "tau_syn_E")) > 0
    # Without trial noise: the seed model's re-drawn distributions (NEST side).
    p = vary_parameters(_seed_means(n), sites, Variation()).populations[0].parameters
    sd = Variation().spreads
    refrac = stats.truncnorm(-2.0 / sd["tau_refrac"], np.inf, 2.0, sd["tau_refrac"])
    assert stats.kstest(p["tau_refrac"], refrac.cdf).pvalue > 1e-3
    # v_reset: below 18 mV, and (rarely binding) below its own threshold.
    reset = stats.truncnorm(-np.inf, 8.0 / sd["v_reset"], 10.0, sd["v_reset"])
    assert p["v_reset"].mean() == pytest.approx(
        reset.mean(), abs=4 * reset.std() / np.sqrt(n)
    )


def test_variation_bounds_truncate_at_a_workload_s_range():
    """tau_m in [3, inf), tau_syn_E in [1.8, 4]: the truncated normal of those bounds
    (KS test), and the other parameters as without bounds."""
    n = 384 * 256
    sites = NeuronSites(np.repeat(np.arange(384), 256), np.tile(np.arange(256), 384))
    bounds = {"tau_m": (3.0, np.inf), "tau_syn_E": (1.8, 4.0)}
    plain = Variation()
    bounded = dataclasses.replace(plain, bounds=MappingProxyType(bounds))
    net = _seed_means(n)
    pop = net.populations[0]
    params = dict(pop.parameters) | {"tau_syn_E": np.full(n, 3.0)}
    net = net.replace(populations=(dataclasses.replace(pop, parameters=params),))
    p = vary_parameters(net, sites, bounded).populations[0].parameters
    q = vary_parameters(net, sites, plain).populations[0].parameters
    sd = plain.spreads
    for name, mean in (("tau_m", 10.0), ("tau_syn_E", 3.0)):
        lo, hi = bounds[name]
        assert p[name].min() >= lo
        assert p[name].max() <= hi
        law = stats.truncnorm((lo - mean) / sd[name], (hi - mean) / sd[name], mean,
                              sd[name])  # fmt: skip
        assert stats.kstest(p[name], law.cdf).pvalue > 1e-3
    np.testing.assert_array_equal(p["v_thresh"], q["v_thresh"])
    with pytest.raises(ConfigError, match="variation bound of tau_m"):
        Variation(bounds=MappingProxyType({"tau_m": (4.0, 3.0)}))


def test_unplaced_neurons_keep_their_parameters():
    net = _seed_means(4)
    sites = NeuronSites(np.array([-1, 3, -1, 7]), np.array([0, 5, 0, 9]))
    p = vary_parameters(net, sites, Variation()).populations[0].parameters
    assert p["v_reset"][[0, 2]] == pytest.approx(10.0)
    assert p["v_reset"][1] != 10.0


def test_weight_spread_is_the_truncated_relative_normal():
    n = 50_000
    pop = Population(name="p", size=2, cell_type="IF_cond_exp")
    proj = Projection(
        pre="p", post="p", pre_idx=np.zeros(n, int), post_idx=np.ones(n, int),
        weight=np.full(n, 0.002), delay=np.full(n, 1.0),
    )  # fmt: skip
    net = Network(populations=(pop,), sources=(), projections=(proj,))
    factor = vary_weights(net, Variation()).projections[0].weight / 0.002
    assert factor.min() >= 0
    want = stats.truncnorm(-2.0, np.inf, 1.0, 0.5)  # the seed model: sd 50 %, low 0
    assert stats.kstest(factor, want.cdf).pvalue > 1e-3
    assert vary_weights(net, Variation(weight_sd=0.0)) is net


# --- saturation ---------------------------------------------------------------------


@given(st.floats(1e-3, 10.0))
def test_saturation_is_linear_small_and_bounded_large(g_sat):
    small = jnp.asarray(g_sat * 1e-3)
    assert float(saturate(small, jnp.asarray(g_sat))) == pytest.approx(
        float(small), rel=1e-6
    )
    big = jnp.asarray(g_sat * 50.0)
    assert float(saturate(big, jnp.asarray(g_sat))) <= g_sat * (1 + 1e-12)
    assert float(saturate(big, jnp.asarray(g_sat))) == pytest.approx(g_sat, rel=1e-6)
    x = jnp.linspace(0.0, 5 * g_sat, 200)
    assert bool(jnp.all(jnp.diff(saturate(x, jnp.asarray(g_sat))) >= 0))


def test_saturation_rejects_nonpositive_values():
    with pytest.raises(ConfigError, match="must be > 0"):
        Saturation(0.0, 1.0)


# --- bandwidth -----------------------------------------------------------------------


def test_fluid_queue_conserves_events():
    rng = np.random.default_rng(2)
    arrivals = rng.poisson(2.0, size=(500, 3)).astype(float)
    service = np.array([1.0, 2.5, 5.0])
    dropped, q = fluid_queue(arrivals, service, depth=4.0)
    served = arrivals.sum(0) - dropped.sum(0) - q
    assert (served <= service * 500 + 1e-9).all()
    assert dropped[:, 2].sum() == 0  # capacity above the load never drops
    assert dropped[:, 0].sum() > 0


@pytest.mark.parametrize("rate", [1000.0, 2400.0])
def test_one_neuron_per_chip_is_recorded_loss_free_up_to_the_limit(rate):
    rng = np.random.default_rng(3)
    t = np.round(np.sort(rng.uniform(0, 1000, int(rate))) / 0.1) * 0.1
    keep, loss = drop_events(
        t, np.zeros(t.size, int), np.array([7]), rate_bio=2500.0, depth=512.0,
        dt=0.1, resource="rec",
    )  # fmt: skip
    assert keep.all()
    assert loss.offered == {7: t.size}


def test_overload_drops_at_least_the_excess_beyond_buffer():
    t = np.round(np.linspace(0, 999.9, 5000) / 0.1) * 0.1  # 5 kHz on a 2.5 kHz link
    keep, loss = drop_events(
        t, np.zeros(t.size, int), np.array([0]), rate_bio=2500.0, depth=10.0,
        dt=0.1, resource="rec",
    )  # fmt: skip
    assert loss.total_dropped == t.size - keep.sum()
    assert loss.total_dropped >= 5000 - 2500 - 10 - 1


# --- composition ---------------------------------------------------------------------


def test_switching_every_effect_off_returns_the_network_unchanged():
    n = 40
    net = _net(n, tau_m=np.linspace(5, 30, n))
    off = HardwareConfig()
    for effect in EFFECTS:
        off = off.without(effect)
    sites = NeuronSites(np.arange(n), np.zeros(n, int))
    out, _ = realise_hardware(net, sites, off)
    for k, v in net.populations[0].parameters.items():
        assert np.array_equal(out.populations[0].parameters[k], v), k
    with pytest.raises(ConfigError, match="unknown effect"):
        off.without("magic")


def test_each_realisation_runs_on_its_own_wafer_unless_one_is_pinned():
    n = 500
    sites = NeuronSites(np.arange(n) % 384, np.arange(n) // 384)
    net = _seed_means(n)

    def thresholds(config, seed):
        hw = config.for_realisation(seed)
        varied = vary_parameters(net, sites, hw.variation_settings)
        return varied.populations[0].parameters["v_thresh"]

    fresh = HardwareConfig()
    assert not np.array_equal(thresholds(fresh, 1), thresholds(fresh, 2))
    assert np.array_equal(thresholds(fresh, 1), thresholds(fresh, 1))
    pinned = HardwareConfig(variation_settings=Variation(wafer_seed=30))
    pinned = dataclasses.replace(pinned, wafer_per_seed=False)
    assert np.array_equal(thresholds(pinned, 1), thresholds(pinned, 2))
    # on_wafer (what --wafer-seed does) pins the same wafer.
    assert np.array_equal(thresholds(fresh.on_wafer(30), 5), thresholds(pinned, 1))
