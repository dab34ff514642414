"""The seed experiment: Brunel's balanced random network adapted for BSS-1."""

from experiments.brunel.config import (
    NEURON_MEANS,
    NEURON_SDS,
    SEED_ETAS,
    SEED_GS,
    BrunelConfig,
    seed_grid,
)
from experiments.brunel.network import build_network

__all__ = [
    "NEURON_MEANS",
    "NEURON_SDS",
    "SEED_ETAS",
    "SEED_GS",
    "BrunelConfig",
    "build_network",
    "seed_grid",
]
