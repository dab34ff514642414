"""The figures of the seed sweep's report: difference maps, tier curve, wafer maps.

Drawn per ensemble member over (g, eta) from the same statistics as the tables
(:func:`experiments.brunel.stats.aggregate`): the twin minus NEST per tier NEST
runs, each tier against the mapped tier, and a wafer against the twin.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from experiments.brunel.plots import Grid, difference_maps, heat_maps, tier_curve
from experiments.brunel.stats import Point, Stat, aggregate, corrected_g
from experiments.report.load import Row
from twin.tiers import FIDELITIES, HARDWARE, IDEAL, MAPPED, ablated_effect, behaviour
from twin.wafer.draw import save_figure

__all__ = ["grids", "member_figures", "wafer_map"]


def grids(rows: Sequence[Row]) -> dict[str, Grid]:
    """Return each tier's heat-map values per point (means over seeds).

    Parameters
    ----------
    rows
        One platform's rows of one member.

    Returns
    -------
    dict
        Tier -> (g, eta) -> :meth:`experiments.brunel.stats.Stat.as_grid_row`.

    Raises
    ------
    ResultsError
        If rows of one tier and point are not seeds of one experiment.
    """
    return {
        tier: {p: s.as_grid_row() for p, s in v.items()}
        for (_, tier), v in aggregate(rows).items()
    }


def member_figures(
    twin: Sequence[Row],
    nest: Sequence[Row],
    wafer: Mapping[Point, Stat] | None,
    out: Path,
    suffix: str,
) -> list[str]:
    """Draw one member's difference maps and tier curve; return the file names.

    Parameters
    ----------
    twin, nest
        The member's rows on each platform.
    wafer
        A wafer's statistics per point (``None``: none).
    out
        The folder the figures are written to.
    suffix
        The member's file-name part (``""`` for one member).

    Returns
    -------
    list of str
        The figures' file names in ``out``, in report order.

    Raises
    ------
    ResultsError
        If rows of one tier and point are not seeds of one experiment.
    OSError
        If a figure cannot be written.
    """
    grid, ngrid = grids(twin), grids(nest)
    figures = []
    for tier in (t for t in FIDELITIES if behaviour(t).on_nest):
        if tier in grid and tier in ngrid:
            name = f"diff_twin_{tier}_minus_nest{suffix}.png"
            title = f"twin {tier} − NEST {tier}{suffix.replace('_', ' ')}"
            save_figure(difference_maps(grid[tier], ngrid[tier], title), out / name)
            figures.append(name)
    if MAPPED in grid and len(grid) > 1:
        name = f"tiers_vs_mapped{suffix}.png"
        curve = tier_curve({k: v for k, v in grid.items() if not ablated_effect(k)})
        save_figure(curve, out / name)
        figures.append(name)
    if wafer:
        wgrid = {p: s.as_grid_row() for p, s in wafer.items()}
        ref = HARDWARE if HARDWARE in grid else IDEAL
        name = f"diff_wafer_minus_twin{suffix}.png"
        save_figure(
            difference_maps(wgrid, grid.get(ref, {}), f"wafer − twin {ref}"),
            out / name,
        )
        figures.append(name)
    return figures


def wafer_map(wafer: Mapping[Point, Stat], g_correction: bool, out: Path) -> str:
    """Draw a wafer's heat maps into ``out``; return the file name.

    Parameters
    ----------
    wafer
        The wafer's statistics per point.
    g_correction
        Label g with the wafer's effective g (:func:`corrected_g`).
    out
        The report's folder.

    Returns
    -------
    str
        ``"heatmaps_wafer.png"``.

    Raises
    ------
    OSError
        If the figure cannot be written.
    """
    wgrid = {p: s.as_grid_row() for p, s in wafer.items()}
    labels = {g: corrected_g(g) for g, _ in wafer} if g_correction else None
    save_figure(heat_maps(wgrid, "wafer", g_labels=labels), out / "heatmaps_wafer.png")
    return "heatmaps_wafer.png"
