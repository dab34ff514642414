"""PSP peak of a current kernel on a leaky membrane, per unit charge.

A charge ``Q`` delivered by a synaptic current kernel into a leaky membrane
(``C dV/dt = -C V / tau_m + I(t)``) gives a PSP whose peak is ``Q / C`` times the
factor returned here: 1 for a delta kernel, less for kernels of finite width. With
unit charge, ``I(t) = exp(-t/tau_s) / tau_s`` (exponential) or
``t exp(-t/tau_s) / tau_s^2`` (alpha), the PSPs are (``a = 1/tau_s - 1/tau_m``)

- exponential: ``V(t) = (exp(-t/tau_m) - exp(-t/tau_s)) / (tau_s a)``;
- alpha: ``V(t) = exp(-t/tau_m) (1 - exp(-a t) (1 + a t)) / (tau_s a)^2``.

The seed's "1.7 manual parameter ... to adjust for tau_syn !<< tau_m"
(``parameters.py``) is ``1 / psp_peak_factor(10, 3, "exp")`` = 1.68: the peak lost by
the exponential kernel of 3 ms on a 10 ms membrane; its ``orig_weight`` 1.2 restores
part of it.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

__all__ = ["Kernel", "psp_peak_factor"]

Kernel = Literal["delta", "exp", "alpha"]
_POINTS = 200_001


def psp_peak_factor(tau_m: float, tau_s: float, kernel: Kernel) -> float:
    """Return the PSP peak per unit charge, in units of ``Q / C`` (1 for a delta).

    Parameters
    ----------
    tau_m
        Membrane time constant, ms (> 0).
    tau_s
        Synaptic time constant, ms (> 0; ignored for ``"delta"``).
    kernel
        ``"delta"``, ``"exp"`` or ``"alpha"``.

    Returns
    -------
    float
        The peak on a grid of 200,001 points over ``20 max(tau_m, tau_s)`` (relative
        error below 1e-6).
    """
    if kernel == "delta":
        return 1.0
    if abs(tau_s - tau_m) < 1e-9 * tau_m:
        tau_s = tau_m * (1 + 1e-6)  # the limit tau_s -> tau_m, continuous
    t = np.linspace(0.0, 20 * max(tau_m, tau_s), _POINTS)
    a = 1 / tau_s - 1 / tau_m
    if kernel == "exp":
        v = (np.exp(-t / tau_m) - np.exp(-t / tau_s)) / (tau_s * a)
    else:
        v = np.exp(-t / tau_m) * -np.expm1(-a * t) / (tau_s * a) ** 2
        v -= np.exp(-t / tau_m) * np.exp(-a * t) * a * t / (tau_s * a) ** 2
    return float(v.max())
