"""The standard cell types' default parameters and synaptic kinds (PyNN's).

The defaults are PyNN's (``pyNN.standardmodels.cells``), in PyNN's names and units
(ms, mV, nA, nF, µS; ``a`` in nS), plus the twin's saturation conductances of the
conductance-based cells (:mod:`twin.cells`). Importable from :mod:`twin.cells`.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

__all__ = ["CELL_TYPES", "CURRENT_BASED", "SATURATION_DEFAULTS", "SYNAPSE_KINDS"]

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

_IF_CURR: Final = {
    "cm": 1.0,  # nF
    "tau_m": 20.0,  # ms
    "tau_refrac": 0.1,  # ms
    "v_thresh": -50.0,  # mV
    "v_rest": -65.0,  # mV
    "v_reset": -65.0,  # mV
    "i_offset": 0.0,  # nA
}

#: Cell type name -> default parameters (PyNN names and units). The current-based
#: cells' synaptic time constants: PyNN's (5 ms for exponential, 0.5 ms for alpha
#: currents); they have no saturation parameters (the wafer's synapses are
#: conductances).
CELL_TYPES: Final = MappingProxyType(
    {
        "IF_cond_exp": _IF_COND_EXP,
        "EIF_cond_exp_isfa_ista": _EIF_COND_EXP_ISFA_ISTA,
        "IF_curr_exp": MappingProxyType(
            {**_IF_CURR, "tau_syn_E": 5.0, "tau_syn_I": 5.0}
        ),
        "IF_curr_alpha": MappingProxyType(
            {**_IF_CURR, "tau_syn_E": 0.5, "tau_syn_I": 0.5}
        ),
        # alpha conductances (rise = decay time constant): PyNN's defaults
        "IF_cond_alpha": MappingProxyType(
            {**_IF_COND_EXP, "tau_syn_E": 0.3, "tau_syn_I": 0.5}
        ),
        "EIF_cond_alpha_isfa_ista": _EIF_COND_EXP_ISFA_ISTA,
    }
)

#: Cell type name -> the shape of its synaptic input: ``"cond_exp"`` / ``"cond_alpha"``
#: (exponential / alpha conductances), ``"curr_exp"`` / ``"curr_alpha"`` (currents).
SYNAPSE_KINDS: Final = MappingProxyType(
    {
        "IF_cond_exp": "cond_exp",
        "EIF_cond_exp_isfa_ista": "cond_exp",
        "IF_curr_exp": "curr_exp",
        "IF_curr_alpha": "curr_alpha",
        "IF_cond_alpha": "cond_alpha",
        "EIF_cond_alpha_isfa_ista": "cond_alpha",
    }
)

#: Cell types whose synapses inject currents (weights in nA, inhibitory ones <= 0).
CURRENT_BASED: Final = frozenset(
    name for name, kind in SYNAPSE_KINDS.items() if kind.startswith("curr")
)
