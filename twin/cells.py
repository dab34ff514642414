"""Standard cell types, with PyNN's parameter names, units and defaults.

The defaults are PyNN's (``pyNN.standardmodels.cells``) so that a network described
for PyNN means the same thing here. Units: ms, mV, nA, nF, µS; ``a`` in nS.

Two names extend PyNN's set: ``g_sat_E`` and ``g_sat_I`` (µS), the saturation
conductances of the hardware's synaptic input circuits (see
:mod:`twin.analog.saturation`). Their default, infinity, means no saturation: the
standard model. Only the twin emulates finite values.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from twin.errors import NetworkError

__all__ = ["CELL_TYPES", "SATURATION_DEFAULTS", "cell_defaults"]

#: Twin extension: saturation conductances of the synaptic inputs, µS (inf: none).
SATURATION_DEFAULTS: Final = MappingProxyType(
    {"g_sat_E": float("inf"), "g_sat_I": float("inf")}
)

_IF_COND_EXP: Final = MappingProxyType(
    {
        "cm": 1.0,  # membrane capacitance, nF
        "tau_m": 20.0,  # membrane time constant, ms
        "tau_refrac": 0.1,  # refractory period, ms
        "tau_syn_E": 5.0,  # excitatory conductance decay, ms
        "tau_syn_I": 5.0,  # inhibitory conductance decay, ms
        "e_rev_E": 0.0,  # excitatory reversal potential, mV
        "e_rev_I": -70.0,  # inhibitory reversal potential, mV
        "v_thresh": -50.0,  # spike threshold, mV
        "v_rest": -65.0,  # resting potential, mV
        "v_reset": -65.0,  # reset potential, mV
        "i_offset": 0.0,  # constant input current, nA
        **SATURATION_DEFAULTS,
    }
)

_EIF_COND_EXP_ISFA_ISTA: Final = MappingProxyType(
    {
        "cm": 0.281,  # nF
        "tau_refrac": 0.1,  # ms
        "v_spike": -40.0,  # spike detection threshold, mV
        "v_reset": -70.6,  # mV
        "v_rest": -70.6,  # mV
        "tau_m": 9.3667,  # ms
        "i_offset": 0.0,  # nA
        "a": 4.0,  # sub-threshold adaptation, nS
        "b": 0.0805,  # spike-triggered adaptation, nA
        "delta_T": 2.0,  # slope factor, mV
        "tau_w": 144.0,  # adaptation time constant, ms
        "v_thresh": -50.4,  # exponential threshold, mV
        "e_rev_E": 0.0,  # mV
        "tau_syn_E": 5.0,  # ms
        "e_rev_I": -80.0,  # mV
        "tau_syn_I": 5.0,  # ms
        **SATURATION_DEFAULTS,
    }
)

#: Cell type name -> default parameters (PyNN names and units).
CELL_TYPES: Final = MappingProxyType(
    {
        "IF_cond_exp": _IF_COND_EXP,
        "EIF_cond_exp_isfa_ista": _EIF_COND_EXP_ISFA_ISTA,
    }
)


def cell_defaults(cell_type: str) -> MappingProxyType[str, float]:
    """Return the default parameters of a standard cell type.

    Parameters
    ----------
    cell_type
        ``"IF_cond_exp"`` or ``"EIF_cond_exp_isfa_ista"``.

    Returns
    -------
    MappingProxyType
        Parameter name -> default value in PyNN units.

    Raises
    ------
    NetworkError
        If the cell type is not one of :data:`CELL_TYPES`.

    Examples
    --------
    >>> cell_defaults("IF_cond_exp")["tau_m"]
    20.0
    """
    try:
        return CELL_TYPES[cell_type]
    except KeyError:
        known = ", ".join(CELL_TYPES)
        raise NetworkError(
            f"unknown cell type {cell_type!r}; use one of: {known}"
        ) from None
