"""Standard cell types, with PyNN's parameter names, units and defaults.

The defaults are PyNN's (``pyNN.standardmodels.cells``) so that a network described
for PyNN means the same thing here. Units: ms, mV, nA, nF, µS; ``a`` in nS.

Two names extend PyNN's set: ``g_sat_E`` and ``g_sat_I`` (µS), the saturation
conductances of the hardware's synaptic input circuits (see
:mod:`twin.analog.saturation`). Their default, infinity, means no saturation: the
standard model. Only the twin emulates finite values.

:data:`CELL_RULES` lists, per cell type, the bounds its parameters must satisfy: the
checks of the NEST model PyNN maps the cell type to (``Parameters_::set`` of NEST 3.10's
``iaf_cond_exp``, ``aeif_cond_exp``, ``iaf_psc_exp`` and ``iaf_psc_alpha``), in PyNN
names and units, plus one the twin adds to the conductance-based cells: ``tau_m > 0``.
NEST does not check their leak conductance ``g_L = cm / tau_m`` (PyNN divides by
``tau_m``), but a non-positive membrane time constant has no meaning
for the model or for the hardware circuit.
"""

from __future__ import annotations

import dataclasses
import math
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal

import numpy as np

from twin.cell_types import (
    CELL_TYPES,
    CURRENT_BASED,
    SATURATION_DEFAULTS,
    SYNAPSE_KINDS,
)
from twin.errors import NetworkError

__all__ = [
    "CELL_RULES",
    "CELL_TYPES",
    "CURRENT_BASED",
    "MAX_EXP_ARG",
    "PARAMETER_UNITS",
    "SATURATION_DEFAULTS",
    "SYNAPSE_KINDS",
    "Bound",
    "SpikeOverflowBound",
    "cell_defaults",
    "check_parameters",
]


