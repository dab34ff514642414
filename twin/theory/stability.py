r"""Linear stability of the asynchronous state of coupled LIF populations.

A small perturbation :math:`\delta\nu_l e^{st}` of the population rates modulates the
input of population ``k`` by :math:`\delta\mu_k = \sum_l \partial_l\mu_k\,
\delta\nu_l e^{-sD_{kl}}` and :math:`\delta\sigma^2_k = \sum_l \partial_l\sigma^2_k\,
\delta\nu_l e^{-sD_{kl}}` (delays :math:`D_{kl}`), which modulates its rate through
the linear response of :mod:`twin.theory.response`. Self-consistency,
:math:`(I - G(s))\,\delta\nu = 0` with

.. math::

    G_{kl}(s) = \big[R_{\mu,k}(s)\,\partial_l\mu_k
        + R_{\sigma^2,k}(s)\,\partial_l\sigma^2_k\big]\, e^{-sD_{kl}},

has a solution growing in time where :math:`\det(I - G(s)) = 0` for some
:math:`\operatorname{Re}s > 0` (Brunel & Hakim 1999; Brunel 2000, §3
for two populations). The roots in the right half plane are counted by the argument
principle along the imaginary axis: with :math:`\theta(\omega)` the continuous phase
of :math:`d(\omega) = \det(I - G(i\omega))` from :math:`\theta(0) \in \{0, \pi\}`,

.. math::

    N = \frac{1}{\pi}\Big[\sum_j \operatorname{Arg}(1 - g_j(i\omega_\max))
        - \theta(\omega_\max)\Big],

where :math:`g_j` are the eigenvalues of :math:`G(i\omega_\max)`; valid when the
spectral radius of :math:`G` stays below 1 beyond :math:`\omega_\max` (then the
large half circle adds the principal phases). :math:`R_\mu` decays as
:math:`\omega^{-1/2}` but :math:`R_{\sigma^2} \to \nu/\sigma^2`, so
:math:`|G| \to A = (\nu_k/\sigma_k^2)|\partial_l\sigma_k^2|` (a neutral delay system:
its roots far up the axis have :math:`\operatorname{Re}s \approx \ln\rho(A)/D`). A
point is :attr:`Stability.resolved` where :math:`\rho(A) < 1` and the spectral radius
of :math:`G` is below 1 over the top quarter of the sampled frequencies (a check, not
a bound: a resonance beyond them is not excluded). Between samples the phase is
followed by bisection where it turns fast. The leading unstable root is refined by
the secant method in the complex plane from the deepest minima of :math:`|d|`
on the axis; the root with the largest real part is reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

from twin.theory.characteristic import (
    Characteristic,
    count_roots,
    det_of,
    root_starts,
    secant_roots,
)
from twin.theory.current import CurrentNetwork
from twin.theory.errors import TheoryInputError
from twin.theory.validate import require

__all__ = [
    "GRID_STEP",
    "Stability",
    "current_stability",
    "default_frequencies",
    "lif_stability",
]

_MS: Final = 1e-3
#: The largest step of :func:`default_frequencies` above 20 Hz.
GRID_STEP: Final = 40.0
#: A start of the secant method on the real axis (1/s), for rate instabilities.
_REAL_START: Final = 50.0


@dataclass(frozen=True, slots=True, eq=False)
class Stability:
    """The linear stability of the stationary state of a batch of points.

    Attributes
    ----------
    roots
        Roots of ``det(I - G(s))`` with ``Re s > 0`` (int), shape ``batch``; -1 for a
        point not analysed (no stationary rate, or no noise).
    resolved
        Whether the count holds: ``G``'s tail bound beyond the highest frequency
        has spectral radius below 1 (bool), shape ``batch``.
    frequency_hz
        ``Im s / 2 pi`` of the leading unstable root, Hz (NaN where stable; 0 for a
        real root: a rate instability), shape ``batch``.
    growth_per_s
        ``Re s`` of that root, 1/s (NaN where stable or where the refinement did
        not converge; then ``frequency_hz`` is where ``|det|`` is least on the
        axis), shape ``batch``.
    """

    roots: np.ndarray
    resolved: np.ndarray
    frequency_hz: np.ndarray
    growth_per_s: np.ndarray

    @property
    def unstable(self) -> np.ndarray:
        """Whether the stationary state is linearly unstable (bool, ``batch``)."""
        return np.asarray(self.roots > 0)

    @property
    def oscillatory(self) -> np.ndarray:
        """Whether it is unstable through an oscillating mode (bool, ``batch``)."""
        return np.asarray(self.unstable & (np.nan_to_num(self.frequency_hz) > 0))


def default_frequencies(delay_ms: float, top_hz: float = 2000.0) -> np.ndarray:
    """Return the frequencies (Hz) the imaginary axis is sampled at, ``(F,)``.

    0, then 8 log-spaced from 1 to 20 Hz, then steps of at most :data:`GRID_STEP`
    and at most ``1/(10 D)`` (the delay turns the phase by ``2 pi f D``) up to
    ``top_hz``. Where the phase of ``det(I - G)`` turns fast between two samples
    the interval is bisected (:func:`twin.theory.characteristic.phase_change`).

    Raises
    ------
    TheoryInputError
        If ``delay_ms < 0`` or ``top_hz <= 20``.
    """
    delay = float(require("delay (ms)", delay_ms, lambda x: x >= 0, ">= 0", "fix it"))
    top = float(require("top (Hz)", top_hz, lambda x: x > 20, "> 20", "raise it"))
    step = min(GRID_STEP, 1.0 / (10.0 * delay * _MS)) if delay > 0 else GRID_STEP
    count = int(np.ceil((top - 20.0) / step))
    return np.concatenate(
        [[0.0], np.geomspace(1.0, 20.0, 8), np.linspace(20.0, top, count + 1)[1:]]
    )


def lif_stability(
    mu: np.ndarray,
    sigma: np.ndarray,
    *,
    tau_m: np.ndarray | float,
    tau_ref: np.ndarray | float,
    theta: np.ndarray | float,
    v_reset: np.ndarray | float,
    tau_s: np.ndarray | float,
    dmu_drate: np.ndarray,
    dsigma2_drate: np.ndarray,
    delay_ms: np.ndarray | float,
    frequencies_hz: np.ndarray | None = None,
    refine: bool = True,
) -> Stability:
    """Return the linear stability of ``n`` coupled LIF populations at a fixed point.

    The generic entry: current-based populations (:func:`current_stability`), or
    conductance-based ones through their effective LIF at the fixed point
    (``tau_m = tau_eff``, ``mu`` the effective mean, ``sigma`` the effective noise
    amplitude; the modulation of ``tau_eff`` by the rates is neglected).

    Parameters
    ----------
    mu, sigma
        Mean and noise amplitude of each population's free membrane potential at
        the fixed point, mV, shape ``batch + (n,)``; the convention of
        :func:`twin.theory.siegert.siegert_rate` (``sigma > 0``).
    tau_m, tau_ref, theta, v_reset, tau_s
        Per population (ms, ms, mV, mV, ms), broadcastable to ``batch + (n,)``.
    dmu_drate, dsigma2_drate
        ``[..., k, l]``: derivative of ``mu_k`` (mV/Hz) and of ``sigma_k ** 2``
        (mV^2/Hz) with respect to the rate of population ``l`` at the fixed point,
        shape ``batch + (n, n)``.
    delay_ms
        ``D[..., k, l]``: delay from ``l`` to ``k``, ms, broadcastable to
        ``batch + (n, n)``.
    frequencies_hz
        Increasing frequencies from 0 sampling the imaginary axis (default:
        :func:`default_frequencies` for the largest delay).
    refine
        Refine the leading unstable root in the complex plane (else its frequency is
        where ``|det(I - G)|`` is least on the axis and the growth rate is NaN).

    Returns
    -------
    Stability
        Shape ``batch``. A point with a non-finite ``mu`` or coupling (no stationary
        rate: pass NaN) or ``sigma <= 0`` is skipped: ``roots`` -1, not resolved.

    Raises
    ------
    TheoryInputError
        If a shape does not fit, a neuron parameter breaks the rules of
        :func:`twin.theory.response.lif_response`, a delay is negative, or the
        frequencies do not start at 0 and increase.
    """
    mu = np.asarray(mu, float)
    if mu.ndim == 0:
        mu = mu[None]
    batch, n = mu.shape[:-1], mu.shape[-1]
    shape = (*batch, n)
    given = {"mu": mu, "sigma": sigma, "tau_m": tau_m, "tau_ref": tau_ref}
    given |= {"theta": theta, "v_reset": v_reset, "tau_s": tau_s}
    neurons = {
        k: np.broadcast_to(np.asarray(v, float), shape).reshape(-1, n)
        for k, v in given.items()
    }
    square = (*batch, n, n)
    delay = require("delay (ms)", delay_ms, lambda x: x >= 0, ">= 0", "fix it")
    dmu, dvar, delay = (
        np.broadcast_to(np.asarray(x, float), square).reshape(-1, n, n)
        for x in (dmu_drate, dsigma2_drate, delay)
    )
    if frequencies_hz is None:
        frequencies_hz = default_frequencies(float(delay.max(initial=0.0)))
    freq = require("frequencies (Hz)", frequencies_hz, lambda x: x >= 0, ">= 0", "fix")
    if freq.ndim != 1 or freq.size < 2 or freq[0] != 0 or np.any(np.diff(freq) <= 0):
        raise _frequency_error(freq)
    noisy = np.isfinite(neurons["mu"]) & (np.nan_to_num(neurons["sigma"]) > 0)
    valid = np.all(noisy, axis=1)
    valid &= np.all(np.isfinite(dmu) & np.isfinite(dvar), axis=(1, 2))
    b = valid.size
    roots, resolved = np.full(b, -1), np.zeros(b, bool)
    frequency, growth = np.full(b, np.nan), np.full(b, np.nan)
    if valid.any():
        system = Characteristic(
            {k: v[valid] for k, v in neurons.items()},
            dmu[valid],
            dvar[valid],
            delay[valid],
        )
        found = _solve(system, freq, refine)
        roots[valid], resolved[valid], frequency[valid], growth[valid] = found
    return Stability(
        roots=roots.reshape(batch),
        resolved=resolved.reshape(batch),
        frequency_hz=frequency.reshape(batch),
        growth_per_s=growth.reshape(batch),
    )


def _solve(
    system: Characteristic, freq: np.ndarray, refine: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return roots, resolved, frequency (Hz) and growth (1/s) of every point."""
    s = 2j * np.pi * freq
    g, limit_modulus = system.coupling(s)
    roots, resolved = count_roots(system, freq, g, limit_modulus)
    d = det_of(g)
    unstable = roots > 0
    runaway = unstable & (d[:, 0].real < 0)  # an odd count: a real root
    index = root_starts(d)
    frequency = np.where(unstable, freq[index[:, 0]], np.nan)
    frequency = np.where(runaway, 0.0, frequency)
    growth = np.full(frequency.shape, np.nan)
    if refine and unstable.any():
        rows, starts = _starts(index, s, unstable, runaway)
        sub = {k: v[rows] for k, v in system.neurons.items()}
        root = secant_roots(
            Characteristic(
                sub, system.dmu[rows], system.dvar[rows], system.delay[rows]
            ),
            starts,
        )
        found = np.isfinite(root)
        rows, root = rows[found], root[found]
        lead = np.full(len(d), -np.inf)
        np.maximum.at(lead, rows, root.real)
        best = root.real == lead[rows]
        frequency[rows[best]] = np.abs(root[best].imag) / (2 * np.pi)
        growth[rows[best]] = root[best].real
    return roots, resolved, frequency, growth


