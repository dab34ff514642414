"""The microcircuit demo's analysis: per-population rates, irregularity and a raster.

Spikes are analysed from ``start`` (the demo: 1000 ms) to the end of the run; a spike
counts if ``start < t <= t_stop`` (the seed analysis' convention).

- **rates**: each neuron's spike count / (t_stop - start), Hz; silent neurons count
  with 0 (the demo sizes its rate array by the population, not by the spiking
  neurons). Population mean and sd (ddof 0) over all neurons.
- **CV of ISI**: std / mean (ddof 0, as Elephant's ``cv``) of each neuron's
  inter-spike intervals in the window, for neurons with at least ``min_intervals``
  intervals. The demo's rule is one interval (two spikes; a neuron with exactly one
  interval has CV 0), the default here.
- **histograms**: rates in 1 Hz bins (the demo shows 0-25 Hz), CVs in Freedman-Diaconis
  bins from 0 to 2; both normalised to a density, as the demo's plots.
- **raster**: the first ``round(fraction * size)`` neurons of each population (the
  demo: 10 %) in a 500 ms window (the demo: 3000-3500 ms; the last 500 ms of a shorter
  run).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from twin.errors import ConfigError
from twin.recording import SpikeRecording

__all__ = [
    "Histogram",
    "MicrocircuitActivity",
    "PopulationActivity",
    "Raster",
    "cv_histogram",
    "freedman_diaconis_width",
    "microcircuit_activity",
    "population_activity",
    "raster",
    "raster_window",
    "rate_histogram",
    "recording_raster",
]

#: The demo's raster window, ms, and the fraction of neurons it shows.
RASTER_WINDOW = (3000.0, 3500.0)
RASTER_FRACTION = 0.1


@dataclass(frozen=True, slots=True, eq=False)
class PopulationActivity:
    """Rates and CVs of one population after the analysis start.

    Attributes
    ----------
    name
        Population name.
    rates
        Rate of every neuron, Hz, shape ``(n_neurons,)``.
    cvs
        CV of ISI of the neurons with at least ``min_intervals`` intervals, shape
        ``(n_irregular,)``, in neuron order.
    """

    name: str
    rates: np.ndarray
    cvs: np.ndarray

    @property
    def mean_rate(self) -> float:
        """Mean rate over all neurons, Hz (nan for no neuron)."""
        return float(self.rates.mean()) if self.rates.size else float("nan")

    @property
    def sd_rate(self) -> float:
        """Standard deviation (ddof 0) of the rates, Hz."""
        return float(self.rates.std()) if self.rates.size else float("nan")

    @property
    def mean_cv(self) -> float:
        """Mean CV over the neurons with CVs (nan if none)."""
        return float(self.cvs.mean()) if self.cvs.size else float("nan")


@dataclass(frozen=True, slots=True)
class MicrocircuitActivity:
    """Every population's activity of one run, in population order."""

    populations: tuple[PopulationActivity, ...]
    start: float  # analysis start, ms
    t_stop: float  # end of the run, ms

    def __getitem__(self, name: str) -> PopulationActivity:
        """Return the activity of population ``name``.

        Raises
        ------
        KeyError
            If no population is called ``name``.
        """
        for pop in self.populations:
            if pop.name == name:
                return pop
        raise KeyError(
            f"no population {name!r}; have {[p.name for p in self.populations]}"
        )


@dataclass(frozen=True, slots=True, eq=False)
class Histogram:
    """A density histogram: ``density[i]`` over ``[edges[i], edges[i + 1])``."""

    edges: np.ndarray
    density: np.ndarray


@dataclass(frozen=True, slots=True, eq=False)
class Raster:
    """Spikes of the displayed neurons, stacked: first population on top.

    Population ``k`` occupies rows ``tops[k] - sizes[k] + 1 .. tops[k]``; its
    ``j``-th displayed neuron is row ``tops[k] - j``.

    Attributes
    ----------
    times, rows
        Spike times (ms) and row (y position) of each displayed spike.
    labels, sizes
        Population names and their numbers of displayed neurons.
    window
        Displayed time window, ms.
    """

    times: np.ndarray
    rows: np.ndarray
    labels: tuple[str, ...]
    sizes: tuple[int, ...]
    window: tuple[float, float]

    @property
    def n_rows(self) -> int:
        """Total number of displayed neurons."""
        return sum(self.sizes)

    @property
    def tops(self) -> np.ndarray:
        """Top row of each population's band."""
        return self.n_rows - np.concatenate([[0], np.cumsum(self.sizes)[:-1]])

    @property
    def centres(self) -> np.ndarray:
        """Row at the centre of each population's band (for its label)."""
        return self.tops - 0.5 * np.asarray(self.sizes) + 0.5


