"""The current-based neurons' step: exact integration, as NEST's iaf_psc_exp/alpha.

``IF_curr_exp`` (NEST ``iaf_psc_exp``) and ``IF_curr_alpha`` (``iaf_psc_alpha``) have
linear subthreshold dynamics, integrated exactly from grid point to grid point with
the propagators of :mod:`twin.analog.propagators`. One step, in NEST 3.10's order
(``update`` of ``models/iaf_psc_exp.cpp`` / ``iaf_psc_alpha.cpp``), with ``V``
relative to ``v_rest`` as NEST keeps it:

1. not refractory: ``V <- P22 V + P21ex I_ex + P21in I_in + P20 (I_e + I_0)``
   (alpha: ``P30 (I_0 + I_e) + P31ex dI_ex + P32ex I_ex + P31in dI_in + P32in I_in +
   expm1(-h/tau_m) V + V``); refractory: V stays, the count decreases;
2. the synaptic currents decay (alpha: ``I <- h P11 dI + P11 I``, ``dI <- P11 dI``);
3. threshold: ``V >= v_thresh - v_rest``: spike, V to ``v_reset``, refractory count
   ``ceil(tau_refrac / h)``.

NEST then adds the step's arriving weights to ``I`` (alpha: ``e / tau_syn`` times them
to ``dI``) and takes the current stimulus of the next step (``I_0``); the twin's loop
adds them at the start of the next step (:mod:`twin.analog.kernel`), which is the same
sequence. The constant current ``I_e + I_0`` is ``NeuronParams.i_offset`` with the
stimuli already added. Weights are currents (nA); inhibitory ones are negative, as
PyNN requires and NEST routes them (``s > 0 ? SYN_EX : SYN_IN``).

Precision: with ``dtype="float64"`` the spikes are NEST's and V agrees to ~1e-11 mV
(the rounding of V relative to ``v_rest``; ``tests/analog/
test_current_based_vs_nest.py``); a float32 run uses the same propagators rounded to
float32.
"""

from __future__ import annotations

import jax.numpy as jnp
from jax import Array

from twin.analog.adex import NeuronState
from twin.analog.params import NeuronParams

__all__ = ["psc_step"]


def _v_exp(v: Array, s: NeuronState, p: NeuronParams) -> Array:
    """``iaf_psc_exp``'s membrane update (relative V, mV)."""
    return v * p.v_v + s.g_e * p.v_ie + s.g_i * p.v_ii + p.i_offset * p.v_i0


def _v_alpha(v: Array, s: NeuronState, p: NeuronParams) -> Array:
    """``iaf_psc_alpha``'s membrane update (relative V, mV)."""
    return (
        p.v_i0 * p.i_offset
        + p.v_de * s.dg_e
        + p.v_ie * s.g_e
        + p.v_di * s.dg_i
        + p.v_ii * s.g_i
        + p.v_v_m1 * v
        + v
    )


def psc_step(
    state: NeuronState, p: NeuronParams, exp: bool, alpha: bool
) -> tuple[NeuronState, Array]:
    """Advance current-based neurons by one step; return the state and spike mask.

    Parameters
    ----------
    state
        Every neuron's state, leaves ``(..., n)``; the synaptic input of the step's
        start already added (``g_e``/``g_i`` currents in nA, ``dg_e``/``dg_i`` in
        nA/ms).
    p
        Parameters with the current-based fields filled (shape ``(n,)``).
    exp, alpha
        Whether the network has exponential / alpha current neurons (static): each
        traces only the updates it needs; with both, ``p.alpha`` picks per neuron.

    Returns
    -------
    tuple
        The new state (``w`` unchanged) and the spike mask ``(..., n)``. Rows of
        conductance-based neurons hold values to be discarded by the caller.
    """
    refractory = state.refrac > 0
    v = state.v - p.v_rest
    if exp and alpha:
        v_new = jnp.where(p.alpha, _v_alpha(v, state, p), _v_exp(v, state, p))
    elif alpha:
        v_new = _v_alpha(v, state, p)
    else:
        v_new = _v_exp(v, state, p)
    v = jnp.where(refractory, v, v_new)
    if alpha:
        g_e = p.i_de * state.dg_e + p.i_ie * state.g_e
        g_i = p.i_di * state.dg_i + p.i_ii * state.g_i
        state = state._replace(dg_e=state.dg_e * p.i_ie, dg_i=state.dg_i * p.i_ii)
        if exp:  # as NEST's iaf_psc_exp: I *= P11
            g_e = jnp.where(p.alpha, g_e, state.g_e * p.i_ie)
            g_i = jnp.where(p.alpha, g_i, state.g_i * p.i_ii)
    else:
        g_e, g_i = state.g_e * p.i_ie, state.g_i * p.i_ii
    spike = ~refractory & (v >= p.v_thresh - p.v_rest)
    v = jnp.where(refractory | spike, p.v_reset, v + p.v_rest)
    refrac = jnp.where(
        refractory, state.refrac - 1, jnp.where(spike, p.refrac_steps, 0)
    )
    return state._replace(v=v, g_e=g_e, g_i=g_i, refrac=refrac), spike
