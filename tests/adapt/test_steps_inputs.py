"""``pool_inputs`` and ``set_time_constants`` against their rules; the PSP factor."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.signal import fftconvolve

from tests.adapt.nets import brunel_like
from twin.adapt import pool_inputs, set_time_constants
from twin.adapt.psp import psp_peak_factor
from twin.errors import AdaptError
from twin.network import PoissonSource


@pytest.fixture(scope="module")
def net():
    return brunel_like(400, 100, 40, 10, rate=1000.0)


def test_pool_rule(net):
    out, report = pool_inputs(300, 50, seed=1)(net)
    assert [s.name for s in out.sources] == ["ext"]
    pool = out.source("ext")
    assert pool.size == 300
    assert np.all(pool.rate == 1000.0 / 50)  # total rate per neuron / in-degree
    for post in ("E", "I"):
        proj = next(p for p in out.projections if p.name == f"ext->{post}")
        n_post = out.population(post).size
        assert np.all(np.bincount(proj.post_idx, minlength=n_post) == 50)
        assert proj.pre_idx.max() < 300
        assert np.all(proj.weight == 0.1)  # weights unchanged
        # each neuron's total input rate kept
        rates = np.bincount(proj.post_idx, pool.rate[proj.pre_idx], n_post)
        np.testing.assert_allclose(rates, 1000.0)
    assert report.numbers["rate_per_source"] == 20.0
    assert report.numbers["shared_fraction"] == 50 / 300
    assert len(out.projections) == len(net.projections)


def test_pool_draws_with_replacement_and_is_deterministic(net):
    a, _ = pool_inputs(30, 50, seed=1)(net)
    b, _ = pool_inputs(30, 50, seed=1)(net)
    c, _ = pool_inputs(30, 50, seed=2)(net)
    assert a == b
    assert a != c
    proj = a.projections[-1]
    first = proj.pre_idx[proj.post_idx == 0]
    assert np.unique(first).size < first.size  # 50 draws from 30: repeats


def test_pool_refuses_what_it_cannot_pool(net):
    pooled, _ = pool_inputs(300, 50, seed=1)(net)
    with pytest.raises(AdaptError, match="no independent Poisson input"):
        pool_inputs(300, 50, seed=1)(pooled)
    uneven = net.replace(
        sources=(
            PoissonSource(name="ext_E", size=400, rate=np.linspace(1, 2, 400)),
            net.sources[1],
        )
    )
    with pytest.raises(AdaptError, match="one rate"):
        pool_inputs(300, 50, seed=1)(uneven)
    for bad in (0, 2.5, True):
        with pytest.raises(AdaptError, match="n_sources"):
            pool_inputs(bad, 50, seed=1)


def test_tau_m_keeps_eta(net):
    out, report = set_time_constants(tau_m=10.0)(net)
    for src in out.sources:
        np.testing.assert_allclose(src.rate, 1000.0 * 20.0 / 10.0)
    assert all(np.all(p.parameters["tau_m"] == 10.0) for p in out.populations)
    for old, new in zip(net.projections, out.projections, strict=True):
        np.testing.assert_array_equal(old.weight, new.weight)
    assert report.numbers["rate_factor[ext_E]"] == 2.0
    kept, _ = set_time_constants(tau_m=10.0, keep="rate")(net)
    assert all(np.all(s.rate == 1000.0) for s in kept.sources)


def test_tau_syn_keeps_the_charge(net):
    tau_old = net.populations[0].parameters["tau_syn_E"][0]
    out, report = set_time_constants(tau_syn=3.0)(net)
    for old, new in zip(net.projections, out.projections, strict=True):
        np.testing.assert_allclose(new.weight * 3.0, old.weight * tau_old)
    assert all(np.all(p.parameters["tau_syn_I"] == 3.0) for p in out.populations)
    assert report.numbers["psp_peak_per_charge_after[E]"] == pytest.approx(
        psp_peak_factor(20.0, 3.0, "alpha")
    )


def test_time_constant_errors(net):
    with pytest.raises(AdaptError, match="give tau_m, tau_syn"):
        set_time_constants()
    with pytest.raises(AdaptError, match="tau_m = -1"):
        set_time_constants(tau_m=-1.0)
    with pytest.raises(AdaptError, match="keep"):
        set_time_constants(tau_m=1.0, keep="x")


def test_psp_factor_exp_matches_the_closed_form():
    tm, ts = 10.0, 3.0
    t_peak = math.log(tm / ts) * tm * ts / (tm - ts)
    peak = (math.exp(-t_peak / tm) - math.exp(-t_peak / ts)) * tm / (tm - ts)
    assert psp_peak_factor(tm, ts, "exp") == pytest.approx(peak, rel=1e-6)
    assert 1 / peak == pytest.approx(1.68, abs=0.01)  # the seed's "1.7"


def test_psp_factor_alpha_matches_a_numerical_convolution():
    tm, ts, dt = 10.0, 2.0, 1e-3
    t = np.arange(0, 100, dt)
    kernel = t / ts**2 * np.exp(-t / ts)  # unit charge
    v = fftconvolve(kernel, np.exp(-t / tm))[: t.size] * dt
    assert psp_peak_factor(tm, ts, "alpha") == pytest.approx(v.max(), rel=1e-3)
    assert psp_peak_factor(20.0, 1e-4, "alpha") == pytest.approx(1.0, abs=1e-4)
