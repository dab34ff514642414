"""Model A adapted with the seed's settings is the seed's network, number for number.

The seed's network: ``experiments.brunel``'s ``BrunelConfig`` (reference
``brunel_bss1.md`` §1.2-1.3).

The original is built at scale 5 (2,500 neurons, C_E 200) and downscaled by 6/5, which
lands on the seed's sizes exactly (int(2500 / 1.2) = 2083); the full-size numbers
(12,500 / 6) are checked from the sizes alone (the full network has 12.5 M synapses).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from experiments.brunel import SEED_ETAS, SEED_GS, BrunelConfig
from experiments.brunel import build_network as build_seed
from experiments.brunel.config import NEURON_MEANS, NEURON_SDS, POSITIVE
from experiments.brunel.current_based import MODEL_A
from experiments.brunel2000 import (
    FIG8_STATES,
    Brunel2000Config,
    build_network,
    seed_adaptation,
)
from twin.adapt import adapt_steps
from twin.adapt.downscale import population_sizes
from twin.adapt.variation import POSITIVE as ADAPT_POSITIVE
from twin.errors import ConfigError

ORIGINAL_SCALE = 5.0


def _adapted(g, eta, *, variation=False, seed=1234):
    config = Brunel2000Config(g=g, eta=eta, scale=ORIGINAL_SCALE, seed=seed)
    return adapt_steps(
        build_network(config), seed_adaptation(config, variation=variation)
    )


def _in_degrees(proj, n_post):
    return np.bincount(proj.post_idx, minlength=n_post)


def test_model_a_at_full_size():
    c = Brunel2000Config()
    assert (c.n_exc, c.n_inh, c.c_exc, c.c_inh) == (10_000, 2_500, 1_000, 250)
    assert c.nu_thr == pytest.approx(10.0)  # theta / (J C_E tau) = 10 Hz per synapse
    assert c.ext_rate == pytest.approx(1_000 * 2.0 * 10.0)  # C_E eta nu_thr at eta 2
    assert c.weight * math.e * c.tau_syn == pytest.approx(c.cm * c.j)  # charge C J


def test_model_a_is_experiments_brunels_model_a():
    c, a = Brunel2000Config(eta=1.5), MODEL_A
    assert (c.n_exc, c.n_inh, c.c_exc, c.c_inh) == (a.n_exc, a.n_inh, a.c_exc, a.c_inh)
    assert (c.tau_m, c.theta, c.v_reset, c.tau_refrac, c.delay, c.j) == (
        a.tau_m, a.theta, a.v_reset, a.tau_ref, a.delay, a.jump,
    )  # fmt: skip
    # one generator per neuron carries the C_ext = C_E synapses' rate
    assert c.ext_rate == pytest.approx(a.c_ext * float(a.ext_rate(1.5)), rel=1e-12)


def test_full_size_downscale_gives_the_seeds_sizes():
    seed = BrunelConfig()
    n_e, n_i = population_sizes((10_000, 2_500), 6.0)
    assert (n_e, n_i) == (seed.n_exc, seed.n_inh) == (1666, 417)
    # the in-degree rule int(C N_pre' / N_pre) of twin.adapt.downscale
    assert (1_000 * n_e // 10_000, 250 * n_i // 2_500) == (seed.c_exc, seed.c_inh)
    assert (seed.c_exc, seed.c_inh) == (166, 41)


def test_fig8_states():
    # brunel_bss1.md §3.1: A SR (3, 2), B SI fast (6, 4), C AI (5, 2),
    # D SI slow (4.5, 0.9)
    assert dict(FIG8_STATES) == {
        "SR": (3.0, 2.0),
        "SI-fast": (6.0, 4.0),
        "AI": (5.0, 2.0),
        "SI-slow": (4.5, 0.9),
    }
    ai = Brunel2000Config.state("AI", scale=10)
    assert (ai.g, ai.eta, ai.scale) == (5.0, 2.0, 10)
    with pytest.raises(ConfigError, match=r"no Fig\. 8 state"):
        Brunel2000Config.state("XY")


@pytest.mark.parametrize(("g", "eta"), list(zip(SEED_GS, SEED_ETAS, strict=True)))
def test_adapted_network_is_the_seeds(g, eta):
    ours = _adapted(g, eta).network
    seed = build_seed(BrunelConfig(g=g, eta=eta, variation=False))
    assert [(p.name, p.size, p.cell_type) for p in ours.populations] == [
        (p.name, p.size, p.cell_type) for p in seed.populations
    ]  # 1666 + 417 IF_cond_exp
    for mine, theirs in zip(ours.populations, seed.populations, strict=True):
        for key, values in theirs.parameters.items():
            np.testing.assert_allclose(mine.parameters[key], values, rtol=1e-12)
    src, seed_src = ours.source("ext"), seed.source("ext")
    assert src.size == seed_src.size == 2083
    np.testing.assert_allclose(src.rate, seed_src.rate, rtol=1e-12)  # eta nu_thr / 200
    by_name = {p.name: p for p in seed.projections}
    assert {p.name for p in ours.projections} == set(by_name)
    for proj in ours.projections:
        other = by_name[proj.name]
        n_post = ours.population(proj.post).size
        assert proj.receptor == other.receptor
        np.testing.assert_array_equal(
            _in_degrees(proj, n_post), _in_degrees(other, n_post)
        )  # 166, 41, 200
        np.testing.assert_allclose(proj.weight, other.weight, rtol=1e-12)
    g_exc = next(p for p in ours.projections if p.name == "exc->exc").weight[0]
    g_inh = next(p for p in ours.projections if p.name == "inh->exc").weight[0]
    assert g_exc == pytest.approx(1.7143e-3, rel=1e-4)  # µS (1.7143 nS)
    assert g_inh == pytest.approx(g * g_exc, rel=1e-12)


def _external_mean_input(net, post):
    """Mean external input of ``post``'s neurons, mV: tau_m / C_m x sum over external
    synapses of charge x rate (charge: w e tau alpha, w tau exponential, g tau
    (E_rev - V_mean) conductance at V_mean = v_rest)."""
    pop = net.population(post)
    p = {k: float(np.mean(v)) for k, v in pop.parameters.items()}
    total = 0.0
    for proj in net.projections:
        if proj.post != post or not net.is_source(proj.pre):
            continue
        rate = np.asarray(net.source(proj.pre).rate)[proj.pre_idx] * 1e-3  # 1/ms
        charge = proj.weight * p["tau_syn_E"]
        if pop.cell_type == "IF_curr_alpha":
            charge = charge * math.e
        elif pop.cell_type == "IF_cond_exp":
            charge = charge * (p["e_rev_E"] - p["v_rest"])
        total += float(np.sum(charge * rate)) / pop.size
    return total * p["tau_m"] / p["cm"]


def test_eta_is_kept_by_every_step_but_the_weight_factor():
    # Brunel's eta: the external mean input is eta x theta; each step keeps it, the
    # seed's orig_weight multiplies it by 1.2
    eta, theta = 1.6, 20.0
    adapted = _adapted(4.0, eta)
    factor = 1.0
    for name, net in (("original", adapted.original), *adapted.rungs):
        factor = 1.2 if name == "scale_weights" else factor
        for post in ("exc", "inh"):
            mu = _external_mean_input(net, post)
            assert mu == pytest.approx(factor * eta * theta, rel=1e-9), name


def test_reports_name_the_seeds_numbers():
    adapted = _adapted(8.0, 0.8)
    reports = {r.step: r.numbers for r in adapted.reports}
    down = reports["downscale"]
    assert down["in_degree_after[exc->exc]"] == 166
    assert down["in_degree_after[inh->exc]"] == 41
    assert reports["set_time_constants"]["rate_factor[ext_exc]"] == 2.0  # 20 -> 10 ms
    pool = reports["pool_inputs"]
    seed = BrunelConfig(g=8.0, eta=0.8)
    assert pool["total_rate"] == pytest.approx(seed.eta * seed.nu_thresh, rel=1e-12)
    assert pool["rate_per_source"] == pytest.approx(seed.rate_per_source, rel=1e-12)
    ranges = reports["to_wafer_ranges"]
    assert ranges["clipped_total"] == 0  # the seed's means fit
    # and its weights (1.7 nS, g = 8: 13.7 nS) lie in the rows' 0.37..30.3 nS
    weights = {k: v for k, v in ranges.items() if k.startswith("weights_")}
    assert len(weights) == 12
    assert not any(weights.values())
    assert reports["scale_weights"]["factor"] == 1.2


def test_variation_is_the_seeds():
    assert ADAPT_POSITIVE == POSITIVE
    ours = _adapted(8.0, 0.8, variation=True).network
    seed = build_seed(BrunelConfig(g=8.0, eta=0.8))
    for mine, theirs in zip(ours.populations, seed.populations, strict=True):
        for key, sd in NEURON_SDS.items():
            a, b = mine.parameters[key], theirs.parameters[key]
            # two samples of one distribution: means within 5 standard errors
            assert abs(a.mean() - b.mean()) < 5 * sd * math.sqrt(2 / a.size)
            assert a.std() == pytest.approx(b.std(), rel=0.15)
            assert abs(a.mean() - NEURON_MEANS[key]) < 5 * sd / math.sqrt(a.size) + (
                0.06 if key == "tau_refrac" else 0.0  # clipped at 0: mean 2.055 ms
            )
    by_name = {p.name: p for p in seed.projections}
    for proj in ours.projections:
        other = by_name[proj.name]
        for mine_v, their_v in ((proj.weight, other.weight), (proj.delay, other.delay)):
            se = math.hypot(mine_v.std(), their_v.std()) / math.sqrt(proj.size)
            assert abs(mine_v.mean() - their_v.mean()) < 5 * se
        assert proj.delay.min() >= 0.3


def test_same_seed_same_adapted_network():
    a = _adapted(5.0, 2.0, seed=7).network
    b = _adapted(5.0, 2.0, seed=7).network
    assert a == b


def test_seed_adaptation_refuses_a_scale_above_the_seeds():
    with pytest.raises(ConfigError, match="above the seed's 6"):
        seed_adaptation(Brunel2000Config(scale=10))
