"""Figures of a sweep: heat maps over (g, eta), differences, tiers, rasters."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from experiments.runs.result import PointResult
from twin.errors import ResultsError
from twin.tiers import MAPPED

__all__ = ["difference_maps", "heat_maps", "raster", "tier_curve"]

Point = tuple[float, float]
Grid = Mapping[Point, Mapping[str, float]]  # point -> {"rate": .., "cv": .., ...}
LABELS = {"rate": "mean rate (Hz)", "cv": "mean CV of ISI", "global_cv": "global CV"}


def _nanmean(values: Sequence[float]) -> float:
    finite = [v for v in values if np.isfinite(v)]
    return float(np.mean(finite)) if finite else float("nan")


def _as_grid(results: Sequence[PointResult]) -> dict[Point, dict[str, float]]:
    """Return each point's means over its runs (seeds), as ``twin compare`` takes them.

    Raises
    ------
    ResultsError
        If the runs are of several tiers or backends, or a point has one seed twice
        (runs of different experiments would be averaged as seeds).
    """
    kinds = sorted({(r.backend, r.tier) for r in results})
    if len(kinds) > 1:
        raise ResultsError(
            f"heat maps of runs of {len(kinds)} backends/tiers ({kinds}); draw one "
            "map per backend and tier"
        )
    runs: dict[Point, list[PointResult]] = {}
    for r in results:
        runs.setdefault((r["g"], r["eta"]), []).append(r)
    for (g, eta), mine in runs.items():
        seeds = [r.seed for r in mine]
        if len(set(seeds)) < len(seeds):
            raise ResultsError(
                f"heat maps: g = {g:g}, eta = {eta:g} has seed(s) twice ({seeds}); "
                "draw one ensemble member per map"
            )
    return {
        p: {
            "rate": float(np.mean([r["rate_hz"] for r in mine])),
            "rate_sd": float(np.std([r["rate_hz"] for r in mine], ddof=1))
            if len(mine) > 1
            else 0.0,
            "cv": _nanmean([r["cv"] for r in mine]),
            "global_cv": _nanmean([r["global_cv"] for r in mine]),
        }
        for p, mine in runs.items()
    }


def _caption(results: Sequence[PointResult]) -> str:
    """Say what the maps show: seeds, analysed window, layouts."""
    seeds = sorted({r.seed for r in results})
    windows = sorted({(r.recorded_from, r.recording.t_stop) for r in results})
    layouts = ", ".join(sorted({r.layout for r in results}))
    span = "; ".join(f"({a:g}, {b:g}] ms" for a, b in windows)
    many = f"mean over {len(seeds)} seeds" if len(seeds) > 1 else f"seed {seeds[0]}"
    return f"{many}, spikes in {span}, layout {layouts}"


def _panel(
    ax: Axes,
    grid: Grid,
    value: str,
    *,
    diverging: bool,
    g_labels: Mapping[float, float] | None = None,
) -> None:
    gs = sorted({g for g, _ in grid})
    etas = sorted({e for _, e in grid})
    z = np.full((len(etas), len(gs)), np.nan)
    for (g, e), row in grid.items():
        z[etas.index(e), gs.index(g)] = row[value]
    kw: dict[str, Any]
    if diverging:
        lim = float(np.nanmax(np.abs(z))) if np.isfinite(z).any() else 1.0
        kw = {"cmap": "RdBu_r", "vmin": -lim, "vmax": lim}
    else:
        kw = {"cmap": "viridis"}
    mesh = ax.pcolormesh(
        np.arange(len(gs) + 1), np.arange(len(etas) + 1), z, shading="flat", **kw
    )
    for (i, j), v in np.ndenumerate(z):
        text = (
            "–" if not np.isfinite(v) else (f"{v:.2f}" if abs(v) < 10 else f"{v:.0f}")
        )
        ax.text(
            j + 0.5,
            i + 0.5,
            text,
            ha="center",
            va="center",
            fontsize=8,
            color="k" if diverging else "w",
        )
    labels = [f"{(g_labels or {}).get(g, g):.3g}" for g in gs]
    ax.set_xticks(np.arange(len(gs)) + 0.5, labels)
    ax.set_yticks(np.arange(len(etas)) + 0.5, [f"{e:g}" for e in etas])
    ax.set_xlabel("g (corrected)" if g_labels else "g")
    ax.set_ylabel("eta")
    ax.figure.colorbar(mesh, ax=ax)


def heat_maps(
    results: Sequence[PointResult] | Grid,
    title: str = "twin",
    g_labels: Mapping[float, float] | None = None,
) -> Figure:
    """Rate, CV and global CV over (g, eta), as the seed's heat maps.

    Runs (:class:`PointResult`) of one point are averaged over their seeds, as
    ``twin compare`` averages them; the title says over which seeds, window and
    layouts. A grid is drawn as given.

    Raises
    ------
    ResultsError
        If the runs are of several tiers or backends or repeat a seed at a point.
    """
    caption = ""
    if isinstance(results, Sequence):
        grid: Grid = _as_grid(results)
        caption = _caption(results) if results else ""
    else:
        grid = results
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    for ax, (value, label) in zip(axes, LABELS.items(), strict=True):
        _panel(ax, grid, value, diverging=False, g_labels=g_labels)
        ax.set_title(label)
    fig.suptitle(f"{title}: {caption}" if caption else title)
    fig.tight_layout()
    return fig


def difference_maps(a: Grid, b: Grid, title: str) -> Figure:
    """Heat maps of ``a - b`` (rate, CV, global CV) at the points both have.

    Parameters
    ----------
    a, b
        Grids: (g, eta) -> ``{"rate": Hz, "cv": .., "global_cv": ..}``.
    title
        The figure's title.

    Returns
    -------
    matplotlib.figure.Figure
        Three panels (Δ rate in Hz, Δ CV, Δ global CV) on a diverging colour scale
        symmetric about 0.

    Raises
    ------
    KeyError
        If a common point lacks ``rate``, ``cv`` or ``global_cv``.
    """
    common = sorted(set(a) & set(b))
    diff = {p: {k: a[p][k] - b[p][k] for k in LABELS} for p in common}
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    for ax, (value, label) in zip(axes, LABELS.items(), strict=True):
        _panel(ax, diff, value, diverging=True)
        ax.set_title(f"Δ {label}")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def tier_curve(
    tiers: Mapping[str, Grid], threshold: float = 50.0, tolerance: float = 0.15
) -> Figure:
    """Each tier's rate against the ``mapped`` tier's rate, one marker per point.

    Left: the rates (error bars: standard deviation over seeds, ``rate_sd``, where
    given). Right: the relative deviation from the mapped tier, with the
    ``tolerance`` band; the dotted line marks ``threshold`` Hz.

    Parameters
    ----------
    tiers
        Tier name -> its grid: (g, eta) -> ``{"rate": Hz, "rate_sd": Hz (optional),
        ...}``; must include the ``mapped`` tier.
    threshold
        Rate marked by the dotted line, Hz (default: the seed's departure rate,
        50 Hz).
    tolerance
        Half-width of the shaded band, as a fraction (default 0.15, 15 %).

    Returns
    -------
    matplotlib.figure.Figure
        Two panels: rate against the mapped tier's rate (symlog axes, Hz) and the
        relative deviation (%), one series per tier other than ``mapped``, at the
        points it shares with the mapped tier.

    Raises
    ------
    KeyError
        If ``tiers`` has no ``mapped`` tier.
    """
    fig, (ax, rel) = plt.subplots(1, 2, figsize=(10.5, 4.5))
    ref = tiers[MAPPED]
    top = max(
        (row["rate"] for grid in tiers.values() for row in grid.values()), default=1.0
    )
    for name, grid in tiers.items():
        if name == MAPPED:
            continue
        pts = sorted(set(grid) & set(ref))
        x = np.array([ref[p]["rate"] for p in pts])
        y = np.array([grid[p]["rate"] for p in pts])
        ax.errorbar(
            x,
            y,
            xerr=[ref[p].get("rate_sd", 0.0) for p in pts],
            yerr=[grid[p].get("rate_sd", 0.0) for p in pts],
            fmt="o",
            label=name,
            alpha=0.8,
            capsize=2,
        )
        ratio = np.divide(y - x, x, out=np.zeros_like(x), where=x > 0)
        rel.plot(x, 100 * ratio, "o", label=name, alpha=0.8)
    ax.plot([0, top], [0, top], "k--", lw=1, label="equal")
    for a in (ax, rel):
        a.axvline(threshold, color="0.5", lw=1, ls=":")
        a.set_xscale("symlog", linthresh=1.0)
        a.set_xlim(0, max(top, 1.0) * 1.5)
        a.set_xlabel("mapped-tier rate (Hz)")
    ax.set_yscale("symlog", linthresh=1.0)
    ax.set_ylim(0, max(top, 1.0) * 1.5)
    ax.set_ylabel("tier rate (Hz)")
    ax.set_title(f"tiers vs mapped (dotted: {threshold:g} Hz)")
    ax.legend(fontsize=8)
    rel.axhspan(-100 * tolerance, 100 * tolerance, color="0.9")
    rel.axhline(0.0, color="k", lw=1, ls="--")
    rel.set_ylabel("tier / mapped − 1 (%)")
    rel.set_title(f"relative deviation (band: ±{tolerance:.0%})")
    fig.tight_layout()
    return fig


def raster(
    result: PointResult, window: tuple[float, float] = (9800.0, 9900.0)
) -> Figure:
    """Raster of 30 neurons and the population histogram in a 100 ms window (seed).

    Parameters
    ----------
    result
        One run: its recording (neuron ids, spike times in ms), tier, seed, ``g``,
        ``eta`` and ``rate_hz``.
    window
        The shown window ``(start, stop)``, ms (default: the seed's 9800 to 9900 ms).

    Returns
    -------
    matplotlib.figure.Figure
        Top: the spikes of neurons 0 to 29 in the window; bottom: their count per
        1 ms bin (spikes / ms). The title gives tier, seed, g, eta and the run's
        mean rate (Hz).
    """
    rec = result.recording
    lo, hi = window
    keep = (rec.times >= lo) & (rec.times <= hi) & (rec.ids < 30)
    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(7, 4.5), sharex=True, gridspec_kw={"height_ratios": [3, 1]}
    )
    top.plot(rec.times[keep], rec.ids[keep], "|", color="k", markersize=4)
    top.set_ylabel("neuron")
    top.set_title(
        f"{result.tier}, seed {result.seed}: g = {result['g']:g}, "
        f"eta = {result['eta']:g}: "
        f"{result['rate_hz']:.1f} Hz"
    )
    bottom.hist(rec.times[keep], bins=np.arange(lo, hi + 1e-9, 1.0), color="0.3")
    bottom.set_xlabel("time (ms)")
    bottom.set_ylabel("spikes / ms")
    bottom.set_xlim(lo, hi)
    fig.tight_layout()
    return fig
