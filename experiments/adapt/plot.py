"""``ladder.png``: rate after each rung: a panel per population, a line per point."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from twin.adapt.ladder import Ladder

__all__ = ["ladder_figure"]


def ladder_figure(ladder: Ladder) -> Figure:
    """Return the figure of the rate (Hz) against the rungs.

    One panel per population, one line per point; the x axis lists the rungs in
    order (each adds one step to the one before), the wafer tiers last; the rate
    axis is logarithmic above 1 Hz.

    Parameters
    ----------
    ladder
        The ladder.

    Returns
    -------
    matplotlib.figure.Figure
        The figure (the caller saves and closes it).
    """
    pops = list(dict.fromkeys(r.population for r in ladder.rows))
    fig, axes = plt.subplots(
        1, len(pops), figsize=(4.5 * len(pops), 4.2), sharey=False, squeeze=False
    )
    x = np.arange(len(ladder.rungs))
    for ax, pop in zip(axes[0], pops, strict=True):
        for point in ladder.points:
            ax.plot(x, ladder.rates(pop, point.name), "o-", label=point.name)
        ax.set_xticks(x, ladder.rungs, rotation=40, ha="right")
        # Logarithmic above 1 Hz (points from a few to hundreds of Hz), linear below.
        ax.set_yscale("symlog", linthresh=1.0)
        ax.set_ylim(bottom=0.0)
        ax.set_ylabel("rate (Hz)")
        ax.set_title(f"{pop}")
        ax.grid(alpha=0.3)
    axes[0][0].legend(title="point", fontsize="small")
    fig.suptitle(f"Adaptation ladder: rate after each step ({ladder.t_stop:g} ms runs)")
    fig.tight_layout()
    return fig
