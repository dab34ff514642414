"""Brunel (2000) model A, the network the seed adapted, and the seed's adaptation."""

from experiments.brunel2000.adaptation import SEED_SCALE, seed_adaptation
from experiments.brunel2000.config import FIG8_STATES, Brunel2000Config
from experiments.brunel2000.network import build_network

__all__ = [
    "FIG8_STATES",
    "SEED_SCALE",
    "Brunel2000Config",
    "build_network",
    "seed_adaptation",
]
