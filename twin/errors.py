"""The twin's exception hierarchy.

Every error a user can cause is a :class:`TwinError`; its message names the offending
value, the context and the remedy. Subclasses also inherit from the builtin whose
meaning they share, so ``except ValueError`` keeps working for callers that expect it.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AdaptError",
    "ConfigError",
    "DefectError",
    "MappingLossError",
    "NetworkError",
    "NumericalError",
    "PlacementError",
    "ResultsError",
    "RoutingError",
    "TwinError",
    "UnsupportedError",
    "WaferSpecError",
]


class TwinError(Exception):
    """Root of every error raised by the twin for bad input or impossible requests."""


class WaferSpecError(TwinError, ValueError):
    """A wafer specification or coordinate is out of range or inconsistent."""


class DefectError(TwinError, ValueError):
    """A defect map is malformed or names components that do not exist."""


class NetworkError(TwinError, ValueError):
    """A network description is invalid (index out of range, negative weight, NaN)."""


class ConfigError(TwinError, ValueError):
    """A configuration value (experiment, sweep, CLI option) is invalid."""


class AdaptError(ConfigError):
    """An adaptation step cannot be applied: a bad factor, a network it cannot carry."""


class PlacementError(TwinError):
    """Neurons cannot be placed as requested (pins on defective chips, no capacity)."""


class RoutingError(TwinError):
    """A routing request is impossible or inconsistent."""


class MappingLossError(TwinError):
    """A mapping lost more synapses than the caller allowed.

    Parameters
    ----------
    message
        Human-readable summary with the measured and allowed loss.
    report
        The loss report of the mapping that failed the bound.
    """

    def __init__(self, message: str, report: Any) -> None:
        super().__init__(message)
        self.report = report


class NumericalError(TwinError, FloatingPointError):
    """An emulation produced non-finite values (NaN or inf)."""


class ResultsError(TwinError, ValueError):
    """A results file is unreadable, malformed or inconsistent with the request."""


class UnsupportedError(TwinError, NotImplementedError):
    """A feature the twin does not emulate (a cell type, synapse model, recording...).

    The message names the feature and what the twin supports instead; the twin never
    falls back silently to something else.
    """
