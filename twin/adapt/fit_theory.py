"""The weight-factor fit's first guess: the mean-field rates of the adapted network.

The theory (:mod:`twin.theory`) describes conductance-based networks only (it refuses
current-based cells by name), so the guess is of the *adapted* network's rates
against the original network's emulated rates: the factor where the mean relative
rate difference (:func:`mismatch`) crosses zero, interpolated linearly between the
two grid factors around it. A network or point the theory cannot describe gives no
guess (``None``), never an error: the emulated fit does not need it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from twin.adapt.fit_runs import Point
from twin.adapt.weights import scale_weights
from twin.errors import TwinError
from twin.network import Network

__all__ = ["crossing", "mismatch", "theory_guess"]


def mismatch(rates: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Return the mean relative rate difference of each candidate.

    ``d = mean over (point, population) with target > 0 of (rate - target) / target``;
    entries where either is NaN are left out.

    Parameters
    ----------
    rates
        Candidates' rates, Hz, shape ``(n_candidates, n_points, n_populations)``.
    target
        Target rates, Hz, shape ``(n_points, n_populations)``.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_candidates,)``; NaN for a candidate with no usable entry.

    Examples
    --------
    >>> mismatch(np.array([[[5.0, 20.0]], [[10.0, 10.0]]]), np.array([[10.0, 10.0]]))
    array([0.25, 0.  ])
    """
    rel = (rates - target) / np.where(target > 0, target, np.nan)
    used = np.isfinite(rel)
    total = np.where(used, rel, 0.0).sum(axis=(1, 2))
    count = used.sum(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def crossing(factors: np.ndarray, d: np.ndarray) -> tuple[int, float] | None:
    """Return the first zero crossing of ``d`` over increasing ``factors``.

    Parameters
    ----------
    factors
        Increasing factors, shape ``(n,)``.
    d
        The mismatch at each, shape ``(n,)`` (NaN entries are skipped).

    Returns
    -------
    tuple of (int, float) or None
        ``(i, f)``: the zero lies between the ``i``-th and the next finite entry
        (or at ``factors[i]``), ``f`` by linear interpolation of ``d`` there;
        ``None`` if ``d`` does not change sign.

    Examples
    --------
    >>> crossing(np.array([1.0, 2.0, 3.0]), np.array([-0.5, -0.25, 0.25]))
    (1, 2.5)
    """
    keep = np.flatnonzero(np.isfinite(d))
    f, y = factors[keep], d[keep]
    for k in range(f.size):
        if y[k] == 0:
            return int(keep[k]), float(f[k])
        if k + 1 < f.size and np.sign(y[k]) != np.sign(y[k + 1]) and y[k + 1] != 0:
            t = y[k] / (y[k] - y[k + 1])
            return int(keep[k]), float(f[k] + t * (f[k + 1] - f[k]))
    return None


def theory_rates(
    network: Network, points: Sequence[Point], factors: Sequence[float] | np.ndarray
) -> np.ndarray | None:
    """Return the theory's rates of ``network`` at each factor and point.

    Parameters
    ----------
    network
        A conductance-based network (:func:`twin.theory.rates_over`).
    points
        The points (g and rate scales).
    factors
        Weight factors, each on every weight.

    Returns
    -------
    numpy.ndarray or None
        Rates, Hz, shape ``(n_factors, n_points, n_populations)`` in the network's
        population order, NaN where no single stable fixed point was found;
        ``None`` where the theory cannot describe the network.
    """
    from twin.theory import rates_over

    g = np.array([p.g_scale for p in points])
    r = np.array([p.rate_scale for p in points])
    out = []
    for f in factors:
        scaled, _ = scale_weights(float(f))(network)
        try:
            found = rates_over(scaled, g, r)
        except TwinError:  # refused (not describable) or a bad input
            return None
        out.append([x.stationary.rates_or_nan() for x in found])
    return np.asarray(out, dtype=float)


def theory_guess(
    network: Network,
    target: np.ndarray,
    points: Sequence[Point],
    factors: Sequence[float] | np.ndarray,
) -> float | None:
    """Return the factor where the theory's rates cross the target, or ``None``.

    Parameters
    ----------
    network
        The adapted (conductance-based) network.
    target
        Target rates, Hz, shape ``(n_points, n_populations)``, populations in the
        network's order.
    points
        The points.
    factors
        Increasing candidate factors.

    Returns
    -------
    float or None
        The interpolated crossing; ``None`` if the theory cannot describe the
        network or its mismatch does not cross zero over ``factors``.
    """
    rates = theory_rates(network, points, factors)
    if rates is None:
        return None
    found = crossing(np.asarray(factors, float), mismatch(rates, target))
    return None if found is None else found[1]
