"""The rule of the twin-vs-NEST rate check: paired standard errors and a bias test.

Both simulators run the same network realisations (seed ``k`` of the twin and of NEST
is the same network, only the Poisson input differs), so the difference of the two
mean rates of one realisation carries no realisation-to-realisation spread: it is
compared with its own standard error over the realisations, as a relative
difference (twin / NEST - 1 per realisation), so that an error proportional to the
rate does not vary with the realisation. Two tests:

- all points: the mean relative difference (twin / NEST - 1, averaged over the
  points) must lie within ``max(OFFSET_TOLERANCE, t(points - 1) x its standard
  error)``, the standard error from the spread between points; this is the test a
  systematic error fails (a 10 % one by far: ``tests/analog/test_rate_agreement.py``);
- each point: ``|mean relative difference| <= max(POINT_TOLERANCE, t(n - 1) x its
  standard error)``, a guard against an error confined to one point, with the
  quantile corrected for the number of points (Bonferroni), so that the family of
  point tests has the same confidence as one test.

``t`` are Student quantiles at :data:`CONFIDENCE` (two-sided). The tolerances cover
what legitimately differs between the two integrators (RK4 on NEST's time grid vs
NEST's adaptive RKF45: 1.8 % at most over 10 s in ``BENCHMARKS.md``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from twin.recording import SpikeRecording

#: Relative difference a single point may show whatever its standard error.
POINT_TOLERANCE = 0.10
#: Mean relative difference over the points accepted whatever its standard error.
OFFSET_TOLERANCE = 0.03
#: Two-sided confidence of both tests.
CONFIDENCE = 0.99


def window_rate(recording: SpikeRecording, start: float, stop: float) -> float:
    """Return the mean rate (Hz) of the recorded neurons in ``[start, stop)`` ms.

    Raises
    ------
    ValueError
        If the window is empty or nothing is recorded.
    """
    n = sum(ids.size for ids in recording.recorded.values())
    if not (stop > start and n):
        raise ValueError(f"window [{start}, {stop}) ms over {n} recorded neurons")
    spikes = np.count_nonzero((recording.times >= start) & (recording.times < stop))
    return float(spikes / n / ((stop - start) * 1e-3))


def student_quantile(dof: int, tests: int = 1) -> float:
    """Two-sided Student quantile at :data:`CONFIDENCE` for a family of ``tests``."""
    return float(stats.t.ppf(1 - (1 - CONFIDENCE) / (2 * tests), dof))


@dataclass(frozen=True, slots=True)
class RateAgreement:
    """Twin vs NEST at each point (arrays of shape ``(points,)``) and overall.

    Attributes
    ----------
    twin, nest
        Mean rates over the realisations, Hz.
    relative, allowed
        Mean paired relative difference (twin / NEST - 1) and its accepted size.
    offset, offset_allowed
        Mean of ``relative`` over the points and its accepted size.
    """

    twin: np.ndarray
    nest: np.ndarray
    relative: np.ndarray
    allowed: np.ndarray
    offset: float
    offset_allowed: float

    @property
    def agrees(self) -> bool:
        """Every point within its allowance and the offset within its own."""
        return self.points_agree and abs(self.offset) <= self.offset_allowed

    @property
    def points_agree(self) -> bool:
        """Every point within its allowance."""
        return bool(np.all(np.abs(self.relative) <= self.allowed))

    def report(self, labels: list[str]) -> str:
        """One line per point, then the offset line."""
        lines = [
            f"{label}: twin {t:.2f} Hz, nest {n:.2f} Hz, {r:+.2%} (allowed {a:.2%})"
            for label, t, n, r, a in zip(
                labels, self.twin, self.nest, self.relative, self.allowed,
                strict=True,
            )
        ]  # fmt: skip
        lines.append(f"offset {self.offset:+.2%} (allowed {self.offset_allowed:.2%})")
        return "\n".join(lines)


def compare_rates(twin: np.ndarray, nest: np.ndarray) -> RateAgreement:
    """Compare rates of shape ``(points, realisations)``, paired by realisation.

    Parameters
    ----------
    twin, nest
        Mean rate (Hz) of each point on each realisation; column ``k`` of both is
        the same network realisation.

    Returns
    -------
    RateAgreement
        Per-point and overall relative differences with their allowances.

    Raises
    ------
    ValueError
        If the shapes differ, there are fewer than 2 points or realisations, or a
        NEST rate is not positive.
    """
    twin, nest = np.asarray(twin, float), np.asarray(nest, float)
    if twin.shape != nest.shape or twin.ndim != 2 or min(twin.shape) < 2:
        raise ValueError(
            f"rates of shapes {twin.shape} and {nest.shape}; give the same "
            "(points, realisations) shape, at least 2 of each"
        )
    if not np.all(nest > 0):
        raise ValueError("a realisation with no NEST spike; choose points that fire")
    points, n = twin.shape
    paired = twin / nest - 1
    relative = paired.mean(axis=1)
    se = paired.std(axis=1, ddof=1) / np.sqrt(n)
    offset_se = float(relative.std(ddof=1)) / np.sqrt(points)
    return RateAgreement(
        twin=twin.mean(axis=1),
        nest=nest.mean(axis=1),
        relative=relative,
        allowed=np.maximum(POINT_TOLERANCE, student_quantile(n - 1, points) * se),
        offset=float(relative.mean()),
        offset_allowed=max(OFFSET_TOLERANCE, student_quantile(points - 1) * offset_se),
    )
