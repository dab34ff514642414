"""``drive_to_rest`` against NEST: the raised v_rest is the mean of the driven membrane.

P&D's L6e background (2,900 inputs x 8 Hz of 87.81 pA onto ``iaf_psc_exp``) and a
weaker alpha-kernel drive, each on 200 neurons whose threshold is out of reach; NEST's
membrane potential averaged over 2 s per neuron equals the step's resting potential
within 4 standard errors of the mean over neurons (the neurons are independent).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from experiments.microcircuit.resting import psc_amplitude
from twin.adapt import drive_to_rest
from twin.network import Network, PoissonSource, Population, Projection

pytest.importorskip("nest")
pytestmark = pytest.mark.nest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # NEST's import-time notices
    import nest

N = 200
PARAMS = {"cm": 0.25, "tau_m": 10.0, "tau_syn_E": 0.5, "tau_syn_I": 0.5,
          "v_rest": -65.0, "v_reset": -65.0, "v_thresh": 1000.0,
          "tau_refrac": 2.0, "i_offset": 0.0}  # fmt: skip


def _twin_rest(cell_type: str, rate: float, weight: float) -> float:
    net = Network(
        populations=(
            Population(
                name="p", size=N, cell_type=cell_type,
                parameters={k: np.full(N, v) for k, v in PARAMS.items()},
            ),
        ),
        sources=(PoissonSource(name="bg", size=N, rate=rate),),
        projections=(
            Projection(pre="bg", post="p", pre_idx=np.arange(N),
                       post_idx=np.arange(N), weight=np.full(N, weight),
                       delay=np.full(N, 1.5)),
        ),
    )  # fmt: skip
    out, _ = drive_to_rest()(net)
    v_rest = out.population("p").parameters["v_rest"]
    assert np.all(v_rest == v_rest[0])
    return float(v_rest[0])


def _nest_means(model: str, rate: float, weight: float) -> np.ndarray:
    """Per-neuron mean V (mV) over 2 s after 200 ms, NEST."""
    nest.set_verbosity("M_ERROR")
    nest.ResetKernel()
    nest.SetKernelStatus({"resolution": 0.1, "rng_seed": 12345})
    p = PARAMS
    neurons = nest.Create(model, N, params={
        "C_m": p["cm"] * 1e3, "tau_m": p["tau_m"], "tau_syn_ex": p["tau_syn_E"],
        "tau_syn_in": p["tau_syn_I"], "E_L": p["v_rest"], "V_reset": p["v_reset"],
        "V_th": p["v_thresh"], "t_ref": p["tau_refrac"], "I_e": 0.0,
        "V_m": p["v_rest"],
    })  # fmt: skip
    gen = nest.Create("poisson_generator", params={"rate": rate})
    nest.Connect(gen, neurons, syn_spec={"weight": weight * 1e3, "delay": 1.5})
    meter = nest.Create(
        "multimeter", params={"record_from": ["V_m"], "interval": 1.0, "start": 200.0}
    )
    nest.Connect(meter, neurons)
    nest.Simulate(2201.0)
    events = meter.get("events")
    senders, v = np.asarray(events["senders"]), np.asarray(events["V_m"])
    return np.array([v[senders == s].mean() for s in neurons.tolist()])


@pytest.mark.parametrize(
    ("cell_type", "model", "rate", "weight"),
    [
        # P&D's L6e: K_ext 2,900 x 8 Hz, 87.81 pA (the demo's -24.26 mV)
        ("IF_curr_exp", "iaf_psc_exp", 2900 * 8.0, psc_amplitude(0.15, 0.25, 10, 0.5)),
        ("IF_curr_alpha", "iaf_psc_alpha", 5000.0, 0.05),
    ],
)
def test_raised_rest_is_nests_mean_potential(
    cell_type: str, model: str, rate: float, weight: float
) -> None:
    v_rest = _twin_rest(cell_type, rate, weight)
    means = _nest_means(model, rate, weight)
    sem = means.std(ddof=1) / np.sqrt(N)
    assert abs(means.mean() - v_rest) < 4 * sem + 1e-3, (means.mean(), v_rest, sem)
    if model == "iaf_psc_exp":
        assert v_rest == pytest.approx(-24.26, abs=0.005)
