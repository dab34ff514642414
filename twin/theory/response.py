r"""The linear rate response of LIF neurons with white-noise input (diffusion limit).

A LIF neuron :math:`\tau\dot V = \mu - V + \sigma\sqrt{\tau}\,\xi(t)` (threshold
:math:`\theta`, reset :math:`V_r`, refractory period :math:`\tau_\mathrm{ref}`; the
convention of :func:`twin.theory.siegert.siegert_rate`) fires at the stationary rate
:math:`\nu_0`. A small modulation of the mean, :math:`\mu_1 e^{st}`, or of the
variance, :math:`(\sigma^2)_1 e^{st}`, modulates the rate by
:math:`\nu_1 e^{st}` with

.. math::

    \nu_1 = R_\mu(s)\,\mu_1 + R_{\sigma^2}(s)\,(\sigma^2)_1 ,

for any complex Laplace variable :math:`s` (:math:`s = 2\pi i f` for a frequency
:math:`f`). Here both come from Richardson's threshold integration (Richardson 2007,
Phys Rev E 76:021919; Richardson 2008, Biol Cybern 99:381): in
:math:`y = (V - \mu)/\sigma` the stationary and the first-order Fokker-Planck
density :math:`p` and flux :math:`q` (in units of :math:`1/\tau`) obey

.. math::

    p' = -2yp - 2q + \text{source}, \qquad q' = -\lambda p \quad (\lambda = s\tau),

integrated downwards from :math:`p(y_\theta) = 0`, with the reinjected flux, delayed
by :math:`\tau_\mathrm{ref}` (a factor :math:`e^{-s\tau_\mathrm{ref}}`), leaving at
:math:`y_r`; the source is :math:`2p_0` for the mean and :math:`2(yp_0 + q_0)` for
the variance. The rate modulation follows from the no-flux condition far below
reset (Richardson 2007). Each step is exact for the linear drift (the factor
:math:`e^{y_k^2 - y_{k+1}^2}`) with exponential weights for a flux linear over the
step, and implicit-trapezoidal for :math:`q' = -\lambda p`: second order in the
step; two step sizes are combined (Richardson extrapolation, fourth order). The
three first-order solutions (unit flux at threshold, mean source, variance source)
need one backward sweep of the adjoint recursion, vectorised over neurons and
Laplace variables.

Filtered synaptic input (time constant :math:`\tau_s`) shifts threshold and reset by
:math:`\sigma\frac{\alpha}{2}\sqrt{\tau_s/\tau}` as in the stationary rate (Fourcaud &
Brunel 2002) and low-pass filters the modulation by :math:`1/(1 + s\tau_s)`
on the input side: an approximation for :math:`\sqrt{\tau_s/\tau} \ll 1` (Fourcaud &
Brunel 2002; Schuecker, Diesmann & Helias 2015, Phys Rev E 92:052119, derive the
colored-noise transfer function itself).

Accuracy (tests): at the default steps the zero-frequency limits hold to ~1e-5
relative for the usual operating points, ~1e-3 far below threshold
(:math:`y_\theta \approx 5`); for strongly supra-threshold, nearly deterministic
neurons (:math:`y_\theta \lesssim -10`) the small variance response is the least
accurate part (a few % of :math:`\sigma^2 R_{\sigma^2}` relative to
:math:`\sigma R_\mu`).

Limits (tests): :math:`R_\mu(0) = \partial\nu_0/\partial\mu`,
:math:`R_{\sigma^2}(0) = \partial\nu_0/\partial\sigma^2`; for
:math:`|s|\tau \to \infty`, :math:`R_\mu \to \sqrt{2}\,\nu_0/(\sigma\sqrt{s\tau})`
(Brunel & Hakim 1999; Fourcaud & Brunel 2002) and
:math:`R_{\sigma^2} \to \nu_0/\sigma^2` (finite: Lindner & Schimansky-Geier 2001, Phys
Rev Lett 86:2934; the instantaneous change of the diffusive flux at threshold).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
from scipy.special import exprel

from twin.theory.siegert import colored_noise_shift
from twin.theory.validate import require

__all__ = ["BELOW", "LONGEST_STEP", "STEPS", "Response", "lif_response"]

#: Integration steps between reset and threshold, and from reset to the bottom
#: (then twice as many, for the extrapolation).
STEPS: Final = (40, 40)
#: The longest step between reset and threshold (in sigma; sharper at ``|y| >> 1``:
#: there the flux varies on a scale ``|y| / |lambda|``); wider spans take more steps.
LONGEST_STEP: Final = 0.1
#: The bottom of the integration: where the density below reset,
#: ``~ exp(-y^2)``, has fallen by ``exp(-BELOW^2)`` from its peak (at ``y = 0``
#: or at the reset, whichever is lower).
BELOW: Final = 4.5
#: Thresholds further than this (in sigma) above the mean are clipped: the rate and
#: its response are below 1e-300 of the neuron's scale there.
_FAR: Final = 25.0
_MS_TO_S: Final = 1e-3
#: The states are renormalised every this many steps (no overflow at high |s|).
_RESCALE: Final = 16
#: |s tau| below this is raised to it: at s = 0 the threshold integration is 0/0.
_SMALLEST_LAMBDA: Final = 1e-8
#: Points x Laplace variables integrated at once (the states stay in cache).
_CHUNK: Final = 16384


@dataclass(frozen=True, slots=True, eq=False)
class Response:
    r"""The rate response of a batch of LIF neurons at a set of Laplace variables.

    Attributes
    ----------
    s
        Laplace variables, 1/s, shape ``batch + (F,)`` (``2 pi i f`` for frequencies
        ``f`` Hz).
    rate
        Stationary rate from the same integration, Hz, shape ``batch``.
    mu
        :math:`R_\mu(s)`, Hz/mV, complex, shape ``batch + (F,)``.
    sigma2
        :math:`R_{\sigma^2}(s)`, Hz/mV^2, complex, shape ``batch + (F,)``.
    """

    s: np.ndarray
    rate: np.ndarray
    mu: np.ndarray
    sigma2: np.ndarray


def _grid(y_th: np.ndarray, y_r: np.ndarray, steps: tuple[int, int]) -> np.ndarray:
    """Return the y grid ``(B, N + 1)`` from threshold down; reset at ``steps[0]``."""
    above = np.linspace(0.0, 1.0, steps[0] + 1)
    below = np.linspace(0.0, 1.0, steps[1] + 1)[1:]
    depth = np.where(y_r < 0, np.sqrt(y_r**2 + BELOW**2) + y_r, BELOW + y_r)
    bottom = y_r - depth
    top = y_th[:, None] - (y_th - y_r)[:, None] * above
    low = y_r[:, None] - (y_r - bottom)[:, None] * below
    return np.concatenate([top, low], axis=1)


def _stationary(
    y: np.ndarray, n_above: int, ref: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the density ``p0`` (B, N+1), flux ``q0`` per step (B, N), ``nu tau``.

    The same scheme as the first order with ``lambda = 0``: unit flux above reset,
    none below, normalised with the refractory fraction ``ref = tau_ref / tau``.
    """
    b, n1 = y.shape
    q0 = np.zeros((b, n1 - 1))
    q0[:, :n_above] = 1.0
    p0 = np.zeros((b, n1))
    h = y[:, :-1] - y[:, 1:]
    x = h * (y[:, :-1] + y[:, 1:])
    decay, phi = np.exp(x), h * exprel(x)
    for k in range(n1 - 1):
        above = 2.0 if k < n_above else 0.0
        p0[:, k + 1] = decay[:, k] * p0[:, k] + phi[:, k] * above
    mass = np.sum(0.5 * h * (p0[:, :-1] + p0[:, 1:]), axis=1)
    rate = 1.0 / (mass + ref)
    return p0 * rate[:, None], q0 * rate[:, None], rate


