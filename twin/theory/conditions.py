"""The approximations' conditions at a stable fixed point, as :class:`Flag` s.

One function for every path: conductance-based networks
(:func:`twin.theory.network_rates.rates_over`, per population the share-weighted
means over its neurons) and current-based ones
(:func:`twin.theory.current.current_rates`) give three numbers per population at the
point's stable fixed point, and :func:`flag_conditions` adds the flags where a
population's number passes its limit:

- ``sqrt(tau_s / tau_m)`` (``tau_eff`` for conductances) above
  :data:`FAST_SYNAPSE_LIMIT`: :attr:`Flag.SLOW_SYNAPSES`;
- the larger PSP jump over ``theta - v_reset`` above :data:`SMALL_PSP_LIMIT`:
  :attr:`Flag.LARGE_PSPS`;
- ``nu x tau_ref`` (the fraction of time refractory) above :data:`REGULAR_LIMIT`:
  :attr:`Flag.REGULAR_FIRING`.
"""

from __future__ import annotations

from typing import Final

import numpy as np

from twin.theory.stationary import Flag, Stationary

__all__ = ["FAST_SYNAPSE_LIMIT", "REGULAR_LIMIT", "SMALL_PSP_LIMIT", "flag_conditions"]

#: Largest population mean of sqrt(tau_s / tau_eff) before :attr:`Flag.SLOW_SYNAPSES`
#: (the Fourcaud-Brunel shift is the first order of an expansion in it).
FAST_SYNAPSE_LIMIT: Final = 0.5
#: Largest population mean of PSP jump / (v_thresh - v_reset) before
#: :attr:`Flag.LARGE_PSPS` (the diffusion approximation needs many small inputs).
SMALL_PSP_LIMIT: Final = 0.1
#: Largest population mean of nu x tau_ref (the fraction of time refractory) before
#: :attr:`Flag.REGULAR_FIRING`. A named assumption: at 0.5 the refractory period is
#: half the mean interval, the output is mean-driven and regular, and the inputs are
#: not the Poisson trains the theory assumes (the seed's g = 1 points: nu tau_ref ~ 1,
#: CV of the intervals 0.005 in the twin; Brunel 2000's synchronous regular state).
REGULAR_LIMIT: Final = 0.5


def flag_conditions(
    stationary: Stationary,
    synaptic: np.ndarray,
    psp: np.ndarray,
    busy: np.ndarray,
) -> Stationary:
    """Return ``stationary`` with the flags of the conditions its numbers break.

    Parameters
    ----------
    stationary
        The point's solve (flags are added only where it is :attr:`Stationary.ok`).
    synaptic
        Per population ``sqrt(tau_s / tau_m)`` at the stable fixed point.
    psp
        Per population the larger PSP jump / ``(theta - v_reset)`` there.
    busy
        Per population ``nu x tau_ref`` there (dimensionless).

    Returns
    -------
    Stationary
        With :attr:`Flag.SLOW_SYNAPSES`, :attr:`Flag.LARGE_PSPS` and
        :attr:`Flag.REGULAR_FIRING` where a population passes the limit.
    """
    if not stationary.ok:
        return stationary
    limits = (
        (synaptic, FAST_SYNAPSE_LIMIT, Flag.SLOW_SYNAPSES),
        (psp, SMALL_PSP_LIMIT, Flag.LARGE_PSPS),
        (busy, REGULAR_LIMIT, Flag.REGULAR_FIRING),
    )
    broken = [flag for x, limit, flag in limits if np.max(x, initial=0.0) > limit]
    return stationary.with_flags(*broken)
