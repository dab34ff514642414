"""Single-neuron cases of the current-based cells, built for the twin and for NEST.

One population of independent neurons (no recurrent synapse), so one compiled run
checks many cases: per neuron its own excitatory and inhibitory Poisson-like spike
trains (weights from tiny to strong), a constant current ``i_offset`` and a step
current, and synaptic time constants that include ``tau_syn == tau_m`` (NEST's
singular propagator) and a neighbour of it.
"""

from dataclasses import dataclass

import numpy as np

from tests.analog.helpers import poisson_trains
from twin import Network, Population, Projection
from twin.network import CurrentStimulus, SpikeTimesSource

DT = 0.1
T_STOP = 400.0
#: Peak currents of the synapses, nA (tiny to strong; 1 nA is ~4 mV on 0.25 nF).
WEIGHTS = (0.001, 0.05, 0.4, 3.0)
#: Synaptic time constants against tau_m = 10 ms: regular, singular, near-singular.
TAU_SYN = (2.0, 10.0, 10.0 + 1e-9)
#: The step current of the stimulated neurons: change times (ms) and amplitudes (nA).
STEP_TIMES = (50.0, 120.3, 250.0, 330.0)
STEP_AMPLITUDES = (0.3, -0.2, 0.45, 0.0)

NEURON = {
    "cm": 0.25,
    "tau_m": 10.0,
    "v_rest": -65.0,
    "v_thresh": -55.0,
    "v_reset": -70.0,
    "tau_refrac": 2.0,
}


@dataclass(frozen=True)
class Cases:
    """The population's per-neuron parameters and inputs (arrays of shape ``(n,)``)."""

    params: dict
    exc: tuple  # spike times (ms) per neuron
    inh: tuple
    w_exc: np.ndarray  # nA, >= 0
    w_inh: np.ndarray  # nA, <= 0
    stimulated: np.ndarray  # indices of the neurons with the step current

    @property
    def size(self):
        return self.w_exc.size


def cases(seed):
    """Return the cases of one seed: every weight x tau_syn, plus current-only ones."""
    rows = []
    for w in WEIGHTS:
        for tau in TAU_SYN:
            rows.append((w, tau, 0.0, True))
    for i_offset in (0.2, 0.41, 1.5):  # sub-, near- and supra-threshold DC
        rows.append((0.0, 2.0, i_offset, False))
    n = len(rows)
    rates = (3000.0, 1500.0)  # Hz: strong enough to fire with the larger weights
    exc = poisson_trains(rates[0], T_STOP, seed, n=n, dt=DT)
    inh = poisson_trains(rates[1], T_STOP, seed + 1000, n=n, dt=DT)
    w = np.array([r[0] for r in rows])
    tau = np.array([r[1] for r in rows])
    params = {
        **NEURON,
        "tau_syn_E": tau,
        "tau_syn_I": tau[::-1].copy(),
        "i_offset": np.array([r[2] for r in rows]),
    }
    spiking = np.array([r[3] for r in rows])
    exc = tuple(t if s else np.zeros(0) for t, s in zip(exc, spiking, strict=True))
    inh = tuple(t if s else np.zeros(0) for t, s in zip(inh, spiking, strict=True))
    return Cases(
        params=params,
        exc=exc,
        inh=inh,
        w_exc=w,
        w_inh=-0.7 * w,
        stimulated=np.flatnonzero(~spiking | (np.arange(n) % 3 == 0)),
    )


def twin_network(cell_type, c):
    """The cases as a twin network (population ``n``)."""
    n = c.size
    ids = np.arange(n)
    return Network(
        populations=(
            Population(name="n", size=n, cell_type=cell_type, parameters=c.params),
        ),
        sources=(
            SpikeTimesSource(name="exc", spike_times=c.exc),
            SpikeTimesSource(name="inh", spike_times=c.inh),
        ),
        projections=(
            Projection(
                pre="exc",
                post="n",
                pre_idx=ids,
                post_idx=ids,
                weight=c.w_exc,
                delay=np.full(n, 1.0),
            ),
            Projection(
                pre="inh",
                post="n",
                pre_idx=ids,
                post_idx=ids,
                weight=c.w_inh,
                delay=np.full(n, 1.5),
                receptor="inhibitory",
            ),
        ),
        stimuli=(
            CurrentStimulus(
                name="step",
                population="n",
                index=c.stimulated,
                times=np.array(STEP_TIMES),
                amplitudes=np.array(STEP_AMPLITUDES),
            ),
        ),
    )


def run_nest(model, c):
    """Run the cases on NEST's own model; return spike times per neuron and V.

    NEST units: pF, pA. The step current is a ``step_current_generator`` whose times
    are one step early, connected with a delay of one step (:mod:`twin.stimuli`).

    Returns
    -------
    tuple
        Spike times (ms) per neuron, and V (mV) of shape ``(steps - 1, n)`` sampled
        at ``dt, 2 dt, ...``.
    """
    import nest

    nest.ResetKernel()
    nest.set_verbosity("M_ERROR")
    nest.resolution = DT
    n = c.size
    p = c.params
    neurons = nest.Create(model, n)
    for k in range(n):
        neurons[k].set(
            C_m=p["cm"] * 1000.0,
            tau_m=p["tau_m"],
            E_L=p["v_rest"],
            V_th=p["v_thresh"],
            V_reset=p["v_reset"],
            t_ref=p["tau_refrac"],
            tau_syn_ex=float(p["tau_syn_E"][k]),
            tau_syn_in=float(p["tau_syn_I"][k]),
            I_e=float(p["i_offset"][k]) * 1000.0,
            V_m=p["v_rest"],
        )
    for trains, weights, delay in ((c.exc, c.w_exc, 1.0), (c.inh, c.w_inh, 1.5)):
        gens = nest.Create("spike_generator", n)
        for k in range(n):
            gens[k].set(spike_times=list(trains[k]))
        nest.Connect(
            gens, neurons, "one_to_one", {"weight": weights * 1000.0, "delay": delay}
        )
    step = nest.Create("step_current_generator")
    step.set(
        amplitude_times=[t - DT for t in STEP_TIMES],
        amplitude_values=[a * 1000.0 for a in STEP_AMPLITUDES],
    )
    nest.Connect(step, neurons[c.stimulated.tolist()], syn_spec={"delay": DT})
    meter = nest.Create("multimeter", params={"interval": DT, "record_from": ["V_m"]})
    nest.Connect(meter, neurons)
    rec = nest.Create("spike_recorder")
    nest.Connect(neurons, rec)
    nest.Simulate(T_STOP)
    ev = rec.events
    senders = np.asarray(ev["senders"]) - neurons[0].global_id
    times = np.asarray(ev["times"])
    spikes = [np.sort(times[senders == k]) for k in range(n)]
    mv = meter.events
    order = np.lexsort((np.asarray(mv["senders"]), np.asarray(mv["times"])))
    v = np.asarray(mv["V_m"])[order].reshape(-1, n)
    return spikes, v