def _check_window(start: float, t_stop: float) -> None:
    if not 0 <= start < t_stop:
        raise ConfigError(
            f"analysis start {start} ms with t_stop {t_stop} ms; the start must lie "
            "in [0, t_stop)"
        )


def population_activity(
    name: str,
    times: np.ndarray,
    ids: np.ndarray,
    neurons: np.ndarray,
    start: float,
    t_stop: float,
    *,
    min_intervals: int = 1,
) -> PopulationActivity:
    """Compute each neuron's rate and CV of ISI over ``(start, t_stop]``.

    Parameters
    ----------
    name
        Population name.
    times, ids
        Spike times (ms) and neuron ids, any order, shape ``(n_spikes,)``.
    neurons
        Ids of the population's neurons, shape ``(n_neurons,)``; the result follows
        their order.
    start, t_stop
        Analysis window, ms.
    min_intervals
        Fewest ISIs a neuron needs for a CV (the demo: 1).

    Raises
    ------
    ConfigError
        If the window is empty or ``min_intervals`` < 1.

    Examples
    --------
    >>> a = population_activity("x", np.array([10.0, 20.0, 30.0]), np.zeros(3),
    ...                         np.array([0, 1]), 0.0, 100.0)
    >>> a.rates.tolist(), a.cvs.tolist()
    ([30.0, 0.0], [0.0])
    """
    _check_window(start, t_stop)
    if min_intervals < 1:
        raise ConfigError(f"min_intervals = {min_intervals}; give at least 1")
    neurons = np.asarray(neurons)
    times, ids = np.asarray(times, dtype=float), np.asarray(ids)
    keep = (times > start) & (times <= t_stop) & np.isin(ids, neurons)
    t, i = times[keep], ids[keep]
    order = np.lexsort((t, i))
    t, i = t[order], i[order]
    sorter = np.argsort(neurons)
    index = sorter[np.searchsorted(neurons, i, sorter=sorter)]  # position in neurons
    counts = np.bincount(index, minlength=neurons.size)
    rates = counts / ((t_stop - start) * 1e-3)
    same = i[1:] == i[:-1]
    isi, owner = np.diff(t)[same], index[1:][same]
    n = np.bincount(owner, minlength=neurons.size).astype(float)
    has = n >= min_intervals
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(owner, isi, minlength=neurons.size) / n
        var = np.bincount(owner, (isi - mean[owner]) ** 2, minlength=neurons.size) / n
        cv = np.sqrt(var) / mean
    return PopulationActivity(name=name, rates=rates, cvs=cv[has])


def microcircuit_activity(
    recording: SpikeRecording,
    start: float = 1000.0,
    *,
    min_intervals: int = 1,
) -> MicrocircuitActivity:
    """Compute every recorded population's activity from a run's recording.

    Parameters
    ----------
    recording
        The run's spikes (global ids; ``recording.recorded`` gives each population's
        recorded ids, in network order).
    start
        Analysis start, ms (the demo: 1000).
    min_intervals
        See :func:`population_activity`.

    Raises
    ------
    ConfigError
        If ``start`` is not in [0, t_stop).
    """
    _check_window(start, recording.t_stop)
    pops = tuple(
        population_activity(
            name,
            recording.times,
            recording.ids,
            ids,
            start,
            recording.t_stop,
            min_intervals=min_intervals,
        )
        for name, ids in recording.recorded.items()
    )
    return MicrocircuitActivity(populations=pops, start=start, t_stop=recording.t_stop)


def rate_histogram(rates: np.ndarray, max_rate: float = 100.0) -> Histogram:
    """Density of the rates in 1 Hz bins from 0 to ``max_rate`` Hz (the demo's bins).

    Rates at or above ``max_rate`` are left out of the density, as in the demo.
    """
    edges = np.arange(0.0, np.floor(max_rate) + 1.0)
    return _density(np.asarray(rates, dtype=float), edges)


