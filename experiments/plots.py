"""Figures of a sweep: heat maps over (g, eta) and raster + histogram of one point."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from experiments.sweep import PointResult

__all__ = ["heat_maps", "raster"]


def _grid(results: list[PointResult], value: str) -> tuple[list, list, np.ndarray]:
    gs = sorted({r.g for r in results})
    etas = sorted({r.eta for r in results})
    grid = np.full((len(etas), len(gs)), np.nan)
    for r in results:
        grid[etas.index(r.eta), gs.index(r.g)] = getattr(r.activity, value)
    return gs, etas, grid


def heat_maps(results: list[PointResult], title: str = "twin") -> Figure:
    """Rate, CV and global CV over (g, eta), as the seed's heat maps."""
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    labels = {
        "rate": "mean rate (Hz)",
        "cv": "mean CV of ISI",
        "global_cv": "global CV",
    }
    for ax, (value, label) in zip(axes, labels.items(), strict=True):
        gs, etas, grid = _grid(results, value)
        mesh = ax.pcolormesh(np.arange(len(gs) + 1), np.arange(len(etas) + 1), grid,
                             cmap="viridis", shading="flat")  # fmt: skip
        for (i, j), v in np.ndenumerate(grid):
            ax.text(j + 0.5, i + 0.5, f"{v:.2f}" if v < 10 else f"{v:.0f}", ha="center",
                    va="center", color="w", fontsize=8)  # fmt: skip
        ax.set_xticks(np.arange(len(gs)) + 0.5, [f"{g:g}" for g in gs])
        ax.set_yticks(np.arange(len(etas)) + 0.5, [f"{e:g}" for e in etas])
        ax.set_xlabel("g")
        ax.set_ylabel("eta")
        ax.set_title(label)
        fig.colorbar(mesh, ax=ax)
    fig.suptitle(f"{title}: last 1000 ms (all neurons if g >= 7, eta <= 1.2, else 30)")
    fig.tight_layout()
    return fig


def raster(
    result: PointResult, window: tuple[float, float] = (9800.0, 9900.0)
) -> Figure:
    """Raster of 30 neurons and the population histogram in a 100 ms window (seed)."""
    rec = result.recording
    lo, hi = window
    keep = (rec.times >= lo) & (rec.times <= hi) & (rec.ids < 30)
    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(7, 4.5), sharex=True, gridspec_kw={"height_ratios": [3, 1]}
    )
    top.plot(rec.times[keep], rec.ids[keep], "|", color="k", markersize=4)
    top.set_ylabel("neuron")
    top.set_title(
        f"g = {result.g:g}, eta = {result.eta:g}: {result.activity.rate:.1f} Hz"
    )
    bottom.hist(rec.times[keep], bins=np.arange(lo, hi + 1e-9, 1.0), color="0.3")
    bottom.set_xlabel("time (ms)")
    bottom.set_ylabel("spikes / ms")
    bottom.set_xlim(lo, hi)
    fig.tight_layout()
    return fig
