"""``twin compare``: report twin vs NEST (vs wafer) per point."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from twin.errors import ConfigError
from twin.tiers import FIDELITIES, ablated_effect


def _cmd_compare(args: argparse.Namespace) -> int:
    from experiments.report.compare import (
        aggregate,
        load_chips,
        load_summary,
        load_wafer,
        partial_note,
        report,
        write_report,
    )
    from experiments.report.plots import difference_maps, heat_maps, tier_curve
    from twin.wafer.draw import save_figure

    out = Path(args.out)
    rows = [row for folder in args.folders for row in load_summary(Path(folder))]
    for folder in args.folders:
        note = partial_note(Path(folder))
        if note:
            print(note, file=sys.stderr)
    twin = [r for r in rows if r.get("platform", "twin") == "twin"]
    nest = [r for r in rows if r.get("platform") == "nest"]
    tiers = {r["tier"] for r in twin}
    if not twin or not (nest or args.wafer or tiers - {"ideal"}):
        raise ConfigError(
            "twin compare needs twin results and something to compare them with: "
            "give the folders of a `twin brunel` and a `twin nest` run, a `twin "
            "brunel` run with several tiers, or --wafer DIR"
        )
    wafer = load_wafer(Path(args.wafer)) if args.wafer else None
    t = {tier: v for (_, tier), v in aggregate(twin).items()}
    n = {tier: v for (_, tier), v in aggregate(nest).items()}
    grid = {tier: {p: s.as_grid_row() for p, s in v.items()} for tier, v in t.items()}
    ngrid = {tier: {p: s.as_grid_row() for p, s in v.items()} for tier, v in n.items()}
    figures = []
    for tier in FIDELITIES[:2]:  # the tiers NEST runs
        if tier in grid and tier in ngrid:
            name = f"diff_twin_{tier}_minus_nest.png"
            save_figure(
                difference_maps(grid[tier], ngrid[tier], f"twin {tier} − NEST {tier}"),
                out / name,
            )
            figures.append(name)
    if "mapped" in grid and len(grid) > 1:
        save_figure(
            tier_curve({k: v for k, v in grid.items() if not ablated_effect(k)}),
            out / "tiers_vs_mapped.png",
        )
        figures.append("tiers_vs_mapped.png")
    if wafer:
        from experiments.report.compare import corrected_g

        wgrid = {p: s.as_grid_row() for p, s in wafer.items()}
        labels = {g: corrected_g(g) for g, _ in wafer} if args.g_correction else None
        save_figure(
            heat_maps(wgrid, "wafer", g_labels=labels), out / "heatmaps_wafer.png"
        )
        figures.append("heatmaps_wafer.png")
        ref = "hardware" if "hardware" in grid else "ideal"
        save_figure(
            difference_maps(wgrid, grid.get(ref, {}), f"wafer − twin {ref}"),
            out / "diff_wafer_minus_twin.png",
        )
        figures.append("diff_wafer_minus_twin.png")
    chips = [row for folder in args.folders for row in load_chips(Path(folder))]
    text = report(
        twin,
        nest,
        wafer,
        figures=figures,
        g_correction=args.g_correction,
        chips=chips,
    )
    print(text)
    print(f"wrote {write_report(text, out)}")
    return 0


def add_parser(sub: Any) -> None:
    """Add the sub-command(s) to the ``twin`` parser's sub-parsers."""
    compare = sub.add_parser(
        "compare",
        help="report twin vs NEST (vs wafer) per point",
        description="Write report.md with tables per (g, eta) (twin tiers, NEST, "
        "wafer, differences, verdicts, dropped events, ablation) and difference heat "
        "maps.",
    )
    compare.add_argument(
        "folders", metavar="DIR", nargs="+",
        help="folders written by twin brunel and twin nest (any number; rows are "
        "told apart by their platform and tier)",
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