def _weights(y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return the step lengths and the exponential weights of each step, (B, N).

    Going down a step of length ``h`` from ``y_k`` the density obeys
    ``dp/dt = a p + g(t)`` with ``a = y_k + y_{k+1}`` (exact for the drift: ``e^{ah} =
    e^{y_k^2 - y_{k+1}^2}``); for ``g`` linear in ``t`` the exact step is
    ``p_{k+1} = e^{ah} p_k + (phi - h psi) g_k + h psi g_{k+1}`` with
    ``phi = h exprel(ah)`` and ``psi = (exprel(ah) - 1)/(ah)``.
    """
    h = y[:, :-1] - y[:, 1:]
    x = h * (y[:, :-1] + y[:, 1:])
    rel = exprel(x)
    small = np.abs(x) < 1e-4
    safe = np.where(small, 1.0, x)
    psi = np.where(small, 0.5 + x / 6.0 + x * x / 24.0, (rel - 1.0) / safe)
    return h, np.exp(x), h * (rel - psi), h * psi


def _first_order(
    y: np.ndarray,
    n_above: int,
    lam: np.ndarray,
    p0: np.ndarray,
    q0: np.ndarray,
    reinjection: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the bottom fluxes of the three first-order solutions, each (B, F).

    ``a``: unit flux at threshold, reinjected at reset times ``reinjection``;
    ``b``: the mean's source ``2 p0``; ``c``: the variance's source
    ``2 (y p0 + q0)``, with ``q0`` the stationary flux of each step. Per step
    (:func:`_weights`): ``p_{k+1} = E p_k + 2 al q_k + 2 be q_{k+1} - S_k`` with
    ``S_k = al s_k + be s_{k+1}``, and ``q_{k+1} = q_k + (lambda h / 2)(p_k +
    p_{k+1})`` (trapezoid); solved for ``q_{k+1}``, a step is ``z_{k+1} = M_k z_k -
    v_k S_k`` for ``z = (p, q)``. The bottom flux ``e_q^T z_N`` is linear in the
    sources: with the adjoint ``L_k = e_q^T M_{N-1} ... M_k`` (one backward sweep)
    it is ``-sum_k L_{k+1} v_k S_k`` for ``b`` and ``c``, and ``L_0 e_q -
    reinjection L_r e_q`` for ``a`` (common rescalings of ``L`` cancel).
    """
    h, decay, al, be = _weights(y)
    yp = y * p0
    src_b = 2.0 * (al * p0[:, :-1] + be * p0[:, 1:])
    src_c = 2.0 * (al * yp[:, :-1] + be * yp[:, 1:] + (al + be) * q0)
    half = 0.5 * lam
    shape = lam.shape
    lp, lq = np.zeros(shape, complex), np.ones(shape, complex)
    acc_b, acc_c = np.zeros(shape, complex), np.zeros(shape, complex)
    at_reset = lq
    for k in range(y.shape[1] - 2, -1, -1):
        e, a2, b2 = decay[:, k, None], 2.0 * al[:, k, None], 2.0 * be[:, k, None]
        c = half * h[:, k, None]
        fed = c / (1.0 - c * b2)
        inv = 1.0 + b2 * fed  # 1 / (1 - c b2)
        keep, push = inv + a2 * fed, (1.0 + e) * fed
        weight = lp * inv + lq * fed  # L_{k+1} v_k
        acc_b += weight * src_b[:, k, None]
        acc_c += weight * src_c[:, k, None]
        lp, lq = lp * (e + b2 * push) + lq * push, lp * (a2 + b2 * keep) + lq * keep
        if k == n_above:
            at_reset = lq
        if k % _RESCALE == 0:
            big = np.maximum(np.abs(lp) + np.abs(lq), 1e-300)
            lp, lq, acc_b, acc_c = lp / big, lq / big, acc_b / big, acc_c / big
            at_reset = at_reset / big
    qa = lq - reinjection * at_reset
    return qa, -acc_b, -acc_c


def lif_response(
    mu: np.ndarray | float,
    sigma: np.ndarray | float,
    s: np.ndarray,
    *,
    tau_m: np.ndarray | float,
    tau_ref: np.ndarray | float,
    theta: np.ndarray | float,
    v_reset: np.ndarray | float,
    tau_s: np.ndarray | float = 0.0,
    steps: tuple[int, int] = STEPS,
    extrapolate: bool = True,
) -> Response:
    """Return the rate response of LIF neurons to their mean and variance.

    Parameters
    ----------
    mu, sigma
        Mean and noise amplitude of the free membrane potential, mV (``sigma > 0``),
        as in :func:`twin.theory.siegert.siegert_rate`.
    s
        Laplace variables, 1/s, complex, shape ``(F,)`` or ``batch + (F,)`` (one set
        per neuron), ``2j * pi * f`` for frequencies ``f`` in Hz; ``Re s >= 0``
        (the no-flux condition far below reset selects the physical solution).
    tau_m, tau_ref
        Membrane time constant (``> 0``) and refractory period (``>= 0``), ms.
    theta, v_reset
        Threshold and reset, mV (``v_reset < theta``).
    tau_s
        Synaptic time constant, ms: shifted boundaries and a low-pass
        ``1 / (1 + s tau_s)`` on both responses (0: white noise).
    steps
        Integration steps between reset and threshold (at least: neurons whose
        span ``(theta - v_reset) / sigma`` needs steps longer than
        :data:`LONGEST_STEP` get up to 64 times as many), and below reset.
    extrapolate
        Also integrate with twice the steps and combine the two (Richardson
        extrapolation: the scheme's error is ``O(h^2)``, the result's ``O(h^4)``).

    Returns
    -------
    Response
        Batch shape: the broadcast shape of the neuron arguments.

    Raises
    ------
    TheoryInputError
        If a value is not finite, ``sigma <= 0``, ``tau_m <= 0``, ``tau_ref < 0``,
        ``tau_s < 0``, ``v_reset >= theta`` or ``Re s < 0``.

    Examples
    --------
    >>> neuron = {"tau_m": 20.0, "tau_ref": 2.0, "theta": 20.0, "v_reset": 10.0}
    >>> r = lif_response(15.0, 5.0, [0.0, 2j * np.pi * 1e5], **neuron)
    >>> round(float(r.rate), 2)  # the Siegert rate, Hz
    9.46
    >>> bool(abs(np.angle(r.mu[1]) + np.pi / 4) < 0.02)  # ~ 1/sqrt(i w) far up
    True
    """
    sigma = require("sigma (mV)", sigma, lambda x: x > 0, "> 0", "give the noise")
    mu = require("mu (mV)", mu, lambda x: x == x, "a number", "check the moments")
    tau_ref = require("tau_ref (ms)", tau_ref, lambda x: x >= 0, ">= 0", "fix it")
    gap = require(
        "theta - v_reset (mV)",
        np.asarray(theta, float) - np.asarray(v_reset, float),
        lambda x: x > 0,
        "> 0",
        "give v_reset < theta",
    )
    s = np.atleast_1d(np.asarray(s, complex))
    require("Re s (1/s)", s.real, lambda x: x >= 0, ">= 0", "use Re s >= 0")
    shift = colored_noise_shift(tau_s, tau_m)
    arrays = np.broadcast_arrays(
        mu, sigma, np.asarray(tau_m, float), tau_ref, np.asarray(theta, float), gap
    )
    shape = np.broadcast_shapes(arrays[0].shape, shift.shape, s.shape[:-1])
    out = (*shape, s.shape[-1])
    s = np.broadcast_to(s, out).reshape(-1, s.shape[-1])
    mu, sigma, tau, tau_ref, theta, gap, shift, tau_s = (
        np.broadcast_to(a, shape).ravel()
        for a in (*arrays, shift, np.asarray(tau_s, float))
    )
    y_th = np.minimum((theta - mu) / sigma + shift, _FAR)
    y_r = y_th - gap / sigma
    lam = s * _MS_TO_S * tau[:, None]
    lam = np.where(np.abs(lam) < _SMALLEST_LAMBDA, _SMALLEST_LAMBDA, lam)
    delayed = np.exp(-lam * (tau_ref / tau)[:, None])
    rate, r_mu = np.empty(tau.size), np.empty(lam.shape, complex)
    r_var = np.empty(lam.shape, complex)
    size = max(1, _CHUNK // s.shape[1])
    for rows, grid in _step_classes(y_th - y_r, steps):
        for lo in range(0, rows.size, size):
            part = rows[lo : lo + size]
            args = (y_th[part], y_r[part], tau_ref[part] / tau[part], lam[part])
            coarse = _ratios(*args, delayed[part], grid)
            if extrapolate:
                fine = _ratios(*args, delayed[part], (2 * grid[0], 2 * grid[1]))
                coarse = tuple(
                    (4.0 * f - c) / 3.0 for c, f in zip(coarse, fine, strict=True)
                )
            rate[part], r_mu[part], r_var[part] = coarse
    filt = 1.0 / (1.0 + s * _MS_TO_S * tau_s[:, None])
    per_ms = (1.0 / tau / _MS_TO_S)[:, None] * filt
    return Response(
        s=s.reshape(out),
        rate=(rate / tau / _MS_TO_S).reshape(shape),
        mu=(per_ms * r_mu / sigma[:, None]).reshape(out),
        sigma2=(per_ms * r_var / sigma[:, None] ** 2).reshape(out),
    )


def _step_classes(
    span: np.ndarray, steps: tuple[int, int]
) -> list[tuple[np.ndarray, tuple[int, int]]]:
    """Group rows by the steps their reset-to-threshold span needs.

    At least ``steps[0]``, and enough for steps of at most :data:`LONGEST_STEP`
    (in sigma), doubled up to ``2^6`` times: ``(rows, steps)`` per class.
    """
    need = np.ceil(span / LONGEST_STEP / steps[0])
    doublings = np.clip(np.ceil(np.log2(np.maximum(need, 1.0))), 0, 6).astype(int)
    return [
        (np.flatnonzero(doublings == k), (steps[0] * 2**k, steps[1]))
        for k in np.unique(doublings)
    ]


def _ratios(
    y_th: np.ndarray,
    y_r: np.ndarray,
    ref: np.ndarray,
    lam: np.ndarray,
    delayed: np.ndarray,
    steps: tuple[int, int],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``nu tau``, ``-q_b / q_a`` and ``-q_c / q_a`` on one grid."""
    y = _grid(y_th, y_r, steps)
    p0, q0, r0 = _stationary(y, steps[0], ref)
    qa, qb, qc = _first_order(y, steps[0], lam, p0, q0, delayed)
    return r0, -qb / qa, -qc / qa
