"""Normal draws redrawn outside bounds, with PyNN's semantics and a check first.

PyNN's ``normal_clipped`` redraws out-of-bounds values at most ``MAX_REDRAWS + 1``
rounds (``pyNN.random``); workloads that vary parameters as their NEST scripts do, and
the variation step :func:`twin.adapt.with_variation`, use these functions so that the
same distribution fails, or succeeds, the same way (``experiments.runs.draws``
re-exports them).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Final

import numpy as np
from scipy.special import ndtr

from twin.errors import ConfigError

__all__ = [
    "MAX_REDRAWS",
    "MIN_ACCEPTANCE",
    "check_clipped_normal",
    "clipped_normal_acceptance",
    "normal_clipped",
    "redraw",
]

#: Redraw bound of every re-drawing loop, as PyNN's ``pyNN.random.MAX_REDRAWS``:
#: PyNN checks ``iterations > MAX_REDRAWS`` before each redraw round, so it gives up
#: when values are still out of bounds after ``MAX_REDRAWS + 1`` rounds.
MAX_REDRAWS: Final = 1000
#: Smallest acceptance probability p = P(low <= X <= high), X ~ N(mean, sd), that a
#: clipped normal may have (:func:`check_clipped_normal`, computed with the normal
#: CDF). Below it a value needs on average more than ``MAX_REDRAWS`` draws: each value
#: is drawn at most ``MAX_REDRAWS + 2`` times and stays outside with probability
#: ``(1 - p) ** (MAX_REDRAWS + 2)`` > 0.36, so the bounded redraw would fail for all
#: but the smallest sizes. Distributions above it can still run out of redraws for
#: large sizes (a million values up to p ~ 0.02); the draw then raises the same
#: error.
MIN_ACCEPTANCE: Final = 1.0 / MAX_REDRAWS


def clipped_normal_acceptance(
    mean: float, sd: float, low: float = -np.inf, high: float = np.inf
) -> float:
    """Return the probability that one draw of N(mean, sd) falls in ``[low, high]``.

    Parameters
    ----------
    mean, sd
        Mean (finite) and standard deviation (finite, >= 0; 0 is the point mass at
        ``mean``) of the normal distribution, in the unit of the bounds.
    low, high
        Bounds of the accepted interval, inclusive.

    Returns
    -------
    float
        ``Phi((high - mean) / sd) - Phi((low - mean) / sd)``, computed in the tail
        nearer to the interval so that small probabilities keep their precision; 0
        when ``low > high`` or a bound is NaN.

    Examples
    --------
    >>> round(clipped_normal_acceptance(0.0, 1.0, low=-1.0, high=1.0), 4)
    0.6827
    >>> clipped_normal_acceptance(1.5, 0.0, low=2.0)
    0.0
    """
    if not low <= high:
        return 0.0
    if sd == 0:
        return 1.0 if low <= mean <= high else 0.0
    a = (float(low) - float(mean)) / float(sd)
    b = (float(high) - float(mean)) / float(sd)
    p = ndtr(-a) - ndtr(-b) if a > 0 else ndtr(b) - ndtr(a)
    return float(max(p, 0.0))


def check_clipped_normal(
    name: str,
    mean: float,
    sd: float,
    low: float = -np.inf,
    high: float = np.inf,
    *,
    remedy: str = "move the mean towards the bounds, widen them or raise sd",
) -> None:
    """Check that N(mean, sd) redrawn outside ``[low, high]`` can be drawn.

    The criterion: ``mean`` and ``sd`` finite, ``sd`` >= 0, ``low <= high`` and an
    acceptance probability (:func:`clipped_normal_acceptance`) of at least
    :data:`MIN_ACCEPTANCE`. With ``sd = 0`` that means the mean lies in the bounds.

    Parameters
    ----------
    name
        The drawn parameter, named in the error.
    mean, sd
        Mean and standard deviation (same unit as the bounds).
    low, high
        Bounds, inclusive.
    remedy
        What the user can change, appended to the error.

    Raises
    ------
    ConfigError
        If the distribution fails the criterion; the message names the parameter,
        the distribution, the problem and ``remedy``.

    Examples
    --------
    >>> check_clipped_normal("delay", 1.5, 0.2, low=0.3)
    >>> try:
    ...     check_clipped_normal("delay", 1.5, 0.2, low=3.0)
    ... except ConfigError as err:
    ...     print(str(err).split(": ")[0])
    delay ~ normal(mean=1.5, sd=0.2) redrawn outside [3, inf]
    """
    dist = (
        f"{name} ~ normal(mean={mean:g}, sd={sd:g}) redrawn outside [{low:g}, {high:g}]"
    )
    if not (math.isfinite(mean) and math.isfinite(sd) and sd >= 0):
        problem = "the mean and sd must be finite and sd >= 0"
    elif math.isnan(low) or math.isnan(high) or low > high:
        problem = "low > high (or a bound is NaN), so no value can be accepted"
    elif sd == 0 and not low <= mean <= high:
        problem = "sd = 0 makes every draw equal the mean, which is outside the bounds"
    else:
        p = clipped_normal_acceptance(mean, sd, low, high)
        if p >= MIN_ACCEPTANCE:
            return
        problem = (
            f"only a fraction {p:.3g} of draws falls inside the bounds (at least "
            f"{MIN_ACCEPTANCE:g} is needed: each value is redrawn at most "
            f"{MAX_REDRAWS + 1} times, as in PyNN)"
        )
    raise ConfigError(f"{dist}: {problem}; {remedy}")


def redraw(
    values: np.ndarray,
    draw: Callable[[int], np.ndarray],
    outside: Callable[[np.ndarray, np.ndarray], np.ndarray],
) -> np.ndarray:
    """Redraw out-of-bounds values in place with PyNN's bound; return those left.

    ``outside(v, idx)`` flags the values ``v = values[idx]`` to redraw; ``draw(n)``
    gives ``n`` new values. At most ``MAX_REDRAWS + 1`` rounds redraw the flagged
    values in index order (``pyNN.random.WrappedRNG._clipped``), so a run that needs
    no more rounds draws exactly what an unbounded loop would.
    """
    idx = np.flatnonzero(outside(values, np.arange(values.size)))
    rounds = 0
    while idx.size and rounds <= MAX_REDRAWS:
        values[idx] = draw(idx.size)
        idx = idx[outside(values[idx], idx)]
        rounds += 1
    return idx


def normal_clipped(
    rng: np.random.Generator,
    mean: float,
    sd: float,
    size: int,
    low: float = -np.inf,
    high: float = np.inf,
    *,
    name: str = "value",
    remedy: str = "move the mean towards the bounds, widen them or raise sd",
) -> np.ndarray:
    """Draw normal values, re-drawing those outside ``[low, high]`` (PyNN semantics).

    As PyNN's ``normal_clipped``, values outside the bounds are redrawn at most
    ``MAX_REDRAWS + 1`` times; unlike PyNN, the distribution is checked first
    (:func:`check_clipped_normal`), so a hopeless one fails before any draw.

    Parameters
    ----------
    rng
        Generator of the draws.
    mean, sd
        Mean and standard deviation of the normal distribution (unit of the values).
    size
        Number of values.
    low, high
        Bounds, inclusive.
    name, remedy
        The drawn parameter and what the user can change, for the error message.

    Returns
    -------
    np.ndarray
        ``size`` values in ``[low, high]``.

    Raises
    ------
    ConfigError
        If the distribution fails :func:`check_clipped_normal`, or values are still
        outside the bounds after ``MAX_REDRAWS + 1`` redraw rounds.

    Examples
    --------
    >>> x = normal_clipped(np.random.default_rng(0), 1.0, 5.0, 1000, low=0.0)
    >>> bool(x.min() >= 0.0)
    True
    """
    check_clipped_normal(name, mean, sd, low, high, remedy=remedy)
    values = rng.normal(mean, sd, size)
    left = redraw(
        values,
        lambda n: rng.normal(mean, sd, n),
        lambda v, _: (v < low) | (v > high),
    )
    if left.size:
        raise ConfigError(
            f"{name} ~ normal(mean={mean:g}, sd={sd:g}) redrawn outside "
            f"[{low:g}, {high:g}]: {left.size} of {size} values are still outside "
            f"after {MAX_REDRAWS + 1} redraw rounds (PyNN's bound); {remedy}"
        )
    return values
