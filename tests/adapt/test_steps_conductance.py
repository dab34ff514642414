"""``twin.adapt.to_conductance``: the PSP at V_mean kept, the alpha charge kept."""

from __future__ import annotations

import math

import numpy as np
import pytest

from twin.adapt import to_conductance
from twin.errors import AdaptError
from twin.network import Network, Population, Projection, SpikeTimesSource

DT = 0.001  # ms, RK4 step of the reference integration


def _one_synapse(cell_type, weight, receptor, v_rest, tau_syn=3.0):
    pop = Population(
        name="n",
        size=1,
        cell_type=cell_type,
        parameters={
            "v_rest": v_rest, "v_reset": v_rest - 5.0, "v_thresh": v_rest + 50.0,
            "tau_m": 10.0, "cm": 1.0, "tau_syn_E": tau_syn, "tau_syn_I": tau_syn,
        },
    )  # fmt: skip
    src = SpikeTimesSource(name="s", spike_times=(np.array([1.0]),))
    proj = Projection(
        pre="s", post="n", pre_idx=[0], post_idx=[0], weight=[weight], delay=[1.0],
        receptor=receptor,
    )  # fmt: skip
    return Network(populations=(pop,), sources=(src,), projections=(proj,))


def _psp_peak(net: Network) -> float:
    """Integrate the cell's membrane after one input at t = 0 (RK4); return the
    signed extremum of V - v_rest (an independent reference, not the emulator)."""
    pop, proj = net.populations[0], net.projections[0]
    p = {k: float(v[0]) for k, v in pop.parameters.items()}
    w, tau_s, c_m = float(proj.weight[0]), p["tau_syn_E"], p["cm"]
    alpha = pop.cell_type.endswith("alpha")
    e_rev = p.get("e_rev_E" if proj.receptor == "excitatory" else "e_rev_I")

    def syn(t):
        return (t / tau_s) * math.exp(1 - t / tau_s) if alpha else math.exp(-t / tau_s)

    def dv(t, v):
        leak = -(v - p["v_rest"]) / p["tau_m"]
        if pop.cell_type.startswith("IF_cond"):
            return leak + w * syn(t) * (e_rev - v) / c_m
        return leak + w * syn(t) / c_m

    v, t, extreme = p["v_rest"], 0.0, 0.0
    for _ in range(int(30.0 / DT)):
        k1 = dv(t, v)
        k2 = dv(t + DT / 2, v + DT / 2 * k1)
        k3 = dv(t + DT / 2, v + DT / 2 * k2)
        k4 = dv(t + DT, v + DT * k3)
        v += DT / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        t += DT
        if abs(v - p["v_rest"]) > abs(extreme):
            extreme = v - p["v_rest"]
    return extreme


@pytest.mark.parametrize(
    ("weight", "receptor", "v_mean", "e_e", "e_i"),
    [
        (0.2, "excitatory", 0.0, 140.0, -140.0),  # the seed's w at tau_syn 3 ms
        (-0.8, "inhibitory", 0.0, 140.0, -140.0),  # g = 4
        (0.2, "excitatory", -60.0, 0.0, -80.0),
        (-0.2, "inhibitory", -60.0, 0.0, -80.0),
    ],
)
def test_psp_peak_at_v_mean_is_kept(weight, receptor, v_mean, e_e, e_i):
    before = _one_synapse("IF_curr_exp", weight, receptor, v_mean)
    after, report = to_conductance(v_mean=v_mean, e_rev_E=e_e, e_rev_I=e_i)(before)
    assert after.populations[0].cell_type == "IF_cond_exp"
    e_rev = e_e if receptor == "excitatory" else e_i
    assert after.projections[0].weight[0] == pytest.approx(weight / (e_rev - v_mean))
    peak_i, peak_c = _psp_peak(before), _psp_peak(after)
    # the conductance's current differs from w by the change of the driving force
    # during the PSP: at most |PSP| / |E_rev - V_mean| relative
    bound = abs(peak_i / (e_rev - v_mean))
    assert abs(peak_c / peak_i - 1) <= bound  # 0.3 % for the seed's +-140 mV
    assert report.numbers["populations_converted"] == 1


def test_the_seeds_conductance():
    # 0.24 nA at V_mean 0 mV, E_rev +-140 mV -> 1.7143 nS (brunel_bss1.md §1.3)
    net = _one_synapse("IF_curr_exp", 0.24, "excitatory", 0.0)
    out, _ = to_conductance(v_mean=0.0, e_rev_E=140.0, e_rev_I=-140.0)(net)
    assert out.projections[0].weight[0] == pytest.approx(1.7143e-3, rel=1e-4)


def test_alpha_becomes_exponential_with_its_charge():
    w, tau = 0.3, 2.0
    net = _one_synapse("IF_curr_alpha", w, "excitatory", 0.0, tau_syn=tau)
    out, report = to_conductance(v_mean=0.0, e_rev_E=140.0, e_rev_I=-140.0)(net)
    g = out.projections[0].weight[0]
    t = np.linspace(0, 60 * tau, 600_001)
    alpha_charge = np.trapezoid(w * t / tau * np.exp(1 - t / tau), t)
    cond_charge = np.trapezoid(g * np.exp(-t / tau) * 140.0, t)
    assert cond_charge == pytest.approx(alpha_charge, rel=1e-6)
    assert any("alpha" in n for n in report.notes)


def test_conductance_cells_are_left_and_reported():
    net = _one_synapse("IF_cond_exp", 0.01, "excitatory", 0.0)
    out, report = to_conductance(v_mean=0.0, e_rev_E=140.0, e_rev_I=-140.0)(net)
    assert out == net
    assert report.numbers["populations_converted"] == 0
    assert "nothing converted" in " ".join(report.notes)


@pytest.mark.parametrize(
    ("v_mean", "e_e", "e_i", "match"),
    [
        (150.0, 140.0, -140.0, "v_mean = 150"),
        (-140.0, 140.0, -140.0, "v_mean = -140"),
        (0.0, 400.0, -140.0, "e_rev_E = 400"),
        (0.0, 140.0, -400.0, "e_rev_I = -400"),
    ],
)
def test_bad_potentials_are_refused(v_mean, e_e, e_i, match):
    with pytest.raises(AdaptError, match=match):
        to_conductance(v_mean=v_mean, e_rev_E=e_e, e_rev_I=e_i)
