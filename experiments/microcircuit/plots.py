"""The microcircuit demo's figures: rate and CV histograms per population, a raster.

Each function returns a ``matplotlib.figure.Figure`` (Agg; not registered with
pyplot, nothing is saved or shown); the caller saves it. Histogram figures overlay
several runs (e.g. twin and NEST) with one colour each, as the demo overlays BSS-1
and NEST: a 4 x 2 grid, layers in rows, excitatory left and inhibitory right.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

from collections.abc import Callable, Mapping

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from experiments.microcircuit.analysis import (
    Histogram,
    MicrocircuitActivity,
    PopulationActivity,
    Raster,
    cv_histogram,
    rate_histogram,
)

__all__ = ["cv_histograms", "raster_plot", "rate_histograms"]

#: Colours of excitatory and inhibitory populations in the raster (the demo's).
POPULATION_COLOURS = {"excitatory": "#595289", "inhibitory": "#af143c"}
#: Colours of successive runs in the histograms.
RUN_COLOURS = ("black", "tab:blue", "tab:orange", "tab:green")


def _grid(
    runs: Mapping[str, MicrocircuitActivity],
    histogram: Callable[[PopulationActivity], Histogram],
    xlim: tuple[float, float],
    xlabel: str,
) -> Figure:
    """Draw one density histogram per population and run on a 4 x 2 grid."""
    fig = Figure(figsize=(8, 9))
    axes = fig.subplots(4, 2, sharex="col", sharey="row", squeeze=False)
    fig.subplots_adjust(wspace=0, hspace=0)
    for colour, (label, run) in zip(RUN_COLOURS * 4, runs.items(), strict=False):
        for k, pop in enumerate(run.populations):
            ax: Axes = axes[k // 2, k % 2]
            hist = histogram(pop)
            if hist.density.size:
                ax.stairs(
                    hist.density, hist.edges, linewidth=2, color=colour, label=label
                )
            ax.text(0.95, 0.9, pop.name, ha="right", va="top", transform=ax.transAxes)
    for ax in axes.flat:
        ax.set_xlim(*xlim)
    for ax in axes[:, 0]:
        ax.set_ylabel("p")
    for ax in axes[-1]:
        ax.set_xlabel(xlabel)
    if runs:
        axes[0, 0].legend(loc="center right", framealpha=0.0)
    return fig


def rate_histograms(
    runs: Mapping[str, MicrocircuitActivity], max_shown: float = 25.0
) -> Figure:
    """Rate distributions (1 Hz bins, density) per population, 0-``max_shown`` Hz.

    Parameters
    ----------
    runs
        Run label (legend) -> its activity; populations in the same order in each.
    max_shown
        Upper end of the rate axis, Hz (the demo: 25).
    """
    return _grid(runs, lambda p: rate_histogram(p.rates), (0.0, max_shown), "Rate (Hz)")


def cv_histograms(runs: Mapping[str, MicrocircuitActivity]) -> Figure:
    """CV-of-ISI distributions (Freedman-Diaconis bins, density) per population, 0-2.

    Parameters
    ----------
    runs
        Run label (legend) -> its activity.
    """
    return _grid(runs, lambda p: cv_histogram(p.cvs), (0.0, 2.0), "CV")


def raster_plot(raster: Raster, title: str = "") -> Figure:
    """Spike raster of the selected neurons, populations stacked top to bottom.

    Parameters
    ----------
    raster
        The selection (:func:`experiments.microcircuit.analysis.raster`).
    title
        Figure title (e.g. the platform).
    """
    fig = Figure(figsize=(8, 6))
    ax = fig.subplots()
    for label, top, size in zip(raster.labels, raster.tops, raster.sizes, strict=True):
        mask = (raster.rows > top - size) & (raster.rows <= top)
        kind = "excitatory" if label.upper().endswith("E") else "inhibitory"
        ax.plot(
            raster.times[mask],
            raster.rows[mask],
            ".",
            color=POPULATION_COLOURS[kind],
            markersize=3,
        )
    ax.set_xlim(*raster.window)
    ax.set_ylim(0, raster.n_rows + 1)
    ax.set_yticks(np.asarray(raster.centres, dtype=float), list(raster.labels))
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("Population")
    if title:
        ax.set_title(title)
    return fig
