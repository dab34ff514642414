"""``with_variation``, ``to_wafer_ranges``, ``compensate_loss`` against their rules."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import truncnorm

from tests.adapt.nets import brunel_like
from twin.adapt import compensate_loss, to_wafer_ranges, with_variation
from twin.errors import AdaptError
from twin.hardware.parameters import bio_range
from twin.network import Population
from twin.routing.loss import LossReason, LossReport
from twin.spreads import SPREADS

SDS = SPREADS[("big", "normal")]
SEED_MEANS = {
    "tau_m": 10.0, "tau_syn_E": 3.0, "tau_syn_I": 3.0, "tau_refrac": 2.0, "cm": 1.0,
    "v_rest": 0.0, "v_reset": 10.0, "v_thresh": 20.0, "e_rev_E": 140.0,
    "e_rev_I": -140.0,
}  # fmt: skip
RESET_HIGH = 18.0  # the seed's 0.9 x v_thresh


@pytest.fixture(scope="module")
def seedlike():
    net = brunel_like(3000, 750, 20, 5, cell_type="IF_cond_exp", j=0.0017)
    pops = tuple(
        Population(
            name=p.name, size=p.size, cell_type=p.cell_type, parameters=SEED_MEANS
        )
        for p in net.populations
    )
    return net.replace(populations=pops)


@pytest.fixture(scope="module")
def varied(seedlike):
    step = with_variation(
        SDS, seed=5, weight_spread=0.5, delay_sd=0.2, delay_min=0.3,
        bounds={"v_reset": (-np.inf, RESET_HIGH)},
    )  # fmt: skip
    return step(seedlike)


def _truncated_mean(mean, sd, low, high):
    return truncnorm.mean((low - mean) / sd, (high - mean) / sd, loc=mean, scale=sd)


def test_parameters_follow_the_clipped_normals(varied):
    out, report = varied
    pop = out.population("E")
    for key, sd in SDS.items():
        values = pop.parameters[key]
        low = 0.0 if key.startswith("tau") else -np.inf
        high = RESET_HIGH if key == "v_reset" else np.inf
        expected = _truncated_mean(SEED_MEANS[key], sd, low, high)
        # 5 standard errors; the reset redraw moves the v_reset mean by < 0.01 mV
        assert abs(values.mean() - expected) < 5 * sd / np.sqrt(pop.size) + 0.01
        assert values.std() == pytest.approx(sd, rel=0.1)
        assert values.min() >= low
        assert values.max() <= high
        assert report.numbers[f"sd[E.{key}]"] == sd
    assert np.all(pop.parameters["v_reset"] < pop.parameters["v_thresh"])
    assert np.all(pop.parameters["cm"] == 1.0)  # no spread given


def test_weights_and_delays_vary(seedlike, varied):
    out, _ = varied
    for old, new in zip(seedlike.projections, out.projections, strict=True):
        factor = new.weight / old.weight
        expected = _truncated_mean(1.0, 0.5, 0.0, np.inf)
        assert factor.min() >= 0
        assert abs(factor.mean() - expected) < 5 * 0.5 / np.sqrt(factor.size)
        assert new.delay.min() >= 0.3
        d_mean = _truncated_mean(old.delay[0], 0.2, 0.3, np.inf)
        assert abs(new.delay.mean() - d_mean) < 5 * 0.2 / np.sqrt(new.size)


def test_variation_is_deterministic_per_seed(seedlike, varied):
    again, _ = with_variation(SDS, seed=5, weight_spread=0.5)(seedlike)
    assert np.array_equal(
        again.population("I").parameters["tau_m"],
        varied[0].population("I").parameters["tau_m"],
    )
    other, _ = with_variation(SDS, seed=6)(seedlike)
    assert not np.array_equal(
        other.population("I").parameters["tau_m"],
        varied[0].population("I").parameters["tau_m"],
    )


def test_variation_needs_one_mean_and_valid_spreads(varied):
    with pytest.raises(AdaptError, match="one mean"):
        with_variation(SDS, seed=1)(varied[0])
    with pytest.raises(AdaptError, match="spread of tau_m"):
        with_variation({"tau_m": -1.0}, seed=1)


def test_wafer_ranges_clip_and_count():
    net = brunel_like(40, 10, 4, 1)  # IF_curr_alpha: tau_syn 0.5 ms, below the wafer
    out, report = to_wafer_ranges()(net)
    lo, _ = bio_range("tau_syn_E")
    for pop in out.populations:
        assert np.all(pop.parameters["tau_syn_E"] == lo)
        assert report.numbers[f"clipped[{pop.name}.tau_syn_E]"] == pop.size
        assert report.numbers[f"max_change[{pop.name}.tau_syn_E]"] == pytest.approx(
            lo - 0.5
        )
        assert report.numbers[f"clipped[{pop.name}.tau_m]"] == 0  # 20 ms fits
    # tau_syn_E, tau_syn_I (0.5 ms) and tau_refrac (PyNN default 0.1 ms) of 50 neurons
    assert report.numbers["clipped[E.tau_refrac]"] == 40
    assert report.numbers["clipped_total"] == 3 * 50
    with pytest.raises(AdaptError, match="cap"):
        to_wafer_ranges(cap="huge")


def test_wafer_ranges_count_weights_outside_the_realisable_conductances():
    # at cm 1 nF and 8 big denmems the rows realise 0.37 nS .. 30.3 nS (bio):
    # 5.5 x g_cal(15) = 5251 nS and 11/30 x g_cal(1) = 63.7 nS over 1e7 x 17.3 pF / 1 nF
    net = brunel_like(4, 1, 1, 1, cell_type="IF_cond_exp", j=0.001)
    proj = net.projections[0]
    weights = np.array([1e-4, 1e-3, 0.05, 0.0])  # µS: below, inside, above, off
    net = net.replace(projections=(proj.replace(weight=weights), *net.projections[1:]))
    _, report = to_wafer_ranges()(net)
    assert report.numbers[f"weights_above[{proj.name}]"] == 1
    assert report.numbers[f"weights_below[{proj.name}]"] == 1
    # one denmem: 1/8 the capacitance, the bio range 8x higher (2.9 .. 243 nS)
    _, small = to_wafer_ranges(neuron_size=1)(net)
    assert small.numbers[f"weights_above[{proj.name}]"] == 0
    assert small.numbers[f"weights_below[{proj.name}]"] == 2
    with pytest.raises(AdaptError, match="neuron_size"):
        to_wafer_ranges(neuron_size=0)


def test_compensate_loss_scales_by_one_over_kept_fraction():
    net = brunel_like(40, 10, 4, 1)
    loss = LossReport.of(
        {"E->E": 160, "I->E": 40}, {("E->E", LossReason.NO_L1_ROUTE): 40}
    )
    out, report = compensate_loss(loss)(net)
    assert report.numbers["weight_factor[E->E]"] == pytest.approx(1 / (1 - 0.25))
    for old, new in zip(net.projections, out.projections, strict=True):
        factor = 1 / 0.75 if old.name == "E->E" else 1.0
        np.testing.assert_allclose(new.weight, old.weight * factor)
    everything = LossReport.of({"E->E": 160}, {("E->E", LossReason.NO_L1_ROUTE): 160})
    with pytest.raises(AdaptError, match="lost all 160"):
        compensate_loss(everything)(net)
    with pytest.raises(AdaptError, match="no loss report"):
        compensate_loss(3.0)
