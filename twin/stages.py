"""Rate-limited resources of the wafer as stages the emulator applies to spikes.

A :class:`Stage` assigns every neuron to a group (its neuron block, or its bus; -1:
not limited) with a service rate and a buffer; :mod:`twin.analog.limits` applies the
stages inside the run (numpy here; the JAX side lives there).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twin.errors import ConfigError

__all__ = ["Stage"]


@dataclass(frozen=True, slots=True, eq=False)
class Stage:
    """One rate-limited resource.

    Parameters
    ----------
    name
        Name of the counters (e.g. ``"priority_encoder"``).
    group
        Group id of every neuron (global order), -1 where the stage does not apply.
    rate_bio
        Events per second of biological time each group serves.
    depth
        Buffer depth, events.

    Raises
    ------
    ConfigError
        If ``rate_bio`` is not > 0 or ``depth`` is negative.
    """

    name: str
    group: np.ndarray
    rate_bio: float
    depth: float

    def __post_init__(self) -> None:
        if not self.rate_bio > 0 or self.depth < 0:
            raise ConfigError(
                f"stage {self.name!r}: rate {self.rate_bio} Hz must be > 0 and depth "
                f"{self.depth} >= 0"
            )