def _starts(
    index: np.ndarray, s: np.ndarray, unstable: np.ndarray, runaway: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return the rows and starts of the secant method, ``(K,)`` each.

    Each unstable point's distinct axis starts, and a real one where the count is
    odd (a real root).
    """
    distinct = np.ones(index.shape, bool)
    for j in range(1, index.shape[1]):
        distinct[:, j] = np.all(index[:, j, None] != index[:, :j], axis=1)
    distinct &= unstable[:, None]
    rows = np.nonzero(distinct)[0]
    starts = s[index[distinct]]
    real = np.flatnonzero(runaway)
    return (
        np.concatenate([rows, real]),
        np.concatenate([starts, np.full(real.size, _REAL_START, complex)]),
    )


def _frequency_error(freq: np.ndarray) -> TheoryInputError:
    return TheoryInputError(
        f"frequencies {freq[:4].tolist()}... (shape {freq.shape}) must be 1-d, start "
        "at 0 and increase: give e.g. twin.theory.stability.default_frequencies(D)"
    )


def current_stability(
    network: CurrentNetwork,
    rates: np.ndarray,
    delay_ms: np.ndarray | float,
    *,
    tau_s: np.ndarray | float | None = None,
    frequencies_hz: np.ndarray | None = None,
    refine: bool = True,
) -> Stability:
    """Return the linear stability of a current-based network at rates ``nu``.

    ``mu`` and ``sigma^2`` are linear in the rates (:meth:`CurrentNetwork.moments`):
    ``d mu_k / d nu_l = tau_k C_kl J_kl``, ``d sigma_k^2 / d nu_l = tau_k C_kl
    J_kl^2`` (Brunel 2000, eqs. 4-5).

    Parameters
    ----------
    network
        The populations and couplings (batch shape ``batch``).
    rates
        The fixed point, Hz, shape ``batch + (n,)`` (e.g. from
        :func:`twin.theory.fixed_point.solve_rates`); NaN at a point without one
        (the point is skipped, as in :func:`lif_stability`).
    delay_ms
        Delays ``D[..., k, l]``, ms, broadcastable to ``batch + (n, n)``.
    tau_s
        Synaptic time constants per population, ms (default: each population's
        ``tau_syn``).
    frequencies_hz, refine
        As :func:`lif_stability`.

    Returns
    -------
    Stability
        Shape ``batch``.
    """
    rates = np.asarray(rates, float)
    known = np.where(np.isnan(rates), 0.0, rates)
    require("rates (Hz)", known, lambda x: x >= 0, ">= 0 or NaN", "give a fixed point")
    mu, sigma = network.moments(rates)
    tau = np.array([p.tau_m for p in network.populations])
    cj = network.in_degree * network.jump
    scale = (tau * _MS)[:, None]
    if tau_s is None:
        tau_s = np.array([p.tau_syn for p in network.populations])
    return lif_stability(
        mu,
        sigma,
        tau_m=tau,
        tau_ref=np.array([p.tau_ref for p in network.populations]),
        theta=np.array([p.theta for p in network.populations]),
        v_reset=np.array([p.v_reset for p in network.populations]),
        tau_s=tau_s,
        dmu_drate=np.broadcast_to(scale * cj, (*mu.shape, mu.shape[-1])),
        dsigma2_drate=np.broadcast_to(
            scale * cj * network.jump, (*mu.shape, mu.shape[-1])
        ),
        delay_ms=delay_ms,
        frequencies_hz=frequencies_hz,
        refine=refine,
    )
