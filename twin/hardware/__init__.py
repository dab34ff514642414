"""The hardware tier's numpy transforms of a mapped network (no JAX).

Parameter realisation (:mod:`~twin.hardware.parameters`), fixed-pattern variation
(:mod:`~twin.hardware.variation`), 4-bit weights (:mod:`~twin.hardware.weights`),
saturation settings (:mod:`~twin.hardware.saturation`), the rate-limited resources as
stages (:class:`twin.stages.Stage`) and the spike loss after a run
(:mod:`~twin.hardware.spike_loss`), composed by :mod:`~twin.hardware.realise` under the
switches of :class:`HardwareConfig`. The emulator (:mod:`twin.analog`) applies the
in-run parts (saturating inputs, rate-limit stages).
"""

from twin.hardware.config import EFFECTS, HardwareConfig
from twin.hardware.realise import (
    HardwareReport,
    WaferSites,
    bandwidth_loss,
    realise_hardware,
    spike_stages,
)

__all__ = [
    "EFFECTS",
    "HardwareConfig",
    "HardwareReport",
    "WaferSites",
    "bandwidth_loss",
    "realise_hardware",
    "spike_stages",
]
