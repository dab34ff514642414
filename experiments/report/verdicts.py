"""Verdicts of a comparison: a platform agrees, a tier departs.

Every report judges rates the same way. The twin *agrees* with NEST at a point when
its mean over seeds is within ``max(15 % of NEST's, 2 combined standard deviations
over seeds)`` of NEST's (:func:`experiments.runs.analysis.allowed_difference`; with
one seed: 15 %). A tier *departs* from a reference tier run on the same network
realisations when the means differ by more than 15 % of the reference *and* by more
than 2 standard errors of the difference (significant): whether the tier's effects
move the ensemble mean, not whether one realisation falls outside the spread.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from experiments.runs.analysis import TOLERANCE, allowed_difference

__all__ = ["TOLERANCE", "RateStat", "agrees", "departs", "relative"]


class RateStat(Protocol):
    """A metric at a point over seeds (:class:`experiments.report.aggregate.Estimate`).

    Attributes
    ----------
    rate
        Mean over seeds.
    rate_sd
        Sample standard deviation over seeds.
    n
        Number of seeds.
    """

    @property
    def rate(self) -> float:
        """Mean over seeds."""
        ...

    @property
    def rate_sd(self) -> float:
        """Sample standard deviation over seeds."""
        ...

    @property
    def n(self) -> int:
        """Number of seeds."""
        ...


def agrees(twin: RateStat, nest: RateStat) -> bool:
    """Apply the statistical criterion of the module docstring.

    Parameters
    ----------
    twin, nest
        The point's statistics on the twin and on NEST (mean rate and its standard
        deviation over seeds, Hz).

    Returns
    -------
    bool
        Whether ``|twin.rate - nest.rate|`` is at most
        :func:`experiments.runs.analysis.allowed_difference`: ``max(TOLERANCE ·
        nest.rate, 2 · hypot(twin.rate_sd, nest.rate_sd))`` (TOLERANCE = 15 %).
    """
    allowed = allowed_difference(nest.rate, twin.rate_sd, nest.rate_sd)
    return abs(twin.rate - nest.rate) <= allowed


def departs(tier: RateStat, ref: RateStat) -> bool:
    """Return whether a tier's mean rate departs from a reference tier's.

    Parameters
    ----------
    tier
        The tier's statistics at a point (mean rate, its standard deviation over
        ``n`` seeds, Hz).
    ref
        The reference tier's statistics at the same point.

    Returns
    -------
    bool
        Whether ``|tier.rate - ref.rate|`` exceeds both ``TOLERANCE · ref.rate``
        (15 %) and ``2 · hypot(tier.rate_sd / sqrt(tier.n), ref.rate_sd /
        sqrt(ref.n))``.
    """
    se = float(np.hypot(tier.rate_sd / np.sqrt(tier.n), ref.rate_sd / np.sqrt(ref.n)))
    diff = abs(tier.rate - ref.rate)
    return diff > TOLERANCE * ref.rate and diff > 2 * se


def relative(rate: float, ref: float) -> str:
    """Format ``rate`` relative to ``ref`` as a signed percentage.

    Parameters
    ----------
    rate
        The value.
    ref
        The reference (a value below 1e-9 counts as 1e-9).

    Returns
    -------
    str
        ``100 (rate - ref) / ref`` with sign and one decimal, then ``" %"``.

    Examples
    --------
    >>> relative(11.4, 10.0)
    '+14.0 %'
    """
    return f"{100 * (rate - ref) / max(ref, 1e-9):+.1f} %"
