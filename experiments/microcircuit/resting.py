"""Raised resting potentials: P&D's external Poisson drive replaced by a DC shift.

:data:`V_REST`: ``E_L + (tau_m / C) * K_ext * nu_bg * J * tau_syn`` with P&D's neuron
(C = 250 pF, tau_m = 10 ms, tau_syn = 0.5 ms, E_L = -65 mV), J the current of a
0.15 mV PSP (:func:`psc_amplitude`), nu_bg = 8 Hz and the full-scale K_ext; rounded to
0.01 mV as the BrainScaleS-1 demo prints them. This reproduces all eight of the
demo's values (reference ``brunel_bss1.md`` §2).

References
----------
Potjans, T. C. & Diesmann, M. (2014). The cell-type specific cortical microcircuit.
Cereb Cortex 24, 785-806.
"""

from __future__ import annotations

import math
from types import MappingProxyType
from typing import Final

from experiments.microcircuit.anatomy import POPULATIONS

__all__ = ["V_REST", "psc_amplitude"]

#: P&D's external input and current-based neuron, used only to derive :data:`V_REST`:
#: external in-degrees, background rate (Hz), mean PSP (mV), C_m (nF), tau_m, tau_syn
#: (ms), E_L (mV). [P&D 2014 Tables 5, 4]
_PD_K_EXT: Final = (1600, 1500, 2100, 1900, 2000, 1900, 2900, 2100)
_PD_BG_RATE: Final = 8.0
_PD_PSP: Final = 0.15
_PD_CM, _PD_TAU_M, _PD_TAU_SYN, _PD_E_L = 0.25, 10.0, 0.5, -65.0


def psc_amplitude(psp: float, cm: float, tau_m: float, tau_syn: float) -> float:
    """Return the current amplitude (nA) whose exponential PSC gives a PSP peak ``psp``.

    The PSP of ``I exp(-t / tau_syn)`` on a leaky membrane is
    ``I tau_m tau_syn / (cm (tau_m - tau_syn)) (exp(-t/tau_m) - exp(-t/tau_syn))``,
    peaking at ``t* = ln(tau_m / tau_syn) tau_m tau_syn / (tau_m - tau_syn)``.

    Parameters
    ----------
    psp
        Peak PSP, mV.
    cm, tau_m, tau_syn
        Capacitance (nF) and time constants (ms, ``tau_m != tau_syn``).

    Returns
    -------
    float
        The PSC amplitude, nA.

    Examples
    --------
    >>> round(psc_amplitude(0.15, 0.25, 10.0, 0.5) * 1e3, 2)  # P&D's 87.81 pA
    87.81
    """
    t_peak = math.log(tau_m / tau_syn) * tau_m * tau_syn / (tau_m - tau_syn)
    kernel = math.exp(-t_peak / tau_m) - math.exp(-t_peak / tau_syn)
    return psp * cm * (tau_m - tau_syn) / (tau_m * tau_syn * kernel)


def _raised_rest(k_ext: int) -> float:
    """Resting potential (mV) that replaces ``k_ext`` Poisson inputs by their mean."""
    current = (
        k_ext
        * _PD_BG_RATE
        * 1e-3
        * psc_amplitude(_PD_PSP, _PD_CM, _PD_TAU_M, _PD_TAU_SYN)
        * _PD_TAU_SYN
    )
    return round(_PD_E_L + _PD_TAU_M / _PD_CM * current, 2)


#: Raised resting potentials (mV) replacing the external input (-42.52 ... -24.26).
V_REST: Final = MappingProxyType(
    {pop: _raised_rest(k) for pop, k in zip(POPULATIONS, _PD_K_EXT, strict=True)}
)
