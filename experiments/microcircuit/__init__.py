"""The second workload: the cortical microcircuit as the BrainScaleS-1 demo adapted it.

Potjans & Diesmann (2014) at 10 % of the neurons and of the in-degree.
"""

from experiments.microcircuit.config import (
    POPULATIONS,
    MicrocircuitConfig,
)
from experiments.microcircuit.network import build_network, initial_potentials

__all__ = ["POPULATIONS", "MicrocircuitConfig", "build_network", "initial_potentials"]
