"""``to_conductance`` against NEST: the converted synapse's PSP at V_mean is the
current-based one's (peak for exponential kernels, area -- the charge -- for alpha).

One neuron at rest (V_mean = v_rest), one input spike, the membrane recorded every
0.1 ms; NEST's ``iaf_psc_exp``/``iaf_psc_alpha`` (``IF_curr_exp``/``IF_curr_alpha``) for
the original, ``iaf_cond_exp`` (``IF_cond_exp``) with the step's weight for the
converted synapse. Tolerance: the relative change of the driving force during the PSP,
``|PSP| / |E_rev - V_mean|`` (0.3 % for the seed's 0.43 mV at 140 mV).
"""

import math

import numpy as np
import pytest

from tests.adapt.test_steps_conductance import _one_synapse
from twin.adapt import to_conductance

pytest.importorskip("nest")
pytestmark = pytest.mark.nest

import nest  # noqa: E402

TAU_M, C_M, TAU_S = 10.0, 1.0, 3.0  # ms, nF, ms (the seed's means)


def _nest_psp(model: str, weight_nest: float, e_rev: dict[str, float]) -> np.ndarray:
    """Return V - E_L (mV) of a NEST neuron after one spike at 1 ms."""
    nest.ResetKernel()
    nest.set_verbosity("M_ERROR")
    nest.resolution = 0.1
    params = {
        "C_m": C_M * 1e3, "tau_syn_ex": TAU_S, "tau_syn_in": TAU_S, "E_L": 0.0,
        "V_m": 0.0, "V_th": 50.0, "V_reset": -5.0, "t_ref": 2.0,
    }  # fmt: skip
    if model == "iaf_cond_exp":
        params |= {"g_L": C_M * 1e3 / TAU_M, **e_rev}
    else:
        params |= {"tau_m": TAU_M}
    neuron = nest.Create(model, params=params)
    gen = nest.Create("spike_generator", params={"spike_times": [1.0]})
    nest.Connect(gen, neuron, syn_spec={"weight": weight_nest, "delay": 0.1})
    meter = nest.Create("multimeter", params={"record_from": ["V_m"], "interval": 0.1})
    nest.Connect(meter, neuron)
    nest.Simulate(60.0)
    return np.asarray(meter.events["V_m"])


@pytest.mark.parametrize(
    ("kind", "weight", "receptor"),
    [
        ("IF_curr_exp", 0.2, "excitatory"),  # the seed's 0.2 nA before orig_weight
        ("IF_curr_exp", -0.8, "inhibitory"),
        ("IF_curr_alpha", 0.1, "excitatory"),
        ("IF_curr_alpha", -0.4, "inhibitory"),
    ],
)
def test_psp_kept_in_nest(kind, weight, receptor):
    e_rev = {"e_rev_E": 140.0, "e_rev_I": -140.0}
    net = _one_synapse(kind, weight, receptor, 0.0, tau_syn=TAU_S)
    out, _ = to_conductance(v_mean=0.0, **e_rev)(net)
    g = float(out.projections[0].weight[0])  # µS
    sign = 1.0 if receptor == "excitatory" else -1.0
    model = "iaf_psc_exp" if kind == "IF_curr_exp" else "iaf_psc_alpha"
    v_curr = _nest_psp(model, weight * 1e3, {})  # nA -> pA
    v_cond = _nest_psp(
        "iaf_cond_exp", sign * g * 1e3, {"E_ex": 140.0, "E_in": -140.0}
    )  # µS -> nS; NEST's sign picks the receptor
    peak = v_curr[np.argmax(np.abs(v_curr))]
    bound = abs(peak) / 140.0
    if kind == "IF_curr_exp":
        cond_peak = v_cond[np.argmax(np.abs(v_cond))]
        assert abs(cond_peak / peak - 1) <= bound
    else:  # the charge: the PSP's area, tau_m Q / C for both kernels
        area_curr, area_cond = v_curr.sum() * 0.1, v_cond.sum() * 0.1
        expected = TAU_M * weight * math.e * TAU_S / C_M
        assert area_curr == pytest.approx(expected, rel=0.01)  # 60 ms of the tail
        assert abs(area_cond / area_curr - 1) <= bound
