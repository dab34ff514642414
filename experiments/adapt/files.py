"""The ladder's table (``ladder.csv``) and summary (``ladder.md``), written atomically.

``ladder.csv``: one row per rung, point and population with the units in the column
names (:data:`COLUMNS`). ``ladder.md``: per point, the rate after each rung and its
change against the rung before, per population, with CV and synchrony; the rung that
changes a population's rate most is marked in bold, and a line names it. Below: the
fitted weight factor beside the seed's hand-tuned one, the steps' reports and what
the run would cost on the wafer (:mod:`twin.hardware.cost`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Final

import numpy as np

from twin.adapt.fit import FitResult
from twin.adapt.ladder import Ladder
from twin.adapt.report import StepReport
from twin.errors import ResultsError
from twin.files import atomic_write_text
from twin.hardware.cost import WaferCost

__all__ = [
    "COLUMNS",
    "CSV_NAME",
    "MD_NAME",
    "PNG_NAME",
    "biggest_moves",
    "ladder_markdown",
    "read_ladder_csv",
    "write_ladder",
]

CSV_NAME: Final = "ladder.csv"
MD_NAME: Final = "ladder.md"
PNG_NAME: Final = "ladder.png"
#: The table's columns (units in the names; cv and global_cv are ratios).
COLUMNS: Final = (
    "rung", "tier", "point", "population", "rate_hz", "cv", "global_cv",
    "n_neurons", "synapse_loss_fraction", "t_stop_ms", "window_ms",
)  # fmt: skip
_TEXT: Final = frozenset({"rung", "tier", "point", "population"})


def ladder_csv(ladder: Ladder) -> str:
    """Return the ladder as CSV text (:data:`COLUMNS`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in ladder.rows:
        writer.writerow(
            [r.rung, r.tier, r.point, r.population, repr(r.rate_hz), repr(r.cv),
             repr(r.global_cv), r.n_neurons, repr(r.synapse_loss), ladder.t_stop,
             ladder.window]
        )  # fmt: skip
    return buffer.getvalue()


def read_ladder_csv(path: str | Path) -> list[dict[str, str | float]]:
    """Read a ``ladder.csv``: text columns as text, the others as floats.

    Raises
    ------
    ResultsError
        If the file's header is not :data:`COLUMNS`.
    """
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ResultsError(
                f"{path}: columns {reader.fieldnames}; a ladder table has {COLUMNS}"
            )
        return [
            {k: v if k in _TEXT else float(v) for k, v in row.items()} for row in reader
        ]


def biggest_moves(ladder: Ladder) -> dict[tuple[str, str], tuple[str, float]]:
    """Return, per (point, population), the rung that changes the rate most.

    Returns
    -------
    dict
        ``(point, population) -> (rung, change in Hz against the rung before)``;
        pairs with fewer than two finite rates are left out.
    """
    moves = {}
    pops = dict.fromkeys(r.population for r in ladder.rows)
    for point in ladder.points:
        for pop in pops:
            change = np.diff(ladder.rates(pop, point.name))
            if np.isfinite(change).any():
                k = int(np.nanargmax(np.abs(change)))
                moves[(point.name, pop)] = (ladder.rungs[k + 1], float(change[k]))
    return moves


def _point_table(ladder: Ladder, point: str, moves: dict) -> list[str]:
    """Return one point's table: a row per rung, columns per population."""
    pops = list(dict.fromkeys(r.population for r in ladder.rows))
    found = {(r.rung, r.population): r for r in ladder.rows if r.point == point}
    head = "| rung | tier | " + " | ".join(
        f"{p} rate (Hz) | {p} change (Hz) | {p} CV | {p} sync" for p in pops
    )
    lines = [head + " |", "|" + "---|" * (2 + 4 * len(pops))]
    before: dict[str, float] = {}
    for rung in ladder.rungs:
        cells = []
        tier = ""
        for pop in pops:
            row = found.get((rung, pop))
            if row is None:
                cells += ["", "", "", ""]
                continue
            tier = row.tier
            change = row.rate_hz - before[pop] if pop in before else float("nan")
            text = f"{change:+.2f}" if np.isfinite(change) else ""
            if moves.get((point, pop), ("",))[0] == rung:
                text = f"**{text}**"
            before[pop] = row.rate_hz
            cells += [f"{row.rate_hz:.2f}", text, f"{row.cv:.2f}",
                      f"{row.global_cv:.2f}"]  # fmt: skip
        lines.append(f"| {rung} | {tier} | " + " | ".join(cells) + " |")
    return lines


def _fit_lines(label: str, fit: FitResult, reference: float | None) -> list[str]:
    """Return one fit's section."""
    beside = f" (the seed's hand-tuned factor: {reference:g})" if reference else ""
    lines = [
        f"## Weight factor: {label}",
        "",
        f"Fitted factor on every weight: **{fit.factor:.3f}**{beside}.",
        f"Method: {fit.method}.",
        "",
        "| point | population | target (Hz) | before (Hz) | after (Hz) |",
        "|---|---|---|---|---|",
    ]
    for i, point in enumerate(fit.points):
        for k, pop in enumerate(fit.populations):
            lines.append(
                f"| {point.name} | {pop} | {fit.target[i, k]:.2f} | "
                f"{fit.rates_before[i, k]:.2f} | {fit.rates_after[i, k]:.2f} |"
            )
    lines += [
        "",
        f"Mean relative rate difference: {fit.mismatch_before:+.3f} before, "
        f"{fit.mismatch_after:+.3f} after"
        + (
            f"; mean-field first guess {fit.first_guess:.3f}."
            if fit.first_guess is not None
            else "; no mean-field first guess (not describable, or no crossing)."
        ),
    ]
    return lines


def ladder_markdown(
    ladder: Ladder,
    *,
    title: str = "Adaptation ladder",
    fits: Sequence[tuple[str, FitResult]] = (),
    reference: float | None = None,
    cost: WaferCost | None = None,
    reports: Sequence[StepReport] = (),
) -> str:
    """Return the ladder's Markdown summary.

    Parameters
    ----------
    ladder
        The ladder.
    title
        The page's title.
    fits
        Weight-factor fits to report, each with a label (which network it fitted).
    reference
        The hand-tuned factor to show beside the fitted one (the seed's 1.2).
    cost
        What the runs would cost on the wafer.
    reports
        The adaptation steps' reports, in order.

    Returns
    -------
    str
        The page.
    """
    moves = biggest_moves(ladder)
    lines = [
        f"# {title}",
        "",
        f"Each rung adds one step to the one before; every rung runs every point for "
        f"{ladder.t_stop:g} ms with the same Poisson stream per point; activity over "
        f"the last {ladder.window:g} ms. **Bold**: the rung that changes a "
        "population's rate most.",
        "",
    ]
    for point in ladder.points:
        lines += [
            f"## Point {point.name} (g x {point.g_scale:g}, rate x "
            f"{point.rate_scale:g})",
            "",
        ]
        lines += _point_table(ladder, point.name, moves)
        lines.append("")
        for (p, pop), (rung, change) in moves.items():
            if p == point.name:
                lines.append(f"- {pop}: moved most by `{rung}` ({change:+.2f} Hz)")
        lines.append("")
    for label, fit in fits:
        lines += [*_fit_lines(label, fit, reference), ""]
    if reports:
        lines += ["## Steps", ""]
        lines += [f"- {r.summary()} ({r.source})" for r in reports]
        lines.append("")
    if cost is not None:
        lines += ["## On the wafer", "", *(f"    {x}" for x in cost.lines()), ""]
    seconds = ", ".join(
        f"{n} {s:.1f}" for n, s in zip(ladder.rungs, ladder.seconds, strict=True)
    )
    lines += [f"Twin wall time per rung, s: {seconds}.", ""]
    return "\n".join(lines)


def write_ladder(
    ladder: Ladder,
    out: str | Path,
    *,
    plot: bool = True,
    title: str = "Adaptation ladder",
    fits: Sequence[tuple[str, FitResult]] = (),
    reference: float | None = None,
    cost: WaferCost | None = None,
    reports: Sequence[StepReport] = (),
) -> list[Path]:
    """Write ``ladder.csv``, ``ladder.md`` and (``plot``) ``ladder.png`` into ``out``.

    Parameters
    ----------
    ladder
        The ladder.
    out
        The folder (created if missing).
    plot
        Also draw ``ladder.png`` (:func:`experiments.adapt.plot.ladder_figure`).
    title, fits, reference, cost, reports
        As :func:`ladder_markdown`.

    Returns
    -------
    list of Path
        The files written.
    """
    out = Path(out)
    text = ladder_markdown(ladder, title=title, fits=fits, reference=reference,
                           cost=cost, reports=reports)  # fmt: skip
    paths = [
        atomic_write_text(out / CSV_NAME, ladder_csv(ladder)),
        atomic_write_text(out / MD_NAME, text),
    ]
    if plot:
        from experiments.adapt.plot import ladder_figure
        from twin.wafer.draw import save_figure

        paths.append(save_figure(ladder_figure(ladder), out / PNG_NAME))
    return paths