def cell_defaults(cell_type: str) -> MappingProxyType[str, float]:
    """Return the default parameters of a standard cell type.

    Parameters
    ----------
    cell_type
        A key of :data:`CELL_TYPES` (e.g. ``"IF_cond_exp"``, ``"IF_curr_alpha"``).

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


#: Parameter name -> unit (PyNN's), for messages.
PARAMETER_UNITS: Final = MappingProxyType(
    {
        "cm": "nF",
        "tau_m": "ms",
        "tau_refrac": "ms",
        "tau_syn_E": "ms",
        "tau_syn_I": "ms",
        "tau_w": "ms",
        "e_rev_E": "mV",
        "e_rev_I": "mV",
        "v_thresh": "mV",
        "v_rest": "mV",
        "v_reset": "mV",
        "v_spike": "mV",
        "delta_T": "mV",
        "i_offset": "nA",
        "a": "nS",
        "b": "nA",
        "g_sat_E": "µS",
        "g_sat_I": "µS",
    }
)

Comparison = Literal["<", "<=", ">", ">="]
_COMPARE: Final[
    Mapping[str, Callable[[np.ndarray, np.ndarray | float], np.ndarray]]
] = MappingProxyType(
    {
        "<": np.less,
        "<=": np.less_equal,
        ">": np.greater,
        ">=": np.greater_equal,
    }
)


def _value(name: str, value: float) -> str:
    """Format ``value`` with the unit of parameter ``name``."""
    unit = PARAMETER_UNITS.get(name, "")
    return f"{float(value)!r} {unit}".rstrip()


@dataclass(frozen=True, slots=True)
class Bound:
    """A bound one parameter must satisfy, per neuron: ``parameter op limit``.

    Attributes
    ----------
    parameter
        The parameter the bound constrains (PyNN name).
    op
        ``"<"``, ``"<="``, ``">"`` or ``">="``.
    limit
        A number in the parameter's PyNN units, or the name of another parameter of
        the same cell type (compared neuron by neuron).
    nest
        The NEST check the bound mirrors (model and condition in NEST's names), or
        ``""`` when only the twin requires it.
    """

    parameter: str
    op: Comparison
    limit: float | str
    nest: str = ""

    @property
    def requirement(self) -> str:
        """The bound as text, e.g. ``"v_reset < v_thresh"``."""
        limit = self.limit if isinstance(self.limit, str) else f"{self.limit:g}"
        return f"{self.parameter} {self.op} {limit}"

    def holds(self, params: Mapping[str, np.ndarray]) -> np.ndarray:
        """Return, per neuron, whether the bound holds."""
        limit = params[self.limit] if isinstance(self.limit, str) else self.limit
        return np.asarray(_COMPARE[self.op](params[self.parameter], limit))

    def describe(self, params: Mapping[str, np.ndarray], i: int) -> str:
        """Return ``"<parameter>[i] = <value> must be <op> <limit>"`` for neuron i."""
        value = _value(self.parameter, float(params[self.parameter][i]))
        text = f"{self.parameter}[{i}] = {value} must be {self.op} "
        if isinstance(self.limit, str):
            limit = _value(self.limit, float(params[self.limit][i]))
            return text + f"{self.limit} ({self.limit}[{i}] = {limit})"
        return text + _value(self.parameter, self.limit)


#: NEST's bound on the exponent at spike time: log(DBL_MAX / 1e20) (aeif_cond_exp).
MAX_EXP_ARG: Final = math.log(sys.float_info.max / 1e20)


@dataclass(frozen=True, slots=True)
class SpikeOverflowBound:
    """NEST's overflow guard: ``(v_spike - v_thresh) / delta_T < MAX_EXP_ARG``.

    Checked only where ``delta_T > 0`` (``delta_T = 0`` has no exponential term), as
    ``aeif_cond_exp`` does, so that ``exp((V - V_th) / Delta_T)`` stays finite up to
    the spike detection threshold ``v_spike``.
    """

    parameter: str = "v_spike"
    nest: str = "aeif_cond_exp: (V_peak - V_th) / Delta_T < log(DBL_MAX / 1e20)"

    @property
    def requirement(self) -> str:
        """The bound as text."""
        return f"(v_spike - v_thresh) / delta_T < {MAX_EXP_ARG:.6g} where delta_T > 0"

    def holds(self, params: Mapping[str, np.ndarray]) -> np.ndarray:
        """Return, per neuron, whether the bound holds."""
        delta = params["delta_T"]
        positive = delta > 0
        safe = np.where(positive, delta, 1.0)
        with np.errstate(over="ignore"):  # a tiny delta_T: inf, rejected as by NEST
            ratio = (params["v_spike"] - params["v_thresh"]) / safe
        return np.asarray(~positive | (ratio < MAX_EXP_ARG))

    def describe(self, params: Mapping[str, np.ndarray], i: int) -> str:
        """Return the violated bound with neuron ``i``'s values."""
        spike, thresh = float(params["v_spike"][i]), float(params["v_thresh"][i])
        delta = float(params["delta_T"][i])
        return (
            f"v_spike[{i}] = {_value('v_spike', spike)} is too far above v_thresh "
            f"({_value('v_thresh', thresh)}) for delta_T = {_value('delta_T', delta)}: "
            f"(v_spike - v_thresh) / delta_T = {(spike - thresh) / delta!r} must be "
            f"< {MAX_EXP_ARG:.6g} (exp() would overflow at the spike)"
        )


Rule = Bound | SpikeOverflowBound

_IAF = "iaf_cond_exp"
_AEIF = "aeif_cond_exp"


def _iaf_psc(model: str) -> tuple[Rule, ...]:
    """NEST 3.10's checks of ``iaf_psc_exp`` / ``iaf_psc_alpha`` in PyNN names."""
    return (
        Bound("v_reset", "<", "v_thresh", f"{model}: V_reset < V_th"),
        Bound("cm", ">", 0.0, f"{model}: C_m > 0"),
        Bound("tau_m", ">", 0.0, f"{model}: tau_m > 0"),
        Bound("tau_syn_E", ">", 0.0, f"{model}: tau_syn_ex > 0"),
        Bound("tau_syn_I", ">", 0.0, f"{model}: tau_syn_in > 0"),
        Bound("tau_refrac", ">=", 0.0, f"{model}: t_ref >= 0"),
    )


_RULES: Final[Mapping[str, tuple[Rule, ...]]] = MappingProxyType(
    {
        "IF_cond_exp": (
            Bound("v_reset", "<", "v_thresh", f"{_IAF}: V_reset < V_th"),
            Bound("cm", ">", 0.0, f"{_IAF}: C_m > 0"),
            Bound("tau_refrac", ">=", 0.0, f"{_IAF}: t_ref >= 0"),
            Bound("tau_syn_E", ">", 0.0, f"{_IAF}: tau_syn_ex > 0"),
            Bound("tau_syn_I", ">", 0.0, f"{_IAF}: tau_syn_in > 0"),
            Bound("tau_m", ">", 0.0),
        ),
        "EIF_cond_exp_isfa_ista": (
            Bound("v_spike", ">=", "v_thresh", f"{_AEIF}: V_peak >= V_th"),
            Bound("delta_T", ">=", 0.0, f"{_AEIF}: Delta_T >= 0"),
            SpikeOverflowBound(),
            Bound("v_reset", "<", "v_spike", f"{_AEIF}: V_reset < V_peak"),
            Bound("cm", ">", 0.0, f"{_AEIF}: C_m > 0"),
            Bound("tau_refrac", ">=", 0.0, f"{_AEIF}: t_ref >= 0"),
            Bound("tau_syn_E", ">", 0.0, f"{_AEIF}: tau_syn_ex > 0"),
            Bound("tau_syn_I", ">", 0.0, f"{_AEIF}: tau_syn_in > 0"),
            Bound("tau_w", ">", 0.0, f"{_AEIF}: tau_w > 0"),
            Bound("tau_m", ">", 0.0),
        ),
        "IF_curr_exp": _iaf_psc("iaf_psc_exp"),
        # iaf_psc_alpha checks V_reset < V_th last
        "IF_curr_alpha": _iaf_psc("iaf_psc_alpha")[1:] + _iaf_psc("iaf_psc_alpha")[:1],
    }
)


def _renamed(rules: tuple[Rule, ...], model: str, alpha: str) -> tuple[Rule, ...]:
    """Return the bounds named after NEST's alpha-conductance model (same checks)."""
    return tuple(
        dataclasses.replace(rule, nest=rule.nest.replace(model, alpha))
        for rule in rules
    )


#: Cell type name -> the bounds its parameters must satisfy, in the order NEST checks
#: them. ``nest`` names the check of NEST 3.10 (``Parameters_::set``) each mirrors.
CELL_RULES: Final[Mapping[str, tuple[Rule, ...]]] = MappingProxyType(
    {
        **_RULES,
        "IF_cond_alpha": _renamed(_RULES["IF_cond_exp"], _IAF, "iaf_cond_alpha"),
        "EIF_cond_alpha_isfa_ista": _renamed(
            _RULES["EIF_cond_exp_isfa_ista"], _AEIF, "aeif_cond_alpha"
        ),
    }
)


def check_parameters(
    cell_type: str, params: Mapping[str, np.ndarray], context: str
) -> None:
    r"""Check every neuron's parameters against the bounds of :data:`CELL_RULES`.

    Parameters
    ----------
    cell_type
        A key of :data:`CELL_TYPES`.
    params
        Parameter name -> array of finite values, one per neuron (PyNN units), with
        every parameter of the cell type.
    context
        Prefix of the error message (e.g. ``"population 'exc'"``).

    Raises
    ------
    NetworkError
        If the cell type is unknown, or at the first bound (in NEST's order) some
        neuron violates, naming the parameter, the first such neuron's index and
        value, and the remedy.

    Examples
    --------
    >>> p = {k: np.full(2, v) for k, v in cell_defaults("IF_cond_exp").items()}
    >>> p["cm"] = np.array([1.0, 0.0])
    >>> try:
    ...     check_parameters("IF_cond_exp", p, "population 'p'")
    ... except NetworkError as err:
    ...     print(str(err).replace("; ", ";\n"))
    population 'p': cm[1] = 0.0 nF must be > 0.0 nF;
    give cm > 0 for every neuron (NEST's iaf_cond_exp: C_m > 0)
    """
    cell_defaults(cell_type)
    for rule in CELL_RULES[cell_type]:
        bad = np.flatnonzero(~rule.holds(params))
        if bad.size:
            why = f"NEST's {rule.nest}" if rule.nest else "a bound of the twin alone"
            raise NetworkError(
                f"{context}: {rule.describe(params, int(bad[0]))}; give "
                f"{rule.requirement} for every neuron ({why})"
            )
