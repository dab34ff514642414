r"""The characteristic function :math:`\det(I - G(s))` of coupled LIF populations.

:math:`G` and the method are described in :mod:`twin.theory.stability`: the
coupling matrix from the rate responses of :mod:`twin.theory.response`, the count
of roots with :math:`\operatorname{Re}s > 0` by the argument principle along the
imaginary axis, and the roots themselves by the secant method.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import numpy as np

from twin.theory.response import lif_response

__all__ = [
    "STARTS",
    "Characteristic",
    "DetAt",
    "count_roots",
    "det_of",
    "phase_change",
    "right_half_plane_roots",
    "root_starts",
    "secant_roots",
]

_MS: Final = 1e-3
#: Phase steps (rad) between samples above this are bisected ...
_LARGEST_STEP: Final = np.pi / 4
#: ... at most this many times.
_BISECTIONS: Final = 6
_SECANT_STEPS: Final = 12
#: Starts of the secant method from the imaginary axis (:func:`root_starts`).
STARTS: Final = 3
#: A refined root is accepted where |det| has fallen below this.
_ROOT_TOLERANCE: Final = 1e-6


def det_of(matrix: np.ndarray) -> np.ndarray:
    """Return ``det(I - matrix)`` over the last two axes."""
    n = matrix.shape[-1]
    return np.asarray(np.linalg.det(np.eye(n) - matrix))


def _coupling(
    neurons: dict[str, np.ndarray],
    dmu: np.ndarray,
    dvar: np.ndarray,
    delay: np.ndarray,
    s: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``G(s)`` ``(B, F, n, n)`` and its high-frequency modulus ``(B, n, n)``.

    The modulus is ``lim |G(i w)| = (nu_k / sigma_k^2) |d sigma_k^2 / d nu_l|``
    (``R_mu`` vanishes, ``R_sigma2 -> nu / sigma^2``; the delays only turn phases).

    ``neurons``: flat ``(B, n)`` arrays; ``s``: ``(F,)`` or ``(B, 1, F)``. Identical
    neurons (every population of every point) are integrated once.
    """
    keys = ("mu", "sigma", "tau_m", "tau_ref", "theta", "v_reset", "tau_s")
    rows = np.stack([neurons[k].ravel() for k in keys], axis=1)
    b, n = neurons["mu"].shape
    if s.ndim == 1:
        unique, inverse = np.unique(rows, axis=0, return_inverse=True)
        inverse = inverse.ravel()
        s_rows: np.ndarray = s
    else:
        s_all = np.broadcast_to(s, (b, n, s.shape[-1])).reshape(b * n, -1)
        keyed = np.concatenate([rows, s_all.real, s_all.imag], axis=1)
        unique_keyed, inverse = np.unique(keyed, axis=0, return_inverse=True)
        inverse = inverse.ravel()
        unique = unique_keyed[:, : rows.shape[1]]
        f = s_all.shape[1]
        s_rows = unique_keyed[:, rows.shape[1] : rows.shape[1] + f]
        s_rows = s_rows + 1j * unique_keyed[:, rows.shape[1] + f :]
    resp = lif_response(
        unique[:, 0],
        unique[:, 1],
        s_rows,
        tau_m=unique[:, 2],
        tau_ref=unique[:, 3],
        theta=unique[:, 4],
        v_reset=unique[:, 5],
        tau_s=unique[:, 6],
    )
    r_mu = resp.mu[inverse].reshape(b, n, -1)
    r_var = resp.sigma2[inverse].reshape(b, n, -1)
    s_b = np.broadcast_to(s, (b, 1, s.shape[-1]))[:, 0, :]
    phase = np.exp(-s_b[:, :, None, None] * delay[:, None, :, :] * _MS)
    g = (
        r_mu.transpose(0, 2, 1)[..., None] * dmu[:, None]
        + r_var.transpose(0, 2, 1)[..., None] * dvar[:, None]
    ) * phase
    var_limit = (resp.rate / unique[:, 1] ** 2)[inverse].reshape(b, n)
    return g, var_limit[..., None] * np.abs(dvar)


