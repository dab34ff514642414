"""Tables of the hardware tier's losses: events dropped per resource, chips' recording.

Any workload's ``summary.csv`` carries the events offered to and dropped by each
rate-limited resource (:data:`experiments.report.summary.RESOURCES`) and its
``chips.csv`` the recording link's counts per chip; these tables show them per
point (the workload's coordinates), as means over the seeds of one member.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from experiments.report.aggregate import Group, Point
from experiments.report.summary import RESOURCES
from twin.tiers import HARDWARE

__all__ = ["chip_table", "drop_table", "point_cells"]

Row = Mapping[str, str]


def point_cells(point: Sequence[float]) -> str:
    """Return a point's table cells, ``| 8 | 0.8 |`` (values as ``:g``).

    Parameters
    ----------
    point
        The coordinates' values.

    Returns
    -------
    str
        The cells, Markdown.

    Examples
    --------
    >>> point_cells((8.0, 0.8))
    '| 8 | 0.8 |'
    """
    return "| " + " | ".join(f"{v:g}" for v in point) + " |"


def _coords_head(coords: Sequence[str]) -> str:
    return "| " + " | ".join(coords) + " |"


def drop_table(hw: Mapping[Point, Group], coords: Sequence[str]) -> list[str]:
    """Tabulate the events each resource dropped of those offered, per point.

    Parameters
    ----------
    hw
        The hardware tier's groups by point (:func:`experiments.report.aggregate.
        aggregate`).
    coords
        The workload's coordinates (the first columns).

    Returns
    -------
    list of str
        Markdown lines: per point, the layout and for each resource ``dropped /
        offered (percent)``, means over seeds (``–`` where not counted).
    """
    lines = [
        _coords_head(coords)
        + " layout | "
        + " | ".join(f"{r} dropped / offered" for r in RESOURCES)
        + " |",
        "|" + "---|" * (len(RESOURCES) + len(coords) + 1),
    ]
    for p, s in sorted(hw.items()):
        cells = []
        for r in RESOURCES:
            off = s.mean(f"offered_{r}") if f"offered_{r}" in s.rows[0] else np.nan
            drop = s.mean(f"dropped_{r}") if f"dropped_{r}" in s.rows[0] else np.nan
            cells.append(
                "–"
                if not np.isfinite(off)
                else f"{drop:.0f} / {off:.0f} ({100 * drop / max(off, 1):.1f} %)"
            )
        lines.append(f"{point_cells(p)} {s.layout} | " + " | ".join(cells) + " |")
    return lines


def chip_table(chips: Sequence[Row], coords: Sequence[str]) -> list[str]:
    """Tabulate the hardware tier's recording per chip: emitted vs recorded.

    Parameters
    ----------
    chips
        Rows of ``chips.csv`` (one member's).
    coords
        The workload's coordinates.

    Returns
    -------
    list of str
        Markdown lines: per point, chips recorded and chips losing spikes, the
        spikes emitted and recorded (means over seeds) and the chip that lost the
        largest fraction.
    """
    rows = [
        r for r in chips
        if r["tier"] == HARDWARE and r["resource"] == "recording_per_hicann"
    ]  # fmt: skip
    by_point: dict[Point, list[Row]] = {}
    for r in rows:
        by_point.setdefault(tuple(float(r[c]) for c in coords), []).append(r)
    lines = [
        _coords_head(coords) + " chips recorded | chips losing spikes | emitted | "
        "recorded | worst chip: emitted → recorded |",
        "|" + "---|" * (len(coords) + 5),
    ]
    for p, members in sorted(by_point.items()):
        seeds = len({r["seed"] for r in members})
        offered = sum(int(r["offered"]) for r in members)
        dropped = sum(int(r["dropped"]) for r in members)
        losing = sum(int(r["dropped"]) > 0 for r in members)
        worst = max(
            members, key=lambda r: int(r["dropped"]) / max(int(r["offered"]), 1)
        )
        kept = int(worst["offered"]) - int(worst["dropped"])
        where = (
            f"chip {worst['chip']} (seed {worst['seed']}): {worst['offered']} → {kept}"
            if losing
            else "none loses"
        )
        lines.append(
            f"{point_cells(p)} {len(members) / seeds:.1f} | "
            f"{losing / seeds:.1f} | {offered / seeds:.0f} | "
            f"{(offered - dropped) / seeds:.0f} | {where} |"
        )
    return lines
