"""Fidelity tiers as pipelines of pure transforms (twin.tiers)."""

import jax.random as jr
import numpy as np
import pytest

from experiments.brunel import BrunelConfig, build_network
from twin import ConfigError
from twin.analog import SimConfig, simulate
from twin.hardware import EFFECTS, HardwareConfig
from twin.tiers import (
    FIDELITIES,
    HARDWARE,
    IDEAL,
    MAPPED,
    SIMULATED,
    THEORY,
    THEORY_HARDWARE,
    THEORY_MAPPED,
    Tier,
    ablated_effect,
    behaviour,
    check_fidelity,
    parse_fidelities,
    realise,
    tier_list,
)
from twin.wafer import HICANNS, Wafer

BLOCK = [h.enum for h in HICANNS if 15 <= h.x <= 19 and 5 <= h.y <= 9]


@pytest.fixture(scope="module")
def tiny():
    return build_network(BrunelConfig.tiny())


def test_ideal_is_the_identity(tiny):
    realised = realise(Tier("ideal", "ideal"), tiny)
    assert realised.network is tiny
    assert realised.mapping is None
    assert realised.synapse_loss == 0.0


def test_mapped_tier_runs_the_realised_network(tiny):
    realised = realise(
        Tier("mapped", "mapped"), tiny, wafer=Wafer.region(BLOCK), seed=1
    )
    net, mapping = realised.network, realised.mapping
    assert 0 < net.n_synapses == mapping.loss.total_realised <= tiny.n_synapses
    assert realised.synapse_loss == pytest.approx(mapping.loss.fraction_lost)
    assert np.concatenate([p.delay for p in net.projections]).min() >= 0.1
    assert realised.sites.bus.shape == (tiny.n_neurons,)
    rec = simulate(net, SimConfig(t_stop=200.0), jr.PRNGKey(0))
    assert rec.counts.sum() > 0


def test_pipelines_are_deterministic_and_reuse_a_mapping(tiny):
    tier = tier_list(["hardware"])[0]
    a = realise(tier, tiny, wafer=Wafer.region(BLOCK), seed=3)
    b = realise(tier, tiny, wafer=Wafer.region(BLOCK), seed=3)
    assert a.network == b.network
    c = realise(tier, tiny, seed=3, mapping=a.mapping)
    assert c.network == a.network
    assert c.mapping is a.mapping


def test_hardware_ablation_switches_one_effect_off(tiny):
    full = tier_list(["hardware"])[0]
    hw = realise(full, tiny, wafer=Wafer.region(BLOCK), seed=2)
    linear = realise(full.without("saturation"), tiny, seed=2, mapping=hw.mapping)
    g_sat = hw.network.populations[0].parameters["g_sat_E"]
    assert np.isfinite(g_sat).all()
    assert np.isinf(linear.network.populations[0].parameters["g_sat_E"]).all()
    assert hw.report is not None
    assert hw.hardware is not None


def test_tier_lists_and_names():
    assert parse_fidelities("all") == list(SIMULATED) == ["ideal", "mapped", "hardware"]
    assert parse_fidelities("ideal,theory,theory-hardware") == [
        "ideal",
        "theory",
        "theory-hardware",
    ]
    assert parse_fidelities("hardware,ideal") == ["hardware", "ideal"]
    names = [t.name for t in tier_list(["hardware"], ablation=True)]
    assert names == ["hardware", *(f"hardware-no-{e}" for e in EFFECTS)]
    assert [ablated_effect(n) for n in names] == [None, *EFFECTS]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: parse_fidelities("ideal,exact"), "unknown tier 'exact'"),
        (lambda: parse_fidelities("theory,theory"), "names 'theory' twice"),
        (
            lambda: parse_fidelities("ideal,theory,mapped,ideal"),
            "names 'ideal' twice; give each tier once \\(e.g. 'ideal,theory,mapped'",
        ),
        (lambda: Tier("x", "perfect"), "unknown tier 'perfect'"),
        (lambda: Tier("hardware", "hardware"), "HardwareConfig"),
        (lambda: Tier("mapped", "mapped").without("weights"), "no hardware effect"),
        (
            lambda: Tier("hardware", "hardware", HardwareConfig()).without("noise"),
            "unknown effect",
        ),
        (lambda: tier_list(["ideal"], ablation=True), "needs the hardware tier"),
    ],
)
def test_tier_errors_are_clear(call, message):
    with pytest.raises(ConfigError, match=message):
        call()


def test_tiers_carry_their_behaviour():
    ideal, mapped, hardware, *ablations = tier_list(SIMULATED, ablation=True)
    assert [t.maps for t in (ideal, mapped, hardware)] == [False, True, True]
    assert [t.behaviour.on_nest for t in (ideal, mapped, hardware)] == [1, 1, 0]
    assert [behaviour(f).supplies_variation for f in SIMULATED] == [0, 0, 1]
    assert ideal.effects == mapped.effects == ()
    assert hardware.effects == EFFECTS
    for tier, effect in zip(ablations, EFFECTS, strict=True):
        assert tier.ablated == effect
        assert tier.effects == tuple(e for e in EFFECTS if e != effect)
        assert tier.maps
        assert not tier.behaviour.on_nest
    assert (IDEAL, MAPPED, HARDWARE) == SIMULATED == FIDELITIES[:3]


def test_theory_tiers_describe_the_emulated_tiers_networks():
    """A theory tier realises as the tier it describes, runs on neither emulator."""
    theories = (THEORY, THEORY_MAPPED, THEORY_HARDWARE)
    assert (*SIMULATED, *theories) == FIDELITIES
    for theory, simulated in zip(theories, SIMULATED, strict=True):
        b, s = behaviour(theory), behaviour(simulated)
        assert b.theory
        assert not s.theory
        assert (b.maps, b.analog, b.supplies_variation) == (
            s.maps,
            s.analog,
            s.supplies_variation,
        )
        assert b.describes == s.describes == simulated
        assert not b.on_nest
    tiers = tier_list(list(theories))
    assert [t.hardware is not None for t in tiers] == [False, False, True]
    assert tiers[2].effects == EFFECTS


def test_theory_tiers_are_not_emulated(tiny):
    from twin.tier_run import RunVariant, TierRequest, run_tiers

    (tier,) = tier_list([THEORY])
    with pytest.raises(ConfigError, match="theory_tiers"):
        run_tiers([TierRequest(tier, tiny)], SimConfig(t_stop=10.0), [RunVariant(())])


@pytest.mark.parametrize(
    "call",
    [
        lambda: check_fidelity("exact"),
        lambda: parse_fidelities("ideal,exact"),
        lambda: tier_list(["exact"]),
        lambda: Tier("exact", "exact"),
        lambda: behaviour("exact"),
    ],
)
def test_one_check_and_one_error_for_a_tier_name(call):
    with pytest.raises(ConfigError) as caught:
        call()
    assert str(caught.value) == (
        "unknown tier 'exact'; use ideal, mapped, hardware, theory, theory-mapped, "
        "theory-hardware, a comma-separated list of them, or 'all' (ideal, mapped, "
        "hardware)"
    )


def test_a_tier_given_twice_on_the_command_line_is_one_line_and_exit_2(capsys):
    from experiments.cli import main

    with pytest.raises(SystemExit) as caught:
        main(["brunel", "--fidelity", "theory,theory", "--out", "unused"])
    assert caught.value.code == 2
    assert "names 'theory' twice" in capsys.readouterr().err
