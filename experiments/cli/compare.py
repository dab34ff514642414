"""``twin compare``: report twin vs NEST (vs wafer) per point, one ensemble member each.

Rows of the folders given are told apart by platform, tier and ensemble member
(:mod:`experiments.report.members`): a point's statistics are taken over the seeds of
one member, never over members or twice over one run. An ensemble folder gives one
report section per member, each compared with the NEST member of the same labels
(or the only NEST member's ``ideal`` tier). The folders' workload is the one whose
coordinates their rows have (:func:`comparers`): the seed sweep's own report
(:class:`experiments.brunel.report.BrunelComparison`), else the generic one
(:class:`experiments.report.compare.Comparison`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from twin.errors import ConfigError
from twin.tiers import IDEAL

Row = dict[str, str]


def comparers() -> tuple[Any, ...]:
    """Return the report of every workload, the seed sweep's first.

    Returns
    -------
    tuple
        :class:`experiments.report.compare.Comparer` objects: Brunel's (g, eta)
        report, then the generic report of the microcircuit.
    """
    from experiments.brunel.report import BrunelComparison
    from experiments.microcircuit.workload import MicrocircuitWorkload
    from experiments.report.compare import Comparison

    return (BrunelComparison(), Comparison.of(MicrocircuitWorkload()))


def _comparer(folders: Sequence[str]) -> Any:
    """Return the report of the folders' workload (the first one's columns decide).

    Raises
    ------
    ConfigError
        If the folders hold rows of different workloads.
    """
    from experiments.report.load import folder_columns

    found = []
    for folder in folders:
        columns = folder_columns(Path(folder))
        mine = next((c for c in comparers() if columns and c.matches(columns)), None)
        found.append(mine)
    known = [c for c in found if c is not None]
    if any(type(c) is not type(known[0]) or c != known[0] for c in known):
        raise ConfigError(
            f"the folders {', '.join(folders)} hold results of different workloads; "
            "compare the folders of one workload at a time"
        )
    return known[0] if known else comparers()[0]


def _read(folders: Sequence[str], comparer: Any) -> tuple[list[Row], list[Row]]:
    """Return every folder's summary rows and chips rows, each with its folder."""
    from experiments.report.load import load_chips, load_summary, partial_note

    rows: list[Row] = []
    chips: list[Row] = []
    for folder in folders:
        note = partial_note(Path(folder), comparer.coords)
        if note:
            print(note, file=sys.stderr)
        rows += [
            {**r, "folder": folder}
            for r in load_summary(Path(folder), comparer.required)
        ]
        chips += [
            {**r, "folder": folder} for r in load_chips(Path(folder), comparer.coords)
        ]
    return rows, chips


def _cmd_compare(args: argparse.Namespace) -> int:
    from experiments.report.compare import member_reports, write_report

    out = Path(args.out)
    comparer = _comparer(args.folders)
    rows, chips = _read(args.folders, comparer)
    twin = [r for r in rows if r.get("platform", "twin") == "twin"]
    nest = [r for r in rows if r.get("platform") == "nest"]
    tiers = {r["tier"] for r in twin}
    if not twin or not (nest or args.wafer or tiers - {IDEAL}):
        raise ConfigError(
            "twin compare needs twin results and something to compare them with: "
            "give the folders of a `twin brunel` and a `twin nest` run, a `twin "
            "brunel` run with several tiers, or --wafer DIR"
        )
    wafer = Path(args.wafer) if args.wafer else None
    comparer = comparer.with_wafer(wafer, args.g_correction, out)
    text = member_reports(twin, nest, chips, lambda m: comparer.report(m, out))
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
        description="Write report.md with tables per point (twin tiers, NEST, "
        "differences, verdicts, dropped events, ablation; for the seed sweep per "
        "(g, eta), with the wafer and difference heat maps); an ensemble folder "
        "gives one report per member.",
    )
    compare.add_argument(
        "folders", metavar="DIR", nargs="+",
        help="folders written by twin brunel and twin nest, or by twin "
        "microcircuit (any number, of one workload; rows are told apart by their "
        "platform, tier and ensemble member; the same run in two folders is an "
        "error)",
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