def freedman_diaconis_width(values: np.ndarray) -> float:
    """Freedman-Diaconis bin width ``2 IQR / n^(1/3)`` (0 for fewer than 2 values)."""
    values = np.asarray(values, dtype=float)
    if values.size < 2:
        return 0.0
    q75, q25 = np.quantile(values, [0.75, 0.25])
    return float(2.0 * (q75 - q25) / values.size ** (1.0 / 3.0))


def cv_histogram(cvs: np.ndarray, upper: float = 2.0) -> Histogram:
    """Density of the CVs in Freedman-Diaconis bins from 0 to ``upper``.

    The bins have the Freedman-Diaconis width and cover ``[0, upper]`` (the last
    one may reach past ``upper``; the demo drops the partial last bin); with a zero
    width (fewer than 2 CVs, or a zero interquartile range) one bin ``[0, upper]``.
    """
    cvs = np.asarray(cvs, dtype=float)
    width = freedman_diaconis_width(cvs)
    n_bins = int(np.ceil(upper / width)) if width > 0 else 1
    step = width if width > 0 else upper
    return _density(cvs, np.arange(n_bins + 1) * step)


def _density(values: np.ndarray, edges: np.ndarray) -> Histogram:
    counts, _ = np.histogram(values, bins=edges)
    total = counts.sum()
    density = counts / (total * np.diff(edges)) if total else np.zeros(counts.size)
    return Histogram(edges=edges, density=density)


def raster_window(t_stop: float, length: float = 500.0) -> tuple[float, float]:
    """Return the demo's 3000-3500 ms window, or the last ``length`` ms of a run."""
    if t_stop >= RASTER_WINDOW[1]:
        return RASTER_WINDOW
    return (max(0.0, t_stop - length), t_stop)


def raster(
    times: np.ndarray,
    ids: np.ndarray,
    populations: Mapping[str, Sequence[int] | np.ndarray],
    window: tuple[float, float],
    fraction: float = RASTER_FRACTION,
) -> Raster:
    """Select the demo's raster: the first ``round(fraction * size)`` neurons each.

    Parameters
    ----------
    times, ids
        Spike times (ms) and neuron ids.
    populations
        Population name -> its neuron ids in order (the first ones are shown);
        the first population is drawn on top.
    window
        Time window, ms (``window[0] <= t < window[1]``).
    fraction
        Fraction of each population shown, in (0, 1].

    Raises
    ------
    ConfigError
        If ``fraction`` is not in (0, 1] or the window is empty.
    """
    if not 0 < fraction <= 1 or not window[0] < window[1]:
        raise ConfigError(
            f"raster of fraction {fraction} in window {window} ms; give a fraction "
            "in (0, 1] and a window with start < end"
        )
    times, ids = np.asarray(times, dtype=float), np.asarray(ids)
    shown = {
        k: np.asarray(v)[: round(fraction * len(v))] for k, v in populations.items()
    }
    in_window = (times >= window[0]) & (times < window[1])
    all_t, all_rows = [np.zeros(0)], [np.zeros(0, dtype=np.int64)]
    top = sum(v.size for v in shown.values())
    for members in shown.values():
        mask = in_window & np.isin(ids, members)
        sorter = np.argsort(members)
        rank = sorter[np.searchsorted(members, ids[mask], sorter=sorter)]
        all_t.append(times[mask])
        all_rows.append(top - rank)
        top -= members.size
    return Raster(
        times=np.concatenate(all_t),
        rows=np.concatenate(all_rows),
        labels=tuple(shown),
        sizes=tuple(int(v.size) for v in shown.values()),
        window=(float(window[0]), float(window[1])),
    )


def recording_raster(
    recording: SpikeRecording, fraction: float = RASTER_FRACTION
) -> Raster:
    """Select the demo's raster from a run's recording (:func:`raster_window`).

    Raises
    ------
    ConfigError
        If ``fraction`` is not in (0, 1].
    """
    return raster(
        recording.times,
        recording.ids,
        recording.recorded,
        raster_window(recording.t_stop),
        fraction,
    )
