"""The microcircuit's neuron parameters, their variation, delays and the demo's seeds.

The BrainScaleS-1 demo's ``parameters.py`` (reference ``brunel_bss1.md`` §2): mean
``IF_cond_exp`` parameters, NEST-side parameter variation with the calibration
spreads of the small-capacitor, slow mode, the wafer's trial-to-trial noise, delays
per receptor and the initial membrane potentials.
"""

from __future__ import annotations

import math
from types import MappingProxyType
from typing import Final

from twin.spreads import SPREADS

__all__ = [
    "DAY_LATER",
    "DELAYS",
    "DELAY_BOUNDS",
    "DEMO_SEEDS",
    "NEURON_MEANS",
    "TRIAL_NOISE",
    "VARIATION_BOUNDS",
    "VARIATION_SDS",
    "initial_v_distribution",
]

#: Mean neuron parameters of the adapted model (PyNN ``IF_cond_exp`` names and units);
#: ``v_rest`` is replaced per population by
#: :data:`experiments.microcircuit.resting.V_REST`. [demo parameters.py]
NEURON_MEANS: Final = MappingProxyType(
    {
        "cm": 0.25,
        "e_rev_E": 50.0,
        "e_rev_I": -150.0,
        "tau_m": 10.0,
        "i_offset": 0.0,
        "tau_refrac": 2.0,
        "tau_syn_E": 2.2,
        "tau_syn_I": 2.2,
        "v_reset": -65.0,
        "v_rest": -65.0,
        "v_thresh": -50.0,
    }
)

#: Absolute standard deviations of the NEST-side variation (the demo's dict calls
#: them "relative sd in %" but passes them as absolute sds): small cap, slow mode.
VARIATION_SDS: Final = SPREADS[("small", "slow")]
#: Redraw bounds of the varied parameters (open intervals in the demo; a value on a
#: bound has probability 0). Parameters not listed are unbounded. [demo] The reset
#: bound is the demo's 0.9 x v_thresh taken literally; with a negative threshold it
#: lies above the threshold (-45 vs -50 mV) and never binds.
VARIATION_BOUNDS: Final = MappingProxyType(
    {
        "tau_m": (3.0, math.inf),
        "tau_refrac": (0.0, math.inf),
        "tau_syn_E": (1.8, 4.0),
        "tau_syn_I": (1.9, 6.0),
        "v_reset": (-math.inf, 0.9 * NEURON_MEANS["v_thresh"]),
    }
)

#: Trial-to-trial noise of the wafer's calibrated parameters between two samples, as
#: a fraction of the calibration spreads. An assumption: the wafer's trial-to-trial
#: variation is documented only as "significant" (Koke 2017; ``bss1_hardware.md``).
TRIAL_NOISE: Final = 0.3
#: Name of the tier that records the same configured wafer again "one biological day
#: later" (the demo's second sample: 8.64 s wall clock, no reconfiguration).
DAY_LATER: Final = "hardware-day-later"
#: Delay (mean, sd) per receptor in ms, normal redrawn outside :data:`DELAY_BOUNDS`.
#: (With the wafer's routes NEST uses ``twin.routing.delays.DelayModel`` instead.)
DELAYS: Final = MappingProxyType({"excitatory": (1.5, 0.75), "inhibitory": (0.8, 0.4)})
DELAY_BOUNDS: Final = (0.1, 15.0)
#: The demo's seeds (its NumPy RNGs); the twin derives all streams from one seed.
DEMO_SEEDS: Final = MappingProxyType(
    {"kernel": 123456, "weight": 234567, "init": 345678, "delay": 24639, "var": 6627}
)


def initial_v_distribution(v_thresh: float, v_rest: float) -> tuple[float, float]:
    """Return (mean, sd) of the demo's initial membrane potentials, mV.

    ``N((V_th + V_rest) / 2, |V_th - V_rest| / 3)`` from a population's mean
    threshold and resting potential (NEST only in the demo).

    Parameters
    ----------
    v_thresh, v_rest
        A population's mean threshold and resting potential, mV.

    Returns
    -------
    mean, sd
        Of the normal distribution, mV.

    Examples
    --------
    >>> initial_v_distribution(-50.0, -65.0)
    (-57.5, 5.0)
    """
    return (v_thresh + v_rest) / 2.0, abs(v_thresh - v_rest) / 3.0
