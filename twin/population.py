"""``Population``: neurons of one standard cell type, one array per parameter.

Parameters are stored in PyNN names and units (:mod:`twin.cells`), one read-only array
of one value per neuron each; missing ones take PyNN's defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from twin.cells import SATURATION_DEFAULTS, cell_defaults, check_parameters
from twin.errors import NetworkError
from twin.vectors import frozen_vector

__all__ = ["Population"]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Population:
    """A population of neurons of one standard cell type.

    Parameters
    ----------
    name
        Unique name within the network.
    size
        Number of neurons.
    cell_type
        A key of :data:`twin.cells.CELL_TYPES`: ``"IF_cond_exp"``,
        ``"EIF_cond_exp_isfa_ista"`` (the wafer's), ``"IF_curr_exp"``,
        ``"IF_curr_alpha"``, ``"IF_cond_alpha"`` or ``"EIF_cond_alpha_isfa_ista"``
        (the ideal tier only).
    parameters
        Parameter name -> scalar or array of shape ``(size,)`` in PyNN units. Missing
        parameters take PyNN's defaults; every stored value is a read-only array.

    Raises
    ------
    NetworkError
        If ``size`` is not a positive integer, the cell type or a parameter name is
        unknown, a parameter is not numeric, has neither one value nor ``size``
        values, is NaN or infinite (``g_sat_E``/``g_sat_I``: not > 0), or violates a
        bound of :data:`twin.cells.CELL_RULES` (NEST's checks of the model, e.g.
        ``v_reset < v_thresh``, ``cm > 0``, ``tau_refrac >= 0``).
    """

    name: str
    size: int
    cell_type: str = "IF_cond_exp"
    parameters: Mapping[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        context = f"population {self.name!r}"
        if isinstance(self.size, bool) or not isinstance(self.size, int | np.integer):
            raise NetworkError(
                f"{context}: size = {self.size!r} is not an integer; give the number "
                "of neurons as an int"
            )
        if self.size <= 0:
            raise NetworkError(f"{context}: size {self.size} must be positive")
        defaults = cell_defaults(self.cell_type)
        unknown = sorted(set(self.parameters) - set(defaults))
        if unknown:
            raise NetworkError(
                f"{context}: unknown parameter(s) {unknown} for "
                f"{self.cell_type}; known: {sorted(defaults)}"
            )
        full = {
            key: self._parameter_array(
                key, self.parameters.get(key, default), int(self.size), context
            )
            for key, default in defaults.items()
        }
        check_parameters(self.cell_type, full, context)
        # Normalising the user's input (size, mapping of read-only arrays) is the one
        # write here.
        object.__setattr__(self, "size", int(self.size))
        object.__setattr__(self, "parameters", MappingProxyType(full))

    @staticmethod
    def _parameter_array(
        name: str, value: object, size: int, context: str
    ) -> np.ndarray:
        """Return one parameter as a read-only array of ``size`` finite floats.

        Raises
        ------
        NetworkError
            If ``value`` is not numeric, is neither a scalar nor of shape
            ``(size,)``, or holds NaN or inf (saturation conductances: not > 0).
        """
        try:
            arr = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise NetworkError(
                f"{context}: {name} = {value!r} is not numeric; give a number or one "
                "number per neuron"
            ) from None
        if arr.ndim == 0:
            arr = np.broadcast_to(arr, (size,))
        elif arr.shape != (size,):
            count = f"length {len(arr)}" if arr.ndim == 1 else f"shape {arr.shape}"
            raise NetworkError(
                f"{context}: {name} has {count} but the population has {size} neurons; "
                f"give one value or an array of {size} values"
            )
        return frozen_vector(
            arr, float, name, context, allow_inf=name in SATURATION_DEFAULTS
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Population):
            return NotImplemented
        return (self.name, self.size, self.cell_type) == (
            other.name,
            other.size,
            other.cell_type,
        ) and all(
            np.array_equal(self.parameters[k], other.parameters[k])
            for k in self.parameters
        )

    __hash__ = None  # type: ignore[assignment]
