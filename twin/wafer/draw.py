"""Pictures of the wafer: chips in their real positions, reticles, FPGAs, defects."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; never open a window

import matplotlib.pyplot as plt
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from twin.files import atomic_write
from twin.wafer.coords import HICANNS, RETICLES
from twin.wafer.wafer import Wafer

__all__ = ["draw_wafer", "save_figure"]


def _defect_counts(wafer: Wafer) -> dict[int, int]:
    counts: dict[int, int] = {}
    for kind in ("denmems", "hlines", "vlines", "drivers", "dnc_mergers"):
        for chip, _ in getattr(wafer.defects, kind):
            counts[chip] = counts.get(chip, 0) + 1
    return counts


def draw_wafer(
    wafer: Wafer,
    *,
    chip_values: Mapping[int, float] | None = None,
    value_label: str = "neurons placed",
    routes: Sequence[Sequence[int]] = (),
    chip_labels: Mapping[int, str] | None = None,
    title: str | None = None,
) -> Figure:
    """Draw the wafer: chips, reticle borders, FPGA numbers, defects, optional load.

    Parameters
    ----------
    wafer
        The wafer; defective chips are drawn hatched red, and chips with defective
        components get a red dot scaled by the number of defects.
    chip_values
        Chip enum -> value shading the chip in blue (e.g. neurons placed).
    value_label
        Colour-bar label for ``chip_values``.
    routes
        Sequences of chip enums drawn as lines between chip centres.
    chip_labels
        Chip enum -> short text printed on the chip (e.g. L1 load).
    title
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = plt.subplots(figsize=(10, 5.6))
    values = chip_values or {}
    vmax = max(values.values(), default=1.0) or 1.0
    cmap = plt.get_cmap("Blues")
    patches, colours = [], []
    for chip in HICANNS:
        patches.append(Rectangle((chip.x, chip.y), 0.92, 0.92))
        colours.append(
            cmap(0.15 + 0.85 * values[chip.enum] / vmax)
            if chip.enum in values
            else "white"
        )
    ax.add_collection(
        PatchCollection(patches, facecolor=colours, edgecolor="0.6", linewidth=0.4)
    )
    dead = [
        Rectangle((c.x, c.y), 0.92, 0.92) for c in HICANNS if not wafer.is_usable(c)
    ]
    ax.add_collection(
        PatchCollection(
            dead, facecolor="#f4c7c3", edgecolor="firebrick", hatch="xx", lw=0.6
        )
    )
    counts = _defect_counts(wafer)
    if counts:
        xs = [HICANNS[e].x + 0.46 for e in counts]
        ys = [HICANNS[e].y + 0.46 for e in counts]
        ax.scatter(
            xs, ys, s=[0.5 + 0.4 * n for n in counts.values()], c="firebrick", lw=0
        )
    for reticle in RETICLES:
        x0, y0 = 4 * reticle.x - 0.04, 2 * reticle.y - 0.04
        ax.add_patch(Rectangle((x0, y0), 4.0, 2.0, fill=False, edgecolor="0.2", lw=1.1))
        colour = (
            "firebrick"
            if reticle.fpga in wafer.defects.fpgas_without_highspeed
            else "0.35"
        )
        ax.text(
            x0 + 2.0,
            y0 + 1.0,
            f"F{reticle.fpga}",
            ha="center",
            va="center",
            fontsize=6,
            color=colour,
        )
    if routes:
        segments = [
            [(HICANNS[e].x + 0.46, HICANNS[e].y + 0.46) for e in route]
            for route in routes
            if len(route) > 1
        ]
        ax.add_collection(
            LineCollection(segments, colors="darkorange", linewidths=0.6, alpha=0.5)
        )
    for enum, text in (chip_labels or {}).items():
        chip = HICANNS[enum]
        ax.text(chip.x + 0.46, chip.y + 0.5, text, ha="center", va="center", fontsize=4)
    if values:
        mappable = plt.cm.ScalarMappable(cmap=cmap, norm=plt.Normalize(0, vmax))
        fig.colorbar(mappable, ax=ax, fraction=0.03, label=value_label)
    ax.set_xlim(-0.5, 36.5)
    ax.set_ylim(16.5, -0.5)  # y runs top to bottom as in the HICANN grid
    ax.set_aspect("equal")
    ax.set_xlabel("HICANN x")
    ax.set_ylabel("HICANN y")
    ax.set_title(
        title or f"wafer {wafer.wafer_id}: {len(wafer.usable_hicanns())} usable chips"
    )
    fig.tight_layout()
    return fig


def save_figure(fig: Figure, path: str | os.PathLike[str], dpi: int = 150) -> Path:
    """Save a figure as PNG atomically and close it."""
    try:
        return atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=dpi, format="png"))
    finally:
        plt.close(fig)
