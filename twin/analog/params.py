"""Neuron parameters as a JAX pytree, converted once from PyNN names and units.

Every population of a network becomes part of one :class:`NeuronParams` with one entry
per neuron. The conductance-based cell types share the AdEx form: ``IF_cond_exp`` is
its limit with ``delta_T = 0`` and ``a = b = 0``, spiking at ``v_thresh``. Units inside
the emulator are PyNN's coherent set (ms, mV, nF, µS, nA), so the equations need no
scale factors; the only conversion is ``a`` from nS to µS.

The current-based cell types (``IF_curr_exp``, ``IF_curr_alpha``) are integrated
exactly (:mod:`twin.analog.psc`): their rows carry the masks ``current`` and ``alpha``
and the step's propagators (:mod:`twin.analog.propagators`, float64 on the host).
Alpha-shaped conductances (``IF_cond_alpha``, ``EIF_cond_alpha_isfa_ista``) use the
mask ``alpha`` and ``psc_e``/``psc_i`` (``e / tau_syn``). Where the network has
neither kind those fields have shape ``(0,)``, so a network of exponential
conductances carries nothing more than before.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import jax.numpy as jnp
import numpy as np
from jax import Array

from twin.analog.propagators import propagators
from twin.cells import SYNAPSE_KINDS
from twin.network import Network, Population
from twin.timegrid import TimeGrid

__all__ = ["CURRENT_FIELDS", "NeuronParams", "from_network", "from_population"]


class NeuronParams(NamedTuple):
    """Per-neuron AdEx parameters (each leaf shape ``(n,)``)."""

    cm: Array  # membrane capacitance, nF
    g_leak: Array  # leak conductance cm / tau_m, µS
    v_rest: Array  # leak reversal, mV
    v_reset: Array  # reset potential, mV
    v_thresh: Array  # exponential threshold (AdEx) or hard threshold (LIF), mV
    v_spike: Array  # spike detection: v_spike for AdEx, v_thresh for LIF, mV
    delta_t: Array  # slope factor, mV (0: no exponential term)
    a: Array  # sub-threshold adaptation, µS
    b: Array  # spike-triggered adaptation, nA
    tau_w: Array  # adaptation time constant, ms
    tau_syn_e: Array  # excitatory conductance decay, ms
    tau_syn_i: Array  # inhibitory conductance decay, ms
    e_rev_e: Array  # excitatory reversal, mV
    e_rev_i: Array  # inhibitory reversal, mV
    i_offset: Array  # constant current, nA
    g_sat_e: Array  # excitatory input saturation conductance, µS (inf: linear)
    g_sat_i: Array  # inhibitory input saturation conductance, µS (inf: linear)
    refrac_steps: Array  # refractory period in time steps (int32)
    # Current-based and alpha cells (shape (0,) where the network has none):
    current: Array  # bool: synaptic currents (IF_curr_*), else conductances
    alpha: Array  # bool: alpha-shaped currents or conductances (*_alpha*)
    psc_e: Array  # e / tau_syn_E of alpha synapses (1/ms; NEST's EPSCInitialValue)
    psc_i: Array  # e / tau_syn_I (1/ms)
    v_v: Array  # exp(-dt / tau_m)
    v_v_m1: Array  # expm1(-dt / tau_m)
    v_i0: Array  # constant current -> V, mV/nA
    v_ie: Array  # excitatory current -> V, mV/nA
    v_ii: Array  # inhibitory current -> V, mV/nA
    v_de: Array  # excitatory dI/dt -> V, mV ms/nA (alpha)
    v_di: Array  # inhibitory dI/dt -> V, mV ms/nA (alpha)
    i_ie: Array  # exp(-dt / tau_syn_E)
    i_ii: Array  # exp(-dt / tau_syn_I)
    i_de: Array  # dt exp(-dt / tau_syn_E): excitatory dI/dt -> current (alpha)
    i_di: Array  # dt exp(-dt / tau_syn_I) (alpha)


#: The fields only networks with current-based or alpha synapses fill.
CURRENT_FIELDS = NeuronParams._fields[NeuronParams._fields.index("current") :]


def from_population(pop: Population, dt: float) -> dict[str, np.ndarray]:
    """Convert one population's PyNN parameters to emulator arrays (numpy, float64).

    Raises
    ------
    ConfigError
        If ``dt`` is not a positive multiple of NEST's tic (0.001 ms).
    """
    p = pop.parameters
    n = pop.size
    zeros = np.zeros(n)
    inf = np.full(n, np.inf)
    adex = pop.cell_type.startswith("EIF_")
    kind = SYNAPSE_KINDS[pop.cell_type]
    current, alpha = kind.startswith("curr"), kind.endswith("alpha")
    props = propagators(
        p["tau_m"], p["cm"], p["tau_syn_E"], p["tau_syn_I"], np.full(n, alpha), dt
    )
    return {
        "cm": p["cm"],
        "g_leak": p["cm"] / p["tau_m"],
        "v_rest": p["v_rest"],
        "v_reset": p["v_reset"],
        "v_thresh": p["v_thresh"],
        # NEST's aeif models detect spikes at V_th when Delta_T = 0 (IAF dynamics).
        "v_spike": (
            np.where(p["delta_T"] > 0, p["v_spike"], p["v_thresh"])
            if adex
            else p["v_thresh"]
        ),
        "delta_t": p["delta_T"] if adex else zeros,
        "a": p["a"] * 1e-3 if adex else zeros,  # nS -> µS
        "b": p["b"] if adex else zeros,
        "tau_w": p["tau_w"] if adex else np.ones(n),
        "tau_syn_e": p["tau_syn_E"],
        "tau_syn_i": p["tau_syn_I"],
        "e_rev_e": zeros if current else p["e_rev_E"],
        "e_rev_i": zeros if current else p["e_rev_I"],
        "i_offset": p["i_offset"],
        "g_sat_e": inf if current else p["g_sat_E"],
        "g_sat_i": inf if current else p["g_sat_I"],
        # As NEST: the refractory time goes to the tic grid, then up to whole steps
        # (t_ref = 2.04 ms at dt = 0.1 ms holds V for 21 steps, 2.0004 ms for 20).
        "refrac_steps": TimeGrid(dt).ceil_steps(p["tau_refrac"]).astype(float),
        "current": np.full(n, current),
        "alpha": np.full(n, alpha),
        "psc_e": math.e / p["tau_syn_E"] if alpha else zeros,
        "psc_i": math.e / p["tau_syn_I"] if alpha else zeros,
        **props._asdict(),
    }


def from_network(
    network: Network, dt: float, dtype: type = jnp.float32
) -> NeuronParams:
    """Stack the parameters of every population of ``network`` (in order).

    Raises
    ------
    ConfigError
        If ``dt`` is not a positive multiple of NEST's tic (0.001 ms).
    """
    parts = [from_population(pop, dt) for pop in network.populations]
    stacked = {
        k: np.concatenate([part[k] for part in parts]) for k in NeuronParams._fields
    }
    if not (stacked["current"].any() or stacked["alpha"].any()):  # cond_exp only
        stacked.update({k: np.zeros(0, stacked[k].dtype) for k in CURRENT_FIELDS})
    types = {"refrac_steps": jnp.int32, "current": jnp.bool_, "alpha": jnp.bool_}
    return NeuronParams(
        **{k: jnp.asarray(v, dtype=types.get(k, dtype)) for k, v in stacked.items()}
    )
