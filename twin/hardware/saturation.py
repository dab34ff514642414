"""Saturation settings of the hardware's synaptic inputs (numpy; no JAX).

The membrane sees ``g_sat tanh(g / g_sat)`` instead of ``g``; the model, its source
and the reasoning behind :data:`DEFAULT_SATURATION` are in
:mod:`twin.analog.saturation`, which applies it inside the emulator.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from twin.errors import ConfigError

__all__ = ["DEFAULT_SATURATION", "Saturation"]


@dataclass(frozen=True, slots=True)
class Saturation:
    """Saturation conductances of the excitatory and inhibitory inputs, µS.

    Parameters
    ----------
    g_sat_e, g_sat_i
        Bound of the effective conductance per receptor (``inf``: linear).

    Raises
    ------
    ConfigError
        If a conductance is not > 0 (NaN included).
    """

    g_sat_e: float
    g_sat_i: float

    def __post_init__(self) -> None:
        for name in ("g_sat_e", "g_sat_i"):
            if not getattr(self, name) > 0:
                raise ConfigError(
                    f"Saturation.{name} = {getattr(self, name)!r} µS; must be > 0 "
                    "(use inf for a linear input)"
                )

    def scaled(self, factor: float) -> Saturation:
        """Return both conductances multiplied by ``factor``.

        Raises
        ------
        ConfigError
            If a scaled conductance is not > 0 (``factor`` not > 0, or NaN).
        """
        return Saturation(self.g_sat_e * factor, self.g_sat_i * factor)


#: Assumed default for the adapted Brunel network (cm = 1 nF, g_leak = 0.1 µS).
DEFAULT_SATURATION: Final = Saturation(g_sat_e=0.15, g_sat_i=0.15)
