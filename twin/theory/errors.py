"""Errors of the mean-field theory, subclasses of :class:`twin.errors.TwinError`.

Every message names the offending value and the remedy (the twin's rule).
"""

from __future__ import annotations

from twin.errors import TwinError, UnsupportedError

__all__ = ["NoStationaryRateError", "NotDescribableError", "TheoryInputError"]


class TheoryInputError(TwinError, ValueError):
    """A value the theory cannot use.

    Negative noise, a non-positive time constant, a reset at or above threshold, a
    non-finite rate.
    """


class NotDescribableError(UnsupportedError):
    """A network the stationary mean-field theory cannot describe.

    Structured connectivity, spike-time sources, current stimuli, saturating
    synaptic inputs. The message names the projection, source or population and
    what the theory describes instead.
    """


class NoStationaryRateError(TwinError, ArithmeticError):
    """No single stable stationary rate.

    No fixed point converged, none is stable, or several are (the result's
    ``fixed_points`` lists what was found).
    """
