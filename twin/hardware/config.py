"""Settings of the ``hardware`` tier: which analog effects apply, and their numbers.

Each effect can be switched off on its own (:meth:`HardwareConfig.without`), which is
how the ablation isolates it; :mod:`twin.hardware.realise` applies the settings.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

from twin.errors import ConfigError
from twin.hardware.parameters import CapMode, SpeedMode
from twin.hardware.saturation import DEFAULT_SATURATION, Saturation
from twin.hardware.variation import Variation
from twin.wafer import BANDWIDTH, Bandwidth

__all__ = ["EFFECTS", "QUEUE_DEPTHS", "HardwareConfig"]

#: The switchable effects, in the order they are applied.
EFFECTS: Final = ("parameters", "variation", "weights", "saturation", "bandwidth")
#: Buffer depths (events) of the queues: named assumptions (no published numbers).
QUEUE_DEPTHS: Final = MappingProxyType(
    {
        "recording_per_hicann": 512.0,  # ESS DNC delay memory depth per channel
        "priority_encoder": 1.0,  # an overwriting register
        "dnc_merger": 1.0,
        "input_per_hicann": 512.0,
        "input_per_fpga": 512.0,
    }
)


@dataclass(frozen=True, slots=True)
class HardwareConfig:
    """Which analog effects the hardware tier applies, and their settings.

    Parameters
    ----------
    parameters, variation, weights, bandwidth
        Switch the effect on or off.
    saturation
        Saturation conductances, or ``None`` for linear synaptic inputs.
    cap, speed
        Capacitor and speed mode (ranges and spreads).
    neuron_size
        Denmems per logical neuron (weight scale).
    inh_scale
        Factor on every inhibitory weight (the wafer's effective inhibition; fitted
        by ``twin calibrate``).
    variation_settings
        Wafer seed, spreads, weight spread, trial noise.
    wafer_per_seed
        Draw the fixed pattern of a fresh wafer for every network realisation (the
        realisation's seed becomes the wafer seed), so statistics over seeds include
        wafer-to-wafer variation; ``False`` runs every realisation on the one wafer
        of ``variation_settings.wafer_seed``. (The twin does not know a real wafer's
        pattern, only its spreads: a pinned seed is *a* wafer, not wafer 30.)
    limits
        Rate limits (speed-up and clock).

    Raises
    ------
    ConfigError
        If ``inh_scale`` is not > 0.
    """

    parameters: bool = True
    variation: bool = True
    weights: bool = True
    saturation: Saturation | None = DEFAULT_SATURATION
    bandwidth: bool = True
    cap: CapMode = "big"
    speed: SpeedMode = "normal"
    neuron_size: int = 8
    inh_scale: float = 1.0
    variation_settings: Variation = field(default_factory=Variation)
    wafer_per_seed: bool = True
    limits: Bandwidth = BANDWIDTH

    def __post_init__(self) -> None:
        if not self.inh_scale > 0:
            raise ConfigError(f"inh_scale = {self.inh_scale}; must be > 0")

    def without(self, effect: str) -> HardwareConfig:
        """Return this configuration with one effect switched off.

        Raises
        ------
        ConfigError
            If ``effect`` is not one of :data:`EFFECTS`.
        """
        if effect not in EFFECTS:
            raise ConfigError(f"unknown effect {effect!r}; use one of {EFFECTS}")
        value = None if effect == "saturation" else False
        return dataclasses.replace(self, **{effect: value})  # type: ignore[arg-type]

    def on_wafer(self, wafer_seed: int) -> HardwareConfig:
        """Return these settings pinned to the one wafer of ``wafer_seed``."""
        wafer = dataclasses.replace(self.variation_settings, wafer_seed=wafer_seed)
        return dataclasses.replace(self, variation_settings=wafer, wafer_per_seed=False)

    def for_realisation(self, seed: int) -> HardwareConfig:
        """Return the settings of network realisation ``seed`` (its wafer)."""
        return self.on_wafer(seed) if self.wafer_per_seed else self
