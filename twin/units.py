"""Units of the twin's public boundary and the one bio/hardware time scale.

Public quantities use PyNN's units: time in ms, voltage in mV, current in nA,
capacitance in nF, conductance in µS (``a`` of AdEx in nS). Since
nF·mV/ms = nA = µS·mV, equations written in these units need no scale factors.
Hardware-domain quantities carry a ``_hw`` (seconds, hertz of wafer time) or
``_dac`` suffix.
"""

from __future__ import annotations

__all__ = [
    "SPEEDUP",
    "Hertz",
    "Microsiemens",
    "Millisecond",
    "Millivolt",
    "Nanoampere",
    "Nanofarad",
    "bio_ms_to_hw_s",
    "bio_rate_to_hw",
    "hw_rate_to_bio",
    "hw_s_to_bio_ms",
]

Millisecond = float  # biological time, ms
Millivolt = float  # membrane and reversal potentials, mV
Nanoampere = float  # currents, nA
Nanofarad = float  # capacitances, nF
Microsiemens = float  # conductances and synaptic weights, µS
Hertz = float  # rates, 1/s

#: Acceleration of the wafer over biological time: 1 ms bio lasts 0.1 µs on the wafer.
#: [marocco experiment/parameters/Experiment.cpp default speedup 1e4; tutorial-bss1]
SPEEDUP: float = 1.0e4


def bio_ms_to_hw_s(t_ms: float, speedup: float = SPEEDUP) -> float:
    """Convert a biological duration in ms to wafer (hardware) seconds.

    Examples
    --------
    >>> bio_ms_to_hw_s(10_000.0)  # a 10 s biological run lasts 1 ms on the wafer
    0.001
    """
    return t_ms * 1e-3 / speedup


def hw_s_to_bio_ms(t_s: float, speedup: float = SPEEDUP) -> float:
    """Convert a wafer duration in seconds to biological ms.

    Examples
    --------
    >>> hw_s_to_bio_ms(1e-7)
    1.0
    """
    return t_s * speedup * 1e3


def bio_rate_to_hw(rate_hz: float, speedup: float = SPEEDUP) -> float:
    """Convert a biological event rate (Hz) to the wafer's rate (events per hw second).

    Examples
    --------
    >>> bio_rate_to_hw(2500.0)
    25000000.0
    """
    return rate_hz * speedup


def hw_rate_to_bio(rate_hw: float, speedup: float = SPEEDUP) -> float:
    """Convert a wafer event rate (events per hw second) to a biological rate (Hz).

    Examples
    --------
    >>> hw_rate_to_bio(25e6)  # one chip's L2 recording limit, seen by one neuron
    2500.0
    """
    return rate_hw / speedup
