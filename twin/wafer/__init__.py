"""Model of one BSS-1 wafer: coordinates, resources, defects, L1 graph, bandwidth."""

from twin.wafer.bandwidth import BANDWIDTH, Bandwidth, RateLimit
from twin.wafer.coords import HICANNS, RETICLES, HICANNOnWafer, ReticleOnWafer
from twin.wafer.defects import DEFAULT_RATES, Defects, synthetic_defects
from twin.wafer.graph import build_l1_graph, depends_on, driver_reach
from twin.wafer.l1 import USABLE_L1_ADDRESSES, L1BusOnWafer
from twin.wafer.neurons import DenmemOnHICANN, LogicalNeuronOnHICANN
from twin.wafer.spec import WaferSpec
from twin.wafer.wafer import Wafer

__all__ = [
    "BANDWIDTH",
    "DEFAULT_RATES",
    "HICANNS",
    "RETICLES",
    "USABLE_L1_ADDRESSES",
    "Bandwidth",
    "Defects",
    "DenmemOnHICANN",
    "HICANNOnWafer",
    "L1BusOnWafer",
    "LogicalNeuronOnHICANN",
    "RateLimit",
    "ReticleOnWafer",
    "Wafer",
    "WaferSpec",
    "build_l1_graph",
    "depends_on",
    "driver_reach",
    "synthetic_defects",
]
