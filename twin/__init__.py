"""Digital twin of the BrainScaleS-1 neuromorphic wafer.

``twin.Network`` describes a network; :mod:`twin.wafer` models the wafer,
:mod:`twin.routing` maps networks onto it and :mod:`twin.analog` emulates them.
Importing ``twin`` stays light: subpackages are imported explicitly. It asks XLA's CPU
backend for arithmetic without fused multiply-adds (:mod:`twin.cpu_arithmetic`).
"""

import twin.cpu_arithmetic  # noqa: F401 (first: caps XLA's CPU ISA before it starts)
from twin.errors import (
    ConfigError,
    DefectError,
    MappingLossError,
    NetworkError,
    NumericalError,
    PlacementError,
    ResultsError,
    RoutingError,
    TwinError,
    WaferSpecError,
)
from twin.network import (
    CurrentStimulus,
    Network,
    PoissonSource,
    Population,
    Projection,
    SpikeTimesSource,
)
from twin.units import SPEEDUP

__version__ = "0.1.0"

__all__ = [
    "SPEEDUP",
    "ConfigError",
    "CurrentStimulus",
    "DefectError",
    "MappingLossError",
    "Network",
    "NetworkError",
    "NumericalError",
    "PlacementError",
    "PoissonSource",
    "Population",
    "Projection",
    "ResultsError",
    "RoutingError",
    "SpikeTimesSource",
    "TwinError",
    "WaferSpecError",
    "__version__",
]
