"""Networks that expose the time grid: one input train and one synapse per neuron."""

import numpy as np

from twin import Network, Population, Projection
from twin.network import SpikeTimesSource

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
