"""Networks that expose the time grid: one input train and one synapse per neuron."""

import numpy as np

from twin import Network, Population, Projection
from twin.network import SpikeTimesSource
from twin.sources import PoissonSource

#: A weight that makes an IF_cond_exp neuron (cm 1 nF, PyNN defaults) fire in the very
#: step its input arrives: 5 µS pulls V from -65 mV past -50 mV within 0.1 ms.
FIRING_WEIGHT = 5.0


def fanout(trains, delays, weight=FIRING_WEIGHT, **params):
    """Neuron ``i`` receives train ``i`` through one synapse with ``delays[i]``."""
    n = len(trains)
    pop = Population(name="n", size=n, parameters={"cm": 1.0, **params})
    src = SpikeTimesSource(name="s", spike_times=tuple(np.asarray(t) for t in trains))
    proj = Projection(
        pre="s",
        post="n",
        pre_idx=np.arange(n),
        post_idx=np.arange(n),
        weight=np.full(n, weight),
        delay=np.broadcast_to(np.asarray(delays, dtype=float), (n,)),
    )
    return Network(populations=(pop,), sources=(src,), projections=(proj,))


def driven(tau_refrac):
    """Neurons driven so hard (1000 nA into 1 nF) that each fires whenever it may."""
    pop = Population(
        name="n",
        size=len(tau_refrac),
        parameters={"cm": 1.0, "i_offset": 1000.0, "tau_refrac": tau_refrac},
    )
    return Network(populations=(pop,))


def first_spike_steps(rec, n):
    """Stamp (in steps) of each neuron's first spike; -1 if it never fired."""
    out = np.full(n, -1)
    steps = np.rint(np.asarray(rec.times) / rec.dt).astype(int)
    ids = np.asarray(rec.ids)
    for i in range(n):
        hit = steps[ids == i]
        if hit.size:
            out[i] = hit.min()
    return out


def windowed(starts, stops, rate=3e6, tau_syn=1000.0):
    """Poisson generator ``i`` (window ``starts[i]``..``stops[i]`` ms) drives neuron
    ``i`` through one 1 nS synapse with a 0.1 ms delay.

    At 3 MHz a generator fires in every step of its window (300 events a step; a
    silent step has probability e^-300) and the 1 s synaptic time constant makes every
    arrival raise g_E (the decay per step is below 1e-4 of g_E), so the steps in which
    g_E rises are exactly the steps with arrivals.
    """
    n = len(starts)
    pop = Population(
        name="n", size=n, parameters={"v_thresh": 1000.0, "tau_syn_E": tau_syn}
    )
    src = PoissonSource(name="p", size=n, rate=rate, start=starts, stop=stops)
    proj = Projection(
        pre="p",
        post="n",
        pre_idx=np.arange(n),
        post_idx=np.arange(n),
        weight=np.full(n, 1e-3),
        delay=np.full(n, 0.1),
    )
    return Network(populations=(pop,), sources=(src,), projections=(proj,))


def arrival_steps(g):
    """First and last trace index at which each column of ``g`` (steps, n) rises."""
    rises = np.diff(np.vstack([np.zeros((1, g.shape[1])), g]), axis=0) > 0
    first = np.argmax(rises, axis=0)
    last = g.shape[0] - 1 - np.argmax(rises[::-1], axis=0)
    return first, last
