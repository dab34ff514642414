"""JAX emulation of the wafer's neurons: AdEx/LIF, conductance synapses, delays."""

from twin.analog.recording import SpikeRecording
from twin.analog.simulate import SimConfig, simulate, simulate_batch, split_keys
from twin.analog.tiers import FIDELITIES, Fidelity, realise

__all__ = [
    "FIDELITIES",
    "Fidelity",
    "SimConfig",
    "SpikeRecording",
    "realise",
    "simulate",
    "simulate_batch",
    "split_keys",
]
