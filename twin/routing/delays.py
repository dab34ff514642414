"""Synaptic delay as a function of route length (the wafer-30 calibration)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twin.errors import ConfigError

__all__ = ["DelayModel"]


@dataclass(frozen=True, slots=True, kw_only=True)
class DelayModel:
    """Delay of a realised synapse from the number of chips on its route.

    ``delay = slope * hops + offset + N(0, jitter)``, clipped at ``minimum`` (ms).
    The defaults are the calibration measured on wafer 30 and used by the demos.
    [demos cortical_microcircuit.rst ``delay_calib``]

    Raises
    ------
    ConfigError
        If ``slope``, ``offset`` or ``jitter`` is negative, or ``minimum`` is zero
        or negative.

    Examples
    --------
    >>> DelayModel(jitter=0.0).delays(np.array([0, 10]), seed=0).round(4)
    array([0.6444, 1.0414])
    """

    slope: float = 0.0397
    offset: float = 0.6444
    jitter: float = 0.1
    minimum: float = 0.1

    def __post_init__(self) -> None:
        if self.slope < 0 or self.offset < 0 or self.jitter < 0 or self.minimum <= 0:
            raise ConfigError(
                f"delay model {self}: slope, offset and jitter must be >= 0 and "
                "minimum > 0"
            )

    def delays(
        self, hops: np.ndarray, seed: int | np.random.Generator = 0
    ) -> np.ndarray:
        """Return a delay (ms) for each route length in ``hops``."""
        rng = np.random.default_rng(seed)
        base = self.slope * np.asarray(hops, dtype=float) + self.offset
        noisy = base + rng.normal(0.0, self.jitter, base.shape) if self.jitter else base
        return np.maximum(noisy, self.minimum)
