"""Mapping of a network onto the wafer: placement, L1 routing, synapse drivers, loss."""

from twin.routing.config import MappingConfig
from twin.routing.delays import DelayModel
from twin.routing.loss import LossReason, LossReport
from twin.routing.mapping import WaferMapping, map_network

__all__ = [
    "DelayModel",
    "LossReason",
    "LossReport",
    "MappingConfig",
    "WaferMapping",
    "map_network",
]
