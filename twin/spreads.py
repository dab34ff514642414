"""Calibration spreads of the wafer: how neurons differ after calibration.

Standard deviations (PyNN names and units) measured on wafer 30, one table per
capacitor/speed mode (reference ``bss1_hardware.md`` §3.7; the seed's demos use them to
make NEST runs look like the wafer). The hardware tier draws its fixed pattern from
them (:mod:`twin.hardware.variation`); the seed's Brunel model draws its NEST-side
variation from the big-capacitor table (:mod:`experiments.brunel`).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

__all__ = ["SPREADS"]

#: Calibration standard deviations (PyNN units) per (capacitor, speed) mode.
SPREADS: Final = MappingProxyType(
    {
        ("big", "normal"): MappingProxyType(
            {
                "tau_m": 2.0,
                "tau_syn_E": 0.4,
                "tau_syn_I": 0.2,
                "tau_refrac": 1.0,
                "v_rest": 1.96,
                "v_reset": 4.2,
                "v_thresh": 1.12,
                "e_rev_E": 14.0,
                "e_rev_I": 1.96,
            }
        ),
        ("small", "slow"): MappingProxyType(
            {
                "tau_m": 8.0,
                "tau_syn_E": 0.6,
                "tau_syn_I": 0.4,
                "tau_refrac": 1.5,
                "v_rest": 2.0,
                "v_reset": 1.6,
                "v_thresh": 1.1,
                "e_rev_E": 11.1,
                "e_rev_I": 1.6,
            }
        ),
    }
)
