r"""The Siegert rate: a LIF neuron's first-passage rate under white-noise input.

.. math::

    \frac{1}{\nu} = \tau_\mathrm{ref} + \tau_m \sqrt{\pi}
        \int_{(V_r - \mu)/\sigma}^{(\theta - \mu)/\sigma}
        e^{u^2} (1 + \operatorname{erf} u)\,du

(Siegert 1951; Brunel & Hakim 1999; Brunel 2000, eq. 21), with :math:`\mu` the mean
and :math:`\sigma` the noise amplitude of the free membrane potential
(:math:`\sigma^2 = \tau_m \sum_k C_k J_k^2 \nu_k` for delta synapses; the free
potential's variance is :math:`\sigma^2/2`). For synaptic input filtered with time
constant :math:`\tau_s`, threshold and reset are shifted up by
:math:`\sigma \frac{\alpha}{2} \sqrt{\tau_s/\tau_m}`,
:math:`\alpha = \sqrt{2}\,|\zeta(1/2)|` (Fourcaud & Brunel 2002).

The integrand is :math:`\operatorname{erfcx}(-u)`; NEST's ``siegert_neuron``
(``models/siegert_neuron.cpp``) splits the integral at 0 and writes the growing part
with Dawson's function. Here the integral times :math:`e^{-\max(y_\theta, 0)^2}` is
a difference of one tabulated function at the two bounds
(:mod:`twin.theory.siegert_integral`, the same cases in one expression), so that
every exponential has a non-positive argument: no overflow for any bounds, and the
rate underflows cleanly to 0 far below threshold. Unlike NEST, no cut-off at
:math:`\theta - \mu > 6\sigma` (where NEST returns 0). All arguments broadcast.
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np
from scipy.special import zeta

from twin.theory.siegert_integral import siegert_integral
from twin.theory.validate import require

__all__ = [
    "ALPHA",
    "colored_noise_shift",
    "first_passage_rate",
    "noiseless_rate",
    "siegert_rate",
]

#: ``sqrt(2) |zeta(1/2)|`` = 2.0652531522..., the Fourcaud & Brunel (2002) constant.
ALPHA: Final = math.sqrt(2.0) * abs(float(zeta(0.5)))

_MS_TO_HZ: Final = 1e3


def colored_noise_shift(
    tau_s: np.ndarray | float, tau_m: np.ndarray | float
) -> np.ndarray:
    r"""Return the threshold shift of filtered noise in units of sigma.

    :math:`\frac{\alpha}{2}\sqrt{\tau_s/\tau_m}` (Fourcaud & Brunel 2002, eq. 4.33;
    valid for :math:`\sqrt{\tau_s/\tau_m} \ll 1`).

    Parameters
    ----------
    tau_s, tau_m
        Synaptic and membrane time constants, ms (``tau_s >= 0``, ``tau_m > 0``).

    Returns
    -------
    np.ndarray
        The shift (dimensionless), the broadcast shape.

    Raises
    ------
    TheoryInputError
        If ``tau_s < 0`` or ``tau_m <= 0`` or either is not finite.
    """
    tau_s = require("tau_s (ms)", tau_s, lambda x: x >= 0, ">= 0", "give the decay")
    tau_m = require("tau_m (ms)", tau_m, lambda x: x > 0, "> 0", "give tau_m > 0")
    return np.asarray(0.5 * ALPHA * np.sqrt(tau_s / tau_m))


def noiseless_rate(
    mu: np.ndarray | float,
    *,
    tau_m: np.ndarray | float,
    tau_ref: np.ndarray | float,
    theta: np.ndarray | float,
    v_reset: np.ndarray | float,
) -> np.ndarray:
    r"""Return the deterministic LIF rate (Hz), the :math:`\sigma \to 0` limit.

    :math:`\nu = 1/(\tau_\mathrm{ref} + \tau_m \ln\frac{\mu - V_r}{\mu - \theta})` for
    :math:`\mu > \theta`, else 0 (times in ms, potentials in mV).

    Returns
    -------
    np.ndarray
        Rates, Hz, the broadcast shape of the arguments.
    """
    mu, theta, v_reset = np.broadcast_arrays(
        *(np.asarray(x, float) for x in (mu, theta, v_reset))
    )
    above = mu > theta
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(above, (mu - v_reset) / (mu - theta), 2.0)
        period = np.asarray(tau_ref, float) + np.asarray(tau_m, float) * np.log(ratio)
        rate = _MS_TO_HZ / period
    return np.asarray(np.where(above, rate, 0.0))


def siegert_rate(
    mu: np.ndarray | float,
    sigma: np.ndarray | float,
    *,
    tau_m: np.ndarray | float,
    tau_ref: np.ndarray | float,
    theta: np.ndarray | float,
    v_reset: np.ndarray | float,
    tau_s: np.ndarray | float = 0.0,
) -> np.ndarray:
    r"""Return the stationary rate (Hz) of LIF neurons with diffusive input.

    Parameters
    ----------
    mu
        Mean free membrane potential, mV (relative to the same origin as ``theta``).
    sigma
        Noise amplitude, mV (``>= 0``; 0 gives :func:`noiseless_rate`).
    tau_m
        Membrane time constant, ms (``> 0``).
    tau_ref
        Refractory period, ms (``>= 0``).
    theta, v_reset
        Threshold and reset, mV (``v_reset < theta``).
    tau_s
        Synaptic time constant, ms, for the Fourcaud-Brunel shift (0: white noise).

    Returns
    -------
    np.ndarray
        Rates, Hz, the broadcast shape of the arguments; in ``[0, 1/tau_ref]``.

    Raises
    ------
    TheoryInputError
        If a value is not finite, ``sigma < 0``, ``tau_m <= 0``, ``tau_ref < 0``,
        ``tau_s < 0`` or ``v_reset >= theta``.

    Examples
    --------
    >>> r = siegert_rate(15.0, 5.0, tau_m=20.0, tau_ref=2.0, theta=20.0, v_reset=10.0)
    >>> bool(0 < r < 500)
    True
    """
    mu = require("mu (mV)", mu, lambda x: x == x, "a number", "check the input moments")
    sigma = require(
        "sigma (mV)", sigma, lambda x: x >= 0, ">= 0", "give the noise amplitude"
    )
    tau_ref = require(
        "tau_ref (ms)", tau_ref, lambda x: x >= 0, ">= 0", "give t_ref >= 0"
    )
    theta = require(
        "theta (mV)", theta, lambda x: x == x, "a number", "give a threshold"
    )
    v_reset = require(
        "theta - v_reset (mV)",
        np.asarray(theta) - np.asarray(v_reset, float),
        lambda x: x > 0,
        "> 0",
        "give v_reset < theta",
    )
    v_reset = theta - v_reset
    shift = colored_noise_shift(tau_s, tau_m)
    tau_m = np.asarray(tau_m, float)
    mu, sigma, tau_m, tau_ref, theta, v_reset, shift = np.broadcast_arrays(
        mu, sigma, tau_m, tau_ref, theta, v_reset, shift
    )
    noisy = sigma > 0
    safe = np.where(noisy, sigma, 1.0)
    y_th = (theta - mu) / safe + shift
    y_r = (v_reset - mu) / safe + shift
    rate = first_passage_rate(y_th, y_r, tau_m, tau_ref)
    deterministic = noiseless_rate(
        mu, tau_m=tau_m, tau_ref=tau_ref, theta=theta, v_reset=v_reset
    )
    return np.asarray(np.where(noisy, rate, deterministic))


def first_passage_rate(
    y_th: np.ndarray, y_r: np.ndarray, tau_m: np.ndarray, tau_ref: np.ndarray
) -> np.ndarray:
    r"""Return the Siegert rate (Hz) from the scaled bounds (no checks).

    .. math:: \nu = \frac{e^{-a^{+2}}}{e^{-a^{+2}}\tau_\mathrm{ref}
              + \tau_m\sqrt{\pi}\,S(a, b)}, \qquad a = y_\theta,\ b = y_r,

    :math:`S` of :func:`twin.theory.siegert_integral.siegert_integral` (NEST's
    three cases, both bounds below 0, across it and above it, in one expression;
    every exponential with a non-positive argument).

    Parameters
    ----------
    y_th, y_r
        Scaled threshold and reset, :math:`(\theta - \mu)/\sigma` plus the
        shift (``y_r < y_th``, finite), broadcastable.
    tau_m, tau_ref
        Membrane time constant (``> 0``) and refractory period (``>= 0``), ms.

    Returns
    -------
    np.ndarray
        Rates, Hz, the broadcast shape.
    """
    y_th, y_r = np.broadcast_arrays(y_th, y_r, tau_m, tau_ref)[:2]
    a_pos = np.maximum(y_th, 0.0)
    decay = np.exp(-a_pos * a_pos)
    scaled = siegert_integral(y_th, y_r)
    scaled *= np.asarray(tau_m) * math.sqrt(math.pi)
    scaled += decay * tau_ref
    with np.errstate(divide="ignore"):
        return np.asarray(_MS_TO_HZ * decay / scaled)
