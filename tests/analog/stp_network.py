"""A small recurrent network with depressing E->E synapses, for the STP tests."""

import numpy as np

from tests.analog.helpers import poisson_trains
from twin import Network, Population, Projection
from twin.network import PoissonSource, SpikeTimesSource
from twin.stp import TsodyksMarkram

#: Depressing E->E synapses (per synapse: U drawn around 0.5).
N_E, N_I = 160, 40


def stp_network(t_stop=1000.0, seed=1, poisson=False, n_in=40, cell_type="IF_cond_exp"):
    """Return 160 E + 40 I neurons, E->E depressing, driven by ``n_in`` inputs at
    300 Hz onto 20 targets each (spike trains on the grid, or Poisson sources whose
    synapses also depress). Current-based cells get the conductances times the
    driving force at rest (60 mV excitatory, -20 mV inhibitory), in nA.
    """
    rng = np.random.default_rng(seed)
    n = N_E + N_I
    pop = Population(
        name="n",
        size=n,
        cell_type=cell_type,
        parameters={"tau_refrac": 2.0, "cm": 0.25, "tau_m": 20.0, "v_thresh": -52.0},
    )
    current = cell_type.startswith("IF_curr")
    exc, inh = (60.0, -20.0) if current else (1.0, 1.0)

    def conn(pre_n, post_lo, post_hi, k):
        pre = rng.integers(0, pre_n, k)
        post = rng.integers(post_lo, post_hi, k)
        return pre, post

    e_pre, e_post = conn(N_E, 0, N_E, 1600)
    ei_pre, ei_post = conn(N_E, N_E, n, 400)
    i_pre, i_post = conn(N_I, 0, n, 800)
    delays = lambda k: np.round(rng.uniform(0.5, 3.0, k), 1)  # noqa: E731
    stp = TsodyksMarkram(
        U=rng.uniform(0.3, 0.7, e_pre.size),
        tau_rec=rng.uniform(100.0, 500.0, e_pre.size),
        tau_facil=np.where(rng.random(e_pre.size) < 0.2, 50.0, 0.0),
    )
    projs = [
        Projection(
            pre="n",
            post="n",
            pre_idx=e_pre,
            post_idx=e_post,
            weight=exc * rng.uniform(0.002, 0.006, e_pre.size),
            delay=delays(e_pre.size),
            receptor="excitatory",
            stp=stp,
        ),
        Projection(
            pre="n",
            post="n",
            pre_idx=ei_pre,
            post_idx=ei_post,
            weight=exc * np.full(ei_pre.size, 0.004),
            delay=delays(ei_pre.size),
        ),
        Projection(
            pre="n",
            post="n",
            pre_idx=N_E + i_pre,
            post_idx=i_post,
            weight=inh * np.full(i_pre.size, 0.02),
            delay=delays(i_pre.size),
            receptor="inhibitory",
        ),
    ]
    k = n_in * 20
    in_pre, in_post = rng.integers(0, n_in, k), rng.integers(0, n, k)
    if poisson:
        src = PoissonSource(name="in", size=n_in, rate=300.0)
        stp_in = TsodyksMarkram(U=0.4, tau_rec=80.0, tau_facil=0.0)
    else:
        src = SpikeTimesSource(
            name="in", spike_times=tuple(poisson_trains(300.0, t_stop, seed, n_in))
        )
        stp_in = None
    projs.append(
        Projection(
            pre="in",
            post="n",
            pre_idx=in_pre,
            post_idx=in_post,
            weight=exc * np.full(k, 0.01 if poisson else 0.0012),
            delay=np.full(k, 1.0),
            stp=stp_in,
        )
    )
    return Network(populations=(pop,), sources=(src,), projections=tuple(projs))
