"""The hardware tier's STP transforms, each against its formula, and end to end."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from twin import ConfigError, Network, Population, Projection
from twin.hardware import HardwareConfig
from twin.hardware.stp import (
    NO_DEPRESSION_TAU_REC,
    STPSites,
    driver_u,
    hardware_time_us,
    quadrant_time_constants,
    quantise_u,
    realise_stp,
    requested_time_constant,
)
from twin.routing import MappingConfig
from twin.routing.stp_drivers import DEPRESSING, FACILITATING, U_SE_LEVELS
from twin.stp import TsodyksMarkram
from twin.tiers import Tier, realise
from twin.wafer import Wafer

STEP = 0.15 / 7  # calibtic: U_SE = 0.25 + cap * (0.4 - 0.25) / 7, cap 0..7


@given(arrays(np.float64, 40, elements=st.floats(1e-3, 1.0)))
def test_u_se_is_the_capacitor_line_rounded_and_clipped(u):
    cap = np.clip(np.floor((u - 0.25) / STEP + 0.5), 0, 7)
    np.testing.assert_allclose(quantise_u(u), 0.25 + cap * STEP, rtol=1e-12)
    inside = (u >= 0.25) & (u <= 0.4)
    assert (np.abs(quantise_u(u) - u)[inside] <= STEP / 2 + 1e-12).all()
    np.testing.assert_allclose(quantise_u(u)[u < 0.25], 0.25)
    np.testing.assert_allclose(quantise_u(u)[u > 0.4], 0.4)


def test_requested_time_constant_is_the_modes_own():
    rec, fac = np.array([800.0, 100.0, 50.0]), np.array([0.0, 1000.0, 20.0])
    mode = np.array([DEPRESSING, FACILITATING, DEPRESSING])
    np.testing.assert_array_equal(
        requested_time_constant(rec, fac, mode), [800.0, 1000.0, 50.0]
    )


@given(
    arrays(np.int64, 30, elements=st.integers(0, 4)),
    arrays(np.float64, 30, elements=st.sampled_from([20.0, 100.0, 300.0, 800.0])),
)
def test_quadrant_value_is_the_lower_median_of_its_requests(quadrant, tau):
    got = quadrant_time_constants(quadrant, tau)
    for q in np.unique(quadrant):
        requests = np.sort(tau[quadrant == q])
        expected = requests[(requests.size - 1) // 2]
        np.testing.assert_array_equal(got[quadrant == q], expected)


@given(
    arrays(np.int64, 30, elements=st.integers(0, 3)),
    arrays(np.float64, 30, elements=st.floats(0.01, 1.0)),
)
def test_driver_u_is_the_level_of_its_drivers_lower_median(driver, u):
    got = driver_u(driver, u)
    for d in np.unique(driver):
        requests = np.sort(u[driver == d])
        level = quantise_u(requests[[(requests.size - 1) // 2]])[0]
        np.testing.assert_array_equal(got[driver == d], level)
    # One synapse per driver: every synapse gets its own nearest level.
    np.testing.assert_array_equal(driver_u(np.arange(30), u), quantise_u(u))


def test_time_scaling_is_speedup_1e4_and_matches_calibtics_default():
    # calibtic ModelSharedParameter: tau_rec 10 µs hw = 100 ms bio at speed-up 1e4.
    np.testing.assert_allclose(hardware_time_us(np.array([100.0])), [10.0])
    tau = np.array([1.0, 37.5, 800.0])
    np.testing.assert_allclose(hardware_time_us(tau), tau * 1e-3 / 1e4 * 1e6)


def _net(stp_a, stp_b, n=6):
    pops = (Population(name="p", size=n),)
    idx = np.arange(n)
    projections = tuple(
        Projection(pre="p", post="p", pre_idx=idx, post_idx=idx[::-1],
                   weight=np.full(n, 0.001), delay=np.full(n, 1.0), name=name, stp=s)
        for name, s in (("a", stp_a), ("b", stp_b), ("static", None))
    )  # fmt: skip
    return Network(populations=pops, projections=projections)


def test_realise_stp_applies_every_rule_and_counts_it():
    dep = TsodyksMarkram(
        U=[0.5, 0.3, 0.04, 0.26, 0.4, 0.1],
        tau_rec=[800.0, 100.0, 300.0, 800.0, 500.0, 200.0],
        tau_facil=[0.0, 0.0, 0.0, 50.0, 0.0, 0.0],
    )
    fac = TsodyksMarkram(U=0.04, tau_rec=100.0, tau_facil=1000.0)
    net = _net(dep, fac)
    quadrants = {"a": np.array([0, 0, 0, 1, 1, 1]), "b": np.array([1, 1, 1, 2, 2, 2])}
    drivers = {"a": np.arange(6), "b": np.full(6, 6)}  # one driver per synapse of a
    out, report = realise_stp(net, STPSites(quadrants, drivers))
    a, b, static = out.projections
    assert static == net.projections[2]
    np.testing.assert_array_equal(a.stp.U, quantise_u(dep.U))
    np.testing.assert_array_equal(b.stp.U, 0.25)
    np.testing.assert_array_equal(a.stp.tau_facil, 0.0)
    np.testing.assert_array_equal(b.stp.tau_rec, NO_DEPRESSION_TAU_REC)
    # Quadrant 0: requests 800, 100, 300 -> 300. Quadrant 1: 800, 500, 200 (a's
    # depressing tau_rec) and 1000 x3 (b's tau_facil) -> lower median of six: 800.
    # Quadrant 2: 1000.
    np.testing.assert_array_equal(a.stp.tau_rec, [300.0] * 3 + [800.0] * 3)
    np.testing.assert_array_equal(b.stp.tau_facil, [800.0] * 3 + [1000.0] * 3)
    assert (report.synapses, report.depressing, report.facilitating) == (12, 6, 6)
    assert report.both == 1 + 6  # a's tau_facil 50 and every synapse of b
    assert report.u_clipped == 3 + 6  # 0.5, 0.04, 0.1 and b's 0.04
    assert report.u_quantised == int((quantise_u(dep.U) != dep.U).sum()) + 6
    assert report.u_conflicts == 0
    assert report.tau_conflicts == 2 + 2 + 3  # q0: 800, 100; q1: 500, 200; b in q1
    assert dict(report.tau_hw_us) == pytest.approx({0: 30.0, 1: 80.0, 2: 100.0})


def test_realise_stp_needs_quadrants_for_plastic_projections_only():
    dep = TsodyksMarkram(U=0.3, tau_rec=100.0, tau_facil=0.0)
    sites = STPSites({"a": np.zeros(6, np.int64)}, {"a": np.zeros(6, np.int64)})
    with pytest.raises(ConfigError, match="synapse_quadrants"):
        realise_stp(_net(dep, dep), sites)
    static = _net(None, None)
    out, report = realise_stp(static, None)
    assert out == static
    assert report.synapses == 0


def test_hardware_tier_realises_stp_per_quadrant_and_mapped_tier_keeps_it():
    rng = np.random.default_rng(3)
    n = 60
    pre, post = np.nonzero(rng.random((n, n)) < 0.2)
    k = pre.size
    stp = TsodyksMarkram(
        U=rng.uniform(0.05, 0.6, k), tau_rec=rng.choice([100.0, 800.0], k),
        tau_facil=np.where(rng.random(k) < 0.3, 1500.0, 0.0),
    )  # fmt: skip
    net = Network(
        populations=(Population(name="p", size=n),),
        projections=(Projection(pre="p", post="p", pre_idx=pre, post_idx=post,
                                weight=np.full(k, 0.001), delay=np.full(k, 1.0),
                                stp=stp),),
    )  # fmt: skip
    wafer = Wafer.region([138, 139, 140, 174, 175, 176, 210, 211, 212])
    hw = HardwareConfig(variation=False, weights=False, bandwidth=False)
    mapped = realise(Tier("mapped", "mapped"), net, wafer=wafer)
    hardware = realise(Tier("hardware", "hardware", hw), net, wafer=wafer,
                       mapping=mapped.mapping)  # fmt: skip
    keep = mapped.mapping.synapses.realised[net.projections[0].name]
    assert mapped.network.projections[0].stp == stp.subset(keep)
    real = hardware.network.projections[0].stp
    assert np.isin(real.U, U_SE_LEVELS).all()
    quadrant = mapped.mapping.synapse_quadrants()[net.projections[0].name]
    tau = np.where(real.tau_facil > 0, real.tau_facil, real.tau_rec)
    for q in np.unique(quadrant):
        assert np.unique(tau[quadrant == q]).size == 1
    report = hardware.report.stp
    assert report.synapses == int(keep.sum()) > 0
    assert len(report.tau_hw_us) > 1
    assert report.tau_conflicts > 0
    assert report.facilitating == int((real.tau_facil > 0).sum())
    assert set(report.tau_hw_us) == set(np.unique(quadrant).tolist())
    off = realise(Tier("x", "hardware", hw.without("parameters")), net, wafer=wafer,
                  mapping=mapped.mapping)  # fmt: skip
    assert off.network.projections[0].stp == mapped.network.projections[0].stp
    assert off.report.stp is None
    assert report.u_conflicts == 0  # drivers separated by capacitor setting


def test_mode_only_drivers_share_one_u_per_driver_and_count_conflicts():
    rng = np.random.default_rng(4)
    n = 40
    pre, post = np.nonzero(rng.random((n, n)) < 0.2)
    k = pre.size
    stp = TsodyksMarkram(U=rng.uniform(0.2, 0.45, k), tau_rec=np.full(k, 300.0),
                         tau_facil=np.zeros(k))  # fmt: skip
    net = Network(
        populations=(Population(name="p", size=n),),
        projections=(Projection(pre="p", post="p", pre_idx=pre, post_idx=post,
                                weight=np.full(k, 0.001), delay=np.full(k, 1.0),
                                stp=stp),),
    )  # fmt: skip
    wafer = Wafer.region([138, 139, 140, 174, 175, 176, 210, 211, 212])
    config = MappingConfig(stp_classes="mode")
    hw = HardwareConfig(variation=False, weights=False, bandwidth=False)
    out = realise(Tier("hardware", "hardware", hw), net, wafer=wafer,
                  mapping_config=config)  # fmt: skip
    real = out.network.projections[0].stp
    units = out.mapping.synapse_driver_units()[net.projections[0].name]
    keep = out.mapping.synapses.realised[net.projections[0].name]
    requested = stp.U[keep]
    for d in np.unique(units):
        assert np.unique(real.U[units == d]).size == 1
    own = quantise_u(requested)
    assert out.report.stp.u_conflicts == int((own != real.U).sum()) > 0


def test_no_depression_tau_rec_recovers_fully_within_the_smallest_step():
    # exp(-h / tau_rec) underflows to 0 for any h >= 0.01 ms (the stated claim).
    assert np.exp(-0.01 / NO_DEPRESSION_TAU_REC) == 0.0
    assert NO_DEPRESSION_TAU_REC > 0
