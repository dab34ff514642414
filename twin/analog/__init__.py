"""JAX emulation of the wafer's neurons: AdEx/LIF, conductance synapses, delays.

The emulator only: spike data is :class:`twin.recording.SpikeRecording`, the tiers are
:mod:`twin.tiers`, the hardware transforms :mod:`twin.hardware`.
"""

from twin.analog.simulate import (
    BatchResult,
    SimConfig,
    simulate,
    simulate_batch,
    split_keys,
)

__all__ = ["BatchResult", "SimConfig", "simulate", "simulate_batch", "split_keys"]
