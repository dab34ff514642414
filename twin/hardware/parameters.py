"""Parameter realisation: bio -> hardware -> 10-bit floating gates -> bio.

A neuron parameter reaches the wafer as a 10-bit floating-gate value (DAC 0..1023)
through the calibration's transformation, and what the wafer runs is the parameter that
DAC value stands for. This module does that round trip per neuron, clipping first to the
range the transformation accepts, and reports which parameters were clipped.

Transformations (reference ``bss1_hardware.md`` §2.10, §3.2-3.4):

- voltages: ``V_hw = alpha_v * V_bio * 1e-3 + shift_v`` (V), DAC = V_hw * 1023 / 1.8;
  the window is the seed's (bio -140..+140 mV onto 0.45..1.3 V);
- ``tau_m``: calibtic's default I_gl polynomial ``DAC = sum_k c_k / tau_hw**k`` for big
  capacitor, normal speed; other capacitor/speed modes scale tau by the ratio of their
  range's lower end to that of big/normal (an approximation: only the ranges are known);
- ``tau_refrac``: ``tau_hw = K / DAC`` (I_pl; tau proportional to 1/I_pl), K fitted to
  the lookup table's end points (1.73 µs at DAC 10);
- ``tau_syn_E/I``: ``tau_hw = K / (DAC - D)``, a hyperbola through the V_syntc lookup
  table's end points (1.51 µs at DAC 226, 0.13 µs at DAC 1022) — an assumption: the
  table's interior is not published.

Times go through the one speed-up value (``tau_hw = tau_bio * 1e-3 / speedup``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal

import numpy as np

from twin.errors import ConfigError
from twin.network import Network
from twin.units import SPEEDUP

__all__ = [
    "TAU_M_RANGES_HW",
    "CapMode",
    "ParameterReport",
    "SpeedMode",
    "VoltageWindow",
    "realise_parameters",
]

CapMode = Literal["big", "small"]
SpeedMode = Literal["normal", "slow", "fast"]
DAC_MAX: Final = 1023
V_MAX_HW: Final = 1.8  # V at DAC 1023

#: tau_m range (s, hardware) per (capacitor, speed) mode. [calibtic NeuronCalibration]
TAU_M_RANGES_HW: Final = MappingProxyType(
    {
        ("big", "normal"): (0.541e-6, 48.2e-6),
        ("big", "slow"): (1.50e-6, 200e-6),
        ("big", "fast"): (0.423e-6, 20.1e-6),
        ("small", "normal"): (0.1083e-6, 9.63e-6),
        ("small", "slow"): (0.30e-6, 72.2e-6),
        ("small", "fast"): (0.10e-6, 4.02e-6),
    }
)
#: I_gl polynomial, big capacitor, normal speed: DAC = sum c_k / tau**k (tau in s).
_TAU_M_COEFFS: Final = (0.0, 3.885e-5, 4.598e-10, -5.597e-16, 2.499e-22)
_REFRAC_K: Final = 1.73e-6 * 10  # s * DAC: tau_refrac = K / DAC
_REFRAC_DAC: Final = (10, DAC_MAX)
_SYN_D: Final = (0.13 * 1022 - 1.51 * 226) / (0.13 - 1.51)  # DAC offset
_SYN_K: Final = 1.51e-6 * (226 - _SYN_D)  # s * DAC
_SYN_DAC: Final = (226, DAC_MAX)
_VOLTAGES: Final = ("v_rest", "v_reset", "v_thresh", "e_rev_E", "e_rev_I")


@dataclass(frozen=True, slots=True)
class VoltageWindow:
    """Linear map of bio voltages (mV) onto hardware volts (marocco ParamTrafo).

    Defaults: the seed's window, bio -140..+140 mV onto 0.45..1.3 V.
    """

    min_bio: float = -140.0
    max_bio: float = 140.0
    min_hw: float = 0.45
    max_hw: float = 1.3

    @property
    def alpha(self) -> float:
        """Volts per volt: ``1000 (max_hw - min_hw) / (max_bio - min_bio)``."""
        return 1000 * (self.max_hw - self.min_hw) / (self.max_bio - self.min_bio)

    @property
    def shift(self) -> float:
        """Hardware volts of bio 0 mV."""
        return (self.max_bio * self.min_hw - self.min_bio * self.max_hw) / (
            self.max_bio - self.min_bio
        )

    def to_hw(self, v_bio: np.ndarray) -> np.ndarray:
        """Bio mV -> hardware V."""
        return self.alpha * np.asarray(v_bio) * 1e-3 + self.shift

    def to_bio(self, v_hw: np.ndarray) -> np.ndarray:
        """Hardware V -> bio mV."""
        return (np.asarray(v_hw) - self.shift) / (self.alpha * 1e-3)


@dataclass(frozen=True, slots=True)
class ParameterReport:
    """How many neurons had each parameter clipped to the hardware range."""

    clipped: MappingProxyType[str, int]
    n_neurons: int

    @property
    def any_clipped(self) -> bool:
        """True if some parameter of some neuron was clipped."""
        return any(self.clipped.values())


def _tau_m_dac(tau_hw: np.ndarray) -> np.ndarray:
    out = np.zeros_like(tau_hw, dtype=float)
    for k, c in enumerate(_TAU_M_COEFFS):
        out = out + c / tau_hw**k
    return out


def _quantise_tau_m(tau_bio: np.ndarray, cap: CapMode, speed: SpeedMode) -> np.ndarray:
    lo, hi = TAU_M_RANGES_HW[(cap, speed)]
    ratio = lo / TAU_M_RANGES_HW[("big", "normal")][0]
    tau_hw = np.clip(tau_bio * 1e-3 / SPEEDUP, lo, hi) / ratio
    grid = np.geomspace(TAU_M_RANGES_HW[("big", "normal")][0], hi / ratio, 20_000)
    dac_grid = _tau_m_dac(grid)  # decreasing in tau
    dac = np.clip(np.rint(_tau_m_dac(tau_hw)), 0, DAC_MAX)
    back = np.interp(dac, dac_grid[::-1], grid[::-1])
    return back * ratio * SPEEDUP * 1e3


def _quantise_hyperbolic(
    tau_bio: np.ndarray, k: float, d: float, dac_range: tuple[int, int]
) -> np.ndarray:
    lo_dac, hi_dac = dac_range
    dac = np.clip(np.rint(k / (tau_bio * 1e-3 / SPEEDUP) + d), lo_dac, hi_dac)
    return k / (dac - d) * SPEEDUP * 1e3


def bio_range(
    name: str,
    cap: CapMode = "big",
    speed: SpeedMode = "normal",
    window: VoltageWindow = VoltageWindow(),
) -> tuple[float, float]:
    """Return the bio range (PyNN units) the hardware accepts for a parameter.

    Raises
    ------
    ConfigError
        If ``name`` has no floating gate of its own (it is not one of the voltages,
        ``tau_m``, ``tau_refrac``, ``tau_syn_E`` or ``tau_syn_I``).
    """
    to_bio = SPEEDUP * 1e3  # s hw -> ms bio
    if name in _VOLTAGES:
        lo, hi = window.to_bio(np.array([0.0, V_MAX_HW]))
        return float(lo), float(hi)
    if name == "tau_m":
        lo, hi = TAU_M_RANGES_HW[(cap, speed)]
        return lo * to_bio, hi * to_bio
    if name == "tau_refrac":
        return _REFRAC_K / _REFRAC_DAC[1] * to_bio, _REFRAC_K / _REFRAC_DAC[0] * to_bio
    if name in ("tau_syn_E", "tau_syn_I"):
        return (
            _SYN_K / (_SYN_DAC[1] - _SYN_D) * to_bio,
            _SYN_K / (_SYN_DAC[0] - _SYN_D) * to_bio,
        )
    raise ConfigError(f"no hardware range for parameter {name!r}")


def realise_parameters(
    network: Network,
    cap: CapMode = "big",
    speed: SpeedMode = "normal",
    window: VoltageWindow = VoltageWindow(),
) -> tuple[Network, ParameterReport]:
    """Clip every neuron parameter to its hardware range and quantise it to 10 bits.

    Returns
    -------
    network
        The same network with the realised parameters (``cm`` and the other
        parameters without a floating gate of their own are unchanged).
    report
        Neurons clipped per parameter.

    Raises
    ------
    ConfigError
        If ``cap`` or ``speed`` is not a known mode.
    NetworkError
        If the realised parameters of a neuron violate a bound of its cell type
        (:data:`twin.cells.CELL_RULES`), e.g. ``v_reset`` and ``v_thresh`` become
        equal because they lie within one floating-gate step of each other or are
        clipped to the same end of the voltage window.
    """
    if (cap, speed) not in TAU_M_RANGES_HW:
        raise ConfigError(
            f"capacitor {cap!r} / speed {speed!r}; use big|small and normal|slow|fast"
        )
    clipped = dict.fromkeys(
        (*_VOLTAGES, "tau_m", "tau_refrac", "tau_syn_E", "tau_syn_I"), 0
    )
    populations = []
    for pop in network.populations:
        p = dict(pop.parameters)
        for name in clipped:
            lo, hi = bio_range(name, cap, speed, window)
            value = np.asarray(p[name], dtype=float)
            clipped[name] += int(((value < lo) | (value > hi)).sum())
            value = np.clip(value, lo, hi)
            if name in _VOLTAGES:
                dac = np.rint(window.to_hw(value) * DAC_MAX / V_MAX_HW)
                p[name] = window.to_bio(dac * V_MAX_HW / DAC_MAX)
            elif name == "tau_m":
                p[name] = _quantise_tau_m(value, cap, speed)
            elif name == "tau_refrac":
                p[name] = _quantise_hyperbolic(value, _REFRAC_K, 0.0, _REFRAC_DAC)
            else:
                p[name] = _quantise_hyperbolic(value, _SYN_K, _SYN_D, _SYN_DAC)
        populations.append(dataclasses.replace(pop, parameters=p))
    report = ParameterReport(MappingProxyType(clipped), network.n_neurons)
    return network.replace(populations=tuple(populations)), report
