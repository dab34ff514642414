"""Checks of the theory's inputs: one rule per call, naming the value and remedy."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from twin.theory.errors import TheoryInputError

__all__ = ["require"]


def require(
    name: str,
    value: object,
    holds: Callable[[np.ndarray], np.ndarray],
    rule: str,
    remedy: str,
) -> np.ndarray:
    """Return ``value`` as a float array, checked finite and obeying ``holds``.

    Parameters
    ----------
    name
        The parameter's name with its unit, for the message (e.g. ``"tau_m (ms)"``).
    value
        A scalar or array.
    holds
        Element-wise predicate the values must satisfy.
    rule
        The rule as text, e.g. ``"> 0"``.
    remedy
        What the caller should do instead.

    Returns
    -------
    np.ndarray
        ``value`` as a float64 array (same shape).

    Raises
    ------
    TheoryInputError
        If a value is NaN, infinite or violates ``holds``; the message names the
        first such value.

    Examples
    --------
    >>> float(require("tau_m (ms)", 10.0, lambda x: x > 0, "> 0", "give a time"))
    10.0
    """
    arr = np.asarray(value, dtype=float)
    bad = ~np.isfinite(arr)
    with np.errstate(invalid="ignore"):
        bad |= ~np.asarray(holds(arr), dtype=bool)
    if bad.any():
        first = float(arr.reshape(-1)[int(np.argmax(bad.reshape(-1)))])
        raise TheoryInputError(
            f"{name} = {first!r} (of {int(bad.sum())} such values); it must be finite "
            f"and {rule}: {remedy}"
        )
    return arr
