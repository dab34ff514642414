"""``twin map``: map the seed network on the wafer and report every lost synapse."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from experiments.cli.wafer_options import add_wafer_options, load_wafer


def _cmd_map(args: argparse.Namespace) -> int:
    from experiments.brunel import BrunelConfig, build_network
    from experiments.brunel.mapping import (
        MapRequest,
        brunel_mapping_config,
        compare_table,
        loss_table_text,
        write_mapping,
    )
    from twin.routing import map_network

    wafer = load_wafer(args)
    request = MapRequest(config=BrunelConfig(seed=args.seed), isolate=args.isolate)
    config = brunel_mapping_config(
        request,
        strategy=args.strategy,
        router=args.router,
        neuron_size=args.neuron_size,
        max_neurons_per_hicann=args.max_neurons_per_hicann or None,
    )
    network = build_network(request.config)
    if args.compare:
        print(compare_table(network, wafer, config))
        return 0
    mapping = map_network(network, wafer, config=config, validate=args.validate)
    print(loss_table_text(mapping))
    stages = ", ".join(f"{k} {v:.2f} s" for k, v in mapping.timings.items())
    print(f"time per stage: {stages}")
    if args.out:
        for path in write_mapping(mapping, Path(args.out)):
            print(f"wrote {path}")
    return 0


def add_parser(sub: Any) -> None:
    """Add the sub-command(s) to the ``twin`` parser's sub-parsers.

    Adds ``twin map`` with its options and its handler as the ``func`` default
    (what :func:`experiments.cli.main` calls).

    Parameters
    ----------
    sub
        The sub-parsers action of the ``twin`` parser (what
        ``ArgumentParser.add_subparsers`` returns).
    """
    mapper = sub.add_parser(
        "map",
        help="map the seed network onto the wafer and report every lost synapse",
        description="Place and route a network; print the per-projection loss table.",
    )
    mapper.add_argument(
        "--network", choices=["brunel"], default="brunel", help="network to map"
    )
    mapper.add_argument(
        "--strategy",
        choices=["enum", "spiral", "cluster"],
        default="spiral",
        help="chip order of neuron placement",
    )
    mapper.add_argument(
        "--isolate",
        type=int,
        default=0,
        metavar="N",
        help="place the first N excitatory neurons alone, one per chip (seed: 30)",
    )
    mapper.add_argument(
        "--router",
        choices=["backbone", "shortest"],
        default="backbone",
        help="L1 routing algorithm",
    )
    mapper.add_argument(
        "--neuron-size",
        type=int,
        default=8,
        help="denmems per logical neuron (even, 2-64)",
    )
    mapper.add_argument(
        "--max-neurons-per-hicann",
        type=int,
        default=59,
        metavar="N",
        help="cap on neurons per chip (0: no cap)",
    )
    mapper.add_argument(
        "--seed", type=int, default=1234, help="network realisation seed"
    )
    add_wafer_options(mapper)
    mapper.add_argument(
        "--out", metavar="DIR", help="write mapping.json, pictures, routes"
    )
    mapper.add_argument(
        "--compare",
        action="store_true",
        help="map with every strategy x router, one table",
    )
    mapper.add_argument(
        "--validate",
        action="store_true",
        help="run the validity oracles on the mapping",
    )
    mapper.set_defaults(func=_cmd_map)
