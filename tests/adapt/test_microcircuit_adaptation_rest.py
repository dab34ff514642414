"""``drive_to_rest`` (Poisson drive -> raised v_rest) and per-target ``v_mean``.

The shift is checked against Campbell's theorem written out by hand: the mean of a
Poisson shot noise is ``rate x integral of one PSP``, and the PSP of a current
kernel of charge ``q`` integrates to ``q tau_m / C_m``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from experiments.microcircuit.original import OriginalConfig, build_original
from experiments.microcircuit.resting import V_REST
from tests.adapt.nets import brunel_like
from twin.adapt import drive_to_rest, to_conductance
from twin.errors import AdaptError
from twin.network import Network, PoissonSource, Projection


@pytest.mark.parametrize(
    ("cell_type", "kernel"), [("IF_curr_exp", 1.0), ("IF_curr_alpha", math.e)]
)
def test_shift_is_rate_times_psp_integral(cell_type: str, kernel: float) -> None:
    net = brunel_like(40, 10, 4, 1, cell_type=cell_type, j=0.2, rate=1500.0)
    out, report = drive_to_rest()(net)
    for before, after in zip(net.populations, out.populations, strict=True):
        p = before.parameters
        charge = 0.2 * kernel * p["tau_syn_E"]  # nA ms = pC
        expected = p["v_rest"] + 1500.0 * 1e-3 * charge * p["tau_m"] / p["cm"]
        np.testing.assert_allclose(after.parameters["v_rest"], expected, rtol=1e-12)
        assert report.numbers[f"dv_rest_mean[{before.name}]"] == pytest.approx(
            float(np.mean(expected - p["v_rest"]))
        )
    assert out.sources == ()
    assert out.n_synapses == net.n_synapses - 50
    assert report.numbers["sources_removed"] == 2


def test_shared_pool_sums_per_neuron() -> None:
    base = brunel_like(6, 2, 2, 1, cell_type="IF_curr_exp", rate=100.0)
    rates = np.array([10.0, 20.0, 40.0])
    pool = PoissonSource(name="pool", size=3, rate=rates)
    pre, post = np.array([0, 1, 2, 2]), np.array([0, 0, 1, 1])  # a multapse
    proj = Projection(
        pre="pool", post="E", pre_idx=pre, post_idx=post,
        weight=np.full(4, 0.5), delay=np.full(4, 1.0),
    )  # fmt: skip
    net = base.replace(
        sources=(*base.sources, pool), projections=(*base.projections, proj)
    )
    out, _ = drive_to_rest()(net)
    e_before = net.population("E").parameters
    e_after = out.population("E").parameters
    scale = e_before["tau_syn_E"][0] * e_before["tau_m"][0] / e_before["cm"][0] * 1e-3
    ext = 100.0 * 0.1 * scale  # the one-to-one generator of brunel_like (j 0.1)
    shift = e_after["v_rest"] - e_before["v_rest"]
    np.testing.assert_allclose(
        shift[:2], [ext + 30 * 0.5 * scale, ext + 80 * 0.5 * scale]
    )
    np.testing.assert_allclose(shift[2:], ext)


def test_conductance_targets_and_no_drive() -> None:
    cond = brunel_like(20, 5, 2, 1, cell_type="IF_cond_exp")
    with pytest.raises(AdaptError, match="no Poisson projection"):
        drive_to_rest()(cond)
    bare = Network(populations=cond.populations)
    with pytest.raises(AdaptError, match="nothing to replace"):
        drive_to_rest()(bare)


def test_pd14_drive_gives_the_demo_resting_potentials() -> None:
    # the demo's printed values to 0.01 mV (brunel_bss1.md §2), at full-scale drive:
    # K_ext x k_scale inputs of weight w / k_scale
    config = OriginalConfig(scale=0.01, k_scale=1.0)
    net = build_original(config)
    only_drive = net.replace(
        projections=tuple(p for p in net.projections if net.is_source(p.pre))
    )
    out, _ = drive_to_rest()(only_drive)
    printed = {"L23E": -42.52, "L23I": -43.93, "L4E": -35.5, "L4I": -38.31,
               "L5E": -36.9, "L5I": -38.31, "L6E": -24.26, "L6I": -35.5}  # fmt: skip
    for pop in out.populations:
        np.testing.assert_allclose(
            pop.parameters["v_rest"], printed[pop.name], atol=0.005
        )
        assert V_REST[pop.name] == printed[pop.name]


def test_v_mean_per_target() -> None:
    net = brunel_like(20, 5, 2, 1, cell_type="IF_curr_exp")
    out, report = to_conductance(
        v_mean={"E": -60.0, "I": -50.0}, e_rev_E=0.0, e_rev_I=-80.0
    )(net)
    for a, b in zip(net.projections, out.projections, strict=True):
        v = -60.0 if a.post == "E" else -50.0
        e = 0.0 if a.receptor == "excitatory" else -80.0
        np.testing.assert_allclose(b.weight, a.weight / (e - v), rtol=1e-12)
    assert report.numbers["v_mean[I]"] == -50.0
    with pytest.raises(AdaptError, match=r"no v_mean for \['I'\]"):
        to_conductance(v_mean={"E": -60.0}, e_rev_E=0.0, e_rev_I=-80.0)(net)
    with pytest.raises(AdaptError, match=r"v_mean = 5\.0 mV"):
        to_conductance(v_mean={"E": -60.0, "I": 5.0}, e_rev_E=0.0, e_rev_I=-80.0)