@dataclass(frozen=True, slots=True, eq=False)
class Characteristic:
    """``det(I - G(s))`` of a batch of points.

    Flat ``(B, n)`` neuron arrays (keys ``mu, sigma, tau_m, tau_ref, theta,
    v_reset, tau_s``) and ``(B, n, n)`` couplings, as
    :func:`twin.theory.stability.lif_stability` builds them.
    """

    neurons: dict[str, np.ndarray]
    dmu: np.ndarray
    dvar: np.ndarray
    delay: np.ndarray

    def coupling(self, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return ``G(s)`` and its high-frequency modulus, ``s`` ``(F,)``."""
        return _coupling(self.neurons, self.dmu, self.dvar, self.delay, s)

    def det(self, owner: np.ndarray, s: np.ndarray) -> np.ndarray:
        """Return ``det(I - G(s_j))`` of point ``owner[j]`` for each ``j``."""
        neurons = {k: v[owner] for k, v in self.neurons.items()}
        g, _ = _coupling(
            neurons,
            self.dmu[owner],
            self.dvar[owner],
            self.delay[owner],
            s[:, None, None],
        )
        return det_of(g)[:, 0]


#: ``det_at(owner, s)``: the characteristic function of point ``owner[j]`` at
#: ``s[j]`` (1/s), both ``(K,)``.
DetAt = Callable[[np.ndarray, np.ndarray], np.ndarray]


def phase_change(det_at: DetAt, freq: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Return the continuous phase change of ``d`` ``(B, F)`` over ``freq``, ``(B,)``.

    Sum of the principal phase steps between neighbouring samples; an interval
    whose step exceeds :data:`_LARGEST_STEP` is bisected (up to :data:`_BISECTIONS`
    times, evaluating ``det_at`` at the midpoints), so a curve passing close to 0
    between two samples is followed.
    """
    b, f = d.shape
    owner = np.repeat(np.arange(b), f - 1)
    lo, hi = np.tile(freq[:-1], b), np.tile(freq[1:], b)
    d_lo, d_hi = d[:, :-1].ravel(), d[:, 1:].ravel()
    total = np.zeros(b)
    for depth in range(_BISECTIONS + 1):
        step = np.angle(d_hi / d_lo)
        split = np.abs(step) > _LARGEST_STEP
        if depth == _BISECTIONS:
            split[:] = False
        np.add.at(total, owner[~split], step[~split])
        if not split.any():
            break
        owner, lo, hi, d_lo, d_hi = (x[split] for x in (owner, lo, hi, d_lo, d_hi))
        mid = 0.5 * (lo + hi)
        d_mid = det_at(owner, 2j * np.pi * mid)
        owner = np.concatenate([owner, owner])
        lo, hi = np.concatenate([lo, mid]), np.concatenate([mid, hi])
        d_lo, d_hi = np.concatenate([d_lo, d_mid]), np.concatenate([d_mid, d_hi])
    return total


def right_half_plane_roots(
    det_at: DetAt, freq: np.ndarray, d: np.ndarray, end_phase: np.ndarray
) -> np.ndarray:
    """Return the number of roots with ``Re s > 0`` by the argument principle.

    Parameters
    ----------
    det_at
        The characteristic function, for bisections.
    freq, d
        Frequencies ``(F,)``, Hz, increasing from 0, and the function there,
        ``(B, F)`` (real at 0, conjugate-symmetric, no root on the axis).
    end_phase
        ``(B,)``: the phase the function has at ``freq[-1]`` when followed along
        the large half circle, where it no longer winds (for ``det(I - G)`` with
        the spectral radius of ``G`` below 1: the sum of the principal phases of
        ``1 - g_j``, ``g_j`` the eigenvalues of ``G``).

    Returns
    -------
    np.ndarray
        Root counts, int, ``(B,)``: ``(end_phase - delta) / pi`` with ``delta`` the
        continuous phase change from ``freq[0] = 0`` to ``freq[-1]`` (the axis from
        ``+iR`` to ``-iR`` turns the phase by ``-2 delta`` by conjugate symmetry, the
        half circle by ``2 end_phase``; the count is odd where ``d(0) < 0``).
    """
    change = phase_change(det_at, freq, d)
    return np.maximum(np.rint((end_phase - change) / np.pi).astype(int), 0)


def count_roots(
    system: Characteristic, freq: np.ndarray, g: np.ndarray, limit_modulus: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return the root count and whether it is resolved, from ``G(i w)``."""
    eig = np.linalg.eigvals(g[:, -1])
    ends = np.sum(np.angle(1.0 - eig), axis=-1)
    roots = right_half_plane_roots(system.det, freq, det_of(g), ends)
    top = g[:, -max(2, freq.size // 4) :]
    radius = np.max(np.abs(np.linalg.eigvals(top)), axis=(-2, -1))
    limit = np.max(np.abs(np.linalg.eigvals(limit_modulus)), axis=-1)
    return roots, np.asarray((radius < 1.0) & (limit < 1.0))


def root_starts(d: np.ndarray, count: int = STARTS) -> np.ndarray:
    r"""Return sample indices ``(B, count)`` near which roots in ``Re s > 0`` lie.

    Near a root :math:`s^* = \gamma + i\omega^*` the axis sees
    :math:`d \approx c\,(i\omega - s^*)`, whose phase turns by :math:`-\pi` (clockwise)
    for :math:`\gamma > 0` and by :math:`+\pi` for :math:`\gamma < 0`. The local minima
    of ``|d|`` are ranked by the phase turn over two samples each side, most
    clockwise first; a point with fewer minima repeats its first.
    """
    magnitude = np.abs(d)
    inner = (magnitude[:, 1:-1] <= magnitude[:, :-2]) & (
        magnitude[:, 1:-1] <= magnitude[:, 2:]
    )
    local = np.zeros(d.shape, bool)
    local[:, 2:-2] = inner[:, 1:-1]
    steps = np.angle(d[:, 1:] / d[:, :-1])
    turn = np.zeros(d.shape)
    turn[:, 2:-2] = steps[:, :-3] + steps[:, 1:-2] + steps[:, 2:-1] + steps[:, 3:]
    ranked = np.argsort(np.where(local, turn, np.inf), axis=1)[:, :count]
    found = np.take_along_axis(local, ranked, axis=1)
    return np.where(found, ranked, ranked[:, :1])


def secant_roots(system: Characteristic, start: np.ndarray) -> np.ndarray:
    """Return roots of ``det(I - G(s))`` by the secant method from ``start`` (1/s).

    One start per point of ``system``; NaN where the iteration does not converge to
    a root with ``Re s > 0``. Converged starts stop iterating.
    """
    s0 = start.astype(complex)
    s1 = s0 + 0.05 * np.abs(s0) + 1.0
    every = np.arange(start.size)
    f0, f1 = system.det(every, s0), system.det(every, s1)
    active = every
    for _ in range(_SECANT_STEPS):
        active = active[np.abs(f1[active]) >= _ROOT_TOLERANCE]
        if active.size == 0:
            break
        a0, a1, g0, g1 = s0[active], s1[active], f0[active], f1[active]
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            a2 = a1 - g1 * (a1 - a0) / (g1 - g0)
        a2 = np.where(np.isfinite(a2), a2, a1)
        a2 = np.where(a2.real < 0, 1j * a2.imag, a2)
        s0[active], f0[active], s1[active] = a1, g1, a2
        # a step may land far out (|s| large): det overflows to inf/NaN there and
        # the start ends unconverged (NaN), as documented
        with np.errstate(invalid="ignore", over="ignore"):
            f1[active] = system.det(active, a2)
    good = (np.abs(f1) < _ROOT_TOLERANCE) & (s1.real > 0)
    return np.where(good, s1, np.nan)
