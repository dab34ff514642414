"""The seed's analysis protocol, vectorised: rate, irregularity and synchrony of a run.

Over the last ``window`` ms of a run (the seed: the last 1000 ms):

- **rate**: each considered neuron's spike count in the window / window length, averaged
  over neurons (Elephant ``mean_firing_rate`` per train, then the mean);
- **cv**: each neuron's CV of its inter-spike intervals in the window (std / mean,
  ddof 0, Elephant ``cv``), averaged over neurons with at least 2 spikes (2 spikes: one
  interval, CV 0);
- **global_cv**: CV (std / mean, ddof 0) of the population spike-count histogram of all
  considered spikes with 0.2 ms bins. For N independent Poisson neurons at rate r it is
  about ``1 / sqrt(N r bin)`` (counting noise): compare platforms at equal N and rate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twin.errors import ConfigError

__all__ = [
    "TOLERANCE",
    "Activity",
    "activity",
    "allowed_difference",
    "poisson_global_cv",
]


@dataclass(frozen=True, slots=True)
class Activity:
    """The seed's three numbers for one run, plus what they were computed from."""

    rate: float  # mean rate over considered neurons, Hz
    cv: float  # mean CV of ISIs over neurons with >= 2 spikes (nan if none)
    global_cv: float  # CV of the 0.2 ms population histogram (nan if no spike)
    n_neurons: int  # neurons considered
    n_spikes: int  # spikes in the window


def activity(
    times: np.ndarray,
    ids: np.ndarray,
    neurons: np.ndarray,
    t_stop: float,
    *,
    window: float = 1000.0,
    bin_ms: float = 0.2,
) -> Activity:
    """Compute rate, mean CV and global CV over the last ``window`` ms.

    Parameters
    ----------
    times, ids
        Spike times (ms) and neuron ids of a run (any order).
    neurons
        Ids of the neurons to consider (silent ones count with rate 0).
    t_stop
        End of the run, ms.
    window
        Length of the analysed final window, ms.
    bin_ms
        Histogram bin for the global CV, ms.

    Returns
    -------
    Activity

    Raises
    ------
    ConfigError
        If ``window`` is not in (0, t_stop].

    Examples
    --------
    >>> a = activity(np.array([910.0, 920.0, 930.0]), np.array([0, 0, 0]),
    ...              np.array([0, 1]), 1000.0, window=100.0)
    >>> round(a.rate, 3), a.cv
    (15.0, 0.0)
    """
    if window <= 0 or window > t_stop:
        raise ConfigError(
            f"analysis window {window} ms must be in (0, t_stop={t_stop}]"
        )
    start = t_stop - window
    neurons = np.asarray(neurons)
    keep = (times > start) & (times <= t_stop) & np.isin(ids, neurons)
    t, i = np.asarray(times)[keep], np.asarray(ids)[keep]
    rate = t.size / neurons.size / (window * 1e-3) if neurons.size else float("nan")
    return Activity(
        rate=float(rate),
        cv=_mean_cv(t, i),
        global_cv=_global_cv(t, start, window, bin_ms),
        n_neurons=int(neurons.size),
        n_spikes=int(t.size),
    )


def _mean_cv(t: np.ndarray, i: np.ndarray) -> float:
    """Mean over neurons (>= 2 spikes) of std/mean of their ISIs (ddof 0)."""
    order = np.lexsort((t, i))
    t, i = t[order], i[order]
    same = i[1:] == i[:-1]
    isi, owner = np.diff(t)[same], i[1:][same]
    if isi.size == 0:
        return float("nan")
    _, group = np.unique(owner, return_inverse=True)
    n = np.bincount(group).astype(float)
    mean = np.bincount(group, isi) / n
    var = np.bincount(group, (isi - mean[group]) ** 2) / n
    return float(np.mean(np.sqrt(var) / mean))


def _global_cv(t: np.ndarray, start: float, window: float, bin_ms: float) -> float:
    if t.size == 0:
        return float("nan")
    n_bins = round(window / bin_ms)
    counts, _ = np.histogram(t, bins=n_bins, range=(start, start + window))
    return float(counts.std() / counts.mean())


def poisson_global_cv(n_neurons: int, rate_hz: float, bin_ms: float = 0.2) -> float:
    """Global CV of N independent Poisson neurons: ``1 / sqrt(N rate bin)``.

    Examples
    --------
    >>> round(poisson_global_cv(30, 10.0), 2)
    4.08
    """
    return float(1.0 / np.sqrt(n_neurons * rate_hz * bin_ms * 1e-3))


#: Relative rate difference accepted as agreement between two platforms (twin vs
#: NEST): the rule of every comparison report.
TOLERANCE = 0.15


def allowed_difference(ref_rate: float, sd_a: float, sd_b: float) -> float:
    """Return the accepted rate difference, Hz: max(TOLERANCE x ref, 2 combined sd).

    ``sd_a``, ``sd_b``: the two platforms' standard deviations of the mean rate over
    seeds (0 for one seed); combined as ``hypot(sd_a, sd_b)``.

    Examples
    --------
    >>> allowed_difference(10.0, 0.0, 0.0)
    1.5
    >>> allowed_difference(10.0, 3.0, 4.0)
    10.0
    """
    return max(TOLERANCE * ref_rate, 2.0 * float(np.hypot(sd_a, sd_b)))
