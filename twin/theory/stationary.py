"""The result of a self-consistent solve: fixed points, their stability and flags.

A :class:`Stationary` never hands out a number silently: :attr:`Stationary.rates` is
the one stable fixed point, or raises :class:`NoStationaryRateError` naming what was
found; :attr:`Stationary.flags` says where an approximation behind the number is
stretched (the rates are then given, and the flag travels with them).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np

from twin.theory.errors import NoStationaryRateError

__all__ = ["CAVEATS", "FixedPoint", "Flag", "Stationary"]


class Flag(enum.Enum):
    """What a stationary result may carry; the value is the explanation."""

    NO_FIXED_POINT = "no fixed point converged from any start"
    NO_STABLE_FIXED_POINT = "fixed points were found, none is stable"
    MULTISTABLE = "more than one stable fixed point"
    SLOW_SYNAPSES = (
        "sqrt(tau_s / tau_eff) above twin.theory.FAST_SYNAPSE_LIMIT: the "
        "Fourcaud-Brunel correction is a first-order expansion in it"
    )
    LARGE_PSPS = (
        "PSPs above twin.theory.SMALL_PSP_LIMIT of theta - v_reset: the diffusion "
        "approximation assumes many small inputs"
    )
    REGULAR_FIRING = (
        "nu x tau_ref above twin.theory.REGULAR_LIMIT: the neurons fire near their "
        "maximum rate, nearly periodically (Brunel's synchronous regular state); "
        "the theory's Poisson input assumption does not hold"
    )
    EXPONENTIAL_THRESHOLD = (
        "EIF neurons (delta_T > 0) are treated as LIF with a hard threshold at v_thresh"
    )
    OSCILLATORY = (
        "the stationary state is linearly unstable (twin.theory.stability): the "
        "population activity oscillates or runs away, and the stationary rate is "
        "not what a simulation shows"
    )


#: Flags under which a rate is still given (an approximation is stretched; the flag
#: travels with the number). Any other flag means there is no stationary rate to
#: read: :attr:`Stationary.rates` raises and :meth:`Stationary.rates_or_nan` is NaN.
CAVEATS: frozenset[Flag] = frozenset(
    {Flag.SLOW_SYNAPSES, Flag.LARGE_PSPS, Flag.EXPONENTIAL_THRESHOLD}
)


@dataclass(frozen=True, slots=True, eq=False)
class FixedPoint:
    """One solution of ``nu = F(nu)``.

    Attributes
    ----------
    rates
        Population rates, Hz, shape ``(n_populations,)``.
    residual
        ``max |F(nu) - nu|`` at ``rates``, Hz.
    growth
        Largest real part of the eigenvalues of ``dF/dnu - 1`` (in units of the
        pseudo-time ``tau``): negative for a fixed point stable under the rate
        dynamics ``tau dnu/dt = -nu + F(nu)``.
    """

    rates: np.ndarray
    residual: float
    growth: float

    @property
    def stable(self) -> bool:
        """Whether the rate dynamics return to this point (``growth < 0``)."""
        return self.growth < 0


@dataclass(frozen=True, slots=True, eq=False)
class Stationary:
    """Stationary rates of the populations of one point, with their caveats.

    Attributes
    ----------
    populations
        Population names, in the order of every rate vector.
    fixed_points
        Every distinct fixed point found, stable ones first, by increasing mean rate.
    flags
        The :class:`Flag` set of this point.
    """

    populations: tuple[str, ...]
    fixed_points: tuple[FixedPoint, ...]
    flags: frozenset[Flag]

    @property
    def stable(self) -> tuple[FixedPoint, ...]:
        """The stable fixed points."""
        return tuple(p for p in self.fixed_points if p.stable)

    @property
    def ok(self) -> bool:
        """Whether there is exactly one stable fixed point."""
        return len(self.stable) == 1

    @property
    def readable(self) -> bool:
        """Whether there is a rate to read: :attr:`ok`, and no flag but caveats."""
        return self.ok and self.flags <= CAVEATS

    @property
    def rates(self) -> np.ndarray:
        """The rates of the one stable fixed point, Hz, shape ``(n_populations,)``.

        Raises
        ------
        NoStationaryRateError
            If no or several stable fixed points were found, or a flag other than
            the :data:`CAVEATS` says the stationary rate means nothing here
            (e.g. :attr:`Flag.OSCILLATORY`, :attr:`Flag.REGULAR_FIRING`).
        """
        if self.readable:
            return self.stable[0].rates
        found = [np.round(p.rates, 3).tolist() for p in self.fixed_points]
        stable = [p.stable for p in self.fixed_points]
        flags = sorted(f.name for f in self.flags - CAVEATS)
        raise NoStationaryRateError(
            f"populations {list(self.populations)}: {len(self.stable)} stable fixed "
            f"points (found {found} Hz, stable {stable}), flags {flags}; no "
            "stationary rate to read here: read .fixed_points and .flags, or treat "
            "the point as non-stationary"
        )

    def rates_or_nan(self) -> np.ndarray:
        """Return :attr:`rates`, or NaN for each population where not readable."""
        if self.readable:
            return self.rates
        return np.full(len(self.populations), np.nan)

    def with_flags(self, *flags: Flag) -> Stationary:
        """Return a copy with ``flags`` added."""
        return Stationary(self.populations, self.fixed_points, self.flags | set(flags))
