"""The seed network before its conversion to conductances, and Brunel's model A.

Two current-based networks of two populations, each as NEST simulates it
(:func:`nest_rates`, NEST's own ``iaf_psc_delta``/``iaf_psc_exp`` built directly) and
as the mean-field theory describes it (:meth:`CurrentModel.theory`, a
:class:`twin.theory.CurrentNetwork`):

- **Brunel (2000) model A** (:data:`MODEL_A`): 10,000 excitatory and 2,500 inhibitory
  ``iaf_psc_delta`` neurons, C_E 1000, C_I 250, J 0.1 mV, tau 20 ms, theta 20 mV,
  V_r 10 mV, tau_rp 2 ms, D 1.5 ms, C_ext = C_E independent Poisson synapses at
  eta x nu_thr (reference ``brunel_bss1.md`` §3.1);
- **the seed network, current-based** (:func:`seed_current`): the seed's downscaled
  network (N 2083, C_E 166, C_I 41, 2,083 shared Poisson sources with 200 connections
  each, delay 1.5 ms) before its conversion to conductances: ``iaf_psc_exp`` with the
  seed's current w = orig_weight x dV x C_m / tau_syn (0.24 nA, tau_syn 3 ms), no
  parameter variation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from experiments.brunel.config import NEURON_MEANS, BrunelConfig
from twin.theory import CurrentNetwork, LIFPopulation, charge_jump

__all__ = ["MODEL_A", "WARMUP_MS", "CurrentModel", "nest_rates", "seed_current"]

#: Start of the analysed window, ms (after the onset transient).
WARMUP_MS = 200.0


@dataclass(frozen=True, slots=True)
class CurrentModel:
    """A two-population current-based network as NEST and the theory take it.

    Attributes
    ----------
    name
        What the network is, for tables.
    n_exc, n_inh
        Excitatory and inhibitory neurons.
    c_exc, c_inh
        Excitatory and inhibitory in-degree (fixed).
    tau_m, tau_ref, tau_syn
        Membrane time constant, refractory period and synaptic current decay, ms
        (``tau_syn`` 0: delta synapses, ``iaf_psc_delta``).
    theta, v_reset
        Threshold and reset, mV above rest.
    c_m
        Membrane capacitance, pF.
    jump
        Excitatory PSP jump (delta synapses) or charge jump ``w tau_syn / C_m``
        (exponential ones), mV; inhibitory: ``-g`` times it.
    delay
        Synaptic delay, ms.
    c_ext
        External Poisson synapses per neuron.
    n_pool
        Shared external sources (parrot neurons); 0: independent per synapse.
    """

    name: str
    n_exc: int
    n_inh: int
    c_exc: int
    c_inh: int
    tau_m: float
    theta: float
    v_reset: float
    tau_ref: float
    tau_syn: float
    c_m: float
    jump: float
    delay: float
    c_ext: int
    n_pool: int

    def ext_rate(self, eta: np.ndarray | float) -> np.ndarray:
        """Rate of each external synapse, Hz: eta x theta / (J C_ext tau_m)."""
        scale = self.theta / (self.jump * self.c_ext * self.tau_m) * 1e3
        return np.asarray(eta, float) * scale

    def theory(self, g: np.ndarray | float, eta: np.ndarray | float) -> CurrentNetwork:
        """Return the network's :class:`CurrentNetwork` at (g, eta).

        ``g`` and ``eta`` broadcast: one point per element (the batch shape of the
        result).
        """
        g, eta = np.broadcast_arrays(np.asarray(g, float), np.asarray(eta, float))
        pops = tuple(
            LIFPopulation(
                name=n,
                tau_m=self.tau_m,
                tau_ref=self.tau_ref,
                theta=self.theta,
                v_reset=self.v_reset,
                tau_syn=self.tau_syn,
            )
            for n in ("E", "I")
        )
        row = np.stack([np.full(g.shape, self.jump), -g * self.jump], axis=-1)
        return CurrentNetwork(
            populations=pops,
            in_degree=np.array([[self.c_exc, self.c_inh]] * 2, float),
            jump=np.stack([row, row], axis=-2),
            ext_in_degree=np.full(2, float(self.c_ext)),
            ext_jump=np.full(2, self.jump),
            ext_rate=self.ext_rate(eta)[..., None] * np.ones(2),
        )


MODEL_A = CurrentModel(
    "Brunel 2000 model A", 10_000, 2_500, 1_000, 250, 20.0, 20.0, 10.0, 2.0, 0.0,
    250.0, 0.1, 1.5, 1_000, 0,
)  # fmt: skip


def seed_current(config: BrunelConfig | None = None) -> CurrentModel:
    """Return the seed network before its conversion to conductances."""
    c = config or BrunelConfig()
    m = NEURON_MEANS
    c_m = m["cm"] * 1e3  # nF -> pF
    weight = c.current_scale * 1e3  # nA -> pA
    return CurrentModel(
        "seed network, current-based", c.n_exc, c.n_inh, c.c_exc, c.c_inh,
        m["tau_m"], m["v_thresh"] - m["v_rest"], m["v_reset"] - m["v_rest"],
        m["tau_refrac"], m["tau_syn_E"], c_m,
        float(charge_jump(weight, m["tau_syn_E"], c_m)), c.delay_mean, c.c_ext,
        c.n_ext,
    )  # fmt: skip


def nest_rates(
    model: CurrentModel,
    g: float,
    eta: float,
    t_sim: float,
    *,
    seed: int = 1,
    threads: int = 2,
) -> tuple[float, float]:
    """Simulate ``model`` at (g, eta) in NEST; return its mean rates.

    NEST's own models are built directly (fixed in-degree, random initial potentials
    between rest and threshold, a shared pool of parrot neurons where the model has
    one); every neuron is recorded from :data:`WARMUP_MS` on.

    Parameters
    ----------
    model
        The network.
    g, eta
        Relative inhibition and external rate relative to threshold.
    t_sim
        Analysed time after the warm-up, ms.
    seed
        NEST's RNG seed.
    threads
        NEST's threads.

    Returns
    -------
    tuple of float
        Mean rate of the excitatory and of the inhibitory neurons, Hz.

    Raises
    ------
    ImportError
        If NEST is not installed (``make test`` installs it).
    """
    import nest

    nest.ResetKernel()
    nest.set_verbosity("M_ERROR")
    nest.SetKernelStatus(
        {"resolution": 0.1, "local_num_threads": threads, "rng_seed": seed}
    )
    params = {
        "C_m": model.c_m, "tau_m": model.tau_m, "t_ref": model.tau_ref, "E_L": 0.0,
        "V_reset": model.v_reset, "V_th": model.theta, "V_m": 0.0,
    }  # fmt: skip
    if model.tau_syn > 0:
        kind = "iaf_psc_exp"
        params |= {"tau_syn_ex": model.tau_syn, "tau_syn_in": model.tau_syn}
        weight = model.jump * model.c_m / model.tau_syn  # pA
    else:
        kind = "iaf_psc_delta"
        weight = model.jump  # mV
    exc = nest.Create(kind, model.n_exc, params=params)
    inh = nest.Create(kind, model.n_inh, params=params)
    neurons = exc + inh
    neurons.V_m = nest.random.uniform(0.0, model.theta)
    syn_e = {"synapse_model": "static_synapse", "weight": weight, "delay": model.delay}
    syn_i = syn_e | {"weight": -g * weight}
    nest.Connect(
        exc, neurons, {"rule": "fixed_indegree", "indegree": model.c_exc}, syn_e
    )
    nest.Connect(
        inh, neurons, {"rule": "fixed_indegree", "indegree": model.c_inh}, syn_i
    )
    rate = float(model.ext_rate(eta))
    if model.n_pool:
        pool = nest.Create("parrot_neuron", model.n_pool)
        nest.Connect(nest.Create("poisson_generator", params={"rate": rate}), pool)
        rule = {"rule": "fixed_indegree", "indegree": model.c_ext}
        nest.Connect(pool, neurons, rule, syn_e)
    else:
        drive = nest.Create("poisson_generator", params={"rate": rate * model.c_ext})
        nest.Connect(drive, neurons, syn_spec=syn_e)
    recorder = nest.Create("spike_recorder", params={"start": WARMUP_MS})
    nest.Connect(neurons, recorder)
    nest.Simulate(WARMUP_MS + t_sim)
    senders = recorder.events["senders"]
    first = exc[0].global_id
    n_e = np.count_nonzero(senders < first + model.n_exc)
    n_i = senders.size - n_e
    per_s = 1e3 / t_sim
    return n_e * per_s / model.n_exc, n_i * per_s / model.n_inh
