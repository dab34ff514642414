"""Saturating synaptic input: the conductance the membrane sees is bounded.

The hardware's synaptic input is an OTA-based circuit whose bias ``I_conv`` "controls
the maximum synaptic conductance/current" (reference ``bss1_hardware.md`` §3.5); the
seed attributes the departure of the wafer from NEST above ~50 Hz to "saturating
synaptic input circuits". No quantitative curve is published, so the model is a named
assumption: the membrane sees


    g_eff = g_sat * tanh(g / g_sat)

instead of the linear conductance ``g``. It is linear at small input (slope 1, relative
deviation ``(g / g_sat)**2 / 3``), monotone, and bounded by ``g_sat`` at large input.
``g_sat = inf`` is the linear synapse exactly. ``g_sat`` (µS, per neuron and receptor:
the cell parameters ``g_sat_E`` / ``g_sat_I``) is fitted to wafer recordings by ``twin
calibrate``; :data:`twin.hardware.saturation.DEFAULT_SATURATION` is chosen so that the
seed sweep departs from the linear model near the reported ~50 Hz: of the values scanned
(0.08, 0.11, 0.13, 0.15, 0.2 µS; 6 network seeds, ``docs/hardware_tier/README.md``) it
is the weakest saturation with which every grid point below 50 Hz agrees with the mapped
tier and the most points above 50 Hz depart from it.
"""

from __future__ import annotations

import jax.numpy as jnp
from jax import Array

__all__ = ["saturate"]


def saturate(g: Array, g_sat: Array) -> Array:
    """Return the effective conductance ``g_sat * tanh(g / g_sat)`` (``g`` if inf).

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> float(saturate(jnp.asarray(0.5), jnp.asarray(jnp.inf)))
    0.5
    >>> round(float(saturate(jnp.asarray(100.0), jnp.asarray(0.2))), 6)
    0.2
    """
    finite = jnp.isfinite(g_sat)
    safe = jnp.where(finite, g_sat, 1.0)
    return jnp.where(finite, safe * jnp.tanh(g / safe), g)
