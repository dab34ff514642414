"""``twin wafer``: summarise and draw the wafer."""

from __future__ import annotations

import argparse
import time
from typing import Any

from experiments.cli.wafer_options import load_wafer
from twin.wafer import BANDWIDTH, Wafer, build_l1_graph


def wafer_summary(wafer: Wafer) -> str:
    """Return a human-readable summary of a wafer's resources and limits.

    Builds the wafer's L1 graph (and reports how long that took).

    Parameters
    ----------
    wafer
        The wafer, with its defects.

    Returns
    -------
    str
        Several lines: usable HICANNs, reticles and FPGAs, the defects per kind, the
        neuron circuits and logical neurons of size 8, synapses per chip, the L1
        graph's size and build time (s), and each rate limit in MEvent/s on the
        hardware and in Hz of biological time (:data:`twin.wafer.BANDWIDTH`).
    """
    start = time.perf_counter()
    graph = build_l1_graph(wafer)
    elapsed = time.perf_counter() - start
    spec, d = wafer.spec, wafer.defects
    lines = [
        f"wafer {wafer.wafer_id}: {len(wafer.usable_hicanns())} of {spec.n_hicanns} "
        f"HICANNs usable, {spec.n_reticles} reticles/FPGAs "
        f"({len(d.fpgas_without_highspeed)} without L2 links)",
        f"  defects: {len(d.hicanns)} chips, {len(d.denmems)} denmems, "
        f"{len(d.hlines) + len(d.vlines)} L1 lines, {len(d.drivers)} drivers, "
        f"{len(d.dnc_mergers)} DNC mergers",
        f"  neuron circuits: {spec.denmems:,}; logical neurons of size 8: "
        f"{wafer.neuron_capacity(8):,}",
        f"  synapses per chip: {spec.synapses_per_hicann:,}",
        f"  L1 graph: {graph.number_of_nodes():,} buses, {graph.number_of_edges():,} "
        f"switches/repeaters, built in {elapsed:.2f} s",
        f"  rate limits (speed-up {BANDWIDTH.speedup:g}):",
    ]
    for name, limit in BANDWIDTH.limits.items():
        flag = " (assumption)" if limit.assumption else ""
        lines.append(
            f"    {name:<22} {limit.rate_hw / 1e6:7.2f} MEvent/s hw = "
            f"{BANDWIDTH.bio(name):9.1f} Hz bio per {limit.scope}{flag}"
        )
    return "\n".join(lines)


def _cmd_wafer(args: argparse.Namespace) -> int:
    from twin.wafer.draw import draw_wafer, save_figure

    wafer = load_wafer(args)
    print(wafer_summary(wafer))
    if args.save_defects:
        wafer.defects.save(args.save_defects)
        print(f"defect map written to {args.save_defects}")
    if args.out:
        save_figure(draw_wafer(wafer), args.out)
        print(f"wafer picture written to {args.out}")
    return 0


def add_parser(sub: Any) -> None:
    """Add the sub-command(s) to the ``twin`` parser's sub-parsers.

    Adds ``twin wafer`` with its options and its handler as the ``func`` default
    (what :func:`experiments.cli.main` calls).

    Parameters
    ----------
    sub
        The sub-parsers action of the ``twin`` parser (what
        ``ArgumentParser.add_subparsers`` returns).
    """
    wafer = sub.add_parser("wafer", help="summarise and draw the wafer")
    wafer.add_argument("--defects", metavar="FILE", help="defect map (JSON) to load")
    wafer.add_argument(
        "--synthetic-defects",
        metavar="SEED",
        type=int,
        help="draw a synthetic defect map",
    )
    wafer.add_argument(
        "--save-defects", metavar="FILE", help="write the defect map as JSON"
    )
    wafer.add_argument("--out", metavar="PNG", help="write a picture of the wafer")
    wafer.set_defaults(func=_cmd_wafer)
