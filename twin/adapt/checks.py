"""Checks shared by the adaptation steps; each failure an :class:`AdaptError`."""

from __future__ import annotations

import math

from twin.errors import AdaptError
from twin.network import Network
from twin.streams import Label

__all__ = ["check_positive", "n_plastic", "stream"]


def check_positive(step: str, name: str, value: float, *, low: float = 0.0) -> float:
    """Return ``value`` as a float if it is finite and > ``low`` (>= 1 for ``k``).

    Raises
    ------
    AdaptError
        If ``value`` is not a finite number above ``low`` (or, with ``low`` 1, at
        least 1).
    """
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise AdaptError(f"{step}: {name} = {value!r} is not a number") from None
    ok = math.isfinite(x) and (x >= low if low == 1.0 else x > low)
    if not ok:
        bound = ">= 1" if low == 1.0 else f"> {low:g}"
        raise AdaptError(f"{step}: {name} = {value!r}; give a finite {name} {bound}")
    return x


def n_plastic(network: Network) -> int:
    """Return the number of projections with short-term plasticity."""
    return sum(getattr(p, "stp", None) is not None for p in network.projections)


def stream(step: str, seed: int, *fields: tuple[str, int | str]) -> Label:
    """Return the label of a step's random stream (:mod:`twin.streams`).

    Raises
    ------
    AdaptError
        If ``seed`` is not an integer.
    """
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise AdaptError(f"{step}: seed = {seed!r}; give an integer seed")
    return (("stream", f"adapt.{step}"), ("seed", seed), *fields)
