"""``twin compare``: report twin vs NEST (vs wafer) per point, one ensemble member each.

Rows of the folders given are told apart by platform, tier and ensemble member
(:mod:`experiments.report.members`): a point's statistics are taken over the seeds of
one member, never over members or twice over one run. An ensemble folder gives one
report section per member, each compared with the NEST member of the same labels
(or the only NEST member's ``ideal`` tier).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from twin.errors import ConfigError
from twin.tiers import FIDELITIES, HARDWARE, IDEAL, MAPPED, ablated_effect, behaviour

Row = dict[str, str]


def _read(folders: Sequence[str]) -> tuple[list[Row], list[Row]]:
    """Return every folder's summary rows and chips rows, each with its folder."""
    from experiments.report.compare import load_chips, load_summary, partial_note

    rows: list[Row] = []
    chips: list[Row] = []
    for folder in folders:
        note = partial_note(Path(folder))
        if note:
            print(note, file=sys.stderr)
        rows += [{**r, "folder": folder} for r in load_summary(Path(folder))]
        chips += [{**r, "folder": folder} for r in load_chips(Path(folder))]
    return rows, chips


def _grids(rows: Sequence[Row]) -> dict[str, dict]:
    from experiments.report.compare import aggregate

    return {
        tier: {p: s.as_grid_row() for p, s in v.items()}
        for (_, tier), v in aggregate(rows).items()
    }


def _figures(
    twin: Sequence[Row],
    nest: Sequence[Row],
    wafer: Mapping | None,
    out: Path,
    suffix: str,
) -> list[str]:
    """Draw one member's difference maps and tier curve; return the file names."""
    from experiments.report.plots import difference_maps, tier_curve
    from twin.wafer.draw import save_figure

    grid, ngrid = _grids(twin), _grids(nest)
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


def _wafer_map(wafer: Mapping, g_correction: bool, out: Path) -> str:
    from experiments.report.compare import corrected_g
    from experiments.report.plots import heat_maps
    from twin.wafer.draw import save_figure

    wgrid = {p: s.as_grid_row() for p, s in wafer.items()}
    labels = {g: corrected_g(g) for g, _ in wafer} if g_correction else None
    save_figure(heat_maps(wgrid, "wafer", g_labels=labels), out / "heatmaps_wafer.png")
    return "heatmaps_wafer.png"


def _cmd_compare(args: argparse.Namespace) -> int:
    from experiments.report.compare import load_wafer, report, write_report
    from experiments.report.members import (
        member_slug,
        member_text,
        nest_partner,
        split_members,
        varying,
    )

    out = Path(args.out)
    rows, chips = _read(args.folders)
    twin = [r for r in rows if r.get("platform", "twin") == "twin"]
    nest = [r for r in rows if r.get("platform") == "nest"]
    tiers = {r["tier"] for r in twin}
    if not twin or not (nest or args.wafer or tiers - {IDEAL}):
        raise ConfigError(
            "twin compare needs twin results and something to compare them with: "
            "give the folders of a `twin brunel` and a `twin nest` run, a `twin "
            "brunel` run with several tiers, or --wafer DIR"
        )
    wafer = load_wafer(Path(args.wafer)) if args.wafer else None
    members = split_members(twin)
    nest_members = split_members(nest)
    chip_members = split_members(chips)
    shown = varying(list(members))
    several = len(members) > 1
    common = [_wafer_map(wafer, args.g_correction, out)] if wafer else []
    texts = []
    for key, mine in members.items():
        partner, note = nest_partner(key, nest_members)
        suffix = f"_{member_slug(key, shown)}" if several else ""
        figures = common + _figures(mine, partner, wafer, out, suffix)
        text = report(
            mine,
            partner,
            wafer,
            figures=figures,
            g_correction=args.g_correction,
            chips=chip_members.get(key, []),
            member=member_text(key, shown) if several else "",
        )
        texts.append(text + (f"\nNote: {note}\n" if note else ""))
    head = (
        f"{len(members)} ensemble members ({', '.join(shown)} differ), one report "
        "each; a point's statistics are over the seeds of one member.\n\n"
        if several
        else ""
    )
    text = head + "\n".join(texts)
    print(text)
    print(f"wrote {write_report(text, out)}")
    return 0


def add_parser(sub: Any) -> None:
    """Add the sub-command(s) to the ``twin`` parser's sub-parsers.

    Adds ``twin compare`` with its options and its handler as the ``func`` default
    (what :func:`experiments.cli.main` calls).

    Parameters
    ----------
    sub
        The sub-parsers action of the ``twin`` parser (what
        ``ArgumentParser.add_subparsers`` returns).
    """
    compare = sub.add_parser(
        "compare",
        help="report twin vs NEST (vs wafer) per point",
        description="Write report.md with tables per (g, eta) (twin tiers, NEST, "
        "wafer, differences, verdicts, dropped events, ablation) and difference heat "
        "maps; an ensemble folder gives one report per member.",
    )
    compare.add_argument(
        "folders", metavar="DIR", nargs="+",
        help="folders written by twin brunel and twin nest (any number; rows are "
        "told apart by their platform, tier and ensemble member; the same run in "
        "two folders is an error)",
    )  # fmt: skip
    compare.add_argument(
        "--wafer", metavar="DIR", help="folder with a wafer's exc.h5 and inh.h5"
    )
    compare.add_argument(
        "--g-correction",
        action="store_true",
        help="label wafer g with the seed's effective g_corr = 0.869 g + 0.287",
    )
    compare.add_argument(
        "--out",
        metavar="DIR",
        default="results/compare",
        help="folder for report.md and the figures",
    )
    compare.set_defaults(func=_cmd_compare)
